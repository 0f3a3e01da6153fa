r"""Exact character tables, inner products of class functions and decompositions.

Conventions
-----------
* Rows follow ``irrep_labels``, the labels of ``G.irreps()`` in the same order
  (trivial first); columns follow ``class_labels``, the labels of
  ``G.conjugacy_classes`` (identity class first).
* Z_n: :math:`\chi_k(m) = e^{2\pi i k m/n}`, written as sympy ``exp(2*I*pi*q)``
  (sympy shows ±1, ±I plainly).
* D_n: the one-dimensional characters are ±1; ``"E<j>"`` takes
  :math:`2\cos(2\pi j k/n)` on the rotation class ``("r", k)`` and 0 on reflections.
  Values of degree <= 2 over Q are sympy radicals (``sqrt(2)``, ``-1/2 + sqrt(5)/2``:
  they compare equal to the user's), the others the unevaluated ``2*cos(2*pi*m/n)``
  with 0 <= m <= n/2 in lowest terms (a canonical, exact form; see
  :func:`groupfourier.cyclotomic.two_cos`).
* S_n: integers, by the Murnaghan–Nakayama rule (never by summing over the group).
* Direct products: ρ_1 ⊗ … ⊗ ρ_k takes Π χ_ρi(C_i) on C_1 × … × C_k (the
  Kronecker product of the factors' tables).
* Inner product of class functions, given as values on the classes:

  .. math:: \langle \chi, \psi \rangle = \frac{1}{|G|} \sum_{C} |C|\, \chi(C)\, \overline{\psi(C)}.

  Exact input (Python/numpy integers, sympy numbers or symbols) gives an exact
  sympy result, simplified in the cyclotomic field; float or complex input gives
  a numpy result (a float64 sum, relative error ~1e-15).

Murnaghan–Nakayama
------------------
S_n's table is computed in :mod:`groupfourier._mn_sn`: one signed rim-hook
incidence matrix product per part size, every smaller table computed once.

"""

from __future__ import annotations

from typing import Any, Hashable

import numpy as np
from ._lazy import sympy as sp  # imported at first use: `import groupfourier` stays fast
from numpy.typing import NDArray

from ._mn_sn import clear_caches, mn_character_array
from ._table import CharacterTable
from .cyclotomic import conj, cyclotomic_simplify
from .groups import CyclicGroup, DihedralGroup, FiniteGroup, SymmetricGroup  # noqa: F401 (doctests)
from .groups._base import _character_table
from .partitions import partitions

__all__ = ["CharacterTable", "character_table", "symmetric_character_array", "inner_product",
           "decompose", "regular_character", "permutation_character", "tensor_product_character",
           "trivial_character", "coset_character", "class_function"]


# --------------------------------------------------------------------------- entry
def character_table(G: FiniteGroup) -> CharacterTable:
    """The exact character table of ``G`` (cached per group; same as ``G.character_table()``).

    Examples
    --------
    >>> t = character_table(DihedralGroup(5))
    >>> t.irrep_labels, t.class_labels
    (('A1', 'A2', 'E1', 'E2'), (('r', 0), ('r', 1), ('r', 2), ('s',)))
    >>> t.character("E1")
    (2, -1/2 + sqrt(5)/2, -sqrt(5)/2 - 1/2, 0)
    >>> character_table(CyclicGroup(4)).character(1)
    (1, I, -1, -I)
    """
    if not isinstance(G, FiniteGroup):
        raise ValueError(f"character_table: G must be a FiniteGroup such as SymmetricGroup(4); got {G!r}.")
    return G.character_table()


# ----------------------------------------------------------------------------- S_n
def symmetric_character_array(n: int) -> tuple[NDArray, tuple[tuple[int, ...], ...]]:
    """The S_n character table as exact integers, by Murnaghan–Nakayama.

    Returns ``(values, labels)``: ``values`` is a read-only integer array (int64 for
    n <= 30, Python ints in an object array above), rows in ``labels`` =
    ``partitions(n)`` order (trivial first), columns in ``SymmetricGroup(n)``
    class order (lexicographic, identity first).

    Examples
    --------
    >>> values, labels = symmetric_character_array(4)
    >>> labels[1], values[1].tolist()     # the standard character: fixed points - 1
    ((3, 1), [3, 1, -1, 0, -1])
    """
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"symmetric_character_array(n): n must be an integer >= 1; got n={n!r}.")
    return mn_character_array(int(n)), partitions(int(n))


