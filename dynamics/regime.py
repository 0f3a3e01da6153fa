r"""One classification of learning curves, relay / plateau / stalled / unfinished.

The same rule labels the curves :func:`dynamics.predict.predict` predicts and the
curves ``verify`` observes.  It reads only the *shape* of the curves: every quantity is
a time at which a success curve crosses a fixed level, and the label depends on a ratio
of such times, so multiplying time by a constant (another learning rate, another clock)
never changes it.  Definition (``docs/regimes.md``):

For the horizons :math:`L_1 < \dots < L_n` with success curves :math:`P_i(t)` and chance
:math:`c = 1/|G|`,

* the **half time** :math:`h_i` is the first time :math:`P_i` reaches 0.5;
* the **rise start** :math:`r_i` is the last time before :math:`h_i` at which
  :math:`P_i` was below the rise level :math:`c + f\,(0.5 - c)`, f = ``RISE_FRACTION``
  (a fixed fraction of the way from chance to 0.5; "last" makes it blind to noise
  spikes during a plateau);
* the **transition** of horizon i lasts :math:`d_i = h_i - r_i`;
* the **stall** before horizon i > 1 is :math:`s_i = \max(0, r_i - h_{i-1})`: the time
  between the previous horizon reaching 0.5 and this one starting its final rise;
* the **index** is :math:`\max_{i>1} s_i / d_i`: the longest stall in units of the
  transition that ends it.

The label is **plateau** if the index is at least ``THRESHOLD``, **relay** otherwise.
The easiest horizon enters only through :math:`h_1`: how long it takes (one update on a
non-abelian group, thousands on an abelian one) does not matter.  Within the time
given (``t_end``), a horizon that never reaches 0.5 makes the curves **stalled** if it
never got above the rise level (index ``inf``), **unfinished** if it did (cut off during
its rise; the index is then an upper bound, the stall over the rise so far).

``THRESHOLD`` = 30 and ``RISE_FRACTION`` = 0.2 were chosen by measurement
(``docs/regimes.md``): at c_B = 4 over Z24, Z60, D12, D15, S4 and S5, SGD and Adam,
sampled and exact gradients, predicted ladders of ratio ≤ 3 have index ≤ 15.8 and
two-level jumps of ratio ≥ 8 index ≥ 68; the threshold sits near their geometric mean.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .results import StatusResult, num

__all__ = ["RegimeResult", "classify_curves", "crossing_time", "last_rise_start", "THRESHOLD",
           "RISE_FRACTION", "HALF", "Regime", "REGIME_COLORS"]

Regime = Literal["relay", "plateau", "stalled", "unfinished"]

#: Index at and above which the curves are a plateau.
THRESHOLD = 30.0
#: One colour per label in every figure, from the Okabe–Ito palette (safe for the common
#: colour-vision deficiencies): relay blue, plateau vermillion, stalled/unfinished grey,
#: mixed seeds reddish purple.
REGIME_COLORS = {"relay": "#0072B2", "plateau": "#D55E00", "stalled": "#999999",
                 "unfinished": "#999999", "mixed": "#CC79A7"}
#: The rise level is chance + RISE_FRACTION · (0.5 − chance).
RISE_FRACTION = 0.2
#: The success level that counts as learned.
HALF = 0.5


def crossing_time(t: ArrayLike, y: ArrayLike, level: float) -> float:
    """First time ``y`` reaches ``level``, linearly interpolated; ``inf`` if never.

    Examples
    --------
    >>> crossing_time([0., 10., 20.], [0.1, 0.3, 0.7], 0.5)
    15.0
    >>> crossing_time([0., 10.], [0.1, 0.3], 0.5)
    inf
    """
    t = np.asarray(t, dtype=float)
    y = np.asarray(y, dtype=float)
    hit = np.flatnonzero(y >= level)
    if hit.size == 0:
        return math.inf
    i = int(hit[0])
    if i == 0:
        return float(t[0])
    t0, t1, y0, y1 = float(t[i - 1]), float(t[i]), float(y[i - 1]), float(y[i])
    return t0 + (level - y0) * (t1 - t0) / (y1 - y0)


def last_rise_start(t: ArrayLike, y: ArrayLike, level: float, before: float) -> float:
    """Last time before ``before`` at which ``y`` crosses ``level`` upwards (interpolated).

    ``t[0]`` if ``y`` is at or above ``level`` throughout ``[t[0], before]``.

    Examples
    --------
    >>> t = np.arange(6.0)
    >>> last_rise_start(t, [0.0, 0.3, 0.0, 0.0, 0.2, 0.6], 0.1, 5.0)   # the spike at 1 is ignored
    3.5
    """
    t = np.asarray(t, dtype=float)
    y = np.asarray(y, dtype=float)
    keep = t < before
    tt = np.append(t[keep], before)
    yy = np.append(y[keep], np.interp(before, t, y))
    below = np.flatnonzero(yy < level)
    if below.size == 0:
        return float(tt[0]) if tt.size else float(before)
    j = int(below[-1])
    if j + 1 >= tt.size:           # still below at the last point before `before`
        return float(before)
    t0, t1, y0, y1 = tt[j], tt[j + 1], yy[j], yy[j + 1]
    return float(t0 + (level - y0) * (t1 - t0) / (y1 - y0))


@dataclass(frozen=True, repr=False)
class RegimeResult(StatusResult):
    r"""The regime of a set of learning curves and the numbers behind it.

    Attributes
    ----------
    regime : {"relay", "plateau", "stalled", "unfinished"}
    index : float
        :math:`\max_i s_i/d_i` (0 for one horizon; an upper bound when unfinished,
        ``inf`` when stalled).
    horizons : tuple of int
        Sorted.
    half, rise, transition, stall : tuple of float
        Per horizon: :math:`h_i`, :math:`r_i`, :math:`d_i`, :math:`s_i` (the stall of the
        first horizon is 0); ``inf`` / ``nan`` where a horizon never reaches the level.
    stall_ratio : tuple of float
        Per horizon, :math:`s_i/d_i` (0 for the first).
    worst : int or None
        The horizon whose stall gives the index.
    rise_level : float
        :math:`c + f(0.5 - c)`.
    t_end : float
        The time given.
    threshold : float
    status : int
        1 every horizon reached 0.5 within ``t_end``; 0 not.
    message : str
    """

    regime: Regime
    index: float
    horizons: tuple[int, ...]
    half: tuple[float, ...]
    rise: tuple[float, ...]
    transition: tuple[float, ...]
    stall: tuple[float, ...]
    stall_ratio: tuple[float, ...]
    worst: int | None
    rise_level: float
    t_end: float
    threshold: float
    status: int
    message: str

    @property
    def longest_stall(self) -> float:
        """:math:`\\max_i s_i` (a lower bound when a horizon never reached 0.5)."""
        return max((s for s in self.stall if not math.isnan(s)), default=0.0)

    @property
    def plateaus(self) -> tuple[tuple[float, float], ...]:
        """The stalls as intervals :math:`(h_{i-1}, r_i)` of positive length."""
        out = []
        for i in range(1, len(self.horizons)):
            if self.stall[i] > 0:
                out.append((self.half[i - 1], self.half[i - 1] + self.stall[i]))
        return tuple(out)

    def _repr_details(self) -> str:
        return (f"regime={self.regime!r}, index={self.index:.3g}, "
                f"threshold={self.threshold:g}, worst={self.worst}")

    def to_dict(self) -> dict:
        """JSON-ready (non-finite numbers become ``None``)."""
        return {"regime": self.regime, "index": num(self.index), "threshold": self.threshold,
                "worst": self.worst, "rise_level": self.rise_level, "t_end": num(self.t_end),
                "horizons": list(self.horizons),
                "per_horizon": [{"horizon": L, "half": num(h), "rise": num(r),
                                 "transition": num(d), "stall": num(s), "stall_ratio": num(q)}
                                for L, h, r, d, s, q in zip(self.horizons, self.half, self.rise,
                                                            self.transition, self.stall,
                                                            self.stall_ratio)],
                "status": self.status, "message": self.message}


def classify_curves(t: ArrayLike, p_success: ArrayLike, horizons: Sequence[int], *,
                    chance: float, t_end: float | None = None, threshold: float = THRESHOLD,
                    rise_fraction: float = RISE_FRACTION) -> RegimeResult:
    r"""Label learning curves relay / plateau / stalled / unfinished (module docstring).

    Parameters
    ----------
    t : array_like, shape (n_t,)
        Non-decreasing times, any unit (one record is allowed: nothing is learned yet unless it is).
    p_success : array_like, shape (n_horizons, n_t)
        Success of each horizon; rows follow ``horizons`` (sorted here).
    horizons : sequence of int
    chance : float
        :math:`1/|G|`, in [0, 0.5).
    t_end : float, optional
        The time given; the curves are cut there (default ``t[-1]``).
    threshold, rise_fraction : float

    Returns
    -------
    RegimeResult

    Examples
    --------
    Two horizons: the first reaches 0.5 at 5; the second passes the rise level 0.1 at 501
    and reaches 0.5 at 505: a stall of 496 over a transition of 4, a plateau.  Times ×1000
    give the same label and index.

    >>> t = np.array([0., 10., 500., 510.])
    >>> P = np.array([[0., 1., 1., 1.], [0., 0., 0., 1.]])
    >>> r = classify_curves(t, P, (2, 8), chance=0.0)
    >>> r.regime, r.half, r.rise, r.stall
    ('plateau', (5.0, 505.0), (1.0, 501.0), (0.0, 496.0))
    >>> round(r.index, 6)          # 496 / (505 - 501)
    124.0
    >>> classify_curves(1000 * t, P, (2, 8), chance=0.0).index == r.index
    True
    """
    t = np.asarray(t, dtype=float)
    P = np.atleast_2d(np.asarray(p_success, dtype=float))
    hs = tuple(int(h) for h in horizons)
    if t.ndim != 1 or t.size < 1 or P.shape != (len(hs), t.size):
        raise ValueError(f"classify_curves: need t of shape (n_t,), n_t >= 1, and p_success of "
                         f"shape (n_horizons, n_t) = ({len(hs)}, {t.size}); got t {t.shape}, "
                         f"p_success {P.shape}.")
    if not np.all(np.diff(t) >= 0) or not np.all(np.isfinite(t)):
        raise ValueError("classify_curves: t must be finite and non-decreasing.")
    if not (0.0 <= chance < HALF):
        raise ValueError(f"classify_curves: chance must lie in [0, 0.5); got chance={chance!r}.")
    if not (0.0 < rise_fraction < 1.0):
        raise ValueError(f"classify_curves: rise_fraction must lie in (0, 1); got {rise_fraction!r}.")
    if not (threshold > 0 and math.isfinite(threshold)):
        raise ValueError(f"classify_curves: threshold must be a finite number > 0; got {threshold!r}.")
    t_end = float(t[-1]) if t_end is None else float(t_end)
    if not t_end >= t[0]:
        raise ValueError(f"classify_curves: t_end must be >= t[0]={t[0]:g}; got t_end={t_end!r}.")
    order = np.argsort(hs, kind="stable")
    hs = tuple(hs[i] for i in order)
    P = P[order]
    keep = t <= t_end
    if t[-1] > t_end:            # cut the curves at t_end, interpolating the last point
        tt = np.append(t[keep], t_end)
        PP = np.hstack([P[:, keep], np.array([[np.interp(t_end, t, row)] for row in P])])
    else:
        tt, PP = t, P
    level = chance + rise_fraction * (HALF - chance)
    half = [crossing_time(tt, row, HALF) for row in PP]
    left = [crossing_time(tt, row, level) for row in PP]
    rise = [last_rise_start(tt, row, level, h) if math.isfinite(h) else
            (last_rise_start(tt, row, level, t_end) if math.isfinite(lf) else math.inf)
            for row, h, lf in zip(PP, half, left)]
    trans = [h - r if math.isfinite(h) else (t_end - r if math.isfinite(r) else math.nan)
             for h, r in zip(half, rise)]
    stall = [0.0]
    ratio = [0.0]
    for i in range(1, len(hs)):
        prev = half[i - 1]
        if not math.isfinite(prev):          # the previous horizon is not learned either
            stall.append(math.nan)
            ratio.append(math.nan)
            continue
        start = rise[i] if math.isfinite(rise[i]) else t_end
        s = max(0.0, start - prev)
        stall.append(s)
        d = trans[i]
        ratio.append(math.inf if (s > 0 and not (d > 0)) else (s / d if d > 0 else 0.0))
    finite_ratio = [(q, hs[i]) for i, q in enumerate(ratio) if not math.isnan(q)]
    index, worst = max(finite_ratio, default=(0.0, None))
    if len(hs) == 1:
        worst = None
    never_left = [L for L, lf in zip(hs, left) if not math.isfinite(lf)]
    not_half = [L for L, h in zip(hs, half) if not math.isfinite(h)]
    if never_left:
        regime: Regime = "stalled"
        index, worst = math.inf, never_left[0]
        msg = (f"horizon(s) {never_left} never left chance (rise level {level:.3g}) within "
               f"t_end={t_end:.4g}")
        status = 0
    elif not_half:
        regime = "unfinished"
        msg = (f"horizon(s) {not_half} left chance but did not reach 0.5 within t_end="
               f"{t_end:.4g}; index {index:.3g} is an upper bound")
        status = 0
    else:
        regime = "plateau" if index >= threshold else "relay"
        msg = (f"longest stall / its transition = {index:.3g} "
               f"{'>=' if regime == 'plateau' else '<'} {threshold:g}")
        status = 1
    return RegimeResult(regime=regime, index=float(index), horizons=hs, half=tuple(half),
                        rise=tuple(rise), transition=tuple(trans), stall=tuple(stall),
                        stall_ratio=tuple(ratio), worst=worst, rise_level=float(level),
                        t_end=t_end, threshold=float(threshold), status=status, message=msg)
