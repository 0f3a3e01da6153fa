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
  Rational cosines are shown as rationals, the others as an unevaluated
  ``2*cos(2*pi*m/n)`` with 0 <= m <= n/2 (a canonical, exact form).
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

import math
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import product
from typing import Any, Hashable, Sequence

import numpy as np
from ._lazy import sympy as sp  # imported at first use: `import groupfourier` stays fast
from numpy.typing import NDArray

from .groups import CyclicGroup, DihedralGroup, DirectProduct, FiniteGroup, SymmetricGroup
from ._mn_sn import clear_caches, mn_character_array
from .partitions import partitions

__all__ = ["CharacterTable", "character_table", "symmetric_character_array", "inner_product",
           "decompose", "regular_character", "permutation_character", "tensor_product_character",
           "trivial_character", "coset_character", "class_function"]


# ----------------------------------------------------------------------------- table
@dataclass(frozen=True, eq=False)
class CharacterTable:
    """The character table of a finite group (exact).

    Attributes
    ----------
    group : FiniteGroup
    irrep_labels : tuple
        Row labels, the labels of ``group.irreps()`` in order (trivial first).
    class_labels : tuple
        Column labels, those of ``group.conjugacy_classes`` (identity class first;
        cycle types for S_n).
    class_sizes : tuple of int
        |C| for each column; they sum to |G|.
    values : sympy.ImmutableMatrix
        ``values[i, j]`` = χ_i(C_j), exact, shape (#irreps, #classes).

    Examples
    --------
    >>> t = SymmetricGroup(3).character_table()
    >>> t.irrep_labels, t.class_labels, t.class_sizes
    (((3,), (2, 1), (1, 1, 1)), ((1, 1, 1), (2, 1), (3,)), (1, 3, 2))
    >>> t.values
    Matrix([
    [1,  1,  1],
    [2,  0, -1],
    [1, -1,  1]])
    >>> print(t)
    S3 character table
      class    (1,1,1)  (2,1)  (3)
      size           1      3    2
      (3)            1      1    1
      (2,1)          2      0   -1
      (1,1,1)        1     -1    1
    """

    group: FiniteGroup
    irrep_labels: tuple
    class_labels: tuple
    class_sizes: tuple
    values: sp.ImmutableMatrix = field(repr=False)

    def __repr__(self) -> str:
        return (f"CharacterTable({self.group!r}: {len(self.irrep_labels)} irreps x "
                f"{len(self.class_labels)} classes)")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CharacterTable) and other.group == self.group

    def __hash__(self) -> int:
        return hash(("CharacterTable", self.group))

    def character(self, label: Hashable) -> tuple:
        """The row of the irrep ``label``: its exact values on the classes."""
        return tuple(self.values.row(self.row_index(label)))

    def row_index(self, label: Hashable) -> int:
        """Position of ``label`` in ``irrep_labels``; ``ValueError`` listing them if absent."""
        key = tuple(label) if isinstance(label, list) else label
        try:
            return self.irrep_labels.index(key)
        except ValueError:
            shown = list(self.irrep_labels[:8]) + (["…"] if len(self.irrep_labels) > 8 else [])
            raise ValueError(f"CharacterTable of {self.group!r}: no irrep labelled {label!r}; "
                             f"valid labels: {', '.join(map(repr, shown))}.") from None

    def to_numpy(self) -> NDArray:
        """The values as a read-only numpy array, from the same closed forms (float for S_n
        and D_n, complex where a cyclic group is involved); tested equal to ``values``."""
        return self._numeric

    @cached_property
    def _numeric(self) -> NDArray:
        arr = _numeric_table(self.group)
        arr.setflags(write=False)
        return arr

    def to_dict(self) -> dict:
        """A JSON-ready dict: labels as lists, exact values as strings (``str`` of sympy)."""
        return {
            "group": self.group.name,
            "order": self.group.order,
            "irrep_labels": [_jsonable(x) for x in self.irrep_labels],
            "class_labels": [_jsonable(x) for x in self.class_labels],
            "class_sizes": list(self.class_sizes),
            "values": [[str(v) for v in self.values.row(i)] for i in range(self.values.rows)],
        }

    def __str__(self) -> str:
        cols = [_label_str(self.group, c, kind="class") for c in self.class_labels]
        rows = [_label_str(self.group, r, kind="irrep") for r in self.irrep_labels]
        cells = [[str(v) for v in self.values.row(i)] for i in range(self.values.rows)]
        first = max([len("class"), len("size")] + [len(r) for r in rows])
        widths = [max([len(c), len(str(s))] + [len(row[j]) for row in cells])
                  for j, (c, s) in enumerate(zip(cols, self.class_sizes))]

        def line(head: str, items: Sequence[str]) -> str:
            return "  " + head.ljust(first) + "".join("  " + x.rjust(w) for x, w in zip(items, widths))

        out = [f"{self.group.name} character table", line("class", cols),
               line("size", [str(s) for s in self.class_sizes])]
        out += [line(r, row) for r, row in zip(rows, cells)]
        return "\n".join(out)


