r"""Fast path: the character table of S_n by the Murnaghan–Nakayama rule.

For a partition λ of m and a class μ whose largest part is r = μ₁,

.. math:: \chi^\lambda(\mu) = \sum_{h} (-1)^{\mathrm{ht}(h)}\, \chi^{\lambda \setminus h}(\mu \setminus \mu_1),

over the rim hooks h of length r of λ.  Every μ with μ₁ = r leaves a partition of
m − r with parts <= r, a contiguous tail of the reverse-lexicographic list of
partitions of m − r.  So the whole table of S_m is, block by block,
``M_r @ T_{m-r}[:, tail]`` where ``M_r`` is the signed rim-hook incidence matrix:
one small matrix product per part size, and every smaller table is computed once
(memoised per m, as are the rim hooks of each λ, found for all boxes at once).
Products run in float64 BLAS up to n = 20, where every partial sum is an integer
below 2^53, in int64 up to n = 30 and in Python integers above.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .partitions import conjugate, partitions

__all__ = ["mn_character_array", "clear_caches"]


#: Up to this n the rim-hook products run in float64 BLAS; every partial sum is an
#: integer below 2**53 there (|χ| <= sqrt(n!) < 1.6e9 and at most n terms).
_FLOAT_EXACT_N = 20
#: Up to this n int64 cannot overflow (n * sqrt(n!) < 2**63); above, Python ints.
_INT64_N = 30


@lru_cache(maxsize=None)
def _partition_index(m: int) -> dict[tuple[int, ...], int]:
    return {lam: i for i, lam in enumerate(partitions(m))}


@lru_cache(maxsize=None)
def _rim_hooks(m: int) -> tuple[tuple[Any, Any, Any], ...]:
    """Signed rim hooks of every λ ⊢ m, grouped by length r: (rows λ, cols λ∖h, signs).

    Vectorised over all boxes of all λ ⊢ m for m <= 31 (:func:`_rim_hooks_numpy`);
    the loop :func:`_rim_hooks_loop` is the reference (and the path above 31).
    """
    return _rim_hooks_numpy(m) if m <= _BETA_MAX_M else _rim_hooks_loop(m)


#: Beta-set keys of partitions padded to m beads fit in 2m − 1 < 63 bits up to here.
_BETA_MAX_M = 31


@lru_cache(maxsize=None)
def _padded(s: int) -> NDArray[np.int64]:
    """``partitions(s)`` as rows of a (p(s), s) array, zero padded (read-only)."""
    out = np.array([lam + (0,) * (s - len(lam)) for lam in partitions(s)], dtype=np.int64)
    out = out.reshape(len(partitions(s)), s)
    out.setflags(write=False)
    return out


def _padded_to(s: int, width: int) -> NDArray[np.int64]:
    return np.pad(_padded(s), ((0, 0), (0, width - s)))


def _beta_keys(rows: NDArray[np.int64]) -> NDArray[np.int64]:
    """A unique int64 per padded partition: the bitmask of its beta set λ_k + (L − 1 − k)."""
    width = rows.shape[-1]
    beta = rows + np.arange(width - 1, -1, -1)
    return np.bitwise_or.reduce(np.left_shift(np.int64(1), beta), axis=-1)


def _rim_hooks_numpy(m: int) -> tuple[tuple[Any, Any, Any], ...]:
    """As :func:`_rim_hooks_loop`, for every box of every λ ⊢ m at once."""
    empty = np.zeros(0, dtype=np.intp)
    if m == 0:
        return ((empty, empty, empty),)
    lam = _padded(m)                                      # (p, m)
    conj = (lam[:, None, :] > np.arange(m)[None, :, None]).sum(axis=2)  # (p, m) conjugates
    a, i, j = np.nonzero(lam[:, :, None] > np.arange(m)[None, None, :])  # every box (a; i, j)
    leg = conj[a, j] - i - 1
    r = lam[a, i] - j + leg
    k = np.arange(m)[None, :]
    rows = lam[a]
    shifted = np.concatenate([rows[:, 1:], np.zeros((len(a), 1), np.int64)], axis=1) - 1
    end = (i + leg)[:, None]
    new = np.where((k >= i[:, None]) & (k < end), shifted, rows)
    new = np.where(k == end, j[:, None], new)
    # Look the results up among all partitions of 0..m−1 by their beta-set keys.
    table_keys, table_pos = [], []
    for size in range(m):
        table_keys.append(_beta_keys(_padded_to(size, m)))
        table_pos.append(np.arange(len(partitions(size))))
    keys, pos = np.concatenate(table_keys), np.concatenate(table_pos)
    order = np.argsort(keys)
    found = order[np.searchsorted(keys[order], _beta_keys(new))]
    cols = pos[found]
    signs = np.where(leg % 2 == 1, -1, 1)
    by_r = np.argsort(r, kind="stable")
    bounds = np.searchsorted(r[by_r], np.arange(m + 2))
    return tuple((a[by_r[bounds[q]:bounds[q + 1]]], cols[by_r[bounds[q]:bounds[q + 1]]],
                  signs[by_r[bounds[q]:bounds[q + 1]]]) for q in range(m + 1))


def _rim_hooks_loop(m: int) -> tuple[tuple[list[int], list[int], list[int]], ...]:
    """Signed rim hooks of every λ ⊢ m, grouped by length r: (rows λ, cols λ∖h, signs).

    The rim hook of the box (i, j) has length arm + leg + 1 and height leg; removing
    it shifts rows i+1..i+leg up by one box and leaves j boxes in row i + leg.
    """
    out: list[tuple[list[int], list[int], list[int]]] = [([], [], []) for _ in range(m + 1)]
    for a, lam in enumerate(partitions(m)):
        conj = conjugate(lam)
        for i, li in enumerate(lam):
            head = lam[:i]
            for j in range(li):
                leg = conj[j] - i - 1
                r = li - j + leg
                new = head + tuple([x - 1 for x in lam[i + 1:i + leg + 1]] + [j]) + lam[i + leg + 1:]
                if not new[-1]:  # only trailing rows can empty out
                    new = tuple(x for x in new if x)
                rows, cols, signs = out[r]
                rows.append(a)
                cols.append(_partition_index(m - r)[new])
                signs.append(-1 if leg & 1 else 1)
    return tuple(out)


@lru_cache(maxsize=None)
def _tail_start(m: int, r: int) -> int:
    """First index in ``partitions(m)`` (reverse-lex) whose largest part is <= r."""
    parts = partitions(m)
    return next((k for k, nu in enumerate(parts) if not nu or nu[0] <= r), len(parts))


@lru_cache(maxsize=None)
def _mn_table(m: int, dtype: str) -> NDArray:
    """χ^λ(μ) for λ, μ ⊢ m, both in ``partitions(m)`` order (reverse lexicographic)."""
    p = len(partitions(m))
    table = np.zeros((p, p), dtype=dtype)
    if m == 0:
        table[0, 0] = 1
        return table
    hooks = _rim_hooks(m)
    col = 0
    for r in range(m, 0, -1):  # column blocks: largest part r = m, m-1, …, 1
        sub = _mn_table(m - r, dtype)
        start = _tail_start(m - r, r)
        width = sub.shape[1] - start
        rows, cols, signs = hooks[r]
        incidence = np.zeros((p, sub.shape[0]), dtype=dtype)
        incidence[rows, cols] = signs
        table[:, col:col + width] = incidence @ sub[:, start:]
        col += width
    return table


@lru_cache(maxsize=32)
def mn_character_array(n: int) -> NDArray:
    """χ^λ(μ) for λ ⊢ n in ``partitions(n)`` order and μ in lexicographic order (identity
    class first), exact integers: a read-only int64 array for n <= 30, else ``object``."""
    if n <= _FLOAT_EXACT_N:
        arr = np.rint(_mn_table(n, "float64")).astype(np.int64)
    elif n <= _INT64_N:
        arr = _mn_table(n, "int64").copy()
    else:
        arr = _mn_table(n, "object").copy()
    arr = np.ascontiguousarray(arr[:, ::-1])  # reverse-lex -> lex: the identity class (1,…,1) first
    arr.setflags(write=False)
    return arr


def clear_caches() -> None:
    """Forget every cached table, rim-hook list and partition list (cold-start benchmarks)."""
    from . import partitions as _partitions_module
    for f in (_partition_index, _rim_hooks, _padded, _tail_start, _mn_table, mn_character_array,
              _partitions_module._partitions, _partitions_module._bounded):
        f.cache_clear()
