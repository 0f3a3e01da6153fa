"""Benchmark: the speed floor. S_n transforms against numpy.fft over as many complex points,
and exact D_n character tables against GAP, each pair in one run, default environment.

Run from the repository root (no thread variables: the library limits BLAS itself)::

    python benchmarks/bench_fourier_floor.py --json benchmarks/results/bench_fourier_floor.json
    python benchmarks/render_tables.py        # README and results tables from the JSON

Rows:

* ``S8`` batch 32, ``S9`` and ``S10`` batch 1, forward and inverse: the first (cold) call
  after ``groupfourier.clear_caches()``, the best of the following calls, the peak traced
  memory of one call, and ``numpy.fft.fft`` / ``ifft`` of a complex array of the same
  shape (batch, |G|), best of as many calls, the two called alternately so that both see
  the same load: ratio = ours / numpy.fft (the target is <= 3).  ``first_call_peak_bytes``
  in the JSON: the peak traced memory of a first call (tables built), traced apart from its
  timing.
* ``D500``, ``D1000``: the exact character table, cold, each side in a fresh Python process
  (import excluded): ``DihedralGroup(n).character_table()`` against GAP's
  ``Irr(CharacterTable(DihedralGroup(2n)))`` through libgap (the ``bench`` extra;
  GAP's argument is the order).  ratio = GAP / ours (the target is >= 2).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import tracemalloc

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_fourier import cold_and_peak, machine_line, write_results  # noqa: E402

from groupfourier import SymmetricGroup, clear_caches, fourier_transform, inverse_fourier_transform  # noqa: E402

OURS_TABLE = """
import time, sys
from groupfourier import DihedralGroup
t = time.perf_counter(); T = DihedralGroup({n}).character_table(); dt = time.perf_counter() - t
print(dt)
"""

GAP_TABLE = """
import time
from sage.all__sagemath_gap import libgap
libgap.eval("1")
t = time.perf_counter(); v = libgap.eval("List(Irr(CharacterTable(DihedralGroup({order}))), ValuesOfClassFunction)")
print(time.perf_counter() - t)
"""


def best_alternating(ours, floor, repeats: int) -> tuple[float, float]:
    """Best times of ``ours`` and ``floor``, called in turn (on a shared machine a burst of
    load then hits both sides alike instead of one)."""
    t_ours = t_floor = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        ours()
        t_ours = min(t_ours, time.perf_counter() - t)
        t = time.perf_counter()
        floor()
        t_floor = min(t_floor, time.perf_counter() - t)
    return t_ours, t_floor


def transform_rows(n: int, batch: int, repeats: int) -> list[dict]:
    G = SymmetricGroup(n)
    rng = np.random.default_rng(n)
    f = rng.normal(size=(batch, G.order))
    z = f + 1j * rng.normal(size=f.shape)
    rows = []
    for op in ("forward", "inverse"):
        clear_caches()
        F = fourier_transform(G, f) if op == "inverse" else None
        call = (lambda: fourier_transform(G, f)) if op == "forward" else (lambda: inverse_fourier_transform(G, F))
        if op == "inverse":
            clear_caches()
        cold, peak = cold_and_peak(call)
        ours, floor = best_alternating(
            call, lambda: np.fft.fft(z, axis=-1) if op == "forward" else np.fft.ifft(z, axis=-1),
            repeats)
        clear_caches()  # peak of a first call (the tables built), traced apart from its timing
        tracemalloc.start()
        call()
        cold_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        rows.append({"group": G.name, "order": G.order, "batch": batch, "op": op, "first_call_s": cold,
                     "fast_s": ours, "numpy_fft_s": floor, "ratio": ours / floor, "peak_bytes": peak,
                     "first_call_peak_bytes": cold_peak})
        print(f"{G.name} batch {batch} {op}: first {cold * 1e3:.1f} ms, best {ours * 1e3:.1f} ms, "
              f"numpy.fft {floor * 1e3:.2f} ms, ratio {ours / floor:.1f}, peak {peak / 2**20:.0f} MiB "
              f"(first call {cold_peak / 2**20:.0f} MiB)", flush=True)
    return rows


def fresh(code: str) -> float | None:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.getcwd() + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=600)
    if out.returncode != 0:
        return None
    return float(out.stdout.strip().splitlines()[-1])


def table_rows(ns: list[int], repeats: int) -> list[dict]:
    rows = []
    for n in ns:
        ours = min(fresh(OURS_TABLE.format(n=n)) for _ in range(repeats))
        gap = [fresh(GAP_TABLE.format(order=2 * n)) for _ in range(repeats)]
        gap_s = None if None in gap else min(gap)
        rows.append({"group": f"D{n}", "order": 2 * n, "op": "character table (cold, fresh process)",
                     "fast_s": ours, "gap_s": gap_s, "ratio": None if gap_s is None else gap_s / ours})
        print(f"D{n} table: ours {ours:.3f} s, GAP {gap_s if gap_s is None else f'{gap_s:.3f} s'}",
              flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--no-s10", action="store_true", help="skip S_10")
    parser.add_argument("--json", metavar="PATH", help="write the rows as JSON")
    args = parser.parse_args(argv)
    print(f"# bench_fourier_floor  {machine_line()}", flush=True)
    rows = transform_rows(8, 32, args.repeats) + transform_rows(9, 1, args.repeats)
    if not args.no_s10:
        rows += transform_rows(10, 1, max(2, args.repeats // 2))
    rows += table_rows([500, 1000], min(args.repeats, 3))  # fresh processes: GAP's are slow
    if args.json:
        write_results(args.json, "bench_fourier_floor", argv, rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
