"""Exact D_n character tables (the fast closed form) against independent oracles.

Oracles: sympy's public constructors (``2*cos(2*pi*q)`` evaluated by sympy, the unevaluated
``2*cos(2*pi*q, evaluate=False)``, ``ImmutableMatrix`` of the entries), the numbers
2cos(2πjk/n) in floating point, and GAP's own character tables (passagemath-gap, the
``bench`` extra; skipped where it is not installed), compared in GAP's exact cyclotomic
arithmetic.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from groupfourier import DihedralGroup, character_table
from groupfourier._table import exact_matrix, indexed_matrix, integer_matrix
from groupfourier.cyclotomic import two_cos


def _sympy_two_cos(n: int, m: int) -> sp.Expr:
    """2cos(2πm/n) the slow public way: sympy evaluates it where it is a rational or a
    quadratic surd (φ(den) <= 4), else the unevaluated cosine of the reduced angle."""
    q = sp.Rational(min(m % n, -m % n), n)
    if sp.totient(q.q) <= 4:
        return 2 * sp.cos(2 * sp.pi * q)
    return 2 * sp.cos(2 * sp.pi * q, evaluate=False)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 16, 20, 24, 30, 60, 97, 120])
def test_two_cos_equals_sympys_own_construction(n):
    for m in range(-n, 2 * n + 1):
        ours, theirs = two_cos(n, m), _sympy_two_cos(n, m)
        assert ours == theirs and theirs == ours and hash(ours) == hash(theirs), (n, m)
        assert ours.func == theirs.func and ours.args == theirs.args
        assert abs(float(ours) - 2 * math.cos(2 * math.pi * m / n)) < 1e-12


def test_two_cos_surds_compare_equal_to_what_users_write():
    assert two_cos(5, 1) == (sp.sqrt(5) - 1) / 2 and two_cos(5, 2) == -(1 + sp.sqrt(5)) / 2
    assert two_cos(10, 3) == (1 - sp.sqrt(5)) / 2 and two_cos(8, 3) == -sp.sqrt(2)
    assert two_cos(12, 1) == sp.sqrt(3) and two_cos(4, 1) == 0 and two_cos(3, 1) == -1
    assert two_cos(7, 1) == 2 * sp.cos(2 * sp.pi / 7) and two_cos(7, 1).is_real


@pytest.mark.parametrize("values, index", [
    ([sp.Integer(0), sp.Integer(3), sp.Integer(-2)], [[0, 1, 2], [2, 2, 0]]),          # ZZ
    ([sp.Rational(1, 2), sp.Integer(0), sp.Integer(5)], [[0, 1], [2, 0], [1, 1]]),     # QQ
    ([sp.sqrt(2), sp.Integer(0), 2 * sp.cos(2 * sp.pi / 7, evaluate=False), sp.I],
     [[0, 1, 2, 3], [1, 1, 1, 1], [3, 2, 1, 0]]),                                      # EXRAW
    ([sp.Integer(0), sp.sqrt(5)], [[0, 0], [0, 0]]),                                   # all zero
    ([sp.Integer(7)], np.zeros((0, 3), dtype=int)),                                    # no rows
])
def test_indexed_matrix_equals_the_public_constructor(values, index):
    index = np.asarray(index)
    M = indexed_matrix(values, index)
    R = sp.ImmutableMatrix(index.shape[0], index.shape[1], [values[i] for i in index.ravel()])
    assert M.shape == R.shape and M == R and R == M and hash(M) == hash(R)
    assert M._rep.domain == R._rep.domain and dict(M._rep.rep) == dict(R._rep.rep)
    assert M * M.T == R * R.T and M.T == R.T and list(M) == list(R)
    rows = [[values[i] for i in row] for row in index]
    if rows:
        assert exact_matrix(rows) == R


def test_integer_matrix_keeps_its_domain():
    A = np.array([[1, 0, -3], [0, 0, 2]])
    M = integer_matrix(A)
    assert M == sp.ImmutableMatrix(A.tolist()) and M._rep.domain == sp.ZZ


@pytest.mark.parametrize("n", [3, 5, 8, 10, 12, 36, 500])
def test_dihedral_table_entries_are_the_closed_form(n):
    """Every entry against the closed form, written from the definition of the irreps: A1 = 1,
    A2 = sign of the reflection, B1/B2 = (−1)^k (times A2), E_j(r^k) = 2cos(2πjk/n)
    (sympy's own construction), E_j(reflection) = 0; numerically to 1e-12 as well."""
    t = DihedralGroup(n).character_table()
    num, values = t.to_numpy(), t.values.tolist()
    cosines: dict = {}  # m -> (exact, float) of 2cos(2πm/n), each built once
    for a, irrep in enumerate(t.irrep_labels):
        for b, cls in enumerate(t.class_labels):
            refl = cls[0] == "s"
            k = (cls[1] if len(cls) == 2 else 0) if refl else cls[1]  # class ("s", p) holds r^p s
            if irrep[0] == "E" and not refl:
                m = int(irrep[1:]) * k % n
                if m not in cosines:
                    cosines[m] = (_sympy_two_cos(n, m), 2 * math.cos(2 * math.pi * m / n))
                expected, number = cosines[m]
            else:
                sign = (-1) ** k if irrep[0] == "B" else 1
                number = 0 if irrep[0] == "E" else sign * (-1 if refl and irrep[1] == "2" else 1)
                expected = sp.Integer(number)
            assert values[a][b] == expected, (n, irrep, cls)
            assert abs(num[a, b] - number) < 1e-12
            if expected.is_Integer:  # rational values are exact in the numeric table too
                assert num[a, b] == int(expected), (n, irrep, cls, num[a, b])
    assert t.values == sp.ImmutableMatrix(t.values.tolist())


# ----------------------------------------------------------------------- GAP
def _to_gap(v: sp.Expr) -> str:
    """A sympy value of ours as a GAP cyclotomic: rationals, √d = Sqrt(d), and
    cos(aπ/b) = (E(2b)^a + E(2b)^-a)/2; sums and products of those."""
    if v.is_Rational:
        return f"({v})"
    if v.is_Add:
        return "(" + "+".join(map(_to_gap, v.args)) + ")"
    if v.is_Mul:
        return "(" + "*".join(map(_to_gap, v.args)) + ")"
    if v.is_Pow and v.exp == sp.Rational(1, 2) and v.base.is_Integer:
        return f"Sqrt({v.base})"
    if isinstance(v, sp.cos):
        q = v.args[0] / sp.pi
        assert q.is_Rational, v
        return f"((E({2 * q.q})^{q.p}+E({2 * q.q})^(-{q.p}))/2)"
    raise AssertionError(f"unexpected value {v!r}")


def _gap_agrees(libgap, n: int, values: sp.Matrix) -> bool:
    """Whether ``values`` (rows: irreps, columns: our classes of D_n), columns put in GAP's
    class order (each GAP class representative, a permutation of the n vertices, is looked
    up among our elements), equals GAP's set of irreducible characters exactly; the class
    sizes must agree too."""
    G = DihedralGroup(n)
    t = G.character_table()
    class_of = {tuple(G.to_sympy_element(g).array_form): G.class_of[i] for i, g in enumerate(G.elements)}
    r = [int(x) + 1 for x in G.to_sympy_element((1, 0)).array_form]
    s = [int(x) + 1 for x in G.to_sympy_element((0, 1)).array_form]
    libgap.eval(f"gfG := Group(PermList({r}), PermList({s}))")
    libgap.eval("gfT := CharacterTable(gfG)")
    reps = libgap.eval(f"List(ConjugacyClasses(gfT), c -> ListPerm(Representative(c), {n}))")
    order = [class_of[tuple(int(x) - 1 for x in rep)] for rep in reps]
    assert sorted(order) == list(range(len(t.class_labels)))
    sizes = [int(x) for x in libgap.eval("SizesConjugacyClasses(gfT)")]
    assert sizes == [t.class_sizes[j] for j in order]
    text: dict = {}
    rows = ["[" + ",".join(text.setdefault(v, _to_gap(v)) if v not in text else text[v]
                           for v in (values[i, j] for j in order)) + "]"
            for i in range(values.rows)]
    ours = "[" + ",".join(rows) + "]"
    same = libgap.eval(f"Set({ours}) = Set(List(Irr(gfT), ValuesOfClassFunction))")
    return str(same) == "true" and len(set(rows)) == len(rows) == int(libgap.eval("Length(Irr(gfT))"))


@pytest.fixture(scope="module")
def libgap():
    return pytest.importorskip("sage.all__sagemath_gap").libgap


@pytest.mark.parametrize("n", list(range(3, 21)) + [24, 30, 36, 60])
def test_dihedral_tables_equal_gaps(libgap, n):
    assert _gap_agrees(libgap, n, DihedralGroup(n).character_table().values)


def test_the_gap_comparison_finds_a_wrong_entry(libgap):
    """The oracle can fail: one entry of D_7's table changed (E1 on r takes E2's value), or
    two columns swapped, and GAP disagrees."""
    t = DihedralGroup(7).character_table()
    wrong = t.values.as_mutable()
    wrong[t.row_index("E1"), 1] = t.values[t.row_index("E2"), 1]
    assert not _gap_agrees(libgap, 7, wrong)
    swapped = t.values.as_mutable()
    swapped.col_swap(1, 2)
    assert not _gap_agrees(libgap, 7, swapped)


@pytest.mark.slow
@pytest.mark.parametrize("n", [100, 500])
def test_large_dihedral_tables_equal_gaps(libgap, n):
    assert _gap_agrees(libgap, n, DihedralGroup(n).character_table().values)
