"""``norm=`` and ``axis=`` of the transforms, against the definitions (not the code).

Oracles: the defining sum c_ρ Σ_g f(g) ρ(g) written here with ``Irrep.matrices()``
and the factors c_ρ of the documented table (1, sqrt(d/|G|), 1/|G|); numpy.fft's
own ``norm`` on Z_n; Σ|f|² and Σ f·conj(h) computed on the group side for the
unitarity of "ortho"; ``np.moveaxis`` for ``axis``.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from groupfourier import (CyclicGroup, SymmetricGroup, convolve, fourier_transform,
                          inverse_fourier_transform, plancherel)
from groupfourier.strategies import ALL_FAMILIES, groups_and_functions

TOL = 1e-9
NORMS = (None, "backward", "ortho", "forward")


def factor(G, d, norm):
    """c_ρ of the module docstring's table, written out independently."""
    return {None: 1.0, "backward": 1.0, "ortho": np.sqrt(d / G.order), "forward": 1.0 / G.order}[norm]


def defining_sum(G, f, rho, norm):
    return factor(G, rho.dim, norm) * np.einsum("...g,gij->...ij", f, rho.matrices())


def close(a, b, tol=TOL):
    return np.allclose(np.asarray(a), np.asarray(b), rtol=0, atol=tol)


@settings(max_examples=25, deadline=None)
@given(groups_and_functions(families=ALL_FAMILIES, max_order=24, max_batch_dims=2,
                            dtype="complex128"), st.sampled_from(NORMS))
def test_every_norm_is_the_defining_sum_and_round_trips(Gf, norm):
    G, f = Gf
    F = fourier_transform(G, f, norm=norm)
    for rho in G.irreps():
        assert close(F[rho.label], defining_sum(G, f, rho, norm))
    assert close(inverse_fourier_transform(G, F), f)               # F.norm is used
    assert close(inverse_fourier_transform(G, dict(F), norm=norm), f)  # plain mapping: explicit
    assert F.norm == (norm or "backward")


@settings(max_examples=25, deadline=None)
@given(groups_and_functions(families=ALL_FAMILIES, max_order=24, max_batch_dims=1,
                            dtype="complex128"), st.data())
def test_ortho_is_unitary(Gf, data):
    """Σ_x f(x) conj(h(x)) = Σ_ρ tr(F_ρ H_ρ^†) with no factor, and ‖f‖² = Σ ‖F_ρ‖²."""
    G, f = Gf
    h = data.draw(st.lists(st.complex_numbers(max_magnitude=1, allow_nan=False, allow_infinity=False),
                           min_size=f.size, max_size=f.size).map(lambda v: np.reshape(v, f.shape)))
    F, H = (fourier_transform(G, x, norm="ortho") for x in (f, h))
    lhs = (f * h.conj()).sum(-1)
    rhs = sum(np.einsum("...ab,...ab->...", F[k], H[k].conj()) for k in F)
    assert close(lhs, rhs)
    assert close((abs(f) ** 2).sum(-1), sum((abs(F[k]) ** 2).sum((-2, -1)) for k in F))


@pytest.mark.parametrize("norm", NORMS)
def test_cyclic_norms_match_numpy_fft(norm):
    """On Z_n every d = 1: the coefficients are numpy.fft's with the same norm (as a
    multiset: ρ_k may be numpy's frequency k or -k)."""
    G = CyclicGroup(12)
    f = np.random.default_rng(1).normal(size=12) + 1j * np.random.default_rng(2).normal(size=12)
    F = fourier_transform(G, f, norm=norm)
    want = np.fft.fft(f, norm=norm)
    assert sorted(F) == list(range(12))
    sign = +1 if close(F[1][0, 0], want[1]) else -1       # ρ_k is numpy's frequency k or -k
    for k in F:
        assert close(F[k][0, 0], want[(sign * k) % 12])


@settings(max_examples=20, deadline=None)
@given(groups_and_functions(families=ALL_FAMILIES, max_order=24, max_batch_dims=2),
       st.data(), st.sampled_from(NORMS))
