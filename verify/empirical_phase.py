r"""The empirical phase diagram of a sweep, beside the boundary that :mod:`dynamics` predicts.

Each cell of the diagram is one point of the sweep's grid over the ratio
:math:`R = L_\text{hard}/L_\text{easy}` (x) and either the head strength :math:`c_B` or
the group order :math:`|G|` (y), pooled over seeds.  A cell's *observed* regime is the
majority of its seeds' labels (``mixed`` on a tie); each label comes from the run's
held-out sampled success curves by the rules of :mod:`dynamics.predict`, as
:func:`verify.compare.observed_regime` applies them (the one rule of :mod:`dynamics.regime`:
``plateau`` when the longest stall is at least ``THRESHOLD`` times the transition that
ends it, ``relay`` below; ``stalled``: a horizon never leaves chance within the run;
``unfinished``: it left chance but did not reach 0.5).  The labels are recomputed from
the run directories when they are readable (:func:`relabel_rows`), so a table
summarised under an older rule is read with the current one.  Its *plateau length* is
the mean over seeds of the longest stall, in updates; its *index* the median over seeds.

The *predicted* regimes are ``predict(cfg.training_setup())`` for the :class:`RunConfig`
of the runs with each cell's spectrum (two-level jumps
:math:`\{L_0, \mathrm{round}(R L_0)\}`, equal weights) and c_B or group: the mapping
``verify compare`` uses, observed up to the runs' number of updates, so that
``stalled`` means the same on both sides.  The boundary drawn is, per row, the midpoint
between the last relay ratio and the first non-relay ratio on a fine grid of ratios
(every distinct hard horizon in range).  Agreement is reported cell by cell, both on
the three labels and on relay against not-relay (the boundary itself).
"""

from __future__ import annotations

import math
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Sequence, cast

import numpy as np
from numpy.typing import NDArray

from dynamics.regime import REGIME_COLORS, THRESHOLD
from dynamics.results import StatusResult, num

from .config import RunConfig

__all__ = ["EmpiricalPhase", "observed_phase", "predicted_phase", "phase_diagram",
           "plot_empirical_phase", "agreement_markdown"]

YAxis = Literal["c_B", "group_order"]
_COLORS = {k: REGIME_COLORS[k] for k in ("relay", "plateau", "stalled", "mixed")}


def _ro(a: NDArray) -> NDArray:
    a.setflags(write=False)
    return a


