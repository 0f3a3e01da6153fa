r"""Predictions: per-horizon learning times, plateau intervals and the relay/plateau regime.

:func:`predict` integrates the reduced dynamics of :mod:`dynamics.ode` in the units
of the chosen optimiser (:mod:`dynamics.optim`), from the noise-scale start where
training samples, and reads off:

* per horizon, the time to reach chance + ε, 0.5 and 0.9 (``crossings``);
* plateau intervals: after the easiest horizon has left chance, maximal intervals
  in which some horizon is still below 0.5 while the mixture objective moves slower
  than ``stall_fraction`` (5%) of its peak speed :math:`\max_t dJ/dt`;
* the regime, by this rule: **plateau** if the longest plateau is longer than the
  first learning phase (the time for the easiest horizon to reach 0.5), **relay**
  otherwise; **stalled** if some horizon never reaches 0.5 before ``t_max``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal, Mapping

import numpy as np
from numpy.typing import NDArray

from .model import TaskModel
from .ode import Form, ReducedObjective, integrate_flow
from .escape import EscapeStart, escape_start
from .optim import OptimizerSpec, adam_system, update_rate
from .spectrum import Spectrum
from .success import DEFAULT_PROMPTS, DEFAULT_SEED

__all__ = ["GrowthResult", "predict", "find_plateaus", "regime_label"]

Regime = Literal["relay", "plateau", "stalled"]


@dataclass(frozen=True, repr=False)
class GrowthResult:
    r"""A prediction of learning curves, in the optimiser's units.

    Attributes
    ----------
    t : ndarray, shape (n_t,)
        Times in updates (flow time for ``optimizer="flow"``; see ``time_unit``).
    theta : ndarray, shape (n_t,)
        The reduced coefficient θ.
    p_success : ndarray, shape (n_horizons, n_t)
        Prompt-averaged success; rows follow ``horizons``.
    horizons : tuple of int
    levels : tuple of float
        Success levels whose crossing times are recorded: chance + ε, 0.5, 0.9.
    crossings : Mapping[(horizon, level), float]
        First time each horizon reaches each level, ``inf`` if never before ``t_max``.
    plateaus : tuple of (start, end)
    first_phase : float
        Time for the easiest horizon to reach 0.5.
    regime : {"relay", "plateau", "stalled"}
    theta0 : float
        The starting θ (the escape's effective start for sampled training).
    time_unit : str
    config : Mapping[str, Any]
        Everything the prediction depends on, JSON-ready.
    status : int
        −1 solver failed, 0 reached t_max, 1 every level crossed.
    message : str
    escape : EscapeStart or None
        The predicted escape from chance (median, 10/90 % quantiles) when the start was
        computed (:func:`dynamics.escape.escape_start`); None when θ0 was given.
    """

    t: NDArray
    theta: NDArray
    p_success: NDArray
    horizons: tuple[int, ...]
    levels: tuple[float, ...]
    crossings: Mapping[tuple[int, float], float]
    plateaus: tuple[tuple[float, float], ...]
    first_phase: float
    regime: Regime
    theta0: float
    time_unit: str
    config: Mapping[str, Any]
    status: int
    message: str
    escape: EscapeStart | None = None

    @property
    def success(self) -> bool:
        return self.status >= 0

    def time_to(self, L: int, level: float) -> float:
        """Crossing time of horizon L at a recorded level (``inf`` if never)."""
        try:
            return self.crossings[(L, level)]
        except KeyError:
            raise ValueError(f"GrowthResult.time_to: no crossing recorded for (L={L}, "
                             f"level={level}); recorded levels {self.levels} at horizons "
                             f"{self.horizons}.") from None

    @property
    def longest_plateau(self) -> float:
        return max((b - a for a, b in self.plateaus), default=0.0)

    def __repr__(self) -> str:
        t5 = ", ".join(f"L{L}: {self.crossings[(L, 0.5)]:.4g}" for L in self.horizons)
        return (f"GrowthResult(message={self.message!r}, status={self.status}, "
                f"regime={self.regime!r}, t_to_0.5={{{t5}}} {self.time_unit}, "
                f"plateaus={len(self.plateaus)}, t={self.t.shape}, p_success={self.p_success.shape})")

    def to_dict(self) -> dict:
        """JSON-ready summary (no arrays of curves beyond t and p_success)."""
        def num(v):
            return None if not math.isfinite(v) else float(v)
        return {
            "config": dict(self.config),
            "time_unit": self.time_unit,
            "horizons": list(self.horizons),
            "levels": list(self.levels),
            "crossings": [{"horizon": L, "level": lev, "t": num(v)}
                          for (L, lev), v in self.crossings.items()],
            "plateaus": [[num(a), num(b)] for a, b in self.plateaus],
            "first_phase": num(self.first_phase),
            "regime": self.regime,
            "theta0": self.theta0,
            "status": self.status,
            "message": self.message,
            "escape": None if self.escape is None else self.escape.to_dict(),
            "t": self.t.tolist(),
            "p_success": self.p_success.tolist(),
        }


def find_plateaus(t: NDArray, p_success: NDArray, weights, *, target: float = 0.5,
                  stall_fraction: float = 0.05, start: float = 0.0
                  ) -> tuple[tuple[float, float], ...]:
    r"""Maximal intervals after ``start`` where some horizon is below ``target`` and
    :math:`dJ/dt < ` ``stall_fraction`` · :math:`\max dJ/dt`.

    Examples
    --------
    >>> t = np.linspace(0, 10, 101)
    >>> P = np.vstack([np.clip(t / 2, 0, 1), np.where(t < 8, 0.0, 1.0)])
    >>> [(round(a, 2), round(b, 2)) for a, b in find_plateaus(t, P, [0.5, 0.5], start=0.5)]
    [(2.0, 7.8)]
    """
    J = np.tensordot(np.asarray(weights, dtype=float), p_success, axes=1)
    if len(t) < 3:
        return ()
    speed = np.gradient(J, t)
    peak = float(np.max(speed))
    if peak <= 0:
        return ()
    stalled = (p_success.min(axis=0) < target) & (speed < stall_fraction * peak) & (t >= start)
    out = []
    i = 0
    while i < len(t):
        if stalled[i]:
            j = i
            while j + 1 < len(t) and stalled[j + 1]:
                j += 1
            if j > i:
                out.append((float(t[i]), float(t[j])))
            i = j + 1
        else:
            i += 1
    return tuple(out)


def regime_label(first_phase: float, plateaus, all_reached: bool) -> Regime:
    """The documented rule: plateau if the longest plateau exceeds the first phase.

    Examples
    --------
    >>> regime_label(100.0, [(150.0, 900.0)], True), regime_label(100.0, [(150.0, 200.0)], True)
    ('plateau', 'relay')
    """
    if not all_reached:
        return "stalled"
    longest = max((b - a for a, b in plateaus), default=0.0)
    return "plateau" if longest > first_phase else "relay"


def predict(model: TaskModel, spectrum: Spectrum, *, optimizer: str = "sgd", lr: float = 30.0,
            batch: int = 512, length_normalized: bool = True, baseline: bool = True,
            sampled: bool = True, form: Form = "exact", epsilon: float = 0.02, theta0: float | None = None,
            t_max: float | None = None, stall_fraction: float = 0.05, n_eval: int = 600,
            n_prompts: int = DEFAULT_PROMPTS, seed: int = DEFAULT_SEED) -> GrowthResult:
    r"""Predict per-horizon learning curves for a training configuration.

    Parameters
    ----------
    model : TaskModel
        Group, M and c_B.
    spectrum : Spectrum
    optimizer : {"sgd", "adam", "flow"}
        ``"sgd"``: expected SGD in updates; ``"adam"``: θ with Adam's moment estimates
        (:func:`dynamics.optim.adam_system`); ``"flow"``: exact gradient flow, t in flow
        time :math:`\eta u/(M-1)`.
    lr, batch : float, int
        Learning rate and prompts per update.
    length_normalized, baseline : bool
        REINFORCE details (1/L normalisation; per-horizon mean baseline).
    sampled : bool
        False for training on the exact expected gradient: no batch noise, so no
        noise-driven start (θ0 defaults to 0; on abelian groups pass a small θ0).
    form : {"exact", "mean_field"}
    epsilon : float
        The first level is chance + ε, chance = 1/|G|.
    theta0 : float, optional
        Starting θ.  Default: the effective start of :func:`dynamics.escape.escape_start`
        (the flow reaches the escape threshold at the median escape time) for sampled optimisers, 0 for flow.
    t_max : float, optional
        Default 2·10⁵ updates (SGD/Adam) or 10⁵ flow time.

    Returns
    -------
    GrowthResult

    Examples
    --------
    The working recipe of docs/theory.md §6 (SGD, lr 30, batch 512, 1/L, baseline):

    >>> model = TaskModel(group="Z96", c_B=4)
    >>> predict(model, Spectrum((5, 15, 45))).regime, predict(model, Spectrum((5, 45))).regime
    ('relay', 'plateau')
    """
    spec = OptimizerSpec(optimizer=optimizer, lr=lr, batch=batch,
                         length_normalized=length_normalized, baseline=baseline, sampled=sampled)
    if not (0 < epsilon < 0.5):
        raise ValueError(f"predict: epsilon must lie in (0, 0.5); got epsilon={epsilon!r}.")
    obj = ReducedObjective(model=model, spectrum=spectrum, form=form,
                           length_normalized=length_normalized, n_prompts=n_prompts, seed=seed)
    if t_max is None:
        t_max = 1e5 if optimizer == "flow" else 2e5
    escape = None
    if theta0 is None:
        escape = escape_start(obj, spec, t_max=t_max)
        theta0 = escape.theta0
    chance = 1.0 / model.order
    levels = (chance + epsilon, 0.5, 0.9)
    if optimizer == "adam":   # θ with Adam's moment estimates, stiff: LSODA
        sol = integrate_flow(obj, theta0=theta0, t_max=t_max, system=adam_system(obj, spec),
                             levels=levels, n_eval=n_eval, rtol=1e-7, atol=1e-30)
    else:
        sol = integrate_flow(obj, theta0=theta0, t_max=t_max, rate=update_rate(obj, spec),
                             levels=levels, n_eval=n_eval)
    hs = spectrum.horizons
    first_phase = sol.crossings[(hs[0], 0.5)]
    left_chance = sol.crossings[(hs[0], levels[0])]
    plateaus = find_plateaus(sol.t, sol.p_success, spectrum.weights, target=0.5,
                             stall_fraction=stall_fraction,
                             start=left_chance if math.isfinite(left_chance) else math.inf)
    all_reached = all(math.isfinite(sol.crossings[(L, 0.5)]) for L in hs)
    regime = regime_label(first_phase, plateaus, all_reached)
    config = {"group": model.group.name, "M": model.M, "c_B": model.c_B,
              "horizons": list(hs), "weights": list(spectrum.weights), "optimizer": optimizer,
              "lr": lr, "batch": batch, "length_normalized": length_normalized,
              "baseline": baseline, "sampled": sampled, "form": form, "epsilon": epsilon,
              "stall_fraction": stall_fraction, "n_prompts": n_prompts, "seed": seed,
              "t_max": t_max}
    return GrowthResult(t=sol.t, theta=sol.theta, p_success=sol.p_success, horizons=hs,
                        levels=levels, crossings=dict(sol.crossings), plateaus=plateaus,
                        first_phase=first_phase, regime=regime, theta0=float(theta0),
                        time_unit=spec.time_unit, config=config, status=sol.status,
                        message=sol.message, escape=escape)
