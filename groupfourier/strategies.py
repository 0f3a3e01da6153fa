r"""hypothesis strategies for groups, their elements and functions on them.

This module is public API: the tests of every package draw their groups and
functions from here, so that a property is checked over all three families.

* :func:`groups` -- Z_n, D_n (n vertices, order 2n) and S_n up to an order bound (A_n and
  direct products on request: ``families=("A",)``, ``"P"``);
* :func:`elements` -- an element of a given group (as in ``G.elements``);
* :func:`functions_on` -- an array whose last axis follows ``G.elements``,
  float, complex or exact (sympy rationals in an object array);
* :func:`groups_and_functions` -- a pair ``(G, f)``.

Bounds are keyword-only and validated when the strategy is built: a bad bound
raises :class:`StrategyArgumentError` (both hypothesis's ``InvalidArgument`` and
a ``ValueError``) naming it.  The default
``max_order=24`` keeps every draw cheap (S_4, D_12, Z_24 at most).

Examples
--------
>>> from hypothesis import given, settings
>>> @settings(max_examples=10)
... @given(groups(max_order=8))
... def test_identity_first(G):
...     assert G.elements[0] == G.identity
>>> test_identity_first()
"""

from __future__ import annotations

from math import factorial
from typing import Any, Iterable, cast

import numpy as np
import sympy as sp

try:
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument
    from hypothesis.extra.numpy import array_shapes, arrays
except ImportError as _err:   # hypothesis comes with the `strategies` (or `test`) extra
    raise ImportError("groupfourier.strategies needs hypothesis: pip install "
                      "'implicit-curriculum[strategies]' (or the 'test' extra).") from _err

from .groups import (AlternatingGroup, CyclicGroup, DihedralGroup, DirectProduct, FiniteGroup,
                     SymmetricGroup)

__all__ = ["groups", "elements", "functions_on", "groups_and_functions", "FAMILIES",
           "ALL_FAMILIES", "StrategyArgumentError"]

#: The default families: cyclic, dihedral, symmetric.
FAMILIES = ("Z", "D", "S")
#: Every family letter accepted by ``families=``; "A" is the alternating groups A_n,
#: n >= 3 (A_1, A_2 are trivial), "P" direct products of two non-trivial groups of the
#: default families (both opt-in).
ALL_FAMILIES = FAMILIES + ("A", "P")

_DTYPES = ("float64", "complex128")


class StrategyArgumentError(InvalidArgument, ValueError):
    """A bad bound or argument to a strategy: both hypothesis's ``InvalidArgument``
    and a ``ValueError``, so either ``except`` clause catches it."""


def _check_families(families: Any) -> tuple[str, ...]:
    if isinstance(families, str):
        families = (families,)
    try:
        fams = tuple(families)
    except TypeError:
        fams = None
    if not fams or any(f not in ALL_FAMILIES for f in fams):
        raise StrategyArgumentError(f"groups: families must be a non-empty subset of {ALL_FAMILIES}; "
                              f"got families={families!r}.")
    return tuple(dict.fromkeys(fams))


