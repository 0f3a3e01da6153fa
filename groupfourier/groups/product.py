"""Direct products G_1 × … × G_k of the groups in :mod:`groupfourier.groups`.

Elements are tuples ``(g_1, …, g_k)`` with the componentwise product.  Element
order: lexicographic in the factors' indices, the first factor varying slowest,
so ``index((g_1, …, g_k)) = ravel_multi_index((index_1(g_1), …), (|G_1|, …))``
and the identity comes first.  Conjugacy classes are products of the factors'
classes, labelled by tuples of their labels, in the same lexicographic order.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from math import prod
from typing import Any, cast

from itertools import product

import numpy as np
from .._lazy import sympy as sp  # imported at first use: `import groupfourier` stays fast
from numpy.typing import ArrayLike, NDArray

from ._base import ConjugacyClass, FiniteGroup, Irrep

__all__ = ["DirectProduct"]


@dataclass(frozen=True, init=False)
class DirectProduct(FiniteGroup):
    """The direct product of two or more finite groups.

    Parameters
    ----------
    *factors : FiniteGroup
        At least two groups, e.g. ``DirectProduct(CyclicGroup(2), SymmetricGroup(3))``.

    Examples
    --------
    >>> from groupfourier import CyclicGroup, SymmetricGroup
    >>> G = DirectProduct(CyclicGroup(2), SymmetricGroup(3))
    >>> G.name, G.order, G.elements[:3]
    ('Z2xS3', 12, ((0, (0, 1, 2)), (0, (0, 2, 1)), (0, (1, 0, 2))))
    >>> G.multiply((1, (1, 0, 2)), (1, (0, 2, 1)))
    (0, (1, 2, 0))
    """

    factors: tuple[FiniteGroup, ...]

    IRREP_FORMS = ("product",)

    def __init__(self, *factors: FiniteGroup) -> None:
        if len(factors) == 1 and isinstance(factors[0], (tuple, list)):
            factors = tuple(factors[0])
        if len(factors) < 2 or not all(isinstance(F, FiniteGroup) for F in factors):
            raise ValueError(f"DirectProduct(*factors): expected two or more groups such as "
                             f"DirectProduct(CyclicGroup(2), SymmetricGroup(3)); got {factors!r}.")
        object.__setattr__(self, "factors", tuple(factors))

    def __repr__(self) -> str:
        return f"DirectProduct({', '.join(map(repr, self.factors))})"

    @property
    def name(self) -> str:
        return "x".join(F.name for F in self.factors)

    @property
    def order(self) -> int:
        return prod(F.order for F in self.factors)

    @property
    def is_abelian(self) -> bool:
        return all(F.is_abelian for F in self.factors)

    @property
    def _shape(self) -> tuple[int, ...]:
        return tuple(F.order for F in self.factors)

    # ------------------------------------------------------------ elements
    def _element(self, i: int) -> tuple:
        parts = np.unravel_index(int(i), self._shape)
        return tuple(F._element(int(p)) for F, p in zip(self.factors, parts))

    def _index(self, g: Any) -> int | None:
        if not isinstance(g, tuple) or len(g) != len(self.factors):
            return None
        parts = [F._index(x) for F, x in zip(self.factors, g)]
        if any(p is None for p in parts):
            return None
        return int(np.ravel_multi_index(cast(list[int], parts), self._shape))

    def _element_hint(self) -> str:
        return (f"a tuple of {len(self.factors)} elements, one of each of "
                f"{', '.join(F.name for F in self.factors)}")

    def split_idx(self, a: ArrayLike) -> tuple[NDArray[np.intp], ...]:
        """Factor indices of element indices ``a``: one array per factor."""
        return np.unravel_index(self._check_idx(a, "split_idx"), self._shape)

    def mul_idx(self, a: ArrayLike, b: ArrayLike) -> NDArray[np.intp]:
        a, b = np.broadcast_arrays(self._check_idx(a, "mul_idx"), self._check_idx(b, "mul_idx"))
        parts = [np.broadcast_to(F.mul_idx(x, y), a.shape) for F, x, y in
                 zip(self.factors, np.unravel_index(a, self._shape), np.unravel_index(b, self._shape))]
        return np.ravel_multi_index(parts, self._shape)

    def inv_idx(self, a: ArrayLike) -> NDArray[np.intp]:
        a = self._check_idx(a, "inv_idx")
        parts = [F.inv_idx(x) for F, x in zip(self.factors, np.unravel_index(a, self._shape))]
        return np.ravel_multi_index(parts, self._shape)

    # ---------------------------------------------------- conjugacy classes
    @property
    def _class_shape(self) -> tuple[int, ...]:
        return tuple(len(F.conjugacy_classes) for F in self.factors)

    @property
    def class_count(self) -> int:
        return prod(F.class_count for F in self.factors)

    @cached_property
    def conjugacy_classes(self) -> tuple[ConjugacyClass, ...]:
        self._check_listable("conjugacy_classes", self.class_count)
        out = []
        for parts in np.ndindex(*self._class_shape):
            cs = [F.conjugacy_classes[p] for F, p in zip(self.factors, parts)]
            out.append(ConjugacyClass(label=tuple(c.label for c in cs), size=prod(c.size for c in cs),
                                      representative=tuple(c.representative for c in cs)))
        return tuple(out)

    @cached_property
    def class_of(self) -> NDArray[np.intp]:
        parts = np.unravel_index(np.arange(self.order), self._shape)
        out = np.ravel_multi_index([F.class_of[p] for F, p in zip(self.factors, parts)],
                                   self._class_shape).astype(np.intp)
        out.setflags(write=False)
        return out

    # ------------------------------------------------------ representations
    # ρ_1 ⊗ … ⊗ ρ_k of the factors' default irreps, labelled by the tuple of labels,
    # lexicographic in the factors' irrep lists; characters are Kronecker products.
    def _irrep_specs(self, form: str) -> tuple[tuple[tuple, int], ...]:
        return tuple((tuple(r.label for r in parts), prod(r.dim for r in parts))
                     for parts in product(*[F.irreps() for F in self.factors]))

    def _irrep_key(self, label: Any) -> Any:
        if isinstance(label, (list, tuple)):
            return tuple(F.irrep(x).label for F, x in zip(self.factors, label)) \
                if len(label) == len(self.factors) else tuple(label)
        return label

    def _factor_irreps(self, rho: Irrep) -> list[Irrep]:
        return [F.irrep(lab) for F, lab in zip(self.factors, rho.label)]

    def _irrep_matrices(self, rho: Irrep) -> NDArray:
        """Kronecker products over the element grid, first factor slowest (the element order)."""
        mats = np.ones((1, 1, 1))
        for f in self._factor_irreps(rho):
            m = cast(NDArray, f.matrices())
            n, d = mats.shape[0] * m.shape[0], mats.shape[1] * m.shape[1]
            mats = np.einsum("aij,bkl->abikjl", mats, m).reshape(n, d, d)
        return mats

    def _exact_irrep_matrix(self, rho: Irrep, i: int) -> sp.Matrix:
        out = sp.Matrix([[1]])
        for f, g in zip(self._factor_irreps(rho), self._element(i)):
            m = cast(Any, f.matrix(g, exact=True))      # a sympy Matrix (exact=True)
            out = sp.Matrix(out.rows * m.rows, out.cols * m.cols,
                            lambda r, c: out[r // m.rows, c // m.cols] * m[r % m.rows, c % m.cols])
        return out

    def _character_values(self) -> tuple[tuple, sp.ImmutableMatrix]:
        # χ_(ρ_1,…,ρ_k)(C_1 × … × C_k) = Π χ_ρi(C_i)
        tables = [F.character_table() for F in self.factors]
        labels = tuple(product(*[t.irrep_labels for t in tables]))
        rows = list(product(*[range(len(t.irrep_labels)) for t in tables]))
        cols = list(product(*[range(len(t.class_labels)) for t in tables]))
        return labels, sp.ImmutableMatrix(len(rows), len(cols), lambda i, j: sp.Mul(
            *[t.values[r, c] for t, r, c in zip(tables, rows[i], cols[j])]))

    def _numeric_character_values(self) -> NDArray:
        out = np.ones((1, 1))
        for F in self.factors:
            out = np.kron(out, F.character_table().to_numpy())
        return out

    def class_label_str(self, label: Any) -> str:
        return "×".join(F.class_label_str(x) for F, x in zip(self.factors, label))

    def irrep_label_str(self, label: Any) -> str:
        return "⊗".join(F.irrep_label_str(x) for F, x in zip(self.factors, label))

    def _permutation_character(self) -> tuple[int, ...]:
        # on the product of the factors' sets
        chars = [F._permutation_character() for F in self.factors]
        return tuple(prod(chi[p] for chi, p in zip(chars, parts))
                     for parts in product(*[range(len(chi)) for chi in chars]))
