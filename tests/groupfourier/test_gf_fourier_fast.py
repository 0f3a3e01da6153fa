"""Fast transforms (Clausen FFT on S_n, numpy.fft on Z_n and D_n) against independent oracles.

* n <= 6 and every family: the dense defining sums (einsum over ``Irrep.matrices()``),
  on hypothesis-drawn batched functions, to 1e-10 relative;
* S_n for every n up to 9 (10 in the slow set): two cheap oracles that never build
  ρ on the whole group:
  - the transform of a delta δ_g is ρ(g), computed by ``Irrep.matrix`` from a
    reduced word in Young's generators;
  - for a random f, tr(f̂(λ) ρ_λ(g)) = Σ_x f(x) χ_λ(x g), with χ_λ from the
    Murnaghan–Nakayama character table (a basis-free check of every irrep);
* round trips, partial (bandlimited) transforms and their inverse, torch tensors,
  and the O(|G|) memory bound.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from groupfourier import (CyclicGroup, DihedralGroup, SymmetricGroup, bandlimited_labels,
                          convolve, fourier_transform, inverse_fourier_transform, plancherel)
from groupfourier import _fft_sn, fourier
from groupfourier.strategies import functions_on, groups, groups_and_functions

REL = 1e-10


def assert_rel_close(a, b, rel=REL):
    a, b = np.asarray(a), np.asarray(b)
    scale = max(1.0, float(np.abs(b).max(initial=0.0)))
    assert np.abs(a - b).max(initial=0.0) <= rel * scale


@given(Gf=groups_and_functions(max_order=720, max_batch_dims=2, dtype="complex128"))
def test_fft_matches_dense(Gf):
    G, f = Gf
    Ff, Fd = fourier_transform(G, f, method="fft"), fourier_transform(G, f, method="dense")
    assert list(Ff) == list(Fd)
    for label in Fd:
        assert Ff[label].shape == Fd[label].shape
        assert_rel_close(Ff[label], Fd[label])


@given(Gf=groups_and_functions(max_order=720, max_batch_dims=2, dtype="complex128"), data=st.data())
def test_fft_inverse_matches_dense(Gf, data):
    G, f = Gf
    # arbitrary coefficients (not only transforms of something): the inverse is linear
    Fd = fourier_transform(G, f, method="dense")
    noise = {k: v + 0.5j * np.flip(v, axis=-1) for k, v in Fd.items()}
    a = inverse_fourier_transform(G, noise, method="fft")
    b = inverse_fourier_transform(G, noise, method="dense")
    assert_rel_close(a, b)
    assert_rel_close(inverse_fourier_transform(G, Fd, method="fft"), f)


@given(G=groups(families="S", max_order=720), k=st.integers(0, 3), data=st.data())
def test_bandlimited_transform_and_partial_inverse(G, k, data):
    f = data.draw(functions_on(G, max_batch_dims=1))
    labels = bandlimited_labels(G, k)
    assert all(lam[0] >= G.n - k for lam in labels)
    part = fourier_transform(G, f, irreps=labels)
    full = fourier_transform(G, f, method="dense")
    assert list(part) == list(labels)
    for lam in labels:
        assert_rel_close(part[lam], full[lam])
    # partial inverse = projection onto the chosen isotypic components: transforming
    # it back gives f̂ on the chosen irreps and 0 on the others (dense oracle)
    proj = inverse_fourier_transform(G, part)
    Fp = fourier_transform(G, proj, method="dense")
    for rho in G.irreps():
        assert_rel_close(Fp[rho.label], full[rho.label] if rho.label in labels else 0 * full[rho.label])
    assert_rel_close(proj, inverse_fourier_transform(G, part, method="dense"))


@pytest.mark.parametrize("n", range(1, 10))
def test_sn_fft_all_n_against_cheap_oracles(n):
    G = SymmetricGroup(n)
    rng = np.random.default_rng(n)
    f = rng.normal(size=G.order)
    F = fourier_transform(G, f)
    assert set(F) == {r.label for r in G.irreps()}
    # (1) basis-free: tr(f̂(λ) ρ(g)) = Σ_x f(x) χ_λ(x g), for a few g
    chi = G.character_table().to_numpy()[:, G.class_of]          # (#irreps, |G|)
    gs = rng.integers(0, G.order, size=3 if n <= 8 else 1)
    elem = {int(g): tuple(int(v) for v in G.element_array[g]) for g in gs}
    for g in gs:
        f_shift = chi[:, G.mul_idx(np.arange(G.order), g)] @ f      # Σ_x f(x) χ(x g)
        for i, rho in enumerate(G.irreps()):
            lhs = np.trace(F[rho.label] @ rho.matrix(elem[int(g)]))
            assert abs(lhs - f_shift[i]) <= REL * max(1.0, np.abs(f).sum())
    # (2) deltas: f̂ = ρ(g) for f = δ_g, batched over several g
    deltas = np.zeros((len(gs), G.order))
    deltas[np.arange(len(gs)), gs] = 1.0
    Fd = fourier_transform(G, deltas)
    for rho in G.irreps()[:: max(1, len(G.irreps()) // 6)]:
        for b, g in enumerate(gs):
            assert_rel_close(Fd[rho.label][b], rho.matrix(elem[int(g)]))
    # (3) the inverse returns f, and the inverse of the deltas' transforms returns deltas
    assert_rel_close(inverse_fourier_transform(G, F), f)
    assert_rel_close(inverse_fourier_transform(G, Fd), deltas)


@pytest.mark.slow
def test_s10_round_trip_and_characters():
    G = SymmetricGroup(10)
    rng = np.random.default_rng(10)
    f = rng.normal(size=G.order)
    F = fourier_transform(G, f)
    chi = G.character_table().to_numpy()
    traces = np.array([np.trace(F[r.label]) for r in G.irreps()])
    assert np.allclose(traces, chi[:, G.class_of] @ f, rtol=0, atol=REL * np.abs(f).sum())
    assert_rel_close(inverse_fourier_transform(G, F), f)


@pytest.mark.parametrize("n", [5, 6, pytest.param(7, marks=pytest.mark.slow)])
def test_sn_fft_against_dense(n):
    """The dense oracle holds |G|² numbers: S_7 is 0.2 GB, S_8 would be 13 GB (n >= 8 are
    covered by the character and delta oracles above)."""
    G = SymmetricGroup(n)
    f = np.random.default_rng(n).normal(size=(2, G.order))
    Ff, Fd = fourier_transform(G, f), fourier_transform(G, f, method="dense")
    for label in Fd:
        assert_rel_close(Ff[label], Fd[label])


@pytest.mark.parametrize("G", [SymmetricGroup(5), DihedralGroup(7), DihedralGroup(8), CyclicGroup(9)])
def test_auto_uses_fft_and_batches(G, monkeypatch):
    calls = []
    real_forward = fourier._fast_forward
    monkeypatch.setattr(fourier, "_fast_forward", lambda *a: calls.append(1) or real_forward(*a))
    f = np.random.default_rng(0).normal(size=(2, 3, G.order))
    F = fourier_transform(G, f)
    assert calls and F.batch_shape == (2, 3)
    single = fourier_transform(G, f[1, 2], method="dense")
    for label in F:
        assert_rel_close(F[label][1, 2], single[label])


@pytest.mark.parametrize("G", [SymmetricGroup(5), DihedralGroup(6), CyclicGroup(7)])
def test_torch_path_matches_numpy(G):
    torch = pytest.importorskip("torch")
    f = np.random.default_rng(1).normal(size=(2, G.order))
    h = np.random.default_rng(2).normal(size=G.order)
    ft = torch.tensor(f)
    F, Ft = fourier_transform(G, f), fourier_transform(G, ft)
    for label in F:
        assert isinstance(Ft[label], torch.Tensor)
        assert_rel_close(Ft[label].numpy(), F[label])
    back = inverse_fourier_transform(G, Ft)
    assert isinstance(back, torch.Tensor) and not back.is_complex()
    assert_rel_close(back.numpy(), f)
    Fdense = fourier_transform(G, ft, method="dense")
    for label in F:
        assert_rel_close(Fdense[label].numpy(), F[label])
    assert_rel_close(convolve(G, ft, torch.tensor(h)).numpy(), convolve(G, f, h, method="dense"))
    assert_rel_close(plancherel(G, ft, torch.tensor(h)).numpy(), plancherel(G, f, h, method="dense"))


def test_sn_memory_is_linear_in_order():
    """Peak extra memory of an S_8 transform and inverse is a few |G| floats, not |G|²."""
    G = SymmetricGroup(8)
    f = np.random.default_rng(0).normal(size=G.order)
    F = fourier_transform(G, f)                 # warm the caches (leaf map, tables)
    inverse_fourier_transform(G, F)
    tracemalloc.start()
    try:
        inverse_fourier_transform(G, fourier_transform(G, f))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 12 * 8 * G.order           # 12 float64 arrays of |G| (|G|² would be 1.6e9)


def test_single_label_and_complex_torch():
    torch = pytest.importorskip("torch")
    G = SymmetricGroup(4)
    f = np.random.default_rng(3).normal(size=(2, 24)) + 1j * np.random.default_rng(4).normal(size=(2, 24))
    F = fourier_transform(G, f, irreps=(3, 1))                 # one partition, not labels 3 and 1
    assert list(F) == [(3, 1)]
    Ft = fourier_transform(G, torch.tensor(f), irreps=[(3, 1), (2, 2)])
    dense = fourier_transform(G, f, method="dense")
    for lam in [(3, 1), (2, 2)]:
        assert_rel_close(Ft[lam].numpy(), dense[lam])
    back = inverse_fourier_transform(G, fourier_transform(G, torch.tensor(f)))
    assert back.is_complex()
    assert_rel_close(back.numpy(), f)


def test_fft_refusals():
    G = SymmetricGroup(3)
    with pytest.raises(ValueError, match="method='fft' needs the default irrep form"):
        fourier_transform(G, np.zeros(6), irreps=G.irreps(form="seminormal"), method="fft")
    with pytest.raises(ValueError, match="k must be an integer >= 0"):
        bandlimited_labels(G, -1)
    with pytest.raises(ValueError, match="G must be a SymmetricGroup"):
        bandlimited_labels(CyclicGroup(3), 1)
    # the seminormal form goes through the dense path under "auto" and agrees with its own sums
    rho = G.irreps(form="seminormal")[1]
    f = np.arange(6.0)
    F = fourier_transform(G, f, irreps=[rho])
    assert np.allclose(F[rho.label], sum(f[i] * rho.matrix(g) for i, g in enumerate(G.elements)))


@pytest.mark.parametrize("n", [3, 4, 5])
@pytest.mark.parametrize("form", ["orthogonal", "seminormal"])
def test_exact_rational_transform_equals_the_defining_sum(n, form):
    """Rational input on S_n takes the cascade over Q (groupfourier._exact_sn); the oracle is
    Σ f(g) ρ(g) with the exact Young matrices, one element at a time."""
    import sympy as sp
    G = SymmetricGroup(n)
    rng = np.random.default_rng(n)
    f = np.array([sp.Rational(int(a), int(b)) for a, b in zip(rng.integers(-9, 10, G.order),
                                                                 rng.integers(1, 5, G.order))], dtype=object)
    F = fourier_transform(G, f, irreps=G.irreps(form=form))
    for rho in G.irreps(form=form):
        want = sp.zeros(rho.dim, rho.dim)
        for x, g in zip(f, G.elements):
            want += x * rho.matrix(g, exact=True)
        got = sp.Matrix(F[rho.label].tolist())
        assert (got - want).expand() == sp.zeros(rho.dim, rho.dim)


def test_exact_rational_transform_on_s7_is_fast():
    import time
    import sympy as sp
    G = SymmetricGroup(7)
    f = np.array([sp.Rational(k % 7 - 3, 2) for k in range(G.order)], dtype=object)
    t0 = time.perf_counter()
    F = fourier_transform(G, f, irreps=[(4, 2, 1), (7,)])
    assert time.perf_counter() - t0 < 30
    assert F[(7,)][0, 0] == sum(f)
    numeric = fourier_transform(G, np.array(f, dtype=float), irreps=[(4, 2, 1)])
    assert np.allclose(np.array(F[(4, 2, 1)].tolist(), dtype=float), numeric[(4, 2, 1)])
