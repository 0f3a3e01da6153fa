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
n!/m! sub-problems and all m cosets are handled at once by a few matrix products
(GEMM) per pair (λ ⊢ m, corner μ): no Python loop over group elements.  Storage
at every level is Σ_{μ ⊢ m} d_μ² · n!/m! = n! numbers per function, i.e. O(|G|).

Fewer flops than the dense coset tables
---------------------------------------
For j <= m − 2, :math:`c_j = c'_j s_{m-2}` with :math:`c'_j \in S_{m-1}`, so
:math:`\rho_\lambda(c_j) = (\bigoplus_{\mu'}\rho_{\mu'}(c'_j))\,\rho_\lambda(s_{m-2})`, and
:math:`\rho_\lambda(s_{m-2})` links a row of the corner μ' to one of μ only through
ν = μ ∩ μ' (the paths differing in the boxes m − 2, m − 1).  Hence

* the rows of μ' ≠ μ in λ's column block μ read only j <= m − 2 and the rows of μ's block
  of ν: a box of the input (a tenth to a third of it), computed on a copy of that box;
* the diagonal block is :math:`\rho_\lambda(c_j)_{[\mu,\mu]} = \sum_\nu \alpha_\nu(\lambda)\,
  \rho_\mu(c'_j)_{[:,\nu]}` (rows ν) with :math:`\alpha_\nu(\lambda) = 1/(c(\lambda/\mu) - c(\mu/\nu))`
  (c = content of a box, Young's rule), and :math:`\rho_\lambda(c_{m-1}) = I`: the k products
  :math:`P_\nu = \sum_{j \le m-2}\rho_\mu(c'_j)_{[:,\nu]}\hat f_j(\mu)_{[\nu,:]}` serve every
  parent λ of μ, the diagonal block of each being :math:`\hat f_{m-1}(\mu) + \sum_\nu \alpha_\nu P_\nu`.

Which of these pays is decided per μ by a cost model of one-thread GEMMs and copies measured
on a 2-core machine (:data:`GEMM_OVERHEAD`, :data:`GATHER_COST`, :data:`PASS_COST`); the
boxes and the factors α are read off the coset matrices and checked entry by entry, so a
plan is exact whatever it chooses.  S_10 (batch 1): 18.5 GFlop of dense coset products
become 6.4 GFlop (S_9: 649 → 268 MFlop).

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
from ._young import _young_blocks, _young_entry, standard_tableaux
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
    """ρ_λ(s_i) as sparse matrices (at most two entries per row), built from Young's rule
    directly: the dense generators of S_10 would hold 260 MB."""
    d, out = _dim(lam), []
    for i in range(sum(lam) - 1):
        rows, cols, vals = [], [], []
        for a, b, r in _young_blocks(lam, i):
            diag, off = _young_entry(r, "orthogonal", exact=False)
            rows.append(a), cols.append(a), vals.append(diag)
            if b is not None:
                rows.append(b), cols.append(a), vals.append(off)  # column a is the image of e_{T_a}
        out.append(sparse.csr_matrix((vals, (rows, cols)), shape=(d, d)))
    return tuple(out)


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
#: number costs GATHER_COST + GATHER_RUN_COST / (its contiguous run) flops (a copy of a box
#: with runs of 14, 5, 1 numbers took 2.5, 5.5, 6.5 ns a number there under load, i.e.
#: ~110 + 250/run; of the constants tried in interleaved runs of S_8 batch 32, S_9 and S_10
#: (110/250/64, 64/0/64, 32/64/32, 16/32/16 for the copy, run and pass costs) 32/64/32 was
#: the fastest or equal on all three).  Splitting a product pays only where it lowers this cost.
GEMM_OVERHEAD = 24.0
GATHER_COST = 32.0
GATHER_RUN_COST = 64.0


def _gather_cost(box: tuple[int, int, int]) -> float:
    """Modelled cost of copying ``box`` (j < j1, c0 <= c < c1), per input row."""
    j1, c0, c1 = box
    return (GATHER_COST + GATHER_RUN_COST / (c1 - c0)) * j1 * (c1 - c0)


def _candidates(K3: NDArray, corners) -> list[tuple[int, int, tuple[int, int, int] | None]]:
    """Per corner μ' of λ (row range a0:a1): the box of (j, c) its rows of K3 depend on (None: all).

    ``K3[j, c, a] = ρ_λ(c_j)[a, start + c]`` (λ's column block μ).  For j <= m − 2,
    ρ_λ(c_j) = ρ_λ(c'_j)·ρ_λ(s_{m−2}) with ρ_λ(c'_j) block-diagonal over the corners of λ and
    ρ_λ(s_{m−2}) linking a row of μ' to a row of μ only through ν = μ ∩ μ'; so for μ' ≠ μ the
    rows of μ' depend only on j <= m − 2 and the rows of μ's block of ν, a box of the input.
    The box is read off the non-zeros of ``K3`` (exact whatever the basis).
    """
    m, dm = K3.shape[0], K3.shape[1]
    out = []
    for _, a0, a1 in corners:
        nz = np.any(K3[:, :, a0:a1] != 0, axis=2)
        js, cs = np.flatnonzero(nz.any(axis=1)), np.flatnonzero(nz.any(axis=0))
        box = None
        if len(js) and (int(js[-1]) + 1) * (int(cs[-1]) + 1 - int(cs[0])) < m * dm:
            box = (int(js[-1]) + 1, int(cs[0]), int(cs[-1]) + 1)
        out.append((a0, a1, box))
    return out


def _product_cost(vol: int, rows: int) -> float:
    """Modelled cost of a product reading ``vol`` input columns into ``rows`` outputs, per input row."""
    return 2 * vol * (rows + GEMM_OVERHEAD)


def _pieces(cand, full: int, skip: int = -1) -> tuple[list[tuple[int, int, tuple | None]], float]:
    """The ranges of least modelled cost: each candidate on its box or merged into whole-input
    products where adjacent (:data:`GEMM_OVERHEAD`, :data:`GATHER_COST`); candidate ``skip``
    is left out (computed elsewhere)."""
    best, best_cost = [], np.inf
    for mask in range(2 ** len(cand)):
        ranges: list[list] = []
        for i, (a0, a1, box) in enumerate(cand):
            if (mask >> i) & 1 and (box is None or i == skip):
                break
            if i == skip:
                ranges.append([a0, a1, "skip"])
            elif not (mask >> i) & 1 and ranges and ranges[-1][2] is None:
                ranges[-1][1] = a1
            else:
                ranges.append([a0, a1, box if (mask >> i) & 1 else None])
        else:
            cost = 0.0
            for a0, a1, box in ranges:
                if box != "skip":
                    vol = full if box is None else box[0] * (box[2] - box[1])
                    cost += _product_cost(vol, a1 - a0) + (0 if box is None else _gather_cost(box))
            if cost < best_cost:
                best, best_cost = [(a0, a1, box) for a0, a1, box in ranges if box != "skip"], cost
    return best, best_cost


#: Modelled cost, in flops, of one elementwise pass over one number (see :data:`GATHER_COST`).
PASS_COST = 32.0


def _diagonal_factors(C_lam: NDArray, C_mu: NDArray, start: int, stop: int, nus) -> tuple[float, ...] | None:
    """α_ν with ρ_λ(c_j)[μ, μ] = Σ_ν α_ν ρ_μ(c'_j)[:, ν]·(rows ν) for j <= m − 2 and I for j = m − 1.

    ρ_λ(s_{m−2}) is diagonal on μ's rows, constant on each block ν of μ (Young's orthogonal
    form: 1/(axial distance of the boxes m − 2, m − 1)), so the diagonal block of every parent λ
    of μ is a combination of the same k products with μ's own coset matrices.  Checked against
    ``C_lam`` entry by entry (None if it does not hold to 1e-12).
    """
    m = C_lam.shape[0]
    D = C_lam[:, start:stop, start:stop]
    if np.abs(D[m - 1] - np.eye(stop - start)).max() > 1e-12:
        return None
    alphas = []
    for _, o0, o1 in nus:
        X, Y = D[:m - 1, :, o0:o1], C_mu[:, :, o0:o1]
        i = np.unravel_index(np.argmax(np.abs(Y)), Y.shape)
        alpha = float(X[i] / Y[i])
        if np.abs(X - alpha * Y).max() > 1e-12:
            return None
        alphas.append(alpha)
    return tuple(alphas)


class _Group(NamedTuple):
    """The products of one level that read the same box of one μ.

    ``K[r0:r1].T`` is the table of member (λ, start, stop, a0, a1, r0, r1):
    ``K[r0 + a − a0, (j, c)] = ρ_λ(c_j)[a, start + c]`` over the box (all (j, c) for None).
    A member with λ None is the product P_ν of :class:`_Shared` (``start`` = index of ν).
    """

    box: tuple[int, int, int] | None
    K: NDArray
    members: tuple[tuple[Any, int, int, int, int, int, int], ...]


class _Shared(NamedTuple):
    """Diagonal blocks from μ's own products: rows μ of λ's column block μ are
    F_{m−1}(μ) + Σ_ν α_ν P_ν with P_ν = F(μ)[j <= m−2, rows ν] @ ρ_μ(c'_j)[:, ν]^T, one product
    per corner ν of μ shared by all parents λ instead of one per λ.  ``members``:
    (λ, start, stop, (α_ν per corner ν of μ))."""

    members: tuple[tuple[Partition, int, int, tuple[float, ...]], ...]


class _LevelPlan(dict):
    """μ ⊢ m−1 → (its :class:`_Group` s, the box None first; :class:`_Shared` or None)."""

    @property
    def nbytes(self) -> int:
        return sum(g.K.nbytes for groups, _ in self.values() for g in groups)


def _level_plan(m: int, lams: tuple[Partition, ...]) -> _LevelPlan:
    """The coset step from level m − 1 to level m for the partitions ``lams`` of m.

    Per μ ⊢ m − 1 the cheaper (modelled) of: each parent's column block μ split into ranges
    on their boxes (:func:`_pieces`), or the same with the diagonal blocks shared
    (:class:`_Shared`).
    """
    # pass 1: the boxes and the diagonal factors of every (λ, corner μ); the decision per μ
    parents: dict[Partition, list] = {}
    C_mus: dict[Partition, NDArray] = {}
    for lam in lams:
        C = coset_matrices(lam)
        corners = _corners(lam)
        for mu, start, stop in corners:
            alpha = None
            if m - 1 > 1:
                if mu not in C_mus:
                    C_mus[mu] = coset_matrices(mu)
                alpha = _diagonal_factors(C, C_mus[mu], start, stop, _corners(mu))
            cand = _candidates(C[:, :, start:stop].transpose(0, 2, 1), corners)
            parents.setdefault(mu, []).append((lam, start, stop, cand, alpha))
        del C
    chosen: dict[tuple[Partition, Partition], list] = {}
    shares: dict[Partition, _Shared] = {}
    for mu, items in parents.items():
        dm = _dim(mu)
        full = m * dm
        plain = [_pieces(cand, full) for _, _, _, cand, _ in items]
        ranges, cost = [r for r, _ in plain], sum(c for _, c in plain)
        nus = _corners(mu)
        if all(alpha is not None for *_, alpha in items):
            split = [_pieces(cand, full, skip=[c[0] for c in cand].index(start))
                     for _, start, _, cand, _ in items]
            cost_shared = (sum(c for _, c in split)
                           + sum(_product_cost((m - 1) * (o1 - o0), dm) + _gather_cost((m - 1, o0, o1))
                                 for _, o0, o1 in nus)
                           + PASS_COST * 1.5 * len(items) * (len(nus) + 1) * dm)
            if cost_shared < cost:
                ranges = [r for r, _ in split]
                shares[mu] = _Shared(tuple((lam, start, stop, alpha) for lam, start, stop, _, alpha in items))
        for (lam, *_), r in zip(items, ranges):
            chosen[lam, mu] = r
    # the groups: per μ and box, the members' rows of one stacked table
    layout: dict[Partition, dict] = {mu: {} for mu in parents}
    for (lam, mu), rngs in chosen.items():
        start = next(s0 for nu, s0, _ in _corners(lam) if nu == mu)
        for a0, a1, box in rngs:
            layout[mu].setdefault(box, []).append((lam, start, start + _dim(mu), a0, a1))
    for mu in shares:
        for i, (_, o0, o1) in enumerate(_corners(mu)):
            layout[mu].setdefault((m - 1, o0, o1), []).append((None, i, 0, 0, _dim(mu)))
    groups: dict[Partition, list] = {}
    where: dict[tuple, tuple[NDArray, int, int]] = {}
    for mu, by_box in layout.items():
        full = m * _dim(mu)
        groups[mu] = []
        for box in sorted(by_box, key=lambda b: (b is not None, b or ())):
            members, r = [], 0
            for lam, start, stop, a0, a1 in by_box[box]:
                members.append((lam, start, stop, a0, a1, r, r + a1 - a0))
                r += a1 - a0
            K = np.empty((r, full if box is None else box[0] * (box[2] - box[1])))
            for lam, start, _, a0, a1, r0, r1 in members:
                where[lam, mu, a0, box] = (K, r0, r1) if lam is not None else None
                where[mu, start, box] = (K, r0, r1) if lam is None else where.get((mu, start, box))
            groups[mu].append(_Group(box, K, tuple(members)))
    # the tables, one λ's coset matrices at a time (S_10's all at once would be 290 MB)
    for lam in lams:
        C = coset_matrices(lam)
        for mu, start, stop in _corners(lam):
            K3 = C[:, :, start:stop].transpose(0, 2, 1)  # [j][c][a]
            for a0, a1, box in chosen[lam, mu]:
                K, r0, r1 = where[lam, mu, a0, box]
                Kp = K3[:, :, a0:a1] if box is None else K3[:box[0], box[1]:box[2], a0:a1]
                K[r0:r1] = Kp.reshape(-1, a1 - a0).T
        del C
    for mu in shares:
        dm = _dim(mu)
        for i, (_, o0, o1) in enumerate(_corners(mu)):
            K, r0, r1 = where[mu, i, (m - 1, o0, o1)]
            K[r0:r1] = C_mus[mu][:, :, o0:o1].transpose(0, 2, 1).reshape(-1, dm).T
    plan = _LevelPlan()
    for mu, gs in groups.items():
        for g in gs:
            g.K.setflags(write=False)
        plan[mu] = (tuple(gs), shares.get(mu))
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

    @staticmethod
    def scaled(a, c):
        """c·a as a new C-contiguous array, in one pass (``a * c`` keeps a's strides)."""
        out = np.empty(a.shape, dtype=np.result_type(a, c))
        np.multiply(a, c, out=out)
        return out

    @staticmethod
    def lincomb(dst, terms, tmp):
        """dst = Σ α·x over ``terms`` ((α, x) pairs), ``tmp`` a scratch of dst's shape."""
        (a0, x0), *rest = terms
        np.multiply(x0, a0, out=dst)
        for a, x in rest:
            if a == 1.0:
                np.add(dst, x, out=dst)
            else:
                np.multiply(x, a, out=tmp)
                np.add(dst, tmp, out=dst)


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

    @staticmethod
    def scaled(a, c):
        return (a * c).contiguous()

    @staticmethod
    def lincomb(dst, terms, tmp):
        (a0, x0), *rest = terms
        dst.copy_(x0).mul_(a0)
        for a, x in rest:
            dst.add_(x, alpha=a)


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
        for mu, (groups, share) in _plan(m, needed[m]).items():
            dm = _dim(mu)
            M = dm * Q
            A = F[mu].reshape(M, m * dm)
            P = None if share is None else ops.empty((len(_corners(mu)), M, dm), x)
            for box, K, members in groups:
                Kc = ops.const(K, x, cache)
                src = A if box is None else ops.contiguous(
                    F[mu].reshape(M, m, dm)[:, :box[0], box[1]:box[2]]).reshape(M, -1)
                for lam, start, stop, a0, a1, r0, r1 in members:
                    if lam is None:
                        dst = P[start]
                    else:
                        d = out[lam].shape[0]
                        dst = out[lam][start:stop].reshape(M, d)
                        dst = dst if a1 - a0 == d else dst[:, a0:a1]
                    _matmul_into(src, Kc[r0:r1].T, dst)
            if share is not None:  # diagonal blocks: F_{m-1}(μ) + Σ_ν α_ν P_ν
                last, tmp = F[mu].reshape(M, m, dm)[:, m - 1], ops.empty((M, dm), x)
                for lam, start, stop, alphas in share.members:
                    dst = out[lam][start:stop].reshape(M, out[lam].shape[0])[:, start:stop]
                    ops.lincomb(dst, list(zip(alphas, P)) + [(1.0, last)], tmp)
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
        W[lam] = ops.scaled(ops.permute(F[lam].reshape(B, d, d), (2, 0, 1)), d / N)  # [col][b][row]
    k = min(n, BASE_N)
    for m in range(n, k, -1):
        Q = B * (N // factorial(m))
        cache = m <= _CACHE_MAX_N
        below: dict = {}
        for mu, (groups, share) in _plan(m, needed[m]).items():
            dm = _dim(mu)
            M = dm * Q
            res = ops.empty((dm, Q * m, dm), first)
            res3 = res.reshape(M, m, dm)
            # regions written (not added to) by their first product: with a whole-input product
            # everything; with shared diagonal blocks the boxes of μ's own products and the slot
            # j = m − 1, which cover res between them
            fresh: set = set()
            if groups[0].box is None:
                fresh = {g.box for g in groups}
            elif share is not None:
                fresh = {(m - 1, o0, o1) for _, o0, o1 in _corners(mu)} | {None}
            else:
                res[...] = 0
            U = None
            if share is not None:  # transpose of the shared diagonal blocks: U_ν = Σ_λ α_ν(λ) W(λ)[μ, μ]
                V = [W[lam][start:stop].reshape(M, -1)[:, start:stop] for lam, start, stop, _ in share.members]
                U, tmp = ops.empty((len(_corners(mu)), M, dm), first), ops.empty((M, dm), first)
                for i in range(U.shape[0]):
                    ops.lincomb(U[i], [(alphas[i], v) for (*_, alphas), v in zip(share.members, V)], tmp)
            for box, K, members in sorted(groups, key=lambda g: g.box not in fresh):  # written first
                # transpose of the forward step: F_j(μ) += ρ_λ(c_j)[:, μ]^T W(λ)[:, μ], the
                # contraction over the members stacked into one product
                parts = [U[start] if lam is None else W[lam][start:stop].reshape(M, -1)[:, a0:a1]
                         for lam, start, stop, a0, a1, _, _ in members]
                A = parts[0] if len(parts) == 1 else ops.cat(parts)
                Kc = ops.const(K, first, cache)
                if box is None:
                    _matmul_into(A, Kc, res.reshape(M, m * dm))
                else:
                    region = res3[:, :box[0], box[1]:box[2]]
                    prod_ = (A @ Kc).reshape(M, box[0], box[2] - box[1])
                    if groups[0].box is None or box not in fresh:
                        region += prod_
                    else:
                        region[...] = prod_
            if share is not None:
                slot = res3[:, m - 1]
                for i, v in enumerate(V):
                    if i == 0 and groups[0].box is not None:
                        slot[...] = v
                    else:
                        slot += v
            below[mu] = res
        W = below
    Qk = B * (N // factorial(k))
    lams = tuple(lam for lam in partitions(k) if lam in W)
    stacked, col = ops.empty((Qk, sum(_dim(lam) ** 2 for lam in lams)), first), 0
    for lam in lams:  # [q][(λ, col, row)], one strided copy per λ
        d = _dim(lam)
        stacked[:, col:col + d * d].reshape(Qk, d, d)[...] = ops.permute(W[lam], (1, 0, 2))
        col += d * d
    leaves = (stacked @ ops.const(_base_matrix(k, lams), stacked).T).reshape(B, N)
    return ops.take_columns(leaves, ops.index(n, leaves, inverse=True)).reshape(batch + (N,))
