"""Issue 18, part 4: the designed mixture against the best geometric ladder on the transformer.

Configuration: D5 (non-abelian, order 10), M = 16, target L = 8, K <= 3, the ``small``
preset's model and pretraining (one pretrained artefact serves every mixture: its largest
in-context prompt is the target's 8 clauses), Adam lr 1e-3, batch 256, REINFORCE with 1/L
and the leave-one-out baseline (the transformer's defaults).

The design.  ``dynamics.design`` refuses Adam (its fast path needs an update rate linear in
the mixture weights, and Adam's is not), so the mixture is designed at SGD settings as a
*proxy* (lr 30, batch 256, loo baseline, the idealised head at the transformer's measured
head strength c_B = mean one-step logit margin / log|G|, read from the pretraining cache).
The ladder trained against it is the proxy's best geometric ladder; the ratio-2 ladder
{2, 4, 8} (the ``small`` preset's smooth run) is trained too.  No transformer-level
prediction exists (issue 14), so each run is reported with the minimal-model prediction
that ``python -m verify.transformer compare`` makes: ``TransformerRunConfig.training_setup(
c_B=measured)`` at the run's own Adam settings, through ``dynamics.predict``.

Usage::

    python scripts/design_transformer.py --launch     # trains (at most --jobs at a time)
    python scripts/design_transformer.py --tabulate   # docs/results/design_transformer.{md,json}

Each run is ``nice -n 10 python -m verify.transformer run ... --threads 1``.
"""

from __future__ import annotations

import datetime
import json
import math
import platform
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dynamics import TaskModel  # noqa: E402
from dynamics.design import design  # noqa: E402
from verify.compare import first_crossing  # noqa: E402

sys.path.insert(0, str(ROOT / "scripts"))
from design_training import cli, run_queue  # noqa: E402

GROUP, M, TARGET, MAX_RUNGS = "D5", 16, 8, 3
PROXY = dict(optimizer="sgd", lr=30.0, batch=256, baseline="loo")
UPDATES, LOG_EVERY = 200, 5
SEEDS = (0, 1, 2)
LEVEL = 0.9
PRETRAIN_RUN = ("ladder r=2", (2, 4, 8), (1 / 3, 1 / 3, 1 / 3))


def pretrain_cache() -> Path:
    """The pretraining cache's report (JSON) for this configuration."""
    from verify.config import RunConfig
    from verify.transformer.pretrain import cache_dir
    from verify.transformer.rl import TransformerRunConfig
    cfg = TransformerRunConfig(run=RunConfig(group=GROUP, horizons=(2, 4, 8), n_ids=M))
    return cache_dir() / f"{cfg.pretrain.key}.json"


def measured_c_B() -> float:
    """c_B of the pretrained transformer (margin / log|G|), from the pretraining cache."""
    from verify.config import RunConfig
    f = pretrain_cache()
    if not f.exists():
        raise SystemExit(f"no pretraining cache {f}: run --launch (its first run pretrains)")
    order = RunConfig(group=GROUP, horizons=(2, 4, 8), n_ids=M).G.order
    return float(json.loads(f.read_text())["margin"]) / math.log(order)


def proxy_design(c_B: float):
    return design(TaskModel(group=GROUP, M=M, c_B=c_B), TARGET, max_rungs=MAX_RUNGS,
                  baseline=PROXY["baseline"], optimizer=PROXY["optimizer"],
                  lr=PROXY["lr"], batch=PROXY["batch"])


def mixtures(res) -> list[tuple[str, tuple[int, ...], tuple[float, ...]]]:
    """The design, the proxy's best geometric ladder, and the ratio-2 ladder."""
    ladders = [c for c in res.baselines if c.name.startswith("ladder")]
    best = min(ladders, key=lambda c: c.t_target)
    out = [("design", res.design.horizons, res.design.weights),
           (best.name, best.horizons, best.weights)]
    if best.name != PRETRAIN_RUN[0]:
        out.append(PRETRAIN_RUN)
    return out


def run_dir(out: Path, name: str, seed: int) -> Path:
    return out / name.replace(" ", "_").replace("=", "") / f"s{seed}"


