r"""Sweeps of training runs: a TOML/YAML grid over ``verify run`` options, run in parallel
through Dask distributed, recorded run by run in one SQLite table, resumable.

A *spec* names fixed options, a grid and the seeds::

    [sweep]                 # name, description, seeds, levels (success levels to time)
    name = "small"
    seeds = [0, 1]
    levels = [0.5, 0.9]

    [base]                  # any `verify run` option (a RunConfig field), fixed
    group = "D6"
    head = "ideal"
    updates = 1200

    [grid]                  # lists of values; the sweep is their Cartesian product
    ratio = [2.0, 3.0, 4.0] # `ratio` builds the horizons from [spectrum]
    c_B = [2.0, 4.0, 8.0]

    [spectrum]              # a geometric ladder: `first` (or `last`) and `n_levels`
    first = 2
    n_levels = 2

Each grid point (a *cell*) and seed is one :class:`~verify.config.RunConfig`, trained by
:func:`verify.train` into its own directory ``OUT/runs/<cell>-<id>``.  The run id is a
hash of the full config, so two cells that give the same config are *duplicates* (an
error before anything runs) and the same config is never trained twice into one table.

Execution uses Dask distributed: an embedded :class:`distributed.LocalCluster` with one
single-threaded worker process per core (torch, OpenMP and BLAS limited to one thread
inside each run, so parallel runs do not oversubscribe the cores), or a running cluster
given by its scheduler address.  Results come back to this process, which alone writes
``OUT/results.sqlite``: one row per run (table ``runs``), written in one transaction
when the run ends, so a row is either complete or absent.  Columns: the run id, sweep
and cell, every RunConfig field (horizons and weights as comma-separated text), the
derived ``group_order``, ``ratio`` (largest consecutive horizon ratio) and
``hard_horizon``; ``status`` (``pending``, ``done`` or ``failed``), ``error``,
``wall_s``, ``cpu_s`` (CPU seconds of the worker process), ``attempts``,
``finished_at``; the observed ``regime``, ``first_phase_updates`` and
``plateau_updates`` (:func:`summarize_run`, by the rules of :mod:`dynamics.predict`);
and per horizon L and level v the columns ``"time/L{L}/{v}"`` (first update with
held-out sampled success >= v, interpolated between logs; NULL if never) and
``"final/L{L}"`` (final sampled success).

Resuming (the default) skips every ``done`` row; failed and interrupted runs are run
again, continuing from their own checkpoint.  A failed run records its error and the
sweep goes on.

Command line (``python -m verify.sweep --help``; wired as ``python -m verify sweep``)::

    python -m verify.sweep sweep small --out /tmp/sweep-small           # a preset, or a path
    python -m verify.sweep sweep my.toml --out DIR --scheduler tcp://host:8786
    python -m verify.sweep phase-diagram DIR/results.sqlite --y c_B
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import hashlib
import itertools
import json
import logging
import math
import os
import secrets
import signal
import sqlite3
import sys
import time
import traceback
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from .config import RunConfig

__all__ = ["SweepSpec", "SweepRun", "SweepResult", "load_spec", "parse_spec", "expand",
           "preset_path", "preset_names", "summarize_run", "refresh_results", "run_sweep",
           "read_results", "open_results", "add_subcommands", "build_parser", "main"]

#: Names of the spec's tables and of their keys.
SWEEP_KEYS = ("name", "description", "seeds", "levels")
SPECTRUM_KEYS = ("first", "last", "n_levels")
#: Grid axes that are not RunConfig fields.
DERIVED_AXES = ("ratio",)
DEFAULT_LEVELS = (0.5, 0.9)
RESULTS_NAME = "results.sqlite"


def _config_fields() -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(RunConfig))


def _unknown(who: str, names: Iterable[str], valid: Sequence[str]) -> None:
    bad = [n for n in names if n not in valid]
    if bad:
        hints = {b: difflib.get_close_matches(b, valid, n=1) for b in bad}
        hint = "; ".join(f"{b!r}: did you mean {h[0]!r}?" for b, h in hints.items() if h)
        raise ValueError(f"{who}: unknown option(s) {bad}; expected some of {sorted(valid)}."
                         + (f" ({hint})" if hint else ""))


def _canon(value: Any) -> Any:
    """TOML/YAML lists -> tuples, recursively (RunConfig fields are tuples)."""
    if isinstance(value, list):
        return tuple(_canon(v) for v in value)
    return value


# ============================================================================ spec
@dataclass(frozen=True, kw_only=True)
class SweepSpec:
    r"""A parsed, validated sweep specification.

    Parameters
    ----------
    name : str
        Recorded in every row (column ``sweep``).
    base : tuple of (str, value)
        Fixed RunConfig options.
    grid : tuple of (str, tuple)
        The axes, in spec order: a RunConfig field or ``ratio``, with its values.
    seeds : tuple of int
        Seeds of every cell (``(base seed,)`` when the spec gives none and no ``seed``
        axis).
    levels : tuple of float
        Success levels whose first crossing is recorded per horizon, each in (0, 1].
    spectrum : tuple of (str, int)
        ``first`` or ``last``, and ``n_levels``: how a ``ratio`` becomes horizons.
    description, source : str

    Examples
    --------
    >>> spec = parse_spec({"base": {"group": "D4", "horizons": [2, 4]}, "grid": {"c_B": [2.0, 4.0]}})
    >>> spec.shape, spec.n_runs
    ((2,), 2)
    """

    name: str = "sweep"
    base: tuple[tuple[str, Any], ...] = ()
    grid: tuple[tuple[str, tuple], ...] = ()
    seeds: tuple[int, ...] = (0,)
    levels: tuple[float, ...] = DEFAULT_LEVELS
    spectrum: tuple[tuple[str, int], ...] = ()
    description: str = ""
    source: str = "<spec>"

    @property
    def axes(self) -> tuple[str, ...]:
        """Names of the grid axes, in spec order."""
        return tuple(k for k, _ in self.grid)

    @property
    def shape(self) -> tuple[int, ...]:
        """Number of values on each axis."""
        return tuple(len(v) for _, v in self.grid)

    @property
    def n_runs(self) -> int:
        """Cells times seeds."""
        return math.prod(self.shape) * len(self.seeds)


def _check_levels(who: str, levels: Any) -> tuple[float, ...]:
    if not isinstance(levels, (list, tuple)) or not levels:
        raise ValueError(f"{who}: levels must be a non-empty list of numbers in (0, 1]; "
                         f"got levels={levels!r}.")
    out = []
    for v in levels:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v <= 1:
            raise ValueError(f"{who}: each level must be a number in (0, 1]; got {v!r} in "
                             f"levels={levels!r}.")
        out.append(float(v))
    return tuple(sorted(set(out)))


def _check_seeds(who: str, seeds: Any) -> tuple[int, ...]:
    if not isinstance(seeds, (list, tuple)) or not seeds:
        raise ValueError(f"{who}: seeds must be a non-empty list of integers; got seeds={seeds!r}.")
    for s in seeds:
        if isinstance(s, bool) or not isinstance(s, int) or s < 0:
            raise ValueError(f"{who}: each seed must be an integer >= 0; got {s!r} in "
                             f"seeds={seeds!r}.")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"{who}: seeds must be distinct (duplicate runs); got seeds={seeds!r}.")
    return tuple(seeds)


def parse_spec(data: Mapping[str, Any], *, source: str = "<spec>") -> SweepSpec:
    """Validate a spec mapping (as read from TOML or YAML) into a :class:`SweepSpec`.

    Every configuration is built once here, so an invalid one fails before anything
    runs; see :func:`expand` for the runs themselves.

    Raises
    ------
    ValueError
        Naming the unknown table or option, the empty axis, or the cell whose values
        ``RunConfig`` rejects (with its message), and the spec's source.

    Examples
    --------
    >>> parse_spec({"grid": {"cB": [2.0]}})
    Traceback (most recent call last):
    ...
    ValueError: sweep spec <spec> [grid]: unknown option(s) ['cB']; ... did you mean 'c_B'?)
    """
    who = f"sweep spec {source}"
    if not isinstance(data, Mapping):
        raise ValueError(f"{who}: expected a table with [sweep], [base], [grid], [spectrum]; "
                         f"got {type(data).__name__}.")
    _unknown(who, data, ("sweep", "base", "grid", "spectrum"))
    tables = {}
    for t in ("sweep", "base", "grid", "spectrum"):
        v = data.get(t, {})
        if not isinstance(v, Mapping):
            raise ValueError(f"{who}: [{t}] must be a table of options; got {v!r}.")
        tables[t] = dict(v)
    meta, base, grid, spec = tables["sweep"], tables["base"], tables["grid"], tables["spectrum"]
    fields = _config_fields()
    _unknown(f"{who} [sweep]", meta, SWEEP_KEYS)
    _unknown(f"{who} [base]", base, fields)
    _unknown(f"{who} [grid]", grid, fields + DERIVED_AXES)
    _unknown(f"{who} [spectrum]", spec, SPECTRUM_KEYS)
    if not grid:
        raise ValueError(f"{who}: [grid] is empty; give at least one option with a list of "
                         f"values, e.g. c_B = [2.0, 4.0].")
    axes = []
    for k, vals in grid.items():
        if not isinstance(vals, list):
            raise ValueError(f"{who} [grid]: {k} must be a list of values; got {k}={vals!r}. "
                             f"Put a fixed option in [base].")
        if not vals:
            raise ValueError(f"{who} [grid]: {k} = [] is empty, so the grid has no cell; give "
                             f"at least one value or remove the axis.")
        vals = tuple(_canon(v) for v in vals)
        dup = sorted({repr(v) for v in vals if vals.count(v) > 1})
        if dup:
            raise ValueError(f"{who} [grid]: {k} repeats value(s) {', '.join(dup)} "
                             f"(duplicate cells); list each value once.")
        axes.append((k, vals))
    both = sorted(set(base) & set(grid))
    if both:
        raise ValueError(f"{who}: option(s) {both} are in both [base] and [grid]; keep one.")
    uses_ratio = "ratio" in grid
    if uses_ratio and ("horizons" in base or "horizons" in grid):
        raise ValueError(f"{who}: the ratio axis builds the horizons from [spectrum]; remove "
                         f"'horizons' from [base]/[grid] or remove the ratio axis.")
    if uses_ratio:
        if ("first" in spec) == ("last" in spec):
            raise ValueError(f"{who} [spectrum]: a ratio axis needs exactly one of 'first' (the "
                             f"shortest horizon) or 'last' (the longest); got {spec!r}.")
        spec.setdefault("n_levels", 2)
        for k, v in spec.items():
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError(f"{who} [spectrum]: {k} must be an integer >= 1; got {k}={v!r}.")
        if spec["n_levels"] < 2:
            raise ValueError(f"{who} [spectrum]: n_levels must be >= 2 for a ratio to mean "
                             f"anything; got n_levels={spec['n_levels']}.")
    elif spec:
        raise ValueError(f"{who}: [spectrum] is only used by a 'ratio' axis in [grid]; add one "
                         f"or remove [spectrum].")
    if "seeds" in meta and "seed" in grid:
        raise ValueError(f"{who}: give the seeds once, as [sweep] seeds or as a 'seed' axis.")
    if "seeds" in meta and "seed" in base:
        raise ValueError(f"{who}: give the seeds once, as [sweep] seeds or as [base] seed.")
    seeds = (_check_seeds(who, meta["seeds"]) if "seeds" in meta
             else (int(base.get("seed", RunConfig.seed)),))
    name = meta.get("name", Path(source).stem if source != "<spec>" else "sweep")
    if not isinstance(name, str) or not name:
        raise ValueError(f"{who}: [sweep] name must be a non-empty string; got {name!r}.")
    out = SweepSpec(name=name, base=tuple((k, _canon(v)) for k, v in base.items()),
                    grid=tuple(axes), seeds=seeds,
                    levels=_check_levels(who, meta.get("levels", list(DEFAULT_LEVELS))),
                    spectrum=tuple(spec.items()), description=str(meta.get("description", "")),
                    source=source)
    expand(out)  # builds every RunConfig: bad values and duplicates fail now
    return out


def load_spec(path: str | os.PathLike) -> SweepSpec:
    """Read a spec from a ``.toml`` (tomllib) or ``.yaml``/``.yml`` file (PyYAML, which
    Dask already requires), or a preset name (:func:`preset_names`).

    Examples
    --------
    >>> load_spec("small").name
    'small'
    """
    p = Path(path)
    if not p.exists() and str(path) in preset_names():
        p = preset_path(str(path))
    if not p.exists():
        raise ValueError(f"load_spec: no spec file {str(path)!r}; pass a .toml/.yaml path or "
                         f"a preset name from {list(preset_names())}.")
    suffix = p.suffix.lower()
    if suffix not in (".toml", ".yaml", ".yml"):
        raise ValueError(f"load_spec: {str(p)!r} has suffix {suffix!r}; expected .toml, "
                         f".yaml or .yml.")
    try:
        if suffix == ".toml":
            import tomllib
            data = tomllib.loads(p.read_text())
        else:
            import yaml
            data = yaml.safe_load(p.read_text()) or {}
    except Exception as err:  # tomllib.TOMLDecodeError, yaml.YAMLError
        raise ValueError(f"load_spec: cannot parse {str(p)!r}: {err}") from None
    return parse_spec(data, source=str(p))


def preset_names() -> tuple[str, ...]:
    """Names of the sweep presets shipped in ``verify/sweeps/*.toml``.

    Examples
    --------
    >>> "small" in preset_names()
    True
    """
    root = resources.files("verify") / "sweeps"
    return tuple(sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".toml")))


def preset_path(name: str) -> Path:
    """Path of the preset ``name``'s TOML file."""
    if name not in preset_names():
        raise ValueError(f"preset_path: unknown sweep preset {name!r}; expected one of "
                         f"{list(preset_names())}.")
    return Path(str(resources.files("verify") / "sweeps" / f"{name}.toml"))


# ============================================================================ expansion
@dataclass(frozen=True)
class SweepRun:
    """One run of a sweep: its cell (axis values and seed), config, id and directory name.

    ``run_id`` is the first 16 hex digits of the SHA-1 of the config's JSON, so equal
    configs have equal ids, whatever the spec that produced them.
    """

    cell: tuple[tuple[str, Any], ...]
    config: RunConfig
    run_id: str

    @property
    def slug(self) -> str:
        """Directory name: the cell's ``key=value`` pairs and the id."""
        def fmt(v: Any) -> str:
            if isinstance(v, tuple):
                return "-".join(fmt(x) for x in v)
            return f"{v:g}" if isinstance(v, float) else str(v)
        parts = [f"{k}={fmt(v)}" for k, v in self.cell]
        safe = "_".join(parts).replace("/", "-").replace(" ", "")
        return f"{safe}_{self.run_id[:8]}"


def config_id(config: RunConfig) -> str:
    """Stable id of a config: SHA-1 of its sorted JSON, 16 hex digits.

    Examples
    --------
    >>> config_id(RunConfig()) == config_id(RunConfig(seed=0))
    True
    """
    return hashlib.sha1(json.dumps(config.to_dict(), sort_keys=True).encode()).hexdigest()[:16]


def _horizons_for_ratio(spec: SweepSpec, ratio: Any) -> tuple[int, ...]:
    from dynamics.spectrum import Spectrum
    s = dict(spec.spectrum)
    if isinstance(ratio, bool) or not isinstance(ratio, (int, float)) or not ratio > 1:
        raise ValueError(f"sweep spec {spec.source} [grid]: each ratio must be a number > 1; "
                         f"got ratio={ratio!r}.")
    n = s["n_levels"]
    if "first" in s:
        return Spectrum.geometric(s["first"], float(ratio), n).horizons
    return tuple(int(round(s["last"] / float(ratio) ** (n - 1 - i))) for i in range(n))


def expand(spec: SweepSpec) -> tuple[SweepRun, ...]:
    """Every run of ``spec``: the Cartesian product of the axes (last axis fastest), each
    cell with every seed.

    Raises
    ------
    ValueError
        If a cell's values are rejected by ``RunConfig`` (naming the cell), or if two
        cells give the same config (naming both).

    Examples
    --------
    >>> spec = parse_spec({"base": {"group": "D4", "n_ids": 8}, "grid": {"ratio": [2.0, 4.0]},
    ...                    "spectrum": {"first": 2}, "sweep": {"seeds": [0, 1]}})
    >>> [(r.config.horizons, r.config.seed) for r in expand(spec)]
    [((2, 4), 0), ((2, 4), 1), ((2, 8), 0), ((2, 8), 1)]
    """
    who = f"sweep spec {spec.source}"
    base = dict(spec.base)
    seed_axis = "seed" in spec.axes
    seeds = (None,) if seed_axis else spec.seeds
    runs, seen = [], {}
    for values in itertools.product(*(v for _, v in spec.grid)):
        cell = tuple(zip(spec.axes, values))
        for seed in seeds:
            kw = dict(base)
            for k, v in cell:
                if k == "ratio":
                    kw["horizons"] = _horizons_for_ratio(spec, v)
                else:
                    kw[k] = v
            if seed is not None:
                kw["seed"] = seed
            full = cell if seed is None else cell + (("seed", seed),)
            try:
                cfg = RunConfig(**kw)
            except (ValueError, TypeError) as err:
                raise ValueError(f"{who}: cell {_cell_text(full)} is not a valid run: {err}") from None
            run = SweepRun(cell=full, config=cfg, run_id=config_id(cfg))
            if run.run_id in seen:
                raise ValueError(f"{who}: duplicate cells {_cell_text(seen[run.run_id].cell)} and "
                                 f"{_cell_text(full)} give the same run (horizons "
                                 f"{cfg.horizons}); drop one of the values.")
            seen[run.run_id] = run
            runs.append(run)
    return tuple(runs)


def _cell_text(cell: Iterable[tuple[str, Any]]) -> str:
    return "{" + ", ".join(f"{k}={v!r}" for k, v in cell) + "}"


# ============================================================================ one run
def summarize_run(result: Any, levels: Sequence[float]) -> dict[str, Any]:
    """The results-table values of one :class:`verify.train.RunResult`.

    Success is the held-out *sampled* success ``success/L{L}/sampled``.  Returns
    ``time/L{L}/{v}`` (first crossing of level v in updates, linearly interpolated
    between logged records, :func:`verify.compare.first_crossing`; ``None`` if never),
    ``final/L{L}``, and the observed ``regime``, ``first_phase_updates`` and
    ``plateau_updates`` (longest plateau) by the rules of :mod:`dynamics.predict`, as
    :func:`verify.compare.observed_regime` applies them to observed curves.
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
            out[f"time/L{L}/{v:g}"] = _finite(first_crossing(t, y, v)) if y.size else None
    if t.size:
        obs = observed_regime(cfg, t, P)
        out.update(regime=obs["regime"], first_phase_updates=_finite(obs["first_phase"]),
                   plateau_updates=_finite(obs["longest_plateau"]))
    return out


def _finite(x: float) -> float | None:
    return float(x) if x is not None and math.isfinite(x) else None


def _limit_threads() -> None:
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = "1"
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
            from .train import train as runner
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


def open_results(path: str | os.PathLike) -> sqlite3.Connection:
    """Open (creating if needed) a results database; rows are :class:`sqlite3.Row`."""
    conn = sqlite3.connect(str(path), timeout=30.0)
    conn.row_factory = sqlite3.Row
    cols = {**_BASE_COLUMNS, **_config_columns()}
    with conn:
        conn.execute("CREATE TABLE IF NOT EXISTS runs ("
                     + ", ".join(f"{_q(k)} {t}" for k, t in cols.items()) + ")")
    _ensure_columns(conn, cols)
    return conn


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
    row.update(run_id=run.run_id, sweep=spec.name, run_dir=str(run_dir),
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


def read_results(path: str | os.PathLike, *, status: str | None = None) -> list[dict[str, Any]]:
    """Rows of a results database (or a sweep directory) as dicts, in insertion order.

    Examples
    --------
    >>> import tempfile, os
    >>> read_results(os.path.join(tempfile.mkdtemp(), "results.sqlite"))
    []
    """
    p = Path(path)
    if p.is_dir():
        p = p / RESULTS_NAME
    if p.suffix != ".sqlite" and not p.exists():
        raise ValueError(f"read_results: {str(path)!r} is not a results database; pass "
                         f"DIR/{RESULTS_NAME} or a sweep directory.")
    conn = open_results(p)
    try:
        q = "SELECT * FROM runs" + (" WHERE status = ?" if status else "") + " ORDER BY rowid"
        return [dict(r) for r in conn.execute(q, (status,) if status else ())]
    finally:
        conn.close()


def refresh_results(path: str | os.PathLike, *, levels: Sequence[float] | None = None) -> int:
    """Re-summarise every ``done`` row from its run directory (after a change of the
    summary rules, or to add levels), without training; returns the rows rewritten.

    ``levels`` defaults to those of the sweep's ``spec.json``.
    """
    from .train import RunResult
    p = Path(path)
    db = p / RESULTS_NAME if p.is_dir() else p
    if not db.exists():
        raise ValueError(f"refresh_results: no results database at {str(db)!r}.")
    if levels is None:
        spec_json = db.parent / "spec.json"
        levels = (json.loads(spec_json.read_text())["levels"] if spec_json.exists()
                  else DEFAULT_LEVELS)
    conn = open_results(db)
    try:
        rows = [dict(r) for r in conn.execute("SELECT run_id, run_dir FROM runs WHERE status='done'")]
        for r in rows:
            _write_row_update(conn, r["run_id"],
                              summarize_run(RunResult.from_dir(Path(r["run_dir"])), levels))
    finally:
        conn.close()
    return len(rows)


def _write_row_update(conn: sqlite3.Connection, run_id: str, values: Mapping[str, Any]) -> None:
    _ensure_columns(conn, {k: ("TEXT" if isinstance(v, str) else "REAL") for k, v in values.items()})
    keys = list(values)
    with conn:
        conn.execute(f"UPDATE runs SET {', '.join(_q(k) + ' = ?' for k in keys)} WHERE run_id = ?",
                     [values[k] for k in keys] + [run_id])


# ============================================================================ execution
@dataclass(frozen=True, repr=False)
class SweepResult:
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
    """

    results_path: Path
    n_runs: int
    n_done: int
    n_failed: int
    n_skipped: int
    wall_s: float
    status: int
    message: str

    @property
    def success(self) -> bool:
        return self.status >= 0

    def __repr__(self) -> str:
        return (f"SweepResult(message={self.message!r}, status={self.status}, "
                f"results_path={str(self.results_path)!r})")


def _client(scheduler: str | None, n_workers: int | None):
    """A Dask client: on ``scheduler``, or on an embedded LocalCluster (one single-threaded
    worker process per core, dashboard on a free port)."""
    import dask
    from distributed import Client, LocalCluster
    if scheduler:
        return Client(scheduler), None
    n = n_workers or os.cpu_count() or 1
    env = {"OMP_NUM_THREADS": 1, "MKL_NUM_THREADS": 1, "OPENBLAS_NUM_THREADS": 1}
    with dask.config.set({"distributed.nanny.pre-spawn-environ": {
            **dask.config.get("distributed.nanny.pre-spawn-environ", {}), **env},
            "distributed.scheduler.worker-saturation": 1.0}):
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                               dashboard_address=":0", silence_logs=logging.CRITICAL)
    return Client(cluster), cluster


def run_sweep(spec: SweepSpec | str | os.PathLike, out_dir: str | os.PathLike, *,
              scheduler: str | None = None, client: Any = None, n_workers: int | None = None,
              resume: bool = True, progress: bool = True,
              callback: Callable[[SweepRun, dict], None] | None = None,
              runner: Callable | None = None) -> SweepResult:
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
        A tqdm bar on stderr: runs done / total, running, failed and the ETA.
    callback : callable(run, row), optional
        Called in this process after each run is recorded.  An exception raised here
        (or Ctrl-C) interrupts the sweep: recorded rows stay, the rest is cancelled.
    runner : callable(config, out_dir, *, resume, progress), optional
        Replaces :func:`verify.train` (tests, dry runs); must be picklable.

    Returns
    -------
    SweepResult
    """
    t_start = time.perf_counter()
    if not isinstance(spec, SweepSpec):
        spec = load_spec(spec)
    runs = expand(spec)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    db_path = out / RESULTS_NAME
    if not resume and db_path.exists():
        raise ValueError(f"run_sweep: {str(db_path)!r} exists and resume=False; resume it, or "
                         f"choose a new out_dir.")
    from .train import write_json_atomic
    write_json_atomic(out / "spec.json", {"name": spec.name, "source": spec.source,
                                          "base": dict(spec.base),
                                          "grid": {k: list(v) for k, v in spec.grid},
                                          "seeds": list(spec.seeds), "levels": list(spec.levels),
                                          "spectrum": dict(spec.spectrum)})
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
                client, own = _client(scheduler, n_workers)
                own = (client, own)
            n_threads = sum(client.nthreads().values()) or 1
            if progress:
                from tqdm.auto import tqdm
                bar = tqdm(total=len(runs), initial=skipped, unit="run", desc=f"sweep {spec.name}",
                           dynamic_ncols=True, file=sys.stderr)
                bar.set_postfix(running=min(n_threads, len(todo)), failed=0)
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
                if bar is not None:
                    bar.update(1)
                    bar.set_postfix(running=min(n_threads, remaining), failed=n_failed)
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
    """Raise from a ``callback`` to stop a sweep cleanly (as Ctrl-C does)."""


def _is_interrupt(err: BaseException) -> bool:
    return isinstance(err, SweepInterrupt)


# ============================================================================ CLI
def _add_sweep_parser(sub) -> None:
    p = sub.add_parser("sweep", help="run a grid of training runs in parallel (Dask)",
                       description="Expand a TOML/YAML sweep spec into runs and train them in "
                                   "parallel, recording one row per run in OUT/results.sqlite. "
                                   "Resumes by default.")
    p.add_argument("spec", help=f"spec file (.toml/.yaml) or preset name "
                                f"({', '.join(preset_names())})")
    p.add_argument("--out", required=True, help="sweep directory (results.sqlite, runs/)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="address of a running Dask scheduler (default: embedded LocalCluster)")
    p.add_argument("--workers", type=int, default=None,
                   help="LocalCluster worker processes (default: number of cores)")
    p.add_argument("--restart", action="store_true",
                   help="refuse an existing results table instead of resuming it")
    p.add_argument("--dry-run", action="store_true", help="list the runs and exit")
    p.add_argument("--refresh", action="store_true",
                   help="re-summarise the finished runs of OUT from their directories and exit")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    p.set_defaults(_handler=_cmd_sweep)


def _add_phase_parser(sub) -> None:
    p = sub.add_parser("phase-diagram", help="draw the empirical phase diagram of a sweep",
                       description="Colour each cell by its observed regime or plateau length "
                                   "over (R, c_B) or (R, |G|), draw the dynamics-predicted "
                                   "boundary over it, and summarise their agreement.")
    p.add_argument("results", help="results.sqlite, or the sweep directory holding it")
    p.add_argument("--y", choices=("c_B", "group_order"), default="c_B",
                   help="vertical axis: c_B or |G| (group_order) (default c_B)")
    p.add_argument("--color", choices=("regime", "plateau"), default="regime",
                   help="colour by the majority regime label or the mean plateau length")
    p.add_argument("--out", default=None,
                   help="figure path (default: phase_diagram.png beside the results)")
    p.add_argument("--summary", default=None,
                   help="markdown summary path (default: phase_diagram.md beside the figure)")
    p.add_argument("--no-prediction", action="store_true",
                   help="skip the dynamics prediction (empirical diagram only)")
    p.set_defaults(_handler=_cmd_phase)


def add_subcommands(subparsers) -> None:
    """Register ``sweep`` and ``phase-diagram`` on an argparse subparsers object; each sets
    ``args._handler(args) -> int``."""
    _add_sweep_parser(subparsers)
    _add_phase_parser(subparsers)


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def _cmd_sweep(args: argparse.Namespace) -> int:
    spec = load_spec(args.spec)
    if args.workers is not None and args.workers < 1:
        raise ValueError(f"--workers must be an integer >= 1; got {args.workers}.")
    if args.refresh:
        n = refresh_results(args.out, levels=spec.levels)
        print(f"[sweep] re-summarised {n} finished runs in {Path(args.out) / RESULTS_NAME}")
        return 0
    if args.dry_run:
        for r in expand(spec):
            print(f"{r.run_id}  {r.slug}  horizons={r.config.horizons}")
        print(f"{spec.n_runs} runs ({' x '.join(map(str, spec.shape))} cells x "
              f"{len(spec.seeds) if 'seed' not in spec.axes else 1} seeds)")
        return 0
    # SIGTERM (a batch scheduler's stop) interrupts cleanly, as Ctrl-C does
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        res = run_sweep(spec, args.out, scheduler=args.scheduler, n_workers=args.workers,
                        resume=not args.restart, progress=not args.no_progress)
    finally:
        signal.signal(signal.SIGTERM, previous)
    print(f"[sweep] {res.message}; {res.wall_s:.1f} s; results in {res.results_path}")
    return 0 if res.status == 1 else 1


def _cmd_phase(args: argparse.Namespace) -> int:
    from .empirical_phase import phase_diagram
    res = phase_diagram(args.results, y=args.y, color=args.color, figure=args.out,
                        summary=args.summary, predict=not args.no_prediction)
    print(res.markdown)
    print(f"[phase-diagram] figure {res.figure}; summary {res.summary_path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The standalone parser of ``python -m verify.sweep``."""
    parser = argparse.ArgumentParser(prog="python -m verify.sweep",
                                     description="Sweeps of verify runs and their empirical "
                                                 "phase diagram.")
    sub = parser.add_subparsers(dest="command", required=True)
    add_subcommands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point; a ``ValueError`` becomes one line on stderr and exit code 2."""
    args = build_parser().parse_args(argv)
    try:
        return args._handler(args)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