@dataclass(frozen=True, repr=False)
class EmpiricalPhase(StatusResult):
    """Observed (and predicted) regimes over (R, y).

    Attributes
    ----------
    ratios : ndarray, shape (n_R,)
        Observed ratios, increasing.
    values : ndarray, shape (n_y,)
        Values of ``y`` (c_B, or |G|), increasing.
    y : {"c_B", "group_order"}
    observed : ndarray of str, shape (n_y, n_R)
        Majority label over seeds ('' where the grid has no finished run).
    labels : ndarray of object, shape (n_y, n_R)
        Each cell's tuple of per-seed labels.
    plateau : ndarray, shape (n_y, n_R)
        Mean longest plateau over seeds, in updates (NaN: no run).
    t_hard : ndarray, shape (n_y, n_R)
        Mean over seeds of the time for the longest horizon to reach 0.5, in updates
        (inf if a seed never reached it; NaN: no run).
    t_hard_predicted : ndarray, shape (n_y, n_R), or None
        The same time predicted (inf: not within the runs' updates).
    index : ndarray, shape (n_y, n_R)
        Median over seeds of the observed regime index (longest stall / its
        transition, :mod:`dynamics.regime`; NaN: no run or not known).
    index_predicted : ndarray, shape (n_y, n_R), or None
        The predicted index.
    predicted : ndarray of str, shape (n_y, n_R), or None
    boundary_ratio : ndarray, shape (n_y,), or None
        Predicted relay/plateau boundary (NaN where a row never leaves relay, or is
        never relay, on the fine grid).
    fine_ratios : ndarray or None
    fine_predicted : ndarray of str, shape (n_y, n_fine), or None
    settings : dict
        The shared run settings the prediction used.
    n_done, n_failed : int
    agree : bool or None
        The verdict, which is not the status: every cell observed on one side is on the
        same side of the predicted boundary (relay vs not); None without a prediction.
    status : int
        1 every run of the table is done; 0 some runs failed or are not finished (their
        cells are missing or rest on fewer seeds). ``success`` is ``status >= 0``.
    message : str
        The verdict (or "prediction not requested"), and the runs missing if any.
    """

    ratios: NDArray
    values: NDArray
    y: str
    observed: NDArray
    labels: NDArray
    plateau: NDArray
    t_hard: NDArray
    t_hard_predicted: NDArray | None
    index: NDArray
    index_predicted: NDArray | None
    predicted: NDArray | None
    boundary_ratio: NDArray | None
    fine_ratios: NDArray | None
    fine_predicted: NDArray | None
    settings: dict
    n_done: int
    n_failed: int
    agree: bool | None
    status: int
    message: str

    def _repr_details(self) -> str:
        return (f"agree={self.agree}, y={self.y!r}, "
                f"ratios={self.ratios.tolist()}, values={self.values.tolist()}")

    def to_dict(self) -> dict:
        """The diagram as strict-JSON data: arrays as nested lists, NaN/inf as None."""
        def plain(v: Any) -> Any:
            if isinstance(v, np.ndarray):
                return [plain(x) for x in v.tolist()]
            if isinstance(v, list):
                return [plain(x) for x in v]
            if isinstance(v, (float, np.floating)):
                return num(v)
            return v
        return {"status": self.status, "message": self.message, "agree": self.agree,
                "y": self.y, **{k: plain(getattr(self, k)) for k in (
                    "ratios", "values", "observed", "plateau", "t_hard", "t_hard_predicted",
                    "index", "index_predicted", "predicted", "boundary_ratio")},
                "n_done": self.n_done, "n_failed": self.n_failed}

    @property
    def observed_boundary(self) -> NDArray:
        """Per row, the smallest observed ratio whose majority label is not relay (NaN)."""
        out = np.full(len(self.values), np.nan)
        for i in range(len(self.values)):
            bad = [j for j, lab in enumerate(self.observed[i]) if lab not in ("relay", "")]
            if bad:
                out[i] = self.ratios[bad[0]]
        return out


# ----------------------------------------------------------------------------- observed
def _y_of(row: dict, y: str) -> float:
    return float(row[y])


def observed_phase(rows: Sequence[dict], *, y: YAxis = "c_B"):
    """Aggregate finished result rows into ``(ratios, values, observed, labels, plateau)``.

    Examples
    --------
    >>> rows = [{"ratio": 2.0, "c_B": 4.0, "regime": "relay", "plateau_updates": 0.0},
    ...         {"ratio": 2.0, "c_B": 4.0, "regime": "relay", "plateau_updates": 10.0},
    ...         {"ratio": 4.0, "c_B": 4.0, "regime": "plateau", "plateau_updates": 300.0}]
    >>> R, v, obs, labels, plateau = observed_phase(rows)
    >>> obs.tolist(), plateau.tolist()
    ([['relay', 'plateau']], [[5.0, 300.0]])
    """
    if y not in ("c_B", "group_order"):
        raise ValueError(f"observed_phase: y must be 'c_B' or 'group_order'; got y={y!r}.")
    if not rows:
        raise ValueError("observed_phase: no finished run in the results; run the sweep first "
                         "(python -m verify sweep SPEC --out DIR).")
    ratios = np.array(sorted({round(float(r["ratio"]), 9) for r in rows}))
    values = np.array(sorted({_y_of(r, y) for r in rows}))
    shape = (len(values), len(ratios))
    labels = np.empty(shape, dtype=object)
    labels.fill(())
    plats: dict[tuple[int, int], list[float]] = {}
    for r in rows:
        i = int(np.searchsorted(values, _y_of(r, y)))
        j = int(np.argmin(abs(ratios - float(r["ratio"]))))
        labels[i, j] = labels[i, j] + (r["regime"],)
        p = r.get("plateau_updates")
        plats.setdefault((i, j), []).append(math.nan if p is None else float(p))
    observed = np.empty(shape, dtype=object)
    plateau = np.full(shape, np.nan)
    for i in range(shape[0]):
        for j in range(shape[1]):
            c = Counter(labels[i, j]).most_common()
            observed[i, j] = ("" if not c else "mixed" if len(c) > 1 and c[0][1] == c[1][1]
                              else c[0][0])
            if (i, j) in plats:
                plateau[i, j] = float(np.nanmean(plats[(i, j)])) if not all(
                    math.isnan(x) for x in plats[(i, j)]) else np.nan
    return _ro(ratios), _ro(values), _ro(observed.astype(str)), labels, _ro(plateau)


