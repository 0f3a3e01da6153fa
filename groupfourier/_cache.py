"""A least-recently-used cache of arrays bounded by their total size in bytes."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Hashable

from numpy.typing import NDArray

import numpy as np  # noqa: F401  (used by the doctest)

__all__ = ["ArrayCache"]


class ArrayCache:
    """A least-recently-used cache of arrays bounded by their total size in bytes.

    Whole representation arrays are |G|·d² numbers: one irrep of S_8 can hold hundreds
    of MB, so a cache bounded by a count of entries is not bounded.  An array larger
    than the budget is returned without being stored.

    >>> cache = ArrayCache(max_bytes=100)
    >>> a = cache.get("a", lambda: np.zeros(10))   # 80 bytes: kept
    >>> b = cache.get("b", lambda: np.zeros(10))   # evicts "a"
    >>> cache.nbytes, len(cache)
    (80, 1)
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = int(max_bytes)
        self._items: "OrderedDict[Hashable, NDArray]" = OrderedDict()
        self.nbytes = 0

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Hashable, build: Any) -> NDArray:
        """The cached array for ``key``, built by ``build()`` on a miss."""
        hit = self._items.get(key)
        if hit is not None:
            self._items.move_to_end(key)
            return hit
        value = build()
        if value.nbytes <= self.max_bytes:
            self._items[key] = value
            self.nbytes += value.nbytes
            while self.nbytes > self.max_bytes:
                _, old = self._items.popitem(last=False)
                self.nbytes -= old.nbytes
        return value

    def clear(self) -> None:
        self._items.clear()
        self.nbytes = 0
