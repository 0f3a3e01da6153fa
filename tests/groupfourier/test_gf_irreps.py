"""Irreducible representations: homomorphism, unitarity, Schur orthogonality,
dimensions, branching, exact vs numeric, and bad input.

Oracles: the Cayley table (group law), brute-force sums over the group (Schur
orthogonality, irreducibility), the hook length formula, inversion counts for
the sign, Coxeter relations of S_n, and sympy exact arithmetic vs float.
"""

from itertools import combinations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from groupfourier import CyclicGroup, DihedralGroup, SymmetricGroup
from groupfourier.cyclotomic import cyclotomic_simplify as _cyclotomic_simplify
from groupfourier.irreps import FORMS, standard_tableaux, young_generator_matrices
from groupfourier.partitions import hook_length_dimension, partitions
from groupfourier.strategies import ALL_FAMILIES, elements, groups

TOL = 1e-12  # numeric identities hold to a few ulps of O(1) entries


def forms_of(G):
    return FORMS[type(G)]


def exactly_zero(x: sp.Expr) -> bool:
    """Exact zero test: expand; else reduce modulo the cyclotomic polynomial (for
    trigonometric values, exact); else the minimal polynomial (a proof, slower)."""
    x = sp.expand(x)
    if x == 0 or _cyclotomic_simplify(x) == 0:
        return True
    return sp.minimal_polynomial(x, sp.Symbol("t")) == sp.Symbol("t")


# ------------------------------------------------------------------ numeric
@given(groups(families=ALL_FAMILIES), st.data())
def test_homomorphism_and_unitarity_every_form(G, data):
    form = data.draw(st.sampled_from(forms_of(G)))
    T = G.cayley_table
    for rho in G.irreps(form):
        M = rho.matrices()
        assert M.shape == (G.order, rho.dim, rho.dim)
        # ρ(g_i g_j) = ρ(g_i) ρ(g_j) for every pair, via the Cayley table.
        np.testing.assert_allclose(M[T], M[:, None] @ M[None, :], atol=TOL)
        np.testing.assert_allclose(M[0], np.eye(rho.dim), atol=TOL)
        if form != "seminormal":  # the seminormal form is rational, not orthogonal
            eye = np.broadcast_to(np.eye(rho.dim), M.shape)
            np.testing.assert_allclose(M @ np.conj(np.swapaxes(M, 1, 2)), eye, atol=TOL)
        if form in ("real", "orthogonal", "seminormal"):
            assert np.isrealobj(M)


@given(groups(families=ALL_FAMILIES))
def test_sum_of_squared_dimensions_and_trivial_first(G):
    for form in forms_of(G):
        irreps = G.irreps(form)
        if form in ("complex", "orthogonal", "seminormal", "product"):  # irreducible over C
            assert sum(r.dim ** 2 for r in irreps) == G.order
        assert np.allclose(irreps[0].matrices(), 1) and irreps[0].dim == 1
        assert irreps[0].is_trivial and not any(r.is_trivial for r in irreps[1:])


@given(groups(families=ALL_FAMILIES), st.data())
def test_schur_orthogonality_of_matrix_entries(G, data):
    """(1/|G|) Σ_g ρ_ij(g) conj(σ_kl(g)) = δ_ρσ δ_ik δ_jl / d_ρ: irreducible, inequivalent."""
    form = data.draw(st.sampled_from([f for f in forms_of(G) if f != "seminormal"]))
    irreps = G.irreps(form)
    if form == "real" and isinstance(G, CyclicGroup):  # 2×2 blocks: ρ_k ⊕ ρ_-k over C
        chis = np.array([np.trace(r.matrices(), axis1=1, axis2=2) for r in irreps])
        gram = chis @ chis.T / G.order
        expected = np.diag([1.0 if r.dim == 1 else 2.0 for r in irreps])
        np.testing.assert_allclose(gram, expected, atol=TOL)
        return
    # D_n's real form stays irreducible over C, so its entries obey Schur too.
    flat = np.concatenate([r.matrices().reshape(G.order, -1) for r in irreps], axis=1)
    gram = flat.T @ np.conj(flat) / G.order
    expected = np.diag(np.concatenate([np.full(r.dim ** 2, 1.0 / r.dim) for r in irreps]))
    np.testing.assert_allclose(gram, expected, atol=TOL)


def test_dimensions_match_hook_length_formula():
    for n in range(1, 11):
        irreps = SymmetricGroup(n).irreps()
        assert [r.label for r in irreps] == list(partitions(n))
        for r in irreps:
            assert r.dim == hook_length_dimension(r.label) == len(standard_tableaux(r.label))
        assert sum(r.dim ** 2 for r in irreps) == SymmetricGroup(n).order


