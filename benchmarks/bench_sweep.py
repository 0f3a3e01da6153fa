"""Parallel speed-up of ``verify.sweep``: the same sweep on 1 and on 2 LocalCluster workers.

Both sweeps run in this process, one after the other, on equal-cost runs (D12, spectrum
{3, 9}, idealised head); the time of each excludes starting the cluster (a one-off cost
of a few seconds) but includes everything else: submission, training, result
transfer and the SQLite writes.  The baseline (1 worker) is measured in the same run.
Prints the times, the ratio, the load average, how busy the workers were (sum of run
wall times over workers × sweep time: the engine's efficiency) and the CPU share each
worker got inside its runs (below 1 when other jobs share the cores).

    python benchmarks/bench_sweep.py [--runs 8] [--updates 600] [--repeat 1]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time


def sweep_spec(n_runs: int, updates: int):
    from verify.sweep import parse_spec
    return parse_spec({
        "sweep": {"name": "bench", "seeds": list(range(n_runs))},
        "base": {"group": "D12", "n_ids": 24, "horizons": [3, 9], "c_B": 4.0, "lr": 1.5,
                 "batch": 256, "updates": updates, "log_every": 10, "checkpoint_every": updates,
                 "eval_prompts": 64},
        "grid": {"head": ["ideal"]}}, source="bench")


def timed_sweep(n_workers: int, spec) -> tuple[float, float, float]:
    """``(sweep wall time, sum of run wall times, sum of run CPU times)``."""
    import logging

    from distributed import Client, LocalCluster

    from verify.sweep import read_results, run_sweep
    with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                      dashboard_address=":0", silence_logs=logging.CRITICAL) as cluster, \
            Client(cluster) as client:
        client.run(lambda: __import__("verify.train"))      # warm the imports
        with tempfile.TemporaryDirectory() as d:
            t0 = time.perf_counter()
            res = run_sweep(spec, d, client=client, progress=False)
            dt = time.perf_counter() - t0
            rows = read_results(d)
    assert res.status == 1, res.message
    return dt, sum(r["wall_s"] for r in rows), sum(r["cpu_s"] for r in rows)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=8, help="runs in the sweep (default 8)")
    p.add_argument("--updates", type=int, default=600,
                   help="updates per run, a multiple of 10 (default 600)")
    p.add_argument("--repeat", type=int, default=1, help="alternate 1/2 workers this many times")
    args = p.parse_args()
    spec = sweep_spec(args.runs, args.updates)
    print(f"verify.sweep speed-up: {args.runs} runs x {args.updates} updates, D12 {{3, 9}}, "
          f"ideal head; {os.cpu_count()} cores; load before {os.getloadavg()[0]:.2f}")
    t1s, t2s = [], []
    for _ in range(args.repeat):
        for n, ts in ((1, t1s), (2, t2s)):
            dt, wall, cpu = timed_sweep(n, spec)
            ts.append(dt)
            # busy: fraction of worker time spent inside runs (engine overhead is the rest);
            # CPU share: CPU seconds per wall second inside runs (< 1: other jobs took the CPU)
            print(f"  {n} worker{'s' if n > 1 else ' '} {dt:7.2f} s   busy {wall / (n * dt):.2f}   "
                  f"CPU share per worker {cpu / wall:.2f}")
        print(f"  ratio {t1s[-1] / t2s[-1]:.2f}x")
    t1, t2 = min(t1s), min(t2s)
    print(f"speed-up 2 workers vs 1 (best of {args.repeat}): {t1 / t2:.2f}x  "
          f"(target >= 1.7x); load after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
