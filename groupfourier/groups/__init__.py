"""Finite groups with a fixed element order: Z_n, D_n (n vertices), S_n and A_n."""

from __future__ import annotations

import re
from typing import Callable, cast

from ._base import ConjugacyClass, FiniteGroup
from .alternating import AlternatingGroup
from .cyclic import CyclicGroup
from .dihedral import DihedralGroup
from .product import DirectProduct
from .symmetric import SymmetricGroup

__all__ = ["FiniteGroup", "ConjugacyClass", "CyclicGroup", "DihedralGroup", "SymmetricGroup",
           "AlternatingGroup", "DirectProduct", "group_from_name", "families"]

#: Family letter -> class, for ``group_from_name``: the registry a new family joins.
_FAMILIES: dict[str, type[FiniteGroup]] = {"Z": CyclicGroup, "C": CyclicGroup, "D": DihedralGroup,
                                           "S": SymmetricGroup, "A": AlternatingGroup}


def families() -> dict[str, type[FiniteGroup]]:
    """The registered families by name letter (a copy), e.g. ``families()["S"] is SymmetricGroup``."""
    return dict(_FAMILIES)


def group_from_name(name: str) -> FiniteGroup:
    """Parse a group name: ``Z<n>`` (or ``C<n>``), ``D<n>`` (n vertices, order 2n), ``S<n>`` or
    ``A<n>``, or a direct product of those joined by ``x``, e.g. ``Z2xS3``.

    Examples
    --------
    >>> group_from_name("D6"), group_from_name("Z12"), group_from_name("S4")
    (DihedralGroup(6), CyclicGroup(12), SymmetricGroup(4))
    >>> group_from_name("A5")
    AlternatingGroup(5)
    >>> group_from_name("Z2xS3")
    DirectProduct(CyclicGroup(2), SymmetricGroup(3))
    """
    if isinstance(name, str) and "x" in name:
        return DirectProduct(*[group_from_name(part) for part in name.split("x")])
    m = re.fullmatch(r"\s*([" + "".join(_FAMILIES) + r"])_?(\d+)\s*", name) if isinstance(name, str) else None
    if m is None:
        raise ValueError(f"group_from_name: expected 'Z<n>', 'D<n>' (n vertices, order 2n), "
                         f"'S<n>' or 'A<n>', e.g. 'Z96', 'D6', 'S5', or a product such as 'Z2xS3'; got {name!r}.")
    family = cast(Callable[[int], FiniteGroup], _FAMILIES[m.group(1)])  # families take n
    return family(int(m.group(2)))