def _check_bound(who: str, name: str, value: Any, minimum: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise StrategyArgumentError(f"{who}: {name} must be an integer >= {minimum}; got {name}={value!r}.")
    return int(value)


def _members(families: tuple[str, ...], max_order: int) -> list[FiniteGroup]:
    """Every group of the chosen families with order <= max_order, small first."""
    out: list[FiniteGroup] = []
    if "Z" in families:
        out += [CyclicGroup(n) for n in range(1, max_order + 1)]
    if "D" in families:
        out += [DihedralGroup(n) for n in range(1, max_order // 2 + 1)]
    if "S" in families:
        n = 1
        while factorial(n) <= max_order:
            out.append(SymmetricGroup(n))
            n += 1
    if "A" in families:
        n = 3
        while factorial(n) // 2 <= max_order:
            out.append(AlternatingGroup(n))
            n += 1
    if "P" in families:
        # Factors Z_n (n >= 2), D_n and S_n (n >= 3: D_1, D_2, S_2 are Z_2, Z_2², Z_2 again),
        # each unordered pair once.
        simple = [G for G in _members(FAMILIES, max_order // 2)
                  if G.order >= 2 and (isinstance(G, CyclicGroup) or cast(Any, G).n >= 3)]
        out += [DirectProduct(A, B) for i, A in enumerate(simple) for B in simple[i:]
                if A.order * B.order <= max_order]
    return sorted(out, key=lambda G: (G.order, ALL_FAMILIES.index(_family(G))))


def _family(G: FiniteGroup) -> str:
    return "P" if isinstance(G, DirectProduct) else G.name[0]


def groups(*, families: Iterable[str] = FAMILIES, max_order: int = 24,
           min_order: int = 1) -> st.SearchStrategy[FiniteGroup]:
    """Strategy for groups of the given families with ``min_order <= |G| <= max_order``.

    Parameters
    ----------
    families : iterable of {"Z", "D", "S", "A", "P"}
        Cyclic, dihedral (n vertices, order 2n) and symmetric groups; "A" (not in the
        default) the alternating groups A_n, n >= 3; "P" (not in the default) direct
        products A × B of two non-trivial groups of the default families.
    max_order, min_order : int
        Inclusive bounds on |G|.  Shrinking goes towards small groups.

    Examples
    --------
    >>> from hypothesis import find
    >>> find(groups(families=("S", "D"), max_order=6), lambda G: not G.is_abelian)
    DihedralGroup(3)
    """
    fams = _check_families(families)
    max_order = _check_bound("groups", "max_order", max_order, 1)
    min_order = _check_bound("groups", "min_order", min_order, 1)
    if min_order > max_order:
        raise StrategyArgumentError(f"groups: need min_order <= max_order; got min_order={min_order}, "
                              f"max_order={max_order}.")
    members = [G for G in _members(fams, max_order) if G.order >= min_order]
    if not members:
        raise StrategyArgumentError(f"groups: no group of families={fams} has order in "
                              f"{min_order}..{max_order}; raise max_order.")
    return st.sampled_from(members)


def elements(G: FiniteGroup) -> st.SearchStrategy[Any]:
    """Strategy for an element of ``G`` (a member of ``G.elements``); shrinks to the identity.

    Examples
    --------
    >>> from hypothesis import find
    >>> find(elements(DihedralGroup(3)), lambda g: g[1] == 1)    # the smallest reflection
    (0, 1)
    """
    if not isinstance(G, FiniteGroup):
        raise StrategyArgumentError(f"elements: G must be a FiniteGroup such as CyclicGroup(4); got G={G!r}.")
    return st.integers(0, G.order - 1).map(G._element)


def _exact_values() -> st.SearchStrategy[sp.Rational]:
    return st.builds(sp.Rational, st.integers(-9, 9), st.integers(1, 4))


def functions_on(G: FiniteGroup, *, exact: bool = False, dtype: str = "float64",
                 batch_shape: tuple[int, ...] | None = None, max_batch_dims: int = 0,
                 max_side: int = 3, bound: float = 1.0) -> st.SearchStrategy[np.ndarray]:
    r"""Strategy for functions on ``G``: arrays of shape ``batch_shape + (|G|,)``.

    Parameters
    ----------
    G : FiniteGroup
    exact : bool
        If true, entries are small sympy rationals p/q (|p| <= 9, 1 <= q <= 4) in an
        ``object`` array; ``dtype`` and ``bound`` are then ignored.
    dtype : {"float64", "complex128"}
        Numeric entries have real (and imaginary) parts in [-bound, bound], finite.
    batch_shape : tuple of int, optional
        Fixed leading batch shape.  If omitted, one is drawn with at most
        ``max_batch_dims`` axes of length 1..``max_side`` (``()`` by default).
    max_batch_dims, max_side : int
        Bounds for a drawn batch shape.
    bound : float
        Bound on the magnitude of the real and imaginary parts (numeric only).

    Examples
    --------
    >>> from hypothesis import find
    >>> f = find(functions_on(CyclicGroup(5), batch_shape=(2,)), lambda f: f.sum() > 1)
    >>> f.shape, f.dtype
    ((2, 5), dtype('float64'))
    >>> find(functions_on(CyclicGroup(3), exact=True), lambda f: True)   # shrinks to zero
    array([0, 0, 0], dtype=object)
    """
    if not isinstance(G, FiniteGroup):
        raise StrategyArgumentError(f"functions_on: G must be a FiniteGroup such as CyclicGroup(4); got G={G!r}.")
    if dtype not in _DTYPES:
        raise StrategyArgumentError(f"functions_on: dtype must be one of {_DTYPES}; got dtype={dtype!r}.")
    max_batch_dims = _check_bound("functions_on", "max_batch_dims", max_batch_dims, 0)
    max_side = _check_bound("functions_on", "max_side", max_side, 1)
    if not (isinstance(bound, (int, float)) and 0 < bound < float("inf")):
        raise StrategyArgumentError(f"functions_on: bound must be a positive finite number; got bound={bound!r}.")
    if batch_shape is not None:
        ok = isinstance(batch_shape, tuple) and all(
            isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s >= 0 for s in batch_shape)
        if not ok:
            raise StrategyArgumentError(f"functions_on: batch_shape must be a tuple of integers >= 0; "
                                  f"got batch_shape={batch_shape!r}.")
        shapes = st.just(tuple(int(s) for s in batch_shape))
    else:
        shapes = array_shapes(min_dims=0, max_dims=max_batch_dims, min_side=1, max_side=max_side)

    if exact:
        def exact_array(shape: tuple[int, ...]) -> st.SearchStrategy[np.ndarray]:
            size = int(np.prod(shape + (G.order,)))
            def to_array(vals: list) -> np.ndarray:
                out = np.empty(size, dtype=object)
                out[:] = vals
                return out.reshape(shape + (G.order,))
            return st.lists(_exact_values(), min_size=size, max_size=size).map(to_array)
        return shapes.flatmap(exact_array)

    floats = st.floats(-bound, bound, allow_nan=False, allow_infinity=False, width=64)
    elems = floats if dtype == "float64" else st.builds(complex, floats, floats)
    return shapes.flatmap(lambda shape: arrays(np.dtype(dtype), shape + (G.order,), elements=elems))


@st.composite
def _pairs(draw, fams, max_order, max_batch_dims, exact, dtype):
    G = draw(groups(families=fams, max_order=max_order))
    f = draw(functions_on(G, exact=exact, dtype=dtype, max_batch_dims=max_batch_dims))
    return G, f


def groups_and_functions(*, families: Iterable[str] = FAMILIES, max_order: int = 24,
                         max_batch_dims: int = 2, exact: bool = False,
                         dtype: str = "float64") -> st.SearchStrategy[tuple[FiniteGroup, np.ndarray]]:
    """Strategy for pairs ``(G, f)``: a group and a (batched) function on it.

    ``f`` has shape ``batch + (|G|,)`` with at most ``max_batch_dims`` batch axes
    of length <= 3.  Other arguments as in :func:`groups` and :func:`functions_on`.

    Examples
    --------
    >>> from hypothesis import find
    >>> G, f = find(groups_and_functions(max_order=6, max_batch_dims=0), lambda Gf: Gf[0].order > 4)
    >>> G, f.shape
    (CyclicGroup(5), (5,))
    """
    fams = _check_families(families)
    max_order = _check_bound("groups_and_functions", "max_order", max_order, 1)
    max_batch_dims = _check_bound("groups_and_functions", "max_batch_dims", max_batch_dims, 0)
    if dtype not in _DTYPES:
        raise StrategyArgumentError(f"groups_and_functions: dtype must be one of {_DTYPES}; got dtype={dtype!r}.")
    return _pairs(fams, max_order, max_batch_dims, bool(exact), dtype)
