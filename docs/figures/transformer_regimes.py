"""Re-label the stored D15 transformer runs (docs/results) with the one regime rule.

Observed: the logged held-out success curves (``transformer_D15_{smooth,abrupt,fixed}.csv``)
classified by ``verify.compare.observed_regime``; predicted: ``predict`` of the runs'
``training_setup`` at the measured head strength (``c_B_measured`` of the stored
comparisons), observed to each run's updates.  Prints a markdown table.

    python docs/figures/transformer_regimes.py
"""

from __future__ import annotations

import csv
import dataclasses
import json
import math
from pathlib import Path

import numpy as np

from dynamics.predict import predict
from verify.compare import observed_regime
from verify.config import RunConfig

RESULTS = Path(__file__).resolve().parents[1] / "results"


def label(regime: str, index: float) -> str:
    return regime if not math.isfinite(index) else f"{regime} ({index:.3g})"


def main() -> int:
    print("| run | horizons | observed (index) | predicted (index) | agree |")
    print("|---|---|---|---|---|")
    for preset in ("target", "ratios"):
        data = json.loads((RESULTS / f"transformer_D15_{preset}_comparison.json").read_text())
        for r in data["runs"]:
            run = RunConfig.from_dict(r["config"]["run"])
            cfg = dataclasses.replace(run, head="ideal", c_B=float(r["c_B_measured"]))
            pred = predict(cfg.training_setup(t_max=2e5))
            path = RESULTS / f"transformer_D15_{r['name']}.csv"
            obs = "—"
            agree = ""
            if preset == "target" and path.exists():
                rows = list(csv.DictReader(path.open()))
                t = np.array([float(x["step"]) for x in rows])
                P = np.array([[float(x[f"success/L{L}/sampled"]) for x in rows]
                              for L in run.horizons])
                o = observed_regime(cfg, t, P, t_end=float(run.updates))
                obs = label(o["regime"], o["index"])
                inc = ("stalled", "unfinished")
                agree = ("censored" if o["regime"] in inc and pred.regime in inc else
                         "yes" if o["regime"] == pred.regime else "NO")
            print(f"| {preset}/{r['name']} | {run.horizons} | "
                  f"{obs} | {label(pred.regime, pred.index)} | {agree} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
