r"""The noise-driven start: the escape from chance as a first-passage time.

Our reconstruction (``docs/derivation.md`` §6).  Near θ = 0 sampled training moves θ by
the expected rate plus batch noise,

.. math:: \theta_{u+1} = \theta_u + r(\theta_u) + s(\theta_u)\,\xi_u,
          \qquad r(\theta) \approx d + \epsilon\,\theta,

with d = r(0) the drift (zero on abelian groups, of either sign on non-abelian ones), ε
the growth rate (of either sign) and s the noise per update (:mod:`dynamics.optim`).  A
run *escapes* when its success leaves chance: when some horizon reaches
:math:`\bar P_L(0) + m\,(1 - \bar P_L(0))` (margin m, default 0.1), which under the
ansatz is θ = :math:`\theta_\text{esc}`.

**Both signs escape.**  In the one-coefficient ansatz a run whose θ turns negative
(attention away from the right clause) grows far more slowly.  Training has no such slow
branch on Z_n (runs with negative reduced θ escape like the others: reorderings are
rewarded and the full Q breaks the symmetry in other directions) and no long tail on D4,
L = 4 (12 of 12 seeds escape by update 700).  So we model the escape as the first passage
of :math:`|\theta|` under the θ > 0 dynamics, a diffusion reflected at 0,

.. math:: d\theta = r\,du + s\,dW \text{ on } [0, \theta_\text{esc}],

and solve the backward Kolmogorov equation for the survival
:math:`S(\theta, u) = \Pr(\text{no escape by } u \mid \theta_0 = \theta)`,

.. math:: \partial_u S = r\,\partial_\theta S + \tfrac12 s^2\,\partial_\theta^2 S,
          \qquad \partial_\theta S(0, u) = 0,\ S(\theta_\text{esc}, u) = 0,\ S(\theta, 0) = 1,

on a θ grid (central differences, upwind where the cell Péclet number exceeds 1;
Rannacher-started Crank–Nicolson in geometric time steps).  The escape time's
distribution is :math:`1 - S(0, u)`.  Why this and not a closed form: the linear SDE
has a Gaussian law at each time but no closed-form first passage unless ε = 0 (an
inverse Gaussian) or d = 0 with large ε (the :math:`e^{\epsilon u} Y` picture); the
PDE covers every sign of d and ε, is continuous in lr, batch and ε, uses the nonlinear
rate up to the threshold, and is deterministic (no Monte Carlo seed), for a few
thousand tridiagonal solves.  The rates come from the exact prompt average where the
group has at most :data:`START_PROMPTS` ordered prompts, from that many sampled prompts
otherwise (within :data:`START_BUDGET`), so the start does not depend on the prompt
sample's seed.

Limits (measured, docs/derivation.md §6): medians within 1.5× of training for short
escapes and on Z_n; long noise-led escapes on non-abelian groups are 1.3–2.1× slower in
training, where a run with θ < 0 wanders on a flat stretch instead of escaping.

The deterministic flow of :func:`dynamics.predict.predict` starts at the *effective*
θ0: the θ from which the flow reaches :math:`\theta_\text{esc}` exactly at the median
escape time.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray
from scipy.linalg import solve_banded
from scipy.optimize import brentq

from .ode import ReducedObjective
from .optim import OptimizerSpec, noise_scale, update_rate, update_rates
from .results import StatusResult, num

__all__ = ["EscapeStart", "escape_start", "start_prompts", "START_PROMPTS", "START_BUDGET"]

#: Prompts behind the start's rates: every ordered prompt where there are at most this many.
START_PROMPTS = 8192
#: Work budget of the start's prompt average, in prompt · L² · |G| (about a second): large
#: groups with long horizons keep the objective's own sample (their start is seed-stable
#: already: the drift vanishes on Z_n and the slope is well sampled on large groups).
START_BUDGET = 8192 * 8 ** 2 * 24
#: The survival is followed to max(T_END, 10·t_max) updates, so the escape does not depend on t_max.
T_END = 1e9


@dataclass(frozen=True, repr=False)
class EscapeStart(StatusResult):
    r"""The predicted escape from chance: its distribution and the flow's effective start.

    Attributes
    ----------
    theta0 : float
        Effective start of the deterministic flow: it reaches ``theta_escape`` at the
        median escape time (0 when there is no noise or no escape).
    t_escape : float
        Median escape time, in ``time_unit`` (``inf`` if fewer than half of the runs
        escape within max(10⁹, 10·t_max)).
    probabilities, t_quantiles : tuple of float
        Escape-time quantiles: ``t_quantiles[i]`` is the time by which a fraction
        ``probabilities[i]`` of runs has escaped (default 10 %, 50 %, 90 %).
    theta_escape : float
        Threshold :math:`\theta_\text{esc}`: where the first horizon's success reaches its level.
    levels : tuple of float
        Per-horizon escape levels :math:`\bar P_L(0) + m(1 - \bar P_L(0))`.
    margin : float
    drift, growth, noise : float
        d = r(0), ε = r'(0) and s(0) of the linearised recursion.
    exact : bool
        True if the rates are exact prompt expectations (every ordered prompt).
    time_unit : str
    status : int
        1 the median escape lies within t_max, 0 it does not, −1 no threshold found.
    message : str

    Examples
    --------
    >>> from dynamics import Spectrum, TaskModel
    >>> obj = ReducedObjective(model=TaskModel(group="D4", M=8, c_B=4), spectrum=Spectrum((3,)))
    >>> e = escape_start(obj, OptimizerSpec(lr=3.0, batch=64), t_max=2000)
    >>> e.exact, bool(e.t_quantiles[0] < e.t_escape < e.t_quantiles[-1])
    (True, True)
    """

    theta0: float
    t_escape: float
    probabilities: tuple[float, ...]
    t_quantiles: tuple[float, ...]
    theta_escape: float
    levels: tuple[float, ...]
    margin: float
    drift: float
    growth: float
    noise: float
    exact: bool
    time_unit: str
    status: int
    message: str

    @property
    def spread(self) -> float:
        """Ratio of the last to the first quantile of the escape time (e.g. 90 % / 10 %)."""
        return self.t_quantiles[-1] / self.t_quantiles[0] if self.t_quantiles[0] > 0 else math.inf

    def _repr_details(self) -> str:
        q = ", ".join(f"{p:.0%}: {t:.4g}" for p, t in zip(self.probabilities, self.t_quantiles))
        return (f"t_escape={self.t_escape:.4g} {self.time_unit} ({q}), theta0={self.theta0:.4g}, "
                f"drift={self.drift:.3g}, growth={self.growth:.3g}, noise={self.noise:.3g}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (``None`` for infinite times)."""
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        d["t_escape"] = num(self.t_escape)
        d["t_quantiles"] = [num(v) for v in self.t_quantiles]
        d["probabilities"] = list(self.probabilities)
        d["levels"] = list(self.levels)
        return d


