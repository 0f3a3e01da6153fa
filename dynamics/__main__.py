"""Command line: ``python -m dynamics predict|design|phase-diagram|scaling ...``.

A ``ValueError`` becomes one line on stderr and exit code 2; ``--json PATH`` follows the
rules of :mod:`groupfourier._io` (``-`` for stdout, atomic files, the user's umask).
Flag names follow ``verify``'s (``--c-B``, ``--n-ids``); the older ``--cB`` and ``--M``
are accepted as aliases.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from groupfourier._io import json_output, write_json

__all__ = ["main", "build_parser", "write_json_atomic"]

write_json_atomic = write_json   # the former name of the shared writer (groupfourier._io)


_AXES = {"c_B": "c_B", "cB": "c_B", "group_order": "group_order", "order": "group_order"}


def _axis(text: str) -> str:
    """The phase-diagram axis, ``c_B`` or ``group_order`` (``cB``, ``order``: aliases)."""
    if text not in _AXES:
        raise argparse.ArgumentTypeError(f"expected c_B or group_order (or cB, order); got {text!r}")
    return _AXES[text]


def _floats(text: str, name: str) -> list[float]:
    try:
        return [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise ValueError(f"--{name}: expected comma-separated numbers such as '2,4,8'; got {text!r}.") from None


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m dynamics",
                                description="Predict relay and plateau learning of RLVR on group "
                                            "state tracking (our reconstruction of the theory).")
    sub = p.add_subparsers(dest="command", required=True)

    def common(q):
        q.add_argument("--n-ids", "--M", dest="M", type=int, default=64,
                       help="number of identifiers M (default 64)")
        q.add_argument("--optimizer", choices=["sgd", "adam", "flow"], default="sgd",
                       help="sgd/adam: t in updates; flow: exact gradient flow time")
        q.add_argument("--lr", type=float, default=30.0, help="learning rate (default 30, SGD recipe)")
        q.add_argument("--batch", type=int, default=512, help="prompts per update (default 512)")
        q.add_argument("--no-length-norm", action="store_true", help="REINFORCE without 1/L")
        q.add_argument("--baseline", choices=["loo", "batch", "ema", "none"], default="loo",
                       help="REINFORCE baseline, as verify run's --baseline (default loo)")
        q.add_argument("--no-baseline", dest="baseline", action="store_const", const="none",
                       help="alias of --baseline none")
        q.add_argument("--form", choices=["exact", "mean_field"], default="exact",
                       help="exact Fourier success probability or the mean-field form")
        q.add_argument("--json", metavar="PATH", help="write the result as JSON ('-': stdout)")
        q.add_argument("--seed", type=int, default=0, help="seed of the prompt sample (default 0)")
        q.add_argument("--threads", type=int, default=None,
                       help="BLAS/OpenMP threads for numpy and scipy (default: their own)")

    def configuration(q, *, spectrum: bool):
        """The flags of one training configuration (predict's; design's without the spectrum)."""
        q.add_argument("--group", required=not spectrum,
                       help="Z<n>, D<n> (n vertices) or S<n>, e.g. Z96")
        if spectrum:
            q.add_argument("--horizons", help="comma-separated horizons, e.g. 5,15,45")
            q.add_argument("--weights", help="comma-separated weights summing to 1 (default uniform)")
        q.add_argument("--c-B", "--cB", dest="cB", type=float, default=4.0,
                       help="head strength c_B, B = c_B log|G| (default 4)")
        q.add_argument("--t-max", type=float, default=None,
                       help="integration horizon (default: until every horizon is learned)")
        common(q)

    q = sub.add_parser("predict", help="per-horizon times, stalls and regime (with its index)",
                       description="Predicted learning curve of each horizon of a difficulty "
                                   "spectrum: times to chance+eps, 0.5 and 0.9, stalls, regime.")
    q.add_argument("--config", metavar="RUN_DIR/config.json",
                   help="predict for a verify run: its config.json (or run directory), through "
                        "RunConfig.training_setup(); the other task/optimiser flags are ignored")
    configuration(q, spectrum=True)

    q = sub.add_parser("design", help="the mixture of at most K horizons that learns a target "
                                      "horizon soonest, against ladder baselines",
                       description="Search horizon placements and weights for the mixture that "
                                   "reaches success 0.9 at a target horizon soonest (or is best "
                                   "after a budget of updates), with ladder baselines.")
    configuration(q, spectrum=False)
    q.add_argument("--target", type=int, required=True, help="the horizon L that matters")
    q.add_argument("--max-rungs", type=int, default=4,
                   help="at most K horizons in the mixture, L among them (default 4)")
    q.add_argument("--allowed", help="comma-separated horizons a rung may use (default 1..L)")
    q.add_argument("--budget", type=float, default=None,
                   help="maximise success at L after this many updates (default: reach 0.9 "
                        "at L soonest)")
    q.add_argument("--out", help="figure path: curves of design and best baseline, time vs K")

    q = sub.add_parser("phase-diagram", help="relay/plateau regimes over (R, c_B) or (R, |G|)",
                       description="Predicted regime (relay, plateau, stalled) of the spectra "
                                   "{easy, R*easy} over the ratio R and c_B or the group order.")
    q.add_argument("--group", default="Z96", help="group (or family, for --over order)")
    q.add_argument("--ratios", default="1.5,2,3,4,5,6,7,9",
                   help="ratios R of {easy, R·easy} (default 1.5,2,3,4,5,6,7,9)")
    q.add_argument("--over", "--y", dest="over", type=_axis, default="c_B",
                   help="second axis: c_B or group_order, as in `verify phase-diagram --y` "
                        "(aliases cB, order; default c_B)")
    q.add_argument("--values", default="2.5,3,3.5,4,5,6,8",
                   help="values of the second axis (default 2.5,3,3.5,4,5,6,8)")
    q.add_argument("--c-B", "--cB", dest="cB", type=float, default=4.0,
                   help="c_B when the second axis is group_order (default 4)")
    q.add_argument("--easy", type=int, default=5, help="easy horizon L0 (default 5)")
    q.add_argument("--out", default="phase_diagram.png", help="figure path (default phase_diagram.png)")
    common(q)

    q = sub.add_parser("scaling", help="escape-time scaling laws against R, L, |G| and c_B",
                       description="Escape time of the hard horizon against R, L, |G| and c_B, "
                                   "with power-law and exponential fits.")
    q.add_argument("--group", default="Z96", help="base group (default Z96; Z or D for the |G| scan)")
    q.add_argument("--c-B", "--cB", dest="cB", type=float, default=4.0, help="base c_B (default 4)")
    q.add_argument("--out", default="scaling_laws.png", help="figure path (default scaling_laws.png)")
    common(q)
    return p


def _save_figure(fig, path: str) -> None:
    import matplotlib.pyplot as plt
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    print(f"figure: {path}")


def _predict_kw(args) -> dict:
    return dict(optimizer=args.optimizer, lr=args.lr, batch=args.batch,
                length_normalized=not args.no_length_norm, baseline=args.baseline,
                form=args.form, seed=args.seed)


def _fmt(v: float) -> str:
    if math.isnan(v):
        return "-"
    return "never" if not math.isfinite(v) else f"{v:.0f}" if abs(v) >= 10 else f"{v:.3g}"


def _setup_from_config(path: str):
    """The TrainingSetup of a verify run's config.json (or run directory)."""
    p = Path(path)
    run_dir = p if p.is_dir() else p.parent
    if not (run_dir / "config.json").exists() or not (p.is_dir() or p.is_file()):
        raise ValueError(f"--config: no config.json at {str(p)!r}; pass RUN_DIR/config.json "
                         f"written by `python -m verify run`.")
    from verify.train import load_config
    return load_config(run_dir).training_setup()


