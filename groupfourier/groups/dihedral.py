"""The dihedral group D_n of symmetries of a regular n-gon, of order 2n.

Convention (see ``conventions.md``): ``n`` is the number of vertices, not the
order (GAP's ``DihedralGroup`` takes the order).  Elements are ``(k, e)``
meaning r^k s^e with k in 0..n−1 and e in {0, 1}; relations rⁿ = s² = 1 and
s r s = r⁻¹, so that

    r^a s^e · r^b s^f = r^(a + (−1)^e b) s^(e + f).

Element order: r^0, r^1, …, r^(n−1), then s, r s, …, r^(n−1) s; that is,
``index((k, e)) = e·n + k``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from .._lazy import sympy as sp  # imported at first use: `import groupfourier` stays fast
from numpy.typing import ArrayLike, NDArray

from .. import _fft_abelian
from ..cyclotomic import exact_rotation, numeric_roots, root_of_unity, rotation_matrices, two_cos
from .._table import indexed_matrix
from ._base import ConjugacyClass, Irrep, OneParameterFamily

__all__ = ["DihedralGroup"]


@dataclass(frozen=True, repr=False)
class DihedralGroup(OneParameterFamily):
    """The dihedral group D_n with n vertices (order 2n), n >= 1.

    Conjugacy class labels: ``("r", k)`` for {r^k, r^-k} with 0 <= k <= n/2;
    for odd n one reflection class ``("s",)``; for even n two, ``("s", 0)``
    (r^even s) and ``("s", 1)`` (r^odd s).

    Examples
    --------
    >>> D = DihedralGroup(4)
    >>> D.order, D.multiply((0, 1), (1, 0))     # s · r = r^-1 s
    (8, (3, 1))
    """

    FAMILY = "DihedralGroup"
    LETTER = "D"
    SYMPY_GROUP = "DihedralGroup"
    N_MEANING = "the number of vertices (order 2n)"
    IRREP_FORMS = ("complex", "real")
    FFT_FORM = "complex"

    @property
    def order(self) -> int:
        return 2 * self.n

    @property
    def is_abelian(self) -> bool:
        return self.n <= 2

    def _element(self, i: int) -> tuple[int, int]:
        e, k = divmod(int(i), self.n)
        return (k, e)

    def _index(self, g: Any) -> int | None:
        if not (isinstance(g, tuple) and len(g) == 2):
            return None
        k, e = g
        ok = all(isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_)) for x in g)
        if not ok or not (0 <= k < self.n and e in (0, 1)):
            return None
        return int(e) * self.n + int(k)

    def _element_hint(self) -> str:
        return f"a pair (k, e) meaning r^k s^e with k in 0..{self.n - 1} and e in {{0, 1}}"

    def mul_idx(self, a: ArrayLike, b: ArrayLike) -> NDArray[np.intp]:
        ea, ka = np.divmod(self._check_idx(a, "mul_idx"), self.n)
        eb, kb = np.divmod(self._check_idx(b, "mul_idx"), self.n)
        k = (ka + (1 - 2 * ea) * kb) % self.n
        return ((ea + eb) % 2) * self.n + k

    def inv_idx(self, a: ArrayLike) -> NDArray[np.intp]:
        a = self._check_idx(a, "inv_idx")
        e, k = np.divmod(a, self.n)
        # (r^k)^-1 = r^-k; reflections r^k s are involutions.
        return np.where(e == 0, (-k) % self.n, a)

    @property
    def class_count(self) -> int:
        return self.n // 2 + 1 + (2 if self.n % 2 == 0 else 1)

    @cached_property
    def _classes(self) -> tuple[tuple[ConjugacyClass, ...], NDArray[np.intp]]:
        self._check_listable("conjugacy_classes", self.class_count)
        n = self.n
        classes: list[ConjugacyClass] = []
        class_of = np.empty(2 * n, dtype=np.intp)
        for k in range(n // 2 + 1):
            members = {k % n, (-k) % n}
            classes.append(ConjugacyClass(label=("r", k), size=len(members), representative=(k, 0)))
            class_of[list(members)] = len(classes) - 1
        ks = np.arange(n)
        if n % 2:
            classes.append(ConjugacyClass(label=("s",), size=n, representative=(0, 1)))
            class_of[n + ks] = len(classes) - 1
        else:
            for parity in (0, 1):
                classes.append(ConjugacyClass(label=("s", parity), size=n // 2,
                                              representative=(parity, 1)))
                class_of[n + ks[ks % 2 == parity]] = len(classes) - 1
        class_of.setflags(write=False)
        return tuple(classes), class_of

    @property
    def conjugacy_classes(self) -> tuple[ConjugacyClass, ...]:
        return self._classes[0]

    @property
    def class_of(self) -> NDArray[np.intp]:
        return self._classes[1]

    # ------------------------------------------------------ sympy interop
    def _permutation_of(self, g: Any) -> tuple[int, ...]:
        k, e = g  # r^k s^e: vertex v ↦ k + (−1)^e v
        return tuple((k + (-1) ** e * v) % self.n for v in range(self.n))

    # ------------------------------------------------------ representations
    # Mulliken labels: A1 trivial, A2 (s ↦ −1), for even n B1 (r ↦ −1), B2 (r, s ↦ −1);
    # E<j>, 1 <= j <= ⌊(n−1)/2⌋: complex r ↦ diag(ω^j, ω^−j), s ↦ swap; real r ↦ R(2πj/n),
    # s ↦ diag(1, −1).
    def _irrep_specs(self, form: str) -> tuple[tuple[str, int], ...]:
        labels = ["A1", "A2"] + (["B1", "B2"] if self.n % 2 == 0 else [])
        return tuple((lab, 1) for lab in labels) + tuple(
            (f"E{j}", 2) for j in range(1, (self.n - 1) // 2 + 1))

    @staticmethod
    def _signs(label: str) -> tuple[int, int]:
        """(value at r, value at s) of a one-dimensional irrep."""
        return (-1 if label[0] == "B" else 1), (-1 if label[1] == "2" else 1)

    def _irrep_matrices(self, rho: Irrep) -> NDArray:
        n = self.n
        e, k = np.divmod(np.arange(2 * n), n)
        if rho.dim == 1:
            r_sign, s_sign = self._signs(rho.label)
            vals = (float(r_sign) ** k * float(s_sign) ** e)
            return (vals.astype(complex) if rho.form == "complex" else vals)[:, None, None]
        j = int(rho.label[1:])
        if rho.form == "complex":
            rot = np.zeros((n, 2, 2), complex)
            rot[:, 0, 0] = numeric_roots(n, j, k[:n])
            rot[:, 1, 1] = numeric_roots(n, -j, k[:n])
            s = np.array([[0, 1], [1, 0]], complex)
        else:
            rot = rotation_matrices(2 * np.pi * ((j * k[:n]) % n) / n)
            s = np.diag([1.0, -1.0])
        return np.concatenate([rot, rot @ s], axis=0)  # r^k, then r^k s

    def _exact_irrep_matrix(self, rho: Irrep, i: int) -> sp.Matrix:
        e, k = divmod(i, self.n)
        if rho.dim == 1:
            r_sign, s_sign = self._signs(rho.label)
            return sp.Matrix([[sp.Integer(r_sign) ** k * sp.Integer(s_sign) ** e]])
        j = int(rho.label[1:])
        if rho.form == "complex":
            rot = sp.diag(root_of_unity(self.n, j * k), root_of_unity(self.n, -j * k))
            s = sp.Matrix([[0, 1], [1, 0]])
        else:
            rot, s = exact_rotation(self.n, j * k), sp.diag(1, -1)
        return rot * s if e else rot

    def _table_index(self) -> tuple[tuple[str, ...], NDArray[np.intp]]:
        """Row labels and the table as indices into :meth:`_table_values`' value list.

        Closed forms, vectorised: E<j> on ("r", k) is 2cos(2π jk/n), value index
        min(jk mod n, n − jk mod n) (n/2 + 1 distinct values), 0 on reflections; a
        one-dimensional irrep with signs (ε_r, ε_s) is ε_r^k on ("r", k) and ε_r^p ε_s on
        the reflection class of r^p s.
        """
        n, h = self.n, (self.n - 1) // 2
        labels = tuple(label for label, _ in self._irrep_specs("complex"))
        rot = np.arange(n // 2 + 1)
        parity = np.array([0, 1] if n % 2 == 0 else [0])  # class ("s", p) holds r^p s
        one, minus, zero = n // 2 + 1, n // 2 + 2, n // 2 + 3
        index = np.empty((len(labels), len(rot) + len(parity)), dtype=np.intp)
        for i, label in enumerate(labels[:len(labels) - h]):
            r_sign, s_sign = self._signs(label)
            on_r = r_sign ** rot
            on_s = r_sign ** parity * s_sign
            index[i] = np.where(np.concatenate([on_r, on_s]) == 1, one, minus)
        if h:
            m = np.outer(np.arange(1, h + 1), rot) % n
            index[len(labels) - h:, :len(rot)] = np.minimum(m, n - m)
            index[len(labels) - h:, len(rot):] = zero
        return labels, index

    def _table_values(self, exact: bool) -> list:
        """2cos(2πk/n) for k = 0..n/2, then 1, −1, 0: exact (sympy) or float."""
        n = self.n
        if exact:
            return [two_cos(n, k) for k in range(n // 2 + 1)] + [sp.Integer(v) for v in (1, -1, 0)]
        k = np.arange(n // 2 + 1)
        values = 2 * np.cos(2 * np.pi * k / n)
        den = n // np.gcd(k, n)  # the rational values 2, −2, −1, 0, 1 (k/n = 0, 1/2, 1/3, 1/4,
        for b, v in ((1, 2.0), (2, -2.0), (3, -1.0), (4, 0.0), (6, 1.0)):  # 1/6) exactly
            values[den == b] = v
        return values.tolist() + [1.0, -1.0, 0.0]

    def _character_values(self) -> tuple[tuple, sp.ImmutableMatrix]:
        labels, index = self._table_index()
        return labels, indexed_matrix(self._table_values(exact=True), index)

    def _numeric_character_values(self) -> NDArray:
        _, index = self._table_index()
        return np.array(self._table_values(exact=False))[index]

    def class_label_str(self, label: tuple) -> str:
        if label[0] == "r":
            return "1" if label[1] == 0 else ("r" if label[1] == 1 else f"r^{label[1]}")
        return "s" if len(label) == 1 or label[1] == 0 else "rs"

    def _permutation_character(self) -> tuple[int, ...]:
        # r^k s sends vertex v to k − v mod n; r^k sends v to v + k.
        n = self.n
        return tuple(sum(1 for v in range(n) if ((k - v) % n if e else (k + v) % n) == v)
                     for k, e in (c.representative for c in self.conjugacy_classes))

    @property
    def exact_root_order(self) -> int:
        return self.n

    # ------------------------------------------------------ fast transforms
    def _fft_forward(self, f: Any, labels: list) -> dict:
        return _fft_abelian.dihedral_forward(self.n, f, labels)

    def _fft_inverse(self, F: dict, labels: list) -> Any:
        return _fft_abelian.dihedral_inverse(self.n, F)

    def _fft_convolve(self, f: Any, h: Any) -> Any:
        return _fft_abelian.convolve(self.n, f, h, True)

    def _fft_plancherel(self, f: Any, h: Any, inner: bool) -> Any:
        return _fft_abelian.plancherel(self.n, f, h, True, inner)
