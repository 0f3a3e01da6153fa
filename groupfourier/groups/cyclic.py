"""The cyclic group Z_n = {0, …, n−1} under addition mod n."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from .._lazy import sympy as sp  # imported at first use: `import groupfourier` stays fast
from numpy.typing import ArrayLike, NDArray

from .. import _fft_abelian
from ..cyclotomic import exact_rotation, numeric_roots, root_of_unity, rotation_matrices
from ._base import ConjugacyClass, Irrep, OneParameterFamily

__all__ = ["CyclicGroup"]


@dataclass(frozen=True, repr=False)
class CyclicGroup(OneParameterFamily):
    """The cyclic group Z_n of order n.

    Elements are the integers ``0..n-1`` in that order; the product is addition
    mod n and the identity is 0.  Each element is its own conjugacy class,
    labelled by the element.

    Examples
    --------
    >>> Z = CyclicGroup(5)
    >>> Z.multiply(3, 4), Z.inverse(2), Z.order
    (2, 3, 5)
    """

    FAMILY = "CyclicGroup"
    LETTER = "Z"
    SYMPY_GROUP = "CyclicGroup"
    N_MEANING = "the order"
    IRREP_FORMS = ("complex", "real")
    FFT_FORM = "complex"

    @property
    def order(self) -> int:
        return self.n

    @property
    def is_abelian(self) -> bool:
        return True

    def _element(self, i: int) -> int:
        return int(i)

    def _index(self, g: Any) -> int | None:
        if isinstance(g, (bool, np.bool_)) or not isinstance(g, (int, np.integer)):
            return None
        return int(g) if 0 <= g < self.n else None

    def _element_hint(self) -> str:
        return f"an integer in 0..{self.n - 1}"

    def mul_idx(self, a: ArrayLike, b: ArrayLike) -> NDArray[np.intp]:
        return (self._check_idx(a, "mul_idx") + self._check_idx(b, "mul_idx")) % self.n

    def inv_idx(self, a: ArrayLike) -> NDArray[np.intp]:
        return (-self._check_idx(a, "inv_idx")) % self.n

    @property
    def class_count(self) -> int:
        return self.n

    @cached_property
    def conjugacy_classes(self) -> tuple[ConjugacyClass, ...]:
        self._check_listable("conjugacy_classes", self.n)
        return tuple(ConjugacyClass(label=k, size=1, representative=k) for k in range(self.n))

    @cached_property
    def class_of(self) -> NDArray[np.intp]:
        self._check_listable("class_of", self.n)
        c = np.arange(self.n, dtype=np.intp)
        c.setflags(write=False)
        return c

    # ------------------------------------------------------ sympy interop
    def _permutation_of(self, g: Any) -> tuple[int, ...]:
        return tuple((v + g) % self.n for v in range(self.n))  # k: v ↦ v + k

    # ------------------------------------------------------ representations
    # complex: ρ_k(g) = e^{2πi k g/n}, k in 0..n−1; real: k in 0..⌊n/2⌋, the rotation
    # R(2π k g/n) (2×2) unless 2k ≡ 0 mod n (then 1×1, cos π g).
    def _irrep_specs(self, form: str) -> tuple[tuple[int, int], ...]:
        n = self.n
        if form == "complex":
            return tuple((k, 1) for k in range(n))
        return tuple((k, 1 if 2 * k % n == 0 else 2) for k in range(n // 2 + 1))

    def _irrep_matrices(self, rho: Irrep) -> NDArray:
        g = np.arange(self.n)
        if rho.dim == 1:
            vals = numeric_roots(self.n, rho.label, g)
            return (vals if rho.form == "complex" else vals.real)[:, None, None]
        return rotation_matrices(2 * np.pi * ((rho.label * g) % self.n) / self.n)

    def _exact_irrep_matrix(self, rho: Irrep, i: int) -> sp.Matrix:
        if rho.dim == 2:
            return exact_rotation(self.n, rho.label * i)
        if rho.form == "complex":
            return sp.Matrix([[root_of_unity(self.n, rho.label * i)]])
        return sp.Matrix([[(-1) ** ((2 * rho.label * i) // self.n)]])  # k = 0 or n/2

    def _character_values(self) -> tuple[tuple, sp.ImmutableMatrix]:
        n = self.n
        return tuple(range(n)), sp.ImmutableMatrix(n, n, lambda k, m: root_of_unity(n, k * m))

    def _numeric_character_values(self) -> NDArray:
        k = np.arange(self.n)
        return np.exp(2j * np.pi * (np.outer(k, k) % self.n) / self.n)

    def _permutation_character(self) -> tuple[int, ...]:
        # Z_n acts on itself by translation: the regular character.
        return tuple(self.n if c.representative == 0 else 0 for c in self.conjugacy_classes)

    @property
    def exact_root_order(self) -> int:
        return self.n

    # ------------------------------------------------------ fast transforms
    def _fft_forward(self, f: Any, labels: list) -> dict:
        return _fft_abelian.cyclic_forward(self.n, f, labels)

    def _fft_inverse(self, F: dict, labels: list) -> Any:
        return _fft_abelian.cyclic_inverse(self.n, F)

    def _fft_convolve(self, f: Any, h: Any) -> Any:
        return _fft_abelian.convolve(self.n, f, h, False)

    def _fft_plancherel(self, f: Any, h: Any, inner: bool) -> Any:
        return _fft_abelian.plancherel(self.n, f, h, False, inner)
