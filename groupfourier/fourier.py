r"""Fourier analysis on finite groups: transform, inverse, convolution, Plancherel.

Conventions
-----------
A function on ``G`` is an array whose **last axis** follows ``G.elements``;
leading axes are batch axes.  For an irrep ρ of dimension :math:`d_\rho`,

.. math::

    \hat f(\rho) = \sum_{g \in G} f(g)\, \rho(g), \qquad
    f(x) = \frac{1}{|G|} \sum_{\rho} d_\rho \operatorname{tr}\!\big(\rho(x^{-1})\, \hat f(\rho)\big),

.. math::

    (f * h)(x) = \sum_{y \in G} f(x y^{-1})\, h(y), \qquad \widehat{f * h} = \hat f\, \hat h,

.. math::

    \sum_{x \in G} f(x)\, h(x^{-1}) = \frac{1}{|G|} \sum_\rho d_\rho
    \operatorname{tr}\!\big(\hat f(\rho)\, \hat h(\rho)\big)
    \quad\text{and, for unitary } \rho, \quad
    \sum_{x} f(x)\, \overline{h(x)} = \frac{1}{|G|} \sum_\rho d_\rho
    \operatorname{tr}\!\big(\hat f(\rho)\, \hat h(\rho)^\dagger\big).

Normalisation (``norm=``, as in :mod:`numpy.fft`)
--------------------------------------------------
The formulas above are ``norm="backward"`` (the default; ``None`` means the
same): no factor on the forward transform, :math:`1/|G|` on the inverse.  With
:math:`c_\rho` the factor on the forward transform, every routine that takes
``norm`` computes :math:`\hat f_{\mathrm{norm}}(\rho) = c_\rho \hat f(\rho)` and
inverts it:

.. math::

    \hat f_{\mathrm{norm}}(\rho) = c_\rho \sum_{g} f(g)\, \rho(g), \qquad
    f(x) = \sum_\rho \frac{d_\rho}{|G|\, c_\rho}
    \operatorname{tr}\!\big(\rho(x^{-1})\, \hat f_{\mathrm{norm}}(\rho)\big),

with these factors:

=====================  ===========================  ============================================
``norm``               forward :math:`c_\rho`       inverse :math:`d_\rho / (|G|\, c_\rho)`
=====================  ===========================  ============================================
``"backward"``, None   :math:`1`                    :math:`d_\rho/|G|`
``"ortho"``            :math:`\sqrt{d_\rho/|G|}`    :math:`\sqrt{d_\rho/|G|}`
``"forward"``          :math:`1/|G|`                :math:`d_\rho`
=====================  ===========================  ============================================

With ``"ortho"`` and unitary irreps (the default forms) the transform is
unitary from :math:`\mathbb{C}^G` with :math:`\langle f, h\rangle = \sum_x
f(x)\overline{h(x)}` to the coefficients with the Frobenius inner product
:math:`\sum_\rho \operatorname{tr}(A_\rho B_\rho^\dagger)`: Plancherel holds
with no factors, :math:`\sum_x |f(x)|^2 = \sum_\rho \lVert \hat
f_{\mathrm{ortho}}(\rho)\rVert_F^2` (the factor :math:`d_\rho/|G|` of the
Plancherel measure is split evenly between the two sides).  On Z_n (all
:math:`d_\rho = 1`) the three norms are exactly those of :func:`numpy.fft.fft`.
:func:`convolve` and :func:`plancherel` return functions and numbers, not
coefficients, so they take no ``norm``.

Axes
----
``axis=`` (default ``-1``) names the axis of ``f`` that follows ``G.elements``;
the other axes, in order, are the batch axes (``fourier_transform(G, f,
axis=a)`` equals ``fourier_transform(G, np.moveaxis(f, a, -1))``).  In
:func:`inverse_fourier_transform` ``axis`` is where that axis goes in the
result (``np.moveaxis(inverse(...), -1, axis)``); coefficients always have shape
``batch + (d, d)``.

The irreps are those of :mod:`groupfourier.irreps` (complex unitary for Z_n and
D_n, Young's orthogonal form for S_n, by default).  With these formulas
:math:`\hat f(\rho)` of a probability measure at the trivial irrep is 1, and
(f ∗ h) is the law of X·Y for independent X ∼ f, Y ∼ h.

Routines
--------
:func:`fourier_transform`, :func:`inverse_fourier_transform`, :func:`convolve`,
:func:`plancherel`; :func:`bandlimited_labels` lists the low-order irreps of S_n
for partial transforms.  Each takes ``method``:

``"dense"``
    the defining sums, an ``einsum`` against ``Irrep.matrices()``: O(|G|·Σ d²) =
    O(|G|²) time and memory.  The only method for exact input.
``"fft"``
    fast transforms: Z_n through ``numpy.fft``; D_n through two length-n FFTs on
    its rotation subgroup; S_n by Clausen's coset recursion over the chain
    S_1 ⊂ … ⊂ S_n in Young's orthogonal form (:mod:`groupfourier._fft_sn`),
    O(|G|) memory per function.  Numeric input and default irrep forms only.
``"auto"`` (default)
    ``"fft"`` where it applies, else ``"dense"``.

Exact and numeric
-----------------
Input that holds sympy objects (an ``object`` array), or any input with
``exact=True``, is transformed exactly: results are ``object`` arrays of sympy
expressions in a canonical form (roots of unity written as powers of
:math:`e^{2\pi i/N}` of degree below φ(N), reduced modulo the cyclotomic
polynomial; everything else expanded), so that an exact round trip returns the
same expressions.  Numeric input gives numpy arrays (float64 or complex128);
torch tensors stay torch tensors on their device.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Hashable, Iterable, Iterator, Literal, cast

import numpy as np
from ._lazy import sympy as sp  # imported at first use: `import groupfourier` stays fast
from numpy.typing import ArrayLike, NDArray

from ._dtypes import as_numeric_numpy, as_numeric_torch, match_precision
from ._threads import blas_single_thread
from .cyclotomic import canonical as _canonical
from .cyclotomic import canonical_array as _canonical_array
from .groups import CyclicGroup, DihedralGroup, FiniteGroup, SymmetricGroup  # noqa: F401 (doctests)
from .irreps import Irrep

__all__ = ["FourierCoefficients", "fourier_transform", "inverse_fourier_transform", "convolve",
           "plancherel", "bandlimited_labels", "METHODS", "NORMS"]

#: Accepted values of ``method``.
METHODS = ("auto", "dense", "fft")

#: Accepted values of ``norm`` (``None`` means ``"backward"``, as in numpy.fft).
NORMS = ("backward", "ortho", "forward")

Method = Literal["auto", "dense", "fft"]
Norm = Literal["backward", "ortho", "forward"] | None

#: Irrep forms whose matrices are real.
_REAL_FORMS = ("orthogonal", "seminormal", "real")


# ------------------------------------------------------------------ result object
@dataclass(frozen=True, repr=False, eq=False)
class FourierCoefficients(Mapping):
    r"""Fourier coefficients :math:`\hat f(\rho)`: a read-only mapping irrep label -> array.

    Attributes
    ----------
    group : FiniteGroup
    irreps : tuple of Irrep
        The irreps transformed, in ``G.irreps()`` order (all of them unless a
        partial transform was asked for); the mapping's keys are their labels.
    batch_shape : tuple of int
        Leading axes: ``F[label]`` has shape ``batch_shape + (d, d)``.
    exact : bool
        Whether entries are sympy expressions (``object`` arrays).
    real : bool
        Whether the transformed function was real-valued; the inverse transform
        then returns a real array.
    norm : {"backward", "ortho", "forward"}
        The normalisation of the coefficients (module docstring);
        :func:`inverse_fourier_transform` uses it when given ``norm=None``.

    Examples
    --------
    >>> F = fourier_transform(SymmetricGroup(3), [1, 0, 0, 0, 0, 0])
    >>> F
    FourierCoefficients(S3, irreps=[(3,), (2, 1), (1, 1, 1)], batch_shape=(), exact=False)
    >>> F[(2, 1)]
    array([[1., 0.],
           [0., 1.]])
    """

    group: FiniteGroup
    irreps: tuple[Irrep, ...]
    coefficients: Mapping[Hashable, Any]
    batch_shape: tuple[int, ...]
    exact: bool
    real: bool = False
    norm: str = "backward"

    def __getitem__(self, label: Hashable) -> Any:
        try:
            return self.coefficients[label]
        except (KeyError, TypeError):
            raise KeyError(f"FourierCoefficients of {self.group.name}: no coefficient for irrep "
                           f"{label!r}; labels: {list(self.coefficients)}.") from None

    def __iter__(self) -> Iterator[Hashable]:
        return iter(self.coefficients)

    def __len__(self) -> int:
        return len(self.coefficients)

    __eq__ = object.__eq__
    __hash__ = object.__hash__

    def __repr__(self) -> str:
        extra = "" if self.norm == "backward" else f", norm={self.norm!r}"
        return (f"FourierCoefficients({self.group.name}, irreps={list(self.coefficients)}, "
                f"batch_shape={self.batch_shape}, exact={self.exact}{extra})")

    def matrix(self, label: Hashable) -> sp.Matrix:
        """The exact coefficient at ``label`` as a sympy ``Matrix`` (unbatched exact only)."""
        if not self.exact or self.batch_shape:
            raise ValueError(f"FourierCoefficients.matrix: needs exact, unbatched coefficients; "
                             f"these have exact={self.exact}, batch_shape={self.batch_shape}. "
                             f"Index the mapping instead: F[{label!r}].")
        return sp.Matrix(self[label].tolist())


# ------------------------------------------------------------------ input handling
def _is_torch(x: Any) -> bool:
    return type(x).__module__.startswith("torch") and hasattr(x, "device")


def _check_method(who: str, method: Any) -> str:
    if method not in METHODS:
        raise ValueError(f"{who}: method must be one of {METHODS}; got method={method!r}.")
    return method


def _check_norm(who: str, norm: Any) -> str:
    """``norm`` resolved to one of :data:`NORMS` (``None`` -> ``"backward"``)."""
    if norm is None:
        return "backward"
    if not isinstance(norm, str) or norm not in NORMS:
        raise ValueError(f"{who}: invalid norm value {norm!r}; should be None, \"backward\", "
                         f"\"ortho\" or \"forward\".")
    return norm


def _check_axis(who: str, axis: Any, ndim: int, what: str) -> int:
    """``axis`` as a non-negative index into ``ndim`` axes (numpy's rules: -ndim <= axis < ndim)."""
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise ValueError(f"{who}: axis must be an integer; got axis={axis!r}.")
    if not -ndim <= axis < ndim:
        raise ValueError(f"{who}: axis {int(axis)} is out of bounds for {what} with {ndim} "
                         f"dimension(s) (valid: {-ndim} .. {ndim - 1}).")
    return int(axis) % ndim


def _move_axis(kind: str, arr: Any, source: int, destination: int) -> Any:
    if source % arr.ndim == destination % arr.ndim:
        return arr
    if kind == "torch":
        return arr.movedim(source, destination)
    return np.moveaxis(arr, source, destination)


def _norm_factor(G: FiniteGroup, rho: Irrep, norm: str, kind: str) -> Any:
    r"""The factor :math:`c_\rho` of ``norm`` on the forward transform (module docstring)."""
    if kind == "exact":
        return {"ortho": sp.sqrt(sp.Rational(rho.dim, G.order)),
                "forward": sp.Rational(1, G.order)}[norm]
    return {"ortho": (rho.dim / G.order) ** 0.5, "forward": 1.0 / G.order}[norm]


def _scale_coefficients(G: FiniteGroup, kind: str, coeffs: dict, irreps: tuple[Irrep, ...],
                        norm: str, inverse: bool) -> dict:
    """Multiply each coefficient by c_ρ (or 1/c_ρ when ``inverse``); "backward" is a no-op."""
    if norm == "backward":
        return coeffs
    out = {}
    for rho in irreps:
        c = _norm_factor(G, rho, norm, kind)
        c = 1 / c if inverse else c
        v = coeffs[rho.label] * c
        out[rho.label] = _canonical_array(np.asarray(v, dtype=object), _root_order(G)) \
            if kind == "exact" else v
    return out


def _as_function(G: FiniteGroup, f: Any, who: str, exact: bool | None, name: str = "f",
                 axis: Any = -1):
    """Return (kind, array) with kind in {"exact", "numpy", "torch"}; the group axis ``axis``
    moved last and checked."""
    if not isinstance(G, FiniteGroup):
        raise ValueError(f"{who}: G must be a FiniteGroup such as SymmetricGroup(4); got G={G!r}.")
    if _is_torch(f):
        if exact:
            raise ValueError(f"{who}: exact=True needs sympy or Python numbers, not a torch tensor; "
                             f"convert {name} with {name}.tolist() first.")
        kind, arr = "torch", as_numeric_torch(f, who, name)
        shape = tuple(arr.shape)
    else:
        try:
            arr = np.asarray(f) if not isinstance(f, sp.MatrixBase) else np.array(f.tolist(), object)
        except (ValueError, TypeError) as err:
            raise ValueError(f"{who}: {name} must be an array of shape batch + (|G|,) = (..., "
                             f"{G.order}); got {type(f).__name__} that numpy cannot read ({err}).") from None
        if arr.dtype == object or exact:
            kind = "exact"
            arr = _sympify_array(arr, who, name)
            if exact is False:
                raise ValueError(f"{who}: exact=False but {name} holds sympy objects; convert it "
                                 f"with np.asarray({name}, dtype=float) for a numeric transform.")
        else:
            kind, arr = "numpy", as_numeric_numpy(arr, who, name)
        shape = arr.shape
    if len(shape) == 0:
        raise ValueError(f"{who}: {name} must have shape batch + (|G|,) with |G| = {G.order} for "
                         f"{G.name} (last axis follows G.elements); got a 0-d value.")
    ax = _check_axis(who, axis, len(shape), name)
    if shape[ax] != G.order:
        raise ValueError(f"{who}: {name} must have shape batch + (|G|,) with |G| = {G.order} for "
                         f"{G.name} along axis {axis} (that axis follows G.elements); got shape "
                         f"{tuple(shape)}.")
    return kind, _move_axis(kind, arr, ax, -1)


def _sympify_array(arr: NDArray, who: str, name: str) -> NDArray:
    """Entries as sympy numbers or expressions, strictly: strings are refused (a string
    would be parsed, i.e. executed, by a non-strict ``sympify``)."""
    out = np.empty(arr.shape, dtype=object)
    flat = out.reshape(-1)
    for i, v in enumerate(arr.reshape(-1)):
        if isinstance(v, (str, bytes)):
            raise ValueError(f"{who}: exact input {name} must hold numbers or sympy expressions, "
                             f"not strings; got {v!r}. Build expressions with sympy, e.g. "
                             f"sympy.Symbol('a') or sympy.Rational(1, 3).")
        try:
            flat[i] = sp.sympify(v, strict=True)
        except (sp.SympifyError, TypeError, AttributeError) as err:
            raise ValueError(f"{who}: exact input {name} must hold numbers or sympy expressions; "
                             f"could not read the entry {v!r} ({type(err).__name__}).") from None
    return out


def _select_irreps(G: FiniteGroup, irreps: Iterable[Any] | None, who: str) -> tuple[Irrep, ...]:
    """The requested irreps (labels or Irrep objects) in ``G.irreps()`` order."""
    if irreps is None:
        return G.irreps()
    if G._is_single_irrep_label(irreps) or isinstance(irreps, (str, Irrep)) or not isinstance(irreps, Iterable):
        irreps = [irreps]  # one label, e.g. irreps=(3, 1) on S_4
    chosen = []
    for item in irreps:
        if isinstance(item, Irrep):
            if item.group != G:
                raise ValueError(f"{who}: irrep {item!r} belongs to {item.group!r}, not {G!r}.")
            chosen.append(item)
        else:
            chosen.append(G.irrep(item))  # ValueError listing valid labels
    forms = {r.form for r in chosen}
    if len(forms) > 1:
        raise ValueError(f"{who}: irreps must all be in one form; got forms {sorted(forms)}.")
    if not chosen:
        raise ValueError(f"{who}: irreps is empty; pass None for all irreps or a list of labels.")
    order = {r: i for i, r in enumerate(G.irreps(form=chosen[0].form))}
    return tuple(sorted(set(chosen), key=order.__getitem__))


def _fast_applies(G: FiniteGroup, irreps: tuple[Irrep, ...]) -> bool:
    return G.FFT_FORM is not None and irreps[0].form == G.FFT_FORM


def _resolve_method(G: FiniteGroup, method: str, kind: str, irreps: tuple[Irrep, ...],
                    who: str) -> Literal["auto", "dense", "fft"]:
    _check_method(who, method)
    if kind == "exact":
        if method == "fft":
            raise ValueError(f"{who}: method='fft' is numeric only; exact (sympy) input needs "
                             f"method='dense' or 'auto'.")
        return "dense"
    if method == "fft" and not _fast_applies(G, irreps):
        if G.FFT_FORM is None:
            raise ValueError(f"{who}: method='fft' is implemented for Z_n, D_n and S_n (A_n through S_n); got "
                             f"{G!r}. Use method='dense' or 'auto'.")
        raise ValueError(f"{who}: method='fft' needs the default irrep form "
                         f"{G.FFT_FORM!r} of {G.name}; got form {irreps[0].form!r}. "
                         f"Use method='dense'.")
    if method == "auto":
        return "fft" if _fast_applies(G, irreps) else "dense"
    return "fft" if method == "fft" else "dense"       # checked by _check_method above


# ------------------------------------------------------------------ exact arithmetic
def _root_order(G: FiniteGroup) -> int | None:
    """N such that the roots of unity in G's exact irreps are N-th roots (None: none occur)."""
    return G.exact_root_order


@lru_cache(maxsize=256)
def _exact_matrices(rho: Irrep) -> NDArray:
    """ρ(g) for every g as an object array (|G|, d, d) of sympy numbers."""
    mats = rho.matrices(exact=True)
    out = np.empty((rho.group.order, rho.dim, rho.dim), dtype=object)
    for i, m in enumerate(mats):
        for a in range(rho.dim):
            for b in range(rho.dim):
                out[i, a, b] = m[a, b]
    out.setflags(write=False)
    return out


def _exact_lincomb(values: NDArray, coeffs: NDArray, N: int | None) -> NDArray:
    """``out[..., k] = canonical(Σ_g coeffs[k, g] · values[..., g])`` for exact numbers ``coeffs``.

    Each value is split once into monomials with numeric coefficients, the numeric
    parts are summed per monomial, and only then multiplied out: far fewer symbolic
    operations than multiplying and expanding whole expressions.
    """
    K, n = coeffs.shape
    nz = [[(g, coeffs[k, g]) for g in range(n) if coeffs[k, g] != 0] for k in range(K)]
    flat_in = values.reshape(-1, n)
    out = np.empty((flat_in.shape[0], K), dtype=object)
    for b, row in enumerate(flat_in):
        parts = [sp.expand(v).as_coefficients_dict() for v in row]
        for k in range(K):
            acc: dict = {}
            for g, c in nz[k]:
                for mono, num in parts[g].items():
                    acc.setdefault(mono, []).append(c * num)
            out[b, k] = _canonical(sp.Add(*[sp.expand(sp.Add(*nums)) * mono
                                            for mono, nums in acc.items()]), N)
    return out.reshape(values.shape[:-1] + (K,))


# ------------------------------------------------------------------ dense kernels
def _torch_const(x: NDArray, like: Any):
    import torch
    dtype = like.dtype
    if np.iscomplexobj(x) and not like.is_complex():
        dtype = torch.complex128 if like.dtype == torch.float64 else torch.complex64
    return torch.from_numpy(np.array(x)).to(device=like.device, dtype=dtype)  # a writable copy


def _dense_forward(G: FiniteGroup, kind: str, f: Any, irreps: tuple[Irrep, ...]) -> dict:
    fast = G._exact_forward(f, irreps) if kind == "exact" else None
    if fast is not None:  # e.g. rational input on S_n: exact arithmetic over Q, no symbolic sums
        return fast
    out: dict[Any, Any] = {}
    for rho in irreps:
        if kind == "exact":
            if _root_order(G) is None:  # square roots only: collect numeric parts first
                M = _exact_matrices(rho).reshape(G.order, rho.dim ** 2).T    # (d², |G|)
                F = _exact_lincomb(f, M, None).reshape(f.shape[:-1] + (rho.dim, rho.dim))
            else:  # roots of unity: plain sums, then reduction in Q(ζ_N) (polynomials in ζ)
                F = _canonical_array(np.asarray(np.tensordot(f, _exact_matrices(rho), axes=([-1], [0])),
                                                dtype=object), _root_order(G))
            out[rho.label] = F
        elif kind == "torch":
            import torch
            Mt = _torch_const(cast(NDArray, rho.matrices()), f)
            out[rho.label] = torch.einsum("...g,gij->...ij", f.to(Mt.dtype), Mt)
        else:
            out[rho.label] = np.tensordot(f, match_precision(cast(NDArray, rho.matrices()), f.dtype),
                                          axes=([-1], [0]))
    return out


def _dense_inverse(G: FiniteGroup, kind: str, F: dict, irreps: tuple[Irrep, ...]) -> Any:
    inv = G.inverse_indices
    if kind == "exact" and _root_order(G) is None:  # f(x) = Σ_ρ (d/|G|) Σ_ab ρ(x⁻¹)_ba F_ab
        vals = np.concatenate([F[r.label].reshape(F[r.label].shape[:-2] + (r.dim ** 2,))
                               for r in irreps], axis=-1)
        coeffs = np.concatenate([_exact_matrices(r)[inv].transpose(0, 2, 1).reshape(G.order, -1)
                                 * sp.Rational(r.dim, G.order) for r in irreps], axis=1)
        return _exact_lincomb(vals, coeffs, _root_order(G))
    total = None
    for rho in irreps:
        if kind == "exact":
            Minv = _exact_matrices(rho)[inv].transpose(0, 2, 1)
            term = np.tensordot(F[rho.label], Minv, axes=([-2, -1], [1, 2])) * sp.Rational(rho.dim, G.order)
        elif kind == "torch":
            import torch
            Minv = _torch_const(np.ascontiguousarray(rho.matrices()[inv]), F[rho.label])
            Fl = F[rho.label].to(Minv.dtype) if Minv.is_complex() else F[rho.label]
            term = torch.einsum("...ab,xba->...x", Fl, Minv.to(Fl.dtype)) * (rho.dim / G.order)
        else:
            # Σ_ab F_ab ρ(y)_ba at every y, then read off at y = x⁻¹ (no copy of the matrices)
            Ft = np.ascontiguousarray(np.swapaxes(F[rho.label], -1, -2))   # small: no copy of ρ
            term = np.tensordot(Ft, match_precision(cast(NDArray, rho.matrices()), Ft.dtype),
                                axes=([-2, -1], [1, 2]))[..., inv]
            term *= rho.dim / G.order
        total = term if total is None else total + term
    if kind == "exact":
        return _canonical_array(np.asarray(total, dtype=object), _root_order(G))
    return total


# ------------------------------------------------------------------ fast kernels
def _fast_forward(G: FiniteGroup, f: Any, irreps: tuple[Irrep, ...]) -> dict:
    with blas_single_thread(int(np.prod(f.shape))):
        return G._fft_forward(f, [r.label for r in irreps])


def _fast_inverse(G: FiniteGroup, F: dict, irreps: tuple[Irrep, ...]) -> Any:
    first = next(iter(F.values()))
    with blas_single_thread(G.order * int(np.prod(first.shape[:-2]))):
        return G._fft_inverse(F, [r.label for r in irreps])


def _zeros(kind: str, like: Any, shape: tuple[int, ...]) -> Any:
    """Zeros of ``shape`` with ``like``'s dtype (and device)."""
    if kind == "torch":
        import torch
        return torch.zeros(shape, dtype=like.dtype, device=like.device)
    return np.zeros(shape, dtype=np.asarray(like).dtype)


def _empty_batch(batch: tuple[int, ...]) -> bool:
    """Whether a batch shape holds no function (a 0 among its axes)."""
    return bool(batch) and int(np.prod(batch)) == 0


def _is_real(kind: str, f: Any) -> bool:
    if kind == "torch":
        return not f.is_complex()
    if kind == "numpy":
        return f.dtype.kind != "c"
    return all(sp.sympify(v).is_extended_real is True for v in f.reshape(-1)) if f.size else True


def _readonly(kind: str, arr: Any) -> Any:
    if kind != "torch":
        arr = np.asarray(arr)
        if arr.flags.writeable:
            arr.setflags(write=False)
    return arr


# ------------------------------------------------------------------ public API
def fourier_transform(G: FiniteGroup, f: ArrayLike, *, irreps: Iterable[Any] | None = None,
                      method: Method = "auto", exact: bool | None = None, axis: int = -1,
                      norm: Norm = None) -> FourierCoefficients:
    r"""Fourier transform :math:`\hat f(\rho) = \sum_g f(g)\, \rho(g)` of a function on ``G``.

    Parameters
    ----------
    G : FiniteGroup
    f : array_like, shape batch + (|G|,)
        Values in ``G.elements`` order; leading axes are batch axes.  numpy or
        torch (result stays on the tensor's device), or sympy objects (exact).
    irreps : iterable of labels or Irrep, optional
        Transform at these irreps only (a partial or bandlimited transform, e.g.
        ``bandlimited_labels(G, k)``); default every irrep of ``G.irreps()``.
        Irrep objects select a form, e.g. ``G.irreps(form="real")``.
    method : {"auto", "dense", "fft"}
        See the module docstring; ``"fft"`` is numeric only.
    exact : bool, optional
        Force the exact (sympy) path (``True``) or refuse it (``False``); by
        default exact iff ``f`` holds sympy objects (an ``object`` array).
    axis : int
        The axis of ``f`` that follows ``G.elements`` (default the last); the
        other axes, in order, are the batch axes.
    norm : {None, "backward", "ortho", "forward"}
        Factor :math:`c_\rho` on the coefficients: 1, :math:`\sqrt{d_\rho/|G|}`
        (unitary), :math:`1/|G|` (module docstring).  ``None`` is ``"backward"``.

    Returns
    -------
    FourierCoefficients
        label -> array of shape batch + (d, d): float64 for real input and real
        irreps, complex128 otherwise; ``object`` arrays of sympy expressions when exact.
        Its ``norm`` records the normalisation.

    Examples
    --------
    A probability measure has coefficient 1 at the trivial irrep:

    >>> F = fourier_transform(CyclicGroup(4), [0.5, 0.5, 0, 0])
    >>> [complex(F[k][0, 0]) for k in range(4)]
    [(1+0j), (0.5+0.5j), 0j, (0.5-0.5j)]

    Exact input gives exact output:

    >>> import sympy as sp
    >>> a, b = sp.symbols("a b")
    >>> fourier_transform(CyclicGroup(2), np.array([a, b], dtype=object))[1]
    array([[a - b]], dtype=object)

    ``axis`` and ``norm`` as in numpy.fft; "ortho" is unitary (Σ|f|² = Σ_ρ ‖f̂(ρ)‖²):

    >>> f = np.arange(12.0).reshape(6, 2)            # two functions on S_3, group axis 0
    >>> F = fourier_transform(SymmetricGroup(3), f, axis=0, norm="ortho")
    >>> F.batch_shape, bool(np.allclose(sum((F[k] ** 2).sum((-2, -1)) for k in F), (f ** 2).sum(0)))
    ((2,), True)
    """
    who = "fourier_transform"
    used_norm = _check_norm(who, norm)
    kind, arr = _as_function(G, f, who, exact, axis=axis)
    _check_method(who, method)
    chosen = _select_irreps(G, irreps, who)
    method = _resolve_method(G, method, kind, chosen, who)
    batch = tuple(arr.shape[:-1])
    if _empty_batch(batch) and kind != "exact":  # no function: the kernels' dtypes, no work
        one = fourier_transform(G, _zeros(kind, arr, (1, G.order)), irreps=chosen, method=method)
        coeffs = {r.label: _zeros(kind, one[r.label], batch + (r.dim, r.dim)) for r in chosen}
        return FourierCoefficients(G, chosen, coeffs, batch, False, _is_real(kind, arr), used_norm)
    if method == "fft":
        coeffs = _fast_forward(G, arr, chosen)
    else:
        with blas_single_thread(G.order * int(np.prod(batch))):
            coeffs = _dense_forward(G, kind, arr, chosen)
    coeffs = _scale_coefficients(G, kind, coeffs, chosen, used_norm, inverse=False)
    coeffs = {r.label: _readonly(kind, coeffs[r.label]) for r in chosen}
    return FourierCoefficients(G, chosen, coeffs, batch, kind == "exact", _is_real(kind, arr), used_norm)


def _as_coefficients(G: FiniteGroup, F: Any, who: str):
    """Validate F; return (kind, dict label -> array, irreps, batch_shape, real, norm)."""
    if not isinstance(G, FiniteGroup):
        raise ValueError(f"{who}: G must be a FiniteGroup such as SymmetricGroup(4); got G={G!r}.")
    if isinstance(F, FourierCoefficients):
        if F.group != G:
            raise ValueError(f"{who}: F holds coefficients of {F.group!r}, not of {G!r}.")
        kind = "exact" if F.exact else ("torch" if _is_torch(next(iter(F.values()))) else "numpy")
        return kind, dict(F.coefficients), F.irreps, F.batch_shape, F.real, F.norm
    if not isinstance(F, Mapping) or len(F) == 0:
        raise ValueError(f"{who}: F must be FourierCoefficients or a non-empty mapping from irrep "
                         f"labels of {G.name} to arrays of shape batch + (d, d); got {type(F).__name__}.")
    irreps = _select_irreps(G, list(F.keys()), who)
    out, kinds, batch = {}, set(), None
    for rho in irreps:
        v = F[rho.label]
        if _is_torch(v):
            kinds.add("torch")
            v = as_numeric_torch(v, who, f"F[{rho.label!r}]")
        else:
            v = np.asarray(v)
            if v.dtype == object:
                kinds.add("exact")
            else:
                kinds.add("numpy")
                v = as_numeric_numpy(v, who, f"F[{rho.label!r}]")
        shape = tuple(v.shape)
        if len(shape) < 2 or shape[-2:] != (rho.dim, rho.dim):
            raise ValueError(f"{who}: F[{rho.label!r}] must have shape batch + ({rho.dim}, {rho.dim}) "
                             f"(d = {rho.dim}); got shape {shape}.")
        if batch is None:
            batch = shape[:-2]
        elif shape[:-2] != batch:
            raise ValueError(f"{who}: every F[label] must share one batch shape; got {batch} and "
                             f"{shape[:-2]} at {rho.label!r}.")
        out[rho.label] = v
    if len(kinds) > 1:
        raise ValueError(f"{who}: F mixes {sorted(kinds)} arrays; use one kind.")
    kind = kinds.pop()
    if kind == "exact":
        out = {k: _sympify_array(v, who, f"F[{k!r}]") for k, v in out.items()}
    return kind, out, irreps, batch, False, "backward"


def inverse_fourier_transform(G: FiniteGroup, F: Mapping | FourierCoefficients, *,
                              method: Method = "auto", axis: int = -1, norm: Norm = None) -> Any:
    r"""Inverse transform :math:`f(x) = \frac{1}{|G|}\sum_\rho d_\rho \operatorname{tr}(\rho(x^{-1}) \hat f(\rho))`.

    Parameters
    ----------
    G : FiniteGroup
    F : FourierCoefficients or mapping label -> array of shape batch + (d, d)
        Irreps absent from ``F`` count as zero (a partial inverse: the
        projection onto the given isotypic components).  Plain mappings use the
        default irrep form.
    method : {"auto", "dense", "fft"}
    axis : int
        Where the axis that follows ``G.elements`` goes in the result (default
        last): the result is ``np.moveaxis(f, -1, axis)`` of the batch + (|G|,) array.
    norm : {None, "backward", "ortho", "forward"}
        The normalisation ``F`` was computed with (module docstring).  ``None``:
        ``F.norm`` for FourierCoefficients, ``"backward"`` for a plain mapping.

    Returns
    -------
    array, shape batch + (|G|,) (group axis at ``axis``)
        Real (float64) when ``F`` is the complete transform of a real function,
        or real coefficients of a real irrep form (Young's forms, ``"real"``);
        complex otherwise; an ``object`` array of sympy expressions when exact.

    Examples
    --------
    >>> G = DihedralGroup(3)
    >>> f = np.arange(6.0)
    >>> np.allclose(inverse_fourier_transform(G, fourier_transform(G, f)), f)
    True
    >>> F = fourier_transform(G, np.stack([f, -f]), norm="forward")
    >>> inverse_fourier_transform(G, F, axis=0).shape           # F.norm is used
    (6, 2)
    """
    who = "inverse_fourier_transform"
    _check_method(who, method)
    given_norm = _check_norm(who, norm) if norm is not None else None
    kind, coeffs, irreps, batch, real, own_norm = _as_coefficients(G, F, who)
    used_norm: str = given_norm or own_norm
    out_axis = _check_axis(who, axis, len(batch) + 1, "the result")
    method = _resolve_method(G, method, kind, irreps, who)
    coeffs = _scale_coefficients(G, kind, coeffs, irreps, used_norm, inverse=True)
    # The result is real when the coefficients are real in a real form, or when they are
    # the complete transform of a real function (a partial one need not be real).
    real_form = irreps[0].form in _REAL_FORMS
    complete = len(irreps) == len(G.irreps(form=irreps[0].form))
    if kind != "exact":
        real_coeffs = all(not (v.is_complex() if kind == "torch" else np.iscomplexobj(v))
                          for v in coeffs.values())
        real = (real and (complete or real_form)) or (real_form and real_coeffs)
    if _empty_batch(batch) and kind != "exact":
        ones = {r.label: _zeros(kind, coeffs[r.label], (1, r.dim, r.dim)) for r in irreps}
        one = inverse_fourier_transform(G, FourierCoefficients(G, irreps, ones, (1,), False, real),
                                        method=method)
        return _move_axis(kind, _zeros(kind, one, batch + (G.order,)), -1, out_axis)
    if method == "fft":
        out = _fast_inverse(G, coeffs, irreps)
    else:
        with blas_single_thread(G.order * int(np.prod(batch))):
            out = _dense_inverse(G, kind, coeffs, irreps)
    return _move_axis(kind, _realify(kind, out, real), -1, out_axis)


def _two_functions(G: FiniteGroup, f: Any, h: Any, method: str, who: str, axis: Any = -1):
    """Validate a pair of functions (group axis ``axis`` moved last); return
    (kind, f, h, batch, method)."""
    kf, fa = _as_function(G, f, who, None, "f", axis)
    kh, ha = _as_function(G, h, who, None, "h", axis)
    if kf != kh:
        raise ValueError(f"{who}: f and h must be of one kind (both numpy, both torch or both "
                         f"exact sympy); got {kf} and {kh}.")
    try:
        batch = tuple(np.broadcast_shapes(tuple(fa.shape[:-1]), tuple(ha.shape[:-1])))
    except ValueError:
        raise ValueError(f"{who}: batch shapes of f and h must broadcast; got {tuple(fa.shape[:-1])} "
                         f"and {tuple(ha.shape[:-1])}.") from None
    method = _resolve_method(G, method, kf, G.irreps(), who)
    return kf, fa, ha, batch, method


def _realify(kind: str, out: Any, real: bool) -> Any:
    if real and kind == "torch" and out.is_complex():
        return out.real
    if real and kind == "numpy" and np.iscomplexobj(out):
        return out.real
    return out


def convolve(G: FiniteGroup, f: ArrayLike, h: ArrayLike, *, method: Method = "auto",
             axis: int = -1) -> Any:
    r"""Convolution :math:`(f * h)(x) = \sum_{y} f(x y^{-1})\, h(y)`, through the Fourier domain.

    Computed as the inverse transform of :math:`\hat f(\rho)\hat h(\rho)`; on Z_n
    and D_n with ``method="fft"`` from whole stacked spectra (6 FFTs for D_n).
    Batch axes of ``f`` and ``h`` broadcast.  Real inputs give a real result;
    exact inputs an exact one.  ``axis`` is the group axis of ``f``, ``h`` and
    the result (default last).  No ``norm``: the convolution does not depend on
    the normalisation of the transform.

    Returns
    -------
    array, shape broadcast(batch_f, batch_h) + (|G|,) (group axis at ``axis``)

    Examples
    --------
    >>> convolve(CyclicGroup(4), [1, 0, 0, 0], [0, 1, 0, 0]).round(12).tolist()
    [0.0, 1.0, 0.0, 0.0]
    >>> S3 = SymmetricGroup(3)      # δ_a ∗ δ_b = δ_{ab}
    >>> a, b = S3.index((1, 0, 2)), S3.index((0, 2, 1))
    >>> int(np.argmax(convolve(S3, np.eye(6)[a], np.eye(6)[b]))) == S3.index(S3.multiply((1, 0, 2), (0, 2, 1)))
    True
    """
    who = "convolve"
    kind, fa, ha, batch, method = _two_functions(G, f, h, method, who, axis)
    out_axis = _check_axis(who, axis, len(batch) + 1, "the result")
    if _empty_batch(batch) and kind != "exact":
        one = convolve(G, _zeros(kind, fa, (1, G.order)), _zeros(kind, ha, (1, G.order)), method=method)
        return _move_axis(kind, _zeros(kind, one, batch + (G.order,)), -1, out_axis)
    real = _is_real(kind, fa) and _is_real(kind, ha)
    direct = G._fft_convolve(fa, ha) if method == "fft" else None
    if direct is not None:
        return _move_axis(kind, _realify(kind, direct, real), -1, out_axis)
    Ff, Fh = (fourier_transform(G, x, method=method) for x in (fa, ha))
    prod = {}
    for rho in Ff.irreps:
        a, b = Ff[rho.label], Fh[rho.label]
        if kind == "torch" and a.dtype != b.dtype:
            a, b = (a.to(b.dtype), b) if b.is_complex() else (a, b.to(a.dtype))
        prod[rho.label] = a @ b
    H = FourierCoefficients(G, Ff.irreps, prod, batch, kind == "exact", real)
    return inverse_fourier_transform(G, H, method=method, axis=out_axis)


def plancherel(G: FiniteGroup, f: ArrayLike, h: ArrayLike, *, inner: bool = False,
               method: Method = "auto", axis: int = -1) -> Any:
    r"""Plancherel pairing of two functions, computed on the Fourier side.

    .. math::

        \langle f, h\rangle_{\mathrm{pl}} = \sum_x f(x)\, h(x^{-1})
        = \frac{1}{|G|}\sum_\rho d_\rho \operatorname{tr}\big(\hat f(\rho)\hat h(\rho)\big).

    With ``inner=True`` the L² inner product
    :math:`\sum_x f(x)\overline{h(x)} = \frac{1}{|G|}\sum_\rho d_\rho
    \operatorname{tr}(\hat f(\rho)\hat h(\rho)^\dagger)` (needs unitary irreps: the
    default forms are).  ``axis`` is the group axis of ``f`` and ``h`` (default
    last); the other axes broadcast.  No ``norm``: the pairing is a number that
    does not depend on the normalisation of the transform.

    Returns
    -------
    array of shape broadcast(batch_f, batch_h) (0-d for single functions); exact
    input gives a sympy expression (unbatched) or an ``object`` array.

    Examples
    --------
    >>> G = SymmetricGroup(3)
    >>> f = np.arange(6.0)
    >>> round(float(plancherel(G, f, f, inner=True)), 10)     # = Σ f(x)²
    55.0
    """
    who = "plancherel"
    if not isinstance(inner, (bool, np.bool_)):
        raise ValueError(f"{who}: inner must be True or False; got inner={inner!r}.")
    kind, fa, ha, batch, method = _two_functions(G, f, h, method, who, axis)
    if _empty_batch(batch) and kind != "exact":
        one = plancherel(G, _zeros(kind, fa, (1, G.order)), _zeros(kind, ha, (1, G.order)),
                         inner=inner, method=method)
        return _zeros(kind, one, batch)
    real = _is_real(kind, fa) and _is_real(kind, ha)
    out = G._fft_plancherel(fa, ha, inner) if method == "fft" else None
    if out is not None:
        return _realify(kind, out if kind == "torch" else np.asarray(out), real)
    Ff, Fh = (fourier_transform(G, x, method=method) for x in (fa, ha))
    total: Any = 0
    for rho in Ff.irreps:
        a, b = Ff[rho.label], Fh[rho.label]
        if kind == "torch":
            b = b.conj() if inner else b.transpose(-1, -2)
            term = (a * b).sum(dim=(-2, -1))
        elif kind == "exact":
            b = np.vectorize(sp.conjugate, otypes=[object])(b) if inner else np.swapaxes(b, -1, -2)
            term = (a * b).sum(axis=(-2, -1))
        else:
            b = b.conj() if inner else np.swapaxes(b, -1, -2)
            term = np.einsum("...ab,...ab->...", a, b)
        total = total + term * (sp.Rational(rho.dim, G.order) if kind == "exact" else rho.dim / G.order)
    if kind == "exact":
        total = _canonical_array(np.asarray(total, dtype=object), _root_order(G))
        return total[()] if total.ndim == 0 else total
    return _realify(kind, total if kind == "torch" else np.asarray(total), real)


def bandlimited_labels(G: SymmetricGroup, k: int) -> tuple[tuple[int, ...], ...]:
    r"""Labels of the irreps of S_n of order at most ``k``: partitions λ with λ_1 >= n − k.

    These span the functions of "degree" at most k (those determined by how
    k-tuples of points move); a measure near uniform is well described by them.

    Examples
    --------
    >>> bandlimited_labels(SymmetricGroup(5), 1)
    ((5,), (4, 1))
    """
    if not isinstance(G, SymmetricGroup):
        raise ValueError(f"bandlimited_labels: G must be a SymmetricGroup; got G={G!r}.")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 0:
        raise ValueError(f"bandlimited_labels: k must be an integer >= 0; got k={k!r}.")
    return tuple(r.label for r in G.irreps() if r.label[0] >= G.n - k)
