"""Benchmark of ``dynamics.design``: the issue-18 speed target and the cache's gain.

Run: ``python benchmarks/bench_design.py [--profile]``.  Not a test.

1. ``design`` for Z96, target 45, K <= 4 (SGD lr 30, batch 512): wall time end to end
   (target: under 30 s on 2 cores), with the number of mixtures evaluated.
2. Per-mixture cost: the cached fast path (vectorised over 2000 random 4-rung mixtures)
   against ``dynamics.predict`` on 8 of them (the same-run baseline), and their agreement.
3. ``--profile``: the top entries of a cProfile of (1).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time

import numpy as np

from dynamics import Spectrum, TaskModel
from dynamics._mixture_cache import MixtureTable
from dynamics.design import design
from dynamics.optim import OptimizerSpec
from dynamics.predict import predict


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--profile", action="store_true", help="print the cProfile top entries")
    a = ap.parse_args()
    model = TaskModel(group="Z96", c_B=4.0)

    t = time.perf_counter()
    if a.profile:
        pr = cProfile.Profile()
        pr.enable()
    res = design(model, 45, max_rungs=4)
    if a.profile:
        pr.disable()
    wall = time.perf_counter() - t
    print(f"1. design Z96, L=45, K<=4: {wall:.1f} s (target < 30 s); {res.n_evaluations} mixtures "
          f"evaluated; design {res.horizons} weights {tuple(round(w, 3) for w in res.weights)}, "
          f"t_target {res.t_target:.0f} updates (predict), best baseline "
          f"{res.best_baseline.name} {res.best_baseline.t_target:.0f}")

    spec = OptimizerSpec(optimizer="sgd", lr=30.0, batch=512)
    t = time.perf_counter()
    tab = MixtureTable.build(model, range(1, 46), 45, spec, form="exact", n_prompts=256, seed=0,
                             t_max=2e5)
    t_build = time.perf_counter() - t
    rng = np.random.default_rng(0)
    n = 2000
    H = np.array([np.r_[np.sort(rng.choice(np.arange(2, 45), 3, replace=False)), 45]
                  for _ in range(n)])
    Wk = rng.dirichlet(np.ones(4), n)
    W = np.zeros((n, len(tab.horizons)))
    np.put_along_axis(W, np.searchsorted(tab.horizons, H), Wk, axis=1)
    t = time.perf_counter()
    fast, _ = tab.evaluate(W)
    t_fast = (time.perf_counter() - t) / n
    t = time.perf_counter()
    errs = []
    for i in range(8):
        r = predict(model, Spectrum(tuple(H[i]), tuple(Wk[i] / Wk[i].sum())))
        ref = r.time_to(45, 0.9)
        if np.isfinite(ref):
            errs.append(abs(fast[i] / ref - 1))
    t_pred = (time.perf_counter() - t) / 8
    print(f"2. per mixture: fast path {t_fast * 1e3:.3f} ms (table built once in {t_build:.1f} s, success polynomials cached by 1.), "
          f"predict {t_pred * 1e3:.0f} ms: ratio {t_pred / t_fast:.0f}x; max relative "
          f"difference of t_target on {len(errs)} finite mixtures: {max(errs, default=0):.1e}")
    if a.profile:
        s = io.StringIO()
        pstats.Stats(pr, stream=s).sort_stats("tottime").print_stats(8)
        print("3. profile (tottime):\n" + "\n".join(s.getvalue().splitlines()[:22]))


if __name__ == "__main__":
    main()
