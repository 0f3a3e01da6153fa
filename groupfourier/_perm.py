"""Permutations as integer arrays: all of S_n in lexicographic order, ranks, cycle types.

One-line notation: row ``p`` is the permutation i ↦ p[i] of 0..n−1.  These
helpers hold no group object; :class:`~groupfourier.groups.SymmetricGroup`, the
alternating groups and the fast S_n transform share them.

Examples
--------
>>> permutation_array(3).tolist()
[[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]]
>>> rank_permutations(permutation_array(3)).tolist()
[0, 1, 2, 3, 4, 5]
"""

from __future__ import annotations

from math import factorial
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["permutation_array", "rank_permutations", "cycle_types", "permutation_sign",
           "from_sympy_permutation"]


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


def permutation_sign(p: NDArray) -> NDArray[np.int8]:
    """Sign (+1 or −1) of each row of ``p`` (shape (..., n)): (−1)^(n − number of cycles).

    >>> permutation_sign(permutation_array(3)).tolist()
    [1, -1, -1, 1, 1, -1]
    """
    counts = cycle_types(p)
    n = np.asarray(p).shape[-1]
    return np.where((n - counts.sum(axis=-1)) % 2 == 0, 1, -1).astype(np.int8)


def from_sympy_permutation(g: Any, n: int) -> Any:
    """A sympy ``Permutation`` of at most n points as a one-line tuple of length n; any
    other value is returned unchanged.

    sympy's array form is the same one-line notation (``p.array_form[i]`` = image of i);
    only the product order differs: sympy's ``p * q`` applies p first.

    >>> from sympy.combinatorics import Permutation
    >>> from_sympy_permutation(Permutation([1, 0]), 3)
    (1, 0, 2)
    """
    from sympy.combinatorics import Permutation

    if isinstance(g, Permutation) and g.size <= n:
        return tuple(g.array_form) + tuple(range(g.size, n))
    return g