def _observed_t_hard(rows: Sequence[dict], ratios: NDArray, values: NDArray, y: str) -> NDArray:
    """Mean over seeds of the longest horizon's time to 0.5 (inf if a seed never)."""
    acc: dict[tuple[int, int], list[float]] = {}
    for r in rows:
        i = int(np.searchsorted(values, _y_of(r, y)))
        j = int(np.argmin(abs(ratios - float(r["ratio"]))))
        t = r.get(f"time/L{int(r['hard_horizon'])}/0.5")
        acc.setdefault((i, j), []).append(math.inf if t is None else float(t))
    out = np.full((len(values), len(ratios)), np.nan)
    for (i, j), ts in acc.items():
        out[i, j] = float(np.mean(ts))
    return _ro(out)


def _observed_index(rows: Sequence[dict], ratios: NDArray, values: NDArray, y: str) -> NDArray:
    """Median over seeds of the observed regime index (``regime_index``; NaN if absent)."""
    acc: dict[tuple[int, int], list[float]] = {}
    for r in rows:
        i = int(np.searchsorted(values, _y_of(r, y)))
        j = int(np.argmin(abs(ratios - float(r["ratio"]))))
        v = r.get("regime_index")
        acc.setdefault((i, j), []).append(math.inf if v is None and r.get("regime") == "stalled"
                                          else math.nan if v is None else float(v))
    out = np.full((len(values), len(ratios)), np.nan)
    for (i, j), vs in acc.items():
        vs = [v for v in vs if not math.isnan(v)]
        if vs:
            out[i, j] = float(np.median(vs))
    return _ro(out)


def relabel_rows(rows: Sequence[dict]) -> list[dict]:
    """The rows with ``regime``, ``regime_index``, ``first_phase_updates`` and
    ``plateau_updates`` recomputed from each run directory by the current rule
    (:func:`verify.compare.observed_regime`), so that a table summarised under an older
    rule is read with this one; rows whose run directory is not readable keep their
    stored values."""
    from .compare import observed_regime
    from .train import RunResult
    out = []
    for r in rows:
        r = dict(r)
        d = Path(str(r.get("run_dir", "")))
        try:
            res = RunResult.from_dir(d)
        except (ValueError, OSError):
            out.append(r)
            continue
        cfg = res.config
        t = np.asarray(res.steps, dtype=float)
        if t.size >= 2:
            P = np.vstack([res.metrics[f"success/L{L}/sampled"] for L in cfg.horizons])
            obs = observed_regime(cfg, t, P)
            r.update(regime=obs["regime"], regime_index=obs["index"],
                     first_phase_updates=obs["first_phase"],
                     plateau_updates=obs["longest_plateau"])
        out.append(r)
    return out


# ----------------------------------------------------------------------------- predicted
_SHARED = ("n_ids", "lr", "batch", "optimizer", "length_norm", "baseline", "updates", "algo",
           "head", "weights")


def _row_config(row: dict) -> RunConfig:
    """The :class:`RunConfig` of a results row (the table stores every field, lists as
    comma-separated text and booleans as 0/1)."""
    import dataclasses as dc
    d = {}
    for f in dc.fields(RunConfig):
        if f.name not in row:
            continue
        v = row[f.name]
        if f.name == "horizons":
            v = tuple(int(x) for x in str(v).split(","))
        elif f.name == "weights":
            v = None if v is None else tuple(float(x) for x in str(v).split(","))
        elif f.name == "length_norm":
            v = bool(v)
        elif f.name in ("n_ids", "batch", "updates", "seed", "log_every", "checkpoint_every",
                        "eval_prompts", "head_hidden", "samples_per_prompt"):
            v = int(v)
        elif f.name in ("lr", "c_B", "ema_decay", "entropy_coef") or (
                f.name == "init_std" and v is not None):
            v = float(v)
        d[f.name] = v
    return RunConfig(**d)


