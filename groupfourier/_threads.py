"""One BLAS thread for the library's own matrix products.

The transforms run many small and medium matrix products.  With BLAS's default of one
thread per core they oversubscribe a machine that has other work: on a 2-core sandbox
at load ~10, S_9's forward transform took 0.40 s with OpenBLAS's default threads and
55 ms with one (same run).  :func:`blas_single_thread` limits BLAS (through
threadpoolctl, a dependency) for the duration of a call and restores the user's
setting afterwards; entering it costs ~0.1 ms, so it is used only for work of at
least :data:`MIN_ELEMENTS` numbers.  Without threadpoolctl it does nothing.

Examples
--------
>>> with blas_single_thread(10**6):
...     pass
"""

from __future__ import annotations

from contextlib import nullcontext
from functools import lru_cache
from typing import Any, ContextManager

__all__ = ["blas_single_thread", "MIN_ELEMENTS"]

#: Below this many input numbers a call runs with the user's BLAS settings untouched.
MIN_ELEMENTS = 20_000


@lru_cache(maxsize=1)
def _controller() -> Any:
    try:
        import numpy  # noqa: F401  (the BLAS libraries must be loaded before they are found)
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - threadpoolctl is a dependency
        return None
    return ThreadpoolController()


def blas_single_thread(elements: int) -> ContextManager:
    """A context limiting BLAS to one thread if ``elements`` >= :data:`MIN_ELEMENTS`."""
    controller = _controller() if elements >= MIN_ELEMENTS else None
    if controller is None:
        return nullcontext()
    return controller.limit(limits=1, user_api="blas")