def _run_predict(args) -> int:
    from groupfourier import group_from_name

    from .model import TaskModel
    from .predict import predict
    from .setup import TrainingSetup
    from .spectrum import Spectrum, parse_horizons

    if args.config:
        setup = _setup_from_config(args.config)
        if args.t_max is not None:
            setup = setup.replace(t_max=args.t_max)
    else:
        if not args.group or not args.horizons:
            raise ValueError("predict: pass --group and --horizons, or --config RUN_DIR/config.json.")
        model = TaskModel(group=group_from_name(args.group), M=args.M, c_B=args.cB)
        weights = tuple(_floats(args.weights, "weights")) if args.weights else None
        spectrum = Spectrum(parse_horizons(args.horizons), weights)
        setup = TrainingSetup.from_options(model, spectrum, t_max=args.t_max, **_predict_kw(args))
    r = predict(setup)
    o = setup.optimizer
    print(f"{setup.model!r}  {setup.spectrum!r}  optimizer={o.optimizer} lr={o.lr:g} "
          f"batch={o.batch} sampled={o.sampled}" + (f"  [{setup.note}]" if setup.note else ""))
    print(f"time unit: {r.time_unit}; start theta0 = {r.theta0:.3g}; observed to t_max = "
          f"{setup.horizon:g}")
    lv = r.levels
    c = r.classification
    stall = dict(zip(c.horizons, c.stall))
    trans = dict(zip(c.horizons, c.transition))
    print(f"{'L':>4} {'chance+eps':>12} {'0.5':>10} {'0.9':>10} {'stall':>10} {'transition':>11}")
    for L in r.horizons:
        print(f"{L:>4} {_fmt(r.crossings[(L, lv[0])]):>12} {_fmt(r.crossings[(L, lv[1])]):>10} "
              f"{_fmt(r.crossings[(L, lv[2])]):>10} {_fmt(stall[L]):>10} {_fmt(trans[L]):>11}")
    print(f"regime: {r.regime} (index {c.index:.3g}: {c.message}); first phase "
          f"{_fmt(r.first_phase)}; {r.message}")
    if args.json:
        write_json(args.json, r.to_dict())
    return 0


