"""The protocol of verify's result objects (scipy style): ``status``, ``message``,
``success`` and a short ``repr``, written once in :mod:`dynamics.results` (the theory's
results share it) and re-exported here.

A result class is a frozen dataclass (``repr=False``) with ``status: int`` and
``message: str`` fields that inherits :class:`StatusResult`; ``_repr_fields`` names the
fields its ``repr`` shows after the message and status (paths as strings, sequences by
their length, floats with 4 significant digits).
"""

from __future__ import annotations

from dynamics.results import StatusResult

__all__ = ["StatusResult"]
