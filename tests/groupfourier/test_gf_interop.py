"""Interop: sympy permutations and groups, LaTeX tables, canonical exact dihedral values."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy as sp
from sympy.combinatorics import Permutation

from groupfourier import (AlternatingGroup, CyclicGroup, DihedralGroup, DirectProduct, SymmetricGroup,
                          character_table)
from groupfourier._table import exact_matrix
from groupfourier.cyclotomic import cyclotomic_simplify, root_of_unity, two_cos

FAMILIES = [SymmetricGroup(4), AlternatingGroup(4), CyclicGroup(6), DihedralGroup(5), DihedralGroup(6)]


@pytest.mark.parametrize("G", FAMILIES, ids=lambda G: G.name)
def test_to_sympy_is_the_same_group_with_the_documented_product_order(G):
    S = G.to_sympy()
    assert S.order() == G.order
    images = [G.to_sympy_element(g) for g in G.elements]
    assert len(set(images)) == G.order and all(p in S for p in images)
    for a, b in itertools.product(G.elements[:8], repeat=2):
        # sympy's p * q applies p first; ours a · b applies b first.
        assert G.to_sympy_element(G.multiply(a, b)) == G.to_sympy_element(b) * G.to_sympy_element(a)


@pytest.mark.parametrize("G", [SymmetricGroup(4), AlternatingGroup(4)], ids=lambda G: G.name)
def test_sympy_permutations_are_accepted_as_elements(G):
    for g in G.elements:
        p = Permutation(list(g))
        assert G.index(p) == G.index(g) and p in G
        for rho in G.irreps():
            assert np.allclose(rho.matrix(p), rho.matrix(g))
    a, b = Permutation([1, 2, 0, 3]), Permutation([0, 2, 3, 1])
    assert G.multiply(a, b) == tuple((b * a).array_form)  # sympy: b * a applies b first
    assert SymmetricGroup(4).index(Permutation([1, 0])) == SymmetricGroup(4).index((1, 0, 2, 3))  # padded
    with pytest.raises(ValueError, match="not an element"):
        SymmetricGroup(3).index(Permutation([0, 1, 2, 4, 3]))  # five points


def test_to_sympy_refused_where_no_action():
    with pytest.raises(ValueError, match="no sympy permutation group"):
        DirectProduct(CyclicGroup(2), CyclicGroup(3)).to_sympy()


@pytest.mark.parametrize("G", FAMILIES + [DirectProduct(CyclicGroup(2), SymmetricGroup(3))],
                         ids=lambda G: G.name)
def test_latex_table_has_every_entry(G):
    t = character_table(G)
    tex = t.to_latex()
    assert tex.startswith(r"\begin{array}") and tex.endswith(r"\end{array}")
    body = tex.splitlines()[4:-1]
    assert len(body) == len(t.irrep_labels)
    for i, line in enumerate(body):
        cells = line.removesuffix(r" \\").split(" & ")[1:]
        assert cells == [sp.latex(v) for v in t.values.row(i)]
    assert t._repr_latex_() == "$$" + tex + "$$"


def test_dihedral_values_compare_equal_to_radicals():
    t = DihedralGroup(8).character_table()
    assert t.character("E1")[1] == sp.sqrt(2) and t.character("E1")[3] == -sp.sqrt(2)
    assert DihedralGroup(12).character_table().character("E1")[1] == sp.sqrt(3)
    assert DihedralGroup(5).character_table().character("E1")[1] == (sp.sqrt(5) - 1) / 2
    assert two_cos(16, 2) == two_cos(8, 1) == sp.sqrt(2)  # lowest terms: one form per value


@pytest.mark.parametrize("n", [5, 8, 9, 10, 12, 16])
def test_dihedral_canonical_values_equal_sums_of_roots(n):
    """Canonical: equal values are equal expressions, and each is ω^m + ω^-m (exactly by the
    minimal polynomial for the radicals, to 40 digits for the unevaluated cosines)."""
    t = DihedralGroup(n).character_table()
    seen = {}
    for j in range(1, (n - 1) // 2 + 1):
        for k, c in enumerate(t.class_labels):
            if c[0] != "r":
                continue
            v = t.values[t.row_index(f"E{j}"), k]
            m = min(j * c[1] % n, -j * c[1] % n)
            assert seen.setdefault(m, v) == v
            diff = v - (root_of_unity(n, m) + root_of_unity(n, -m))
            if v.has(sp.cos):
                assert abs(complex(diff.evalf(50))) < 1e-40
            else:
                assert sp.minimal_polynomial(diff, sp.Symbol("x")) == sp.Symbol("x")
    assert cyclotomic_simplify(sum(t.values.row(t.row_index("E1"))[:1])) == 2


def test_exact_matrix_equals_the_public_constructor():
    rows = [[sp.Integer(1), sp.sqrt(2), sp.Integer(0)],
            [sp.Rational(1, 2), 2 * sp.cos(2 * sp.pi / 7, evaluate=False), sp.I]]
    M = exact_matrix(rows)
    R = sp.ImmutableMatrix(rows)
    assert M == R and R == M and hash(M) == hash(R) and M * M.T == R * R.T
    assert exact_matrix([[sp.Integer(1), sp.Integer(2)]]) == sp.ImmutableMatrix([[1, 2]])