def _numeric_table(G: FiniteGroup) -> NDArray:
    """The table in floating point from the same closed forms (no sympy evaluation)."""
    if isinstance(G, SymmetricGroup):
        return symmetric_character_array(G.n)[0].astype(float)
    if isinstance(G, CyclicGroup):
        k = np.arange(G.n)
        return np.exp(2j * np.pi * (np.outer(k, k) % G.n) / G.n)
    if isinstance(G, DihedralGroup):
        t = G.character_table()
        out = np.zeros(t.values.shape)
        for i, label in enumerate(t.irrep_labels):
            for j, cls in enumerate(t.class_labels):
                if label[0] == "E":
                    out[i, j] = 2 * np.cos(2 * np.pi * ((int(label[1:]) * cls[1]) % G.n) / G.n) \
                        if cls[0] == "r" else 0.0
                else:
                    out[i, j] = float(t.values[i, j])  # ±1
        return out
    if isinstance(G, DirectProduct):
        out = np.ones((1, 1))
        for F in G.factors:
            out = np.kron(out, _numeric_table(F))
        return out
    arr = np.array(G.character_table().values.evalf(17).tolist(), dtype=complex)  # pragma: no cover
    return arr.real.copy() if not np.any(arr.imag) else arr  # pragma: no cover


def _jsonable(label: Any) -> Any:
    if isinstance(label, tuple):
        return [_jsonable(x) for x in label]
    if isinstance(label, np.integer):
        return int(label)
    return label


def _label_str(G: FiniteGroup, label: Any, *, kind: str) -> str:
    if isinstance(G, DirectProduct):
        sep = "⊗" if kind == "irrep" else "×"
        return sep.join(_label_str(F, x, kind=kind) for F, x in zip(G.factors, label))
    if isinstance(G, SymmetricGroup):
        return "(" + ",".join(map(str, label)) + ")"
    if isinstance(G, DihedralGroup) and kind == "class":
        if label[0] == "r":
            return "1" if label[1] == 0 else ("r" if label[1] == 1 else f"r^{label[1]}")
        return "s" if len(label) == 1 or label[1] == 0 else "rs"
    return str(label)


# --------------------------------------------------------------------------- entry
def character_table(G: FiniteGroup) -> CharacterTable:
    """The exact character table of ``G`` (cached per group; same as ``G.character_table()``).

    Examples
    --------
    >>> t = character_table(DihedralGroup(5))
    >>> t.irrep_labels, t.class_labels
    (('A1', 'A2', 'E1', 'E2'), (('r', 0), ('r', 1), ('r', 2), ('s',)))
    >>> t.character("E1")
    (2, 2*cos(2*pi/5), 2*cos(4*pi/5), 0)
    >>> character_table(CyclicGroup(4)).character(1)
    (1, I, -1, -I)
    """
    if not isinstance(G, FiniteGroup):
        raise ValueError(f"character_table: G must be a FiniteGroup such as SymmetricGroup(4); got {G!r}.")
    return _character_table(G)


