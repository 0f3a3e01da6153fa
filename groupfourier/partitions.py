"""Integer partitions, the labels of S_n's classes and irreps.

A partition is a tuple of positive integers in non-increasing order, e.g.
``(3, 1, 1)``.  Cycle types of permutations are partitions; so are the labels
of S_n's irreducible representations.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from math import factorial, prod
from typing import Any

__all__ = ["partitions", "check_partition", "class_size", "centralizer_order", "conjugate",
           "hook_lengths", "hook_length_dimension"]


def partitions(n: int) -> tuple[tuple[int, ...], ...]:
    """All partitions of ``n`` in reverse lexicographic order: ``(n)`` first, ``(1,…,1)`` last.

    Examples
    --------
    >>> partitions(4)
    ((4,), (3, 1), (2, 2), (2, 1, 1), (1, 1, 1, 1))
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"partitions(n): n must be an integer >= 0; got n={n!r}.")
    return _partitions(n)


@lru_cache(maxsize=None)
def _partitions(n: int) -> tuple[tuple[int, ...], ...]:
    return _bounded(n, n)


@lru_cache(maxsize=None)
def _bounded(n: int, largest: int) -> tuple[tuple[int, ...], ...]:
    """Partitions of n with parts <= largest, reverse lexicographic (memoised on both)."""
    if n == 0:
        return ((),)
    return tuple((first,) + rest for first in range(min(n, largest), 0, -1)
                 for rest in _bounded(n - first, first))


def check_partition(who: str, lam: Any, n: int | None = None) -> tuple[int, ...]:
    """Return ``lam`` as a partition tuple, or raise ``ValueError`` saying why not.

    >>> check_partition("demo", [2, 1], 3)
    (2, 1)
    """
    try:
        t = tuple(lam)
    except TypeError:
        t = None
    ok = (t is not None and all(isinstance(x, int) and not isinstance(x, bool) and x > 0 for x in t)
          and all(a >= b for a, b in zip(t, t[1:])))
    if not ok or t is None:
        raise ValueError(f"{who}: expected a partition, a tuple of positive integers in "
                         f"non-increasing order such as (3, 1); got {lam!r}.")
    if n is not None and sum(t) != n:
        raise ValueError(f"{who}: expected a partition of n={n}; got {lam!r}, a partition of {sum(t)}.")
    return t


def centralizer_order(mu: tuple[int, ...]) -> int:
    r"""z_μ = ∏_ℓ ℓ^{m_ℓ} m_ℓ!, the order of the centraliser of a permutation of cycle type μ.

    >>> centralizer_order((2, 1, 1))     # 2 · 2!
    4
    """
    return prod(l ** m * factorial(m) for l, m in Counter(mu).items())


def class_size(mu: tuple[int, ...]) -> int:
    """n!/z_μ, the number of permutations of cycle type μ.

    Examples
    --------
    >>> class_size((2, 1, 1)), class_size((3, 1))
    (6, 8)
    """
    return factorial(sum(mu)) // centralizer_order(mu)


def conjugate(lam: tuple[int, ...]) -> tuple[int, ...]:
    """The transposed partition λ'.

    >>> conjugate((3, 1))
    (2, 1, 1)
    """
    return tuple(sum(1 for part in lam if part > j) for j in range(lam[0])) if lam else ()


def hook_lengths(lam: tuple[int, ...]) -> list[list[int]]:
    """Hook length of each box (i, j) of the Young diagram of λ.

    >>> hook_lengths((3, 1))
    [[4, 2, 1], [1]]
    """
    lt = conjugate(lam)
    return [[lam[i] - j + lt[j] - i - 1 for j in range(lam[i])] for i in range(len(lam))]


def hook_length_dimension(lam: tuple[int, ...]) -> int:
    """n!/∏ hooks: the dimension of the S_n irrep λ (hook length formula).

    >>> hook_length_dimension((2, 1))
    2
    """
    return factorial(sum(lam)) // prod(h for row in hook_lengths(lam) for h in row)