def _run_design(args) -> int:
    from groupfourier import group_from_name

    from .design import design, plot_design
    from .model import TaskModel
    from .spectrum import parse_horizons

    model = TaskModel(group=group_from_name(args.group), M=args.M, c_B=args.cB)
    allowed = parse_horizons(args.allowed) if args.allowed else None
    r = design(model, args.target, max_rungs=args.max_rungs, allowed=allowed, budget=args.budget,
               t_max=args.t_max, **_predict_kw(args))
    print(f"{model!r}  target L={r.target}  K<={args.max_rungs}  optimizer={args.optimizer} "
          f"lr={args.lr:g} batch={args.batch}  objective: "
          + ("reach 0.9 at L soonest" if r.budget is None else f"success at L after {r.budget:g} updates"))
    col = "P(L) at budget" if r.budget is not None else "t_target"

    def value(c) -> str:
        return f"{c.p_at_budget:.3f}" if r.budget is not None else _fmt(c.t_target)

    print(f"{'mixture':<16} {col:>14}  horizons : weights")
    for c in (r.design,) + r.baselines:
        hw = ", ".join(f"{h}:{w:.3f}" for h, w in zip(c.horizons, c.weights)) \
            if len(c.horizons) <= 8 else f"{len(c.horizons)} horizons, uniform"
        print(f"{c.name:<16} {value(c):>14}  {hw}")
    print("best with at most K rungs: " + ", ".join(f"K={i}: {value(c)}"
                                                     for i, c in enumerate(r.by_rungs, start=1)))
    print(f"design by predict: t_target = {_fmt(r.t_target)} updates; best baseline "
          f"{r.best_baseline.name!r}; advantage ({'success' if r.budget else 'time'} ratio) "
          f"{r.advantage:.3g}x; {r.message}")
    if args.out:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, axes = plt.subplots(1, 3, figsize=(14, 3.8))
        plot_design(r, axes)
        _save_figure(fig, args.out)
    if args.json:
        write_json_atomic(args.json, r.to_dict())
    return 0


def _run_phase(args) -> int:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .phase import phase_diagram, plot_phase_diagram
    from .regime import THRESHOLD

    pd = phase_diagram(args.group, _floats(args.ratios, "ratios"), _floats(args.values, "values"),
                       parameter="c_B" if args.over == "c_B" else "order", c_B=args.cB, M=args.M,
                       easy=args.easy, **_predict_kw(args))
    width = len("unfinished (9.9e+99)")
    print(("c_B" if args.over == "c_B" else "|G|").rjust(6) + " " +
          " ".join(f"R={r:g}".rjust(width) for r in pd.ratios))
    for v, row, idx in zip(pd.values, pd.regime, pd.index):
        print(f"{v:>6g} " + " ".join(f"{x} ({i:.2g})".rjust(width) for x, i in zip(row, idx)))
    print("(regime and index = longest stall / its transition; plateau if index >= "
          f"{THRESHOLD:g}; dynamics.regime)")
    fig, ax = plt.subplots(figsize=(7, 4.5))
    plot_phase_diagram(pd, ax)
    _save_figure(fig, args.out)
    if args.json:
        write_json(args.json, pd.to_dict())
    return 0


def _run_scaling(args) -> int:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .phase import plot_scaling_laws, scaling_laws

    laws = scaling_laws(group=args.group, c_B=args.cB, M=args.M, **_predict_kw(args))
    for par, d in laws.items():
        best, other = d["fits"]
        print(f"{par:>6}: {best}   [alternative: {other}]")
    fig, axes = plt.subplots(1, len(laws), figsize=(13, 3.2))
    plot_scaling_laws(laws, axes)
    _save_figure(fig, args.out)
    if args.json:
        from .results import num
        write_json(args.json, {par: {"values": d["values"].tolist(),
                                            "escape": [num(v) for v in d["escape"]],
                                            "fits": [vars(f) for f in d["fits"]]}
                                      for par, d in laws.items()})
    return 0


def _thread_limit(n: int | None):
    """Limit the BLAS/OpenMP pools already loaded by numpy and scipy (threadpoolctl)."""
    if n is None:
        import contextlib
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits
    return threadpool_limits(limits=n)


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    runners = {"predict": _run_predict, "design": _run_design, "phase-diagram": _run_phase,
               "scaling": _run_scaling}
    try:
        if args.threads is not None and args.threads < 1:
            raise ValueError(f"--threads must be an integer >= 1; got {args.threads}.")
        with json_output(args.json), _thread_limit(args.threads):
            return runners[args.command](args)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