def test_sign_representation_counts_inversions():
    for n in range(1, 6):
        G = SymmetricGroup(n)
        sign = G.irrep((1,) * n).matrices()[:, 0, 0]
        inversions = [sum(p[i] > p[j] for i, j in combinations(range(n), 2)) for p in G.elements]
        assert sign.tolist() == [(-1.0) ** k for k in inversions]


def test_young_generators_satisfy_coxeter_relations():
    """s_i² = 1, (s_i s_{i+1})³ = 1, s_i s_j = s_j s_i for |i − j| >= 2: S_n's presentation."""
    for n in range(2, 9):
        for lam in partitions(n):
            for form in ("orthogonal", "seminormal"):
                s = young_generator_matrices(lam, form)
                eye = np.eye(len(standard_tableaux(lam)))
                for i in range(n - 1):
                    np.testing.assert_allclose(s[i] @ s[i], eye, atol=TOL)
                    if i + 1 < n - 1:
                        b = s[i] @ s[i + 1]
                        np.testing.assert_allclose(b @ b @ b, eye, atol=TOL)
                    for j in range(i + 2, n - 1):
                        np.testing.assert_allclose(s[i] @ s[j], s[j] @ s[i], atol=TOL)
                if form == "orthogonal":
                    assert all(np.allclose(m, m.T) for m in s)  # orthogonal involutions


def test_young_generators_exact_coxeter_relations():
    for lam in [(3, 1), (2, 2), (3, 2), (2, 2, 1), (3, 1, 1)]:
        for form in ("orthogonal", "seminormal"):
            s = young_generator_matrices(lam, form, exact=True)
            eye = sp.eye(s[0].rows)
            for i in range(len(s)):
                assert (s[i] * s[i]).applyfunc(sp.expand) == eye
                if i + 1 < len(s):
                    assert ((s[i] * s[i + 1]) ** 3).applyfunc(sp.expand) == eye


def test_orthogonal_form_is_adapted_to_the_branching_chain():
    """Restricted to S_{n-1} (fixing n−1), ρ_λ is block diagonal: ρ_μ for the corners
    μ = λ − box, removed from the top row down (the basis order the FFT relies on)."""
    for n in range(2, 6):
        small = SymmetricGroup(n - 1)
        for lam in partitions(n):
            rho = SymmetricGroup(n).irrep(lam)
            corners = [i for i in range(len(lam)) if lam[i] > (lam[i + 1] if i + 1 < len(lam) else 0)]
            mus = [tuple(p for p in lam[:i] + (lam[i] - 1,) + lam[i + 1:] if p) for i in corners]
            for g in small.elements:
                big = rho.matrix(g + (n - 1,))
                blocks = [small.irrep(mu).matrix(g) for mu in mus]
                expected = np.zeros_like(big)
                k = 0
                for b in blocks:
                    expected[k:k + len(b), k:k + len(b)] = b
                    k += len(b)
                np.testing.assert_allclose(big, expected, atol=TOL)


# -------------------------------------------------------------------- exact
@settings(max_examples=10)
@given(groups(max_order=12), st.data())
def test_exact_homomorphism_exactly(G, data):
    form = data.draw(st.sampled_from(forms_of(G)))
    a, b = data.draw(elements(G)), data.draw(elements(G))
    for rho in G.irreps(form):
        lhs = rho.matrix(G.multiply(a, b), exact=True)
        rhs = rho.matrix(a, exact=True) * rho.matrix(b, exact=True)
        assert isinstance(lhs, sp.MatrixBase)
        assert all(exactly_zero(x) for x in (lhs - rhs))


def test_exact_homomorphism_s4_all_pairs_of_generators():
    G = SymmetricGroup(4)
    gens = [(1, 0, 2, 3), (0, 2, 1, 3), (0, 1, 3, 2), (1, 2, 3, 0)]
    for rho in G.irreps():
        for a in gens:
            for b in G.elements[::5]:
                lhs = rho.matrix(G.multiply(a, b), exact=True)
                rhs = rho.matrix(a, exact=True) * rho.matrix(b, exact=True)
                assert (lhs - rhs).applyfunc(sp.expand) == sp.zeros(rho.dim)


@settings(max_examples=20)
@given(groups(families=ALL_FAMILIES, max_order=24), st.data())
def test_exact_and_numeric_agree(G, data):
    form = data.draw(st.sampled_from(forms_of(G)))
    g = data.draw(elements(G))
    for rho in G.irreps(form):
        exact = np.array(rho.matrix(g, exact=True).evalf(30).tolist(), dtype=complex)
        np.testing.assert_allclose(exact, rho.matrix(g), atol=TOL)
        np.testing.assert_allclose(rho.matrices()[G.index(g)], rho.matrix(g), atol=TOL)