@lru_cache(maxsize=64)
def _character_table(G: FiniteGroup) -> CharacterTable:
    classes = G.conjugacy_classes
    class_labels = tuple(c.label for c in classes)
    class_sizes = tuple(c.size for c in classes)
    if isinstance(G, SymmetricGroup):
        arr, labels = symmetric_character_array(G.n)
        values = _integer_matrix(arr)
    elif isinstance(G, CyclicGroup):
        labels = tuple(range(G.n))
        values = sp.ImmutableMatrix(G.n, G.n, lambda k, m: _root(G.n, k * m))
    elif isinstance(G, DihedralGroup):
        labels = tuple(r.label for r in G.irreps())
        values = sp.ImmutableMatrix([[_dihedral_value(G.n, lab, c) for c in class_labels]
                                     for lab in labels])
    elif isinstance(G, DirectProduct):  # χ_(ρ_1,…,ρ_k)(C_1 × … × C_k) = Π χ_ρi(C_i)
        tables = [character_table(F) for F in G.factors]
        labels = tuple(product(*[t.irrep_labels for t in tables]))
        rows = list(product(*[range(len(t.irrep_labels)) for t in tables]))
        cols = list(product(*[range(len(t.class_labels)) for t in tables]))
        values = sp.ImmutableMatrix(len(rows), len(cols), lambda i, j: sp.Mul(
            *[t.values[r, c] for t, r, c in zip(tables, rows[i], cols[j])]))
    else:
        raise ValueError(f"character_table: no character table is implemented for {G!r}; "
                         f"expected a CyclicGroup, DihedralGroup, SymmetricGroup or DirectProduct.")
    return CharacterTable(G, tuple(labels), class_labels, class_sizes, values)


# ------------------------------------------------------------------ Z_n and D_n
def _root(n: int, m: int) -> sp.Expr:
    """e^{2πi m/n} as sympy (the same form as the exact irreps use)."""
    return sp.exp(2 * sp.pi * sp.I * sp.Rational(m % n, n))


def _two_cos(n: int, m: int) -> sp.Expr:
    """2 cos(2π m/n): a rational where it is one, else the unevaluated canonical form."""
    m = m % n
    m = min(m, n - m)
    c = sp.cos(2 * sp.pi * sp.Rational(m, n))
    if c.is_Rational:
        return 2 * c
    return 2 * sp.cos(2 * sp.pi * sp.Rational(m, n), evaluate=False)


def _dihedral_value(n: int, label: str, cls: tuple) -> sp.Expr:
    rotation = cls[0] == "r"
    if label[0] == "E":
        return _two_cos(n, int(label[1:]) * cls[1]) if rotation else sp.Integer(0)
    # One-dimensional: A1 trivial, A2 s -> -1, B1 r -> -1, B2 r, s -> -1.
    r_sign = -1 if label[0] == "B" else 1
    s_sign = -1 if label[1] == "2" else 1
    if rotation:
        return sp.Integer(r_sign ** cls[1])
    parity = cls[1] if len(cls) == 2 else 0  # class ("s", p) holds r^p s
    return sp.Integer(r_sign ** parity * s_sign)


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


