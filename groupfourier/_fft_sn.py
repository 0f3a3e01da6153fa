r"""Clausen-type fast Fourier transform on S_n and its inverse, in Young's orthogonal form.

Coset recursion
---------------
Let S_{m−1} ⊂ S_m be the permutations fixing the point m−1 and
:math:`c_j = s_j s_{j+1} \cdots s_{m-2}` (the cycle j → j+1 → … → m−1 → j,
:math:`s_i = (i, i+1)`), so :math:`c_j(m-1) = j` and
:math:`S_m = \bigsqcup_{j=0}^{m-1} c_j S_{m-1}`.  For a function f on S_m put
:math:`f_j(\tau) = f(c_j \tau)` on S_{m−1}.  Young's orthogonal form is adapted to
the chain: :math:`\rho_\lambda(\tau) = \bigoplus_{\mu = \lambda - \square}\rho_\mu(\tau)`
for τ ∈ S_{m−1}, one block per removable corner from the top row down.  Hence

.. math::

    \hat f(\lambda)_{[:,\, \mu]} = \sum_{j=0}^{m-1} \rho_\lambda(c_j)_{[:,\, \mu]}\; \hat f_j(\mu),

where ``[:, μ]`` is the block of columns of μ.  Unrolling m = 2, …, n, the
transform of one function on S_n is a cascade of n − 1 levels; at level m the
n!/m! sub-problems and all m cosets are handled at once, one matrix product
(GEMM) per pair (λ ⊢ m, corner μ): no Python loop over group elements.  Storage
at every level is Σ_{μ ⊢ m} d_μ² · n!/m! = n! numbers per function, i.e. O(|G|).

The leaf of the element :math:`c^{(n)}_{j_n} c^{(n-1)}_{j_{n-1}} \cdots c^{(2)}_{j_2}`
is the mixed-radix number (batch index, j_n, …, j_2), j_2 least significant, so
that every level's sub-problems are contiguous; one gather maps ``G.elements``
order to leaf order (and one back, for the inverse).  The levels below S_4 are one
dense 24 × 24 product (as coset steps they were products with 1 to 3 columns).

Inverse
-------
Young's orthogonal form is real orthogonal, so
:math:`f(x) = \frac{1}{n!}\sum_\lambda d_\lambda \sum_{ab}\rho_\lambda(x)_{ab}\hat f(\lambda)_{ab}`
is the transpose of the forward map applied to :math:`d_\lambda \hat f(\lambda)/n!`.
The inverse runs the cascade backwards with each step transposed, at the same cost.

Partial transforms
------------------
Only the irreps asked for are computed, and at each lower level only the
partitions reachable from them by removing boxes (for λ_1 ≥ n − k, those of
first part ≥ m − k).  The partial inverse treats missing irreps as zero.

numpy and torch arrays are both accepted (torch stays on its device).
"""

from __future__ import annotations

from functools import lru_cache
from math import factorial, prod
from typing import Any, Hashable, Iterable, NamedTuple, Sequence

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from ._cache import ArrayCache
from ._dtypes import match_precision
from ._perm import rank_permutations
from ._young import standard_tableaux, young_generator_matrices
from .partitions import partitions

__all__ = ["forward", "inverse", "leaf_to_element", "coset_matrices"]

Partition = tuple[int, ...]

#: Constant tables are cached for n up to this bound (S_10's would take ~290 MB).
_CACHE_MAX_N = 9


# ---------------------------------------------------------------- combinatorics
def _dim(lam: Partition) -> int:
    return len(standard_tableaux(lam))


@lru_cache(maxsize=None)
def _corners(lam: Partition) -> tuple[tuple[Partition, int, int], ...]:
    """(μ, start, stop) per removable corner, top row first: the column blocks of ρ_λ|S_{m−1}."""
    out, start = [], 0
    for r in range(len(lam)):
        if r == len(lam) - 1 or lam[r] > lam[r + 1]:
            mu = tuple(p for p in lam[:r] + (lam[r] - 1,) + lam[r + 1:] if p > 0)
            d = _dim(mu)
            out.append((mu, start, start + d))
            start += d
    return tuple(out)


def _needed(n: int, labels: Iterable[Partition]) -> list[tuple[Partition, ...]]:
    """needed[m] = partitions of m reachable from ``labels`` by removing boxes (m = 1..n)."""
    needed: list[tuple[Partition, ...]] = [()] * (n + 1)
    level = set(labels)
    for m in range(n, 0, -1):
        needed[m] = tuple(lam for lam in partitions(m) if lam in level)
        level = {mu for lam in level for mu, _, _ in _corners(lam)}
    return needed


