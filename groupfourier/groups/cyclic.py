"""The cyclic group Z_n = {0, …, n−1} under addition mod n."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._base import ConjugacyClass, FiniteGroup, check_int

__all__ = ["CyclicGroup"]


@dataclass(frozen=True)
class CyclicGroup(FiniteGroup):
    """The cyclic group Z_n of order n.

    Elements are the integers ``0..n-1`` in that order; the product is addition
    mod n and the identity is 0.  Each element is its own conjugacy class,
    labelled by the element.

    Examples
    --------
    >>> Z = CyclicGroup(5)
    >>> Z.multiply(3, 4), Z.inverse(2), Z.order
    (2, 3, 5)
    """

    n: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "n", check_int("CyclicGroup(n)", "n", self.n, minimum=1,
                                                meaning="the order"))

    def __repr__(self) -> str:
        return f"CyclicGroup({self.n})"

    @property
    def name(self) -> str:
        return f"Z{self.n}"

    @property
    def order(self) -> int:
        return self.n

    @property
    def is_abelian(self) -> bool:
        return True

    def _element(self, i: int) -> int:
        return int(i)

    def _index(self, g: Any) -> int | None:
        if isinstance(g, (bool, np.bool_)) or not isinstance(g, (int, np.integer)):
            return None
        return int(g) if 0 <= g < self.n else None

    def _element_hint(self) -> str:
        return f"an integer in 0..{self.n - 1}"

    def mul_idx(self, a: ArrayLike, b: ArrayLike) -> NDArray[np.intp]:
        return (self._check_idx(a, "mul_idx") + self._check_idx(b, "mul_idx")) % self.n

    def inv_idx(self, a: ArrayLike) -> NDArray[np.intp]:
        return (-self._check_idx(a, "inv_idx")) % self.n

    @cached_property
    def conjugacy_classes(self) -> tuple[ConjugacyClass, ...]:
        return tuple(ConjugacyClass(label=k, size=1, representative=k) for k in range(self.n))

    @cached_property
    def class_of(self) -> NDArray[np.intp]:
        c = np.arange(self.n, dtype=np.intp)
        c.setflags(write=False)
        return c
