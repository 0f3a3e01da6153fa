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
from functools import cached_property, lru_cache
from typing import Any, ClassVar, Hashable

import numpy as np
from .._lazy import sympy as sp  # imported at first use: `import groupfourier` stays fast
from numpy.typing import ArrayLike, NDArray

from .._cache import ArrayCache
from .._table import CharacterTable

__all__ = ["FiniteGroup", "OneParameterFamily", "ConjugacyClass", "Irrep", "check_int", "clear_representation_caches",
           "ArrayCache", "MATRIX_CACHE"]

#: Groups above this order refuse to build a full Cayley table (it is |G|^2).
CAYLEY_TABLE_MAX_ORDER = 5040
#: Groups above this order refuse to list their elements or classes one by one
#: (S_11's 39.9 million elements are the largest listed).
LIST_MAX_ORDER = 40_000_000
#: Conjugacy classes are listed up to this many (p(60) = 966467 partitions for S_60).
LIST_MAX_CLASSES = 1_000_000


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

    label: Any          # the family's own label type (a cycle type, ("r", k), ...)
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
        self._check_listable("elements")
        return tuple(self._element(i) for i in range(self.order))

    def _check_listable(self, what: str, count: int | None = None) -> None:
        """``ValueError`` instead of an unbounded loop when ``what`` has more than
        :data:`LIST_MAX_ORDER` items (elements, ``count`` = |G|) or :data:`LIST_MAX_CLASSES`
        (classes, ``count`` given)."""
        limit = LIST_MAX_ORDER if count is None else LIST_MAX_CLASSES
        count = self.order if count is None else count
        if count > limit:
            raise ValueError(f"{self!r}.{what}: {count} items would be listed one by one; "
                             f"this is done only up to {limit}. Work with indices "
                             f"(G.mul_idx, G.inv_idx) or closed forms instead.")

    @property
    def class_count(self) -> int:
        """The number of conjugacy classes (= of irreps), without listing them where the
        family has a closed form."""
        return len(self.conjugacy_classes)

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

    # ------------------------------------------------------------- sympy interop
    def to_sympy(self) -> Any:
        """The same group as a sympy ``PermutationGroup`` (see :meth:`to_sympy_element`)."""
        raise ValueError(f"{self!r}.to_sympy: no sympy permutation group is defined for {self.name}.")

    def to_sympy_element(self, g: Any) -> Any:
        """``g`` as a sympy ``Permutation`` of the points the group acts on.

        sympy composes left to right (``p * q`` applies p first); this package composes
        right to left.  So ``G.to_sympy_element(G.multiply(a, b)) ==
        G.to_sympy_element(b) * G.to_sympy_element(a)``, and sympy ``Permutation``
        objects are accepted wherever S_n or A_n expects an element.
        """
        from sympy.combinatorics import Permutation
        return Permutation(list(self._permutation_of(self.elements[self.index(g)])))

    def _permutation_of(self, g: Any) -> tuple[int, ...]:
        """The one-line image of the acted-on points under the element ``g``."""
        raise ValueError(f"{self!r}.to_sympy_element: {self.name} has no natural permutation action.")

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
    #: The irrep forms the family offers; the first is the default.  A family sets it.
    IRREP_FORMS: ClassVar[tuple[str, ...]] = ()
    #: The form the family's fast transform works in (``None``: no fast transform).
    FFT_FORM: ClassVar[str | None] = None

    @property
    def irrep_forms(self) -> tuple[str, ...]:
        """The forms :meth:`irreps` accepts; the first is the default."""
        return type(self).IRREP_FORMS

    def check_form(self, form: str | None) -> str:
        """``form``, or the default form for ``None``; ``ValueError`` naming the valid ones."""
        forms = self.irrep_forms
        if form is None:
            return forms[0]
        if form not in forms:
            raise ValueError(f"irreps of {self!r}: form must be one of {forms}; got form={form!r}.")
        return form

    def irreps(self, form: str | None = None) -> tuple["Irrep", ...]:
        """Every irreducible representation, the trivial one first (cached per group).

        ``form`` picks the realisation (see :mod:`groupfourier.irreps`); ``None``
        is the family's default: ``"complex"`` for Z_n and D_n, Young's
        ``"orthogonal"`` form for S_n, ``"product"`` (tensor products of the
        factors' default irreps) for a :class:`DirectProduct`.
        """
        return _irreps(self, self.check_form(form))

    def irrep(self, label: Hashable, form: str | None = None) -> "Irrep":
        """The irrep with this label; ``ValueError`` listing valid labels otherwise."""
        form = self.check_form(form)
        key = self._irrep_key(label)
        for rho in _irreps(self, form):
            if rho.label == key:
                return rho
        valid = [r.label for r in _irreps(self, form)]
        shown = valid if len(valid) <= 12 else valid[:6] + ["…"] + valid[-3:]
        raise ValueError(f"{self!r}.irrep: no irrep labelled {label!r} in form {form!r}; "
                         f"valid labels: {', '.join(map(repr, shown))}.")

    def character_table(self) -> CharacterTable:
        """The exact character table (cached per group)."""
        return _character_table(self)

    # Hooks a family implements --------------------------------------------
    def _irrep_specs(self, form: str) -> tuple[tuple[Hashable, int], ...]:
        """(label, dimension) of every irrep in ``form``, trivial first."""
        raise ValueError(f"irreps: no irreps are implemented for {self!r}.")

    def _irrep_key(self, label: Any) -> Any:
        """``label`` normalised to the stored form (e.g. a list to a tuple); no checks needed."""
        return tuple(label) if isinstance(label, list) else label

    def _is_single_irrep_label(self, x: Any) -> bool:
        """Whether ``x`` (passed as ``irreps=``) is one label rather than a list of labels."""
        return False

    def _irrep_matrices(self, rho: "Irrep") -> NDArray:
        """ρ(g) for every g in element order, numeric, shape (|G|, d, d)."""
        raise ValueError(f"irreps: no irrep matrices are implemented for {self!r}.")

    def _irrep_matrix(self, rho: "Irrep", i: int) -> NDArray:
        """ρ(elements[i]) numeric (d, d); default: read off :meth:`_irrep_matrices`."""
        return _all_matrices(rho)[i].copy()

    def _exact_irrep_matrix(self, rho: "Irrep", i: int) -> sp.Matrix:
        """ρ(elements[i]) as an exact sympy matrix."""
        raise ValueError(f"irreps: no exact irrep matrices are implemented for {self!r}.")

    def _character_values(self) -> tuple[tuple, sp.ImmutableMatrix]:
        """(irrep labels, exact values) of the character table, rows in ``irreps()`` order."""
        raise ValueError(f"character_table: no character table is implemented for {self!r}.")

    def _numeric_character_values(self) -> NDArray:
        """The table in floating point (real where every value is real)."""
        arr = np.array(self.character_table().values.evalf(17).tolist(), dtype=complex)
        return arr.real.copy() if not np.any(arr.imag) else arr

    def class_label_str(self, label: Any) -> str:
        """A short printable name of a conjugacy class label (table columns)."""
        return str(label)

    def irrep_label_str(self, label: Hashable) -> str:
        """A short printable name of an irrep label (table rows)."""
        return str(label)

    def _permutation_character(self) -> tuple[int, ...]:
        """Fixed points of the natural action on each class representative."""
        raise ValueError(f"permutation_character: no natural action is defined for {self!r}.")

    @property
    def exact_root_order(self) -> int | None:
        """N such that the roots of unity in the exact irreps are N-th roots (None: none occur).

        The default |G| is always valid (every element order divides it).
        """
        return self.order

    def _fft_forward(self, f: Any, labels: list) -> dict:
        """Fast transform at ``labels`` in form ``FFT_FORM`` (numeric numpy or torch input)."""
        raise NotImplementedError  # pragma: no cover - only called when FFT_FORM is set

    def _fft_inverse(self, F: dict, labels: list) -> Any:
        """Fast inverse from the coefficients ``F`` (missing irreps count as zero)."""
        raise NotImplementedError  # pragma: no cover

    def _exact_forward(self, f: Any, irreps: tuple) -> dict | None:
        """A fast exact transform of the sympy-valued ``f``, or ``None`` for the defining sum."""
        return None

    def _fft_convolve(self, f: Any, h: Any) -> Any:
        """A direct fast convolution, or ``None`` to go through the transforms."""
        return None

    def _fft_plancherel(self, f: Any, h: Any, inner: bool) -> Any:
        """A direct fast Plancherel pairing, or ``None`` to go through the transforms."""
        return None


