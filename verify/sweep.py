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
import signal
import sys
from pathlib import Path

from .sweep_engine import SweepInterrupt, SweepResult, run_sweep  # noqa: F401
from .sweep_spec import (DEFAULT_LEVELS, DERIVED_AXES, SPECTRUM_KEYS, SWEEP_KEYS,  # noqa: F401
                         SweepRun, SweepSpec, config_id, expand, load_spec, parse_spec,
                         preset_names, preset_path)
from .sweep_store import (RESULTS_NAME, _config_row, _write_row, open_results,  # noqa: F401
                          read_results, refresh_results, summarize_run)

__all__ = ["SweepSpec", "SweepRun", "SweepResult", "load_spec", "parse_spec", "expand",
           "preset_path", "preset_names", "summarize_run", "refresh_results", "run_sweep",
           "read_results", "open_results", "add_subcommands", "build_parser", "main"]


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
    p.add_argument("--threads", "--workers", dest="workers", type=int, default=None,
                   help="CPU threads of the embedded LocalCluster: one single-threaded worker "
                        "process each (default: the number of cores; --workers is an alias)")
    p.add_argument("--restart", action="store_true",
                   help="refuse an existing results table instead of resuming it")
    p.add_argument("--dry-run", action="store_true", help="list the runs and exit")
    p.add_argument("--refresh", action="store_true",
                   help="re-summarise the finished runs of OUT from their directories and exit")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    p.add_argument("--json", default=None, metavar="PATH",
                   help="also write the outcome as JSON ('-': stdout)")
    p.set_defaults(_handler=_cmd_sweep)


def _add_phase_parser(sub) -> None:
    p = sub.add_parser("phase-diagram", help="draw the empirical phase diagram of a sweep",
                       description="Colour each cell by its observed regime or plateau length "
                                   "over (R, c_B) or (R, |G|), draw the dynamics-predicted "
                                   "boundary over it, and summarise their agreement.")
    p.add_argument("results", help="results.sqlite, or the sweep directory holding it")
    p.add_argument("--y", "--over", dest="y", type=_y_axis, default="c_B",
                   metavar="{c_B,group_order}",
                   help="vertical axis: c_B or |G| (group_order); cB and order are aliases, "
                        "--over (dynamics' spelling) too (default c_B)")
    p.add_argument("--color", choices=("regime", "plateau"), default="regime",
                   help="colour by the majority regime label or the mean plateau length")
    p.add_argument("--out", default=None,
                   help="figure path (default: phase_diagram.png beside the results)")
    p.add_argument("--summary", default=None,
                   help="markdown summary path (default: phase_diagram.md beside the figure)")
    p.add_argument("--no-prediction", action="store_true",
                   help="skip the dynamics prediction (empirical diagram only)")
    p.add_argument("--threads", type=int, default=None,
                   help="threads for the prediction (torch, and numpy/scipy's BLAS/OpenMP "
                        "pools; default: their own)")
    p.add_argument("--json", default=None, metavar="PATH",
                   help="also write the diagram as JSON ('-': stdout)")
    p.set_defaults(_handler=_cmd_phase)


def _y_axis(text: str) -> str:
    """``--y``: ``c_B`` or ``group_order``, with dynamics' ``cB`` and ``order`` as aliases."""
    y = {"cB": "c_B", "c-B": "c_B", "order": "group_order"}.get(text, text)
    if y not in ("c_B", "group_order"):
        raise argparse.ArgumentTypeError(f"expected c_B or group_order (aliases cB, order); "
                                         f"got {text!r}")
    return y


