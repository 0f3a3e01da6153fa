r"""The alternating group A_n of even permutations of {0, …, n−1}, of order n!/2 (n >= 2).

Conventions
-----------
Elements are the even permutations in one-line notation, in the lexicographic
order inherited from :class:`~groupfourier.groups.SymmetricGroup`; the product is
composition, ``(σ·τ)(i) = σ(τ(i))`` (τ first), as for S_n.  In S_n's
lexicographic order the permutations of ranks 2k and 2k+1 differ by a swap of
the last two entries, so exactly one of them is even: A_n's index of an even σ
is ``rank_Sn(σ) // 2``.

Conjugacy classes.  An S_n class of even cycle type μ stays one class of A_n,
labelled μ, unless the parts of μ are distinct and odd; then it splits into two
classes of half the size, labelled ``(μ, "+")`` (holding S_n's representative
of μ: cycles on consecutive points) and ``(μ, "-")`` (its conjugate by the
transposition (0 1)).  A_1 is trivial and splits nothing.

Irreps (form ``"unitary"``, the only one).  Restricting S_n's irreps: for λ ≠ λ'
(λ' the conjugate partition) ρ_λ and ρ_λ' restrict to one irrep, labelled by
whichever of λ, λ' comes first in ``partitions(n)``; its matrices are Young's
orthogonal form of λ at the even permutations.  For λ = λ' the restriction
splits into two irreps of dimension d_λ/2, labelled ``(λ, "+")`` and
``(λ, "-")``.  They are the eigenspaces of the associator T, T e_t = σ(t) e_{t'}
(t' the transposed tableau, σ(t) the sign of the row reading word of t), which
satisfies T ρ_λ(g) = sgn(g) ρ_λ(g) T; T² = ±1, so its eigenvalues are ±1 (the
split irreps are real orthogonal) or ±i (complex unitary).

Characters (Frobenius).  For λ = λ' with diagonal hook lengths q = (q_1 > … > q_k),
ε = (−1)^((n−k)/2) and P = Π q_i,

.. math:: \chi_{\lambda\pm}(q\pm) = \frac{\varepsilon + \sqrt{\varepsilon P}}{2},\qquad
          \chi_{\lambda\pm}(q\mp) = \frac{\varepsilon - \sqrt{\varepsilon P}}{2},

and χ_λ(g)/2 on every other class; the other irreps have S_n's values.  So
A_5 has (1 ± √5)/2 and A_4 the cube roots of unity (−1 ± i√3)/2.  The label
``(λ, "+")`` is the split irrep that takes (ε + √(εP))/2 on the class ``(q, "+")``.

Fourier transform (``method="fft"``).  A function on A_n, extended by zero to
S_n, goes through S_n's fast transform; f̂(λ) is read off for λ ≠ λ' and
f̂(λ±) = V±^† f̂_{S_n}(λ) V± for the split ones (V± orthonormal bases of T's
eigenspaces).  The inverse assembles S_n coefficients 2 f̂(λ) and
V+ f̂(λ+) V+^† + V− f̂(λ−) V−^† and reads S_n's fast inverse at the even
permutations.

Examples
--------
>>> A5 = AlternatingGroup(5)
>>> A5.order, [c.label for c in A5.conjugacy_classes]
(60, [(1, 1, 1, 1, 1), (2, 2, 1), (3, 1, 1), ((5,), '+'), ((5,), '-')])
>>> A5.character_table().character(((3, 1, 1), "+"))
(3, -1, 0, 1/2 + sqrt(5)/2, 1/2 - sqrt(5)/2)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from math import factorial, prod
from typing import TYPE_CHECKING, Any, Hashable, cast

import numpy as np
from .._lazy import lazy_module, sympy as sp  # imported at first use: `import groupfourier` stays fast
from numpy.typing import ArrayLike, NDArray

from .._dtypes import match_precision
from .._mn_sn import mn_character_array
from .._perm import from_sympy_permutation, permutation_array, permutation_sign, rank_permutations
from .._young import standard_tableaux, young_matrix
from ..partitions import check_partition, conjugate, hook_lengths, partitions
from ._base import ConjugacyClass, Irrep, OneParameterFamily
from .symmetric import MAX_ELEMENTS_N, SymmetricGroup

if TYPE_CHECKING:
    from .. import _fft_sn
else:  # loaded at the first S_n/A_n transform: _fft_sn imports scipy.sparse (0.2-0.35 s)
    _PARENT = __package__.rpartition(".")[0]
    _fft_sn = lazy_module(_PARENT + "._fft_sn")

__all__ = ["AlternatingGroup"]

Partition = tuple[int, ...]


def _splits(mu: Partition) -> bool:
    """Whether the S_n class of cycle type μ (even) splits in A_n: distinct odd parts, n > 1."""
    return sum(mu) > 1 and all(p % 2 for p in mu) and len(set(mu)) == len(mu)


def _diagonal_hooks(lam: Partition) -> Partition:
    """Diagonal hook lengths q_1 > q_2 > … of λ."""
    hooks = hook_lengths(lam)
    return tuple(hooks[i][i] for i in range(len(lam)) if i < lam[i])


def _split_values(lam: Partition) -> tuple[sp.Expr, sp.Expr]:
    """((ε + √(εP))/2, (ε − √(εP))/2) for a self-conjugate λ (Frobenius)."""
    q = _diagonal_hooks(lam)
    eps = (-1) ** ((sum(lam) - len(q)) // 2)
    root = sp.sqrt(eps * prod(q))
    return (eps + root) / 2, (eps - root) / 2


@lru_cache(maxsize=None)
def _associator(lam: Partition) -> tuple[NDArray[np.intp], NDArray[np.int8]]:
    """T e_t = σ(t) e_{t'}: (index of t', σ(t)) per standard tableau t of a self-conjugate λ."""
    tabs = standard_tableaux(lam)
    pos = {w: a for a, w in enumerate(tabs)}
    partner, sigma = np.empty(len(tabs), np.intp), np.empty(len(tabs), np.int8)
    for a, word in enumerate(tabs):
        filled: dict[int, int] = {}
        cells = []
        for row in word:  # entry k sits at (row, column)
            cells.append((row, filled.get(row, 0)))
            filled[row] = filled.get(row, 0) + 1
        partner[a] = pos[tuple(col for _, col in cells)]
        reading = sorted(range(len(cells)), key=cells.__getitem__)  # entries row by row
        sigma[a] = permutation_sign(np.array(reading))
    return partner, sigma


@lru_cache(maxsize=None)
def _split_bases(lam: Partition) -> tuple[NDArray, NDArray]:
    """Orthonormal bases (d, d/2) of T's two eigenspaces, for the eigenvalues c and −c.

    On span(e_t, e_t') T is [[0, σ(t')], [σ(t), 0]] with eigenvalues ±c, c² = σ(t)σ(t');
    e_t + (σ(t)/c) e_t' is an eigenvector for c.
    """
    partner, sigma = _associator(lam)
    d = len(partner)
    c = 1.0 if sigma[0] * sigma[partner[0]] == 1 else 1j
    firsts = [a for a in range(d) if a < partner[a]]
    bases = []
    for lam_c in (c, -c):
        V = np.zeros((d, d // 2), dtype=complex if c == 1j else float)
        for col, a in enumerate(firsts):
            V[a, col] = 1 / np.sqrt(2)
            V[partner[a], col] = sigma[a] / lam_c / np.sqrt(2)
        V.setflags(write=False)
        bases.append(V)
    return bases[0], bases[1]


def _exact_split_basis(lam: Partition, sign: int) -> sp.Matrix:
    """The exact version of one of :func:`_split_bases` (sign +1: eigenvalue c, −1: −c)."""
    partner, sigma = _associator(lam)
    d = len(partner)
    c = sp.Integer(1) if sigma[0] * sigma[partner[0]] == 1 else sp.I
    firsts = [a for a in range(d) if a < partner[a]]
    V = sp.zeros(d, d // 2)
    for col, a in enumerate(firsts):
        V[a, col] = 1 / sp.sqrt(2)
        V[int(partner[a]), col] = int(sigma[a]) / (sign * c) / sp.sqrt(2)
    return V


def _as_like(x: NDArray, like: Any) -> Any:
    """numpy constant ``x`` as an array of ``like``'s kind (a torch tensor on its device)."""
    if type(like).__module__.startswith("torch"):
        import torch
        t = torch.from_numpy(np.array(x))
        dtype = like.dtype
        if t.is_complex() and not like.is_complex():
            dtype = torch.complex128 if like.dtype == torch.float64 else torch.complex64
        elif like.is_complex() and not t.is_complex():
            t = t.to(like.dtype)
        return t.to(device=like.device, dtype=dtype)
    return match_precision(x, like.dtype)


def _index_like(idx: NDArray[np.intp], like: Any) -> Any:
    """An index array usable on ``like`` (a torch int64 tensor on its device)."""
    if type(like).__module__.startswith("torch"):
        import torch
        return torch.from_numpy(np.array(idx, dtype=np.int64)).to(like.device)
    return idx


def _cycle_type(label: Any) -> Partition:
    """The cycle type of a class label (μ or (μ, "±"))."""
    return label[0] if isinstance(label[-1], str) else label


def _promote(a: Any, b: Any) -> tuple[Any, Any]:
    """Cast a torch tensor pair to one dtype (numpy promotes by itself)."""
    if type(a).__module__.startswith("torch") and a.dtype != b.dtype:
        return (a.to(b.dtype), b) if b.is_complex() else (a, b.to(a.dtype))
    return a, b


def _common_dtype(arrays: dict) -> dict:
    """Cast every array to complex if one is (S_n's inverse multiplies them together)."""
    values = list(arrays.values())
    if type(values[0]).__module__.startswith("torch"):
        cplx = [v.dtype for v in values if v.is_complex()]
        return {k: v.to(cplx[0]) for k, v in arrays.items()} if cplx else arrays
    if any(np.iscomplexobj(v) for v in values):
        return {k: np.asarray(v, dtype=np.result_type(*values, np.complex64)) for k, v in arrays.items()}
    return arrays


@dataclass(frozen=True, repr=False)
class AlternatingGroup(OneParameterFamily):
    """The alternating group A_n, of order n!/2 (1 for n = 1), n >= 1.

    Element-level operations need n <= 11; classes and character tables work
    for any n.  See the module docstring for labels and forms.

    Examples
    --------
    >>> A4 = AlternatingGroup(4)
    >>> A4.order, A4.elements[:3]
    (12, ((0, 1, 2, 3), (0, 2, 3, 1), (0, 3, 1, 2)))
    >>> [r.label for r in A4.irreps()]
    [(4,), (3, 1), ((2, 2), '+'), ((2, 2), '-')]
    """

    FAMILY = "AlternatingGroup"
    LETTER = "A"
    SYMPY_GROUP = "AlternatingGroup"
    N_MEANING = "the number of points permuted"
    IRREP_FORMS = ("unitary",)
    FFT_FORM = "unitary"

    @property
    def order(self) -> int:
        return max(factorial(self.n) // 2, 1)

    @property
    def is_abelian(self) -> bool:
        return self.n <= 3

    @cached_property
    def symmetric(self) -> SymmetricGroup:
        """The S_n that A_n sits in."""
        return SymmetricGroup(self.n)

    # ------------------------------------------------------------ elements
    @cached_property
    def symmetric_indices(self) -> NDArray[np.intp]:
        """Read-only array of shape (:math:`|A_n|`,): S_n index of each element of A_n, increasing."""
        if self.n > MAX_ELEMENTS_N:
            raise ValueError(f"{self!r}: listing all {self.order} elements needs n <= {MAX_ELEMENTS_N}; "
                             f"got n={self.n}. Classes and characters do not need them.")
        if self.n == 1:
            idx = np.zeros(1, dtype=np.intp)
        else:
            first = np.arange(0, factorial(self.n), 2)
            odd = permutation_sign(permutation_array(self.n)[first]) < 0
            idx = first + odd
        idx.setflags(write=False)
        return idx

    @cached_property
    def element_array(self) -> NDArray[np.int8]:
        """Read-only array of shape (:math:`|A_n|`, n); row i is ``elements[i]`` in one-line notation."""
        a = self.symmetric.element_array[self.symmetric_indices]
        a.setflags(write=False)
        return a

    @cached_property
    def elements(self) -> tuple:
        return tuple(map(tuple, self.element_array.tolist()))

    def _element(self, i: int) -> tuple[int, ...]:
        if self.n == 1:
            return (0,)
        g = self.symmetric._element(2 * int(i))
        return g if permutation_sign(np.array(g)) > 0 else g[:-2] + (g[-1], g[-2])

    def _index(self, g: Any) -> int | None:
        g = from_sympy_permutation(g, self.n)  # sympy Permutation objects are accepted
        i = self.symmetric._index(g)
        if i is None or permutation_sign(np.array(g, dtype=np.intp)) < 0:
            return None
        return i // 2

    def _element_hint(self) -> str:
        return (f"an even permutation of 0..{self.n - 1} in one-line notation, a tuple of "
                f"length {self.n}")

    def mul_idx(self, a: ArrayLike, b: ArrayLike) -> NDArray[np.intp]:
        a, b = np.broadcast_arrays(self._check_idx(a, "mul_idx"), self._check_idx(b, "mul_idx"))
        pa, pb = self.element_array[a], self.element_array[b]
        return rank_permutations(np.take_along_axis(pa, pb.astype(np.intp), axis=-1)) // 2

    def inv_idx(self, a: ArrayLike) -> NDArray[np.intp]:
        p = self.element_array[self._check_idx(a, "inv_idx")]
        return rank_permutations(np.argsort(p, axis=-1)) // 2

    # --------------------------------------------------------- conjugacy classes
    @cached_property
    def conjugacy_classes(self) -> tuple[ConjugacyClass, ...]:
        out = []
        for c in self.symmetric.conjugacy_classes:
            mu = c.label
            if (self.n - len(mu)) % 2:
                continue  # odd permutations
            if not _splits(mu):
                out.append(ConjugacyClass(mu, c.size, c.representative))
                continue
            rep = c.representative  # conjugate by (0 1): swap the values 0, 1 and the positions 0, 1
            swap = {0: 1, 1: 0}
            minus = [swap.get(x, x) for x in rep]
            minus[0], minus[1] = minus[1], minus[0]
            out.append(ConjugacyClass((mu, "+"), c.size // 2, rep))
            out.append(ConjugacyClass((mu, "-"), c.size // 2, tuple(minus)))
        return tuple(out)

    @cached_property
    def class_of(self) -> NDArray[np.intp]:
        s_class = self.symmetric.class_of[self.symmetric_indices]
        s_labels = [c.label for c in self.symmetric.conjugacy_classes]
        position = {c.label: i for i, c in enumerate(self.conjugacy_classes)}
        lookup = np.full(len(s_labels), -1, dtype=np.intp)
        for j, mu in enumerate(s_labels):
            lookup[j] = position.get(mu, position.get((mu, "+"), -1))
        out = lookup[s_class]
        for j, mu in enumerate(s_labels):
            if (mu, "+") in position:
                rows = np.flatnonzero(s_class == j)
                minus = self._conjugator_sign(self.element_array[rows], mu) < 0
                out[rows[minus]] = position[(mu, "-")]
        out.setflags(write=False)
        return out

    @staticmethod
    def _conjugator_sign(perms: NDArray, mu: Partition) -> NDArray[np.int8]:
        """sgn π with g = π c π⁻¹, c S_n's representative of μ (distinct odd parts).

        Listing g's cycles by decreasing length, each from its smallest point, gives
        π in one-line notation (c's cycles run through consecutive points); rotating an
        odd cycle is even, so the sign does not depend on the starting points.
        """
        p = np.asarray(perms, dtype=np.intp)
        n = p.shape[-1]
        start = np.broadcast_to(np.arange(n), p.shape)
        cur, length = start.copy(), np.zeros(p.shape, np.intp)
        low, steps_to_low = start.copy(), np.zeros(p.shape, np.intp)
        for k in range(1, n + 1):
            cur = np.take_along_axis(p, cur, axis=-1)
            length = np.where((length == 0) & (cur == start), k, length)
            smaller = (cur < low) & (length == 0)
            low = np.where(smaller, cur, low)
            steps_to_low = np.where(smaller, k, steps_to_low)
        dist = (length - steps_to_low) % np.maximum(length, 1)
        key = (-length) * (n * n) + low * n + dist
        return permutation_sign(np.argsort(key, axis=-1, kind="stable"))

    # ------------------------------------------------------ sympy interop
    def _permutation_of(self, g: Any) -> tuple[int, ...]:
        return tuple(g)

    # ------------------------------------------------------ representations
    @cached_property
    def _irrep_table(self) -> tuple[tuple[Hashable, Partition, int, int], ...]:
        """(label, λ, dimension, part) per irrep; part 0 for λ ≠ λ', ±1 for λ±."""
        out: list[tuple[Any, Partition, int, int]] = []
        seen: set[Partition] = set()
        for lam in partitions(self.n):
            if lam in seen:
                continue
            lam_c = conjugate(lam)
            seen |= {lam, lam_c}
            d = len(standard_tableaux(lam))
            if lam != lam_c or self.n == 1:
                out.append((lam, lam, d, 0))
            else:
                out += [((lam, "+"), lam, d // 2, 1), ((lam, "-"), lam, d // 2, -1)]
        return tuple(out)

    def _irrep_specs(self, form: str) -> tuple[tuple[Hashable, int], ...]:
        return tuple((label, d) for label, _, d, _ in self._irrep_table)

    def _irrep_info(self, label: Hashable) -> tuple[Partition, int]:
        for lab, lam, _, part in self._irrep_table:
            if lab == label:
                return lam, part
        raise KeyError(label)  # pragma: no cover - labels come from _irrep_specs

    def _irrep_key(self, label: Any) -> Any:
        if isinstance(label, (list, tuple)) and len(label) == 2 and isinstance(label[1], str):
            return (self._irrep_key(label[0]), label[1])
        if isinstance(label, (list, tuple)):
            return check_partition(f"{self!r}.irrep", label, self.n)
        return label

    def _is_single_irrep_label(self, x: Any) -> bool:
        if isinstance(x, tuple) and len(x) == 2 and isinstance(x[1], str):
            return True
        return isinstance(x, tuple) and bool(x) and all(isinstance(p, (int, np.integer)) for p in x)

    def _plus_is_first(self, lam: Partition) -> bool:
        """Whether T's eigenvalue-c space carries the label "+" (its trace on (q, "+") is
        (ε + √(εP))/2); decided once, numerically, at the class representative."""
        q = _diagonal_hooks(lam)
        rep = next(c.representative for c in self.conjugacy_classes if c.label == (q, "+"))
        V, _ = _split_bases(lam)
        trace = np.trace(V.conj().T @ young_matrix(lam, "orthogonal", rep, exact=False) @ V)
        return abs(trace - complex(_split_values(lam)[0])) < 1e-6

    def _basis(self, lam: Partition, part: int) -> NDArray:
        V_c, V_minus_c = _split_bases(lam)
        return V_c if (part > 0) == self._plus_is_first(lam) else V_minus_c

    def _irrep_matrices(self, rho: Irrep) -> NDArray:
        lam, part = self._irrep_info(rho.label)
        mats = self.symmetric.irrep(lam).matrices()[self.symmetric_indices]
        if part == 0:
            return mats
        V = self._basis(lam, part)
        out = V.conj().T @ mats @ V
        return out.real.copy() if not np.iscomplexobj(V) else out

    def _irrep_matrix(self, rho: Irrep, i: int) -> NDArray:
        lam, part = self._irrep_info(rho.label)
        m = young_matrix(lam, "orthogonal", self._element(i), exact=False)
        if part == 0:
            return m
        V = self._basis(lam, part)
        out = V.conj().T @ m @ V
        return out.real.copy() if not np.iscomplexobj(V) else out

    def _exact_irrep_matrix(self, rho: Irrep, i: int) -> sp.Matrix:
        lam, part = self._irrep_info(rho.label)
        m = young_matrix(lam, "orthogonal", self._element(i), exact=True)
        if part == 0:
            return m
        c_first = self._plus_is_first(lam)
        V = _exact_split_basis(lam, 1 if (part > 0) == c_first else -1)
        return (V.H * m * V).expand()

    # ------------------------------------------------------ characters
    def _s_columns(self) -> list[int]:
        s_col = {c.label: j for j, c in enumerate(self.symmetric.conjugacy_classes)}
        return [s_col[_cycle_type(c.label)] for c in self.conjugacy_classes]

    def _character_values(self) -> tuple[tuple, sp.ImmutableMatrix]:
        table = mn_character_array(self.n)
        s_row = {lam: i for i, lam in enumerate(partitions(self.n))}
        cols = self._s_columns()
        classes = [c.label for c in self.conjugacy_classes]
        rows = []
        for label, lam, _, part in self._irrep_table:
            values = [sp.Integer(int(table[s_row[lam], j])) for j in cols]
            if part:
                q = _diagonal_hooks(lam)
                plus, minus = _split_values(lam)
                values = [v / 2 for v in values]
                for j, cls in enumerate(classes):
                    if cls == (q, "+"):
                        values[j] = plus if part > 0 else minus
                    elif cls == (q, "-"):
                        values[j] = minus if part > 0 else plus
            rows.append(values)
        return tuple(label for label, *_ in self._irrep_table), sp.ImmutableMatrix(rows)

    def _numeric_character_values(self) -> NDArray:
        values = np.array(self.character_table().values.evalf(17).tolist(), dtype=complex)
        return values.real.copy() if not np.any(values.imag) else values

    def class_label_str(self, label: Any) -> str:
        if isinstance(label[-1], str):
            return self.symmetric.class_label_str(label[0]) + label[1]
        return self.symmetric.class_label_str(label)

    irrep_label_str = class_label_str

    def _permutation_character(self) -> tuple[int, ...]:
        return tuple(_cycle_type(c.label).count(1) for c in self.conjugacy_classes)

    @property
    def exact_root_order(self) -> None:
        return None  # square roots and i only: expansion is canonical

    # ------------------------------------------------------ fast transforms
    def _fft_forward(self, f: Any, labels: list) -> dict:
        N = self.symmetric.order
        if type(f).__module__.startswith("torch"):
            ext = f.new_zeros(tuple(f.shape[:-1]) + (N,))
            ext[..., _index_like(self.symmetric_indices, ext)] = f
        else:
            ext = np.zeros(f.shape[:-1] + (N,), dtype=f.dtype)
            ext[..., self.symmetric_indices] = f
        info = {label: self._irrep_info(label) for label in labels}
        F = _fft_sn.forward(self.n, ext, sorted({lam for lam, _ in info.values()},
                                                 key=partitions(self.n).index))
        out = {}
        for label, (lam, part) in info.items():
            if part == 0:
                out[label] = F[lam]
            else:
                V = _as_like(self._basis(lam, part), F[lam])
                Fl, V = _promote(F[lam], V)
                out[label] = V.conj().transpose(-1, -2) @ Fl @ V
        return out

    def _fft_inverse(self, F: dict, labels: list) -> Any:
        S = {}
        for label in labels:
            lam, part = self._irrep_info(label)
            if part == 0:
                S[lam] = F[label] * (self.symmetric.order // self.order)  # 2, or 1 for A_1
                continue
            V = _as_like(self._basis(lam, part), F[label])
            Fl, V = _promote(F[label], V)
            term = V @ Fl @ V.conj().transpose(-1, -2)
            if lam in S:
                a, b = _promote(S[lam], term)
                S[lam] = a + b
            else:
                S[lam] = term
        S = _common_dtype(S)
        out = _fft_sn.inverse(self.n, cast(dict, S))
        idx = self.symmetric_indices
        return out[..., _index_like(idx, out)]
