"""Character tables, inner products and decompositions.

Oracles, none of them the Murnaghan–Nakayama code under test:
* GAP 4's tables of S_2..S_7 stored as data (rows compared as a set), with the
  row labels checked by independent rules (hook lengths, trivial, sign,
  standard = fixed points − 1);
* traces of Young's orthogonal matrices at class representatives, multiplied out
  here from the generator matrices (S_n, n <= 8);
* Young's rule π^λ = Σ_ν K_νλ χ^ν, with tabloid counts and Kostka numbers
  computed here (every n <= 10: it determines the table, K being unitriangular);
* column and row orthogonality in exact integers (S_n, n <= 10; S_12, S_16
  targeted), and the closed form on the n-cycle (hooks);
* closed forms e^{2πikm/n} (Z_n) and 2cos(2πjk/n) (D_n), and traces of the
  irrep matrices at every element (hypothesis over all three families);
* brute-force counts of fixed points over all elements for permutation characters.
"""

import json
from collections import Counter
from math import factorial
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from groupfourier import (AlternatingGroup, CyclicGroup, DihedralGroup, SymmetricGroup, character_table, decompose,
                          inner_product, permutation_character, regular_character,
                          symmetric_character_array, tensor_product_character, trivial_character)
from groupfourier._table import integer_matrix as _integer_matrix
from groupfourier.characters import class_function, coset_character
from groupfourier.cyclotomic import cyclotomic_simplify as _cyclotomic_simplify
from groupfourier.irreps import young_generator_matrices
from groupfourier.partitions import centralizer_order, hook_length_dimension, partitions
from groupfourier.groups import DirectProduct
from groupfourier.strategies import ALL_FAMILIES, groups

REFERENCE = Path(__file__).with_name("data") / "gap_symmetric_character_tables_n2_to_7.json"
TOL = 1e-12


def reference_tables():
    return json.loads(REFERENCE.read_text())["tables"]


def table_array(G):
    t = G.character_table()
    return np.array(t.values.tolist(), dtype=object)


# --------------------------------------------------------- S_n: references
@pytest.mark.parametrize("n", range(2, 8))
def test_symmetric_tables_match_gap(n):
    ref = reference_tables()[str(n)]
    t = character_table(SymmetricGroup(n))
    assert list(t.class_labels) == [tuple(c) for c in ref["classes"]]
    assert list(t.class_sizes) == ref["class_sizes"]
    ours = Counter(tuple(int(v) for v in t.values.row(i)) for i in range(t.values.rows))
    assert ours == Counter(tuple(row) for row in ref["values"])


@pytest.mark.parametrize("n", [1, 2, 3, 5, 7, 10, 16])
def test_symmetric_row_labels_by_independent_rules(n):
    t = character_table(SymmetricGroup(n))
    A = np.array(t.values.tolist(), dtype=object)
    classes = t.class_labels
    assert classes[0] == (1,) * n and t.irrep_labels == partitions(n)
    for i, lam in enumerate(t.irrep_labels):
        assert A[i, 0] == hook_length_dimension(lam)  # χ(1) = dimension
    assert all(A[0] == 1)  # (n) is trivial
    sign = [(-1) ** (n - len(mu)) for mu in classes]
    assert list(A[t.row_index((1,) * n)]) == sign
    if n >= 2:
        assert list(A[t.row_index((n - 1, 1))]) == [mu.count(1) - 1 for mu in classes]


@pytest.mark.parametrize("n", [8, 12, 16])
def test_symmetric_characters_on_the_n_cycle_are_hook_signs(n):
    """χ^λ((n)) = (−1)^k if λ = (n−k, 1^k) is a hook, else 0."""
    t = character_table(SymmetricGroup(n))
    col = t.class_labels.index((n,))
    for i, lam in enumerate(t.irrep_labels):
        k = len(lam) - 1
        expected = (-1) ** k if lam == (n - k,) + (1,) * k else 0
        assert t.values[i, col] == expected


def _bubble_word(p):
    """Adjacent transpositions j with p = s_{w0} s_{w1} …, found by sorting (test's own)."""
    p, word = list(p), []
    for _ in range(len(p)):
        for j in range(len(p) - 1):
            if p[j] > p[j + 1]:
                p[j], p[j + 1] = p[j + 1], p[j]
                word.append(j)
    return word[::-1]


