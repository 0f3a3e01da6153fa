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
from typing import TYPE_CHECKING, Any

import numpy as np
from .._lazy import lazy_module, sympy as sp  # imported at first use: `import groupfourier` stays fast
from numpy.typing import ArrayLike, NDArray

from .._mn_sn import mn_character_array
from .._perm import cycle_types, from_sympy_permutation, permutation_array, rank_permutations
from .._table import integer_matrix
from .._young import standard_tableaux, young_generator_matrices, young_matrix
from ..partitions import check_partition, class_size, partitions
from ._base import ConjugacyClass, Irrep, OneParameterFamily

if TYPE_CHECKING:
    from .. import _exact_sn, _fft_sn
else:  # loaded at the first S_n/A_n transform: _fft_sn imports scipy.sparse (0.2-0.35 s)
    _PARENT = __package__.rpartition(".")[0]
    _exact_sn, _fft_sn = lazy_module(_PARENT + "._exact_sn"), lazy_module(_PARENT + "._fft_sn")

__all__ = ["SymmetricGroup", "permutation_array", "rank_permutations", "cycle_types"]

#: Element arrays are built for n up to this bound (S_11 has 39.9 million elements).
#: Larger S_n still have classes, irreps and character tables.
MAX_ELEMENTS_N = 11


@dataclass(frozen=True, repr=False)
class SymmetricGroup(OneParameterFamily):
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

    FAMILY = "SymmetricGroup"
    LETTER = "S"
    SYMPY_GROUP = "SymmetricGroup"
    N_MEANING = "the number of points permuted"
    IRREP_FORMS = ("orthogonal", "seminormal")
    FFT_FORM = "orthogonal"

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
        g = from_sympy_permutation(g, self.n)  # sympy Permutation objects are accepted
        if not isinstance(g, (tuple, list)) or len(g) != self.n:
            return None
        if not all(isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_)) for x in g):
            return None
        if sorted(g) != list(range(self.n)):
            return None
        if self.n <= 20:  # 20! < 2**63: the vectorised int64 rank is exact
            return int(rank_permutations(np.array(g)))
        rank, rest = 0, sorted(int(x) for x in g)  # Python integers: exact for any n
        for i, x in enumerate(g):
            k = rest.index(int(x))
            rank += k * factorial(self.n - 1 - i)
            rest.pop(k)
        return rank

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

    @property
    def class_count(self) -> int:
        from sympy.functions.combinatorial.numbers import partition  # (lazy sympy)
        return int(partition(self.n))  # p(n), without listing the partitions

    @cached_property
    def conjugacy_classes(self) -> tuple[ConjugacyClass, ...]:
        self._check_listable("conjugacy_classes", self.class_count)
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

    # ------------------------------------------------------ sympy interop
    def _permutation_of(self, g: Any) -> tuple[int, ...]:
        return tuple(g)

    # ------------------------------------------------------ representations
    # Irreps: partitions λ (trivial (n) first), Young's orthogonal or seminormal form
    # (groupfourier._young); characters by Murnaghan–Nakayama (groupfourier._mn_sn).
    def _irrep_specs(self, form: str) -> tuple[tuple[tuple[int, ...], int], ...]:
        return tuple((lam, len(standard_tableaux(lam))) for lam in partitions(self.n))

    def _irrep_key(self, label: Any) -> Any:
        if isinstance(label, (list, tuple)):
            return check_partition(f"{self!r}.irrep", label, self.n)
        return label

    def _is_single_irrep_label(self, x: Any) -> bool:
        return isinstance(x, tuple) and bool(x) and all(isinstance(p, (int, np.integer)) for p in x)

    def _irrep_matrices(self, rho: Irrep) -> NDArray:
        """ρ on all of S_n by breadth-first search over the Cayley graph, vectorised per layer."""
        gens = young_generator_matrices(rho.label, rho.form)
        n = self.n
        gen_idx = [self.index(tuple(range(j)) + (j + 1, j) + tuple(range(j + 2, n))) for j in range(n - 1)]
        mats = np.zeros((self.order, rho.dim, rho.dim))
        known = np.zeros(self.order, bool)
        mats[0], known[0] = np.eye(rho.dim), True
        frontier = np.array([0], dtype=np.intp)
        while frontier.size:
            reached = []
            for s, m in zip(gen_idx, gens):
                nb = self.mul_idx(s, frontier)  # s_j ∘ σ, so ρ = ρ(s_j) ρ(σ)
                fresh = ~known[nb]
                nb, src = nb[fresh], frontier[fresh]
                nb, first = np.unique(nb, return_index=True)
                mats[nb] = m @ mats[src[first]]
                known[nb] = True
                reached.append(nb)
            frontier = np.concatenate(reached) if reached else np.array([], dtype=np.intp)
        return mats

    def _irrep_matrix(self, rho: Irrep, i: int) -> NDArray:
        return young_matrix(rho.label, rho.form, self._element(i), exact=False)

    def _exact_irrep_matrix(self, rho: Irrep, i: int) -> sp.Matrix:
        return young_matrix(rho.label, rho.form, self._element(i), exact=True)

    def _character_values(self) -> tuple[tuple, sp.ImmutableMatrix]:
        return partitions(self.n), integer_matrix(mn_character_array(self.n))

    def _numeric_character_values(self) -> NDArray:
        return mn_character_array(self.n).astype(float)

    def class_label_str(self, label: Any) -> str:
        return "(" + ",".join(map(str, label)) + ")"

    irrep_label_str = class_label_str

    def _permutation_character(self) -> tuple[int, ...]:
        # A permutation of cycle type μ fixes as many points as μ has parts equal to 1.
        return tuple(c.label.count(1) for c in self.conjugacy_classes)

    @property
    def exact_root_order(self) -> None:
        return None  # Young's orthogonal form has square roots only

    # ------------------------------------------------------ fast transforms
    def _fft_forward(self, f: Any, labels: list) -> dict:
        return _fft_sn.forward(self.n, f, labels)

    def _fft_inverse(self, F: dict, labels: list) -> Any:
        return _fft_sn.inverse(self.n, F)

    def _exact_forward(self, f: Any, irreps: tuple) -> dict | None:
        # Rational input: Clausen's cascade over Q in the seminormal form (groupfourier._exact_sn).
        return _exact_sn.transform(self.n, f, [r.label for r in irreps], irreps[0].form)
