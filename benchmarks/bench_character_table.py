"""Benchmark: S_n character tables, groupfourier (Murnaghan–Nakayama) against GAP.

Run:  python benchmarks/bench_character_table.py [--n 10 12 14 16] [--repeats 3] [--json PATH]

``--json benchmarks/results/bench_character_table.json`` writes the rows for
``benchmarks/render_tables.py``, which renders the README's table from it.

Both sides are timed in this one run, cold (every cache of ours cleared before
each repetition, a fresh ``SymmetricGroup(n)`` object in GAP each time), and the
best of ``--repeats`` is reported:

* ours, ints:  ``symmetric_character_array(n)``, the exact integer table (numpy);
* ours, table: ``character_table(SymmetricGroup(n))``, labels, class sizes and the
  exact sympy ``ImmutableMatrix`` (what users get);
* GAP:         ``List(Irr(CharacterTable(SymmetricGroup(n))), ValuesOfClassFunction)``
  through libgap (passagemath-gap, the ``bench`` extra), values left in GAP;
* GAP+py:      the same, converted to Python ints.

ratio = GAP time / our table time (> 1: we are faster).  As a sanity check the
multiset of values of each table is compared with GAP's.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from datetime import datetime, timezone

from groupfourier import SymmetricGroup, character_table, symmetric_character_array
from groupfourier.characters import _clear_caches

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_fourier import write_results  # noqa: E402


def best_of(fn, repeats: int, before=None) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeats):
        if before is not None:
            before()
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


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
    parser.add_argument("--repeats", type=int, default=3)
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
        t_int, _ = best_of(lambda: symmetric_character_array(n), args.repeats, _clear_caches)
        t_tab, table = best_of(lambda: character_table(SymmetricGroup(n)), args.repeats, _clear_caches)
        row = f"{n:>3} {len(table.class_labels):>8} {t_int * 1e3:>9.1f}ms {t_tab * 1e3:>9.1f}ms"
        record = {"n": n, "classes": len(table.class_labels), "ours_ints_s": t_int, "ours_table_s": t_tab,
                  "gap_s": None, "gap_py_s": None, "check": None}
        records.append(record)
        if libgap is None:
            print(row + f" {'-':>10} {'-':>10} {'-':>7}  -")
            continue
        expr = f"List(Irr(CharacterTable(SymmetricGroup({n}))), ValuesOfClassFunction)"
        t_gap, _ = best_of(lambda: libgap.eval(expr), args.repeats)
        t_gpy, gap_rows = best_of(lambda: [[int(x) for x in r] for r in libgap.eval(expr)], args.repeats)
        ours = sorted(sorted(int(v) for v in table.values.row(i)) for i in range(table.values.rows))
        check = "same values" if ours == sorted(sorted(r) for r in gap_rows) else "DIFFERENT"
        print(row + f" {t_gap * 1e3:>8.1f}ms {t_gpy * 1e3:>8.1f}ms {t_gap / t_tab:>7.2f}  {check}")
        record.update(gap_s=t_gap, gap_py_s=t_gpy, check=check)
    if args.json:
        write_results(args.json, "bench_character_table", argv, records)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