@dataclass(frozen=True)
class OneParameterFamily(FiniteGroup):
    """A family indexed by one integer n >= 1 (Z_n, D_n, S_n, A_n): the parameter check,
    ``repr`` and ``name`` from three class attributes.  Subclasses are frozen dataclasses
    declared with ``repr=False`` (so that this ``__repr__`` is kept)."""

    n: int

    #: Shown in ``repr`` and errors, e.g. ``"CyclicGroup"``.
    FAMILY: ClassVar[str] = ""
    #: The name's letter, e.g. ``"Z"`` for ``Z12``.
    LETTER: ClassVar[str] = ""
    #: What n is, for the error message.
    N_MEANING: ClassVar[str] = ""
    #: The same group in ``sympy.combinatorics.named_groups`` (acting on the same points).
    SYMPY_GROUP: ClassVar[str] = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "n", check_int(f"{self.FAMILY}(n)", "n", self.n, minimum=1,
                                                meaning=self.N_MEANING))

    def __repr__(self) -> str:
        return f"{self.FAMILY}({self.n})"

    @property
    def name(self) -> str:
        return f"{self.LETTER}{self.n}"

    def to_sympy(self) -> Any:
        """sympy's group of the same name (a ``PermutationGroup``); elements convert by
        :meth:`FiniteGroup.to_sympy_element`, with its product order.

        >>> from groupfourier import AlternatingGroup, DihedralGroup
        >>> all(G.to_sympy_element(g) in G.to_sympy() for G in (AlternatingGroup(4), DihedralGroup(5))
        ...     for g in G.elements)
        True
        """
        if not self.SYMPY_GROUP:
            return super().to_sympy()
        from sympy.combinatorics import named_groups
        return getattr(named_groups, self.SYMPY_GROUP)(self.n)


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
        Which matrix realisation (see :mod:`groupfourier.irreps`).

    Examples
    --------
    >>> from groupfourier import SymmetricGroup
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
    label: Any          # the family's own label type (int, str, partition tuple, ...)
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
        return self.group._irrep_matrix(self, i)

    def matrices(self, *, exact: bool = False) -> "NDArray | tuple[sp.Matrix, ...]":
        """ρ at every element, in ``G.elements`` order.

        Numeric: a read-only array of shape (|G|, d, d), complex for
        ``form="complex"`` and real otherwise.  Exact: a tuple of sympy matrices.
        """
        if exact:
            return tuple(_exact_matrix(self, i) for i in range(self.group.order))
        return _all_matrices(self)