def _shared_settings(rows: Sequence[dict], y: str) -> dict[str, Any]:
    """The settings every run shares (the prediction needs them equal), else ValueError."""
    must = list(_SHARED) + (["group"] if y == "c_B" else ["c_B"])
    out = {}
    for k in must:
        vals = {r[k] for r in rows}
        if len(vals) != 1:
            raise ValueError(f"predicted_phase: the runs differ in {k} ({sorted(map(str, vals))}); "
                             f"one predicted boundary needs them equal. Draw one diagram per "
                             f"value (filter the results), or pass predict=False.")
        out[k] = vals.pop()
    easy = {int(str(r["horizons"]).split(",")[0]) for r in rows}
    n_h = {len(str(r["horizons"]).split(",")) for r in rows}
    if len(easy) != 1 or n_h != {2} or out["weights"] is not None:
        raise ValueError(f"predicted_phase: the predicted boundary is for two-level jumps "
                         f"{{L0, round(R L0)}} with equal weights and one L0; got shortest "
                         f"horizons {sorted(easy)}, {sorted(n_h)} levels, weights "
                         f"{out['weights']!r}. Use a ratio axis with n_levels = 2, or pass "
                         f"predict=False.")
    out["easy"] = easy.pop()
    if y == "group_order":
        fams = {str(r["group"])[0] for r in rows}
        if len(fams) != 1:
            raise ValueError(f"predicted_phase: an |G| axis needs one group family; got {sorted(fams)}.")
        out["family"] = fams.pop()
        out["group"] = str(rows[0]["group"])
    return out


def predicted_phase(rows: Sequence[dict], ratios: NDArray, values: NDArray, *,
                    y: YAxis = "c_B"):
    r"""Predicted labels at the observed cells and on a fine ratio grid, and the boundary.

    Returns ``(predicted, t_hard_predicted, fine_ratios, fine_predicted, boundary_ratio,
    settings)``.  Every prediction is ``predict(cfg.training_setup())`` for the
    :class:`RunConfig` of a run of the table (the first) with the cell's horizons
    :math:`\{L_0, \mathrm{round}(R L_0)\}` and its c_B or group: the same mapping as
    ``verify compare``, observed within the runs' ``updates``.  ``t_hard_predicted`` is
    the hard horizon's time to 0.5 (inf: not within the run).
    """
    import dataclasses as dc

    from dynamics.predict import predict
    s = _shared_settings(rows, y)
    L0 = s["easy"]
    base = _row_config(rows[0])
    hard = np.arange(int(round(L0 * ratios.min())), int(round(L0 * ratios.max())) + 1)
    fine = np.unique(np.concatenate([hard / L0, ratios]))
    groups = {_y_of(r, y): str(r["group"]) for r in rows}
    fine_pred = np.empty((len(values), len(fine)), dtype=object)
    fine_index = np.full(fine_pred.shape, np.nan)
    fine_t = np.full(fine_pred.shape, np.inf)
    for i, v in enumerate(values):
        cell = {"c_B": float(v)} if y == "c_B" else {"group": groups[float(v)]}
        for j, R in enumerate(fine):
            hs = (L0, int(round(R * L0)))
            cfg = dc.replace(base, horizons=hs, **cell)
            pred = predict(cfg.training_setup())
            fine_pred[i, j] = pred.regime
            fine_index[i, j] = pred.index
            fine_t[i, j] = pred.crossings[(hs[1], 0.5)]
    fine_pred = fine_pred.astype(str)
    idx = [int(np.argmin(abs(fine - R))) for R in ratios]
    predicted = fine_pred[:, idx]
    t_hard = fine_t[:, idx]
    boundary = np.full(len(values), np.nan)
    for i in range(len(values)):
        relay = fine_pred[i] == "relay"
        bad = np.flatnonzero(~relay)
        if bad.size and bad[0] > 0:
            boundary[i] = 0.5 * (fine[bad[0] - 1] + fine[bad[0]])
    s["index_predicted"] = _ro(fine_index[:, idx])
    s["note"] = (f"predict(RunConfig.training_setup()) for the runs' settings ({base.group if y == 'c_B' else s['family'] + '_n'}, "
                 f"M={base.n_ids}, easy={L0}, {base.algo} {base.optimizer}, lr={base.lr:g}, "
                 f"batch={base.batch}, baseline={base.baseline}, observed to {base.updates} updates)")
    return (_ro(predicted.astype(str)), _ro(t_hard), _ro(fine), _ro(fine_pred), _ro(boundary), s)


