"""Fourier transform, inverse, convolution and Plancherel against independent oracles.

Oracles: the defining sums written out here with ``Irrep.matrix`` one element at a
time, brute-force convolution over the Cayley table, direct sums Σ f(x) h(x⁻¹),
translates built from the group law, and exact (sympy) versus float agreement.
Numeric tolerance: 1e-9 absolute on values of size O(|G|).
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from groupfourier import (CyclicGroup, DihedralGroup, SymmetricGroup, convolve, fourier_transform,
                          inverse_fourier_transform, plancherel)
from groupfourier.strategies import elements, functions_on, groups, groups_and_functions

TOL = 1e-9


def brute_transform(G, f, rho):
    """f̂(ρ) = Σ_g f(g) ρ(g), one element at a time."""
    return sum(f[..., i, None, None] * rho.matrix(g) for i, g in enumerate(G.elements))


def brute_convolution(G, f, h):
    """(f ∗ h)(x) = Σ_y f(x y⁻¹) h(y) from the Cayley table."""
    T, inv = G.cayley_table, G.inverse_indices
    xy_inv = T[:, inv]                     # [x, y] -> index of x y⁻¹
    return np.einsum("...xy,...y->...x", f[..., xy_inv], h)


def close(a, b, tol=TOL):
    return np.allclose(np.asarray(a), np.asarray(b), rtol=0, atol=tol)


@pytest.mark.parametrize("method", ["dense", "auto"])
@given(Gf=groups_and_functions(max_order=24, max_batch_dims=2, dtype="complex128"))
def test_transform_matches_defining_sum(Gf, method):
    G, f = Gf
    F = fourier_transform(G, f, method=method)
    assert set(F) == {r.label for r in G.irreps()}
    assert F.batch_shape == f.shape[:-1]
    for rho in G.irreps():
        assert F[rho.label].shape == f.shape[:-1] + (rho.dim, rho.dim)
        assert close(F[rho.label], brute_transform(G, f, rho))


@pytest.mark.parametrize("method", ["dense", "auto"])
@given(Gf=groups_and_functions(max_order=24, max_batch_dims=2))
def test_inversion_round_trip(Gf, method):
    G, f = Gf
    back = inverse_fourier_transform(G, fourier_transform(G, f, method=method), method=method)
    assert back.dtype == np.float64          # real in, real out
    assert close(back, f)


@given(Gf=groups_and_functions(max_order=24, max_batch_dims=1), data=st.data())
def test_convolution_theorem(Gf, data):
    G, f = Gf
    h = data.draw(functions_on(G))
    assert close(convolve(G, f, h), brute_convolution(G, f, h), tol=1e-8)
    Ff, Fh = fourier_transform(G, f), fourier_transform(G, h)
    Ffh = fourier_transform(G, brute_convolution(G, f, h))
    for rho in G.irreps():
        assert close(Ffh[rho.label], Ff[rho.label] @ Fh[rho.label], tol=1e-8)


@given(Gf=groups_and_functions(max_order=24, max_batch_dims=1, dtype="complex128"), data=st.data())
def test_plancherel(Gf, data):
    G, f = Gf
    h = data.draw(functions_on(G, dtype="complex128"))
    inv = G.inverse_indices
    assert close(plancherel(G, f, h), (f * h[inv]).sum(-1))
    assert close(plancherel(G, f, h, inner=True), (f * h.conj()).sum(-1))


@given(G=groups(max_order=24), data=st.data())
def test_translates(G, data):
    """(L_g f)(x) = f(g⁻¹x) has transform ρ(g) f̂; (R_g f)(x) = f(x g) has f̂ ρ(g)⁻¹."""
    f = data.draw(functions_on(G))
    g = data.draw(elements(G))
    gi = G.index(g)
    x = np.arange(G.order)
    left = f[G.mul_idx(G.inv_idx(gi), x)]          # x -> f(g⁻¹ x)
    right = f[G.mul_idx(x, gi)]                     # x -> f(x g)
    F, FL, FR = (fourier_transform(G, v) for v in (f, left, right))
    for rho in G.irreps():
        m = rho.matrix(g)
        assert close(FL[rho.label], m @ F[rho.label])
        assert close(FR[rho.label], F[rho.label] @ np.linalg.inv(m))


@given(G=groups(max_order=24), data=st.data())
def test_probability_and_uniform(G, data):
    w = np.asarray(data.draw(functions_on(G)))
    p = np.abs(w) + 1e-3
    p /= p.sum()
    F = fourier_transform(G, p)
    trivial = G.irreps()[0]
    assert close(F[trivial.label], np.ones((1, 1)))
    U = fourier_transform(G, np.full(G.order, 1 / G.order))
    for rho in G.irreps()[1:]:
        assert close(U[rho.label], 0)


@settings(max_examples=10)
@given(Gf=groups_and_functions(max_order=12, max_batch_dims=1, exact=True))
def test_exact_matches_numeric(Gf):
    G, f = Gf
    F = fourier_transform(G, f)
    assert F.exact
    Fn = fourier_transform(G, f.astype(float))
    for rho in G.irreps():
        num = np.vectorize(lambda v: complex(sp.N(v, 30)), otypes=[complex])(F[rho.label])
        assert close(num, Fn[rho.label])
    back = inverse_fourier_transform(G, F)
    assert back.dtype == object
    assert all(sp.simplify(a - b) == 0 and a == b for a, b in zip(back.ravel(), f.ravel()))


@pytest.mark.parametrize("G", [SymmetricGroup(4), DihedralGroup(6), CyclicGroup(12), CyclicGroup(5)])
def test_exact_symbolic_round_trip_returns_same_expressions(G):
    xs = np.array(sp.symbols(f"x0:{G.order}"), dtype=object)
    F = fourier_transform(G, xs)
    back = inverse_fourier_transform(G, F)
    assert list(back) == list(xs)          # the same expressions, structurally
    # exact convolution with a delta is a translate, exactly
    delta = np.array([sp.Integer(1)] + [sp.Integer(0)] * (G.order - 1), dtype=object)
    assert list(convolve(G, xs, delta)) == list(xs)
    # exact Plancherel: Σ x_g x_{g⁻¹}
    inv = G.inverse_indices
    assert sp.expand(plancherel(G, xs, xs) - sum(xs * xs[inv])) == 0


@settings(max_examples=10)
@given(Gf=groups_and_functions(families=("P",), max_order=24, max_batch_dims=1), data=st.data())
def test_direct_products_dense(Gf, data):
    """Direct products go through the dense path; same oracles."""
    G, f = Gf
    h = data.draw(functions_on(G))
    F = fourier_transform(G, f)
    for rho in G.irreps():
        assert close(F[rho.label], brute_transform(G, f, rho))
    assert close(inverse_fourier_transform(G, F), f)
    assert close(convolve(G, f, h), brute_convolution(G, f, h), tol=1e-8)
    with pytest.raises(ValueError, match="implemented for Z_n, D_n and S_n"):
        fourier_transform(G, f, method="fft")


def test_exact_flag_on_integers_and_matrix_view():
    G = SymmetricGroup(3)
    F = fourier_transform(G, [1, 2, 3, 4, 5, 6], exact=True)
    assert F.exact and F.matrix((3,)) == sp.Matrix([[21]])
    assert F.matrix((1, 1, 1)) == sp.Matrix([[1 - 2 - 3 + 4 + 5 - 6]])   # the sign character
    assert list(inverse_fourier_transform(G, F)) == [1, 2, 3, 4, 5, 6]


def test_exact_real_form_round_trip():
    G = DihedralGroup(6)
    xs = np.array(sp.symbols("y0:12"), dtype=object)
    F = fourier_transform(G, xs, irreps=G.irreps(form="real"))
    assert F.irreps[0].form == "real"
    assert list(inverse_fourier_transform(G, F)) == list(xs)


def test_partial_inverse_of_real_function_on_complex_irreps_stays_complex():
    """The projection onto ρ_1 alone of a real f on Z_4 is complex: no silent .real."""
    G = CyclicGroup(4)
    f = np.array([1.0, 0, 0, 0])
    part = inverse_fourier_transform(G, fourier_transform(G, f, irreps=[1]))
    assert np.allclose(part, np.exp(-2j * np.pi * np.arange(4) / 4) / 4)
    plain = inverse_fourier_transform(G, {1: np.ones((1, 1))})
    assert np.allclose(plain, np.exp(-2j * np.pi * np.arange(4) / 4) / 4)
    S = SymmetricGroup(3)                      # real form: real coefficients give a real f
    assert inverse_fourier_transform(S, {(2, 1): np.eye(2)}).dtype == np.float64


def test_bad_inputs():
    G = SymmetricGroup(3)
    with pytest.raises(ValueError, match=r"shape batch \+ \(\|G\|,\) with \|G\| = 6"):
        fourier_transform(G, np.zeros(5))
    with pytest.raises(ValueError, match="must be numeric"):
        fourier_transform(G, np.array(["a"] * 6))
    with pytest.raises(ValueError, match="method must be one of"):
        fourier_transform(G, np.zeros(6), method="fast")
    with pytest.raises(ValueError, match="numeric only"):
        fourier_transform(G, np.array([sp.Integer(1)] * 6, dtype=object), method="fft")
    with pytest.raises(ValueError, match="G must be a FiniteGroup"):
        fourier_transform("S3", np.zeros(6))
    F = fourier_transform(G, np.arange(6.0))
    with pytest.raises(ValueError, match=r"must have shape batch \+ \(2, 2\)"):
        inverse_fourier_transform(G, {(2, 1): np.zeros((3, 3))})
    with pytest.raises(ValueError, match="expected a partition of n=3"):
        inverse_fourier_transform(G, {(4,): np.zeros((1, 1))})
    with pytest.raises(ValueError, match="share one batch shape"):
        inverse_fourier_transform(G, {(3,): np.zeros((2, 1, 1)), (2, 1): np.zeros((2, 2))})
    with pytest.raises(ValueError, match="not of SymmetricGroup"):
        inverse_fourier_transform(SymmetricGroup(4), F)
    with pytest.raises(ValueError, match="batch shapes of f and h must broadcast"):
        convolve(G, np.zeros((2, 6)), np.zeros((3, 6)))
    with pytest.raises(ValueError, match="exact=False but f holds sympy objects"):
        fourier_transform(G, np.array([sp.Integer(1)] * 6, dtype=object), exact=False)
    with pytest.raises(ValueError, match="f and h must be of one kind"):
        convolve(G, np.zeros(6), np.array([sp.Integer(0)] * 6, dtype=object))
    with pytest.raises(ValueError, match="inner must be True or False"):
        plancherel(G, np.zeros(6), np.zeros(6), inner="yes")
    with pytest.raises(TypeError):
        F[(3,)] = 0                                     # read-only mapping
    with pytest.raises(ValueError, match="read-only"):
        F[(3,)][0, 0] = 1.0
