r"""Phase diagrams (relay vs plateau over (R, c_B) or (R, |G|)) and escape-time scaling laws.

The family of spectra is a two-level jump :math:`\{L_0, \mathrm{round}(R L_0)\}` with
equal weights, :math:`L_0 = 5` by default.  The **escape time** is the plateau the
hard horizon sits through after the easy one is learned,
:math:`T_\text{esc} = t(L_\text{hard}, 0.5) - t(L_\text{prev}, 0.5)`, in updates, where
:math:`L_\text{prev}` is the level below the hardest one.

A scaling law is fitted by least squares on logarithms, either a power law
:math:`T = a x^k` (fit of log T on log x) or an exponential :math:`T = a e^{k x}`
(fit of log T on x); :func:`fit_scaling` reports the exponent and :math:`R^2`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, Sequence, cast

import numpy as np
from numpy.typing import ArrayLike, NDArray

from groupfourier import group_from_name

from .model import TaskModel
from .predict import predict
from .regime import REGIME_COLORS
from .results import num
from .spectrum import Spectrum

#: What :func:`escape_scan` varies.
ScanParameter = Literal["ratio", "hard", "order", "c_B"]

__all__ = ["PhaseDiagram", "phase_diagram", "plot_phase_diagram", "ScalingFit", "fit_scaling",
           "escape_time", "escape_scan", "scaling_laws", "plot_scaling_laws", "DEFAULT_SCANS"]

REGIME_CODES = {"relay": 0, "plateau": 1, "stalled": 2, "unfinished": 2}


def _jump(L0: int, R: float) -> Spectrum:
    return Spectrum((L0, int(round(R * L0))))


def _escape(r) -> float:
    hs = r.horizons
    T = r.crossings[(hs[-1], 0.5)] - r.crossings[(hs[max(len(hs) - 2, 0)], 0.5)]
    return float(T) if math.isfinite(T) else math.inf


def escape_time(model: TaskModel, spectrum: Spectrum, **predict_kw) -> tuple[float, str, float]:
    """``(T_esc, regime, first_phase)`` for a spectrum; T_esc is ``inf`` when never escaped.

    Examples
    --------
    >>> T, regime, first = escape_time(TaskModel(group="Z96", c_B=4), Spectrum((5, 45)))
    >>> regime, bool(T > 5 * first)
    ('plateau', True)
    """
    r = predict(model, spectrum, **predict_kw)
    return _escape(r), r.regime, float(r.first_phase)


def _order_group(who: str, family: str, order: float) -> str:
    """The group name of ``family`` with this order; ValueError for an impossible order."""
    order = float(order)
    n = int(round(order))
    if abs(order - n) > 1e-9 or n < 1:
        raise ValueError(f"{who}: a group order must be a positive integer; got {order:g}.")
    if family == "D":
        if n % 2 or n < 4:
            raise ValueError(f"{who}: D_n has order 2n, so a dihedral order must be even and "
                             f">= 4; got {n}.")
        return f"D{n // 2}"
    return f"Z{n}"


@dataclass(frozen=True, repr=False)
class PhaseDiagram:
    """Regimes over a grid of ratios R (columns) and a second parameter (rows).

    Attributes
    ----------
    ratios : (n_R,)
    values : (n_v,), the second parameter's values (c_B, or |G|)
    parameter : "c_B" or "order"
    regime : (n_v, n_R) array of str
    index : (n_v, n_R) the number behind each regime (:mod:`dynamics.regime`)
    escape : (n_v, n_R) escape times in updates (inf: never)
    first_phase : (n_v, n_R)
    group_family : str
    easy : int
    groups : (n_v,) tuple of str, the group of each row
    """

    ratios: NDArray
    values: NDArray
    parameter: str
    regime: NDArray
    index: NDArray
    escape: NDArray
    first_phase: NDArray
    group_family: str
    easy: int
    groups: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return (f"PhaseDiagram(parameter={self.parameter!r}, ratios={self.ratios.tolist()}, "
                f"values={self.values.tolist()})")

    def critical_ratio(self) -> NDArray:
        """Per row, the smallest ratio labelled plateau or stalled (nan if none)."""
        out = np.full(len(self.values), np.nan)
        for i in range(len(self.values)):
            bad = np.nonzero(self.regime[i] != "relay")[0]
            if len(bad):
                out[i] = self.ratios[bad[0]]
        return out

    def to_dict(self) -> dict:
        return {"parameter": self.parameter, "ratios": self.ratios.tolist(),
                "values": self.values.tolist(), "regime": self.regime.tolist(),
                "index": [[num(v) for v in row] for row in self.index],
                "groups": list(self.groups),
                "escape": [[num(v) for v in row] for row in self.escape],
                "first_phase": [[num(v) for v in row] for row in self.first_phase],
                "group_family": self.group_family, "easy": self.easy}


def phase_diagram(group: str, ratios: ArrayLike, values: ArrayLike, *,
                  parameter: Literal["c_B", "order"] = "c_B", c_B: float = 4.0, M: int = 64,
                  easy: int = 5, **predict_kw) -> PhaseDiagram:
    r"""Regime of the jump spectrum :math:`\{L_0, R L_0\}` over (R, c_B) or (R, |G|).

    Parameters
    ----------
    group : str
        A group name; with ``parameter="order"`` only its family letter is used and
        ``values`` are the orders (integers; even for ``D``; ``S`` not supported).
    ratios, values : sequences
        The columns are labelled with the *realised* ratios round(R·L0)/L0 (two ratios
        that give the same spectrum are an error).
    predict_kw
        Passed to :func:`dynamics.predict.predict` (optimizer, lr, batch, ...).

    Examples
    --------
    >>> pd = phase_diagram("Z24", [2, 8], [4.0], M=24, easy=3)
    >>> pd.regime.tolist()
    [['relay', 'plateau']]
    """
    ratios = np.asarray(ratios, dtype=float)
    values = np.asarray(values, dtype=float)
    if parameter not in ("c_B", "order"):
        raise ValueError(f"phase_diagram: parameter must be 'c_B' or 'order'; got {parameter!r}.")
    base = group_from_name(group)
    fam = base.name[0]
    if parameter == "order" and fam not in "ZD":
        raise ValueError(f"phase_diagram: parameter='order' scans Z_n or D_n orders; got group "
                         f"{group!r}. Use a 'Z' or 'D' group.")
    spectra = [_jump(easy, R) for R in ratios]
    realised = np.array([sp.horizons[-1] / easy for sp in spectra])
    if len(set(realised.tolist())) < len(realised):
        raise ValueError(f"phase_diagram: ratios {ratios.tolist()} give repeated spectra "
                         f"{{{easy}, round(R·{easy})}} (realised ratios {realised.tolist()}); "
                         f"use ratios that are distinct multiples of 1/{easy}.")
    groups = tuple(base.name if parameter == "c_B" else
                   _order_group("phase_diagram", fam, v) for v in values)
    regime = np.empty((len(values), len(ratios)), dtype=object)
    index = np.full(regime.shape, np.nan)
    esc = np.full(regime.shape, np.inf)
    first = np.full(regime.shape, np.inf)
    for i, v in enumerate(values):
        model = TaskModel(group=group_from_name(groups[i]), M=M,
                          c_B=float(v) if parameter == "c_B" else c_B)
        for j, sp in enumerate(spectra):
            r = predict(model, sp, **predict_kw)
            regime[i, j], index[i, j] = r.regime, r.index
            esc[i, j], first[i, j] = _escape(r), float(r.first_phase)
    arrays = (realised, values, regime.astype(str), index, esc, first)
    for arr in arrays:
        arr.setflags(write=False)
    return PhaseDiagram(ratios=arrays[0], values=arrays[1], parameter=parameter, regime=arrays[2],
                        index=arrays[3], escape=arrays[4], first_phase=arrays[5],
                        group_family=fam, easy=easy, groups=groups)


def plot_phase_diagram(pd: PhaseDiagram, ax=None):
    """Draw the regimes (colour) and escape time / first phase (text) on a grid.

    Returns the matplotlib Axes.

    Examples
    --------
    >>> ax = plot_phase_diagram(phase_diagram("Z24", [2, 4], [4.0], M=24, easy=3))
    >>> ax.get_xlabel()
    'ratio R (spectrum {3, R·3})'
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    codes = np.vectorize(REGIME_CODES.get)(pd.regime).astype(float)
    cmap = ListedColormap([REGIME_COLORS[k] for k in ("relay", "plateau", "stalled")])
    ax.imshow(codes, cmap=cmap, vmin=0, vmax=2, origin="lower", aspect="auto")
    ax.set_xticks(range(len(pd.ratios)), [f"{r:g}" for r in pd.ratios])
    ax.set_yticks(range(len(pd.values)), [f"{v:g}" for v in pd.values])
    ax.set_xlabel(f"ratio R (spectrum {{{pd.easy}, R·{pd.easy}}})")
    ax.set_ylabel("c_B" if pd.parameter == "c_B" else "|G|")
    for i in range(len(pd.values)):
        for j in range(len(pd.ratios)):
            x = pd.index[i, j]
            txt = "∞" if not math.isfinite(x) else f"{x:.2g}"
            ax.text(j, i, txt, ha="center", va="center", fontsize=7)
    where = (pd.groups[0] if pd.parameter == "c_B" else f"{pd.group_family}_n") if pd.groups else ""
    ax.set_title(f"{where + ': ' if where else ''}blue relay · vermillion plateau · grey stalled / "
                 "unfinished\n(text: regime index, "
                 "longest stall / its transition)", fontsize=9)
    return ax