def command(out: Path, name: str, hs, ws, seed: int) -> list[str]:
    return ["nice", "-n", "10", sys.executable, "-m", "verify.transformer", "run",
            "--group", GROUP, "--n-ids", str(M), "--horizons", ",".join(map(str, hs)),
            "--weights", ",".join(repr(float(w)) for w in ws), "--baseline", "loo",
            "--updates", str(UPDATES), "--log-every", str(LOG_EVERY),
            "--checkpoint-every", str(UPDATES), "--seed", str(seed), "--threads", "1",
            "--no-progress", "--out", str(run_dir(out, name, seed))]


def launch(out: Path, jobs: int) -> None:
    # the first run pretrains (the cache then serves the others) and measures c_B
    if not (run_dir(out, PRETRAIN_RUN[0], SEEDS[0]) / "config.json").exists():
        run_queue([command(out, *PRETRAIN_RUN, SEEDS[0])], 1)
    c_B = measured_c_B()
    res = proxy_design(c_B)
    mix = mixtures(res)
    out.mkdir(parents=True, exist_ok=True)
    (out / "design.json").write_text(json.dumps(
        {"c_B": c_B, "proxy": PROXY, "design": res.to_dict(),
         "mixtures": [[n, list(h), list(w)] for n, h, w in mix]}, indent=1, allow_nan=False))
    print(f"c_B = {c_B:.3f}; mixtures {mix}", flush=True)
    cmds = [command(out, n, h, w, s) for s in SEEDS for n, h, w in mix
            if not (run_dir(out, n, s) / "config.json").exists()]   # started or done
    run_queue(cmds, jobs)


def observed(d: Path) -> tuple[float, dict]:
    """(time to 0.9 at the target, each horizon's held-out success at the last record)."""
    from verify.transformer.rl import TransformerRunResult
    res = TransformerRunResult.from_dir(d)
    final = {L: float(res.metrics[f"success/L{L}/sampled"][-1]) for L in res.config.run.horizons}
    return first_crossing(np.asarray(res.steps, float),
                          np.asarray(res.metrics[f"success/L{TARGET}/sampled"], float),
                          LEVEL), final


def predicted_adam(d: Path, c_B: float) -> float:
    """What ``verify.transformer compare`` predicts for the run (minimal model, Adam, the
    run's settings, measured c_B), as the time to 0.9 at the target."""
    from dynamics.predict import predict
    from dynamics.setup import DEFAULT_T_MAX
    from verify.transformer.rl import TransformerRunResult
    cfg = TransformerRunResult.from_dir(d).config
    return predict(cfg.training_setup(c_B=c_B, t_max=DEFAULT_T_MAX["adam"])).time_to(TARGET, LEVEL)


def _f(v: float) -> str:
    return "never" if v is None or not math.isfinite(v) else f"{v:.0f}"


def tabulate(out: Path, dest: Path) -> dict:
    info = json.loads((out / "design.json").read_text())
    c_B = info["c_B"]
    proxy = {c["name"]: c["t_target"] for c in [info["design"]] + info["design"]["baselines"]
             if "name" in c}
    proxy["design"] = info["design"]["t_target"]
    rows = []
    for name, hs, ws in info["mixtures"]:
        runs = {s: run_dir(out, name, s) for s in SEEDS}
        done = {s: d for s, d in runs.items() if (d / "result.json").exists()}
        both = {s: observed(d) for s, d in done.items()}
        obs = {s: t for s, (t, _) in both.items()}
        pred = predicted_adam(next(iter(done.values())), c_B) if done else math.nan
        med = float(np.median(list(obs.values()))) if obs else math.nan
        rows.append({"name": name, "horizons": hs, "weights": [round(w, 3) for w in ws],
                     "t_proxy_sgd": proxy.get(name), "t_predicted_adam": pred,
                     "t_observed": {str(s): v for s, v in obs.items()}, "t_observed_median": med,
                     "final_success": {str(s): {str(L): p for L, p in f.items()}
                                       for s, (_, f) in both.items()}})
    des, lad = rows[0], rows[1]
    doc = {"meta": {"machine": f"2-core CPU sandbox shared with other jobs ({platform.machine()})",
                    "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                    "command": "python scripts/design_transformer.py --launch && "
                               "python scripts/design_transformer.py --tabulate",
                    "c_B_measured": c_B, "proxy": info["proxy"], "updates": UPDATES,
                    "log_every": LOG_EVERY, "seeds": list(SEEDS)},
           "rows": rows,
           "design_over_best_ladder_observed": des["t_observed_median"] / lad["t_observed_median"]}
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "design_transformer.json").write_text(json.dumps(_clean(doc), indent=1,
                                                             allow_nan=False))
    md = markdown(doc)
    (dest / "design_transformer.md").write_text(md)
    print(md)
    return doc


