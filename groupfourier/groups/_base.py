"""The common interface of every finite group in :mod:`groupfourier`.

A group is an immutable value: two groups are equal when their family and
parameters are equal, so caches can be keyed by the group itself.  Every group
fixes an order of its elements, ``G.elements``; a function on ``G`` is an array
whose last axis follows that order.

Two layers are offered:

* element level (``multiply``, ``inverse``, ``index``), convenient and checked;
* index level (``mul_idx``, ``inv_idx``), vectorised over integer arrays, for hot
  paths.  No Python loop over group elements runs there.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Hashable

import numpy as np
from numpy.typing import ArrayLike, NDArray

if TYPE_CHECKING:  # pragma: no cover
    from ..characters import CharacterTable
    from ..irreps import Irrep

__all__ = ["FiniteGroup", "ConjugacyClass", "check_int"]

#: Groups above this order refuse to build a full Cayley table (it is |G|^2).
CAYLEY_TABLE_MAX_ORDER = 5040


def check_int(who: str, name: str, value: Any, *, minimum: int, meaning: str) -> int:
    """Return ``value`` as an ``int`` or raise a ``ValueError`` naming it.

    ``bool`` is rejected on purpose: ``CyclicGroup(True)`` is a bug, not Z_1.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{who}: {name} is {meaning}, an integer >= {minimum}; got {name}={value!r}.")
    if value < minimum:
        raise ValueError(f"{who}: {name} is {meaning}, an integer >= {minimum}; got {name}={value!r}.")
    return int(value)


@dataclass(frozen=True)
class ConjugacyClass:
    """One conjugacy class: its label, size and a representative element."""

    label: Hashable
    size: int
    representative: Any


class FiniteGroup(ABC):
    """Abstract finite group with a fixed element order.

    Subclasses are frozen dataclasses and implement the index-level group law
    (``mul_idx``, ``inv_idx``), the element <-> index maps, and conjugacy classes.
    """

    # ------------------------------------------------------------------ identity
    @property
    @abstractmethod
    def name(self) -> str:
        """Short name such that ``group_from_name(G.name) == G``, e.g. ``"S4"``."""

    @property
    @abstractmethod
    def order(self) -> int:
        """Number of elements |G|."""

    @property
    def is_abelian(self) -> bool:
        """Whether ab = ba for all a, b."""
        return len(self.conjugacy_classes) == self.order

    # ------------------------------------------------------------------ elements
    @cached_property
    def elements(self) -> tuple:
        """All elements, in the fixed order that every function on G follows."""
        return tuple(self._element(i) for i in range(self.order))

    @abstractmethod
    def _element(self, i: int) -> Any:
        """The element with index ``i`` (no checks)."""

    @abstractmethod
    def _index(self, g: Any) -> int | None:
        """Index of ``g``, or ``None`` if ``g`` is not an element of this group."""

    def index(self, g: Any) -> int:
        """Position of ``g`` in ``G.elements``; ``ValueError`` naming ``g`` if absent."""
        i = self._index(g)
        if i is None:
            raise ValueError(f"{self!r}.index: {g!r} is not an element of {self.name}; "
                             f"expected {self._element_hint()}.")
        return i

    def _element_hint(self) -> str:
        return "an element of G.elements"

    def __contains__(self, g: Any) -> bool:
        return self._index(g) is not None

    def __len__(self) -> int:
        return self.order

    def __iter__(self):
        return iter(self.elements)

    @property
    def identity(self) -> Any:
        """The identity element; it is always ``G.elements[0]``."""
        return self._element(0)

    def multiply(self, a: Any, b: Any) -> Any:
        """The product ``a · b`` (``b`` acts first where elements are maps)."""
        return self._element(int(self.mul_idx(self.index(a), self.index(b))))

    def inverse(self, a: Any) -> Any:
        """The inverse ``a⁻¹``."""
        return self._element(int(self.inv_idx(self.index(a))))

    # ------------------------------------------------------------- index level
    @abstractmethod
    def mul_idx(self, a: ArrayLike, b: ArrayLike) -> NDArray[np.intp]:
        """Vectorised product on indices: ``index(e[a] · e[b])``, broadcasting."""

    @abstractmethod
    def inv_idx(self, a: ArrayLike) -> NDArray[np.intp]:
        """Vectorised inverse on indices."""

    def _check_idx(self, a: ArrayLike, who: str) -> NDArray[np.intp]:
        arr = np.asarray(a)
        if arr.dtype.kind not in "iu":
            raise ValueError(f"{self!r}.{who}: element indices must be integers; got dtype {arr.dtype}.")
        if arr.size and (arr.min() < 0 or arr.max() >= self.order):
            raise ValueError(f"{self!r}.{who}: element indices must lie in 0..{self.order - 1}; "
                             f"got values in {int(arr.min())}..{int(arr.max())}.")
        return arr.astype(np.intp, copy=False)

    @cached_property
    def cayley_table(self) -> NDArray[np.intp]:
        """Read-only table ``T[i, j] = index(elements[i] · elements[j])``, shape (|G|, |G|)."""
        if self.order > CAYLEY_TABLE_MAX_ORDER:
            raise ValueError(f"{self!r}.cayley_table: |G|={self.order} would need a "
                             f"{self.order}x{self.order} table; it is built only for "
                             f"|G| <= {CAYLEY_TABLE_MAX_ORDER}. Use G.mul_idx on index arrays instead.")
        i = np.arange(self.order)
        table = self.mul_idx(i[:, None], i[None, :])
        table.setflags(write=False)
        return table

    @cached_property
    def inverse_indices(self) -> NDArray[np.intp]:
        """Read-only array ``inv[i] = index(elements[i]⁻¹)``, shape (|G|,)."""
        inv = self.inv_idx(np.arange(self.order))
        inv.setflags(write=False)
        return inv

    # --------------------------------------------------------- conjugacy classes
    @property
    @abstractmethod
    def conjugacy_classes(self) -> tuple[ConjugacyClass, ...]:
        """Conjugacy classes, the identity's first, with labels and sizes."""

    @property
    @abstractmethod
    def class_of(self) -> NDArray[np.intp]:
        """Read-only array mapping each element index to its class's position in
        ``conjugacy_classes``, shape (|G|,)."""

    # ------------------------------------------------------- representation theory
    def irreps(self, form: str | None = None) -> tuple["Irrep", ...]:
        """Every irreducible representation, the trivial one first (cached per group).

        ``form`` picks the realisation (see :mod:`groupfourier.irreps`); ``None``
        is the family's default: ``"complex"`` for Z_n and D_n, Young's
        ``"orthogonal"`` form for S_n, ``"product"`` (tensor products of the
        factors' default irreps) for a :class:`DirectProduct`.
        """
        from ..irreps import irreps_of
        return irreps_of(self, form)

    def irrep(self, label: Hashable, form: str | None = None) -> "Irrep":
        """The irrep with this label; ``ValueError`` listing valid labels otherwise."""
        from ..irreps import irrep_of
        return irrep_of(self, label, form)

    def character_table(self) -> "CharacterTable":
        """The exact character table (cached per group)."""
        from ..characters import character_table
        return character_table(self)