def _coset_perm(m: int, j: int) -> NDArray[np.intp]:
    """c_j = s_j ⋯ s_{m−2} in one-line notation: i ↦ i+1 for j <= i < m−1, m−1 ↦ j."""
    p = np.arange(m)
    p[j:m - 1] += 1
    p[m - 1] = j
    return p


@lru_cache(maxsize=12)
def leaf_to_element(n: int) -> NDArray[np.intp]:
    """``idx[leaf]`` = index in ``SymmetricGroup(n).elements`` of the leaf's element.

    The leaf of c^{(n)}_{j_n} ⋯ c^{(2)}_{j_2} is the mixed-radix number
    (j_n, j_{n−1}, …, j_2), j_n most significant (weight (n−1)!), j_2 least.
    """
    perms = np.zeros((1, 1), dtype=np.int8)  # rows in C order of (j_m, …, j_2)
    for m in range(2, n + 1):
        ext = np.concatenate([perms, np.full((len(perms), 1), m - 1, np.int8)], axis=1)
        perms = np.concatenate([_coset_perm(m, j).astype(np.int8)[ext] for j in range(m)], axis=0)
    idx = rank_permutations(perms) if n > 1 else np.zeros(1, dtype=np.intp)
    idx = np.ascontiguousarray(idx)
    idx.setflags(write=False)
    return idx


@lru_cache(maxsize=12)
def _element_to_leaf(n: int) -> NDArray[np.intp]:
    idx = leaf_to_element(n)
    out = np.empty_like(idx)
    out[idx] = np.arange(len(idx))
    out.setflags(write=False)
    return out


@lru_cache(maxsize=None)
def _sparse_generators(lam: Partition) -> tuple[sparse.csr_matrix, ...]:
    """ρ_λ(s_i) as sparse matrices (at most two entries per row)."""
    return tuple(sparse.csr_matrix(g) for g in young_generator_matrices(lam))


def coset_matrices(lam: Partition) -> NDArray:
    """ρ_λ(c_j) for j = 0..m−1, shape (m, d, d)."""
    m, d = sum(lam), _dim(lam)
    gens = _sparse_generators(lam)
    C = np.empty((m, d, d))
    C[m - 1] = np.eye(d)
    for j in range(m - 2, -1, -1):  # ρ(c_j) = ρ(s_j) ρ(c_{j+1}); ρ(s_j) has <= 2 entries a row
        C[j] = gens[j] @ C[j + 1]
    return C


#: Cost model of one coset-step product (M × K) @ (K × N) with one BLAS thread, in flops:
#: 2·M·K·(N + GEMM_OVERHEAD) (a product reads its left factor once: on a 2-core sandbox a
#: (20000 × 300) @ (300 × N) product ran at 45·N/(N + 24) GF/s for N = 4 … 256), a copied
#: number costs GATHER_COST flops.  Splitting a product pays only where it lowers this cost.
GEMM_OVERHEAD = 24.0
GATHER_COST = 64.0


def _pieces(K3: NDArray, corners) -> list[tuple[int, int, tuple[int, int, int] | None]]:
    """Row ranges (a0, a1) of λ's column block μ and the box of (j, c) each depends on.

    ``K3[j, c, a] = ρ_λ(c_j)[a, start + c]``.  For j <= m − 2, ρ_λ(c_j) = ρ_λ(c'_j)·ρ_λ(s_{m−2})
    with ρ_λ(c'_j) block-diagonal over the corners μ' of λ and ρ_λ(s_{m−2}) linking a row of
    μ' to a row of μ only through ν = μ ∩ μ'; so the rows of μ' (μ' ≠ μ) in the column block of
    μ depend only on j <= m − 2 and the rows of μ's block of ν: a box of the input.  The box
    is read off the non-zeros of ``K3`` (exact whatever the basis); the set of ranges computed
    on their box is the one of least modelled cost (:data:`GEMM_OVERHEAD`, :data:`GATHER_COST`),
    the other ranges are merged into products over the whole input where adjacent.
    """
    m, dm = K3.shape[0], K3.shape[1]
    full = m * dm
    cand = []
    for _, a0, a1 in corners:
        nz = np.any(K3[:, :, a0:a1] != 0, axis=2)
        js, cs = np.flatnonzero(nz.any(axis=1)), np.flatnonzero(nz.any(axis=0))
        box = None
        if len(js) and (int(js[-1]) + 1) * (int(cs[-1]) + 1 - int(cs[0])) < full:
            box = (int(js[-1]) + 1, int(cs[0]), int(cs[-1]) + 1)
        cand.append((a0, a1, box))
    best, best_cost = None, np.inf
    for mask in range(2 ** len(cand)):
        ranges: list[list] = []
        cost = 0.0
        for i, (a0, a1, box) in enumerate(cand):
            use = box if (mask >> i) & 1 else None
            if (mask >> i) & 1 and box is None:
                break
            if use is None and ranges and ranges[-1][2] is None:
                ranges[-1][1] = a1
            else:
                ranges.append([a0, a1, use])
        else:
            for a0, a1, box in ranges:
                vol = full if box is None else box[0] * (box[2] - box[1])
                cost += 2 * vol * (a1 - a0 + GEMM_OVERHEAD) + (0 if box is None else GATHER_COST * vol)
            if cost < best_cost:
                best, best_cost = ranges, cost
    return [(a0, a1, box) for a0, a1, box in best]


