"""The protocol of verify's result objects (scipy style): ``status``, ``message``,
``success`` and a short ``repr``, written once.

A result class is a frozen dataclass (``repr=False``) with ``status: int`` and
``message: str`` fields that inherits :class:`StatusResult`; ``_repr_fields`` names the
fields its ``repr`` shows after the message and status (paths as strings, sequences by
their length, floats with 4 significant digits).
"""

from __future__ import annotations

import os
from typing import Any

__all__ = ["StatusResult"]


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

    def __repr__(self) -> str:
        extra = "".join(f", {k}={_short(getattr(self, k))}" for k in self._repr_fields)
        return f"{type(self).__name__}(message={self.message!r}, status={self.status}{extra})"