@pytest.mark.parametrize("n", range(1, 9))
def test_symmetric_tables_equal_traces_of_young_matrices(n):
    G = SymmetricGroup(n)
    t = character_table(G)
    reps = [c.representative for c in G.conjugacy_classes]
    for i, lam in enumerate(t.irrep_labels):
        gens = young_generator_matrices(lam)
        for j, g in enumerate(reps):
            m = np.eye(gens[0].shape[0]) if gens else np.eye(1)
            for k in _bubble_word(g):
                m = m @ gens[k]
            assert round(np.trace(m)) == t.values[i, j]
            assert abs(np.trace(m) - round(np.trace(m))) < 1e-9


def _tabloids_fixed(lam, mu):
    """π^λ(μ): tabloids of shape λ fixed by a permutation of cycle type μ, i.e. ways to
    put each cycle of μ into a row so that row i receives λ_i points."""
    from functools import lru_cache

    @lru_cache(maxsize=None)
    def count(k, rest):
        if k == len(mu):
            return int(not any(rest))
        return sum(count(k + 1, rest[:i] + (r - mu[k],) + rest[i + 1:])
                   for i, r in enumerate(rest) if r >= mu[k])
    return count(0, tuple(lam))


def _kostka(nu, lam):
    """K_{νλ}: semistandard tableaux of shape ν and content λ, by peeling off the
    horizontal strip of the largest entry."""
    from functools import lru_cache
    from itertools import product as cartesian

    @lru_cache(maxsize=None)
    def count(shape, k):
        if k == 0:
            return int(sum(shape) == 0)
        total = 0
        # ν' ⊂ ν with ν/ν' a horizontal strip of size lam[k-1]: ν_{i+1} <= ν'_i <= ν_i.
        ranges = [range(max(shape[i + 1] if i + 1 < len(shape) else 0, 0), shape[i] + 1)
                  for i in range(len(shape))]
        for inner in cartesian(*ranges):
            if sum(shape) - sum(inner) == lam[k - 1]:
                total += count(tuple(inner), k - 1)
        return total
    return count(tuple(nu), len(lam))


@pytest.mark.parametrize("n", range(1, 11))
def test_symmetric_tables_satisfy_youngs_rule(n):
    """Young's rule: π^λ = Σ_ν K_{νλ} χ^ν, with π^λ counted from tabloids and Kostka
    numbers from tableaux. K is unitriangular, so this pins every entry of the table."""
    t = character_table(SymmetricGroup(n))
    A = np.array(t.values.tolist(), dtype=object)
    labels = t.irrep_labels
    K = np.array([[_kostka(nu, lam) for lam in labels] for nu in labels], dtype=object)
    pi = np.array([[_tabloids_fixed(lam, mu) for mu in t.class_labels] for lam in labels], dtype=object)
    assert (K.T @ A == pi).all()


@pytest.mark.parametrize("n", list(range(1, 11)) + [12, 16])
def test_symmetric_column_orthogonality_exact(n):
    """Σ_λ χ^λ(μ) χ^λ(ν) = z_μ δ_μν, in exact integers."""
    A, labels = symmetric_character_array(n)
    classes = SymmetricGroup(n).conjugacy_classes
    z = np.diag([centralizer_order(c.label) for c in classes]).astype(object)
    B = A.astype(object)
    assert (B.T @ B == z).all()


@pytest.mark.slow
def test_symmetric_column_orthogonality_int64_path():
    """S_21 leaves the float64 path (n <= 20) for int64; Python-int check, about a minute."""
    A = symmetric_character_array(21)[0]
    assert A.dtype == np.int64
    B = A.astype(object)
    z = [centralizer_order(c.label) for c in SymmetricGroup(21).conjugacy_classes]
    assert (B.T @ B == np.diag(z).astype(object)).all()


@pytest.mark.parametrize("n", range(1, 11))
def test_symmetric_row_orthogonality_exact(n):
    """Σ_μ |C_μ| χ^λ(μ) χ^κ(μ) = n! δ_λκ, in exact integers."""
    A = symmetric_character_array(n)[0].astype(object)
    sizes = np.array([c.size for c in SymmetricGroup(n).conjugacy_classes], dtype=object)
    assert ((A * sizes) @ A.T == np.diag([factorial(n)] * len(A)).astype(object)).all()