def _clear_caches() -> None:
    """Forget every cached table (for cold-start benchmarks)."""
    clear_caches()
    _character_table.cache_clear()


# ---------------------------------------------------------------- class functions
def class_function(G: FiniteGroup, values: Any, *, who: str = "class_function") -> NDArray:
    """Check and convert class-function values (one per class, in ``class_labels`` order).

    Returns a 1-D array: ``object`` dtype holding sympy values for exact input
    (integers, sympy numbers or symbols), float or complex for numeric input.

    Examples
    --------
    >>> class_function(SymmetricGroup(3), [3, 1, 0])
    array([3, 1, 0], dtype=object)
    """
    k = len(G.conjugacy_classes)
    if isinstance(values, sp.MatrixBase):
        values = list(values)
    arr = np.asarray(values) if not isinstance(values, np.ndarray) else values
    if arr.dtype.kind not in "fcO":
        if arr.dtype.kind not in "iub":
            raise ValueError(f"{who}: expected numbers or sympy expressions, one per conjugacy class "
                             f"of {G.name}; got dtype {arr.dtype} from {values!r}.")
        arr = arr.astype(object)
    if arr.shape != (k,):
        raise ValueError(f"{who}: a class function of {G.name} has one value per conjugacy class, "
                         f"shape ({k},) in the order of G.conjugacy_classes; got shape {arr.shape}.")
    if arr.dtype == object:
        try:
            out = np.empty(k, dtype=object)
            out[:] = [sp.sympify(v, strict=True) for v in arr]
            arr = out
        except (sp.SympifyError, TypeError, ValueError):
            raise ValueError(f"{who}: cannot read {values!r} as exact values; pass integers, "
                             f"sympy numbers or expressions, or floats for a numeric result.") from None
    return arr


def inner_product(G: FiniteGroup, chi: Any, psi: Any) -> Any:
    r"""The inner product of two class functions on ``G``.

    .. math:: \langle \chi, \psi \rangle = \frac{1}{|G|} \sum_{C} |C|\, \chi(C)\, \overline{\psi(C)}

    Parameters
    ----------
    G : FiniteGroup
    chi, psi : sequence, shape (#classes,)
        Values on the conjugacy classes, in ``G.conjugacy_classes`` order.  Exact
        (integers, sympy) or numeric (float, complex).

    Returns
    -------
    sympy expression if both are exact (simplified in the cyclotomic field),
    else a numpy float or complex.

    Examples
    --------
    >>> t = character_table(DihedralGroup(5))
    >>> inner_product(DihedralGroup(5), t.character("E1"), t.character("E1"))
    1
    >>> round(inner_product(CyclicGroup(3), [1, 1, 1], [1.0, 0.0, 0.0]), 6)
    0.333333
    """
    a = class_function(G, chi, who="inner_product(chi)")
    b = class_function(G, psi, who="inner_product(psi)")
    sizes = [c.size for c in G.conjugacy_classes]
    if a.dtype == object and b.dtype == object:
        if all(isinstance(v, sp.Integer) for v in (*a, *b)):  # e.g. S_n: plain integers
            total = sum(s * int(x) * int(y) for s, x, y in zip(sizes, a, b))
            return sp.Rational(total, G.order)
        total = sum((s * x * conj(y) for s, x, y in zip(sizes, a, b)), sp.Integer(0))
        return cyclotomic_simplify(total / G.order)
    a, b = _numeric(a), _numeric(b)
    out = np.sum(np.asarray(sizes, float) * a * np.conj(b)) / G.order
    return float(out.real) if np.isrealobj(a) and np.isrealobj(b) else complex(out)


def _numeric(a: NDArray) -> NDArray:
    if a.dtype != object:
        return a
    c = np.array([complex(v) for v in a])
    return c.real.copy() if not np.any(c.imag) else c


def decompose(G: FiniteGroup, character: Any) -> dict[Hashable, Any]:
    r"""Multiplicities of the irreps in a character: :math:`m_\rho = \langle \chi, \chi_\rho \rangle`.

    Returns a dict from irrep label to multiplicity, in ``irrep_labels`` order
    (zeros included).  For the character of a representation these are
    non-negative integers (Python ``int`` for exact input); for a general class
    function they are its coefficients in the basis of irreducible characters.

    Examples
    --------
    >>> decompose(SymmetricGroup(3), regular_character(SymmetricGroup(3)))
    {(3,): 1, (2, 1): 2, (1, 1, 1): 1}
    >>> decompose(SymmetricGroup(4), permutation_character(SymmetricGroup(4)))
    {(4,): 1, (3, 1): 1, (2, 2): 0, (2, 1, 1): 0, (1, 1, 1, 1): 0}
    """
    table = character_table(G)
    chi = class_function(G, character, who="decompose(character)")
    out = {}
    for i, label in enumerate(table.irrep_labels):
        m = inner_product(G, chi, list(table.values.row(i)))
        if isinstance(m, sp.Basic) and m.is_Integer:
            m = int(m)
        out[label] = m
    return out


