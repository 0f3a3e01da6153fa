"""Benchmark: fast Fourier transforms on S_n, D_n and Z_n against the dense sums, in one run.

Run from the repository root::

    .venv/bin/python benchmarks/bench_fourier.py --json benchmarks/results/bench_fourier.json
    .venv/bin/python benchmarks/bench_fourier.py --quick    # smaller sizes, no S_10

No thread variable is needed: groupfourier limits BLAS to one thread for its own
products (threadpoolctl).  The header prints the setting and the load.  Each row also
reports the first (cold) call, after ``groupfourier.clear_caches()``, and the peak
traced memory of one fast call; ``--json`` writes every row for
``benchmarks/render_tables.py``, which renders the README's table from it.

Each row: group, |G|, batch size, operation, the fast time (``method="fft"``), the
baseline time measured in the same run, and baseline/fast.  Baselines:

* forward and inverse: ``method="dense"``, an einsum against ``Irrep.matrices()``
  (those |G|·Σd² = |G|² numbers are built once before timing and NOT counted,
  which flatters the baseline);
* convolution: the brute-force sum (f ∗ h)(x) = Σ_y f(x y⁻¹) h(y), vectorised
  over the Cayley table (table built before timing, not counted).

Where the baseline would need |G|² memory beyond ~0.2 GB (S_8 and larger) or its
per-irrep loop gets long (Z_n, D_n with |G| > 1000) it is not run and the row
says ``n/a``.  Times are the best
of several repeats (``time.perf_counter``); the S_10 line also reports peak
memory (tracemalloc peak of numpy allocations, and the process's max RSS).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import resource
import sys
import time
import tracemalloc
from typing import Callable

import numpy as np

from groupfourier import (CyclicGroup, DihedralGroup, SymmetricGroup, clear_caches, convolve,
                          fourier_transform, inverse_fourier_transform)

#: Dense / brute-force baselines run only where |G|² numbers fit comfortably (S_n), and
#: for Z_n and D_n (|G| or |G|/2 irreps, one contraction each) only up to |G| = 1000.
DENSE_MAX_ORDER = {"S": 5040, "D": 1000, "Z": 1000}


def best_time(fn: Callable[[], object], *, budget: float = 0.5, max_repeats: int = 7) -> float:
    """Best wall time of ``fn`` over up to ``max_repeats`` runs within ~``budget`` seconds."""
    t0 = time.perf_counter()
    fn()  # warm caches; a slow baseline is timed by this one run
    first = time.perf_counter() - t0
    if first > budget:
        return first
    best, spent, k = first, 0.0, 0
    while k < max_repeats and (k < 2 or spent < budget):
        t0 = time.perf_counter()
        fn()
        dt = time.perf_counter() - t0
        best, spent, k = min(best, dt), spent + dt, k + 1
    return best


def machine_line() -> str:
    """Date, machine, versions, the thread setting and the load average now."""
    cpu = platform.processor() or platform.machine()
    return (f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC  {platform.system()} {cpu}, "
            f"{os.cpu_count()} cores, Python {platform.python_version()}, numpy {np.__version__}; "
            f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}, "
            f"load average {os.getloadavg()[0]:.1f}")


def write_json(path: str, data: dict) -> None:
    """Write ``data`` atomically (temporary file, then rename)."""
    import json
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as fh:
        json.dump(data, fh, indent=1)
        fh.write("\n")
    os.replace(tmp, path)


def cold_and_peak(call: Callable[[], object]) -> tuple[float, int]:
    """(seconds of the first call, as made after ``clear_caches()`` by the caller; peak bytes
    traced by tracemalloc during a second call)."""
    t0 = time.perf_counter()
    call()
    cold = time.perf_counter() - t0
    tracemalloc.start()
    call()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return cold, peak


def write_results(path: str, name: str, argv: list[str] | None, rows: list[dict]) -> None:
    """The benchmark's JSON for ``benchmarks/render_tables.py``: name, machine line, command, rows."""
    args = argv if argv is not None else sys.argv[1:]
    write_json(path, {"benchmark": name, "machine": machine_line(),
                      "command": f"python benchmarks/{name}.py " + " ".join(args), "rows": rows})


def brute_convolution(G, f: np.ndarray, h: np.ndarray) -> np.ndarray:
    """(f ∗ h)(x) = Σ_z f(z) h(z⁻¹x): the |G|×|G| matrix K[z, x] = h(z⁻¹x) from the
    Cayley table, then f @ K (O(|G|²) time, |G|² memory once, not per batch row)."""
    K = h[G.cayley_table[G.inverse_indices, :]]
    return f @ K


