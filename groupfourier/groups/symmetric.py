"""The symmetric group S_n of permutations of {0, …, n−1}.

Convention (see ``conventions.md``): a permutation σ is the tuple
``(σ(0), …, σ(n−1))`` (one-line notation) and the product is composition,
``(σ·τ)(i) = σ(τ(i))``: τ is applied first.  (sympy and Sage compose left to
right; we do not.)  Elements are ordered lexicographically, so the identity
comes first; ``index`` is the Lehmer-code rank.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from math import factorial
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..partitions import class_size, partitions
from ._base import ConjugacyClass, FiniteGroup, check_int

__all__ = ["SymmetricGroup", "permutation_array", "rank_permutations", "cycle_types"]

#: Element arrays are built for n up to this bound (S_11 has 39.9 million elements).
#: Larger S_n still have classes, irreps and character tables.
MAX_ELEMENTS_N = 11


def permutation_array(n: int) -> NDArray[np.int8]:
    """All permutations of 0..n−1 in lexicographic order, shape (n!, n)."""
    perms = np.zeros((1, 0), dtype=np.int8)
    for m in range(1, n + 1):
        # Lexicographic S_m: for each first value f, S_{m-1} relabelled to skip f.
        blocks = [np.concatenate([np.full((len(perms), 1), f, np.int8),
                                  perms + (perms >= f)], axis=1) for f in range(m)]
        perms = np.concatenate(blocks, axis=0)
    return perms


def rank_permutations(p: NDArray) -> NDArray[np.intp]:
    """Lexicographic rank of each row of ``p`` (shape (..., n)), via the Lehmer code."""
    p = np.asarray(p)
    n = p.shape[-1]
    rank = np.zeros(p.shape[:-1], dtype=np.intp)
    for i in range(n):
        smaller_later = (p[..., i + 1:] < p[..., i:i + 1]).sum(axis=-1)
        rank += smaller_later * factorial(n - 1 - i)
    return rank


def cycle_types(p: NDArray) -> NDArray[np.intp]:
    """Counts of cycles of each length, shape (..., n + 1): ``out[..., l]`` = # of l-cycles."""
    p = np.asarray(p, dtype=np.intp)
    n = p.shape[-1]
    start = np.broadcast_to(np.arange(n), p.shape)
    cur = start.copy()
    length = np.zeros(p.shape, dtype=np.intp)
    for k in range(1, n + 1):
        cur = np.take_along_axis(p, cur, axis=-1)
        length = np.where((length == 0) & (cur == start), k, length)
    counts = np.zeros(p.shape[:-1] + (n + 1,), dtype=np.intp)
    for l in range(1, n + 1):
        counts[..., l] = (length == l).sum(axis=-1) // l
    return counts


@dataclass(frozen=True)
class SymmetricGroup(FiniteGroup):
    """The symmetric group S_n, of order n!, n >= 1.

    Element-level operations need n <= 11; classes, irreps and character tables
    work for any n.

    Conjugacy classes are labelled by cycle type (a partition), in
    lexicographic order so that the identity (1,…,1) comes first.

    Examples
    --------
    >>> S = SymmetricGroup(3)
    >>> S.multiply((1, 0, 2), (0, 2, 1))     # (σ·τ)(i) = σ(τ(i))
    (1, 2, 0)
    >>> [c.label for c in S.conjugacy_classes]
    [(1, 1, 1), (2, 1), (3,)]
    """

    n: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "n", check_int("SymmetricGroup(n)", "n", self.n, minimum=1,
                                                meaning="the number of points permuted"))

    def __repr__(self) -> str:
        return f"SymmetricGroup({self.n})"

    @property
    def name(self) -> str:
        return f"S{self.n}"

    @property
    def order(self) -> int:
        return factorial(self.n)

    @property
    def is_abelian(self) -> bool:
        return self.n <= 2

    @cached_property
    def element_array(self) -> NDArray[np.int8]:
        """Read-only (n!, n) array; row i is ``elements[i]`` in one-line notation."""
        if self.n > MAX_ELEMENTS_N:
            raise ValueError(f"{self!r}: listing all {self.order} elements needs n <= {MAX_ELEMENTS_N}; "
                             f"got n={self.n}. Classes, irreps and characters do not need them.")
        a = permutation_array(self.n)
        a.setflags(write=False)
        return a

    @cached_property
    def elements(self) -> tuple:
        return tuple(map(tuple, self.element_array.tolist()))

    def _element(self, i: int) -> tuple[int, ...]:
        # Unrank without building the whole element array.
        rest, out, i = list(range(self.n)), [], int(i)
        for k in range(self.n - 1, -1, -1):
            q, i = divmod(i, factorial(k))
            out.append(rest.pop(q))
        return tuple(out)

    def _index(self, g: Any) -> int | None:
        if not isinstance(g, (tuple, list)) or len(g) != self.n:
            return None
        if not all(isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_)) for x in g):
            return None
        if sorted(g) != list(range(self.n)):
            return None
        return int(rank_permutations(np.array(g)))

    def _element_hint(self) -> str:
        return f"a permutation of 0..{self.n - 1} in one-line notation, a tuple of length {self.n}"

    def mul_idx(self, a: ArrayLike, b: ArrayLike) -> NDArray[np.intp]:
        a = self._check_idx(a, "mul_idx")
        b = self._check_idx(b, "mul_idx")
        a, b = np.broadcast_arrays(a, b)
        pa, pb = self.element_array[a], self.element_array[b]
        return rank_permutations(np.take_along_axis(pa, pb.astype(np.intp), axis=-1))

    def inv_idx(self, a: ArrayLike) -> NDArray[np.intp]:
        p = self.element_array[self._check_idx(a, "inv_idx")]
        return rank_permutations(np.argsort(p, axis=-1))

    @cached_property
    def conjugacy_classes(self) -> tuple[ConjugacyClass, ...]:
        labels = sorted(partitions(self.n))  # lexicographic: (1,…,1) first, (n) last
        classes = []
        for mu in labels:
            rep, start = [], 0
            for part in mu:  # the cycle (start start+1 … start+part−1)
                rep += list(range(start + 1, start + part)) + [start]
                start += part
            classes.append(ConjugacyClass(label=mu, size=class_size(mu), representative=tuple(rep)))
        return tuple(classes)

    @cached_property
    def class_of(self) -> NDArray[np.intp]:
        labels = [c.label for c in self.conjugacy_classes]
        base = self.n + 1
        key_of = {sum(mu.count(l) * base ** l for l in set(mu)): i for i, mu in enumerate(labels)}
        counts = cycle_types(self.element_array)
        keys = counts @ (base ** np.arange(base, dtype=np.int64))
        uniq, inverse = np.unique(keys, return_inverse=True)
        class_of = np.array([key_of[int(k)] for k in uniq], dtype=np.intp)[inverse]
        class_of.setflags(write=False)
        return class_of
