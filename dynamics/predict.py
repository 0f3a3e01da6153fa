r"""Predictions: per-horizon learning times and the relay/plateau regime of a training setup.

:func:`predict` takes a :class:`~dynamics.setup.TrainingSetup` (or builds one from
keyword options), integrates the reduced dynamics of :mod:`dynamics.ode` in the units of
its optimiser (:mod:`dynamics.optim`), from its start (the noise-driven start of
sampled training unless θ0 is given), up to its observation horizon, and reads off:

* per horizon, the time to reach chance + ε, the rise level, 0.5 and 0.9
  (``crossings``, from the solver's events);
* the regime and the number behind it, by the one rule of :mod:`dynamics.regime`
  (the same that labels observed curves in :mod:`verify.compare`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Mapping

import numpy as np
from numpy.typing import NDArray

from .model import TaskModel
from .escape import EscapeStart, escape_start
from .ode import integrate_flow
from .optim import adam_system, update_rate
from .regime import HALF, RISE_FRACTION, Regime, RegimeResult, classify_curves
from .results import StatusResult, num
from .setup import TrainingSetup

__all__ = ["GrowthResult", "predict"]


@dataclass(frozen=True, repr=False)
class GrowthResult(StatusResult):
    r"""A prediction of learning curves, in the optimiser's units.

    Attributes
    ----------
    t : ndarray, shape (n_t,)
        Times in updates (flow time for ``optimizer="flow"``; see ``time_unit``): a
        uniform grid from 0 to the end of the integration, plus every crossing time.
    theta : ndarray, shape (n_t,)
        The reduced coefficient θ.
    p_success : ndarray, shape (n_horizons, n_t)
        Prompt-averaged success; rows follow ``horizons``.
    horizons : tuple of int
    levels : tuple of float
        The reported levels: chance + ε, 0.5, 0.9.
    crossings : Mapping[(horizon, level), float]
        First time each horizon reaches each level (those of ``levels`` and the rise
        level of :mod:`dynamics.regime`), ``inf`` if never before ``t_max``.
    classification : RegimeResult
        The regime, its index and the per-horizon times behind it (:mod:`dynamics.regime`).
    theta0 : float
        The starting θ (the escape's effective start for sampled training).
    time_unit : str
    setup : TrainingSetup
        What was predicted.
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
    classification: RegimeResult
    theta0: float
    time_unit: str
    setup: TrainingSetup
    status: int
    message: str
    escape: EscapeStart | None = None

    @property
    def regime(self) -> Regime:
        """relay / plateau / stalled / unfinished, within ``t_max``."""
        return self.classification.regime

    @property
    def index(self) -> float:
        """The number behind the regime: longest stall / its transition."""
        return self.classification.index

    @property
    def first_phase(self) -> float:
        """Time for the easiest horizon to reach 0.5."""
        return self.crossings[(self.horizons[0], HALF)]

    @property
    def plateaus(self) -> tuple[tuple[float, float], ...]:
        """The stalls of the classification as intervals."""
        return self.classification.plateaus

    @property
    def longest_plateau(self) -> float:
        """The longest stall (0 if none)."""
        return self.classification.longest_stall

    @property
    def config(self) -> dict[str, Any]:
        """Everything the prediction depends on, JSON-ready (``setup.to_dict()``)."""
        return self.setup.to_dict()

    def time_to(self, L: int, level: float) -> float:
        """Crossing time of horizon L at a recorded level (``inf`` if never)."""
        try:
            return self.crossings[(L, level)]
        except KeyError:
            raise ValueError(f"GrowthResult.time_to: no crossing recorded for (L={L}, "
                             f"level={level}); recorded levels {self.levels} at horizons "
                             f"{self.horizons}.") from None

    def _repr_details(self) -> str:
        t5 = ", ".join(f"L{L}: {self.crossings[(L, HALF)]:.4g}" for L in self.horizons)
        return (f"regime={self.regime!r}, index={self.index:.3g}, t_to_0.5={{{t5}}} "
                f"{self.time_unit}, t={self.t.shape}, p_success={self.p_success.shape}")

    def to_dict(self) -> dict:
        """JSON-ready summary (the curves as t and p_success)."""
        return {
            "config": self.config,
            "time_unit": self.time_unit,
            "horizons": list(self.horizons),
            "levels": list(self.levels),
            "crossings": [{"horizon": L, "level": lev, "t": num(v)}
                          for (L, lev), v in self.crossings.items()],
            "regime": self.regime,
            "index": num(self.index),
            "classification": self.classification.to_dict(),
            "plateaus": [[num(a), num(b)] for a, b in self.plateaus],
            "first_phase": num(self.first_phase),
            "theta0": self.theta0,
            "status": self.status,
            "message": self.message,
            "escape": None if self.escape is None else self.escape.to_dict(),
            "t": self.t.tolist(),
            "p_success": self.p_success.tolist(),
        }


def predict(setup: TrainingSetup | TaskModel, spectrum=None, /, **options: Any) -> GrowthResult:
    r"""Predict per-horizon learning curves and the regime of a training setup.

    Parameters
    ----------
    setup : TrainingSetup or TaskModel
        The setup; or, as a convenience, a :class:`~dynamics.model.TaskModel` followed
        by a :class:`~dynamics.spectrum.Spectrum` and the keyword options of
        :meth:`TrainingSetup.from_options <dynamics.setup.TrainingSetup.from_options>`
        (``optimizer="sgd"``, ``lr=30.0``, ``batch=512``, ``length_normalized=True``,
        ``baseline="loo"``, ``sampled=True``, ``form="exact"``, ``epsilon=0.02``,
        ``theta0=None``, ``t_max=None``, ``n_prompts``, ``seed``).  Both forms take the
        same code path.

        ``optimizer``: ``"sgd"``, expected SGD in updates; ``"adam"``, θ with Adam's
        moment estimates (:func:`dynamics.optim.adam_system`); ``"flow"``, exact gradient
        flow in flow time :math:`\eta u/(M-1)`.  ``sampled=False`` is training on the
        exact expected gradient (no batch noise: the start is θ0, default 0).  For sampled
        training θ0 defaults to the effective start of :func:`dynamics.escape.escape_start`
        (the flow reaches the escape threshold at the median escape time).

    Returns
    -------
    GrowthResult

    Examples
    --------
    The working recipe of docs/theory.md §6 (SGD, lr 30, batch 512, 1/L, baseline):

    >>> model = TaskModel(group="Z96", c_B=4)
    >>> from dynamics.spectrum import Spectrum
    >>> predict(model, Spectrum((5, 15, 45))).regime, predict(model, Spectrum((5, 45))).regime
    ('relay', 'plateau')
    >>> s = TrainingSetup.from_options(model, Spectrum((5, 45)), t_max=3000)
    >>> predict(s).regime          # L45 still at chance after 3000 updates
    'stalled'
    """
    if isinstance(setup, TrainingSetup):
        if spectrum is not None or options:
            raise TypeError("predict: pass either a TrainingSetup alone, or a TaskModel, a "
                            "Spectrum and keyword options; got a TrainingSetup with "
                            f"{'a spectrum' if spectrum is not None else sorted(options)}.")
    elif isinstance(setup, TaskModel):
        if spectrum is None:
            raise TypeError("predict: a TaskModel must be followed by a Spectrum.")
        setup = TrainingSetup.from_options(setup, spectrum, **options)
    else:
        raise TypeError(f"predict: expected a TrainingSetup or a TaskModel; got {setup!r}.")
    return _predict(setup)


def _predict(setup: TrainingSetup) -> GrowthResult:
    obj = setup.objective()
    spec = setup.optimizer
    t_max = setup.horizon
    theta0 = setup.theta0
    escape = None
    if theta0 is None:                 # the one call into the start of sampled training
        escape = escape_start(obj, spec, t_max=t_max)
        theta0 = escape.theta0
    chance = setup.chance
    levels = (chance + setup.epsilon, HALF, 0.9)
    rise = chance + RISE_FRACTION * (HALF - chance)
    events = tuple(sorted(set(levels) | {rise}))
    if spec.optimizer == "adam":   # θ with Adam's moment estimates, stiff: LSODA
        sol = integrate_flow(obj, theta0=theta0, t_max=t_max, system=adam_system(obj, spec),
                             levels=events, n_eval=600, rtol=1e-7, atol=1e-30,
                             include_crossings=True)
    else:
        sol = integrate_flow(obj, theta0=theta0, t_max=t_max, rate=update_rate(obj, spec),
                             levels=events, n_eval=600, include_crossings=True)
    hs = setup.spectrum.horizons
    regime = classify_curves(sol.t, sol.p_success, hs, chance=chance, t_end=float(sol.t[-1]))
    return GrowthResult(t=sol.t, theta=sol.theta, p_success=sol.p_success, horizons=hs,
                        levels=levels, crossings=dict(sol.crossings), classification=regime,
                        theta0=float(theta0), time_unit=spec.time_unit, setup=setup,
                        status=sol.status, message=sol.message, escape=escape)
