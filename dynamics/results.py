"""What every result object of the packages shares, written once: the scipy-style status
protocol (``status``, ``message``, ``success`` and a short ``repr``) and JSON-safe numbers.

A result class is a frozen dataclass (``repr=False``) with ``status: int`` and
``message: str`` fields that inherits :class:`StatusResult`.  Its ``repr`` is
``Name(message=..., status=..., <details>)``: the details are the fields named by
``_repr_fields`` (paths as strings, sequences by their length, floats with 4 significant
digits), or whatever the class's ``_repr_details`` returns.  ``to_dict`` methods write
their numbers through :func:`num`, so a JSON file never holds ``NaN`` or ``Infinity``.
"""

from __future__ import annotations

import math
import os
from typing import Any

__all__ = ["StatusResult", "num"]


def num(v: Any) -> float | None:
    """A JSON-safe number: ``float(v)``, or None for None, NaN and ±inf.

    The one place where non-finite numbers become JSON ``null`` (an ``inf`` time means
    "never", a ``nan`` "not computed"); numpy scalars become plain floats.

    Examples
    --------
    >>> import numpy as np
    >>> [num(x) for x in (1, np.float32(0.5), np.int64(3), float("nan"), -np.inf, None)]
    [1.0, 0.5, 3.0, None, None, None]
    """
    return None if v is None or not math.isfinite(v) else float(v)


def _short(value: Any) -> str:
    if isinstance(value, os.PathLike):
        return repr(str(value))
    if isinstance(value, float):
        return f"{value:.4g}"
    if hasattr(value, "__len__") and not isinstance(value, (str, bytes, dict)):
        return f"({len(value)},)"
    return repr(value)


class StatusResult:
    """``success`` (``status >= 0``) and ``repr`` of a frozen result dataclass.

    Examples
    --------
    >>> from dataclasses import dataclass
    >>> from pathlib import Path
    >>> @dataclass(frozen=True, repr=False)
    ... class Demo(StatusResult):
    ...     path: Path
    ...     status: int
    ...     message: str
    ...     _repr_fields = ("path",)
    >>> d = Demo(path=Path("out/x"), status=-1, message="failed")
    >>> d, d.success
    (Demo(message='failed', status=-1, path='out/x'), False)
    """

    _repr_fields: tuple[str, ...] = ()
    status: int           # fields of the dataclass that inherits this (annotations only)
    message: str

    @property
    def success(self) -> bool:
        """True unless ``status`` is negative (a failure)."""
        return self.status >= 0

    def _repr_details(self) -> str:
        """What the ``repr`` shows after the message and status (default: ``_repr_fields``)."""
        return ", ".join(f"{k}={_short(getattr(self, k))}" for k in self._repr_fields)

    def __repr__(self) -> str:
        details = self._repr_details()
        return (f"{type(self).__name__}(message={self.message!r}, status={self.status}"
                f"{', ' + details if details else ''})")
