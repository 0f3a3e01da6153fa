r"""The results store of a sweep: ``OUT/results.sqlite``, one row per run (table ``runs``),
written only by the sweep's main process, one transaction per row (complete or absent);
and :func:`summarize_run`, the row values of one finished run.  See :mod:`verify.sweep`
for the columns.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
from pathlib import Path
from typing import Any, Mapping, Sequence

from dynamics.results import num

from .config import RunConfig
from .sweep_spec import DEFAULT_LEVELS, SweepRun, SweepSpec

__all__ = ["RESULTS_NAME", "open_results", "read_results", "refresh_results", "summarize_run",
           "resolve_run_dir"]

RESULTS_NAME = "results.sqlite"


def summarize_run(result: Any, levels: Sequence[float]) -> dict[str, Any]:
    """The results-table values of one :class:`verify.train.RunResult`.

    Success is the held-out *sampled* success ``success/L{L}/sampled``.  Returns
    ``time/L{L}/{v}`` (first crossing of level v in updates, linearly interpolated
    between logged records, :func:`verify.compare.first_crossing`; ``None`` if never),
    ``final/L{L}``, and the observed ``regime``, ``first_phase_updates`` and
    ``plateau_updates`` (longest plateau) by the rules of :mod:`dynamics.predict`, as
    :func:`verify.compare.observed_regime` applies them to observed curves.

    Examples
    --------
    >>> import tempfile
    >>> from verify.config import RunConfig
    >>> from verify.train import train
    >>> res = train(RunConfig(group="Z6", horizons=(2, 3), n_ids=4, batch=32, updates=4,
    ...                       log_every=2, checkpoint_every=2, eval_prompts=8),
    ...             tempfile.mkdtemp(), progress=False)
    >>> row = summarize_run(res, levels=(0.5,))
    >>> sorted(k for k in row if k.startswith(("time", "final")))
    ['final/L2', 'final/L3', 'time/L2/0.5', 'time/L3/0.5']
    """
    import numpy as np

    from .compare import first_crossing, observed_regime
    cfg = result.config
    t = np.asarray(result.steps, dtype=float)
    P = np.array([np.asarray(result.metrics[f"success/L{L}/sampled"], dtype=float)
                  for L in cfg.horizons]).reshape(len(cfg.horizons), t.size)
    out: dict[str, Any] = {}
    for L, y in zip(cfg.horizons, P):
        out[f"final/L{L}"] = float(y[-1]) if y.size else None
        for v in levels:
            out[f"time/L{L}/{v:g}"] = num(first_crossing(t, y, v)) if y.size else None
    if t.size:
        obs = observed_regime(cfg, t, P)
        out.update(regime=obs["regime"], first_phase_updates=num(obs["first_phase"]),
                   plateau_updates=num(obs["longest_plateau"]))
    return out


# ============================================================================ results table
_BASE_COLUMNS = {"run_id": "TEXT PRIMARY KEY", "sweep": "TEXT", "cell": "TEXT", "run_dir": "TEXT",
                 "group_order": "INTEGER", "ratio": "REAL", "hard_horizon": "INTEGER",
                 "status": "TEXT", "error": "TEXT", "wall_s": "REAL", "cpu_s": "REAL",
                 "attempts": "INTEGER",
                 "finished_at": "TEXT", "regime": "TEXT", "first_phase_updates": "REAL",
                 "plateau_updates": "REAL"}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _config_columns() -> dict[str, str]:
    import typing
    hints = typing.get_type_hints(RunConfig)
    out = {}
    for f in dataclasses.fields(RunConfig):
        h = hints[f.name]
        out[f.name] = ("INTEGER" if h in (int, bool) else "REAL" if h is float else "TEXT")
    return out


def _damaged(db: Path, err: Exception) -> ValueError:
    return ValueError(f"{db} is not a readable results database ({err}); restore it, or delete "
                      f"it and rerun the sweep (finished runs are re-read from their "
                      f"directories, not retrained).")


def open_results(path: str | os.PathLike, *, create: bool = True) -> sqlite3.Connection:
    """Open a results database (creating it when ``create``); rows are :class:`sqlite3.Row`.

    A damaged file is a ``ValueError`` naming it and what to do.

    Examples
    --------
    >>> import tempfile, os
    >>> db = os.path.join(tempfile.mkdtemp(), "results.sqlite")
    >>> conn = open_results(db); n = conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
    >>> conn.close(); n
    0
    >>> _ = open(db, "wb").write(b"not a database" * 100)
    >>> open_results(db)
    Traceback (most recent call last):
    ...
    ValueError: .../results.sqlite is not a readable results database (file is not a database); restore it, or delete it and rerun the sweep (finished runs are re-read from their directories, not retrained).
    """
    db = Path(path)
    if not create and not db.is_file():
        raise ValueError(f"no results database at {str(db)!r}; pass DIR/{RESULTS_NAME} of a "
                         f"sweep (python -m verify sweep SPEC --out DIR), or its directory.")
    try:
        conn = sqlite3.connect(db.resolve().as_uri() + ("?mode=rwc" if create else "?mode=rw"),
                               uri=True, timeout=30.0)
        conn.row_factory = sqlite3.Row
        cols = {**_BASE_COLUMNS, **_config_columns()}
        if not create and not conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='runs'").fetchone():
            conn.close()
            raise sqlite3.DatabaseError("it has no table 'runs'")
        with conn:
            conn.execute("CREATE TABLE IF NOT EXISTS runs ("
                         + ", ".join(f"{_q(k)} {t}" for k, t in cols.items()) + ")")
        _ensure_columns(conn, cols)
    except sqlite3.DatabaseError as err:
        raise _damaged(db, err) from None
    return conn


def resolve_run_dir(db: str | os.PathLike, stored: str) -> Path:
    """The run directory a row's ``run_dir`` names: relative paths are relative to the
    directory of the database ``db`` (the sweep directory), whatever the current working
    directory; rows of older sweeps (relative to the directory the sweep was started
    from) are found by their ``runs/<slug>`` tail.

    Examples
    --------
    >>> str(resolve_run_dir("/data/sw/results.sqlite", "runs/a_1"))
    '/data/sw/runs/a_1'
    >>> str(resolve_run_dir("/data/sw/results.sqlite", "old/cwd/sw/runs/a_1"))
    '/data/sw/runs/a_1'
    """
    p = Path(stored)
    if p.is_absolute():
        return p
    root = Path(db).parent
    if p.parent.name == "runs":
        return root / "runs" / p.name
    return root / p


def _ensure_columns(conn: sqlite3.Connection, cols: Mapping[str, str]) -> None:
    have = {r[1] for r in conn.execute("PRAGMA table_info(runs)")}
    with conn:
        for k, t in cols.items():
            if k not in have:
                conn.execute(f"ALTER TABLE runs ADD COLUMN {_q(k)} {t}")


def _config_row(run: SweepRun, spec: SweepSpec, run_dir: Path) -> dict[str, Any]:
    cfg = run.config
    row: dict[str, Any] = {}
    for k, v in cfg.to_dict().items():
        if isinstance(v, list):
            v = ",".join(f"{x:g}" if isinstance(x, float) else str(x) for x in v)
        elif isinstance(v, bool):
            v = int(v)
        row[k] = v
    run_dir = Path(run_dir)
    # relative to the sweep directory (resolve_run_dir), so any working directory finds it
    stored = (f"runs/{run_dir.name}" if run_dir.parent.name == "runs"
              else str(run_dir.resolve()))
    row.update(run_id=run.run_id, sweep=spec.name, run_dir=stored,
               cell=json.dumps(dict(run.cell)), group_order=cfg.G.order,
               ratio=cfg.spectrum.max_ratio, hard_horizon=max(cfg.horizons))
    return row


def _write_row(conn: sqlite3.Connection, row: Mapping[str, Any]) -> None:
    """Insert or replace one row in a single transaction (complete or absent)."""
    extra = {k: ("TEXT" if isinstance(v, str) else "REAL") for k, v in row.items()}
    _ensure_columns(conn, extra)
    keys = list(row)
    with conn:
        conn.execute(f"INSERT OR REPLACE INTO runs ({', '.join(_q(k) for k in keys)}) "
                     f"VALUES ({', '.join('?' for _ in keys)})", [row[k] for k in keys])


def _db_path(path: str | os.PathLike) -> Path:
    p = Path(path)
    return p / RESULTS_NAME if p.is_dir() else p


def read_results(path: str | os.PathLike, *, status: str | None = None) -> list[dict[str, Any]]:
    """Rows of a results database (or a sweep directory) as dicts, in insertion order, with
    ``run_dir`` resolved to an absolute path (:func:`resolve_run_dir`).

    Never creates a database: a missing one is a ``ValueError``.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> read_results(os.path.join(d, "results.sqllite"))
    Traceback (most recent call last):
    ...
    ValueError: no results database at '.../results.sqllite'; pass DIR/results.sqlite of a sweep (python -m verify sweep SPEC --out DIR), or its directory.
    >>> os.listdir(d)
    []
    """
    db = _db_path(path)
    conn = open_results(db, create=False)
    try:
        q = "SELECT * FROM runs" + (" WHERE status = ?" if status else "") + " ORDER BY rowid"
        rows = [dict(r) for r in conn.execute(q, (status,) if status else ())]
    except sqlite3.DatabaseError as err:
        raise _damaged(db, err) from None
    finally:
        conn.close()
    for r in rows:
        if r.get("run_dir"):
            r["run_dir"] = str(resolve_run_dir(db, r["run_dir"]))
    return rows


def refresh_results(path: str | os.PathLike, *, levels: Sequence[float] | None = None) -> int:
    """Re-summarise every ``done`` row from its run directory (after a change of the
    summary rules, or to add levels), without training; returns the rows rewritten.

    ``levels`` defaults to those of the sweep's ``spec.json``.  Run directories are found
    relative to the database (:func:`resolve_run_dir`), not to the working directory.

    Examples
    --------
    >>> import tempfile, os
    >>> db = os.path.join(tempfile.mkdtemp(), "results.sqlite")
    >>> open_results(db).close(); refresh_results(db)       # no finished run to re-read
    0
    """
    from .rundir import read_json
    from .train import RunResult
    db = _db_path(path)
    if levels is None:
        spec_json = db.parent / "spec.json"
        levels = (read_json(spec_json)["levels"] if spec_json.exists() else DEFAULT_LEVELS)
    conn = open_results(db, create=False)
    try:
        rows = [dict(r) for r in conn.execute("SELECT run_id, run_dir FROM runs WHERE status='done'")]
        for r in rows:
            _write_row_update(conn, r["run_id"], summarize_run(
                RunResult.from_dir(resolve_run_dir(db, r["run_dir"])), levels))
    finally:
        conn.close()
    return len(rows)


def _write_row_update(conn: sqlite3.Connection, run_id: str, values: Mapping[str, Any]) -> None:
    _ensure_columns(conn, {k: ("TEXT" if isinstance(v, str) else "REAL") for k, v in values.items()})
    keys = list(values)
    with conn:
        conn.execute(f"UPDATE runs SET {', '.join(_q(k) + ' = ?' for k in keys)} WHERE run_id = ?",
                     [values[k] for k in keys] + [run_id])


