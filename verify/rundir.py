r"""The run directory: every file a training run writes, and how a run resumes.

One module owns the formats (the trainers of :mod:`verify.train` and
:mod:`verify.transformer.rl` only call it)::

    config.json      the full config (``to_dict`` of the run's config)
    metrics.jsonl    one JSON record per evaluation, appended as the run goes
    metrics.csv      the same table as CSV (rewritten at every checkpoint and at the end)
    checkpoint.pt    the training state after ``step`` updates, with the config's
                     fingerprint and a checksum of the state (:func:`save_checkpoint`)
    result.json      the final record, status and message, torch thread count

Every file is written atomically: a temp file beside the target, flushed and
``fsync``-ed, then ``os.replace`` (and the directory ``fsync``-ed), so a crash leaves the
old file or the new one, never a mix; a failed write removes its temp file.

Resuming (:func:`open_run`) is checked before anything is written: the config must equal
the saved one except for ``updates`` (compared through :func:`config_fingerprint`, which
the checkpoint also carries, so a run directory stays protected when ``config.json`` is
deleted); the checkpoint must be intact (its checksum) and not past ``updates``; and the
metrics log must hold every record before the checkpoint's step (a torn *last* line, the
trace of a crash mid-write, is dropped; a corrupt line anywhere else is an error naming
the file and line).  Damage is reported as a :class:`RunDirError` (a ``ValueError``)
that names the file and what to do; nothing is ever silently thrown away.

Checkpoints are read with ``torch.load(..., weights_only=True)``: a crafted file cannot
run code.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

import torch

from .results import StatusResult

__all__ = ["CONFIG", "METRICS", "METRICS_CSV", "CHECKPOINT", "RESULT", "RunDirError",
           "atomic_path", "write_text_atomic", "write_json_atomic", "pyplot",
           "save_figure_atomic", "read_json", "read_metrics", "write_metrics_csv",
           "config_fingerprint", "state_digest", "save_checkpoint", "load_checkpoint",
           "open_run", "OpenedRun", "MetricsLog", "read_result", "TrainingResult"]

CONFIG, METRICS, METRICS_CSV, CHECKPOINT, RESULT = (
    "config.json", "metrics.jsonl", "metrics.csv", "checkpoint.pt", "result.json")
_FORMAT = "verify-checkpoint/2"


class RunDirError(ValueError):
    """A run directory's file is damaged or belongs to another run; the message names the
    file and what to do.

    Examples
    --------
    >>> issubclass(RunDirError, ValueError)
    True
    """


# ----------------------------------------------------------------------------- atomic writes
def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:            # not supported here (some platforms or file systems)
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temp path beside ``path``; on success it replaces ``path`` atomically.

    The caller writes the temp file; then it is ``fsync``-ed and renamed over ``path``
    (and the directory ``fsync``-ed).  If the body raises, the temp file is removed and
    ``path`` is left as it was.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> with atomic_path(p) as tmp:
    ...     _ = tmp.write_text("hello")
    >>> p.read_text(), sorted(x.name for x in p.parent.iterdir())
    ('hello', ['a.txt'])
    """
    path = Path(path)
    tmp = path.with_name(f".{path.stem}.tmp{os.getpid()}{path.suffix}")
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_dir(path.parent)


