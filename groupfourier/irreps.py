r"""Irreducible representations of every family, exact (sympy) and numeric (numpy).

Each family implements its irreps as hooks of its class (``_irrep_specs``,
``_irrep_matrices``, ``_exact_irrep_matrix``, see :class:`~groupfourier.groups.FiniteGroup`);
this module looks them up.  The families' conventions:

Labels and forms
----------------
Z_n, ``form="complex"`` (default)
    label ``k`` in 0..n−1, :math:`\rho_k(g) = e^{2\pi i k g/n}` (1×1).
Z_n, ``form="real"``
    the irreps over the reals: label ``k`` in 0..⌊n/2⌋; ``k = 0`` and ``k = n/2``
    are 1×1 (:math:`\cos \pi g`), the others are the rotation blocks
    :math:`R(2\pi k g/n)`, each equivalent over ℂ to :math:`\rho_k \oplus \rho_{-k}`.
D_n, ``form="complex"`` (default)
    Mulliken labels.  ``"A1"`` trivial; ``"A2"`` r ↦ 1, s ↦ −1; for even n also
    ``"B1"`` r ↦ −1, s ↦ 1 and ``"B2"`` r ↦ −1, s ↦ −1; and for
    1 ≤ j ≤ ⌊(n−1)/2⌋ the 2-dimensional ``"E<j>"`` with
    :math:`\rho(r) = \mathrm{diag}(\omega^j, \omega^{-j})`, :math:`\omega = e^{2\pi i/n}`,
    :math:`\rho(s) = \begin{pmatrix}0&1\\1&0\end{pmatrix}`.
D_n, ``form="real"``
    the same labels; ``"E<j>"`` becomes the rotation :math:`R(2\pi j/n)` for r and
    diag(1, −1) for s (real orthogonal, still irreducible over ℂ).
S_n, ``form="orthogonal"`` (default)
    Young's orthogonal form, labelled by partitions λ (``(n,)`` trivial,
    ``(1,)*n`` sign).  ``form="seminormal"`` gives Young's seminormal form
    (rational, not orthogonal).  The basis is the standard Young tableaux of
    shape λ, ordered lexicographically by the row of n−1, then of n−2, …; so the
    restriction to S_{n−1} (fixing n−1) is block diagonal, one block per
    removable corner from top to bottom, each block in the same form for
    S_{n−1} (adapted to the chain S_1 ⊂ … ⊂ S_n).  For the transposition
    s_i = (i, i+1) and a tableau T,

    .. math:: \rho(s_i) e_T = \tfrac{1}{r} e_T + \sqrt{1 - 1/r^2}\, e_{s_i T},
              \qquad r = c_T(i+1) - c_T(i),

    with contents c = column − row (the second term absent when s_i T is not
    standard, and then 1/r = ±1).

A_n, ``form="unitary"`` (the only one)
    restrictions of S_n's orthogonal form: λ (the first of λ, λ' in ``partitions(n)``)
    for λ ≠ λ', and ``(λ, "+")``, ``(λ, "-")`` of dimension d_λ/2 for λ = λ' (see
    :mod:`groupfourier.groups.alternating`); real orthogonal except the split irreps
    whose character is not real, which are complex unitary.

Direct products, ``form="product"`` (the only one)
    ρ_1 ⊗ … ⊗ ρ_k of the factors' irreps in their default forms, labelled by the
    tuple of the factors' labels, in lexicographic order of the factors' irrep
    lists (so the trivial one comes first); the matrix of (g_1, …, g_k) is the
    Kronecker product ρ_1(g_1) ⊗ … ⊗ ρ_k(g_k).

Exact matrices are sympy ``Matrix`` objects: roots of unity as
``exp(2*pi*I*k/n)`` (products reduce exactly), square roots of integers for
Young's orthogonal form, rationals for the seminormal form.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Hashable, Iterator, Literal

from ._young import standard_tableaux, young_generator_matrices
from .groups import FiniteGroup, families
from .groups._base import Irrep

__all__ = ["Irrep", "irreps_of", "irrep_of", "standard_tableaux", "young_generator_matrices",
           "FORMS"]

Form = Literal["complex", "real", "orthogonal", "seminormal"]


class _Forms(Mapping):
    """``FORMS[family]``: the forms a family offers, the first the default.

    Looked up on the class (``family.IRREP_FORMS``), so a subclass of a family has its
    parent's forms; iteration lists the registered families.
    """

    def __getitem__(self, cls: type) -> tuple[str, ...]:
        forms = getattr(cls, "IRREP_FORMS", ())
        if not (isinstance(cls, type) and issubclass(cls, FiniteGroup)) or not forms:
            raise KeyError(cls)
        return forms

    def __iter__(self) -> Iterator[type]:
        return iter(dict.fromkeys(families().values()))

    def __len__(self) -> int:
        return sum(1 for _ in self)


#: The forms each family offers; the first is the default.
FORMS: Mapping[type, tuple[str, ...]] = _Forms()


def irreps_of(G: FiniteGroup, form: str | None = None) -> tuple[Irrep, ...]:
    """Every irrep of ``G`` in the given form, trivial first (cached per group).

    Examples
    --------
    >>> from groupfourier import DihedralGroup, SymmetricGroup
    >>> [(r.label, r.dim) for r in irreps_of(DihedralGroup(4))]
    [('A1', 1), ('A2', 1), ('B1', 1), ('B2', 1), ('E1', 2)]
    >>> [r.label for r in irreps_of(SymmetricGroup(3))]
    [(3,), (2, 1), (1, 1, 1)]
    """
    return G.irreps(form)


def irrep_of(G: FiniteGroup, label: Hashable, form: str | None = None) -> Irrep:
    """The irrep of ``G`` with this label; ``ValueError`` listing valid labels otherwise."""
    return G.irrep(label, form)
