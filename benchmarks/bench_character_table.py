"""Benchmark: S_n and D_n character tables, groupfourier against GAP.

Run:  python benchmarks/bench_character_table.py [--n 10 12 14 16] [--dihedral 500 1000]
          [--repeats 3] [--fresh 3] [--json PATH]

``--json benchmarks/results/bench_character_table.json`` writes the rows for
``benchmarks/render_tables.py``, which renders the README's table from it.

Both sides are timed in this one run, cold (every cache of ours cleared before
each call, a fresh ``SymmetricGroup(n)`` object in GAP each time), called in turn in
each repetition (so that a burst of load hits every side alike), and the best of
``--repeats`` is reported:

* ours, ints:  ``symmetric_character_array(n)``, the exact integer table (numpy);
* ours, table: ``character_table(SymmetricGroup(n))``, labels, class sizes and the
  exact sympy ``ImmutableMatrix`` (what users get);
* GAP:         ``List(Irr(CharacterTable(SymmetricGroup(n))), ValuesOfClassFunction)``
  through libgap (passagemath-gap, the ``bench`` extra), values left in GAP;
* GAP+py:      the same, converted to Python ints.

ratio = GAP time / our table time (> 1: we are faster).  As a sanity check the
multiset of values of each table is compared with GAP's.  The peak memory traced
(tracemalloc) during one cold call of ours is reported too.

D_n (``--dihedral``; GAP's ``DihedralGroup`` takes the order 2n): each repetition runs
**two fresh Python processes, ours then GAP's, alternately** (best of ``--fresh``), so
nothing is cached and a burst of load on the shared machine hits both sides alike:

* ours:  ``from groupfourier import DihedralGroup; import sympy`` (the library the exact
  values are made of: it is loaded with ours as GAP's library is loaded with libgap; else
  the first call would import it), then ``DihedralGroup(n).character_table().values``;
* GAP:   ``from sage.all__sagemath_gap import libgap; libgap.eval("1")`` (starts GAP), then
  ``List(Irr(CharacterTable(DihedralGroup(2n))), ValuesOfClassFunction)``.

Two times per side: **first call** (libraries loaded, the call timed inside the process)
and **whole process** (interpreter start, imports, the call and exit, timed by this
script around the process), and the process's peak resident memory (``VmHWM``).
The check compares Σ χ(C)² over the table (an integer: Σ_χ |χ(g)|² = |C_G(g)|) with
GAP's; that the tables are equal entry by entry in exact arithmetic is tested in
``tests/groupfourier/test_gf_dihedral_table.py`` (GAP, n <= 60; D100 and D500 with
``--run-slow``).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
import tracemalloc
from datetime import datetime, timezone

import sympy  # noqa: F401  (loaded before timing, as GAP is started before its timings)

from groupfourier import SymmetricGroup, character_table, symmetric_character_array
from groupfourier.characters import _clear_caches

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_fourier import write_results  # noqa: E402


def best_alternating(calls: dict, repeats: int, before=None) -> tuple[dict, dict]:
    """Best time of each callable in ``calls`` (name -> callable), called in turn in every
    repetition (``before()`` ahead of each call), so that a burst of load on the shared
    machine hits all of them alike; also the last output of each."""
    best = dict.fromkeys(calls, float("inf"))
    out: dict = {}
    for _ in range(repeats):
        for name, fn in calls.items():
            if before is not None:
                before()
            t = time.perf_counter()
            out[name] = fn()
            best[name] = min(best[name], time.perf_counter() - t)
    return best, out


# The peak resident set of the process since its exec (VmHWM; ru_maxrss would include the
# parent's memory at fork time).
PEAK = "int(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')))"

OURS_DIHEDRAL = """
import time
t0 = time.perf_counter()
from groupfourier import DihedralGroup
import sympy  # the exact values' library, loaded as GAP's is (else the first call imports it)
t1 = time.perf_counter()
table = DihedralGroup({n}).character_table()
values = table.values
t2 = time.perf_counter()
check = round(float((table.to_numpy() ** 2).sum()))
print(t1 - t0, t2 - t1, {peak}, check)
"""

GAP_DIHEDRAL = """
import time
t0 = time.perf_counter()
from sage.all__sagemath_gap import libgap
libgap.eval("1")
t1 = time.perf_counter()
values = libgap.eval("List(Irr(CharacterTable(DihedralGroup({order}))), ValuesOfClassFunction)")
t2 = time.perf_counter()
check = int(libgap.Sum(values, libgap.eval("r -> r * r")))
print(t1 - t0, t2 - t1, {peak}, check)
"""


def fresh_process(code: str) -> dict | None:
    """Run ``code`` in a fresh interpreter (this checkout first on the path); its printed
    load time, call time, peak resident memory (KiB) and check value, and the whole process's
    wall time."""
    env = dict(os.environ)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=600)
    wall = time.perf_counter() - t
    if out.returncode != 0:
        return None
    load, call, rss, check = out.stdout.split()[-4:]
    return {"load_s": float(load), "call_s": float(call), "process_s": wall,
            "peak_rss_bytes": int(rss) * 1024, "check": int(check)}


def best(runs: list[dict]) -> dict:
    """Best (smallest) of each measured quantity over the runs."""
    return {key: min(r[key] for r in runs) for key in runs[0]}


def dihedral_rows(ns: list[int], repeats: int, with_gap: bool) -> list[dict]:
    records = []
    for n in ns:
        ours, gap = [], []
        for _ in range(repeats):  # alternate: a burst of load hits both sides alike
            ours.append(fresh_process(OURS_DIHEDRAL.format(n=n, peak=PEAK)))
            if with_gap:
                gap.append(fresh_process(GAP_DIHEDRAL.format(order=2 * n, peak=PEAK)))
        if None in ours:
            raise RuntimeError(f"D{n}: our fresh process failed")
        o = best(ours)
        g = best(gap) if gap and None not in gap else None
        record = {"group": f"D{n}", "order": 2 * n, "ours": o, "gap": g,
                  "call_ratio": g["call_s"] / o["call_s"] if g else None,
                  "process_ratio": g["process_s"] / o["process_s"] if g else None,
                  "check": None if g is None else
                  ("same sum of squares" if g["check"] == o["check"] else "DIFFERENT")}
        records.append(record)
        line = (f"D{n}: ours first call {o['call_s'] * 1e3:.0f} ms (load {o['load_s'] * 1e3:.0f} ms), "
                f"process {o['process_s']:.2f} s, peak {o['peak_rss_bytes'] / 2**20:.0f} MiB")
        if g:
            line += (f"; GAP first call {g['call_s'] * 1e3:.0f} ms (load {g['load_s'] * 1e3:.0f} ms), "
                     f"process {g['process_s']:.2f} s, peak {g['peak_rss_bytes'] / 2**20:.0f} MiB; "
                     f"GAP/ours call {record['call_ratio']:.1f}x, process {record['process_ratio']:.1f}x; "
                     f"{record['check']}")
        print(line, flush=True)
    return records


def traced_peak(call) -> int:
    """Peak bytes traced by tracemalloc during ``call()``."""
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def load_gap():
    try:
        from sage.all__sagemath_gap import libgap  # the `bench` extra: passagemath-gap
    except Exception as err:  # noqa: BLE001 - any import failure means: no baseline
        return None, f"{type(err).__name__}: {err}"
    libgap.eval("List(Irr(CharacterTable(SymmetricGroup(5))), ValuesOfClassFunction)")  # warm up
    return libgap, None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[10, 12, 14, 16])
    parser.add_argument("--dihedral", type=int, nargs="*", default=[500, 1000],
                        help="D_n tables, cold, in fresh processes (none: skip)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--fresh", type=int, default=3, help="fresh-process pairs per D_n")
    parser.add_argument("--json", metavar="PATH", help="also write the rows as JSON")
    args = parser.parse_args(argv)
    records = []

    libgap, why = load_gap()
    print(f"# S_n character tables, {platform.processor() or platform.machine()}, "
          f"python {platform.python_version()}, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")
    if libgap is None:
        print(f"# GAP unavailable ({why}); install the bench extra: pip install passagemath-gap")
    print(f"{'n':>3} {'classes':>8} {'ours ints':>11} {'ours table':>11} {'GAP':>10} "
          f"{'GAP+py':>10} {'ratio':>7}  check")
    for n in args.n:
        expr = f"List(Irr(CharacterTable(SymmetricGroup({n}))), ValuesOfClassFunction)"
        calls = {"ints": lambda: symmetric_character_array(n),
                 "table": lambda: character_table(SymmetricGroup(n))}
        if libgap is not None:
            calls["gap"] = lambda: libgap.eval(expr)
            calls["gap_py"] = lambda: [[int(x) for x in r] for r in libgap.eval(expr)]
        t, out = best_alternating(calls, args.repeats, _clear_caches)
        table = out["table"]
        _clear_caches()
        peak = traced_peak(lambda: character_table(SymmetricGroup(n)))
        row = f"{n:>3} {len(table.class_labels):>8} {t['ints'] * 1e3:>9.1f}ms {t['table'] * 1e3:>9.1f}ms"
        record = {"n": n, "classes": len(table.class_labels), "ours_ints_s": t["ints"],
                  "ours_table_s": t["table"], "peak_bytes": peak, "gap_s": None, "gap_py_s": None,
                  "check": None}
        records.append(record)
        if libgap is None:
            print(row + f" {'-':>10} {'-':>10} {'-':>7}  -")
            continue
        ours = sorted(sorted(int(v) for v in table.values.row(i)) for i in range(table.values.rows))
        check = "same values" if ours == sorted(sorted(r) for r in out["gap_py"]) else "DIFFERENT"
        print(row + f" {t['gap'] * 1e3:>8.1f}ms {t['gap_py'] * 1e3:>8.1f}ms "
              f"{t['gap'] / t['table']:>7.2f}  {check}")
        record.update(gap_s=t["gap"], gap_py_s=t["gap_py"], check=check)
    dihedral = dihedral_rows(args.dihedral, args.fresh, libgap is not None) if args.dihedral else []
    if args.json:
        write_results(args.json, "bench_character_table", argv, records + dihedral)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