def _integer_matrix(arr: NDArray) -> sp.ImmutableMatrix:
    """An ImmutableMatrix of integers, built without re-sympifying every entry.

    sympy's constructor sympifies each entry one by one (about 0.2 s for S_16);
    here the distinct values are converted once and the internal sparse integer
    representation is built directly.  Falls back to the public constructor if
    sympy's internals differ.  (Tested equal to the public constructor.)
    """
    rows, cols = arr.shape
    try:
        from sympy.polys.domains import ZZ
        from sympy.polys.matrices import DomainMatrix
        from sympy.polys.matrices.sdm import SDM

        uniq, inverse = np.unique(arr, return_inverse=True)
        ints = np.empty(len(uniq), dtype=object)
        ints[:] = [sp.Integer(int(v)) for v in uniq]
        flat = ints[inverse.ravel()].tolist()  # each distinct value sympified once
        nz_r, nz_c = np.nonzero(arr)
        zz = list(map(ZZ.dtype, arr[nz_r, nz_c].tolist()))
        splits = np.searchsorted(nz_r, np.arange(1, rows))
        sdm = {}
        for i, (cs, vs) in enumerate(zip(np.split(nz_c, splits), _split_list(zz, splits))):
            if len(cs):
                sdm[i] = dict(zip(cs.tolist(), vs))
        rep = DomainMatrix.from_rep(SDM(sdm, (rows, cols), ZZ))
        obj = sp.Basic.__new__(sp.ImmutableDenseMatrix, sp.Integer(rows), sp.Integer(cols),
                               sp.Tuple(*flat, sympify=False))
        obj._rows, obj._cols, obj._rep = rows, cols, rep
        return obj
    except (ImportError, AttributeError, TypeError):  # pragma: no cover - other sympy versions
        return sp.ImmutableMatrix(arr.tolist())


def _split_list(values: list, splits: NDArray) -> list[list]:
    bounds = [0] + splits.tolist() + [len(values)]
    return [values[a:b] for a, b in zip(bounds, bounds[1:])]


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


def _is_real(v: sp.Expr) -> bool:
    return v.is_extended_real is True


def _conj(v: sp.Expr) -> sp.Expr:
    return v if _is_real(v) else sp.conjugate(v)


def _cyclotomic_simplify(expr: sp.Expr) -> sp.Expr:
    r"""Simplify sums of roots of unity exactly, in the canonical form of :mod:`.fourier`.

    The order N of the roots of unity present (``exp(I*pi*q)`` with rational q,
    and ``cos``/``sin`` of rational multiples of π) is read off the expression;
    the reduction modulo the cyclotomic polynomial is ``fourier._canonical``, the
    one implementation shared by the exact transforms and the character code.
    Other factors (symbols, radicals) are kept as coefficients.
    """
    from .fourier import _canonical

    expr = sp.sympify(expr)
    if expr.is_Rational or not expr.has(sp.exp, sp.cos, sp.sin, sp.I):
        return sp.expand(expr)
    rewritten = expr.rewrite(sp.exp) if expr.has(sp.cos, sp.sin) else expr
    denominators = [1]
    for atom in rewritten.atoms(sp.exp):
        q = atom.args[0] / (sp.I * sp.pi)  # exp(I*pi*q) = e^(2 pi i q/2)
        if q.is_Rational:
            denominators.append(int((q / 2).q))
    return _canonical(rewritten, math.lcm(*denominators))


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
        total = sum((s * x * _conj(y) for s, x, y in zip(sizes, a, b)), sp.Integer(0))
        return _cyclotomic_simplify(total / G.order)
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
    reps = [c.representative for c in G.conjugacy_classes]
    if isinstance(G, SymmetricGroup):
        counts = [sum(1 for i, p in enumerate(g) if i == p) for g in reps]
    elif isinstance(G, DihedralGroup):
        n = G.n
        counts = [sum(1 for v in range(n) if ((k - v) % n if e else (k + v) % n) == v) for k, e in reps]
    elif isinstance(G, CyclicGroup):
        counts = [G.n if g == 0 else 0 for g in reps]
    elif isinstance(G, DirectProduct):  # on the product of the factors' sets
        chars = [permutation_character(F) for F in G.factors]
        counts = [math.prod(int(chi[p]) for chi, p in zip(chars, parts))
                  for parts in product(*[range(len(chi)) for chi in chars])]
    else:
        raise ValueError(f"permutation_character: no natural action is defined for {G!r}.")
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