class _Group(NamedTuple):
    """The pieces of one level that read the same box of one μ.

    ``K[r0:r1].T`` is the piece of member (λ, start, stop, a0, a1, r0, r1):
    ``K[r0 + a − a0, (j, c)] = ρ_λ(c_j)[a, start + c]`` over the box (all (j, c) for None).
    """

    box: tuple[int, int, int] | None
    K: NDArray
    members: tuple[tuple[Partition, int, int, int, int, int, int], ...]


class _LevelPlan(dict):
    """μ ⊢ m−1 → its :class:`_Group` s (the box None first), sized for :class:`ArrayCache`."""

    @property
    def nbytes(self) -> int:
        return sum(g.K.nbytes for groups in self.values() for g in groups)


def _level_plan(m: int, lams: tuple[Partition, ...]) -> _LevelPlan:
    """The coset step from level m − 1 to level m for the partitions ``lams`` of m."""
    pieces: dict[Partition, dict] = {}
    for lam in lams:
        C = coset_matrices(lam)
        corners = _corners(lam)
        for mu, start, stop in corners:
            K3 = C[:, :, start:stop].transpose(0, 2, 1)  # [j][c][a]
            for a0, a1, box in _pieces(K3, corners):
                Kp = K3[:, :, a0:a1] if box is None else K3[:box[0], box[1]:box[2], a0:a1]
                pieces.setdefault(mu, {}).setdefault(box, []).append(
                    (lam, start, stop, a0, a1, Kp.reshape(-1, a1 - a0)))
    plan = _LevelPlan()
    for mu, by_box in pieces.items():
        groups = []
        for box in sorted(by_box, key=lambda b: (b is not None, b or ())):
            members, rows, r = [], [], 0
            for lam, start, stop, a0, a1, Kp in by_box[box]:
                members.append((lam, start, stop, a0, a1, r, r + a1 - a0))
                rows.append(Kp.T)
                r += a1 - a0
            K = np.ascontiguousarray(np.concatenate(rows, axis=0))
            K.setflags(write=False)
            groups.append(_Group(box, K, tuple(members)))
        plan[mu] = tuple(groups)
    return plan


_blocks_cached = lru_cache(maxsize=None)(_level_plan)

#: S_10's top coset tables (~190 MB) are kept in a cache bounded by bytes, so that a
#: second S_10 transform does not rebuild them; larger n rebuild per call.
LARGE_BLOCK_CACHE = ArrayCache(max_bytes=384 * 2 ** 20)


def _plan(m: int, lams: tuple[Partition, ...]) -> _LevelPlan:
    """:func:`_level_plan`, cached: for m <= 9 always, for m = 10 within :data:`LARGE_BLOCK_CACHE`."""
    if m <= _CACHE_MAX_N:
        return _blocks_cached(m, lams)
    if m == _CACHE_MAX_N + 1:
        return LARGE_BLOCK_CACHE.get((m, lams), lambda: _level_plan(m, lams))
    return _level_plan(m, lams)


