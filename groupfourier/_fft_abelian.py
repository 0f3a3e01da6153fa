r"""Fast Fourier transforms on Z_n and D_n (complex irreps), through ``numpy.fft`` or ``torch.fft``.

Z_n: :math:`\hat f(k) = \sum_g f(g)\, \omega^{kg} = n \cdot \mathrm{ifft}(f)[k]`, ω = e^{2πi/n}.

D_n: write a_k = f(r^k), b_k = f(r^k s) and :math:`A = n\,\mathrm{ifft}(a)`,
:math:`B = n\,\mathrm{ifft}(b)` (two length-n FFTs on the rotation subgroup).
With ρ_{E_j}(r^k) = diag(ω^{jk}, ω^{-jk}) and ρ_{E_j}(s) the swap,

.. math::

    \hat f(E_j) = \begin{pmatrix} A_j & B_j \\ B_{-j} & A_{-j} \end{pmatrix},\quad
    \hat f(A_{1,2}) = A_0 \pm B_0,\quad \hat f(B_{1,2}) = A_{n/2} \pm B_{n/2}.

The inverses assemble the two spectra back and apply one forward FFT each.
Labels and matrices are those of :mod:`groupfourier.irreps` (``form="complex"``);
the tests compare against the dense sums over ``Irrep.matrices()``.
O(|G| log |G|) time and O(|G|) memory per function; leading axes are batch axes.
"""

from __future__ import annotations

from typing import Any, Hashable, Sequence

import numpy as np

__all__ = ["cyclic_forward", "cyclic_inverse", "dihedral_forward", "dihedral_inverse"]


def _is_torch(x: Any) -> bool:
    return type(x).__module__.startswith("torch")


def _fft(x: Any) -> Any:
    if _is_torch(x):
        import torch
        return torch.fft.fft(x, dim=-1)
    return np.fft.fft(x, axis=-1)


def _nifft(x: Any) -> Any:
    """n · ifft(x): Σ_k x_k e^{+2πi jk/n}."""
    n = x.shape[-1]
    if _is_torch(x):
        import torch
        return torch.fft.ifft(x, dim=-1) * n
    return np.fft.ifft(x, axis=-1) * n


def _complex_zeros(shape: tuple[int, ...], like: Any) -> Any:
    if _is_torch(like):
        import torch
        dtype = like.dtype if like.is_complex() else (
            torch.complex128 if like.dtype == torch.float64 else torch.complex64)
        return torch.zeros(shape, dtype=dtype, device=like.device)
    single = like.dtype in (np.float32, np.complex64)
    return np.zeros(shape, dtype=np.complex64 if single else np.complex128)


def _mat(entries: list[list[Any]]) -> Any:
    """Stack entries (each of shape batch) into batch + (d, d)."""
    if _is_torch(entries[0][0]):
        import torch
        return torch.stack([torch.stack(row, dim=-1) for row in entries], dim=-2)
    return np.stack([np.stack(row, axis=-1) for row in entries], axis=-2)


def _stack_last(vals: list[Any]) -> Any:
    if _is_torch(vals[0]):
        import torch
        return torch.stack(vals, dim=-1)
    return np.stack(vals, axis=-1)


def cyclic_forward(n: int, f: Any, labels: Sequence[int]) -> dict[int, Any]:
    """f̂(k) for k in ``labels``, each of shape batch + (1, 1) (views of one array)."""
    F = _nifft(f)[..., None, None]
    if not _is_torch(F):
        F.setflags(write=False)  # the views handed out inherit this
    return {k: F[..., k, :, :] for k in labels}


def cyclic_inverse(n: int, F: dict[Hashable, Any]) -> Any:
    """f(x) = (1/n) Σ_k f̂(k) ω^{-kx}; labels absent from F count as zero."""
    first = next(iter(F.values()))
    S = _complex_zeros(tuple(first.shape[:-2]) + (n,), first)
    ks = list(F)
    S[..., ks] = _stack_last([F[k][..., 0, 0] for k in ks])
    return _fft(S) / n