def add_subcommands(subparsers) -> None:
    """Register ``sweep`` and ``phase-diagram`` on an argparse subparsers object; each sets
    ``args._handler(args) -> int``.

    Examples
    --------
    >>> import argparse
    >>> p = argparse.ArgumentParser(); add_subcommands(p.add_subparsers(dest="command"))
    >>> args = p.parse_args(["sweep", "small", "--out", "/tmp/sw", "--dry-run"])
    >>> args.spec, args.dry_run, args._handler.__name__
    ('small', True, '_cmd_sweep')
    """
    _add_sweep_parser(subparsers)
    _add_phase_parser(subparsers)


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def _cmd_sweep(args: argparse.Namespace) -> int:
    from groupfourier._io import json_output
    if args.workers is not None and args.workers < 1:
        raise ValueError(f"--threads must be an integer >= 1; got {args.workers}.")
    with json_output(args.json):
        return _sweep(args, load_spec(args.spec))


def _sweep(args: argparse.Namespace, spec: SweepSpec) -> int:
    from groupfourier._io import write_json
    if args.refresh:
        from .sweep_engine import sweep_lock
        with sweep_lock(args.out):
            n = refresh_results(args.out, levels=spec.levels)
        print(f"[sweep] re-summarised {n} finished runs in {Path(args.out) / RESULTS_NAME}")
        if args.json:
            write_json(args.json, {"refreshed": n,
                                   "results_path": str(Path(args.out) / RESULTS_NAME)})
        return 0
    if args.dry_run:
        for r in expand(spec):
            print(f"{r.run_id}  {r.slug}  horizons={r.config.horizons}")
        print(f"{spec.n_runs} runs ({' x '.join(map(str, spec.shape))} cells x "
              f"{len(spec.seeds) if 'seed' not in spec.axes else 1} seeds)")
        if args.json:
            write_json(args.json, {"n_runs": spec.n_runs, "runs": [
                {"run_id": r.run_id, "slug": r.slug, "horizons": list(r.config.horizons)}
                for r in expand(spec)]})
        return 0
    # SIGTERM (a batch scheduler's stop) interrupts cleanly, as Ctrl-C does
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        res = run_sweep(spec, args.out, scheduler=args.scheduler, n_workers=args.workers,
                        resume=not args.restart, progress=not args.no_progress)
    finally:
        signal.signal(signal.SIGTERM, previous)
    print(f"[sweep] {res.message}; {res.wall_s:.1f} s; results in {res.results_path}")
    if args.json:
        write_json(args.json, {"status": res.status, "message": res.message,
                               "results_path": str(res.results_path), "n_runs": res.n_runs,
                               "n_done": res.n_done, "n_failed": res.n_failed,
                               "n_skipped": res.n_skipped, "wall_s": res.wall_s})
    return 0 if res.status == 1 else 1


def _cmd_phase(args: argparse.Namespace) -> int:
    from groupfourier._io import json_output, write_json

    from .cli import thread_limit
    from .empirical_phase import phase_diagram
    with json_output(args.json), thread_limit(args.threads):
        res = phase_diagram(args.results, y=args.y, color=args.color, figure=args.out,
                            summary=args.summary, predict=not args.no_prediction)
        print(res.markdown)
        print(f"[phase-diagram] figure {res.figure}; summary {res.summary_path}")
        if args.json:
            write_json(args.json, {**res.phase.to_dict(), "figure": str(res.figure),
                                   "summary": str(res.summary_path)})
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The standalone parser of ``python -m verify.sweep``.

    Examples
    --------
    >>> build_parser().parse_args(["phase-diagram", "sw", "--y", "group_order"]).y
    'group_order'
    """
    parser = argparse.ArgumentParser(prog="python -m verify.sweep",
                                     description="Sweeps of verify runs and their empirical "
                                                 "phase diagram.")
    sub = parser.add_subparsers(dest="command", required=True)
    add_subcommands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point; bad input and OS errors become one line on stderr and exit code 2
    (:func:`verify.cli.run_cli`).

    Examples
    --------
    >>> import contextlib, io
    >>> err = io.StringIO()
    >>> with contextlib.redirect_stderr(err):
    ...     code = main(["sweep", "/nonexistent/spec.toml", "--out", "/tmp/x"])
    >>> code, err.getvalue().startswith("error: load_spec: no spec file")
    (2, True)
    """
    from .cli import run_cli
    args = build_parser().parse_args(argv)
    return run_cli(lambda: args._handler(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

