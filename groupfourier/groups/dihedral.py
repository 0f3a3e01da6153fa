"""The dihedral group D_n of symmetries of a regular n-gon, of order 2n.

Convention (see ``conventions.md``): ``n`` is the number of vertices, not the
order (GAP's ``DihedralGroup`` takes the order).  Elements are ``(k, e)``
meaning r^k s^e with k in 0..n−1 and e in {0, 1}; relations rⁿ = s² = 1 and
s r s = r⁻¹, so that

    r^a s^e · r^b s^f = r^(a + (−1)^e b) s^(e + f).

Element order: r^0, r^1, …, r^(n−1), then s, r s, …, r^(n−1) s; that is,
``index((k, e)) = e·n + k``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._base import ConjugacyClass, FiniteGroup, check_int

__all__ = ["DihedralGroup"]


@dataclass(frozen=True)
class DihedralGroup(FiniteGroup):
    """The dihedral group D_n with n vertices (order 2n), n >= 1.

    Conjugacy class labels: ``("r", k)`` for {r^k, r^-k} with 0 <= k <= n/2;
    for odd n one reflection class ``("s",)``; for even n two, ``("s", 0)``
    (r^even s) and ``("s", 1)`` (r^odd s).

    Examples
    --------
    >>> D = DihedralGroup(4)
    >>> D.order, D.multiply((0, 1), (1, 0))     # s · r = r^-1 s
    (8, (3, 1))
    """

    n: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "n", check_int("DihedralGroup(n)", "n", self.n, minimum=1,
                                                meaning="the number of vertices (order 2n)"))

    def __repr__(self) -> str:
        return f"DihedralGroup({self.n})"

    @property
    def name(self) -> str:
        return f"D{self.n}"

    @property
    def order(self) -> int:
        return 2 * self.n

    @property
    def is_abelian(self) -> bool:
        return self.n <= 2

    def _element(self, i: int) -> tuple[int, int]:
        e, k = divmod(int(i), self.n)
        return (k, e)

    def _index(self, g: Any) -> int | None:
        if not (isinstance(g, tuple) and len(g) == 2):
            return None
        k, e = g
        ok = all(isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_)) for x in g)
        if not ok or not (0 <= k < self.n and e in (0, 1)):
            return None
        return int(e) * self.n + int(k)

    def _element_hint(self) -> str:
        return f"a pair (k, e) meaning r^k s^e with k in 0..{self.n - 1} and e in {{0, 1}}"

    def mul_idx(self, a: ArrayLike, b: ArrayLike) -> NDArray[np.intp]:
        ea, ka = np.divmod(self._check_idx(a, "mul_idx"), self.n)
        eb, kb = np.divmod(self._check_idx(b, "mul_idx"), self.n)
        k = (ka + (1 - 2 * ea) * kb) % self.n
        return ((ea + eb) % 2) * self.n + k

    def inv_idx(self, a: ArrayLike) -> NDArray[np.intp]:
        a = self._check_idx(a, "inv_idx")
        e, k = np.divmod(a, self.n)
        # (r^k)^-1 = r^-k; reflections r^k s are involutions.
        return np.where(e == 0, (-k) % self.n, a)

    @cached_property
    def _classes(self) -> tuple[tuple[ConjugacyClass, ...], NDArray[np.intp]]:
        n = self.n
        classes: list[ConjugacyClass] = []
        class_of = np.empty(2 * n, dtype=np.intp)
        for k in range(n // 2 + 1):
            members = {k % n, (-k) % n}
            classes.append(ConjugacyClass(label=("r", k), size=len(members), representative=(k, 0)))
            class_of[list(members)] = len(classes) - 1
        ks = np.arange(n)
        if n % 2:
            classes.append(ConjugacyClass(label=("s",), size=n, representative=(0, 1)))
            class_of[n + ks] = len(classes) - 1
        else:
            for parity in (0, 1):
                classes.append(ConjugacyClass(label=("s", parity), size=n // 2,
                                              representative=(parity, 1)))
                class_of[n + ks[ks % 2 == parity]] = len(classes) - 1
        class_of.setflags(write=False)
        return tuple(classes), class_of

    @property
    def conjugacy_classes(self) -> tuple[ConjugacyClass, ...]:
        return self._classes[0]

    @property
    def class_of(self) -> NDArray[np.intp]:
        return self._classes[1]