@dataclass(frozen=True)
class ScalingFit:
    r"""A fitted law :math:`T = a x^k` ("power") or :math:`T = a e^{k x}` ("exp")."""

    law: str
    prefactor: float
    exponent: float
    r2: float
    n_points: int

    def __call__(self, x):
        x = np.asarray(x, dtype=float)
        return self.prefactor * (x ** self.exponent if self.law == "power" else np.exp(self.exponent * x))

    def formula(self, var: str = "x") -> str:
        """The fitted law in the variable ``var``.

        Examples
        --------
        >>> ScalingFit("exp", 15.4, 1.87, 1.0, 5).formula("c")
        'T = 15.4 · exp(1.87 c)'
        """
        form = f"{var}^{self.exponent:.3g}" if self.law == "power" else f"exp({self.exponent:.3g} {var})"
        return f"T = {self.prefactor:.3g} · {form}"

    def __str__(self) -> str:
        return f"{self.formula()}  (R² = {self.r2:.4f}, {self.n_points} points)"


def fit_scaling(x: ArrayLike, T: ArrayLike, law: Literal["power", "exp"] = "power"
                ) -> ScalingFit:
    """Least-squares fit on logarithms, ignoring non-finite or non-positive times.

    Examples
    --------
    >>> f = fit_scaling([1, 2, 4], [3, 12, 48])
    >>> round(f.exponent, 6), round(f.prefactor, 6)
    (2.0, 3.0)
    """
    x = np.asarray(x, dtype=float)
    T = np.asarray(T, dtype=float)
    ok = np.isfinite(T) & (T > 0) & np.isfinite(x)
    if ok.sum() < 2:
        raise ValueError(f"fit_scaling: need at least 2 finite positive times; got {T.tolist()}.")
    if law not in ("power", "exp"):
        raise ValueError(f"fit_scaling: law must be 'power' or 'exp'; got {law!r}.")
    X = np.log(x[ok]) if law == "power" else x[ok]
    Y = np.log(T[ok])
    k, c = np.polyfit(X, Y, 1)
    res = Y - (k * X + c)
    ss = ((Y - Y.mean()) ** 2).sum()
    r2 = 1.0 - (res ** 2).sum() / ss if ss > 0 else 1.0
    return ScalingFit(law, float(math.exp(c)), float(k), float(r2), int(ok.sum()))