# ---------------------------------------------------------------- array backends
class _NumpyOps:
    _cache: dict = {}

    @staticmethod
    def cat(arrays):
        return np.concatenate(arrays, axis=1)

    @staticmethod
    def permute(a, axes):
        return a.transpose(axes)

    @staticmethod
    def empty(shape, like):
        return np.empty(shape, dtype=like.dtype)

    @classmethod
    def const(cls, arr, like, cache=True):
        if like.dtype not in (np.float32, np.complex64):
            return arr
        if not cache:
            return match_precision(arr, like.dtype)
        hit = cls._cache.get(id(arr))
        if hit is None or hit[0] is not arr:  # single precision: cast once per table
            hit = (arr, match_precision(arr, like.dtype))
            if len(cls._cache) > 4096:
                cls._cache.clear()
            cls._cache[id(arr)] = hit
        return hit[1]

    @staticmethod
    def contiguous(a):
        return np.ascontiguousarray(a)

    @staticmethod
    def index(n, like, inverse):
        return _element_to_leaf(n) if inverse else leaf_to_element(n)

    @staticmethod
    def take_columns(a, idx):
        return np.take(a, idx, axis=1)  # faster than a[:, idx] (S_8, batch 32: ~2x)


class _TorchOps:
    _cache: dict = {}

    @staticmethod
    def cat(arrays):
        import torch
        return torch.cat(arrays, dim=1)

    @staticmethod
    def permute(a, axes):
        return a.permute(*axes)

    @staticmethod
    def empty(shape, like):
        import torch
        return torch.empty(shape, dtype=like.dtype, device=like.device)

    @staticmethod
    def contiguous(a):
        return a.contiguous()

    @classmethod
    def const(cls, arr, like, cache=True):
        import torch
        if not cache:
            return torch.from_numpy(np.array(arr)).to(device=like.device, dtype=like.dtype)
        key = (id(arr), like.dtype, str(like.device))
        hit = cls._cache.get(key)
        if hit is None or hit[0] is not arr:
            hit = (arr, torch.from_numpy(np.array(arr)).to(device=like.device, dtype=like.dtype))
            if len(cls._cache) > 4096:
                cls._cache.clear()
            cls._cache[key] = hit
        return hit[1]

    @classmethod
    def index(cls, n, like, inverse):
        return cls.const(_element_to_leaf(n) if inverse else leaf_to_element(n), _IndexLike(like))

    @staticmethod
    def take_columns(a, idx):
        return a[:, idx]


class _IndexLike:
    """Stand-in 'like' for integer index tensors on a device."""

    def __init__(self, like):
        import torch
        self.dtype, self.device = torch.int64, like.device


def _ops(x: Any):
    return _TorchOps if type(x).__module__.startswith("torch") else _NumpyOps


# ---------------------------------------------------------------- transforms
# Storage: at level m the coefficient of λ ⊢ m is an array (d, Q, d) laid out as
# [column][sub-problem q][row], q running over batch × n!/m! with the coset index of the
# next level least significant, q = q'·(m+1) + j_{m+1}.  For a corner μ the step
# Σ_j ρ_λ(c_j)[:, μ] F_j(μ) is then ONE matrix product F_μ.reshape(d_μ·Q, m·d_μ) @ K
# whose result is exactly λ's slab of columns [start:stop] (contiguous): no copy of
# F_μ and none of the result.  The inverse runs the same products transposed.
#: The bottom of the cascade, S_1 ⊂ … ⊂ S_BASE_N, is one dense transform on S_BASE_N: its
#: levels 2..4 as coset steps were matrix products with 1..3 columns (0.3 GF/s).
BASE_N = 4


@lru_cache(maxsize=None)
def _base_matrix(k: int, lams: tuple[Partition, ...]) -> NDArray:
    """R[leaf, (λ, b, a)] = ρ_λ(σ_leaf)[a, b] on S_k, columns per λ in ``lams`` order."""
    from ._perm import permutation_array
    from ._young import young_matrix

    perms = permutation_array(k)[leaf_to_element(k)]
    cols = [np.stack([young_matrix(lam, "orthogonal", tuple(p), exact=False).T.reshape(-1)
                      for p in perms.tolist()]) for lam in lams]
    R = np.ascontiguousarray(np.concatenate(cols, axis=1))
    R.setflags(write=False)
    return R


def _matmul_into(a: Any, b: Any, out: Any) -> None:
    if type(out).__module__.startswith("torch"):
        import torch
        torch.matmul(a, b, out=out)
    else:
        np.matmul(a, b, out=out)


