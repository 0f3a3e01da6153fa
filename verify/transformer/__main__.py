"""Command line: ``python -m verify.transformer {pretrain,run,compare,probe} --help``.

One command per experiment::

    python -m verify.transformer run --preset small --out runs/transformer/small
    python -m verify.transformer run --preset target --only smooth --out DIR
    python -m verify.transformer compare DIR

``run`` pretrains the model (or loads it from the cache), trains one run, or every run of
a preset into ``OUT/<name>``, and prints a table of final held-out success.  ``compare``
puts each run beside the minimal theory's prediction (:mod:`verify.transformer.compare`).
A ``ValueError`` becomes one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from ..__main__ import add_dataclass_flags, select_runs
from ..config import RunConfig
from .model import ModelConfig
from .presets import TRANSFORMER_PRESETS, apply_overrides, transformer_preset
from .rl import _DEFAULT_RUN, TransformerRunConfig

__all__ = ["main", "build_parser"]

#: the RunConfig fields that mean something for the transformer
RUN_FLAGS = ("group", "horizons", "weights", "n_ids", "algo", "baseline", "ema_decay",
             "length_norm", "entropy_coef", "samples_per_prompt", "optimizer", "lr", "batch",
             "updates", "seed", "log_every", "checkpoint_every", "eval_prompts")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m verify.transformer",
        description="A small decoder-only transformer trained end to end with outcome-only "
                    "rewards: pretrain, run, compare, probe.")
    threads_help = "torch threads (default 1: on a shared machine more is slower)"
    parser.add_argument("--threads", type=int, default=1, help=threads_help)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="pretrain, then train one run or a preset with RLVR",
                         description="RLVR on group state tracking with a small transformer.")
    run.add_argument("--preset", choices=sorted(TRANSFORMER_PRESETS), default=None,
                     help="run every config of a preset into OUT/<name> (flags override it)")
    run.add_argument("--only", default=None, help="with --preset: comma-separated run names")
    run.add_argument("--out", required=True, help="run directory (a preset: parent directory)")
    run.add_argument("--resume", action="store_true", help="continue from OUT's checkpoint")
    run.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    g = run.add_argument_group("task, algorithm and optimiser (verify RunConfig)")
    add_dataclass_flags(g, RunConfig, RUN_FLAGS, defaults=_DEFAULT_RUN)
    g = run.add_argument_group("model")
    add_dataclass_flags(g, ModelConfig, [f.name for f in dataclasses.fields(ModelConfig)])
    g = run.add_argument_group("pretraining and KL")
    add_dataclass_flags(g, TransformerRunConfig, [f.name for f in dataclasses.fields(TransformerRunConfig)
                                         if f.name not in ("run", "model")])
    pre = sub.add_parser("pretrain", help="pretrain (or rebuild) the one-step skill's cache",
                         description="Supervised one-step pretraining to 100% held-out "
                                     "accuracy; cached under $VERIFY_CACHE/transformer.")
    pre.add_argument("--preset", choices=sorted(TRANSFORMER_PRESETS), default="small",
                     help="take group, M, model and max horizon from this preset (default small)")
    pre.add_argument("--group", default=None, help="override the preset's group")
    pre.add_argument("--rebuild", action="store_true", help="retrain even if cached")
    prb = sub.add_parser("probe", help="success after one step along a large-batch gradient",
                         description="Probe the policy gradient at the pretrained weights.")
    prb.add_argument("--preset", choices=sorted(TRANSFORMER_PRESETS), default="small")
    prb.add_argument("--group", default=None, help="override the preset's group")
    prb.add_argument("--horizon", type=int, required=True, help="horizon L of the probe")
    prb.add_argument("--batch", type=int, default=4096, help="rollouts for the gradient")
    cmp_ = sub.add_parser("compare", help="observed times against the minimal theory's",
                          description="Each run beside the dynamics prediction.")
    cmp_.add_argument("run_dir", help="a run directory, or a directory of run directories")
    cmp_.add_argument("--json", default=None, metavar="PATH",
                      help="also write comparison.json's content here ('-': stdout)")
    for q in (run, pre, prb, cmp_):    # --threads also after the subcommand
        q.add_argument("--threads", type=int, default=argparse.SUPPRESS, help=threads_help)
    return parser


def _table(results: dict) -> str:
    rows = ["| run | updates | time (s) | success sampled/greedy per horizon | right-clause "
            "attention (longest L) |", "|---|---:|---:|---|---:|"]
    for name, res in results.items():
        f, hs = res.final, res.config.run.horizons
        cells = ", ".join(f"L{L} {f[f'success/L{L}/sampled']:.3f}/{f[f'success/L{L}/greedy']:.3f}"
                          for L in hs)
        rows.append(f"| {name} | {int(f['step'])} | {f['time_s']:.0f} | {cells} | "
                    f"{f[f'attn/L{hs[-1]}/right_mass']:.3f} |")
    return "\n".join(rows)


_OVERRIDE_KEYS = set(RUN_FLAGS) | {f.name for f in dataclasses.fields(ModelConfig)} | \
    {f.name for f in dataclasses.fields(TransformerRunConfig)}


def _run(args: argparse.Namespace) -> int:
    from .rl import train_transformer
    overrides = {k: v for k, v in vars(args).items() if k in _OVERRIDE_KEYS}
    if args.preset:
        configs = transformer_preset(args.preset, **overrides)
        configs = select_runs(configs, args.only, args.preset)
        dirs = {name: Path(args.out) / name for name in configs}
    else:
        name = Path(args.out).name
        configs = {name: apply_overrides(TransformerRunConfig(), **overrides)}
        dirs = {name: Path(args.out)}
    results = {}
    for name, cfg in configs.items():
        r = cfg.run
        print(f"[verify.transformer] {name}: {r.group} horizons={r.horizons} algo={r.algo} "
              f"{r.optimizer} lr={r.lr:g} batch={r.batch} updates={r.updates} seed={r.seed} "
              f"positional={cfg.model.positional} kl={cfg.kl_coef:g} -> {dirs[name]}", flush=True)
        results[name] = train_transformer(cfg, dirs[name], resume=args.resume,
                                          progress=not args.no_progress)
        print(f"[verify.transformer] {name}: {results[name].message}", flush=True)
    print(_table(results))
    failed = [name for name, r in results.items() if not r.success]
    for name in failed:
        print(f"error: run {name} failed: {results[name].message}", file=sys.stderr)
    return 1 if failed else 0


def _pretrain(args: argparse.Namespace) -> int:
    from .pretrain import load_or_pretrain
    over = {"group": args.group} if args.group else {}
    cfg = next(iter(transformer_preset(args.preset, **over).values()))
    res = load_or_pretrain(cfg.pretrain, rebuild=args.rebuild, progress=True)
    print(f"{res!r}\ncached at {res.path}")
    return 0


def _probe(args: argparse.Namespace) -> int:
    from .rl import gradient_probe
    over = {"group": args.group} if args.group else {}
    cfg = next(iter(transformer_preset(args.preset, **over).values()))
    print("| step size | held-out success | stderr | right-clause attention |\n|---:|---:|---:|---:|")
    for r in gradient_probe(cfg, horizon=args.horizon, batch=args.batch):
        print(f"| {r['step']:g} | {r['success']:.4f} | {r['stderr']:.4f} | {r['right_mass']:.4f} |")
    return 0


def _compare(args: argparse.Namespace) -> int:
    from groupfourier._io import json_output

    from .compare import compare_transformer_runs
    with json_output(args.json):
        print(compare_transformer_runs(args.run_dir, json_path=args.json).markdown)
    return 0


def main(argv: list[str] | None = None) -> int:
    from ..cli import run_cli, set_threads
    args = build_parser().parse_args(argv)
    handler = {"run": _run, "pretrain": _pretrain, "compare": _compare,
               "probe": _probe}[args.command]

    def go() -> int:
        set_threads(args.threads)
        return handler(args)
    return run_cli(go)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