def escape_scan(parameter: ScanParameter, values: Sequence[float], *,
                group: str = "Z96", c_B: float = 4.0, M: int = 64, easy: int = 5,
                ratio: float = 9.0, **predict_kw) -> NDArray[np.float64]:
    r"""Escape times over one parameter, the others at their base values.

    * ``"ratio"``: spectrum {easy, R·easy};
    * ``"hard"``: ladder {easy, 3·easy, L} for hard horizons L > 3·easy (the last gap grows);
    * ``"order"``: |G| for the family of ``group`` (Z or D), spectrum {easy, ratio·easy};
    * ``"c_B"``: head strength, spectrum {easy, ratio·easy}.

    Examples
    --------
    >>> escape_scan("ratio", [2, 4], group="Z24", M=24, easy=3).round(0).tolist()
    [6.0, 71.0]
    """
    base = group_from_name(group)
    out = []
    for v in values:
        model, spec = TaskModel(group=base, M=M, c_B=c_B), _jump(easy, ratio)
        if parameter == "ratio":
            spec = _jump(easy, v)
        elif parameter == "hard":
            spec = Spectrum((easy, 3 * easy, int(v)))
        elif parameter == "order":
            if base.name[0] not in "ZD":
                raise ValueError(f"escape_scan: parameter='order' scans Z_n or D_n orders; got "
                                 f"group {group!r}.")
            model = TaskModel(group=group_from_name(_order_group("escape_scan", base.name[0], v)),
                              M=M, c_B=c_B)
        elif parameter == "c_B":
            model = TaskModel(group=base, M=M, c_B=float(v))
        else:
            raise ValueError(f"escape_scan: parameter must be 'ratio', 'hard', 'order' or 'c_B'; "
                             f"got {parameter!r}.")
        out.append(escape_time(model, spec, **predict_kw)[0])
    return np.array(out)


