"""Every dtype a user may pass, on every family: converted (computed in float64, or in
single precision for single and half input, as numpy.fft does) or refused with a
ValueError naming the dtype."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from groupfourier import (AlternatingGroup, CyclicGroup, DihedralGroup, DirectProduct, SymmetricGroup,
                          convolve, fourier_transform, inverse_fourier_transform)

torch = pytest.importorskip("torch")

GROUPS = [CyclicGroup(6), DihedralGroup(5), SymmetricGroup(4), AlternatingGroup(4),
          DirectProduct(CyclicGroup(2), SymmetricGroup(3))]
NUMPY = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
         "float16", "float32", "float64", "complex64", "complex128"]
TORCH = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
         "float16", "bfloat16", "float32", "float64", "complex64", "complex128"]
SINGLE = {"float16", "bfloat16", "float32", "complex64"}


def _values(G, name):
    """Small exact-in-every-dtype values (0/1 for bool)."""
    v = np.arange(G.order * 2).reshape(2, G.order) % 3
    if name == "bool":
        v = v > 0
    return v


def _is_single(x):
    dtype = str(x.dtype)
    return "float32" in dtype or "complex64" in dtype


@pytest.mark.parametrize("G", GROUPS, ids=lambda G: G.name)
@pytest.mark.parametrize("lib, name", [("numpy", d) for d in NUMPY] + [("torch", d) for d in TORCH])
def test_every_dtype_converts_with_its_precision(G, lib, name):
    v = _values(G, name)
    f = v.astype(name) if lib == "numpy" else torch.from_numpy(np.asarray(v)).to(getattr(torch, name))
    reference = fourier_transform(G, np.asarray(v, dtype=complex if "complex" in name else float))
    F = fourier_transform(G, f)
    tol = 1e-3 if name in SINGLE else 1e-10
    for label in reference:
        got = F[label].numpy() if lib == "torch" else F[label]
        assert _is_single(got) == (name in SINGLE), (name, got.dtype)
        assert np.allclose(got, reference[label], atol=tol * G.order)
    back = inverse_fourier_transform(G, F)
    back = back.numpy() if lib == "torch" else back
    assert np.allclose(back, np.asarray(v, dtype=float), atol=tol * G.order)
    h = convolve(G, f, f)
    assert _is_single(h) == (name in SINGLE)


@pytest.mark.parametrize("G", GROUPS, ids=lambda G: G.name)
@pytest.mark.parametrize("bad", [np.array(["a"] * 4), np.array([b"x"] * 4),
                                 np.array(["2026-01-01"] * 4, dtype="datetime64[D]")],
                         ids=["str", "bytes", "datetime"])
def test_non_numeric_dtypes_are_refused_by_name(G, bad):
    f = np.resize(bad, G.order)
    with pytest.raises(ValueError, match=str(f.dtype).replace("[", r"\[").replace("]", r"\]")):
        fourier_transform(G, f)


def test_float32_numpy_is_kept_like_numpy_fft():
    f = np.random.default_rng(0).normal(size=(3, 24)).astype(np.float32)
    for G in (CyclicGroup(24), DihedralGroup(12), SymmetricGroup(4)):
        F = fourier_transform(G, f)
        assert all(F[k].dtype in (np.float32, np.complex64) for k in F)
        assert inverse_fourier_transform(G, F).dtype == np.float32
    assert np.fft.fft(f).dtype == np.complex64  # the behaviour mirrored


@pytest.mark.parametrize("G", GROUPS, ids=lambda G: G.name)
def test_strings_are_refused_on_the_exact_path(G):
    """A string would be parsed (executed) by a non-strict sympify; "a" would become a symbol."""
    f = np.array([sp.Integer(1)] * (G.order - 1) + ["a"], dtype=object)
    with pytest.raises(ValueError, match="not strings"):
        fourier_transform(G, f)
    f = np.array([sp.Integer(1)] * (G.order - 1) + ["__import__('os')"], dtype=object)
    with pytest.raises(ValueError, match="not strings"):
        fourier_transform(G, f)
    with pytest.raises(ValueError, match="not strings"):
        inverse_fourier_transform(G, {G.irreps()[0].label: np.array([["1"]], dtype=object)})