# ------------------------------------------------------------------ caches
@lru_cache(maxsize=None)
def _irreps(G: FiniteGroup, form: str) -> tuple[Irrep, ...]:
    return tuple(Irrep(G, label, dim, form) for label, dim in G._irrep_specs(form))


#: Cache of ``Irrep.matrices()`` arrays; 512 MB by default (set ``max_bytes`` to change).
MATRIX_CACHE = ArrayCache(max_bytes=512 * 2 ** 20)


def _build_matrices(rho: Irrep) -> NDArray:
    mats = np.ascontiguousarray(rho.group._irrep_matrices(rho))
    mats.setflags(write=False)
    return mats


def _all_matrices(rho: Irrep) -> NDArray:
    return MATRIX_CACHE.get(rho, lambda: _build_matrices(rho))


@lru_cache(maxsize=4096)
def _exact_matrix(rho: Irrep, i: int) -> sp.ImmutableMatrix:
    return sp.ImmutableMatrix(rho.group._exact_irrep_matrix(rho, i))


@lru_cache(maxsize=64)
def _character_table(G: FiniteGroup) -> CharacterTable:
    classes = G.conjugacy_classes
    labels, values = G._character_values()
    return CharacterTable(G, tuple(labels), tuple(c.label for c in classes),
                          tuple(c.size for c in classes), values)


def clear_representation_caches() -> None:
    """Forget the cached irreps, irrep matrices and character tables of every group."""
    for cache in (_irreps, _exact_matrix, _character_table):
        cache.cache_clear()
    MATRIX_CACHE.clear()