def forward(n: int, f: Any, labels: Sequence[Partition]) -> dict[Partition, Any]:
    """f̂(λ) for λ in ``labels``; ``f`` has shape batch + (n!,) in ``G.elements`` order.

    Returns arrays of shape batch + (d_λ, d_λ), the dtype of ``f`` (float or complex).
    """
    ops = _ops(f)
    batch, N = tuple(f.shape[:-1]), factorial(n)
    B = prod(batch)
    x = ops.take_columns(f.reshape(B, N), ops.index(n, f, inverse=False))
    needed = _needed(n, labels)
    k = min(n, BASE_N)
    Qk = B * (N // factorial(k))
    base = x.reshape(Qk, factorial(k)) @ ops.const(_base_matrix(k, needed[k]), x)  # [q][(λ, b, a)]
    F, col = {}, 0
    for lam in needed[k]:
        d = _dim(lam)
        F[lam] = ops.contiguous(ops.permute(base[:, col:col + d * d].reshape(Qk, d, d), (1, 0, 2)))
        col += d * d
    for m in range(k + 1, n + 1):
        Q = B * (N // factorial(m))
        cache = m <= _CACHE_MAX_N
        out = {lam: ops.empty((_dim(lam), Q, _dim(lam)), x) for lam in needed[m]}
        for mu, groups in _plan(m, needed[m]).items():
            dm = _dim(mu)
            A = F[mu].reshape(dm * Q, m * dm)
            for box, K, members in groups:
                Kc = ops.const(K, x, cache)
                src = A if box is None else ops.contiguous(
                    F[mu].reshape(dm * Q, m, dm)[:, :box[0], box[1]:box[2]]).reshape(dm * Q, -1)
                for lam, start, stop, a0, a1, r0, r1 in members:
                    d = out[lam].shape[0]
                    dst = out[lam][start:stop].reshape(dm * Q, d)
                    _matmul_into(src, Kc[r0:r1].T, dst if a1 - a0 == d else dst[:, a0:a1])
        F = out
    return {lam: ops.contiguous(ops.permute(F[lam], (1, 2, 0))).reshape(batch + (F[lam].shape[0],) * 2)
            for lam in labels}


def inverse(n: int, F: dict[Hashable, Any]) -> Any:
    """f on S_n (``G.elements`` order) from the coefficients in ``F``; missing irreps are zero."""
    first = next(iter(F.values()))
    ops = _ops(first)
    batch, N = tuple(first.shape[:-2]), factorial(n)
    B = prod(batch)
    needed = _needed(n, F.keys())
    W = {}
    for lam in needed[n]:
        d = _dim(lam)
        W[lam] = ops.contiguous(ops.permute(F[lam].reshape(B, d, d), (2, 0, 1)) * (d / N))  # [col][b][row]
    k = min(n, BASE_N)
    for m in range(n, k, -1):
        Q = B * (N // factorial(m))
        cache = m <= _CACHE_MAX_N
        below: dict = {}
        for mu, groups in _plan(m, needed[m]).items():
            dm = _dim(mu)
            res = ops.empty((dm, Q * m, dm), first)
            if groups[0].box is not None:  # pragma: no cover - the diagonal block reads everything
                res[...] = 0
            for box, K, members in groups:
                # transpose of the forward step: F_j(μ) += ρ_λ(c_j)[:, μ]^T W(λ)[:, μ], the
                # contraction over the members stacked into one product
                parts = [W[lam][start:stop].reshape(dm * Q, -1)[:, a0:a1]
                         for lam, start, stop, a0, a1, _, _ in members]
                A = parts[0] if len(parts) == 1 else ops.cat(parts)
                Kc = ops.const(K, first, cache)
                if box is None:
                    _matmul_into(A, Kc, res.reshape(dm * Q, m * dm))
                else:
                    res.reshape(dm * Q, m, dm)[:, :box[0], box[1]:box[2]] += (A @ Kc).reshape(
                        dm * Q, box[0], box[2] - box[1])
            below[mu] = res
        W = below
    Qk = B * (N // factorial(k))
    lams = tuple(lam for lam in partitions(k) if lam in W)
    stacked = ops.contiguous(ops.cat([ops.permute(W[lam], (1, 0, 2)).reshape(Qk, -1) for lam in lams]))
    leaves = (stacked @ ops.const(_base_matrix(k, lams), stacked).T).reshape(B, N)
    return ops.take_columns(leaves, ops.index(n, leaves, inverse=True)).reshape(batch + (N,))