def write_text_atomic(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically (:func:`atomic_path`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.md"
    >>> write_text_atomic(p, "# title\\n"); p.read_text()
    '# title\\n'
    """
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json_atomic(path: str | os.PathLike, obj: Any) -> None:
    """Write ``obj`` as indented, key-sorted JSON, atomically.

    Examples
    --------
    >>> import tempfile, pathlib, json
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.json"
    >>> write_json_atomic(p, {"b": 1, "a": [1, 2]}); json.loads(p.read_text())
    {'a': [1, 2], 'b': 1}
    """
    write_text_atomic(path, json.dumps(obj, indent=2, sort_keys=True) + "\n")


def pyplot():
    """``matplotlib.pyplot``, switched to Agg unless a file backend is already in use
    (figures are written, never shown; imported lazily to keep start-up fast).

    Examples
    --------
    >>> pyplot().get_backend().lower() in ("agg", "pdf", "svg", "ps", "cairo")
    True
    """
    import matplotlib
    if matplotlib.get_backend().lower() not in ("agg", "pdf", "svg", "ps", "cairo"):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def save_figure_atomic(fig, path: str | os.PathLike, *, dpi: int) -> None:
    """Save ``fig`` to ``path`` atomically, then close it.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> fig = pyplot().figure(figsize=(1, 1))
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "f.png"
    >>> save_figure_atomic(fig, p, dpi=20); p.stat().st_size > 0
    True
    """
    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=dpi)
    finally:
        pyplot().close(fig)


# ----------------------------------------------------------------------------- reading
def read_json(path: str | os.PathLike) -> Any:
    """The JSON in ``path``; a damaged file is a :class:`RunDirError` naming it.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "config.json"
    >>> _ = p.write_text("{")
    >>> read_json(p)
    Traceback (most recent call last):
    ...
    verify.rundir.RunDirError: .../config.json is not valid JSON (...); restore it, or delete the run directory to start again.
    """
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise RunDirError(f"{path} is not valid JSON ({err}); restore it, or delete the run "
                          f"directory to start again.") from None


def read_metrics(run_dir: str | os.PathLike) -> list[dict[str, Any]]:
    """The records of ``run_dir/metrics.jsonl`` (``[]`` when there is none).

    A last line that does not parse (a write cut short by a crash) is dropped; a line
    that does not parse with valid records after it is a :class:`RunDirError` naming the
    file and the line, since dropping it would hide the records after it.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "metrics.jsonl").write_text('{"step": 0}\\n{"step": 2}\\n{"st')
    >>> read_metrics(d)
    [{'step': 0}, {'step': 2}]
    >>> _ = (d / "metrics.jsonl").write_text('{"step": 0}\\n{"st\\n{"step": 4}\\n')
    >>> read_metrics(d)
    Traceback (most recent call last):
    ...
    verify.rundir.RunDirError: .../metrics.jsonl: line 2 of 3 is not a JSON record ...
    """
    path = Path(run_dir) / METRICS
    if not path.exists():
        return []
    lines = path.read_bytes().split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    out = []
    for i, line in enumerate(lines):
        try:
            rec = json.loads(line)
            if not isinstance(rec, dict) or "step" not in rec:
                raise ValueError("not a record with a step")
        except (ValueError, UnicodeDecodeError) as err:
            if i == len(lines) - 1:
                break                      # torn last line: the crash interrupted this write
            raise RunDirError(f"{path}: line {i + 1} of {len(lines)} is not a JSON record "
                              f"({err}), and valid records follow it; repair or remove that "
                              f"line, or delete the run directory to start again.") from None
        out.append(rec)
    return out


def write_metrics_csv(run_dir: str | os.PathLike, records: Sequence[Mapping],
                      keys: Sequence[str]) -> None:
    """Write ``records`` (columns ``keys``; ``None`` as empty) to ``run_dir/metrics.csv``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> write_metrics_csv(d, [{"step": 0, "theta": None}, {"step": 2, "theta": 0.5}],
    ...                   ("step", "theta"))
    >>> (d / "metrics.csv").read_text().splitlines()
    ['step,theta', '0,', '2,0.5']
    """
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(keys))
    w.writeheader()
    for r in records:
        w.writerow({k: ("" if r.get(k) is None else r[k]) for k in keys})
    write_text_atomic(Path(run_dir) / METRICS_CSV, buf.getvalue())


class MetricsLog:
    """The append handle of ``metrics.jsonl``: one JSON line per record, flushed at once;
    :meth:`sync` forces it to disk (called at checkpoints).

    Examples
    --------
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> log = MetricsLog(d); log.append({"step": 0}); log.append({"step": 5}); log.close()
    >>> read_metrics(d)
    [{'step': 0}, {'step': 5}]
    """

    def __init__(self, run_dir: str | os.PathLike):
        self.path = Path(run_dir) / METRICS
        self._fh = open(self.path, "a", encoding="utf-8")

    def append(self, record: Mapping[str, Any]) -> None:
        self._fh.write(json.dumps(record) + "\n")
        self._fh.flush()

    def sync(self) -> None:
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def close(self) -> None:
        self._fh.close()


def read_result(run_dir: str | os.PathLike) -> dict[str, Any]:
    """``run_dir/result.json`` as a dict, or ``{}`` for a run that has not finished.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> read_result(d)
    {}
    >>> write_json_atomic(d / "result.json", {"status": 0}); read_result(d)
    {'status': 0}
    """
    path = Path(run_dir) / RESULT
    return read_json(path) if path.exists() else {}


# ----------------------------------------------------------------------------- checkpoints
def _without_updates(d: Any, depth: int = 0) -> Any:
    if isinstance(d, Mapping) and depth < 3:
        return {k: _without_updates(v, depth + 1) for k, v in d.items() if k != "updates"}
    return d


def config_fingerprint(config: Any) -> str:
    """SHA-256 of a config's JSON (``to_dict()``, or a dict) without ``updates``.

    Two configs have the same fingerprint exactly when they differ at most in
    ``updates`` (at any nesting level up to 3), which a resume may change to extend a run.

    Examples
    --------
    >>> from verify.config import RunConfig
    >>> a, b = RunConfig(updates=10), RunConfig(updates=20)
    >>> config_fingerprint(a) == config_fingerprint(b), config_fingerprint(a) == config_fingerprint(RunConfig(seed=1))
    (True, False)
    """
    d = config.to_dict() if hasattr(config, "to_dict") else config
    blob = json.dumps(_without_updates(d), sort_keys=True, allow_nan=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def _feed(h, obj: Any) -> None:
    if isinstance(obj, torch.Tensor):
        t = obj.detach().cpu().contiguous().reshape(-1)
        h.update(f"T{t.dtype}{tuple(obj.shape)}".encode())
        h.update(t.view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    elif isinstance(obj, Mapping):
        h.update(b"D%d" % len(obj))
        for k in sorted(obj, key=repr):
            h.update(repr(k).encode())
            _feed(h, obj[k])
    elif isinstance(obj, (list, tuple)):
        h.update(b"L%d" % len(obj))
        for v in obj:
            _feed(h, v)
    else:
        h.update(f"{type(obj).__name__}:{obj!r};".encode())


def state_digest(state: Any) -> str:
    """SHA-256 over every tensor's bytes and every value of a nested state dict.

    Examples
    --------
    >>> s = {"Q": torch.zeros(2, 2), "step": 3}
    >>> d = state_digest(s); s["Q"][1, 1] = 1e-30; state_digest(s) == d
    False
    """
    h = hashlib.sha256()
    _feed(h, state)
    return h.hexdigest()


def save_checkpoint(path: str | os.PathLike, state: Mapping[str, Any], *,
                    fingerprint: str) -> None:
    """Write ``state`` to ``path`` atomically with the config ``fingerprint``, the checksum
    :func:`state_digest` and the torch thread count.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "checkpoint.pt"
    >>> save_checkpoint(p, {"Q": torch.ones(2), "step": 4}, fingerprint="abc")
    >>> load_checkpoint(p, fingerprint="abc")["step"]
    4"""
    blob = {"format": _FORMAT, "fingerprint": fingerprint, "digest": state_digest(state),
            "torch_threads": torch.get_num_threads(), "state": dict(state)}
    buf = io.BytesIO()
    torch.save(blob, buf)                  # serialised first: a full disk is then an OSError
    with atomic_path(path) as tmp:
        tmp.write_bytes(buf.getvalue())


def load_checkpoint(path: str | os.PathLike, *, fingerprint: str | None,
                    allow_legacy: bool = False) -> dict[str, Any]:
    """The state saved by :func:`save_checkpoint`, checked.

    Loaded with ``weights_only=True``.  ``fingerprint`` (when given) must match the
    saved one.  A checkpoint of the first format (no fingerprint, no checksum) is
    accepted only when ``fingerprint`` is None or ``allow_legacy`` (the caller checked
    ``config.json``).

    Raises
    ------
    RunDirError
        Unreadable, damaged (checksum mismatch) or written by another config; the message
        names the file and what to do.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "checkpoint.pt"
    >>> save_checkpoint(p, {"Q": torch.ones(2), "step": 4}, fingerprint="abc")
    >>> load_checkpoint(p, fingerprint="xyz")
    Traceback (most recent call last):
    ...
    verify.rundir.RunDirError: .../checkpoint.pt was written by a run with a different config (...); resume it with its own config or use another output directory.
    >>> _ = p.write_bytes(p.read_bytes()[:100])
    >>> load_checkpoint(p, fingerprint="abc")
    Traceback (most recent call last):
    ...
    verify.rundir.RunDirError: .../checkpoint.pt is unreadable or not a verify checkpoint (...); delete ... to restart the run from its beginning (its metrics.jsonl too), or restore the file.
    """
    path = Path(path)
    todo = (f"delete {path} to restart the run from its beginning (its metrics.jsonl too), "
            f"or restore the file")
    try:
        blob = torch.load(path, weights_only=True, map_location="cpu")
    except Exception as err:    # zip/pickle errors, EOF, a forbidden global (crafted file)
        msg = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise RunDirError(f"{path} is unreadable or not a verify checkpoint ({msg[:200]}); "
                          f"{todo}.") from None
    if not isinstance(blob, dict):
        raise RunDirError(f"{path} is not a verify checkpoint; {todo}.")
    if blob.get("format") != _FORMAT:          # first format: the bare state
        if fingerprint is not None and not allow_legacy:
            raise RunDirError(f"{path} is an old checkpoint without a config fingerprint and "
                              f"the run directory has no config.json to check it against; "
                              f"restore config.json, or {todo}.")
        return blob
    state = blob.get("state")
    if not isinstance(state, dict) or blob.get("digest") != state_digest(state):
        raise RunDirError(f"{path} is damaged (its checksum does not match its contents); "
                          f"{todo}.")
    if fingerprint is not None and blob.get("fingerprint") != fingerprint:
        raise RunDirError(f"{path} was written by a run with a different config (fingerprint "
                          f"{str(blob.get('fingerprint'))[:12]}, this config "
                          f"{fingerprint[:12]}); resume it with its own config or use "
                          f"another output directory.")
    threads = blob.get("torch_threads")
    if threads is not None and threads != torch.get_num_threads():
        warnings.warn(f"{path} was written with {threads} torch thread(s), this process uses "
                      f"{torch.get_num_threads()}: the resumed run may differ from an "
                      f"uninterrupted one in the last bits (pass --threads {threads}).",
                      RuntimeWarning, stacklevel=2)
    return state


# ----------------------------------------------------------------------------- resume
@dataclass(frozen=True)
class OpenedRun:
    """What :func:`open_run` found: the checkpoint's state (``None`` for a fresh start)
    and the records logged before its step (already the whole of ``metrics.jsonl``).

    Examples
    --------
    >>> OpenedRun(path=Path("."), state=None, records=[], fingerprint="f").step
    0"""

    path: Path
    state: dict | None
    records: list
    fingerprint: str

    @property
    def step(self) -> int:
        return 0 if self.state is None else int(self.state["step"])


def open_run(out_dir: str | os.PathLike, config: Any, *, resume: bool,
             load_config: Callable[[Path], Any], updates: int, log_every: int,
             who: str) -> OpenedRun:
    """Check ``out_dir`` against ``config`` and prepare it for training.

    Refuses (``ValueError``, before writing anything) a directory that holds a run when
    ``resume`` is False (``config.json``, ``checkpoint.pt`` or a non-empty
    ``metrics.jsonl``); a saved config or checkpoint of another config; a damaged
    checkpoint; a checkpoint past ``updates``; a metrics log that lacks records before
    the checkpoint.  Then writes ``config.json`` and rewrites ``metrics.jsonl`` to the
    records before the checkpoint's step (those after it are recomputed).

    Parameters
    ----------
    out_dir : path
        Created if missing.
    config
        The run's config (``to_dict()``).
    resume : bool
        Continue from the checkpoint (or start, if there is none).
    load_config : callable
        Reads ``config.json`` of a directory back into a config.
    updates, log_every : int
        The run's length and logging period.
    who : str
        The caller's name, for messages.

    Examples
    --------
    >>> import tempfile
    >>> from verify.config import RunConfig
    >>> from verify.train import load_config
    >>> d = tempfile.mkdtemp()
    >>> cfg = RunConfig(group="Z6", horizons=(2, 3), n_ids=4, updates=4)
    >>> run = open_run(d, cfg, resume=False, load_config=load_config, updates=4, log_every=2,
    ...                who="demo")
    >>> run.step, sorted(p.name for p in run.path.iterdir())
    (0, ['config.json', 'metrics.jsonl'])
    >>> open_run(d, cfg, resume=False, load_config=load_config, updates=4, log_every=2,
    ...          who="demo")
    Traceback (most recent call last):
    ...
    ValueError: demo: '...' already holds a run; pass resume=True (--resume) to continue it, or choose another out_dir.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    fp = config_fingerprint(config)
    ck_path, log_path = out / CHECKPOINT, out / METRICS
    has_config = (out / CONFIG).exists()
    has_ckpt = ck_path.exists()
    has_log = log_path.exists() and log_path.stat().st_size > 0
    if (has_config or has_ckpt or has_log) and not resume:
        what = "a run" if has_config else f"a run's files ({CHECKPOINT}/{METRICS}) without {CONFIG}"
        raise ValueError(f"{who}: {str(out)!r} already holds {what}; pass resume=True "
                         f"(--resume) to continue it, or choose another out_dir.")
    if has_config:
        saved = load_config(out)
        if config_fingerprint(saved) != fp:
            raise ValueError(f"{who}: resume=True but {str(out)!r} holds a run with a different "
                             f"config ({saved!r}); resume it with its own config (only "
                             f"`updates` may change, to extend a run) or use another out_dir.")
    state, records = None, []
    if has_ckpt:
        state = load_checkpoint(ck_path, fingerprint=fp, allow_legacy=has_config)
        if not has_config and "step" not in state:
            raise RunDirError(f"{ck_path} is not a verify checkpoint; delete it to restart.")
        step = int(state["step"])
        if step > updates:
            raise ValueError(f"{who}: the checkpoint {ck_path} is at step {step}, past "
                             f"updates={updates}; resume with updates >= {step}, or use "
                             f"another out_dir for a shorter run.")
        records = [r for r in read_metrics(out) if r["step"] < step]
        want = list(range(0, step, log_every))
        got = [r["step"] for r in records]
        if got != want:
            missing = sorted(set(want) - set(got))
            raise RunDirError(
                f"{who}: {log_path} holds {len(got)} of the {len(want)} records logged before "
                f"the checkpoint's step {step}"
                + (f" (missing steps {missing[:5]}{' ...' if len(missing) > 5 else ''})"
                   if missing else " (out of order or duplicated)")
                + f"; restore the log, or delete {CHECKPOINT} and {METRICS} to restart the run.")
    write_json_atomic(out / CONFIG, config.to_dict())
    write_text_atomic(log_path, "".join(json.dumps(r) + "\n" for r in records))
    return OpenedRun(path=out, state=state, records=records, fingerprint=fp)



# ----------------------------------------------------------------------------- results
@dataclass(frozen=True, repr=False)
class TrainingResult(StatusResult):
    """Outcome of a training run (the base of :class:`verify.train.RunResult` and
    :class:`verify.transformer.rl.TransformerRunResult`).

    Attributes
    ----------
    config
        The run's config.
    out_dir : Path
    steps : ndarray, shape (n_records,)
        The ``step`` of each logged record.
    metrics : Mapping[str, ndarray]
        Each metric name -> read-only float array, shape (n_records,) (NaN where undefined).
    final : dict
        The last record.
    status : int
        1 every update done; -1 the parameters became non-finite (the run stopped
        there); -2 the run has not finished (read back from an interrupted directory).
        Negative is a failure, so ``success`` is ``status >= 0``. (A ``result.json``
        written before this convention says 0 for a completed run; it reads back as 1.)
    message : str

    Examples
    --------
    >>> r = TrainingResult(config=None, out_dir=Path("runs/x"), steps=[0, 2], metrics={},
    ...                    final={}, status=-2, message="run not finished")
    >>> r, r.success
    (TrainingResult(message='run not finished', status=-2, out_dir='runs/x', steps=(2,)), False)
    """

    config: Any
    out_dir: Path
    steps: Any
    metrics: Mapping[str, Any]
    final: dict
    status: int
    message: str

    _repr_fields = ("out_dir", "steps")

    @staticmethod
    def read_status(run_dir: str | os.PathLike, records: Sequence[Mapping], updates: int
                    ) -> tuple[int, str, dict]:
        """``(status, message, result.json)`` of a run directory: those of ``result.json``,
        or ``-2`` and "not finished (step S of U)" when the run has not written it.
        A legacy ``0`` (completed, before status 1 meant finished) reads as 1."""
        res = read_result(run_dir)
        if "status" in res:
            status = int(res["status"])
            return (1 if status == 0 else status), str(res.get("message", "")), res
        last = int(records[-1]["step"]) if records else 0
        return -2, f"run not finished (logged up to step {last} of {updates})", res