# ----------------------------------------------------------------------------- figure
def plot_empirical_phase(ph: EmpiricalPhase, *, color: Literal["regime", "plateau"] = "regime",
                         ax=None):
    """Draw the cells (colour: observed regime or mean plateau length) and the predicted
    boundary (black steps); the text in a cell is its seeds' labels (r/p/s) or its
    plateau length.  Returns the matplotlib Axes."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import LogNorm

    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.4))
    nx, ny = len(ph.ratios), len(ph.values)
    xs, ys = np.meshgrid(np.arange(nx), np.arange(ny))
    if color == "regime":
        for lab, col in _COLORS.items():
            m = ph.observed == lab
            if m.any():
                ax.scatter(xs[m], ys[m], s=900, marker="s", c=col, label=f"observed {lab}")
        for i in range(ny):
            for j in range(nx):
                txt = "".join(x[0] for x in ph.labels[i, j])
                ax.text(j, i, txt, ha="center", va="center", fontsize=8, color="white")
    else:
        P = np.where(np.isfinite(ph.plateau), np.maximum(ph.plateau, 1.0), np.nan)
        sc = ax.scatter(xs.ravel(), ys.ravel(), s=900, marker="s", c=P.ravel(), cmap="viridis",
                        norm=LogNorm(vmin=1.0, vmax=max(float(np.nanmax(P)) if np.isfinite(P).any()
                                                        else 10.0, 10.0)))
        plt.colorbar(sc, ax=ax, label="mean longest plateau (updates)")
        for i in range(ny):
            for j in range(nx):
                st = "s" if "stalled" in ph.labels[i, j] else ""
                v = ph.plateau[i, j]
                ax.text(j, i, (f"{v:.0f}" if np.isfinite(v) else "") + st, ha="center",
                        va="center", fontsize=7, color="white")
    if ph.predicted is not None:
        for i in range(ny):   # predicted label: a ring around each cell
            for j in range(nx):
                ax.scatter(j, i, s=1400, marker="s", facecolors="none",
                           edgecolors=_COLORS.get(ph.predicted[i, j], "k"), linewidths=2)
        # boundary: ratio -> x position by interpolation over the observed ratios
        br = cast(NDArray, ph.boundary_ratio)     # set whenever predicted is
        bx = np.interp(br, ph.ratios, np.arange(nx), left=-0.5, right=nx - 0.5)
        xs_line, ys_line = [], []
        for i in range(ny):
            if np.isfinite(br[i]):
                xs_line += [bx[i], bx[i]]
                ys_line += [i - 0.5, i + 0.5]
        if xs_line:
            ax.plot(xs_line, ys_line, "k-", lw=2.5, label="predicted boundary (dynamics)")
        for lab in sorted(set(ph.predicted.ravel())):
            ax.scatter([], [], s=900, marker="s", facecolors="none", linewidths=2,
                       edgecolors=_COLORS.get(lab, "k"), label=f"predicted {lab}")
    ax.set_xticks(range(nx), [f"{r:g}" for r in ph.ratios])
    ax.set_yticks(range(ny), [f"{v:g}" for v in ph.values])
    ax.set_xlim(-0.6, nx - 0.4)
    ax.set_ylim(-0.6, ny - 0.4)
    ax.set_xlabel("ratio R = L_hard / L_easy")
    ax.set_ylabel("c_B" if ph.y == "c_B" else "|G|")
    # name the group (or family, on an |G| axis) when the diagram knows it
    where = ph.settings.get("group" if ph.y == "c_B" else "family")
    where = "" if where is None else f"{where}{'' if ph.y == 'c_B' else '_n'}: "
    ax.set_title(f"{where}fill: observed (r relay, p plateau, s stalled per seed); ring: predicted",
                 fontsize=8)
    handles, names = ax.get_legend_handles_labels()
    if handles and color == "regime":
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), markerscale=0.4)
    elif handles:
        ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2,
                  markerscale=0.4)
    return ax


# ----------------------------------------------------------------------------- summary
def _fmt_t(t: float) -> str:
    return "—" if math.isnan(t) else "never" if math.isinf(t) else f"{t:.0f}"


def _cell_text(labels: tuple) -> str:
    c = Counter(labels)
    return ", ".join(f"{k}×{n}" for k, n in sorted(c.items()))


def _t_hard_line(ph: EmpiricalPhase) -> str:
    o, p = ph.t_hard, cast(NDArray, ph.t_hard_predicted)     # called with a prediction
    fin = np.isfinite(o) & np.isfinite(p)
    never = int((np.isinf(o) & np.isinf(p)).sum())
    if not fin.any():
        return f"- t½ of the longest horizon: no cell where both are finite ({never} never on both sides)"
    r = p[fin] / o[fin]
    return (f"- t½ of the longest horizon, predicted / observed over {int(fin.sum())} cells: median "
            f"{np.median(r):.2f}, range {r.min():.2f}–{r.max():.2f}; never reached on both sides: "
            f"{never}; on one side only: {int((np.isinf(o) ^ np.isinf(p)).sum())}")


def agreement_markdown(ph: EmpiricalPhase, *, title: str = "Empirical phase diagram") -> str:
    """The markdown summary: settings, agreement counts, boundaries per row, cell table."""
    yname = "c_B" if ph.y == "c_B" else "|G|"
    lines = [f"# {title}", "",
             f"{ph.n_done} finished runs ({ph.n_failed} failed) over ratio R × {yname}; "
             f"labels by the one rule of `dynamics.regime` on observed and predicted curves "
             f"alike (index = longest stall / the transition that ends it; plateau if index "
             f">= {THRESHOLD:g}; stalled: a horizon never leaves chance within the run; "
             f"unfinished: it left chance but did not reach 0.5)."]
    if ph.predicted is None:
        lines += ["", f"No prediction: {ph.message}"]
    else:
        has = ph.observed != ""
        both = has & (ph.observed != "mixed")
        exact = int(((ph.observed == ph.predicted) & has).sum())
        binary = int((((ph.observed == "relay") == (ph.predicted == "relay")) & both).sum())
        lines += ["", f"Prediction: {ph.settings.get('note', '')}.", "",
                  f"- cells with runs: {int(has.sum())}; mixed (seeds split evenly): "
                  f"{int((ph.observed == 'mixed').sum())}",
                  f"- same label (relay/plateau/stalled): {exact} of {int(has.sum())}",
                  f"- same side of the boundary (relay vs not): {binary} of {int(both.sum())}",
                  _t_hard_line(ph),
                  "", f"| {yname} | predicted boundary R | observed first non-relay R |",
                  "|---:|---:|---:|"]
        ob = ph.observed_boundary
        for v, b, o in zip(ph.values, cast(NDArray, ph.boundary_ratio), ob):
            lines.append(f"| {v:g} | {'—' if not np.isfinite(b) else f'{b:.3g}'} | "
                         f"{'none (all relay)' if not np.isfinite(o) else f'{o:g}'} |")
    lines += ["", f"| {yname} | R | observed (seeds) | index observed (median) | mean plateau "
                  f"(updates) | predicted (index) | agree | t½(L_hard) observed / predicted |",
              "|---:|---:|---|---:|---:|---|---|---:|"]
    disagree = []
    for i, v in enumerate(ph.values):
        for j, R in enumerate(ph.ratios):
            if not ph.labels[i, j]:
                continue
            pred = "" if ph.predicted is None else ph.predicted[i, j]
            ok = "" if not pred else ("yes" if ph.observed[i, j] == pred else "NO")
            if ok == "NO":
                disagree.append(f"{yname}={v:g}, R={R:g}: observed {_cell_text(ph.labels[i, j])}, "
                                f"predicted {pred}")
            p = ph.plateau[i, j]
            th = _fmt_t(ph.t_hard[i, j])
            if ph.t_hard_predicted is not None:
                th += " / " + _fmt_t(ph.t_hard_predicted[i, j])
            ix = ph.index[i, j]
            ptxt = pred
            if pred and ph.index_predicted is not None and np.isfinite(ph.index_predicted[i, j]):
                ptxt = f"{pred} ({ph.index_predicted[i, j]:.2g})"
            lines.append(f"| {v:g} | {R:g} | {_cell_text(ph.labels[i, j])} | "
                         f"{'—' if np.isnan(ix) else 'inf' if np.isinf(ix) else f'{ix:.2g}'} | "
                         f"{'—' if not np.isfinite(p) else f'{p:.0f}'} | {ptxt} | {ok} | {th} |")
    if ph.predicted is not None:
        lines += ["", "Disagreements:" if disagree else "Every cell agrees."]
        lines += [f"- {d}" for d in disagree]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- driver
@dataclass(frozen=True, repr=False)
class PhaseDiagramResult:
    """What :func:`phase_diagram` wrote: the diagram, the figure, the summary."""

    phase: EmpiricalPhase
    figure: Path
    summary_path: Path
    markdown: str

    @property
    def status(self) -> int:
        return self.phase.status

    @property
    def message(self) -> str:
        return self.phase.message

    @property
    def agree(self) -> bool | None:
        return self.phase.agree

    @property
    def success(self) -> bool:
        return self.phase.success

    def __repr__(self) -> str:
        return (f"PhaseDiagramResult(message={self.message!r}, status={self.status}, "
                f"figure={str(self.figure)!r})")


def phase_diagram(results: str | os.PathLike, *, y: YAxis = "c_B",
                  color: Literal["regime", "plateau"] = "regime",
                  figure: str | os.PathLike | None = None,
                  summary: str | os.PathLike | None = None,
                  predict: bool = True) -> PhaseDiagramResult:
    """Draw the empirical phase diagram of a results table with the predicted boundary,
    and write the markdown summary of their agreement (both files atomically).

    Parameters
    ----------
    results : path
        ``results.sqlite`` or the sweep directory holding it.
    y : {"c_B", "group_order"}
    color : {"regime", "plateau"}
    figure, summary : path, optional
        Default ``phase_diagram.png`` / ``phase_diagram.md`` beside the results.
    predict : bool
        Draw the :mod:`dynamics` prediction (needs the runs to share their settings
        other than the axes and the seed).
    """
    from .sweep_store import RESULTS_NAME, read_results
    from .train import pyplot, save_figure_atomic, write_text_atomic
    if color not in ("regime", "plateau"):
        raise ValueError(f"phase_diagram: color must be 'regime' or 'plateau'; got {color!r}.")
    p = Path(results)
    db = p / RESULTS_NAME if p.is_dir() else p
    if not db.exists():
        raise ValueError(f"phase_diagram: no results database at {str(db)!r}; pass "
                         f"DIR/{RESULTS_NAME} or the sweep directory.")
    rows = read_results(db)
    done = relabel_rows([r for r in rows if r["status"] == "done"])
    n_failed = sum(r["status"] == "failed" for r in rows)
    ratios, values, observed, labels, plateau = observed_phase(done, y=y)
    t_hard = _observed_t_hard(done, ratios, values, y)
    index = _observed_index(done, ratios, values, y)
    predicted = t_hard_pred = boundary = fine = fine_pred = index_pred = None
    settings: dict = {}
    agree: bool | None = None
    message = "prediction not requested"
    if predict:
        predicted, t_hard_pred, fine, fine_pred, boundary, settings = predicted_phase(
            done, ratios, values, y=y)
        index_pred = settings.pop("index_predicted")
        both = (observed != "") & (observed != "mixed")
        ok = bool(np.all(((observed == "relay") == (predicted == "relay"))[both]))
        agree = ok
        message = ("every cell is on its predicted side of the boundary" if ok else
                   "some cells are on the other side of the predicted boundary")
    ph = EmpiricalPhase(ratios=ratios, values=values, y=y, observed=observed, labels=labels,
                        plateau=plateau, t_hard=t_hard, t_hard_predicted=t_hard_pred,
                        index=index, index_predicted=index_pred,
                        predicted=predicted, boundary_ratio=boundary,
                        fine_ratios=fine, fine_predicted=fine_pred, settings=settings,
                        n_done=len(done), n_failed=n_failed, agree=agree,
                        status=1 if len(done) == len(rows) else 0,
                        message=message if len(done) == len(rows) else
                        f"{message}; only {len(done)} of {len(rows)} runs done ({n_failed} failed)")
    fig_path = Path(figure) if figure else db.parent / "phase_diagram.png"
    md_path = Path(summary) if summary else fig_path.with_suffix(".md")
    fig, ax = pyplot().subplots(figsize=(7.2, 4.6))
    plot_empirical_phase(ph, color=color, ax=ax)
    fig.tight_layout()
    save_figure_atomic(fig, fig_path, dpi=120)
    sweeps = sorted({r["sweep"] for r in done})
    md = agreement_markdown(ph, title=f"Empirical phase diagram: sweep {', '.join(sweeps)}")
    md += f"\n![phase diagram]({fig_path.name})\n"
    write_text_atomic(md_path, md)
    return PhaseDiagramResult(phase=ph, figure=fig_path, summary_path=md_path, markdown=md)
