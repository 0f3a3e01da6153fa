"""Command line: ``python -m verify {run,compare,pretrain,sweep,phase-diagram} --help``.

The README's main job::

    python -m verify run --preset quick --out runs/quick
    python -m verify compare runs/quick

``run`` builds its flags from :class:`verify.config.RunConfig` (the config is the single
source), trains one run, or every run of a preset into ``OUT/<name>``, and prints a table
of final held-out success.  ``compare`` puts each run beside the ``dynamics`` prediction
for its exact configuration, writes ``comparison.md``, ``comparison.json`` and
``comparison.png``, and prints the summary.  Bad input and OS errors become one line
on stderr and exit code 2 (:func:`verify.cli.run_cli`); a run that fails (non-finite
parameters) exits 1.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import typing
from pathlib import Path

from .config import PRESETS, RunConfig, preset

__all__ = ["main", "build_parser", "parse_ints", "parse_floats", "add_dataclass_flags"]


def parse_floats(text: str) -> tuple[float, ...]:
    """``"0.5,0.5"`` -> ``(0.5, 0.5)``; an argparse type with a clear error."""
    try:
        return tuple(float(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers such as "
                                         f"'0.5,0.3,0.2'; got {text!r}") from None


def parse_ints(text: str) -> tuple[int, ...]:
    """``"5,15,45"`` -> ``(5, 15, 45)``; an argparse type with a clear error."""
    try:
        return tuple(int(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers such as "
                                         f"'5,15,45'; got {text!r}") from None


def _shown_default(value: typing.Any) -> str:
    """A default as it is typed on the command line: ``5,15,45`` for a tuple."""
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    return str(value).replace("%", "%%")


def add_dataclass_flags(p: argparse._ActionsContainer, cls: type,
                        names: typing.Iterable[str] | None = None, *,
                        defaults: typing.Any = None) -> None:
    """One ``--flag`` per field of the dataclass ``cls`` (all fields, or ``names``).

    The field's type picks the parser: ``bool`` gets ``--x/--no-x``, a ``Literal`` its
    choices, ``int``/``float`` (optionally ``| None``) their type, ``horizons`` and
    ``weights`` comma-separated lists; the help is the field's ``help`` metadata and the
    default, read from ``defaults`` (an instance: the command's own defaults) or the
    class, and left out where the help already states it.  Flags not given are absent
    from the namespace (``argparse.SUPPRESS``).
    """
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for name in (fields if names is None else names):
        f, hint = fields[name], hints[name]
        text = f.metadata.get("help", "").replace("%", "%%")
        default = getattr(defaults, name) if defaults is not None else f.default
        if "default" not in text:
            text = f"{text} (default {_shown_default(default)})"
        kw: dict = {"dest": name, "default": argparse.SUPPRESS, "help": text}
        flag = "--" + name.replace("_", "-")
        numbers = [t for t in (typing.get_args(hint) or (hint,)) if t in (int, float)]
        if name == "horizons":
            p.add_argument(flag, type=parse_ints, **kw)
        elif name == "weights":
            p.add_argument(flag, type=parse_floats, **kw)
        elif hint is bool:
            p.add_argument(flag, action=argparse.BooleanOptionalAction, **kw)
        elif typing.get_origin(hint) is typing.Literal:
            p.add_argument(flag, choices=typing.get_args(hint), **kw)
        elif numbers:                                  # int, float, int | None, float | None
            p.add_argument(flag, type=numbers[0], **kw)
        else:
            p.add_argument(flag, type=str, **kw)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m verify",
        description="Train the theory's minimal model with outcome-only rewards (run), compare "
                    "it with the dynamics prediction (compare), sweep configurations (sweep, "
                    "phase-diagram).")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="train one run or a preset",
                         description="Train with outcome-only rewards on group state tracking.")
    run.add_argument("--preset", choices=sorted(PRESETS), default=None,
                     help="run every config of a preset into OUT/<name> (flags override it)")
    run.add_argument("--out", required=True, help="run directory (a preset: parent directory)")
    run.add_argument("--resume", action="store_true", help="continue from OUT's checkpoint")
    run.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    run.add_argument("--only", default=None, help="with --preset: comma-separated run names")
    run.add_argument("--threads", type=int, default=1,
                     help="torch CPU threads (default 1: the tensors are small, and one thread "
                          "per run is fastest, above all on a busy machine)")
    add_dataclass_flags(run, RunConfig)
    cmp_ = sub.add_parser("compare", help="compare runs with the dynamics prediction",
                          description="Observed against predicted success per horizon.")
    cmp_.add_argument("run_dir", help="a run directory, or a directory of run directories")
    cmp_.add_argument("--json", default=None, metavar="PATH",
                      help="also write the summary as JSON ('-': stdout)")
    pre = sub.add_parser("pretrain", help="pretrain (or rebuild) the learned head's cache",
                         description="Train the ReLU head on all one-step pairs to 100% accuracy.")
    pre.add_argument("--group", required=True, help="Z<n>, D<n> or S<n>")
    pre.add_argument("--hidden", type=int, default=256, help="hidden width (default 256)")
    pre.add_argument("--rebuild", action="store_true", help="retrain even if cached")
    pre.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    from .sweep import add_subcommands  # `sweep` and `phase-diagram`; dask is imported lazily
    add_subcommands(sub)
    return parser


_CFG_NAMES = {f.name for f in dataclasses.fields(RunConfig)}


def _final_table(results: dict) -> str:
    rows = ["| run | updates | " + "success (sampled / greedy) per horizon | canonical ids |",
            "|---|---:|---|---:|"]
    for name, res in results.items():
        f = res.final
        cells = ", ".join(f"L{L} {f[f'success/L{L}/sampled']:.3f}/{f[f'success/L{L}/greedy']:.3f}"
                          for L in res.config.horizons)
        rows.append(f"| {name} | {int(f['step'])} | {cells} | {f['canonical/ids']:.2f} |")
    return "\n".join(rows)


def select_runs(configs: dict, only: str | None, preset_name: str) -> dict:
    """The runs of a preset that ``--only`` names (comma-separated), or all of them."""
    if not only:
        return configs
    names = [x.strip() for x in only.split(",") if x.strip()]
    bad = sorted(set(names) - set(configs))
    if bad:
        raise ValueError(f"--only: unknown run(s) {bad} for preset {preset_name!r}; "
                         f"expected some of {sorted(configs)}.")
    return {k: configs[k] for k in names}


def _run(args: argparse.Namespace) -> int:
    from .cli import set_threads
    from .train import train
    set_threads(args.threads)
    overrides = {k: v for k, v in vars(args).items() if k in _CFG_NAMES}
    if args.preset:
        configs = preset(args.preset, **overrides)
        configs = select_runs(configs, args.only, args.preset)
        dirs = {name: Path(args.out) / name for name in configs}
    else:
        configs = {Path(args.out).name: RunConfig(**overrides)}
        dirs = {Path(args.out).name: Path(args.out)}
    results = {}
    for name, cfg in configs.items():
        print(f"[verify] {name}: {cfg.group} horizons={cfg.horizons} head={cfg.head} "
              f"algo={cfg.algo} {cfg.optimizer} lr={cfg.lr:g} batch={cfg.batch} "
              f"updates={cfg.updates} seed={cfg.seed} -> {dirs[name]}", flush=True)
        results[name] = train(cfg, dirs[name], resume=args.resume, progress=not args.no_progress)
        print(f"[verify] {name}: {results[name].message}", flush=True)
    print(_final_table(results))
    failed = [name for name, r in results.items() if not r.success]
    for name in failed:
        print(f"error: run {name} failed: {results[name].message}", file=sys.stderr)
    return 1 if failed else 0


def _compare(args: argparse.Namespace) -> int:
    from groupfourier._io import json_output, write_json

    from .compare import compare_runs
    with json_output(args.json):
        summary = compare_runs(args.run_dir)
        print(summary.markdown)
        if args.json:
            write_json(args.json, {"runs": [r.to_dict() for r in summary.runs]})
    return 0


def _pretrain(args: argparse.Namespace) -> int:
    from groupfourier import group_from_name

    from .cli import set_threads
    from .heads import head_cache_dir, load_or_pretrain_head
    set_threads(args.threads)
    G = group_from_name(args.group)
    load_or_pretrain_head(G, args.hidden, B=1.0, rebuild=args.rebuild)
    print(f"learned head for {G.name} (hidden {args.hidden}) cached in {head_cache_dir()}")
    return 0


def main(argv: list[str] | None = None) -> int:
    from .cli import run_cli
    args = build_parser().parse_args(argv)
    handlers = {"run": _run, "compare": _compare, "pretrain": _pretrain}
    handler = typing.cast(typing.Callable[[argparse.Namespace], int], handlers.get(
        args.command, getattr(args, "_handler", None)))   # argparse requires a command
    return run_cli(lambda: handler(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
