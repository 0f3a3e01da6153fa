r"""Difficulty spectra: the horizons of a training mixture and their weights.

A spectrum is a finite set of horizons :math:`L_1 < L_2 < \dots` with weights
:math:`w_i \ge 0`, :math:`\sum_i w_i = 1`; the mixture objective is
:math:`J = \sum_i w_i P_{L_i}`.  Three families are provided:

* :meth:`Spectrum.geometric` — a ladder :math:`L_0, L_0 R, L_0 R^2, \dots` (ratio R);
* :meth:`Spectrum.jump` — a two-level jump from an easy to a hard horizon;
* :meth:`Spectrum.uniform` / :meth:`Spectrum.zipf` — a smooth spread over a range.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
from numpy.typing import NDArray

__all__ = ["Spectrum", "parse_horizons"]

_WEIGHT_TOL = 1e-9


def _as_int(who: str, name: str, value, minimum: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) \
            or value < minimum:
        raise ValueError(f"{who}: {name} must be an integer >= {minimum}; got {name}={value!r}.")
    return int(value)


@dataclass(frozen=True, repr=False)
class Spectrum:
    r"""Horizons of a training mixture with their weights, validated.

    Parameters
    ----------
    horizons : sequence of int
        Positive, strictly increasing integer horizons L.
    weights : sequence of float, optional
        Non-negative weights summing to 1 (to 1e-9); uniform by default.

    Notes
    -----
    The mixture objective is :math:`J(\theta) = \sum_L w_L P_L(\theta)`.  Whether the
    horizons fit a task (each :math:`L \le \min(|G|, M)`, since the L operations and the
    L identifiers of a prompt are distinct) is checked by :meth:`check_fits`.

    Examples
    --------
    >>> Spectrum((5, 15, 45))
    Spectrum(horizons=(5, 15, 45), weights=(0.3333, 0.3333, 0.3333))
    >>> Spectrum((5, 45), (0.5, 0.4))
    Traceback (most recent call last):
    ...
    ValueError: Spectrum: weights must sum to 1; got sum 0.9 for weights=(0.5, 0.4).
    """

    horizons: tuple[int, ...]
    weights: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        hs = self.horizons
        if isinstance(hs, (int, np.integer)):
            hs = (hs,)
        try:
            hs = tuple(hs)
        except TypeError:
            raise ValueError(f"Spectrum: horizons must be a sequence of positive integers; "
                             f"got horizons={self.horizons!r}.") from None
        if not hs:
            raise ValueError("Spectrum: horizons must hold at least one horizon; got horizons=().")
        hs = tuple(_as_int("Spectrum", "each horizon", h, 1) for h in hs)
        if any(b <= a for a, b in zip(hs, hs[1:])):
            raise ValueError(f"Spectrum: horizons must be strictly increasing (sort them and "
                             f"merge duplicates); got horizons={hs!r}.")
        ws = self.weights
        if ws is None:
            ws = (1.0 / len(hs),) * len(hs)
        ws = tuple(float(w) for w in ws)
        if len(ws) != len(hs):
            raise ValueError(f"Spectrum: need one weight per horizon; got {len(ws)} weights "
                             f"for {len(hs)} horizons {hs!r}.")
        if any(not math.isfinite(w) or w < 0 for w in ws):
            raise ValueError(f"Spectrum: weights must be finite and non-negative; got weights={ws!r}.")
        total = math.fsum(ws)
        if abs(total - 1.0) > _WEIGHT_TOL:
            raise ValueError(f"Spectrum: weights must sum to 1; got sum {total:.6g} for "
                             f"weights={ws!r}.")
        object.__setattr__(self, "horizons", hs)
        object.__setattr__(self, "weights", ws)

    # ------------------------------------------------------------------ views
    def __repr__(self) -> str:
        ws = self.weights or ()          # never None after __post_init__
        w = ", ".join(f"{x:.4g}" for x in ws)
        return f"Spectrum(horizons={self.horizons!r}, weights=({w}{',' if len(ws) == 1 else ''}))"

    def __len__(self) -> int:
        return len(self.horizons)

    @property
    def ratios(self) -> tuple[float, ...]:
        """Consecutive ratios :math:`R_i = L_{i+1}/L_i` (empty for one horizon)."""
        return tuple(b / a for a, b in zip(self.horizons, self.horizons[1:]))

    @property
    def max_ratio(self) -> float:
        """The largest consecutive ratio, 1.0 for a single horizon."""
        return max(self.ratios, default=1.0)

    def weight_array(self) -> NDArray[np.float64]:
        """The weights as a read-only float array, shape (n_horizons,)."""
        a = np.array(self.weights, dtype=np.float64)
        a.setflags(write=False)
        return a

    def check_fits(self, order: int, M: int | None = None) -> "Spectrum":
        """Raise ``ValueError`` unless every horizon is at most |G| (and M, if given).

        Examples
        --------
        >>> Spectrum((5, 15)).check_fits(12)
        Traceback (most recent call last):
        ...
        ValueError: Spectrum: horizon 15 exceeds |G|=12; a prompt holds L distinct operations, so every horizon must be <= |G|. Use a larger group or shorter horizons.
        """
        for L in self.horizons:
            if L > order:
                raise ValueError(f"Spectrum: horizon {L} exceeds |G|={order}; a prompt holds L "
                                 f"distinct operations, so every horizon must be <= |G|. "
                                 f"Use a larger group or shorter horizons.")
            if M is not None and L > M:
                raise ValueError(f"Spectrum: horizon {L} exceeds M={M} identifiers; a prompt "
                                 f"holds L distinct identifiers, so every horizon must be <= M. "
                                 f"Use more identifiers or shorter horizons.")
        return self

    # ------------------------------------------------------------ constructors
    @classmethod
    def geometric(cls, first: int, ratio: float, n_levels: int, *,
                  weights: Sequence[float] | None = None) -> "Spectrum":
        r"""A geometric ladder :math:`L_i = \mathrm{round}(L_0 R^i)`, i = 0..n_levels−1.

        Examples
        --------
        >>> Spectrum.geometric(5, 3, 3).horizons
        (5, 15, 45)
        """
        first = _as_int("Spectrum.geometric", "first", first, 1)
        n_levels = _as_int("Spectrum.geometric", "n_levels", n_levels, 1)
        if not (isinstance(ratio, (int, float, np.number)) and math.isfinite(ratio) and ratio > 1):
            raise ValueError(f"Spectrum.geometric: ratio must be a finite number > 1; got ratio={ratio!r}.")
        hs = tuple(int(round(first * ratio ** i)) for i in range(n_levels))
        return cls(hs, None if weights is None else tuple(weights))

    @classmethod
    def jump(cls, easy: int, hard: int, *, hard_weight: float = 0.5) -> "Spectrum":
        """A two-level jump: horizons (easy, hard) with weights (1 − hard_weight, hard_weight).

        Examples
        --------
        >>> Spectrum.jump(5, 45)
        Spectrum(horizons=(5, 45), weights=(0.5, 0.5))
        """
        if not (0.0 <= hard_weight <= 1.0):
            raise ValueError(f"Spectrum.jump: hard_weight must lie in [0, 1]; got {hard_weight!r}.")
        return cls((easy, hard), (1.0 - hard_weight, hard_weight))

    @classmethod
    def uniform(cls, low: int, high: int, *, step: int = 1) -> "Spectrum":
        """Every horizon low, low+step, …, ≤ high, with equal weights.

        Examples
        --------
        >>> Spectrum.uniform(5, 45, step=10).horizons
        (5, 15, 25, 35, 45)
        """
        low = _as_int("Spectrum.uniform", "low", low, 1)
        high = _as_int("Spectrum.uniform", "high", high, low)
        step = _as_int("Spectrum.uniform", "step", step, 1)
        return cls(tuple(range(low, high + 1, step)))

    @classmethod
    def zipf(cls, horizons: Iterable[int], *, exponent: float = 1.0) -> "Spectrum":
        r"""Zipf weights :math:`w_L \propto L^{-s}` over the given horizons (s = exponent).

        Examples
        --------
        >>> Spectrum.zipf((1, 2), exponent=1.0)
        Spectrum(horizons=(1, 2), weights=(0.6667, 0.3333))
        """
        hs = tuple(horizons)
        if not (math.isfinite(exponent) and exponent >= 0):
            raise ValueError(f"Spectrum.zipf: exponent must be finite and >= 0; got {exponent!r}.")
        raw = [float(h) ** -exponent if isinstance(h, (int, np.integer)) and h > 0 else float("nan")
               for h in hs]
        if any(math.isnan(r) for r in raw):
            return cls(hs)  # the constructor names the bad horizon
        s = math.fsum(raw)
        return cls(hs, tuple(r / s for r in raw))


def parse_horizons(text: str) -> tuple[int, ...]:
    """Parse ``"5,15,45"`` into ``(5, 15, 45)``; ``ValueError`` naming the text otherwise.

    Examples
    --------
    >>> parse_horizons("5, 15,45")
    (5, 15, 45)
    """
    try:
        return tuple(int(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise ValueError(f"horizons: expected comma-separated integers such as '5,15,45'; "
                         f"got {text!r}.") from None
