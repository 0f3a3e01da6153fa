"""``--json PATH``: one behaviour for every command line of the three packages.

:func:`write_json` is the writer behind ``python -m groupfourier``, ``python -m dynamics``
and ``python -m verify`` (it lives in the base package that the other two depend on, and
imports nothing beyond the standard library):

* ``-`` writes to standard output; inside :func:`json_output` everything else the command
  prints goes to standard error, so ``--json - | jq`` reads clean JSON;
* a target whose folder does not exist is refused with one clear :class:`ValueError`
  (the command lines turn it into one line on stderr and exit code 2), as is a folder;
* a regular file (new or existing) is written atomically: a temporary file in the same
  folder, flushed and fsynced, then :func:`os.replace`; a new file gets the mode the
  user's umask gives (``0o666 & ~umask``, like ``open(path, "w")``), an existing one keeps
  its mode;
* a target that is not a regular file (``/dev/stdout``, a named pipe, a symbolic link) is
  opened and written in place, never replaced;
* the output is strict JSON: NaN and infinities are refused (callers map them to null).

Examples
--------
>>> import json, os, tempfile
>>> d = tempfile.mkdtemp()
>>> write_json(os.path.join(d, "x.json"), {"a": [1, 2]})
>>> json.load(open(os.path.join(d, "x.json")))
{'a': [1, 2]}
>>> write_json("-", {"b": None})
{
  "b": null
}
>>> write_json(os.path.join(d, "missing", "x.json"), {})  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
ValueError: --json: the folder ...missing' does not exist; create it first, or pass '-' for standard output.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import sys
import tempfile
from typing import Any, Iterator

__all__ = ["write_json", "check_json_target", "json_output"]

_json_stdout: list[Any] = []     # the standard output saved by json_output("-")


@contextlib.contextmanager
def json_output(path: str | os.PathLike[str] | None, *, flag: str = "--json") -> Iterator[None]:
    """The block of a command that takes ``--json path``: checks ``path`` at once, and for
    ``-`` sends the block's other printing to standard error (JSON alone on stdout)."""
    if path is None:
        yield
        return
    check_json_target(path, flag=flag)
    if os.fspath(path) != "-":
        yield
        return
    _json_stdout.append(sys.stdout)
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        _json_stdout.pop()


def check_json_target(path: str | os.PathLike[str], *, flag: str = "--json") -> None:
    """Raise :class:`ValueError` now if :func:`write_json` would refuse ``path`` later.

    Commands that compute for a while call this first, so a mistyped folder costs nothing.
    """
    p = os.fspath(path)
    if p == "-":
        return
    if os.path.isdir(p):
        raise ValueError(f"{flag}: {p!r} is a folder; expected a file path, or '-' for "
                         f"standard output.")
    folder = os.path.dirname(os.path.abspath(p))
    if not os.path.isdir(folder):
        raise ValueError(f"{flag}: the folder {folder!r} does not exist; create it first, "
                         f"or pass '-' for standard output.")


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_json(path: str | os.PathLike[str], obj: Any, *, flag: str = "--json",
               indent: int = 2) -> None:
    """Write ``obj`` as JSON to ``path`` (``-``: standard output); see the module docstring."""
    text = json.dumps(obj, indent=indent, allow_nan=False) + "\n"
    p = os.fspath(path)
    if p == "-":
        out = _json_stdout[-1] if _json_stdout else sys.stdout
        out.write(text)
        out.flush()
        return
    check_json_target(p, flag=flag)
    if os.path.islink(p) or (os.path.exists(p) and not stat.S_ISREG(os.stat(p).st_mode)):
        with open(p, "w") as fh:          # a device, pipe or link: write through it
            fh.write(text)
        return
    folder = os.path.dirname(os.path.abspath(p))
    mode = (stat.S_IMODE(os.stat(p).st_mode) if os.path.exists(p)
            else 0o666 & ~_umask())
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(p)}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, p)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