def test_vectorised_rim_hooks_match_the_loop():
    from groupfourier._mn_sn import _rim_hooks_loop, _rim_hooks_numpy
    for m in range(0, 13):
        fast, slow = _rim_hooks_numpy(m), _rim_hooks_loop(m)
        assert len(fast) == len(slow) == m + 1
        for r in range(m + 1):
            a = sorted(zip(*[np.asarray(x).tolist() for x in fast[r]]))
            assert a == sorted(zip(*slow[r])), (m, r)
        assert sum(len(x[0]) for x in slow) == m * len(partitions(m))  # one hook per box


def test_symmetric_integer_matrix_equals_sympy_constructor():
    for n in (1, 4, 7, 10):
        A = symmetric_character_array(n)[0]
        M = _integer_matrix(A)
        N = sp.ImmutableMatrix(A.tolist())
        assert M == N and N == M and hash(M) == hash(N)
        assert M.shape == N.shape and all(isinstance(v, sp.Integer) for v in M)
        assert (M * M.T) == (N * N.T)
    assert symmetric_character_array(16)[0].shape == (231, 231)
    assert not symmetric_character_array(5)[0].flags.writeable


# ----------------------------------------------------- Z_n and D_n: closed forms
@pytest.mark.parametrize("n", [1, 2, 3, 4, 6, 7, 12])
def test_cyclic_closed_form(n):
    t = character_table(CyclicGroup(n))
    assert t.irrep_labels == tuple(range(n)) and t.class_labels == tuple(range(n))
    num = t.to_numpy()
    k, m = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    np.testing.assert_allclose(num, np.exp(2j * np.pi * k * m / n), atol=TOL)
    for a in range(n):
        for b in range(n):
            expected = sp.exp(2 * sp.pi * sp.I * a * b / n)
            assert sp.expand(t.values[a, b] - expected) == 0 or \
                abs(complex((t.values[a, b] - expected).evalf(40))) < 1e-35


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6, 7, 8, 12])
def test_dihedral_closed_form(n):
    G = DihedralGroup(n)
    t = character_table(G)
    assert t.irrep_labels == tuple(r.label for r in G.irreps())
    rows = dict(zip(t.irrep_labels, np.array(t.values.evalf(30).tolist(), dtype=complex)))
    for j, lab in enumerate(t.class_labels):
        if lab[0] == "r":
            k, refl, parity = lab[1], False, lab[1] % 2
        else:
            k, refl, parity = None, True, (lab[1] if len(lab) == 2 else 0)
        assert rows["A1"][j] == 1
        assert rows["A2"][j] == (-1 if refl else 1)
        if n % 2 == 0:
            assert rows["B1"][j] == (-1) ** parity
            assert rows["B2"][j] == (-1) ** parity * (-1 if refl else 1)
        for e in range(1, (n - 1) // 2 + 1):
            expected = 0 if refl else 2 * np.cos(2 * np.pi * e * k / n)
            assert abs(rows[f"E{e}"][j] - expected) < TOL


def test_dihedral_exact_values_equal_sums_of_roots_of_unity():
    """2cos(2πjk/n) = ω^{jk} + ω^{−jk}, proved by the minimal polynomial of the difference."""
    t = character_table(DihedralGroup(7))
    w = sp.exp(2 * sp.pi * sp.I / 7)
    for j in (1, 2, 3):
        for k in (1, 2, 3):
            diff = t.values[t.row_index(f"E{j}"), k] - (w ** (j * k) + w ** (-j * k))
            assert sp.minimal_polynomial(diff, sp.Symbol("x")) == sp.Symbol("x")


# --------------------------------------------------- all families: properties
@given(groups(families=ALL_FAMILIES))
def test_table_is_the_trace_of_the_irreps_at_every_element(G):
    t = character_table(G)
    assert sum(t.class_sizes) == G.order
    assert t.class_labels == tuple(c.label for c in G.conjugacy_classes)
    num = t.to_numpy()
    for i, rho in enumerate(G.irreps()):
        traces = np.trace(rho.matrices(), axis1=1, axis2=2)  # every element, not just reps
        np.testing.assert_allclose(traces, num[i, G.class_of], atol=TOL)
        assert t.values[i, 0] == rho.dim


@settings(max_examples=15)
@given(groups(families=ALL_FAMILIES, max_order=24))
def test_numeric_table_equals_exact_values(G):
    t = character_table(G)
    exact = np.array(t.values.evalf(30).tolist(), dtype=complex)
    np.testing.assert_allclose(t.to_numpy(), exact, atol=TOL)
    assert not t.to_numpy().flags.writeable


@given(groups(families=ALL_FAMILIES))
def test_row_and_column_orthogonality_numeric(G):
    t = character_table(G)
    X = t.to_numpy()
    sizes = np.array(t.class_sizes, float)
    np.testing.assert_allclose((X * sizes) @ np.conj(X).T / G.order, np.eye(len(X)), atol=TOL)
    np.testing.assert_allclose(np.conj(X).T @ X, np.diag(G.order / sizes), atol=TOL)
    assert X.shape[0] == X.shape[1]  # as many irreps as classes


@settings(max_examples=8)
@given(groups(max_order=10))
def test_row_orthogonality_exact_via_inner_product(G):
    t = character_table(G)
    for a in t.irrep_labels:
        for b in t.irrep_labels:
            assert inner_product(G, t.character(a), t.character(b)) == (1 if a == b else 0)


@settings(max_examples=15)
@given(groups(families=ALL_FAMILIES, max_order=16))
def test_regular_character_contains_each_irrep_dim_times(G):
    m = decompose(G, regular_character(G))
    assert m == {rho.label: rho.dim for rho in G.irreps()}
    assert decompose(G, trivial_character(G)) == {r.label: int(r.is_trivial) for r in G.irreps()}


def test_large_symmetric_decompositions_in_exact_integers():
    G = SymmetricGroup(12)
    assert decompose(G, regular_character(G)) == {lam: hook_length_dimension(lam) for lam in partitions(12)}
    perm = decompose(G, permutation_character(G))
    assert {k: v for k, v in perm.items() if v} == {(12,): 1, (11, 1): 1}
    t = character_table(G)
    sign = t.character((1,) * 12)
    assert {k: v for k, v in decompose(G, tensor_product_character(G, sign, t.character((5, 4, 3)))).items()
            if v} == {(3, 3, 3, 2, 1): 1}  # sign ⊗ χ^λ = χ^λ' (columns of 5,4,3)


def _fixed_points(G, g):
    if isinstance(G, (SymmetricGroup, AlternatingGroup)):
        return sum(g[i] == i for i in range(G.n))
    if isinstance(G, DihedralGroup):
        k, e = g  # r^k s^e sends vertex v to k + (−1)^e v
        return sum((k + (-1) ** e * v) % G.n == v for v in range(G.n))
    if isinstance(G, DirectProduct):  # on the product of the factors' sets
        return int(np.prod([_fixed_points(F, x) for F, x in zip(G.factors, g)]))
    return sum((g + x) % G.n == x for x in range(G.n))  # Z_n on itself


@given(groups(families=ALL_FAMILIES))
def test_permutation_character_counts_fixed_points(G):
    chi = permutation_character(G)
    counts = [_fixed_points(G, g) for g in G.elements]
    assert [chi[c] for c in G.class_of] == counts  # every element, not only reps
    # Multiplicities against a brute-force sum over the group with the numeric irreps.
    m = decompose(G, chi)
    for rho in G.irreps():
        brute = np.sum(np.asarray(counts) * np.conj(np.trace(rho.matrices(), axis1=1, axis2=2)))
        assert abs(brute / G.order - m[rho.label]) < 1e-9
    assert m[G.irreps()[0].label] >= 1  # the action has at least one orbit


@settings(max_examples=12)
@given(groups(max_order=16), st.data())
def test_tensor_product_decomposition_against_kronecker_traces(G, data):
    irreps = G.irreps()
    a = data.draw(st.sampled_from(irreps))
    b = data.draw(st.sampled_from(irreps))
    t = character_table(G)
    m = decompose(G, tensor_product_character(G, t.character(a.label), t.character(b.label)))
    kron = np.einsum("gij,gkl->gikjl", a.matrices(), b.matrices()).reshape(G.order, a.dim * b.dim, -1)
    tr = np.trace(kron, axis1=1, axis2=2)
    for rho in irreps:
        brute = np.sum(tr * np.conj(np.trace(rho.matrices(), axis1=1, axis2=2))) / G.order
        assert isinstance(m[rho.label], int) and abs(brute - m[rho.label]) < 1e-9
    assert sum(m[r.label] * r.dim for r in irreps) == a.dim * b.dim


@pytest.mark.parametrize("n", [3, 4, 5])
def test_coset_characters_of_young_subgroups_count_tabloids(n):
    G = SymmetricGroup(n)
    t = character_table(G)
    for lam in partitions(n):
        blocks, start = [], 0
        for part in lam:
            blocks.append(set(range(start, start + part)))
            start += part
        young = [g for g in G.elements if all({g[i] for i in b} == b for b in blocks)]  # S_λ
        chi = coset_character(G, young)
        assert list(chi) == [_tabloids_fixed(lam, mu) for mu in t.class_labels]


@given(groups(families=ALL_FAMILIES))
def test_coset_characters_trivial_and_regular_cases(G):
    assert coset_character(G, G.elements) == trivial_character(G)
    assert coset_character(G, [G.identity]) == regular_character(G)


def test_dihedral_vertex_action_is_the_cosets_of_a_vertex_stabiliser():
    for n in (3, 4, 5, 6):
        D = DihedralGroup(n)
        assert coset_character(D, [(0, 0), (0, 1)]) == permutation_character(D)  # s fixes vertex 0


def test_known_small_tables_by_hand():
    assert character_table(SymmetricGroup(3)).values == sp.Matrix([[1, 1, 1], [2, 0, -1], [1, -1, 1]])
    d4 = character_table(DihedralGroup(4))  # classes 1, r, r², s, rs
    assert d4.values == sp.Matrix([[1, 1, 1, 1, 1], [1, 1, 1, -1, -1], [1, -1, 1, 1, -1],
                                   [1, -1, 1, -1, 1], [2, 0, -2, 0, 0]])
    assert character_table(CyclicGroup(4)).values == sp.Matrix(
        [[1, 1, 1, 1], [1, sp.I, -1, -sp.I], [1, -1, 1, -1], [1, -sp.I, -1, sp.I]])
    d3 = character_table(DihedralGroup(3))
    assert d3.values == sp.Matrix([[1, 1, 1], [1, 1, -1], [2, -1, 0]])


def test_direct_product_table_is_the_kronecker_product():
    A, B = DihedralGroup(4), SymmetricGroup(3)
    t = character_table(DirectProduct(A, B))
    ta, tb = character_table(A), character_table(B)
    assert t.values == sp.Matrix(sp.kronecker_product(ta.values, tb.values))
    assert t.irrep_labels[0] == ("A1", (3,)) and t.class_labels[0] == (("r", 0), (1, 1, 1))
    assert "A1⊗(3)" in str(t) and "1×(1,1,1)" in str(t)


def test_inner_products_exact_symbolic_and_numeric_agree():
    G = SymmetricGroup(3)
    a, b, c = sp.symbols("a b c", real=True)
    assert inner_product(G, [a, b, c], [1, 1, 1]) == sp.expand((a + 3 * b + 2 * c) / 6)
    t = character_table(DihedralGroup(5))
    exact = inner_product(DihedralGroup(5), t.character("E1"), permutation_character(DihedralGroup(5)))
    numeric = inner_product(DihedralGroup(5), t.to_numpy()[2], np.array([5.0, 0, 0, 1]))
    assert exact == 1 and abs(numeric - 1) < 1e-12
    z = inner_product(CyclicGroup(3), [1, 0, 0], np.array([0, 1j, 0]))
    assert isinstance(z, complex) and z == 0


def test_class_function_inputs_and_numeric_decomposition():
    G = DihedralGroup(4)
    t = character_table(G)
    row = t.values.row(4)  # a sympy Matrix row
    assert class_function(G, row).dtype == object
    assert class_function(G, np.array([4, 0, 0, 2, 0])).tolist() == [4, 0, 0, 2, 0]
    assert class_function(G, np.arange(5.0)).dtype == np.float64
    numeric = decompose(G, np.array([4.0, 0, 0, 2, 0]))  # float input: float multiplicities
    exact = decompose(G, permutation_character(G))
    assert all(isinstance(v, float) for v in numeric.values())
    assert all(abs(numeric[k] - exact[k]) < 1e-12 for k in exact)


def test_cyclotomic_reduction():
    n = 7
    assert _cyclotomic_simplify(sum(sp.exp(2 * sp.pi * sp.I * k / n) for k in range(n))) == 0
    cos = [sp.cos(2 * sp.pi * k / 7) for k in (1, 2, 3)]
    assert _cyclotomic_simplify(sum(cos)) == sp.Rational(-1, 2)
    c5 = sp.cos(2 * sp.pi / 5, evaluate=False)
    assert _cyclotomic_simplify(4 * c5 ** 2 - 2 - 2 * sp.cos(4 * sp.pi / 5, evaluate=False)) == 0
    x = sp.Symbol("x")
    assert _cyclotomic_simplify(x * (sp.I ** 2 + 1) + x) == x


def test_cached_immutable_and_serialisable():
    G = SymmetricGroup(5)
    t = G.character_table()
    assert t is character_table(G) and t == character_table(SymmetricGroup(5))
    with pytest.raises(TypeError):
        t.values[0, 0] = 7
    with pytest.raises(Exception):
        t.irrep_labels = ()
    assert not t.to_numpy().flags.writeable
    d = json.loads(json.dumps(character_table(DihedralGroup(6)).to_dict()))
    assert d["class_labels"][0] == ["r", 0] and d["irrep_labels"][-1] == "E2"
    assert d["values"][4][1] == "1" and sum(d["class_sizes"]) == 12
    d5 = character_table(DihedralGroup(5)).to_dict()
    back = sp.sympify(d5["values"][2][1])  # sympy re-evaluates cos(2π/5) as radicals
    assert abs(complex((back - character_table(DihedralGroup(5)).values[2, 1]).evalf(40))) < 1e-35
    assert character_table(SymmetricGroup(4)).to_dict()["irrep_labels"][1] == [3, 1]


def test_str_is_aligned():
    for G in (SymmetricGroup(4), DihedralGroup(6), CyclicGroup(5)):
        lines = str(character_table(G)).splitlines()
        assert lines[0] == f"{G.name} character table"
        assert len({len(line) for line in lines[1:]}) == 1
        assert len(lines) == 3 + len(G.irreps())
    assert "rs" in str(character_table(DihedralGroup(6)))
    assert repr(character_table(SymmetricGroup(4))) == "CharacterTable(SymmetricGroup(4): 5 irreps x 5 classes)"


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("make, pattern", [
    (lambda: character_table("S3"), r"G must be a FiniteGroup.*got 'S3'"),
    (lambda: symmetric_character_array(0), r"n must be an integer >= 1; got n=0"),
    (lambda: inner_product(SymmetricGroup(3), [1, 2], [1, 1, 1]),
     r"one value per conjugacy class, shape \(3,\).*got shape \(2,\)"),
    (lambda: decompose(DihedralGroup(3), ["a", "b", "c"]), r"cannot read|expected numbers"),
    (lambda: class_function(CyclicGroup(2), [None, 1]), r"cannot read"),
    (lambda: coset_character(CyclicGroup(4), [1, 3]), r"contains the identity 0"),
    (lambda: coset_character(CyclicGroup(4), [0, 1]), r"not closed under multiplication: 1 \* 1"),
    (lambda: coset_character(CyclicGroup(4), [0, 7]), r"7 is not an element of Z4"),
    (lambda: character_table(SymmetricGroup(3)).row_index((2, 2)), r"no irrep labelled \(2, 2\)"),
    (lambda: character_table(DihedralGroup(3)).character("B1"), r"valid labels: 'A1', 'A2', 'E1'"),
])
def test_bad_input(make, pattern):
    with pytest.raises(ValueError, match=pattern):
        make()
