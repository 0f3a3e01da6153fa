"""Validators of verify's public inputs: one place for the messages.

Each ``check_*`` returns the value, converted (``int``/``float``), or raises a
``ValueError`` that names the caller, the argument and the value, and what was expected.
``bool`` is never a number here: ``batch=True`` is a bug, not 1.
"""

from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np

__all__ = ["check_int", "check_float", "check_choice", "MAX_SIZE"]

#: Upper bound of a size (batch, identifiers, prompts, widths): beyond it the tensors of
#: one update would not fit in memory anyway, and a clear error beats an allocation failure.
MAX_SIZE = 10**7


def check_int(who: str, name: str, value: Any, *, minimum: int = 0,
              maximum: int | None = None) -> int:
    """``value`` as an ``int`` in ``[minimum, maximum]``, or a ``ValueError`` naming it.

    Examples
    --------
    >>> check_int("RunConfig", "batch", 64, minimum=1)
    64
    >>> check_int("RunConfig", "batch", 2.5, minimum=1)
    Traceback (most recent call last):
    ...
    ValueError: RunConfig: batch must be an integer >= 1; got batch=2.5.
    >>> check_int("RunConfig", "batch", 10**9, minimum=1, maximum=10**7)
    Traceback (most recent call last):
    ...
    ValueError: RunConfig: batch must be an integer in [1, 10000000]; got batch=1000000000.
    """
    want = (f"an integer >= {minimum}" if maximum is None
            else f"an integer in [{minimum}, {maximum}]")
    if (isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer))
            or value < minimum or (maximum is not None and value > maximum)):
        raise ValueError(f"{who}: {name} must be {want}; got {name}={value!r}.")
    return int(value)


def check_float(who: str, name: str, value: Any, *, minimum: float | None = None,
                maximum: float | None = None, strict_min: bool = False,
                strict_max: bool = False) -> float:
    """``value`` as a finite ``float`` within the bounds, or a ``ValueError`` naming it.

    ``strict_min``/``strict_max`` exclude the bound itself.

    Examples
    --------
    >>> check_float("RunConfig", "lr", 3, minimum=0, strict_min=True)
    3.0
    >>> check_float("RunConfig", "entropy_coef", float("nan"), minimum=0)
    Traceback (most recent call last):
    ...
    ValueError: RunConfig: entropy_coef must be a finite number >= 0; got entropy_coef=nan.
    """
    parts = []
    if minimum is not None:
        parts.append(f"{'>' if strict_min else '>='} {minimum:g}")
    if maximum is not None:
        parts.append(f"{'<' if strict_max else '<='} {maximum:g}")
    want = "a finite number" + (" " + " and ".join(parts) if parts else "")
    ok = (not isinstance(value, (bool, np.bool_)) and isinstance(value, (int, float, np.integer,
                                                                          np.floating)))
    if ok:
        v = float(value)
        ok = math.isfinite(v)
        if ok and minimum is not None:
            ok = v > minimum if strict_min else v >= minimum
        if ok and maximum is not None:
            ok = v < maximum if strict_max else v <= maximum
    if not ok:
        raise ValueError(f"{who}: {name} must be {want}; got {name}={value!r}.")
    return float(value)


def check_choice(who: str, name: str, value: Any, choices: Iterable[Any]) -> Any:
    """``value`` if it is one of ``choices``, else a ``ValueError`` listing them.

    Examples
    --------
    >>> check_choice("RunConfig", "algo", "ppo", ("reinforce", "grpo"))
    Traceback (most recent call last):
    ...
    ValueError: RunConfig: algo must be one of ('reinforce', 'grpo'); got algo='ppo'.
    """
    choices = tuple(choices)
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{who}: {name} must be one of {choices}; got {name}={value!r}.")
    return value
