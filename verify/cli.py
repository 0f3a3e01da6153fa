"""The error wrapper of verify's command lines (``python -m verify``, ``verify.sweep``,
``verify.transformer``): one place that turns an exception into one line and an exit code.

* ``ValueError``/``TypeError`` (bad input, a damaged run directory): ``error: ...``, exit 2;
* ``OSError`` (permission denied, disk full, not a directory, ...): ``error: cannot
  <read/write> ...: <reason>``, exit 2; the atomic writers leave no temp file behind;
* ``sqlite3.DatabaseError`` (a damaged results database): exit 2 with its path;
* ``KeyboardInterrupt`` (Ctrl-C, SIGTERM in a sweep): ``interrupted``, exit 130; what was
  checkpointed is kept, ``--resume`` continues.
"""

from __future__ import annotations

import contextlib
import sqlite3
import sys
from typing import Callable

__all__ = ["run_cli", "set_threads", "thread_limit"]


def _os_message(err: OSError) -> str:
    where = f" {err.filename!s}" if getattr(err, "filename", None) else ""
    reason = err.strerror or str(err) or type(err).__name__
    return f"cannot read or write{where}: {reason}"


def run_cli(handler: Callable[[], int]) -> int:
    """Call ``handler()`` and return its exit code, turning expected failures into one
    line on stderr (see the module docstring).

    Examples
    --------
    >>> def bad():
    ...     raise ValueError("RunConfig: lr must be a finite number > 0; got lr=0.")
    >>> import contextlib, io
    >>> err = io.StringIO()
    >>> with contextlib.redirect_stderr(err):
    ...     code = run_cli(bad)
    >>> code, err.getvalue()
    (2, 'error: RunConfig: lr must be a finite number > 0; got lr=0.\\n')
    """
    try:
        return handler()
    except (ValueError, TypeError) as err:
        msg = str(err)
    except OSError as err:
        msg = _os_message(err)
    except sqlite3.DatabaseError as err:
        msg = f"results database: {err}"
    except KeyboardInterrupt:
        print("interrupted; what was checkpointed is kept (continue with --resume)",
              file=sys.stderr)
        return 130
    print(f"error: {' '.join(msg.split())}", file=sys.stderr)
    return 2


def set_threads(n: int) -> None:
    """``torch.set_num_threads(n)`` after checking ``n`` (``--threads``).

    Examples
    --------
    >>> set_threads(0)
    Traceback (most recent call last):
    ...
    ValueError: --threads must be an integer >= 1; got --threads=0.
    """
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 4096:
        raise ValueError(f"--threads must be an integer >= 1; got --threads={n!r}.")
    import torch
    torch.set_num_threads(n)


def thread_limit(n: int | None) -> contextlib.AbstractContextManager:
    """``--threads`` of a command that computes with torch and numpy/scipy: checks ``n``,
    sets torch's threads and limits the BLAS/OpenMP pools for the ``with`` block
    (threadpoolctl, as ``python -m dynamics``); ``None`` leaves both as they are.

    Examples
    --------
    >>> with thread_limit(None):
    ...     pass
    >>> thread_limit(0)
    Traceback (most recent call last):
    ...
    ValueError: --threads must be an integer >= 1; got --threads=0.
    """
    if n is None:
        return contextlib.nullcontext()
    set_threads(n)
    from threadpoolctl import threadpool_limits
    return threadpool_limits(limits=n)