def _clean(v):
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def markdown(doc: dict) -> str:
    m = doc["meta"]
    seeds = m["seeds"]
    lines = [f"Issue 18 part 4: designed mixture against the best geometric ladder on the "
             f"transformer. {m['machine']}, {m['date']}.",
             f"Command: `{m['command']}`. {GROUP}, M = {M}, target L = {TARGET}, K <= {MAX_RUNGS}; "
             f"the `small` preset's model and pretraining; Adam lr 1e-3, batch 256, REINFORCE, "
             f"1/L, leave-one-out baseline; {m['updates']} updates, evaluated every "
             f"{m['log_every']} (256 held-out prompts per horizon, sampled success); seeds {seeds}. "
             f"Time = first update at which the target's held-out success reaches {LEVEL}, "
             f"interpolated between evaluations.",
             f"Design: `dynamics.design` at SGD settings as a proxy (design refuses Adam; "
             f"lr {m['proxy']['lr']:g}, batch {m['proxy']['batch']}, baseline "
             f"{m['proxy']['baseline']}), idealised head at the measured c_B = "
             f"{m['c_B_measured']:.2f}. Predicted (Adam) = the minimal model at the run's own "
             f"settings and the measured c_B (`TransformerRunConfig.training_setup`, what "
             f"`python -m verify.transformer compare` uses); no transformer-level prediction "
             f"exists yet (issue 14).", "",
             "| mixture | horizons : weights | proxy (SGD) t(0.9) | predicted (Adam, minimal model) "
             f"t(0.9) | observed, seeds {seeds} | median | pred/obs | success per horizon at "
             f"update {m['updates']}, per seed |",
             "|---|---|---:|---:|---|---:|---:|---|"]
    for r in doc["rows"]:
        hw = ", ".join(f"{h}:{w:.2f}" for h, w in zip(r["horizons"], r["weights"]))
        obs = ", ".join(_f(r["t_observed"][str(s)]) if str(s) in r["t_observed"] else "not run"
                        for s in seeds)
        po = (r["t_predicted_adam"] / r["t_observed_median"]
              if math.isfinite(r["t_observed_median"]) else math.nan)
        lines.append(f"| {r['name']} | {hw} | {_f(r['t_proxy_sgd'])} | "
                     f"{_f(r['t_predicted_adam'])} | {obs} | {_f(r['t_observed_median'])} | "
                     f"{'-' if not math.isfinite(po) else f'{po:.2f}'} | "
                     + "; ".join("/".join(f"{p:.2f}" for p in f.values())
                                 for f in r["final_success"].values()) + " |")
    des, lad = doc["rows"][0], doc["rows"][1]
    ratio = doc["design_over_best_ladder_observed"]
    lines += ["", f"Design / best ladder ({lad['name']}), median time: observed "
              + (f"{ratio:.2f}" if math.isfinite(ratio) else
                 "undefined (neither reached 0.9 within the run)" if not math.isfinite(
                     des["t_observed_median"]) and not math.isfinite(lad["t_observed_median"])
                 else "inf" if not math.isfinite(des["t_observed_median"]) else "0")
              + "; proxy predicted "
              f"{des['t_proxy_sgd'] / lad['t_proxy_sgd']:.2f}; Adam minimal-model predicted "
              f"{des['t_predicted_adam'] / lad['t_predicted_adam']:.2f}.", ""]
    return "\n".join(lines)


def main(argv=None) -> int:
    return cli(__doc__, launch, tabulate, ROOT / "runs" / "design_transformer" / "D5_L8", argv)


if __name__ == "__main__":
    sys.exit(main())
