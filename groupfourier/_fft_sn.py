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

Leaves are ordered by (j_n, j_{n−1}, …, j_2), the element being
:math:`c^{(n)}_{j_n} c^{(n-1)}_{j_{n-1}} \cdots c^{(2)}_{j_2}`; one gather
maps ``G.elements`` order to leaf order.

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
from typing import Any, Hashable, Iterable, Sequence

import numpy as np
from numpy.typing import NDArray

from .groups.symmetric import rank_permutations
from .irreps import standard_tableaux, young_generator_matrices
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
    """``idx[leaf]`` = index in ``SymmetricGroup(n).elements`` of the leaf's element."""
    perms = np.zeros((1, 1), dtype=np.int8)
    for m in range(2, n + 1):
        ext = np.concatenate([perms, np.full((len(perms), 1), m - 1, np.int8)], axis=1)
        perms = np.concatenate([_coset_perm(m, j).astype(np.int8)[ext] for j in range(m)], axis=0)
    idx = rank_permutations(perms) if n > 1 else np.zeros(1, dtype=np.intp)
    idx.setflags(write=False)
    return idx


@lru_cache(maxsize=12)
def _element_to_leaf(n: int) -> NDArray[np.intp]:
    idx = leaf_to_element(n)
    out = np.empty_like(idx)
    out[idx] = np.arange(len(idx))
    out.setflags(write=False)
    return out


def _coset_matrices(lam: Partition) -> NDArray:
    m, d = sum(lam), _dim(lam)
    gens = young_generator_matrices(lam)
    C = np.empty((m, d, d))
    C[m - 1] = np.eye(d)
    for j in range(m - 2, -1, -1):  # ρ(c_j) = ρ(s_j) ρ(c_{j+1})
        C[j] = gens[j] @ C[j + 1]
    C.setflags(write=False)
    return C


_coset_matrices_cached = lru_cache(maxsize=None)(_coset_matrices)


def coset_matrices(lam: Partition) -> NDArray:
    """ρ_λ(c_j) for j = 0..m−1, shape (m, d, d), read-only (cached for m <= 9)."""
    if sum(lam) <= _CACHE_MAX_N:
        return _coset_matrices_cached(lam)
    return _coset_matrices(lam)


# ---------------------------------------------------------------- array backends
class _NumpyOps:
    @staticmethod
    def tensordot(a, b, axes):
        return np.tensordot(a, b, axes)

    @staticmethod
    def permute(a, axes):
        return a.transpose(axes)

    @staticmethod
    def empty(shape, like):
        return np.empty(shape, dtype=like.dtype)

    @staticmethod
    def zeros(shape, like):
        return np.zeros(shape, dtype=like.dtype)

    @staticmethod
    def const(arr, like, cache=True):
        return arr

    @staticmethod
    def index(n, like, inverse):
        return _element_to_leaf(n) if inverse else leaf_to_element(n)


class _TorchOps:
    _cache: dict = {}

    @staticmethod
    def tensordot(a, b, axes):
        import torch
        return torch.tensordot(a, b, dims=axes)

    @staticmethod
    def permute(a, axes):
        return a.permute(*axes)

    @staticmethod
    def empty(shape, like):
        import torch
        return torch.empty(shape, dtype=like.dtype, device=like.device)

    @staticmethod
    def zeros(shape, like):
        import torch
        return torch.zeros(shape, dtype=like.dtype, device=like.device)

    @classmethod
    def const(cls, arr, like, cache=True):
        import torch
        if not cache:
            return torch.as_tensor(arr, device=like.device).to(like.dtype)
        key = (id(arr), like.dtype, str(like.device))
        hit = cls._cache.get(key)
        if hit is None or hit[0] is not arr:
            hit = (arr, torch.as_tensor(arr, device=like.device).to(like.dtype))
            if len(cls._cache) > 512:
                cls._cache.clear()
            cls._cache[key] = hit
        return hit[1]

    @classmethod
    def index(cls, n, like, inverse):
        return cls.const(_element_to_leaf(n) if inverse else leaf_to_element(n), _IndexLike(like))


class _IndexLike:
    """Stand-in 'like' for integer index tensors on a device."""

    def __init__(self, like):
        import torch
        self.dtype, self.device = torch.int64, like.device


def _ops(x: Any):
    return _TorchOps if type(x).__module__.startswith("torch") else _NumpyOps


# ---------------------------------------------------------------- transforms
def forward(n: int, f: Any, labels: Sequence[Partition]) -> dict[Partition, Any]:
    """f̂(λ) for λ in ``labels``; ``f`` has shape batch + (n!,) in ``G.elements`` order.

    Returns arrays of shape batch + (d_λ, d_λ), the dtype of ``f`` (float or complex).
    """
    ops = _ops(f)
    batch, N = tuple(f.shape[:-1]), factorial(n)
    B = prod(batch)
    x = f.reshape(B, N)[:, ops.index(n, f, inverse=False)]
    needed = _needed(n, labels)
    F = {(1,): x.reshape(B * N, 1, 1)}
    for m in range(2, n + 1):
        P = B * (N // factorial(m))
        level = {}
        for lam in needed[m]:
            C = ops.const(coset_matrices(lam), x, m <= _CACHE_MAX_N)
            d = C.shape[-1]
            out = ops.empty((P, d, d), x)
            for mu, start, stop in _corners(lam):
                dm = stop - start
                Fm = F[mu].reshape(P, m, dm, dm)
                # Σ_j C_j[:, μ] F_j(μ): one GEMM over (j, c), batched over the P sub-problems.
                res = ops.tensordot(C[:, :, start:stop], Fm, ([0, 2], [1, 2]))  # (d, P, dm)
                out[:, :, start:stop] = ops.permute(res, (1, 0, 2))
            level[lam] = out
        F = level
    return {lam: F[lam].reshape(batch + F[lam].shape[-2:]) for lam in labels}


def inverse(n: int, F: dict[Hashable, Any]) -> Any:
    """f on S_n (``G.elements`` order) from the coefficients in ``F``; missing irreps are zero."""
    first = next(iter(F.values()))
    ops = _ops(first)
    batch, N = tuple(first.shape[:-2]), factorial(n)
    B = prod(batch)
    needed = _needed(n, F.keys())
    W = {lam: F[lam].reshape((B,) + tuple(F[lam].shape[-2:])) * (_dim(lam) / N) for lam in needed[n]}
    for m in range(n, 1, -1):
        P = B * (N // factorial(m))
        below = {}
        for lam in needed[m]:
            C = ops.const(coset_matrices(lam), W[lam], m <= _CACHE_MAX_N)
            for mu, start, stop in _corners(lam):
                dm = stop - start
                # transpose of the forward step: F_j(μ) += C_j[:, μ]^T W(λ)[:, μ]
                res = ops.tensordot(C[:, :, start:stop], W[lam][:, :, start:stop], ([1], [1]))
                res = ops.permute(res, (2, 0, 1, 3)).reshape(P * m, dm, dm)  # (P·m, dm, dm)
                below[mu] = res if mu not in below else below[mu] + res
        W = below
    leaves = W[(1,)].reshape(B, N)
    return leaves[:, ops.index(n, leaves, inverse=True)].reshape(batch + (N,))