def test_real_forms_have_the_documented_characters():
    for n in (1, 2, 5, 6):
        Z = CyclicGroup(n)
        g = np.arange(n)
        for rho in Z.irreps("real"):
            chi = np.trace(rho.matrices(), axis1=1, axis2=2)
            expected = rho.dim * np.cos(2 * np.pi * rho.label * g / n)  # χ_k + χ_{-k} for 2×2
            np.testing.assert_allclose(chi, expected, atol=TOL)
    for n in (3, 4, 7):
        D = DihedralGroup(n)
        for real, cplx in zip(D.irreps("real"), D.irreps("complex")):
            assert real.label == cplx.label
            np.testing.assert_allclose(np.trace(real.matrices(), axis1=1, axis2=2),
                                       np.trace(cplx.matrices(), axis1=1, axis2=2), atol=TOL)


def test_documented_dihedral_and_cyclic_matrices():
    D = DihedralGroup(5)
    w = np.exp(2j * np.pi / 5)
    e2 = D.irrep("E2")
    np.testing.assert_allclose(e2.matrix((1, 0)), np.diag([w ** 2, w ** -2]), atol=TOL)
    np.testing.assert_allclose(e2.matrix((0, 1)), [[0, 1], [1, 0]], atol=TOL)
    assert D.irrep("A2").matrix((3, 1)).item() == -1
    assert [r.label for r in DihedralGroup(6).irreps()] == ["A1", "A2", "B1", "B2", "E1", "E2"]
    assert CyclicGroup(4).irrep(1).matrix(1, exact=True) == sp.Matrix([[sp.I]])


def test_direct_product_irreps_are_kronecker_products():
    from groupfourier.groups import DirectProduct
    A, B = DihedralGroup(3), SymmetricGroup(3)
    G = DirectProduct(A, B)
    assert [r.label for r in G.irreps()] == [(a.label, b.label) for a in A.irreps() for b in B.irreps()]
    rho = G.irrep(("E1", (2, 1)))
    assert rho.dim == 4 and G.irreps()[0].is_trivial
    g = ((1, 1), (2, 0, 1))
    np.testing.assert_allclose(rho.matrix(g), np.kron(A.irrep("E1").matrix(g[0]),
                                                      B.irrep((2, 1)).matrix(g[1])), atol=TOL)
    exact = rho.matrix(g, exact=True)
    np.testing.assert_allclose(np.array(exact.evalf(20).tolist(), dtype=complex), rho.matrix(g), atol=TOL)
    assert sum(r.dim ** 2 for r in G.irreps()) == 36
    with pytest.raises(ValueError, match=r"no irrep labelled 'E2'"):
        G.irrep(("E2", (3,)))


def test_handed_out_arrays_are_read_only_or_copies():
    rho = SymmetricGroup(4).irrep((2, 2))
    M = rho.matrices()
    assert not M.flags.writeable
    with pytest.raises(ValueError):
        M[0, 0, 0] = 5.0
    m = rho.matrix((1, 0, 2, 3))
    m[0, 0] = 99.0
    assert rho.matrix((1, 0, 2, 3))[0, 0] != 99.0
    assert not young_generator_matrices((2, 1))[0].flags.writeable


def test_irreps_are_cached_and_hashable():
    G = DihedralGroup(4)
    assert G.irreps() is G.irreps() and G.irreps("complex") is G.irreps()
    assert len({*G.irreps(), *G.irreps("real")}) == 10
    assert repr(SymmetricGroup(3).irrep([2, 1])) == "Irrep(SymmetricGroup(3), (2, 1), dim=2, form='orthogonal')"


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("make, pattern", [
    (lambda: SymmetricGroup(3).irreps("complex"), r"form must be one of \('orthogonal', 'seminormal'\); got form='complex'"),
    (lambda: CyclicGroup(3).irreps("orthogonal"), r"form must be one of \('complex', 'real'\)"),
    (lambda: SymmetricGroup(3).irrep((2, 2)), r"partition of n=3; got \(2, 2\)"),
    (lambda: SymmetricGroup(3).irrep((1, 2)), r"non-increasing order.*got \(1, 2\)"),
    (lambda: SymmetricGroup(3).irrep((2, 0, 1)), r"expected a partition"),
    (lambda: DihedralGroup(4).irrep("E2"), r"no irrep labelled 'E2'.*valid labels: 'A1', 'A2', 'B1', 'B2', 'E1'"),
    (lambda: CyclicGroup(3).irrep(3), r"no irrep labelled 3"),
    (lambda: CyclicGroup(6).irrep(4, form="real"), r"no irrep labelled 4 in form 'real'"),
    (lambda: SymmetricGroup(3).irrep((2, 1)).matrix((0, 1)), r"\(0, 1\) is not an element of S3"),
    (lambda: young_generator_matrices((2, 1), "complex"), r"form must be 'orthogonal' or 'seminormal'"),
    (lambda: young_generator_matrices((2, 3)), r"expected a partition"),
])
def test_bad_input(make, pattern):
    with pytest.raises(ValueError, match=pattern):
        make()
