r"""Exact Fourier transforms of rational functions on S_n, through Young's seminormal form.

The seminormal form is rational, so Clausen's coset cascade (:mod:`groupfourier._fft_sn`,
same leaf order and coset representatives c_j = s_j ⋯ s_{m−2}) runs over the rationals:
Python ``Fraction`` entries in numpy ``object`` arrays, O(|G| Σ_m m·d) exact operations
instead of the |G|·Σ d² symbolic products of the defining sum.  The orthogonal form is
reached only when asked, by the diagonal change of basis

.. math:: \rho_{\mathrm{orth}} = D^{-1} \rho_{\mathrm{sn}} D, \qquad
          \hat f_{\mathrm{orth}}(\lambda)_{ab} = \hat f_{\mathrm{sn}}(\lambda)_{ab}\, D_b / D_a,

with D² rational: walking s_i from tableau T_a to T_b = s_i T_a with axial distance r > 0,
D_b² = D_a² / (1 − 1/r²) (the seminormal coupling is 1 one way and 1 − 1/r² the other,
the orthogonal one √(1 − 1/r²) both ways).

Examples
--------
>>> from fractions import Fraction
>>> import numpy as np
>>> f = np.array([[Fraction(k) for k in range(6)]], dtype=object)
>>> forward_rational(3, f, [(2, 1)])[(2, 1)][0].tolist()
[[Fraction(-5, 2), Fraction(-9, 4)], [Fraction(-5, 1), Fraction(-9, 2)]]
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache
from math import factorial
from typing import Sequence

import numpy as np
from ._lazy import sympy as sp  # imported at first use: `import groupfourier` stays fast
from numpy.typing import NDArray

from ._fft_sn import _corners, _needed, leaf_to_element
from ._young import _young_blocks, standard_tableaux

__all__ = ["forward_rational", "orthogonal_scales", "to_orthogonal", "as_fractions", "transform"]

Partition = tuple[int, ...]


@lru_cache(maxsize=None)
def _generators(lam: Partition) -> tuple[NDArray, ...]:
    """ρ_λ(s_i) in the seminormal form, Fraction object arrays (d, d)."""
    d, n = len(standard_tableaux(lam)), sum(lam)
    out = []
    for i in range(n - 1):
        m = np.full((d, d), Fraction(0), dtype=object)
        for a, b, r in _young_blocks(lam, i):
            m[a, a] = Fraction(1, r)
            if b is not None:
                m[b, a] = Fraction(1) if r > 0 else 1 - Fraction(1, r * r)
        out.append(m)
    return tuple(out)


@lru_cache(maxsize=None)
def _blocks(lam: Partition) -> tuple[tuple[Partition, int, int, NDArray], ...]:
    """As :func:`groupfourier._fft_sn._blocks`, in the seminormal form over the rationals."""
    gens, m, d = _generators(lam), sum(lam), len(standard_tableaux(lam))
    C = np.empty((m, d, d), dtype=object)
    C[m - 1] = np.identity(d, dtype=int).astype(object) * Fraction(1)
    for j in range(m - 2, -1, -1):
        C[j] = gens[j].dot(C[j + 1])
    return tuple((mu, start, stop, np.ascontiguousarray(C[:, :, start:stop].transpose(0, 2, 1))
                  .reshape(m * (stop - start), d)) for mu, start, stop in _corners(lam))


def forward_rational(n: int, f: NDArray, labels: Sequence[Partition]) -> dict[Partition, NDArray]:
    """f̂(λ) in the seminormal form for λ in ``labels``; ``f`` is an object array (B, n!) of
    Fractions in ``SymmetricGroup(n).elements`` order.  Returns (B, d, d) object arrays."""
    B, N = f.shape
    x = f[:, leaf_to_element(n)] if n > 1 else f
    needed = _needed(n, labels)
    F = {(1,): x.reshape(1, B * N, 1)}
    for m in range(2, n + 1):
        Q = B * (N // factorial(m))
        level = {}
        for lam in needed[m]:
            blocks = _blocks(lam)
            d = blocks[0][3].shape[1]
            out = np.empty((d, Q, d), dtype=object)
            for mu, start, stop, K in blocks:
                dm = stop - start
                out[start:stop] = F[mu].reshape(dm * Q, m * dm).dot(K).reshape(dm, Q, d)
            level[lam] = out
        F = level
    return {lam: np.ascontiguousarray(F[lam].transpose(1, 2, 0)) for lam in labels}


@lru_cache(maxsize=None)
def orthogonal_scales(lam: Partition) -> tuple[Fraction, ...]:
    """D_a² per standard tableau (D_0 = 1), so that ρ_orth = D⁻¹ ρ_sn D."""
    d, n = len(standard_tableaux(lam)), sum(lam)
    D2: list[Fraction | None] = [None] * d
    D2[0] = Fraction(1)
    frontier = [0]
    while frontier:
        nxt = []
        for i in range(n - 1):
            for a, b, r in _young_blocks(lam, i):
                if b is None or D2[a] is None or D2[b] is not None:
                    continue
                factor = 1 - Fraction(1, r * r)
                D2[b] = D2[a] / factor if r > 0 else D2[a] * factor
                nxt.append(b)
        frontier = nxt
    return tuple(D2)


def to_orthogonal(lam: Partition, F: NDArray) -> NDArray:
    """Seminormal coefficients (..., d, d) of Fractions to orthogonal ones, as sympy values."""
    D2 = orthogonal_scales(lam)
    d = len(D2)
    scale = [[sp.sqrt(sp.Rational(D2[b].numerator * D2[a].denominator, D2[b].denominator * D2[a].numerator))
              for b in range(d)] for a in range(d)]
    out = np.empty(F.shape, dtype=object)
    for idx in np.ndindex(F.shape[:-2]):
        for a in range(d):
            for b in range(d):
                v = F[idx + (a, b)]
                out[idx + (a, b)] = sp.Rational(v.numerator, v.denominator) * scale[a][b]
    return out


def as_fractions(f: NDArray) -> NDArray | None:
    """``f`` (sympy values) as Fractions, or ``None`` if an entry is not rational."""
    out = np.empty(f.shape, dtype=object)
    flat = out.reshape(-1)
    for i, v in enumerate(f.reshape(-1)):
        if not getattr(v, "is_Rational", False):
            return None
        flat[i] = Fraction(int(v.p), int(v.q))
    return out


def transform(n: int, f: NDArray, labels: Sequence[Partition], form: str) -> dict | None:
    """Exact f̂ in ``form`` ("orthogonal" or "seminormal") for sympy-valued ``f`` (batch + (n!,)),
    or ``None`` if an entry of ``f`` is not rational (the caller then sums symbolically)."""
    fr = as_fractions(f)
    if fr is None or form not in ("orthogonal", "seminormal"):
        return None
    batch = f.shape[:-1]
    F = forward_rational(n, fr.reshape(-1, f.shape[-1]), labels)
    out = {}
    for lam, v in F.items():
        v = v.reshape(batch + v.shape[-2:])
        if form == "orthogonal":
            out[lam] = to_orthogonal(lam, v)
        else:
            out[lam] = np.vectorize(lambda q: sp.Rational(q.numerator, q.denominator), otypes=[object])(v) \
                if v.size else v.astype(object)
    return out