def fmt(t: float | None) -> str:
    if t is None:
        return "n/a"
    return f"{t * 1e3:.3g} ms" if t < 1 else f"{t:.3g} s"


def rows_for(G, batch: int, rng: np.random.Generator) -> list[tuple]:
    f = rng.normal(size=(batch, G.order)) if batch > 1 else rng.normal(size=G.order)
    h = rng.normal(size=G.order)
    F = fourier_transform(G, f, method="fft")
    dense_ok = G.order <= DENSE_MAX_ORDER[G.name[0]]
    if dense_ok:  # build and cache ρ on the whole group (and the Cayley table) before timing
        for rho in G.irreps():
            rho.matrices()
        G.cayley_table
    out = []
    ops = {
        "forward": (lambda: fourier_transform(G, f, method="fft"),
                    lambda: fourier_transform(G, f, method="dense")),
        "inverse": (lambda: inverse_fourier_transform(G, F, method="fft"),
                    lambda: inverse_fourier_transform(G, F, method="dense")),
        "convolution": (lambda: convolve(G, f, h, method="fft"),
                        lambda: brute_convolution(G, f, h)),
    }
    for op, (fast, base) in ops.items():
        clear_caches()
        cold, peak = cold_and_peak(fast)
        tf = best_time(fast)
        if dense_ok:  # re-cache ρ on the whole group after the cold measurement
            for rho in G.irreps():
                rho.matrices()
        tb = best_time(base, budget=1.0, max_repeats=3) if dense_ok else None
        out.append((G.name, G.order, batch, op, tf, tb, cold, peak))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, skip S_9 and S_10")
    parser.add_argument("--no-s10", action="store_true", help="skip the S_10 line")
    parser.add_argument("--json", metavar="PATH", help="also write every row as JSON")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)

    sym = range(5, 8) if args.quick else range(5, 10)
    groups = [(SymmetricGroup(n), b) for n in sym for b in ((1, 16) if n <= 7 else (1,))]
    dih = (4, 60, 500) if args.quick else (4, 60, 500, 5040, 50_000)
    cyc = (8, 120, 1000) if args.quick else (8, 120, 1000, 10_080, 100_000)
    groups += [(DihedralGroup(n), b) for n in dih for b in (1, 16)]
    groups += [(CyclicGroup(n), b) for n in cyc for b in (1, 16)]

    print(f"# bench_fourier  {machine_line()}")
    print("# fast = method='fft'; baseline = method='dense' (forward/inverse) or brute-force "
          "Cayley-table sum (convolution),\n# measured in this run; n/a = baseline not run "
          f"(|G|^2 memory/time; run for |G| <= {DENSE_MAX_ORDER}).\n")
    header = ("group", "|G|", "batch", "op", "fast", "baseline", "ratio", "first call", "peak")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    records = []
    for G, b in groups:
        for name, order, batch, op, tf, tb, cold, peak in rows_for(G, b, rng):
            ratio = f"{tb / tf:.1f}x" if tb is not None else "n/a"
            print(f"| {name} | {order} | {batch} | {op} | {fmt(tf)} | {fmt(tb)} | {ratio} | "
                  f"{fmt(cold)} | {peak / 2**20:.1f} MiB |")
            records.append({"group": name, "order": order, "batch": batch, "op": op, "fast_s": tf,
                            "baseline_s": tb, "first_call_s": cold, "peak_bytes": peak})
        sys.stdout.flush()

    if not (args.quick or args.no_s10):
        G = SymmetricGroup(10)
        f = rng.normal(size=G.order)
        fourier_transform(G, f)  # first call: element map and Young tables (reported apart)
        tracemalloc.start()
        t0 = time.perf_counter()
        F = fourier_transform(G, f)
        t1 = time.perf_counter()
        back = inverse_fourier_transform(G, F)
        t2 = time.perf_counter()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        err = float(np.abs(back - f).max())
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB -> GiB (Linux)
        print(f"\nS10 (|G| = {G.order}): forward {fmt(t1 - t0)}, inverse {fmt(t2 - t1)}, "
              f"round-trip max error {err:.1e}; peak traced memory {peak / 2**30:.2f} GiB "
              f"(= {peak / (8 * G.order):.0f} float64 per element), process max RSS {rss:.2f} GiB.")
        records.append({"group": "S10", "order": G.order, "batch": 1, "op": "forward+inverse",
                        "fast_s": t2 - t0, "forward_s": t1 - t0, "inverse_s": t2 - t1,
                        "baseline_s": None, "peak_bytes": peak, "max_error": err})
    if args.json:
        write_results(args.json, "bench_fourier", argv, records)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
