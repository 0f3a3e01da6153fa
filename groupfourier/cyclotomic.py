r"""Exact arithmetic with roots of unity (the cyclotomic fields Q(ζ_N)), and their numeric twins.

This module is the package's one implementation of roots of unity; the
families' irreps and characters, the character code and the exact Fourier
transforms all use it.  Public within the package (``groupfourier.cyclotomic``):

* :func:`root_of_unity` -- e^{2πi m/n} as sympy, :func:`two_cos` -- 2cos(2πm/n)
  in a canonical form (a rational where it is one);
* :func:`canonical` -- the canonical form of an expression in Q(ζ_N)[symbols]:
  expanded, every root of unity a power ζ^k with k < φ(N), reduced modulo the
  cyclotomic polynomial Φ_N; :func:`canonical_array` maps it over an array;
* :func:`cyclotomic_simplify` -- :func:`canonical` with N read off the expression;
* :func:`conj` -- complex conjugate that leaves real values untouched;
* numeric: :func:`numeric_roots`, :func:`rotation_matrices`; exact
  :func:`exact_rotation`.

Two expressions equal as numbers have equal canonical forms when their roots of
unity lie in Q(ζ_N) and their other parts are polynomials (Φ_N is the minimal
polynomial of ζ_N, so the reduced coefficients are unique).

Examples
--------
>>> import sympy as sp
>>> cyclotomic_simplify(sum(root_of_unity(5, k) for k in range(5)))
0
>>> two_cos(6, 1), two_cos(8, 7), two_cos(10, 1)
(1, sqrt(2), 1/2 + sqrt(5)/2)
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np
from ._lazy import sympy as sp  # imported at first use: `import groupfourier` stays fast
from numpy.typing import NDArray

__all__ = ["root_of_unity", "two_cos", "canonical", "canonical_array", "cyclotomic_simplify",
           "conj", "is_real", "numeric_roots", "rotation_matrices", "exact_rotation"]

@lru_cache(maxsize=1)
def _z() -> "sp.Dummy":
    """The one variable z = ζ_N of the reductions (made at first use: sympy loads lazily)."""
    return sp.Dummy("z")


def root_of_unity(n: int, m: int) -> sp.Expr:
    """e^{2πi m/n} as sympy (``exp(2*I*pi*q)``, shown as ±1, ±I where it is one).

    >>> root_of_unity(4, 1), root_of_unity(4, 6)
    (I, -1)
    """
    return sp.exp(2 * sp.pi * sp.I * sp.Rational(m % n, n))


# 2cos(2π a/b) (a/b in lowest terms, 0 <= a/b <= 1/2) where it has degree <= 2 over Q, i.e.
# φ(b) <= 4: rationals and quadratic surds r + c·√d, given as (r, c, d).
_SURDS: dict[tuple[int, int], tuple[int | str, int | str, int]] = {
    (0, 1): (2, 0, 1), (1, 2): (-2, 0, 1), (1, 3): (-1, 0, 1), (1, 4): (0, 0, 1), (1, 6): (1, 0, 1),
    (1, 5): ("-1/2", "1/2", 5), (2, 5): ("-1/2", "-1/2", 5), (1, 10): ("1/2", "1/2", 5),
    (3, 10): ("1/2", "-1/2", 5), (1, 8): (0, 1, 2), (3, 8): (0, -1, 2), (1, 12): (0, 1, 3),
    (5, 12): (0, -1, 3)}


def _surd(r: int | str, c: int | str, d: int) -> sp.Expr:
    """r + c·√d in the form sympy's own arithmetic gives it, assembled from its parts.

    sympy's ``Add`` constructor imports sympy.tensor at its first use (about 0.2 s); the
    expression is the same (tested equal to ``Rational(r) + Rational(c) * sqrt(d)`` and to
    sympy's ``2*cos``, with equal hashes): ``Add(r, Mul(c, √d))``, ``Mul(-1, √d)`` for c = −1.
    """
    r, c = sp.Rational(r), sp.Rational(c)
    if c == 0:
        return r
    root = sp.sqrt(d)
    term = root if c == 1 else sp.Mul._from_args((c, root))
    return term if r == 0 else sp.Add._from_args((r, term))


@lru_cache(maxsize=8192)
def two_cos(n: int, m: int) -> sp.Expr:
    """2 cos(2π m/n) in a canonical exact form.

    With q = m/n in lowest terms (m reduced to 0 <= m <= n/2), the value has degree
    φ(q.den)/2 over Q.  Degree <= 2 (denominators 1, 2, 3, 4, 5, 6, 8, 10, 12) gives
    sympy's radical form, a rational or a quadratic surd that compares equal to the
    user's (``sqrt(2)``, ``-1/2 + sqrt(5)/2``); higher degrees stay the unevaluated
    ``2*cos(2*pi*m'/n')``.  Two values in this form are equal as numbers iff they are
    equal as expressions; compare other forms with ``cyclotomic_simplify(a - b) == 0``.

    Built without sympy's evaluation of ``cos`` (a table of the 13 surds, and the
    unevaluated product assembled from its canonical arguments): about 0.07 ms a value,
    against about 0.4 ms through ``2*sympy.cos(...)`` (tested equal to that construction).

    >>> two_cos(8, 1), two_cos(5, 4) == two_cos(5, 1), two_cos(7, 1)
    (sqrt(2), True, 2*cos(2*pi/7))
    """
    m = m % n
    m = min(m, n - m)
    g = math.gcd(m, n)
    a, b = m // g, n // g
    if (a, b) in _SURDS:
        return _surd(*_SURDS[(a, b)])
    # 2*cos(2*pi*a/b) in sympy's canonical shape: Mul(2, cos(Mul(2a/b, pi))).
    angle = sp.Mul._from_args((sp.Rational(2 * a, b), sp.pi))
    return sp.Mul._from_args((sp.Integer(2), sp.cos(angle, evaluate=False)))


def exact_rotation(n: int, m: int) -> sp.Matrix:
    """The rotation by 2π m/n as an exact 2×2 sympy matrix."""
    t = 2 * sp.pi * sp.Rational(m % n, n)
    return sp.Matrix([[sp.cos(t), -sp.sin(t)], [sp.sin(t), sp.cos(t)]])


def numeric_roots(n: int, k: int, m: NDArray[np.intp]) -> NDArray:
    """e^{2πi k m/n} in floating point, the exponent reduced mod n first for accuracy."""
    return np.exp(2j * np.pi * ((k * m) % n) / n)


def rotation_matrices(theta: NDArray) -> NDArray:
    """Rotations by the angles ``theta``: shape ``theta.shape + (2, 2)``."""
    c, s = np.cos(theta), np.sin(theta)
    return np.stack([np.stack([c, -s], -1), np.stack([s, c], -1)], -2)


def is_real(v: sp.Expr) -> bool:
    """Whether sympy knows ``v`` to be real."""
    return v.is_extended_real is True


def conj(v: sp.Expr) -> sp.Expr:
    """Complex conjugate; values known to be real are returned unchanged."""
    return v if is_real(v) else sp.conjugate(v)


@lru_cache(maxsize=None)
def _cyclotomic_coeffs(N: int) -> tuple[sp.Integer, ...]:
    """Coefficients c_0..c_{φ-1} of Φ_N(z) = z^φ + Σ c_k z^k."""
    coeffs = sp.Poly(sp.cyclotomic_poly(N, _z()), _z()).all_coeffs()[::-1]
    return tuple(coeffs[:-1])


def canonical(expr: Any, N: int | None) -> sp.Expr:
    r"""A canonical form of ``expr``: expanded, roots of unity reduced in Q(ζ_N).

    Every ``exp(q π i)`` with q N/2 an integer and every ``I`` becomes a power of
    ζ = e^{2πi/M} (M = N, or lcm(N, 4) when I appears and 4 ∤ N); the polynomial
    in ζ is reduced modulo the cyclotomic polynomial Φ_M, each coefficient is
    expanded, and ζ^k is written back as ``exp(2*pi*I*k/M)``.  ``N=None``: no
    roots of unity, just ``expand``.

    >>> canonical(root_of_unity(3, 1) + root_of_unity(3, 2), 3)
    -1
    """
    expr = sp.sympify(expr, strict=True) if not isinstance(expr, sp.Basic) else expr
    if N is None or not (expr.has(sp.exp) or expr.has(sp.I) or expr.has(sp.cos) or expr.has(sp.sin)):
        return sp.expand(expr)
    expr = expr.rewrite(sp.exp) if (expr.has(sp.cos) or expr.has(sp.sin)) else expr
    M = N if (N % 4 == 0 or not expr.has(sp.I)) else math.lcm(N, 4)
    reps = {}
    for atom in expr.atoms(sp.exp):
        q = atom.args[0] / (sp.pi * sp.I) if atom.args[0].has(sp.pi) else None
        if q is not None and q.is_Rational and (q * M / 2).is_integer:
            reps[atom] = _z() ** int((q * M / 2) % M)
    expr = sp.expand(expr.xreplace(reps))
    if M % 4 == 0:
        expr = sp.expand(expr.xreplace({sp.I: _z() ** (M // 4)}))
    coeffs: list[Any] = [sp.Integer(0)] * M
    for term in sp.Add.make_args(expr):
        c, e = term.as_coeff_exponent(_z())
        if c.has(_z()) or not e.is_Integer:  # pragma: no cover - defensive
            return sp.expand(expr.subs(_z(), sp.exp(2 * sp.pi * sp.I / M)))
        coeffs[int(e) % M] += c
    cyc = _cyclotomic_coeffs(M)
    phi = len(cyc)
    for k in range(M - 1, phi - 1, -1):  # z^k = -z^(k-φ) Σ c_i z^i
        c = coeffs[k]
        if c != 0:
            coeffs[k] = sp.Integer(0)
            for i, ci in enumerate(cyc):
                if ci != 0:
                    coeffs[k - phi + i] -= c * ci
    return sp.Add(*[sp.expand(c) * sp.exp(2 * sp.pi * sp.I * sp.Rational(k, M))
                    for k, c in enumerate(coeffs[:phi])])


def canonical_array(arr: NDArray, N: int | None) -> NDArray:
    """:func:`canonical` of every entry, as an ``object`` array of the same shape."""
    out = np.empty(arr.shape, dtype=object)
    flat = out.reshape(-1)
    for i, v in enumerate(np.asarray(arr, dtype=object).reshape(-1)):
        flat[i] = canonical(v, N)
    return out


def cyclotomic_simplify(expr: Any) -> sp.Expr:
    r"""Simplify sums of roots of unity exactly, in the canonical form of :func:`canonical`.

    The order N of the roots of unity present (``exp(I*pi*q)`` with rational q,
    and ``cos``/``sin`` of rational multiples of π) is read off the expression.
    Other factors (symbols, radicals) are kept as coefficients.

    >>> import sympy as sp
    >>> cyclotomic_simplify(4 * sp.cos(sp.pi / 5) ** 2 - 2 * sp.cos(sp.pi / 5))
    1
    """
    expr = sp.sympify(expr, strict=True) if not isinstance(expr, sp.Basic) else expr
    if expr.is_Rational or not expr.has(sp.exp, sp.cos, sp.sin, sp.I):
        return sp.expand(expr)
    rewritten = expr.rewrite(sp.exp) if expr.has(sp.cos, sp.sin) else expr
    denominators = [1]
    for atom in rewritten.atoms(sp.exp):
        q = atom.args[0] / (sp.I * sp.pi)  # exp(I*pi*q) = e^(2 pi i q/2)
        if q.is_Rational:
            denominators.append(int((q / 2).q))
    return canonical(rewritten, math.lcm(*denominators))
