"""Which array dtypes the transforms accept, and what they compute in.

The rule mirrors ``numpy.fft``: single precision stays single (float32 → complex64
results), double stays double, and everything exact-valued but not floating
(booleans, signed and unsigned integers of every width) is computed in float64.
Half precision (float16, bfloat16, complex32) is computed in single precision: numpy.fft
and torch.fft on the CPU do the same or refuse it.  numpy's long double is computed
in double (the irrep matrices are float64).  Anything else (strings, dates, bytes) is
refused with a ``ValueError`` naming the dtype.

Examples
--------
>>> import numpy as np
>>> numpy_compute_dtype(np.dtype("uint16")), numpy_compute_dtype(np.dtype("float32"))
(dtype('float64'), dtype('float32'))
>>> numpy_compute_dtype(np.dtype("<U3")) is None
True
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["numpy_compute_dtype", "as_numeric_numpy", "as_numeric_torch", "match_precision",
           "is_torch"]


def is_torch(x: Any) -> bool:
    """Whether ``x`` is a torch tensor (without importing torch)."""
    return type(x).__module__.startswith("torch") and hasattr(x, "device")


def numpy_compute_dtype(dtype: np.dtype) -> np.dtype | None:
    """The dtype a numpy input is computed in, or ``None`` if it is not numeric."""
    kind, size = dtype.kind, dtype.itemsize
    if kind in "biu":
        return np.dtype(np.float64)
    if kind == "f":
        return np.dtype(np.float32) if size <= 4 else np.dtype(np.float64)
    if kind == "c":
        return np.dtype(np.complex64) if size <= 8 else np.dtype(np.complex128)
    return None


def as_numeric_numpy(arr: np.ndarray, who: str, name: str) -> np.ndarray:
    """``arr`` converted to its compute dtype; ``ValueError`` naming an unusable dtype."""
    target = numpy_compute_dtype(arr.dtype)
    if target is None:
        raise ValueError(f"{who}: {name} must be numeric (bool, integer, float or complex) or hold "
                         f"sympy expressions; got dtype {arr.dtype}.")
    return arr.astype(target, copy=False)


def as_numeric_torch(t: Any, who: str, name: str) -> Any:
    """A torch tensor converted to its compute dtype (see the module docstring)."""
    import torch
    if t.is_complex():
        return t.to(torch.complex64) if t.element_size() <= 4 else t
    if t.is_floating_point():
        return t.to(torch.float32) if t.element_size() <= 2 else t
    if t.dtype == torch.bool or "int" in str(t.dtype):
        return t.to(torch.float64)
    raise ValueError(f"{who}: {name} must be numeric (bool, integer, float or complex); "
                     f"got torch dtype {t.dtype}.")  # pragma: no cover - quantised types


def match_precision(const: np.ndarray, like_dtype: np.dtype) -> np.ndarray:
    """A float64/complex128 constant in the precision of ``like_dtype`` (single or double)."""
    single = np.dtype(like_dtype) in (np.float32, np.complex64)
    if not single:
        return const
    return const.astype(np.complex64 if np.iscomplexobj(const) else np.float32)