def trivial_character(G: FiniteGroup) -> tuple:
    """The trivial character: 1 on every class.

    >>> trivial_character(DihedralGroup(3))
    (1, 1, 1)
    """
    return tuple(sp.Integer(1) for _ in G.conjugacy_classes)


def regular_character(G: FiniteGroup) -> tuple:
    """The character of the regular representation: |G| at the identity, 0 elsewhere.

    >>> regular_character(CyclicGroup(3))
    (3, 0, 0)
    """
    return tuple(sp.Integer(G.order if i == 0 else 0) for i in range(len(G.conjugacy_classes)))


def permutation_character(G: FiniteGroup) -> tuple:
    """The character of the natural permutation action: the number of fixed points.

    S_n permutes the points 0..n−1; D_n the n vertices of the n-gon (r^k s sends
    vertex v to k − v mod n); Z_n acts on itself by translation (the regular
    character); a direct product acts on the product of its factors' sets.  Values are counted on each class representative.

    >>> permutation_character(SymmetricGroup(3))     # classes (1,1,1), (2,1), (3)
    (3, 1, 0)
    >>> permutation_character(DihedralGroup(4))      # 1, r, r^2, s, rs
    (4, 0, 0, 2, 0)
    """
    counts = G._permutation_character()
    return tuple(sp.Integer(c) for c in counts)


def coset_character(G: FiniteGroup, subgroup: Any) -> tuple:
    r"""The permutation character of G acting on the cosets G/H of a subgroup H.

    It is the trivial character of H induced to G; on a class C,

    .. math:: \chi(C) = \frac{|G|}{|H|} \frac{|C \cap H|}{|C|},

    counted from the class of each element of H (no sum over G).

    Parameters
    ----------
    G : FiniteGroup
    subgroup : iterable of elements of G
        The elements of H; they must contain the identity and be closed under
        multiplication.

    Examples
    --------
    >>> S3 = SymmetricGroup(3)
    >>> coset_character(S3, [(0, 1, 2), (1, 0, 2)])        # S_3 / S_2: three points
    (3, 1, 0)
    >>> coset_character(S3, [(0, 1, 2)]) == regular_character(S3)
    True
    """
    idx = np.unique(np.array([G.index(h) for h in subgroup], dtype=np.intp))
    if idx.size == 0 or idx[0] != 0:
        raise ValueError(f"coset_character: a subgroup of {G.name} contains the identity "
                         f"{G.identity!r}; got {len(idx)} elements without it.")
    products = G.mul_idx(idx[:, None], idx[None, :])
    if not np.isin(products, idx).all():
        a, b = np.argwhere(~np.isin(products, idx))[0]
        raise ValueError(f"coset_character: the elements are not closed under multiplication: "
                         f"{G.elements[idx[a]]!r} * {G.elements[idx[b]]!r} is missing; pass a subgroup.")
    counts = np.bincount(G.class_of[idx], minlength=len(G.conjugacy_classes))
    return tuple(sp.Integer(G.order * int(c) // (len(idx) * cls.size))
                 for c, cls in zip(counts, G.conjugacy_classes))


def tensor_product_character(G: FiniteGroup, chi: Any, psi: Any) -> tuple:
    r"""The character of ρ ⊗ σ: the pointwise product :math:`\chi(C)\psi(C)`.

    >>> t = character_table(SymmetricGroup(3))
    >>> decompose(SymmetricGroup(3), tensor_product_character(SymmetricGroup(3),
    ...           t.character((2, 1)), t.character((2, 1))))
    {(3,): 1, (2, 1): 1, (1, 1, 1): 1}
    """
    a = class_function(G, chi, who="tensor_product_character(chi)")
    b = class_function(G, psi, who="tensor_product_character(psi)")
    if a.dtype == object and b.dtype == object:
        return tuple(x * y for x, y in zip(a, b))
    return tuple((a * b).tolist())
