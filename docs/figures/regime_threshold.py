"""The measurement behind dynamics.regime's THRESHOLD (docs/regimes.md).

Predicts ladders of ratio <= 3 and two-level jumps of ratio >= 8 on Z24, Z60, D12, D15,
S4 and S5 (M 24, batch 256), with SGD (lr 3) and Adam (lr 0.01), sampled and exact
gradients (exact: theta0 = 0.02), at c_B = 4 (and 3, 6 for sampled SGD), observed up to
3e5 updates, and prints per group the largest ladder index and the smallest jump index.

    python docs/figures/regime_threshold.py [--cB 4 3 6] > table.md     (~10 CPU-minutes)
"""

from __future__ import annotations

import argparse
import math
from collections import defaultdict

from dynamics import Spectrum, TaskModel
from dynamics.predict import predict

GROUPS = ("Z24", "Z60", "D12", "D15", "S4", "S5")
LADDERS = ((2, 4, 8), (3, 6, 12), (2, 4, 8, 16), (2, 6, 18), (3, 9), (2, 6), (3, 9, 27))
JUMPS = ((2, 16), (3, 24), (2, 20), (2, 24))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cB", type=float, nargs="*", default=[4.0, 3.0, 6.0])
    args = p.parse_args(argv)
    modes = [("sgd", True), ("sgd", False), ("adam", True), ("adam", False)]
    print("| c_B | optimiser | gradient | group | ladders R <= 3: max index (relay / n) "
          "| jumps R >= 8: min index (plateau / n) |")
    print("|---:|---|---|---|---:|---:|")
    for cB in args.cB:
        for opt, sampled in modes:
            if cB != 4.0 and (opt, sampled) != ("sgd", True):
                continue
            for g in GROUPS:
                model = TaskModel(group=g, M=24, c_B=cB)
                agg = defaultdict(list)
                for kind, family in (("ladder", LADDERS), ("jump", JUMPS)):
                    for hs in family:
                        if max(hs) > min(model.order, 24):
                            continue
                        r = predict(model, Spectrum(hs), optimizer=opt,
                                    lr=3.0 if opt == "sgd" else 0.01, batch=256,
                                    sampled=sampled, theta0=None if sampled else 0.02,
                                    t_max=3e5)
                        agg[kind].append((r.index, r.regime))
                lad, jmp = agg["ladder"], agg["jump"]
                mx = max(i for i, _ in lad)
                mn = min(i for i, _ in jmp)
                print(f"| {cB:g} | {opt} | {'sampled' if sampled else 'exact'} | {g} | "
                      f"{mx:.3g} ({sum(r == 'relay' for _, r in lad)}/{len(lad)}) | "
                      f"{'inf' if math.isinf(mn) else f'{mn:.3g}'} "
                      f"({sum(r == 'plateau' for _, r in jmp)}/{len(jmp)}) |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
