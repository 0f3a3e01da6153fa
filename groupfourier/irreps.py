r"""Irreducible representations of Z_n, D_n and S_n, exact (sympy) and numeric (numpy).

Labels and forms
----------------
Z_n, ``form="complex"`` (default)
    label ``k`` in 0..n−1, :math:`\rho_k(g) = e^{2\pi i k g/n}` (1×1).
Z_n, ``form="real"``
    the irreps over the reals: label ``k`` in 0..⌊n/2⌋; ``k = 0`` and ``k = n/2``
    are 1×1 (:math:`\cos \pi g`), the others are the rotation blocks
    :math:`R(2\pi k g/n)`, each equivalent over ℂ to :math:`\rho_k \oplus \rho_{-k}`.
D_n, ``form="complex"`` (default)
    Mulliken labels.  ``"A1"`` trivial; ``"A2"`` r ↦ 1, s ↦ −1; for even n also
    ``"B1"`` r ↦ −1, s ↦ 1 and ``"B2"`` r ↦ −1, s ↦ −1; and for
    1 ≤ j ≤ ⌊(n−1)/2⌋ the 2-dimensional ``"E<j>"`` with
    :math:`\rho(r) = \mathrm{diag}(\omega^j, \omega^{-j})`, :math:`\omega = e^{2\pi i/n}`,
    :math:`\rho(s) = \begin{pmatrix}0&1\\1&0\end{pmatrix}`.
D_n, ``form="real"``
    the same labels; ``"E<j>"`` becomes the rotation :math:`R(2\pi j/n)` for r and
    diag(1, −1) for s (real orthogonal, still irreducible over ℂ).
S_n, ``form="orthogonal"`` (default)
    Young's orthogonal form, labelled by partitions λ (``(n,)`` trivial,
    ``(1,)*n`` sign).  ``form="seminormal"`` gives Young's seminormal form
    (rational, not orthogonal).  The basis is the standard Young tableaux of
    shape λ, ordered lexicographically by the row of n−1, then of n−2, …; so the
    restriction to S_{n−1} (fixing n−1) is block diagonal, one block per
    removable corner from top to bottom, each block in the same form for
    S_{n−1} (adapted to the chain S_1 ⊂ … ⊂ S_n).  For the transposition
    s_i = (i, i+1) and a tableau T,

    .. math:: \rho(s_i) e_T = \tfrac{1}{r} e_T + \sqrt{1 - 1/r^2}\, e_{s_i T},
              \qquad r = c_T(i+1) - c_T(i),

    with contents c = column − row (the second term absent when s_i T is not
    standard, and then 1/r = ±1).

Direct products, ``form="product"`` (the only one)
    ρ_1 ⊗ … ⊗ ρ_k of the factors' irreps in their default forms, labelled by the
    tuple of the factors' labels, in lexicographic order of the factors' irrep
    lists (so the trivial one comes first); the matrix of (g_1, …, g_k) is the
    Kronecker product ρ_1(g_1) ⊗ … ⊗ ρ_k(g_k).

Exact matrices are sympy ``Matrix`` objects: roots of unity as
``exp(2*pi*I*k/n)`` (products reduce exactly), square roots of integers for
Young's orthogonal form, rationals for the seminormal form.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import product
from math import prod
from typing import Any, Hashable, Literal

import numpy as np
from ._lazy import sympy as sp  # imported at first use: `import groupfourier` stays fast
from numpy.typing import NDArray

from .groups import CyclicGroup, DihedralGroup, DirectProduct, FiniteGroup, SymmetricGroup
from .partitions import check_partition, partitions

__all__ = ["Irrep", "irreps_of", "irrep_of", "standard_tableaux", "young_generator_matrices",
           "FORMS"]

#: The forms each family offers; the first is the default.
FORMS: dict[type, tuple[str, ...]] = {
    CyclicGroup: ("complex", "real"),
    DihedralGroup: ("complex", "real"),
    SymmetricGroup: ("orthogonal", "seminormal"),
    DirectProduct: ("product",),
}

Form = Literal["complex", "real", "orthogonal", "seminormal"]


@dataclass(frozen=True)
class Irrep:
    """An irreducible representation ρ of a finite group.

    Attributes
    ----------
    group : FiniteGroup
    label : hashable
        ``k`` for Z_n, ``"A1"``/``"E2"``… for D_n, a partition for S_n.
    dim : int
        d_ρ.
    form : str
        Which matrix realisation (see the module docstring).

    Examples
    --------
    >>> rho = SymmetricGroup(3).irrep((2, 1))
    >>> rho.dim, rho.matrix((1, 0, 2), exact=True)      # s_0: 0 and 1 share a column of T_0
    (2, Matrix([
    [-1, 0],
    [ 0, 1]]))
    >>> rho.matrix((0, 2, 1), exact=True)               # s_1
    Matrix([
    [      1/2, sqrt(3)/2],
    [sqrt(3)/2,      -1/2]])
    """

    group: FiniteGroup
    label: Hashable
    dim: int
    form: str

    def __repr__(self) -> str:
        return f"Irrep({self.group!r}, {self.label!r}, dim={self.dim}, form={self.form!r})"

    @property
    def is_trivial(self) -> bool:
        """Whether this is the trivial representation g ↦ 1."""
        return self == self.group.irreps(form=self.form)[0]

    def matrix(self, g: Any, *, exact: bool = False) -> "sp.Matrix | NDArray":
        """ρ(g): a sympy ``Matrix`` if ``exact``, else a (d, d) numpy array."""
        i = self.group.index(g)
        if exact:
            return _exact_matrix(self, i)
        return _numeric_matrix(self, i)

    def matrices(self, *, exact: bool = False) -> "NDArray | tuple[sp.Matrix, ...]":
        """ρ at every element, in ``G.elements`` order.

        Numeric: a read-only array of shape (|G|, d, d), complex for
        ``form="complex"`` and real otherwise.  Exact: a tuple of sympy matrices.
        """
        if exact:
            return tuple(_exact_matrix(self, i) for i in range(self.group.order))
        return _all_matrices(self)


# ---------------------------------------------------------------------------- lookup
def _check_form(G: FiniteGroup, form: str | None) -> str:
    forms = FORMS[type(G)]
    if form is None:
        return forms[0]
    if form not in forms:
        raise ValueError(f"irreps of {G!r}: form must be one of {forms}; got form={form!r}.")
    return form


def irreps_of(G: FiniteGroup, form: str | None = None) -> tuple[Irrep, ...]:
    """Every irrep of ``G`` in the given form, trivial first (cached per group).

    Examples
    --------
    >>> [(r.label, r.dim) for r in irreps_of(DihedralGroup(4))]
    [('A1', 1), ('A2', 1), ('B1', 1), ('B2', 1), ('E1', 2)]
    >>> [r.label for r in irreps_of(SymmetricGroup(3))]
    [(3,), (2, 1), (1, 1, 1)]
    """
    return _irreps(G, _check_form(G, form))


@lru_cache(maxsize=None)
def _irreps(G: FiniteGroup, form: str) -> tuple[Irrep, ...]:
    if isinstance(G, CyclicGroup):
        n = G.n
        if form == "complex":
            return tuple(Irrep(G, k, 1, form) for k in range(n))
        return tuple(Irrep(G, k, 1 if 2 * k % n == 0 else 2, form) for k in range(n // 2 + 1))
    if isinstance(G, DihedralGroup):
        labels = ["A1", "A2"] + (["B1", "B2"] if G.n % 2 == 0 else [])
        out = [Irrep(G, lab, 1, form) for lab in labels]
        out += [Irrep(G, f"E{j}", 2, form) for j in range(1, (G.n - 1) // 2 + 1)]
        return tuple(out)
    if isinstance(G, SymmetricGroup):
        return tuple(Irrep(G, lam, len(standard_tableaux(lam)), form) for lam in partitions(G.n))
    if isinstance(G, DirectProduct):
        out = []
        for parts in product(*[F.irreps() for F in G.factors]):
            out.append(Irrep(G, tuple(r.label for r in parts), prod(r.dim for r in parts), form))
        return tuple(out)
    raise ValueError(f"irreps: no irreps are implemented for {G!r}.")  # pragma: no cover


def irrep_of(G: FiniteGroup, label: Hashable, form: str | None = None) -> Irrep:
    """The irrep of ``G`` with this label; ``ValueError`` listing valid labels otherwise."""
    form = _check_form(G, form)
    if isinstance(G, SymmetricGroup) and isinstance(label, (list, tuple)):
        label = check_partition(f"{G!r}.irrep", label, G.n)
    if isinstance(G, DirectProduct) and isinstance(label, (list, tuple)):
        label = tuple(F.irrep(x).label for F, x in zip(G.factors, label)) \
            if len(label) == len(G.factors) else tuple(label)
    for rho in _irreps(G, form):
        if rho.label == label:
            return rho
    valid = [r.label for r in _irreps(G, form)]
    shown = valid if len(valid) <= 12 else valid[:6] + ["…"] + valid[-3:]
    raise ValueError(f"{G!r}.irrep: no irrep labelled {label!r} in form {form!r}; "
                     f"valid labels: {', '.join(map(repr, shown))}.")


# ------------------------------------------------------------------ Z_n and D_n
def _cyclic_values(n: int, k: int, m: NDArray[np.intp]) -> NDArray:
    """e^{2πi k m / n}, with the exponent reduced mod n first for accuracy."""
    return np.exp(2j * np.pi * ((k * m) % n) / n)


def _rotations(theta: NDArray) -> NDArray:
    c, s = np.cos(theta), np.sin(theta)
    return np.stack([np.stack([c, -s], -1), np.stack([s, c], -1)], -2)


def _abelian_dihedral_matrices(rho: Irrep) -> NDArray:
    G, form = rho.group, rho.form
    if isinstance(G, CyclicGroup):
        g = np.arange(G.n)
        if rho.dim == 1:
            vals = _cyclic_values(G.n, rho.label, g)
            return (vals if form == "complex" else vals.real)[:, None, None]
        return _rotations(2 * np.pi * ((rho.label * g) % G.n) / G.n)
    n = G.n
    e, k = np.divmod(np.arange(2 * n), n)
    if rho.dim == 1:
        r_sign = -1.0 if rho.label[0] == "B" else 1.0
        s_sign = -1.0 if rho.label[1] == "2" else 1.0
        vals = r_sign ** k * s_sign ** e
        return (vals.astype(complex) if form == "complex" else vals)[:, None, None]
    j = int(rho.label[1:])
    if form == "complex":
        rot = np.zeros((n, 2, 2), complex)
        rot[:, 0, 0] = _cyclic_values(n, j, k[:n])
        rot[:, 1, 1] = _cyclic_values(n, -j, k[:n])
        s = np.array([[0, 1], [1, 0]], complex)
    else:
        rot = _rotations(2 * np.pi * ((j * k[:n]) % n) / n)
        s = np.diag([1.0, -1.0])
    return np.concatenate([rot, rot @ s], axis=0)  # r^k, then r^k s


def _exact_root(n: int, m: int) -> sp.Expr:
    return sp.exp(2 * sp.pi * sp.I * sp.Rational(m % n, n))


def _exact_rotation(n: int, m: int) -> sp.Matrix:
    t = 2 * sp.pi * sp.Rational(m % n, n)
    return sp.Matrix([[sp.cos(t), -sp.sin(t)], [sp.sin(t), sp.cos(t)]])


def _exact_abelian_dihedral(rho: Irrep, i: int) -> sp.Matrix:
    G, form = rho.group, rho.form
    if isinstance(G, CyclicGroup):
        if rho.dim == 2:
            return _exact_rotation(G.n, rho.label * i)
        if form == "complex":
            return sp.Matrix([[_exact_root(G.n, rho.label * i)]])
        return sp.Matrix([[(-1) ** ((2 * rho.label * i) // G.n)]])  # k = 0 or n/2
    e, k = divmod(i, G.n)
    if rho.dim == 1:
        r_sign = -1 if rho.label[0] == "B" else 1
        s_sign = -1 if rho.label[1] == "2" else 1
        return sp.Matrix([[sp.Integer(r_sign) ** k * sp.Integer(s_sign) ** e]])
    j = int(rho.label[1:])
    if form == "complex":
        rot = sp.diag(_exact_root(G.n, j * k), _exact_root(G.n, -j * k))
        s = sp.Matrix([[0, 1], [1, 0]])
    else:
        rot, s = _exact_rotation(G.n, j * k), sp.diag(1, -1)
    return rot * s if e else rot


# ----------------------------------------------------------------------------- S_n
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


def _bubble_word(perm: tuple[int, ...]) -> list[int]:
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


def _young_matrix(rho: Irrep, i: int, exact: bool):
    gens = young_generator_matrices(rho.label, rho.form, exact=exact)
    m = sp.eye(rho.dim) if exact else np.eye(rho.dim)
    for j in _bubble_word(rho.group._element(i)):
        m = (m * gens[j]).expand() if exact else m @ gens[j]
    return sp.ImmutableMatrix(m) if exact else m


def _symmetric_all(rho: Irrep) -> NDArray:
    """ρ on all of S_n by breadth-first search over the Cayley graph, vectorised per layer."""
    G = rho.group
    gens = young_generator_matrices(rho.label, rho.form)
    gen_idx = [G.index(tuple(range(j)) + (j + 1, j) + tuple(range(j + 2, G.n))) for j in range(G.n - 1)]
    mats = np.zeros((G.order, rho.dim, rho.dim))
    known = np.zeros(G.order, bool)
    mats[0], known[0] = np.eye(rho.dim), True
    frontier = np.array([0], dtype=np.intp)
    while frontier.size:
        reached = []
        for s, m in zip(gen_idx, gens):
            nb = G.mul_idx(s, frontier)  # s_j ∘ σ, so ρ = ρ(s_j) ρ(σ)
            fresh = ~known[nb]
            nb, src = nb[fresh], frontier[fresh]
            nb, first = np.unique(nb, return_index=True)
            mats[nb] = m @ mats[src[first]]
            known[nb] = True
            reached.append(nb)
        frontier = np.concatenate(reached) if reached else np.array([], dtype=np.intp)
    return mats


# ---------------------------------------------------------------- direct products
def _factor_irreps(rho: Irrep) -> list[Irrep]:
    return [F.irrep(lab) for F, lab in zip(rho.group.factors, rho.label)]


def _product_all(rho: Irrep) -> NDArray:
    """Kronecker products over the element grid, first factor slowest (the element order)."""
    mats = np.ones((1, 1, 1))
    for f in _factor_irreps(rho):
        m = f.matrices()
        n, d = mats.shape[0] * m.shape[0], mats.shape[1] * m.shape[1]
        mats = np.einsum("aij,bkl->abikjl", mats, m).reshape(n, d, d)
    return mats


def _exact_product(rho: Irrep, i: int) -> sp.ImmutableMatrix:
    parts = rho.group._element(i)
    out = sp.Matrix([[1]])
    for f, g in zip(_factor_irreps(rho), parts):
        m = f.matrix(g, exact=True)
        out = sp.Matrix(out.rows * m.rows, out.cols * m.cols,
                        lambda r, c: out[r // m.rows, c // m.cols] * m[r % m.rows, c % m.cols])
    return sp.ImmutableMatrix(out)


# ------------------------------------------------------------------------ dispatch
@lru_cache(maxsize=256)
def _all_matrices(rho: Irrep) -> NDArray:
    if isinstance(rho.group, SymmetricGroup):
        mats = _symmetric_all(rho)
    elif isinstance(rho.group, DirectProduct):
        mats = _product_all(rho)
    else:
        mats = _abelian_dihedral_matrices(rho)
    mats = np.ascontiguousarray(mats)
    mats.setflags(write=False)
    return mats


def _numeric_matrix(rho: Irrep, i: int) -> NDArray:
    if isinstance(rho.group, SymmetricGroup):
        return _young_matrix(rho, i, exact=False)
    return _all_matrices(rho)[i].copy()


@lru_cache(maxsize=4096)
def _exact_matrix(rho: Irrep, i: int) -> sp.ImmutableMatrix:
    if isinstance(rho.group, SymmetricGroup):
        return _young_matrix(rho, i, exact=True)
    if isinstance(rho.group, DirectProduct):
        return _exact_product(rho, i)
    return sp.ImmutableMatrix(_exact_abelian_dihedral(rho, i))
