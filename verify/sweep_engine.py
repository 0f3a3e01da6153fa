r"""The sweep engine: every run of a :class:`~verify.sweep_spec.SweepSpec` trained in parallel
through Dask distributed (:func:`run_sweep`), each recorded in the results store
(:mod:`verify.sweep_store`) when it ends.  See :mod:`verify.sweep` for the whole picture.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import time
import traceback
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

from .config import RunConfig
from .results import StatusResult
from .rundir import write_json_atomic
from .sweep_spec import SweepRun, SweepSpec, expand, load_spec
from .sweep_store import (RESULTS_NAME, _config_row, _write_row, open_results, summarize_run)
from .trainer import ProgressReporter

__all__ = ["SweepResult", "SweepInterrupt", "run_sweep", "probe_scheduler", "sweep_lock",
           "spec_record"]


# ============================================================================ one run
def _limit_threads() -> None:
    """One thread for torch and for every BLAS/OpenMP pool already loaded in this worker.

    Environment variables are read when a library loads, and numpy has loaded OpenBLAS
    before any task runs; threadpoolctl changes the live pools instead.
    """
    from threadpoolctl import threadpool_limits
    threadpool_limits(limits=1)
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = "1"          # for libraries loaded later
    import torch
    if torch.get_num_threads() != 1:
        torch.set_num_threads(1)


def _execute(config: dict, run_dir: str, levels: tuple[float, ...],
             runner: Callable | None = None) -> dict[str, Any]:
    """Dask task: train one config (resuming its own checkpoint) and summarise it.

    Never raises: an exception becomes ``status="failed"`` with its traceback.
    """
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        _limit_threads()
        cfg = RunConfig.from_dict(config)
        if runner is None:
            from .train import train
            runner = train
        result = runner(cfg, run_dir, resume=True, progress=False)
        row = summarize_run(result, levels)
        ok = bool(getattr(result, "success", True))
        row.update(status="done" if ok else "failed",
                   error=None if ok else str(getattr(result, "message", "run failed")))
    except Exception as err:  # recorded, never raised: the sweep goes on
        row = {"status": "failed",
               "error": f"{type(err).__name__}: {err}\n{traceback.format_exc(limit=8)}"}
    row["wall_s"] = time.perf_counter() - t0
    row["cpu_s"] = time.process_time() - c0   # the worker process's CPU time: load-independent
    return row


# ============================================================================ execution
@dataclass(frozen=True, repr=False)
class SweepResult(StatusResult):
    """Outcome of :func:`run_sweep`.

    Attributes
    ----------
    results_path : Path
        The SQLite database.
    n_runs, n_done, n_failed, n_skipped : int
        Runs in the spec; done now or before; failed; skipped because already done.
    wall_s : float
    status : int
        1 every run done, 0 some runs failed, -1 interrupted before the end.
    message : str

    Examples
    --------
    >>> r = SweepResult(results_path=Path("sw/results.sqlite"), n_runs=4, n_done=3, n_failed=1,
    ...                 n_skipped=0, wall_s=1.0, status=0, message="3 of 4 runs done")
    >>> r, r.success
    (SweepResult(message='3 of 4 runs done', status=0, results_path='sw/results.sqlite'), True)
    """

    results_path: Path
    n_runs: int
    n_done: int
    n_failed: int
    n_skipped: int
    wall_s: float
    status: int
    message: str

    _repr_fields = ("results_path",)


def probe_scheduler(address: str, *, timeout: float = 10.0) -> None:
    """Check that ``address`` answers like a Dask scheduler within ``timeout`` seconds.

    A Dask scheduler sends its handshake as soon as it accepts a connection; a server
    that accepts and stays silent (Dask's own connect would then wait forever), refuses,
    or answers with something else (an HTTP server, whose bytes Dask would read as a
    frame length of exabytes) is a ``ValueError`` naming the address.  Only ``tcp://``
    addresses are probed (other protocols go straight to Dask).

    Examples
    --------
    >>> probe_scheduler("tcp://127.0.0.1:1", timeout=2)
    Traceback (most recent call last):
    ...
    ValueError: --scheduler tcp://127.0.0.1:1: cannot connect (...); start the scheduler, or omit --scheduler to use a local cluster.
    """
    import socket
    import struct
    hint = "start the scheduler, or omit --scheduler to use a local cluster"
    if not isinstance(address, str) or "://" not in address:
        raise ValueError(f"--scheduler {address!r}: expected an address such as "
                         f"tcp://host:8786.")
    proto, rest = address.split("://", 1)
    if proto != "tcp":
        return
    host, _, port = rest.rpartition(":")
    host = host.strip("[]")
    if not host or not port.isdigit():
        raise ValueError(f"--scheduler {address}: expected tcp://host:port.")
    try:
        with socket.create_connection((host, int(port)), timeout=timeout) as sock:
            sock.settimeout(timeout)
            head = b""
            while len(head) < 8:
                chunk = sock.recv(8 - len(head))
                if not chunk:
                    break
                head += chunk
    except socket.timeout:
        raise ValueError(f"--scheduler {address}: the server accepted the connection but sent "
                         f"no Dask handshake within {timeout:g} s; is it a Dask scheduler? "
                         f"({hint})") from None
    except OSError as err:
        raise ValueError(f"--scheduler {address}: cannot connect ({err.strerror or err}); "
                         f"{hint}.") from None
    if len(head) < 8:
        raise ValueError(f"--scheduler {address}: the server closed the connection without a "
                         f"Dask handshake; {hint}.")
    (nbytes,) = struct.unpack("<Q", head)      # Dask's TCP frames start with their length
    if not 0 < nbytes < 2**26:
        raise ValueError(f"--scheduler {address}: the server does not speak Dask's protocol "
                         f"(it sent {head!r}); {hint}.")


def _client(scheduler: str | None, n_workers: int | None, *, connect_timeout: float = 10.0):
    """A Dask client: on ``scheduler`` (probed first, :func:`probe_scheduler`), or on an
    embedded LocalCluster (one single-threaded worker process per core; its dashboard on
    127.0.0.1 only, a free port)."""
    import dask
    from distributed import Client, LocalCluster
    if scheduler:
        probe_scheduler(scheduler, timeout=connect_timeout)
        try:
            return Client(scheduler, timeout=connect_timeout), None
        except (OSError, TimeoutError) as err:
            raise ValueError(f"--scheduler {scheduler}: cannot connect ({err}).") from None
    n = n_workers or os.cpu_count() or 1
    env = {"OMP_NUM_THREADS": 1, "MKL_NUM_THREADS": 1, "OPENBLAS_NUM_THREADS": 1}
    with dask.config.set({"distributed.nanny.pre-spawn-environ": {
            **dask.config.get("distributed.nanny.pre-spawn-environ", {}), **env},
            "distributed.scheduler.worker-saturation": 1.0}):
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address="127.0.0.1:0",
                               silence_logs=logging.CRITICAL)
    return Client(cluster), cluster


@contextlib.contextmanager
def sweep_lock(out_dir: str | os.PathLike) -> Iterator[None]:
    """Hold ``OUT/.sweep.lock`` (an exclusive ``flock``) while a sweep writes ``OUT``.

    A second sweep on the same directory is refused with a ``ValueError`` naming the
    holder's pid; the lock goes with its process, so a killed sweep leaves none behind.
    Where ``fcntl`` is missing (Windows) no lock is taken.

    Examples
    --------
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> with sweep_lock(d):
    ...     with sweep_lock(d):
    ...         pass
    Traceback (most recent call last):
    ...
    ValueError: another sweep (pid ...) is writing '...'; wait for it to finish, or use another --out.
    """
    try:
        import fcntl
    except ImportError:          # pragma: no cover - Windows
        yield
        return
    path = Path(out_dir) / ".sweep.lock"
    fh = open(path, "a+")
    try:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "?"
            raise ValueError(f"another sweep (pid {holder}) is writing {str(out_dir)!r}; wait "
                             f"for it to finish, or use another --out.") from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        yield
    finally:
        fh.close()


def spec_record(spec: SweepSpec) -> dict[str, Any]:
    """What ``OUT/spec.json`` holds of a spec (the fields that define its runs).

    Examples
    --------
    >>> from verify.sweep_spec import parse_spec
    >>> spec = parse_spec({"base": {"group": "D4", "horizons": [2, 4]}, "grid": {"c_B": [2.0]}})
    >>> spec_record(spec)["grid"], spec_record(spec)["seeds"]
    ({'c_B': [2.0]}, [0])
    """
    return {"name": spec.name, "source": spec.source, "base": dict(spec.base),
            "grid": {k: list(v) for k, v in spec.grid}, "seeds": list(spec.seeds),
            "levels": list(spec.levels), "spectrum": dict(spec.spectrum)}


def _check_same_spec(out: Path, spec: SweepSpec) -> None:
    """Refuse a sweep directory that holds another spec's sweep."""
    from .rundir import read_json
    path = out / "spec.json"
    if not path.exists():
        return
    old = read_json(path)
    new = json.loads(json.dumps(spec_record(spec)))          # tuples -> lists, as stored
    keys = ("name", "base", "grid", "seeds", "spectrum")
    if not isinstance(old, dict) or any(old.get(k) != new[k] for k in keys):
        diff = [k for k in keys if not isinstance(old, dict) or old.get(k) != new[k]]
        raise ValueError(f"{str(out)!r} holds the sweep {old.get('name') if isinstance(old, dict) else '?'!r} "
                         f"of another spec (differs in {', '.join(diff)}); mixing them would "
                         f"merge different settings in one table. Use another --out.")


def run_sweep(spec: SweepSpec | str | os.PathLike, out_dir: str | os.PathLike, *,
              scheduler: str | None = None, client: Any = None, n_workers: int | None = None,
              resume: bool = True, progress: bool = True,
              callback: Callable[[SweepRun, dict], None] | None = None,
              runner: Callable | None = None, connect_timeout: float = 10.0) -> SweepResult:
    """Run every run of ``spec`` in parallel, recording each in ``OUT/results.sqlite``.

    Parameters
    ----------
    spec : SweepSpec, or a spec path or preset name
    out_dir : path
        Sweep directory: ``results.sqlite``, ``spec.json`` and ``runs/<slug>/``.
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``); its workers must be
        able to import ``verify`` and write ``out_dir``.  Default: an embedded
        LocalCluster with ``n_workers`` (default: the number of cores) single-threaded
        worker processes, closed at the end.
    client : distributed.Client, optional
        Use this client instead (neither created nor closed here).
    resume : bool
        Skip runs whose row is ``done`` (default).  ``False`` refuses an existing
        results table rather than mixing sweeps silently.
    progress : bool
        Progress on stderr: a tqdm bar on a terminal (runs done / total, running, failed,
        ETA), else one line per finished run.
    callback : callable(run, row), optional
        Called in this process after each run is recorded.  An exception raised here
        (or Ctrl-C) interrupts the sweep: recorded rows stay, the rest is cancelled.
    runner : callable(config, out_dir, *, resume, progress), optional
        Replaces :func:`verify.train` (tests, dry runs); must be picklable.
    connect_timeout : float
        Seconds to wait for ``scheduler``'s handshake (:func:`probe_scheduler`).

    Raises
    ------
    ValueError
        Another sweep holds ``out_dir`` (:func:`sweep_lock`); ``out_dir`` holds another
        spec's sweep; the scheduler cannot be reached; the results database is damaged.

    Returns
    -------
    SweepResult
    """
    t_start = time.perf_counter()
    if not isinstance(spec, SweepSpec):
        spec = load_spec(spec)
    runs = expand(spec)
    out = Path(out_dir).resolve()      # workers may run in another working directory
    out.mkdir(parents=True, exist_ok=True)
    db_path = out / RESULTS_NAME
    if not resume and db_path.exists():
        raise ValueError(f"run_sweep: {str(db_path)!r} exists and resume=False; resume it, or "
                         f"choose a new out_dir.")
    with sweep_lock(out):
        _check_same_spec(out, spec)
        write_json_atomic(out / "spec.json", spec_record(spec))
        return _run_locked(spec, runs, out, db_path, t_start, scheduler=scheduler,
                           client=client, n_workers=n_workers, progress=progress,
                           callback=callback, runner=runner, connect_timeout=connect_timeout)


def _run_locked(spec: SweepSpec, runs, out: Path, db_path: Path, t_start: float, *, scheduler,
                client, n_workers, progress, callback, runner, connect_timeout) -> SweepResult:
    conn = open_results(db_path)
    done_ids = {r["run_id"] for r in conn.execute("SELECT run_id FROM runs WHERE status='done'")}
    attempts = {r["run_id"]: r["attempts"] or 0 for r in conn.execute("SELECT run_id, attempts FROM runs")}
    todo = [r for r in runs if r.run_id not in done_ids]
    skipped = len(runs) - len(todo)
    for r in todo:
        if r.run_id not in attempts:
            _write_row(conn, {**_config_row(r, spec, out / "runs" / r.slug), "status": "pending",
                              "attempts": 0})
    n_done, n_failed, status, message = 0, 0, 1, ""
    own = None
    bar = None
    futures: dict = {}
    try:
        if todo:
            if client is None:
                client, own = _client(scheduler, n_workers, connect_timeout=connect_timeout)
                own = (client, own)
            n_threads = sum(client.nthreads().values()) or 1
            bar = ProgressReporter(total=len(runs), initial=skipped, unit="run", every=1,
                                   desc=f"sweep {spec.name}", enabled=progress)
            bar.set_postfix({"running": min(n_threads, len(todo)), "failed": 0})
            from distributed import as_completed
            # longest runs first, so the last wave is short
            order = sorted(todo, key=lambda r: -r.config.updates * max(r.config.horizons))
            for r in order:
                fut = client.submit(_execute, r.config.to_dict(), str(out / "runs" / r.slug),
                                    spec.levels, runner, pure=False,
                                    key=f"verify-run-{r.run_id}-{secrets.token_hex(4)}")
                futures[fut] = r
            remaining = len(order)
            for fut in as_completed(list(futures)):
                r = futures[fut]
                try:
                    row = fut.result()
                except Exception as err:  # the task itself could not run (worker lost, ...)
                    row = {"status": "failed", "error": f"{type(err).__name__}: {err}"}
                row = {**_config_row(r, spec, out / "runs" / r.slug), **row,
                       "attempts": attempts.get(r.run_id, 0) + 1,
                       "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
                _write_row(conn, row)
                remaining -= 1
                n_done += row["status"] == "done"
                n_failed += row["status"] == "failed"
                bar.update({"running": min(n_threads, remaining), "failed": n_failed})
                if callback is not None:
                    callback(r, row)
    except (KeyboardInterrupt, Exception) as err:
        status = -1
        message = (f"interrupted ({type(err).__name__}) after {n_done + n_failed} of "
                   f"{len(todo)} runs; resume to continue")
        for fut in futures:
            fut.cancel()
        if not isinstance(err, KeyboardInterrupt) and not _is_interrupt(err):
            raise
    finally:
        if bar is not None:
            bar.close()
        if own is not None:
            own[0].close()
            if own[1] is not None:
                own[1].close()
        conn.close()
    if status == 1 and n_failed:
        status = 0
    if not message:
        message = (f"{n_done + skipped} of {len(runs)} runs done ({skipped} from before), "
                   f"{n_failed} failed")
    return SweepResult(results_path=db_path, n_runs=len(runs), n_done=n_done + skipped,
                       n_failed=n_failed, n_skipped=skipped,
                       wall_s=time.perf_counter() - t_start, status=status, message=message)


class SweepInterrupt(Exception):
    """Raise from a ``callback`` to stop a sweep cleanly (as Ctrl-C does).

    Examples
    --------
    >>> def stop_after_first(run, row):
    ...     raise SweepInterrupt("enough")
    >>> issubclass(SweepInterrupt, Exception)
    True
    """


def _is_interrupt(err: BaseException) -> bool:
    return isinstance(err, SweepInterrupt)


