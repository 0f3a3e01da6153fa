"""Spread of the predicted escape from chance over prompt-sample seeds (docs/derivation.md §6).

``python scripts/start_seed_spread.py`` prints, per configuration, the predicted median
escape for prompt seeds 0–7 and max/min − 1 (M = 16, c_B = 4, SGD lr 3, batch 64, batch
baseline).  ``--mode before`` computes the old prediction (the noise-scale start
0.6745 s/√(2ε) of ``noise_scale_theta0``, then the flow to the same escape level); run it
with ``PYTHONPATH`` pointing at a checkout of commit bc44434, where that start lives.
"""

from __future__ import annotations

import argparse
import math
import sys

import numpy as np

CONFIGS = (("Z12", 4), ("Z24", 6), ("D6", 4), ("D6", 6), ("D8", 6), ("S4", 4), ("S4", 6))


def escape_times(group: str, L: int, mode: str, seeds=range(8)) -> np.ndarray:
    from dynamics import Spectrum, TaskModel
    from dynamics.ode import ReducedObjective, integrate_flow
    from dynamics.optim import OptimizerSpec, noise_scale_theta0, update_rate
    model = TaskModel(group=group, M=16, c_B=4)
    out = []
    for seed in seeds:
        obj = ReducedObjective(model=model, spectrum=Spectrum((L,)), seed=seed)
        if mode == "before":
            spec = OptimizerSpec(lr=3.0, batch=64, baseline=True)
            th0 = noise_scale_theta0(obj, spec, t_max=2e5)[0]
            P0 = float(obj.success(0.0)[0])
            lev = P0 + 0.1 * (1 - P0)
            sol = integrate_flow(obj, theta0=th0, t_max=2e6, rate=update_rate(obj, spec), levels=(lev,))
            out.append(sol.crossings[(L, lev)])
        else:
            from dynamics.escape import escape_start
            out.append(escape_start(obj, OptimizerSpec(lr=3.0, batch=64, baseline="batch"),
                                    t_max=2e5).t_escape)
    return np.array(out)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--mode", choices=["after", "before"], default="after")
    a = p.parse_args(argv)
    for g, L in CONFIGS:
        ts = escape_times(g, L, a.mode)
        spread = ts.max() / ts.min() - 1 if np.isfinite(ts).all() else math.inf
        shown = ", ".join("never" if not math.isfinite(t) else f"{t:.4g}" for t in ts)
        print(f"{a.mode} {g} L={L}: escape over seeds 0-7: {shown}  max/min-1 = {spread:.3g}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
