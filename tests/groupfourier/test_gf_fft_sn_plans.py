"""The coset-step plans of the S_n FFT (groupfourier._fft_sn) against independent oracles.

A level of the cascade is computed by one of three plans, chosen per μ by a cost model:
whole-input products, products on a box of the input (the rows of another corner of λ
read only j <= m − 2 and the rows of one block ν of μ), or the diagonal blocks shared by all
parents λ of μ.  The cost model picks the last two only at m >= 8, so here each plan is
forced on small groups (by the model's constants) and checked against the dense defining
sum (einsum over ``Irrep.matrices()``), forward and inverse, real, complex, single precision,
partial transforms and torch.  The factors of the shared plan are checked against Young's
rule in closed form: 1/(c(λ/μ) − c(μ/ν)), c the content of a box.
"""

from __future__ import annotations

import numpy as np
import pytest

from groupfourier import SymmetricGroup, bandlimited_labels, clear_caches, fourier_transform
from groupfourier import inverse_fourier_transform
from groupfourier import _fft_sn
from groupfourier.partitions import partitions

REL = 1e-12

#: cost-model constants forcing each plan
PLANS = {
    "whole": {"GATHER_COST": 1e30, "PASS_COST": 1e30},
    "boxes": {"GATHER_COST": 0.0, "GATHER_RUN_COST": 0.0, "PASS_COST": 1e30, "GEMM_OVERHEAD": 0.0},
    "shared": {"GATHER_COST": 0.0, "GATHER_RUN_COST": 0.0, "PASS_COST": 0.0, "GEMM_OVERHEAD": 1e6},
}


@pytest.fixture(params=sorted(PLANS))
def plan(request, monkeypatch):
    for name, value in PLANS[request.param].items():
        monkeypatch.setattr(_fft_sn, name, value)
    clear_caches()
    yield request.param
    clear_caches()


def _kinds(n: int) -> set[str]:
    """Which plans the cached levels of S_n use."""
    kinds = set()
    for m in range(_fft_sn.BASE_N + 1, n + 1):
        for groups, share in _fft_sn._plan(m, tuple(partitions(m))).values():
            kinds |= {"whole" if g.box is None else "boxes" for g in groups}
            kinds |= {"shared"} if share is not None else set()
    return kinds


def _close(a, b, rel=REL):
    a, b = np.asarray(a), np.asarray(b)
    assert np.abs(a - b).max() <= rel * max(1.0, float(np.abs(b).max()))


@pytest.mark.parametrize("n", [5, 6])
def test_forced_plan_matches_the_defining_sum(plan, n):
    G = SymmetricGroup(n)
    rng = np.random.default_rng(n)
    f = rng.normal(size=(2, G.order)) + 1j * rng.normal(size=(2, G.order))
    F = fourier_transform(G, f, method="fft")
    assert plan in _kinds(n)                      # the forced plan is the one that ran
    dense = fourier_transform(G, f, method="dense")
    for lam in dense:
        _close(F[lam], dense[lam])
    noise = {k: v + 0.5 * np.flip(v, axis=-1) for k, v in dense.items()}
    _close(inverse_fourier_transform(G, noise, method="fft"),
           inverse_fourier_transform(G, noise, method="dense"))
    real = fourier_transform(G, f.real, method="fft")
    for lam in dense:
        _close(real[lam], fourier_transform(G, f.real, method="dense")[lam])
    one = fourier_transform(G, f[1], method="fft")          # one function: written in place
    for lam in dense:
        _close(one[lam], dense[lam][1])
    _close(inverse_fourier_transform(G, one, method="fft"), f[1])
    single = fourier_transform(G, f.real.astype(np.float32), method="fft")
    assert next(iter(single.values())).dtype == np.float32
    for lam in dense:
        _close(single[lam], real[lam], rel=1e-5)


def test_forced_plan_partial_transform_and_torch(plan):
    torch = pytest.importorskip("torch")
    G = SymmetricGroup(6)
    f = np.random.default_rng(1).normal(size=(3, G.order))
    labels = bandlimited_labels(G, 2)
    part = fourier_transform(G, f, irreps=labels)
    dense = fourier_transform(G, f, method="dense")
    for lam in labels:
        _close(part[lam], dense[lam])
    proj = inverse_fourier_transform(G, part)
    _close(proj, inverse_fourier_transform(G, part, method="dense"))
    Ft = fourier_transform(G, torch.tensor(f))
    for lam in dense:
        _close(Ft[lam].numpy(), dense[lam])
    _close(inverse_fourier_transform(G, Ft).numpy(), f)
    one = fourier_transform(G, torch.tensor(f[0]), irreps=labels)
    for lam in labels:
        _close(one[lam].numpy(), dense[lam][0])


def _box_content(big, small) -> int:
    """Content (column − row) of the box big / small."""
    small = tuple(small) + (0,) * (len(big) - len(small))
    row = next(r for r in range(len(big)) if big[r] != small[r])
    return big[row] - 1 - row


@pytest.mark.parametrize("m", [3, 4, 5, 6, 7])
def test_diagonal_factors_are_inverse_axial_distances(m):
    for lam in partitions(m):
        C = _fft_sn.coset_matrices(lam)
        for mu, start, stop in _fft_sn._corners(lam):
            nus = _fft_sn._corners(mu)
            alphas = _fft_sn._diagonal_factors(C, _fft_sn.coset_matrices(mu), start, stop, nus)
            expected = [1 / (_box_content(lam, mu) - _box_content(mu, nu)) for nu, _, _ in nus]
            assert alphas is not None
            assert np.allclose(alphas, expected, rtol=0, atol=1e-14)


def test_diagonal_factors_refuse_what_does_not_factor():
    lam = (3, 2)
    C = _fft_sn.coset_matrices(lam).copy()
    mu, start, stop = _fft_sn._corners(lam)[0]
    C_mu = _fft_sn.coset_matrices(mu)
    assert _fft_sn._diagonal_factors(C, C_mu, start, stop, _fft_sn._corners(mu)) is not None
    C[0, start, stop - 1] += 1e-6          # one entry off the factorised form
    assert _fft_sn._diagonal_factors(C, C_mu, start, stop, _fft_sn._corners(mu)) is None
