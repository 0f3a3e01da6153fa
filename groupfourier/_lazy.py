"""Deferred imports: ``import groupfourier`` does not load sympy until it is first used.

sympy takes about 0.3 s to import, most of ``import groupfourier``; the numeric paths
(numpy transforms, dynamics predictions) never need it.  Modules write
``from ._lazy import sympy as sp``; ``sp`` behaves as the module (type checkers see
the real one): its first attribute access imports it, and each attribute is
then cached on the proxy, so later look-ups cost what a module attribute costs.

Examples
--------
>>> sp = lazy_module("sympy")
>>> sp.Rational(1, 2) + sp.Rational(1, 3)
5/6
>>> sp.sqrt(8) == 2 * sp.sqrt(2)
True
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING, Any

__all__ = ["lazy_module", "sympy"]


class _LazyModule:
    """A stand-in for a module that imports it on first attribute access."""

    def __init__(self, name: str) -> None:
        self.__name = name

    def __getattr__(self, attr: str) -> Any:   # only called for attributes not yet cached
        module: ModuleType = importlib.import_module(self.__name)
        value = getattr(module, attr)
        setattr(self, attr, value)
        return value

    def __repr__(self) -> str:
        return f"<lazy module {self.__name!r}>"


def lazy_module(name: str) -> Any:
    """A proxy for module ``name`` that imports it at the first attribute access."""
    return _LazyModule(name)


if TYPE_CHECKING:
    import sympy
else:
    sympy = lazy_module("sympy")