def test_axis_equals_moveaxis(Gf, data, norm):
    G, f = Gf
    axis = data.draw(st.integers(-f.ndim, f.ndim - 1))
    g = np.moveaxis(f, -1, axis)                      # the group axis now at `axis`
    F = fourier_transform(G, g, axis=axis, norm=norm)
    want = fourier_transform(G, f, norm=norm)
    assert F.batch_shape == f.shape[:-1]
    for k in F:
        assert close(F[k], want[k])
    back = inverse_fourier_transform(G, F, axis=axis)
    assert back.shape == g.shape and close(back, g)
    h = data.draw(st.lists(st.floats(-1, 1), min_size=f.size, max_size=f.size)
                  .map(lambda v: np.reshape(v, f.shape)))
    assert close(convolve(G, g, np.moveaxis(h, -1, axis), axis=axis),
                 np.moveaxis(convolve(G, f, h), -1, axis))
    assert close(plancherel(G, g, np.moveaxis(h, -1, axis), axis=axis, inner=True),
                 (f * h).sum(-1))


@pytest.mark.parametrize("norm", NORMS)
def test_torch_input_takes_axis_and_norm(norm):
    torch = pytest.importorskip("torch")
    G = SymmetricGroup(4)
    f = np.random.default_rng(3).normal(size=(24, 3))
    F = fourier_transform(G, torch.from_numpy(f), axis=0, norm=norm)
    for rho in G.irreps():
        assert isinstance(F[rho.label], torch.Tensor)
        assert close(F[rho.label].numpy(), defining_sum(G, f.T, rho, norm))
    back = inverse_fourier_transform(G, F, axis=0)
    assert isinstance(back, torch.Tensor) and close(back.numpy(), f)


def test_float32_keeps_single_precision_under_every_norm():
    G = SymmetricGroup(4)
    f = np.random.default_rng(4).normal(size=24).astype(np.float32)
    for norm in NORMS:
        F = fourier_transform(G, f, norm=norm)
        assert all(F[k].dtype == np.float32 for k in F)


def test_exact_ortho_is_exact():
    G = SymmetricGroup(3)
    f = np.array([sp.Rational(i + 1, 3) for i in range(6)], dtype=object)
    F = fourier_transform(G, f, norm="ortho")
    B = fourier_transform(G, f)
    for rho in G.irreps():
        want = B[rho.label] * sp.sqrt(sp.Rational(rho.dim, 6))
        assert all(sp.simplify(a - b) == 0 for a, b in zip(F[rho.label].ravel(), want.ravel()))
    back = inverse_fourier_transform(G, F)
    assert all(sp.simplify(a - b) == 0 for a, b in zip(back, f))
    assert sum(sp.expand(sum(F[k].ravel() ** 2)) for k in F) == sum(v ** 2 for v in f)


def test_explicit_norm_on_a_plain_mapping():
    G = SymmetricGroup(3)
    f = np.arange(6.0)
    F = fourier_transform(G, f, norm="forward")
    assert close(inverse_fourier_transform(G, dict(F), norm="forward"), f)
    assert close(inverse_fourier_transform(G, dict(F)), f / 6)          # read as "backward"


@pytest.mark.parametrize("bad", ["Ortho", "unitary", 1, ""])
def test_bad_norm_lists_the_valid_ones(bad):
    G = SymmetricGroup(3)
    for call in (lambda: fourier_transform(G, np.zeros(6), norm=bad),
                 lambda: inverse_fourier_transform(G, fourier_transform(G, np.zeros(6)), norm=bad)):
        with pytest.raises(ValueError, match='invalid norm value.*"backward", "ortho" or "forward"'):
            call()


@pytest.mark.parametrize("bad", [2, -3, 1.0, True, "0"])
def test_bad_axis_is_a_clear_error(bad):
    G = SymmetricGroup(3)
    f = np.zeros((2, 6))
    with pytest.raises(ValueError, match="axis"):
        fourier_transform(G, f, axis=bad)
    with pytest.raises(ValueError, match="axis"):
        inverse_fourier_transform(G, fourier_transform(G, f), axis=bad)
    with pytest.raises(ValueError, match="axis"):
        convolve(G, f, f, axis=bad)
    with pytest.raises(ValueError, match="axis"):
        plancherel(G, f, f, axis=bad)


def test_wrong_length_on_the_named_axis():
    with pytest.raises(ValueError, match="along axis 0"):
        fourier_transform(SymmetricGroup(3), np.zeros((2, 6)), axis=0)
