"""Train the designed mixture and the baselines of ``dynamics.design`` on the minimal model.

For each configuration: design (``dynamics.design``), then ``python -m verify run`` for the
design and every baseline, 3 seeds each (SGD, REINFORCE with the per-horizon batch-mean
baseline passed explicitly as ``--baseline batch``, idealised head), at most ``--jobs``
runs at a time, each under ``nice -n 10`` with one torch thread.  ``--tabulate`` reads
the runs and writes ``docs/results/design_training.{json,md}``: per mixture the
predicted t_target (fast path and ``dynamics.predict``), the observed time for the
target's held-out success to reach 0.9 (per seed, median), predicted / observed, and
the checks of issue 18 (design no later than the best baseline within 10 %, advantage,
prediction within 25 %, ranking).

Usage::

    python scripts/design_training.py --launch            # all configurations
    python scripts/design_training.py --tabulate

Machine and date are written with the table.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dynamics import TaskModel  # noqa: E402
from dynamics.design import design  # noqa: E402
from verify.compare import first_crossing  # noqa: E402
from verify.train import read_metrics  # noqa: E402

#: Our two configurations (in no test and no preset): one abelian, one non-abelian.
CONFIGS = {
    "Z30_L15": dict(group="Z30", M=30, c_B=3.0, target=15, max_rungs=3),
    "S4_L16": dict(group="S4", M=24, c_B=3.0, target=16, max_rungs=3),
}
TRAIN = dict(optimizer="sgd", lr=30.0, batch=256)
SEEDS = (0, 1, 2)
LEVEL = 0.9


def design_for(name: str):
    c = CONFIGS[name]
    model = TaskModel(group=c["group"], M=c["M"], c_B=c["c_B"])
    return design(model, c["target"], max_rungs=c["max_rungs"], baseline=True, **TRAIN)


def mixtures(res) -> list[dict]:
    return [{"name": c.name, "horizons": list(c.horizons), "weights": list(c.weights),
             "t_fast": _num(c.t_target)} for c in (res.design,) + res.baselines]


def schedule(mix: list[dict]) -> tuple[int, int]:
    """(updates, log_every): 2.5x the slowest finite prediction, ~40 logs to the fastest."""
    finite = [m["t_fast"] for m in mix if m["t_fast"] is not None]
    updates = int(math.ceil(2.5 * max(finite) / 10) * 10)
    log_every = max(1, int(min(finite) / 40))
    return updates, log_every


def run_dir(out: Path, name: str, mix_name: str, seed: int) -> Path:
    return out / name / mix_name.replace(" ", "_").replace("=", "").replace(".", "_") / f"s{seed}"


def commands(name: str, out: Path) -> tuple[list[list[str]], dict]:
    res = design_for(name)
    mix = mixtures(res)
    updates, log_every = schedule(mix)
    c = CONFIGS[name]
    cmds = []
    for m in mix:
        for seed in SEEDS:
            d = run_dir(out, name, m["name"], seed)
            if (d / "config.json").exists():
                continue
            cmds.append(["nice", "-n", "10", sys.executable, "-m", "verify", "run",
                         "--group", c["group"], "--n-ids", str(c["M"]), "--c-B", str(c["c_B"]),
                         "--horizons", ",".join(map(str, m["horizons"])),
                         "--weights", ",".join(repr(float(w)) for w in m["weights"]),
                         "--optimizer", TRAIN["optimizer"], "--lr", str(TRAIN["lr"]),
                         "--batch", str(TRAIN["batch"]), "--baseline", "batch",
                         "--algo", "reinforce", "--head", "ideal",
                         "--updates", str(updates), "--log-every", str(log_every),
                         "--checkpoint-every", str(log_every * math.ceil(updates / log_every)),
                         "--eval-prompts", "256", "--seed", str(seed), "--threads", "1",
                         "--no-progress", "--out", str(d)])
    info = {"design": res.to_dict(), "mixtures": mix, "updates": updates, "log_every": log_every}
    (out / name).mkdir(parents=True, exist_ok=True)
    (out / name / "design.json").write_text(json.dumps(info, indent=1, allow_nan=False))
    return cmds, info


def _num(v):
    return None if isinstance(v, float) and not math.isfinite(v) else v


def launch(out: Path, jobs: int) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    queue = []
    for name in CONFIGS:
        cmds, info = commands(name, out)
        print(f"{name}: design {info['design']['horizons']} {info['design']['weights']}; "
              f"{len(cmds)} runs of {info['updates']} updates", flush=True)
        queue += cmds
    running: list[subprocess.Popen] = []
    t0 = time.time()
    while queue or running:
        running = [p for p in running if p.poll() is None]
        while queue and len(running) < jobs:
            cmd = queue.pop(0)
            log = Path(cmd[-1]).with_suffix(".log")
            log.parent.mkdir(parents=True, exist_ok=True)
            running.append(subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=open(log, "w"),
                                            stderr=subprocess.STDOUT))
            print(f"[{time.time() - t0:6.0f}s] start {cmd[-1]}", flush=True)
        time.sleep(1.0)
    print(f"all runs done in {time.time() - t0:.0f}s", flush=True)


def observed(d: Path, target: int) -> float:
    rec = read_metrics(d)
    if not rec:
        return math.nan
    t = np.array([r["step"] for r in rec], dtype=float)
    y = np.array([r[f"success/L{target}/sampled"] for r in rec], dtype=float)
    return first_crossing(t, y, LEVEL)


def tabulate(out: Path, dest: Path) -> dict:
    from dynamics import Spectrum, predict
    tables = {}
    for name, c in CONFIGS.items():
        info = json.loads((out / name / "design.json").read_text())
        model = TaskModel(group=c["group"], M=c["M"], c_B=c["c_B"])
        rows = []
        for m in info["mixtures"]:
            pr = predict(model, Spectrum(tuple(m["horizons"]), tuple(m["weights"])),
                         baseline=True, **TRAIN)
            obs = [observed(run_dir(out, name, m["name"], s), c["target"]) for s in SEEDS]
            med = float(np.median(obs))
            t_pred = pr.time_to(c["target"], LEVEL)
            rows.append({"name": m["name"], "horizons": m["horizons"],
                         "weights": [round(w, 4) for w in m["weights"]],
                         "t_predicted": _num(t_pred), "t_fast": m["t_fast"],
                         "t_observed": [_num(v) for v in obs], "t_observed_median": _num(med),
                         "predicted_over_observed": _num(t_pred / med) if math.isfinite(med) else None})
        des, bases = rows[0], rows[1:]

        def val(r, key):
            v = r[key]
            return math.inf if v is None else v
        best_pred = min(bases, key=lambda r: val(r, "t_predicted"))
        best_obs = min(bases, key=lambda r: val(r, "t_observed_median"))
        adv_pred = val(best_pred, "t_predicted") / val(des, "t_predicted")
        adv_obs = val(best_obs, "t_observed_median") / val(des, "t_observed_median")
        rank_pred = [r["name"] for r in sorted(rows, key=lambda r: val(r, "t_predicted"))]
        rank_obs = [r["name"] for r in sorted(rows, key=lambda r: val(r, "t_observed_median"))]
        checks = {
            "design_no_later_than_best_baseline_within_10pct":
                val(des, "t_observed_median") <= 1.1 * val(best_obs, "t_observed_median"),
            "advantage_predicted": adv_pred, "advantage_observed": adv_obs,
            "advantage_rule_applies (predicted >= 1.3)": adv_pred >= 1.3,
            "advantage_rule_holds (observed >= 1.2 where it applies)":
                (adv_obs >= 1.2) if adv_pred >= 1.3 else None,
            "design_prediction_within_25pct":
                abs(val(des, "t_predicted") / val(des, "t_observed_median") - 1) <= 0.25,
            "ranking_predicted": rank_pred, "ranking_observed": rank_obs,
            "ranking_matches": rank_pred == rank_obs,
        }
        tables[name] = {"config": dict(c, **TRAIN, baseline="batch", algo="reinforce",
                                       head="ideal", seeds=list(SEEDS),
                                       updates=info["updates"], log_every=info["log_every"]),
                        "design": info["design"]["horizons"],
                        "design_weights": info["design"]["weights"], "rows": rows,
                        "checks": checks}
    meta = {"machine": f"2-core CPU sandbox shared with other jobs ({platform.machine()})",
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "command": "python scripts/design_training.py --launch && "
                       "python scripts/design_training.py --tabulate",
            "level": LEVEL}
    doc = {"meta": meta, "configs": tables}
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "design_training.json").write_text(json.dumps(doc, indent=1, allow_nan=False))
    (dest / "design_training.md").write_text(markdown(doc))
    print(markdown(doc))
    return doc


def markdown(doc: dict) -> str:
    def f(v):
        return "never" if v is None else f"{v:.0f}"
    m = doc["meta"]
    lines = [f"Training evidence for `dynamics.design` (issue 18). {m['machine']}, {m['date']}.",
             f"Command: `{m['command']}`.", ""]
    for name, t in doc["configs"].items():
        c = t["config"]
        lines += [f"### {name}: {c['group']}, M={c['M']}, c_B={c['c_B']}, target L={c['target']}, "
                  f"K<={c['max_rungs']}; SGD lr {c['lr']:g}, batch {c['batch']}, REINFORCE "
                  f"--baseline batch, idealised head, seeds {c['seeds']}, {c['updates']} updates",
                  "", "| mixture | horizons : weights | predicted t(0.9) | observed (3 seeds) "
                  "| median | pred/obs |", "|---|---|---:|---|---:|---:|"]
        for r in t["rows"]:
            hw = ", ".join(f"{h}:{w:.2f}" for h, w in zip(r["horizons"], r["weights"])) \
                if len(r["horizons"]) <= 6 else f"{r['horizons'][0]}..{r['horizons'][-1]} uniform"
            po = r["predicted_over_observed"]
            lines.append(f"| {r['name']} | {hw} | {f(r['t_predicted'])} | "
                         f"{', '.join(f(v) for v in r['t_observed'])} | "
                         f"{f(r['t_observed_median'])} | {'-' if po is None else f'{po:.2f}'} |")
        ck = t["checks"]
        lines += ["", f"- design no later than best baseline (within 10 %): "
                  f"{ck['design_no_later_than_best_baseline_within_10pct']}",
                  f"- advantage over best baseline: predicted {ck['advantage_predicted']:.2f}x, "
                  f"observed {ck['advantage_observed']:.2f}x (the 1.3x/1.2x rule applies: "
                  f"{ck['advantage_rule_applies (predicted >= 1.3)']})",
                  f"- design's prediction within 25 % of the observed median: "
                  f"{ck['design_prediction_within_25pct']}",
                  f"- ranking predicted: {ck['ranking_predicted']}",
                  f"- ranking observed:  {ck['ranking_observed']} (match: {ck['ranking_matches']})",
                  ""]
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--launch", action="store_true", help="design and train (skips finished runs)")
    p.add_argument("--tabulate", action="store_true", help="read the runs, write the table")
    p.add_argument("--out", default=str(ROOT / "runs" / "design"), help="run directory")
    p.add_argument("--dest", default=str(ROOT / "docs" / "results"), help="table directory")
    p.add_argument("--jobs", type=int, default=2, help="concurrent runs (default 2)")
    a = p.parse_args(argv)
    if a.launch:
        launch(Path(a.out), a.jobs)
    if a.tabulate:
        tabulate(Path(a.out), Path(a.dest))
    return 0


if __name__ == "__main__":
    sys.exit(main())
