r"""Young's orthogonal and seminormal forms of the irreps of S_n (numeric and exact).

Labels are partitions λ; the basis is the standard Young tableaux of shape λ,
ordered lexicographically by the row of n−1, then of n−2, … (adapted to the chain
S_1 ⊂ … ⊂ S_n).  For the transposition s_i = (i, i+1) and a tableau T,

.. math:: \rho(s_i) e_T = \tfrac{1}{r} e_T + \sqrt{1 - 1/r^2}\, e_{s_i T},
          \qquad r = c_T(i+1) - c_T(i)

(orthogonal form; the seminormal form couples with 1 one way and 1 − 1/r² the
other).  This module holds no group object; ``SymmetricGroup``, the fast S_n
transform and the alternating groups build on it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from ._lazy import sympy as sp  # imported at first use: `import groupfourier` stays fast
from numpy.typing import NDArray

from .partitions import check_partition

__all__ = ["standard_tableaux", "young_generator_matrices", "bubble_word", "young_matrix"]


@lru_cache(maxsize=None)
def standard_tableaux(lam: tuple[int, ...]) -> tuple[tuple[int, ...], ...]:
    """Standard Young tableaux of shape λ, as row words, in the basis order.

    A tableau is the tuple ``w`` with ``w[k]`` = the row (0-based) holding entry
    k.  The order is lexicographic in (w[n−1], w[n−2], …).

    Examples
    --------
    >>> standard_tableaux((2, 1))      # rows of entries 0, 1, 2; entry 2 in row 0 first
    ((0, 1, 0), (0, 0, 1))
    """
    lam = tuple(lam)
    if sum(lam) == 0:
        return ((),)
    out = []
    for row in range(len(lam)):  # the largest entry sits at a removable corner
        below = lam[row + 1] if row + 1 < len(lam) else 0
        if lam[row] > below:
            smaller = tuple(p for p in lam[:row] + (lam[row] - 1,) + lam[row + 1:] if p > 0)
            out += [w + (row,) for w in standard_tableaux(smaller)]
    return tuple(out)


def _contents(word: tuple[int, ...]) -> list[int]:
    """Content (column − row) of each entry of a tableau given as a row word."""
    filled: dict[int, int] = {}
    out = []
    for row in word:
        col = filled.get(row, 0)
        filled[row] = col + 1
        out.append(col - row)
    return out


@lru_cache(maxsize=None)
def _young_blocks(lam: tuple[int, ...], i: int) -> tuple[tuple[int, int | None, Any], ...]:
    """For s_i: per tableau T, (row of T, row of s_i T or None, axial distance r)."""
    tabs = standard_tableaux(lam)
    pos = {w: a for a, w in enumerate(tabs)}
    out = []
    for a, w in enumerate(tabs):
        c = _contents(w)
        r = c[i + 1] - c[i]
        swapped = w[:i] + (w[i + 1], w[i]) + w[i + 2:]
        # Same row (r = 1) or same column (r = -1): s_i T is not standard.
        out.append((a, None if abs(r) == 1 else pos[swapped], r))
    return tuple(out)


def young_generator_matrices(lam: tuple[int, ...], form: str = "orthogonal", *,
                             exact: bool = False) -> tuple:
    """ρ_λ(s_i) for the adjacent transpositions s_i = (i, i+1), i = 0..n−2.

    Numeric: a tuple of read-only float (d, d) arrays; exact: sympy matrices.
    """
    lam = check_partition("young_generator_matrices", lam)
    if form not in ("orthogonal", "seminormal"):
        raise ValueError(f"young_generator_matrices: form must be 'orthogonal' or 'seminormal'; "
                         f"got form={form!r}.")
    return (_young_exact if exact else _young_numeric)(lam, form)


def _young_entry(r: int, form: str, exact: bool) -> tuple[Any, Any]:
    """(diagonal, off-diagonal) of the 2×2 block for axial distance r."""
    one = sp.Integer(1) if exact else 1.0
    diag = one / r
    if form == "orthogonal":
        off = sp.sqrt(one - one / r ** 2) if exact else np.sqrt(1.0 - 1.0 / r ** 2)
    else:  # seminormal: the coupling is 1 one way and 1 - 1/r^2 the other
        off = one if r > 0 else one - one / r ** 2
    return diag, off


@lru_cache(maxsize=None)
def _young_numeric(lam: tuple[int, ...], form: str) -> tuple[NDArray, ...]:
    d, n = len(standard_tableaux(lam)), sum(lam)
    mats = []
    for i in range(n - 1):
        m = np.zeros((d, d))
        for a, b, r in _young_blocks(lam, i):
            diag, off = _young_entry(r, form, exact=False)
            m[a, a] = diag
            if b is not None:
                m[b, a] = off  # column a is the image of e_{T_a}
        m.setflags(write=False)
        mats.append(m)
    return tuple(mats)


@lru_cache(maxsize=None)
def _young_exact(lam: tuple[int, ...], form: str) -> tuple[sp.Matrix, ...]:
    d, n = len(standard_tableaux(lam)), sum(lam)
    mats = []
    for i in range(n - 1):
        m = sp.zeros(d, d)
        for a, b, r in _young_blocks(lam, i):
            diag, off = _young_entry(r, form, exact=True)
            m[a, a] = diag
            if b is not None:
                m[b, a] = off
        mats.append(sp.ImmutableMatrix(m))
    return tuple(mats)


def bubble_word(perm: tuple[int, ...]) -> list[int]:
    """Indices j with perm = s_{j_k} ∘ … ∘ s_{j_1} (a reduced word, by bubble sort)."""
    p, word = list(perm), []
    swapped = True
    while swapped:
        swapped = False
        for j in range(len(p) - 1):
            if p[j] > p[j + 1]:
                p[j], p[j + 1] = p[j + 1], p[j]  # p ∘ s_j
                word.append(j)
                swapped = True
    return word[::-1]  # perm = s_{word[0]} ∘ s_{word[1]} ∘ …


def young_matrix(lam: tuple[int, ...], form: str, perm: tuple[int, ...], exact: bool):
    """ρ_λ(perm) in Young's ``form`` as a product of generator matrices along a reduced word."""
    gens = young_generator_matrices(lam, form, exact=exact)
    d = gens[0].shape[0] if gens else 1
    m = sp.eye(d) if exact else np.eye(d)
    for j in bubble_word(perm):
        m = (m * gens[j]).expand() if exact else m @ gens[j]
    return sp.ImmutableMatrix(m) if exact else m
