"""Defects of the reliability audit (2026-12-03), each with the call that failed before:
index overflow for n >= 21, empty batches on S_n, unbounded listings and CLI output, and
unbounded caches of whole representation arrays."""

from __future__ import annotations

import subprocess
import sys
import time
from math import factorial

import numpy as np
import pytest

from groupfourier import (AlternatingGroup, CyclicGroup, DihedralGroup, DirectProduct, SymmetricGroup,
                          clear_caches, convolve, fourier_transform, inverse_fourier_transform,
                          plancherel)
from groupfourier.__main__ import main
from groupfourier.groups import _base


@pytest.mark.parametrize("n", [20, 21, 25, 40])
def test_symmetric_index_is_exact_beyond_int64(n):
    G = SymmetricGroup(n)
    last = tuple(reversed(range(n)))
    assert G.index(last) == factorial(n) - 1            # was negative (int64 overflow) from n = 21
    swap = (1, 0) + tuple(range(2, n))
    assert G.index(swap) == factorial(n - 1)
    assert G._element(G.index(last)) == last


@pytest.mark.parametrize("G", [CyclicGroup(5), DihedralGroup(4), SymmetricGroup(4), AlternatingGroup(4),
                               DirectProduct(CyclicGroup(2), SymmetricGroup(3))], ids=lambda G: G.name)
@pytest.mark.parametrize("lib", ["numpy", "torch"])
def test_empty_batch_on_every_family(G, lib):
    if lib == "torch":
        torch = pytest.importorskip("torch")
        f = torch.zeros((0, G.order), dtype=torch.float64)
    else:
        f = np.zeros((2, 0, G.order))
    batch = tuple(f.shape[:-1])
    for method in ("auto", "dense"):
        F = fourier_transform(G, f, method=method)
        assert F.batch_shape == batch
        assert all(tuple(F[r.label].shape) == batch + (r.dim, r.dim) for r in G.irreps())
        assert tuple(inverse_fourier_transform(G, F, method=method).shape) == batch + (G.order,)
        assert tuple(convolve(G, f, f, method=method).shape) == batch + (G.order,)
        assert tuple(plancherel(G, f, f, method=method).shape) == batch


def test_huge_groups_refuse_to_list_quickly():
    t0 = time.perf_counter()
    for call in (lambda: CyclicGroup(10 ** 12).elements, lambda: CyclicGroup(10 ** 12).conjugacy_classes,
                 lambda: DihedralGroup(10 ** 10).conjugacy_classes, lambda: SymmetricGroup(80).conjugacy_classes):
        with pytest.raises(ValueError, match="listed one by one"):
            call()
    assert time.perf_counter() - t0 < 5
    assert CyclicGroup(10 ** 12).class_count == 10 ** 12 and SymmetricGroup(30).class_count == 5604
    assert DihedralGroup(7).class_count == len(DihedralGroup(7).conjugacy_classes)
    assert DihedralGroup(8).class_count == len(DihedralGroup(8).conjugacy_classes)


@pytest.mark.parametrize("argv", [["info", "Z1000000000"], ["table", "S30"], ["irreps", "D100000"]])
def test_cli_refuses_huge_groups_in_one_line(argv, capsys):
    t0 = time.perf_counter()
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "conjugacy classes" in err and argv[1] in err
    assert time.perf_counter() - t0 < 5


def test_matrix_cache_is_bounded_by_bytes(monkeypatch):
    clear_caches()
    monkeypatch.setattr(_base.MATRIX_CACHE, "max_bytes", 200_000)
    G = SymmetricGroup(6)
    for rho in G.irreps():           # 720·d² float64 each: up to 1.5 MB
        m = rho.matrices()
        assert m.shape == (720, rho.dim, rho.dim)
        assert _base.MATRIX_CACHE.nbytes <= 200_000
    assert np.allclose(G.irreps()[1].matrices()[0], np.eye(5))  # rebuilt on demand, same values
    clear_caches()
    assert _base.MATRIX_CACHE.nbytes == 0 and len(_base.MATRIX_CACHE) == 0


def test_clear_caches_forgets_tables():
    t = SymmetricGroup(5).character_table()
    clear_caches()
    assert SymmetricGroup(5).character_table() is not t
    assert SymmetricGroup(5).character_table().values == t.values