#: Default scans for :func:`scaling_laws`: parameter -> values (base: Z96, c_B = 4, R = 9).
DEFAULT_SCANS = {"ratio": (5.0, 6.0, 7.0, 8.0, 9.0),
                 "hard": (20.0, 25.0, 30.0, 35.0, 40.0, 45.0),
                 "order": (48.0, 64.0, 96.0, 128.0, 192.0),
                 "c_B": (3.5, 3.75, 4.0, 4.25, 4.5)}


def scaling_laws(scans: dict | None = None, **scan_kw) -> dict:
    """Escape times over each scan and both fitted laws, the better one (by R²) first.

    Returns ``{parameter: {"values", "escape", "fits": (best, other)}}``.  Keyword
    arguments go to :func:`escape_scan` (group, c_B, M, easy, ratio, predictor options).

    Examples
    --------
    >>> out = scaling_laws({"ratio": (2.0, 4.0)}, group="Z24", M=24, easy=3)
    >>> out["ratio"]["fits"][0].n_points
    2
    """
    out = {}
    easy = int(scan_kw.get("easy", 5))
    base = {"group": str(scan_kw.get("group", "Z96")), "easy": easy,
            "hard": int(round(float(scan_kw.get("ratio", 9.0)) * easy))}
    for par, vals in (scans or DEFAULT_SCANS).items():
        T = escape_scan(cast(ScanParameter, par), vals, **scan_kw)
        fits = sorted((fit_scaling(vals, T, law) for law in ("power", "exp")), key=lambda f: -f.r2)
        out[par] = {"values": np.asarray(vals, dtype=float), "escape": T, "fits": tuple(fits),
                    "base": base}
    return out


def plot_scaling_laws(laws: dict, axes=None):
    """One log-scale panel per scan: escape times and the best fit.  Returns the axes.

    Examples
    --------
    >>> x = np.array([2.0, 4.0, 8.0])
    >>> laws = {"ratio": {"values": x, "escape": 3 * x ** 2,
    ...                   "fits": (fit_scaling(x, 3 * x ** 2), fit_scaling(x, 3 * x ** 2, "exp"))}}
    >>> plot_scaling_laws(laws)[0].get_yscale()
    'log'
    """
    import matplotlib.pyplot as plt

    def label(par: str, base: dict | None) -> str:
        if base is None:
            return par
        e, h, fam = base["easy"], base["hard"], base["group"][0]
        return {"ratio": f"ratio R ({{{e}, {e}R}})", "hard": f"hard horizon L ({{{e}, {3 * e}, L}})",
                "order": f"|G| ({fam}_n, {{{e}, {h}}})",
                "c_B": f"c_B ({{{e}, {h}}})"}.get(par, par)

    if axes is None:
        _, axes = plt.subplots(1, len(laws), figsize=(3.2 * len(laws), 3), squeeze=False)
    axes = np.ravel(axes)
    for ax, (par, d) in zip(axes, laws.items()):
        best = d["fits"][0]
        xs = np.linspace(d["values"].min(), d["values"].max(), 50)
        ax.plot(d["values"], d["escape"], "o")
        ax.plot(xs, best(xs), "--", label=best.formula(par[0]))
        ax.set_yscale("log")
        if best.law == "power":
            ax.set_xscale("log")
        ax.set_xticks(d["values"], [f"{v:g}" for v in d["values"]])
        ax.minorticks_off()
        ax.set_xlabel(label(par, d.get("base")))
        ax.set_ylabel("escape time (updates)")
        ax.legend(fontsize=6)
    return axes