def dihedral_forward(n: int, f: Any, labels: Sequence[str]) -> dict[str, Any]:
    """f̂ at the D_n irreps named in ``labels`` (A1, A2, B1, B2, E<j>); the E_j are views
    of one stacked array built without a per-irrep loop."""
    A, B = _nifft(f[..., :n]), _nifft(f[..., n:])
    j = np.arange(1, (n - 1) // 2 + 1)
    E = _mat([[A[..., j], B[..., j]], [B[..., n - j], A[..., n - j]]]) if len(j) else None
    if E is not None and not _is_torch(E):
        E.setflags(write=False)
    out = {}
    for lab in labels:
        if lab[0] == "E":
            out[lab] = E[..., int(lab[1:]) - 1, :, :]
        else:
            m = 0 if lab[0] == "A" else n // 2
            sign = 1 if lab[1] == "1" else -1
            out[lab] = (A[..., m] + sign * B[..., m])[..., None, None]
    return out


def dihedral_inverse(n: int, F: dict[Hashable, Any]) -> Any:
    """f on D_n from the coefficients in F (absent labels count as zero)."""
    first = next(iter(F.values()))
    batch = tuple(first.shape[:-2])
    Sa, Sb = _complex_zeros(batch + (n,), first), _complex_zeros(batch + (n,), first)
    es = [lab for lab in F if lab[0] == "E"]
    if es:
        j = np.array([int(lab[1:]) for lab in es])
        V = _stack_last([_stack_last([F[lab][..., a, b] for lab in es]) for a in (0, 1) for b in (0, 1)])
        Sa[..., j] = 2 * V[..., 0]                 # F00
        Sa[..., n - j] = 2 * V[..., 3]             # F11
        Sb[..., n - j] = 2 * V[..., 2]             # F10
        Sb[..., j] = 2 * V[..., 1]                 # F01
    for lab in F:
        if lab[0] != "E":
            m = 0 if lab[0] == "A" else n // 2
            sign = 1 if lab[1] == "1" else -1
            Sa[..., m] += F[lab][..., 0, 0]
            Sb[..., m] += sign * F[lab][..., 0, 0]
    a, b = _fft(Sa), _fft(Sb)
    if _is_torch(a):
        import torch
        return torch.cat([a, b], dim=-1) / (2 * n)
    return np.concatenate([a, b], axis=-1) / (2 * n)


# ------------------------------------------------------------------ whole spectra
# For Z_n the characters k = 0..n−1 are all the irreps.  For D_n the 2-dimensional
# representations σ_j (j = 0..n−1), r^k ↦ diag(ω^{jk}, ω^{−jk}), s ↦ swap, give
# M_j(f) = [[A_j, B_j], [B_{−j}, A_{−j}]]; σ_j ≅ E_j for 0 < j < n/2, σ_0 = A1 ⊕ A2,
# σ_{n/2} = B1 ⊕ B2, so ⊕_j σ_j is the regular representation.  Hence products of
# spectra are spectra of convolutions, and Σ_x f(x) h(x⁻¹) = (1/|G|) Σ_j tr M_j(f) M_j(h):
# convolution and Plancherel in O(|G| log |G|) with no per-irrep Python loop.
def _swap_last(x: Any) -> Any:
    return x.transpose(-1, -2) if _is_torch(x) else np.swapaxes(x, -1, -2)


def spectra(n: int, f: Any, dihedral: bool) -> Any:
    """Stacked spectra, shape batch + (n, d, d) with d = 1 (Z_n) or 2 (D_n, the σ_j)."""
    if not dihedral:
        return _nifft(f)[..., None, None]
    A, B = _nifft(f[..., :n]), _nifft(f[..., n:])
    neg = (-np.arange(n)) % n
    if _is_torch(A):
        import torch
        neg = torch.as_tensor(neg, device=A.device)
    return _mat([[A, B], [B[..., neg], A[..., neg]]])


def from_spectra(n: int, M: Any, dihedral: bool) -> Any:
    """Inverse of :func:`spectra` (f from its stacked spectra)."""
    if not dihedral:
        return _fft(M[..., 0, 0]) / n
    a, b = _fft(M[..., 0, 0]) / n, _fft(M[..., 0, 1]) / n
    if _is_torch(a):
        import torch
        return torch.cat([a, b], dim=-1)
    return np.concatenate([a, b], axis=-1)


def convolve(n: int, f: Any, h: Any, dihedral: bool) -> Any:
    """(f ∗ h)(x) = Σ_y f(x y⁻¹) h(y) on Z_n or D_n; batch axes broadcast."""
    return from_spectra(n, spectra(n, f, dihedral) @ spectra(n, h, dihedral), dihedral)


def plancherel(n: int, f: Any, h: Any, dihedral: bool, inner: bool) -> Any:
    """Σ_x f(x) h(x⁻¹), or Σ_x f(x) conj(h(x)) if ``inner``, from the stacked spectra."""
    Mf, Mh = spectra(n, f, dihedral), spectra(n, h, dihedral)
    Mh = Mh.conj() if inner else _swap_last(Mh)
    total = (Mf * Mh).sum(-1).sum(-1).sum(-1)
    return total / (2 * n if dihedral else n)