def start_prompts(obj: ReducedObjective) -> int:
    """Prompts behind the start's rates: :data:`START_PROMPTS` within :data:`START_BUDGET`,
    never fewer than the objective's own ``n_prompts``.

    Examples
    --------
    >>> from dynamics import Spectrum, TaskModel
    >>> start_prompts(ReducedObjective(model=TaskModel(group="D6", M=12), spectrum=Spectrum((6,))))
    8192
    >>> start_prompts(ReducedObjective(model=TaskModel(group="Z96"), spectrum=Spectrum((5, 45))))
    256
    """
    cost = max(L * L for L in obj.spectrum.horizons) * obj.model.order
    return int(max(obj.n_prompts, min(START_PROMPTS, START_BUDGET // cost)))


def _threshold(obj: ReducedObjective, levels: NDArray, theta_max: float = 40.0) -> float:
    """Smallest θ > 0 where some horizon's success reaches its level (nan if none)."""
    grid = np.linspace(0.0, theta_max, 801)
    P = obj.success(grid)                                   # (n_h, n)
    hit = cast(NDArray, (P >= levels[:, None]).any(axis=0))
    hit[0] = False
    if not hit.any():
        return math.nan
    j = int(np.argmax(hit))
    f = lambda th: float((obj.success(th) - levels).max())
    return brentq(f, grid[j - 1], grid[j], xtol=1e-12)


def _survival(r: NDArray, D: NDArray, h: float, times: NDArray, stop: float = -1.0) -> NDArray:
    """S(θ_0, t) of the backward equation on a uniform grid from θ_0 = grid[0] (reflecting)
    to grid[-1] (absorbing): four implicit Euler steps, then Crank–Nicolson (Rannacher's
    start, which damps the jump of S at the absorbing end); stops once S < ``stop``.

    Central differences where the cell Péclet number |r|h/(2D) is at most 1, upwind
    elsewhere; at the reflecting end the ghost node mirrors its neighbour.
    """
    m = r.size - 1                                           # unknowns: nodes 0..n-2
    ri, Di = r[:m], D[:m]
    central = np.abs(ri) * h <= 2.0 * Di
    lo = np.where(central, Di / h ** 2 - ri / (2 * h), Di / h ** 2 - np.minimum(ri, 0.0) / h)
    up = np.where(central, Di / h ** 2 + ri / (2 * h), Di / h ** 2 + np.maximum(ri, 0.0) / h)
    up[0] = 2.0 * Di[0] / h ** 2                             # S_{-1} = S_1, no drift across 0
    lo[0] = 0.0
    mid = -(lo + up)
    S = np.ones(m)
    out = np.zeros(times.size)
    t_prev = 0.0
    ab = np.zeros((3, m))
    for k, t in enumerate(times):
        dt = t - t_prev
        w = 1.0 if k < 4 else 0.5                   # Rannacher start, then Crank-Nicolson
        rhs = S.copy()
        if w < 1.0:
            AS = mid * S
            AS[:-1] += up[:-1] * S[1:]
            AS[1:] += lo[1:] * S[:-1]
            rhs += (1.0 - w) * dt * AS
        ab[0, 1:] = -w * dt * up[:-1]
        ab[1, :] = 1.0 - w * dt * mid
        ab[2, :-1] = -w * dt * lo[1:]
        S = solve_banded((1, 1), ab, rhs, check_finite=False)
        out[k] = S[0]
        t_prev = t
        if out[k] < stop:
            break
    return out


class _FlowTime:
    """Time of the deterministic flow dθ/du = r(θ) from θ to the top of the grid, and its inverse.

    r is interpolated linearly between the grid points; the integral runs on a grid that is
    geometric towards the largest zero of r below the top (where the time diverges
    logarithmically), so starts near an unstable equilibrium are resolved.
    """

    def __init__(self, grid: NDArray, r: NDArray) -> None:
        a = grid[-1]
        neg = np.flatnonzero(r[:-1] <= 0.0)
        if neg.size:
            j = int(neg.max())
            lo = grid[j] if r[j + 1] == r[j] else grid[j] - r[j] * (grid[j + 1] - grid[j]) / (r[j + 1] - r[j])
            th = lo + (a - lo) * np.concatenate([[0.0], np.geomspace(1e-12, 1.0, 6000)])
        else:
            lo = grid[0]
            th = np.linspace(lo, a, 6001)
        rr = np.interp(th, grid, r)
        inv = np.where(rr > 0, 1.0 / np.maximum(rr, 1e-300), np.inf)
        seg = 0.5 * (inv[1:] + inv[:-1]) * np.diff(th)
        T = np.concatenate([np.cumsum(seg[::-1])[::-1], [0.0]])
        ok = np.isfinite(T)
        self.lo, self.theta, self.T = lo, th[ok], T[ok]

    def __call__(self, theta: float) -> float:
        """Time from ``theta`` to the top (``inf`` below the flow's reach)."""
        if not self.T.size or theta < self.theta[0]:
            return math.inf
        return float(np.interp(theta, self.theta, self.T))

    def start_for(self, t: float) -> float:
        """The θ from which the flow reaches the top at time t (the lowest θ if t is longer)."""
        return float(np.interp(t, self.T[::-1], self.theta[::-1]))


def escape_start(obj: ReducedObjective, spec: OptimizerSpec, *, t_max: float = 2e5,
                 margin: float = 0.1, probabilities: tuple[float, ...] = (0.1, 0.5, 0.9),
                 n_grid: int = 401, n_times: int = 3000) -> EscapeStart:
    r"""The escape-time distribution of sampled training and the flow's effective start.

    Parameters
    ----------
    obj : ReducedObjective
        Its prompt sample is widened to :func:`start_prompts` (every ordered prompt where
        there are at most that many).
    spec : OptimizerSpec
    t_max : float
        The prediction's horizon: it sets ``status`` only (the survival is followed to
        max(10⁹, 10·t_max)).
    margin : float
        Escape level :math:`\bar P_L(0) + m(1 - \bar P_L(0))`, m in (0, 1).
    probabilities : tuple of float
        Quantiles to report, increasing in (0, 1); 0.5 must be among them.
    n_grid, n_times : int
        θ grid points (odd) and time steps of the backward equation.

    Returns
    -------
    EscapeStart

    Examples
    --------
    On S3 the escape of L = 3 is led by the drift (slope > 0): fast, with a narrow spread.

    >>> from dynamics import Spectrum, TaskModel
    >>> obj = ReducedObjective(model=TaskModel(group="S3", M=8, c_B=4), spectrum=Spectrum((3,)))
    >>> e = escape_start(obj, OptimizerSpec(lr=3.0, batch=64), t_max=1e4)
    >>> bool(10 < e.t_escape < 200 and e.spread < 5)
    True
    """
    if not (0.0 < margin < 1.0):
        raise ValueError(f"escape_start: margin must lie in (0, 1); got margin={margin!r}.")
    probs = tuple(float(p) for p in probabilities)
    if 0.5 not in probs or any(not 0 < p < 1 for p in probs) or list(probs) != sorted(probs):
        raise ValueError(f"escape_start: probabilities must increase in (0, 1) and include 0.5; "
                         f"got {probabilities!r}.")
    if not (math.isfinite(t_max) and t_max > 0):
        raise ValueError(f"escape_start: t_max must be a finite number > 0; got t_max={t_max!r}.")
    if n_grid < 21 or n_grid % 2 == 0:
        raise ValueError(f"escape_start: n_grid must be an odd integer >= 21; got {n_grid!r}.")
    wide = dataclasses.replace(obj, n_prompts=start_prompts(obj))
    exact = obj.form == "mean_field" or all(
        math.perm(obj.model.order, L) <= wide.n_prompts for L in obj.spectrum.horizons)
    rate = update_rate(wide, spec)
    P0 = wide.success(0.0)
    levels = P0 + margin * (1.0 - P0)
    h_fd = 1e-4
    d = float(rate(0.0))
    eps = float((rate(h_fd) - rate(-h_fd)) / (2 * h_fd))
    s0 = noise_scale(wide, spec, 0.0)
    common: dict[str, Any] = dict(
        probabilities=probs, levels=tuple(float(v) for v in levels), margin=float(margin),
        drift=d, growth=eps, noise=float(s0), exact=exact, time_unit=spec.time_unit)
    a = _threshold(wide, levels)
    if not math.isfinite(a):
        return EscapeStart(theta0=0.0, t_escape=math.inf, t_quantiles=(math.inf,) * len(probs),
                           theta_escape=math.nan, status=-1,
                           message="no horizon reaches its escape level for theta in (0, 40]",
                           **common)
    full = np.linspace(-a, a, 2 * n_grid - 1)
    r_full = update_rates(wide, spec, full)
    flow_time = _FlowTime(full, r_full)
    if s0 == 0.0:
        t_det = flow_time(0.0)
        status = 1 if t_det <= t_max else 0
        return EscapeStart(theta0=0.0, t_escape=t_det, t_quantiles=(t_det,) * len(probs),
                           theta_escape=float(a), status=status,
                           message="no noise: the deterministic flow from theta = 0", **common)
    grid, r = full[n_grid - 1:], r_full[n_grid - 1:]
    s = np.array([noise_scale(wide, spec, t) for t in grid[::8]])
    Dg = 0.5 * np.interp(grid, grid[::8], s) ** 2
    h = grid[1] - grid[0]
    t_lo = min(1e-2, 0.1 * h * h / max(float(Dg.max()), 1e-300))
    times = np.geomspace(t_lo, max(T_END, 10.0 * t_max), n_times)
    S0 = _survival(r, Dg, h, times, stop=0.5 * (1.0 - probs[-1]))
    F = 1.0 - S0
    tq = []
    for p in probs:
        k = int(np.argmax(F >= p)) if (F >= p).any() else -1
        if k < 0:
            tq.append(math.inf)
        elif k == 0:
            tq.append(float(times[0]))
        else:
            w = (p - F[k - 1]) / (F[k] - F[k - 1])
            tq.append(float(np.exp(np.log(times[k - 1]) + w * np.log(times[k] / times[k - 1]))))
    t_med = tq[probs.index(0.5)]
    theta0 = flow_time.start_for(t_med) if math.isfinite(t_med) else 0.0
    status = 1 if t_med <= t_max else 0
    msg = ("median escape within t_max" if status == 1 else
           "median escape after t_max" if math.isfinite(t_med) else
           "fewer than half of the runs escape within max(1e9, 10 t_max)")
    return EscapeStart(theta0=theta0, t_escape=t_med, t_quantiles=tuple(tq),
                       theta_escape=float(a), status=status, message=msg, **common)
