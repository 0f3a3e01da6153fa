"""Render the README's and the results file's benchmark tables from the benchmarks' JSON.

One source of truth: ``benchmarks/results/*.json``, written by ``bench_fourier.py --json``,
``bench_fourier_floor.py --json`` and ``bench_character_table.py --json``.  Each table sits between the markers
``<!-- BEGIN <name> -->`` and ``<!-- END <name> -->`` in ``README.md`` and
``benchmarks/bench_fourier_results.md``; this script replaces what is between them.

    python benchmarks/render_tables.py            # rewrite the tables
    python benchmarks/render_tables.py --check    # exit 1 if a table differs from its JSON
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
TARGETS = [ROOT / "README.md", ROOT / "benchmarks" / "bench_fourier_results.md"]


def fmt(t: float | None) -> str:
    if t is None:
        return "n/a"
    return f"{t * 1e3:.3g} ms" if t < 1 else f"{t:.3g} s"


def header(data: dict, note: str) -> str:
    """The line above a table: command, machine/date/load line, and what the table shows."""
    return (f"Command: `{data['command']}`; {data['machine']} (2-core CPU sandbox shared with "
            f"other jobs). {note}\n\n")


def floor_table(data: dict) -> str:
    head = header(data, "No thread variables set.")
    lines = ["| group | batch | op | first call | best | numpy.fft, same points | ours ÷ numpy.fft | peak memory |",
             "|---|---|---|---|---|---|---|---|"]
    for r in data["rows"]:
        if "numpy_fft_s" not in r:
            continue
        lines.append(f"| {r['group']} | {r['batch']} | {r['op']} | {fmt(r['first_call_s'])} | "
                     f"{fmt(r['fast_s'])} | {fmt(r['numpy_fft_s'])} | {r['ratio']:.1f}× | "
                     f"{r['peak_bytes'] / 2**20:.0f} MiB |")
    return head + "\n".join(lines)


def fourier_table(data: dict) -> str:
    head = header(data, "Baseline: the dense transform (|G|² numbers, built before timing) or the "
                        "brute-force Cayley-table convolution, same run; n/a = not run (memory).")
    lines = ["| group | batch | op | fast | baseline | ratio | first call | peak memory |",
             "|---|---|---|---|---|---|---|---|"]
    for r in data["rows"]:
        base = r.get("baseline_s")
        ratio = f"{base / r['fast_s']:.1f}×" if base else "n/a"
        lines.append(f"| {r['group']} | {r['batch']} | {r['op']} | {fmt(r['fast_s'])} | {fmt(base)} | "
                     f"{ratio} | {fmt(r.get('first_call_s'))} | {r['peak_bytes'] / 2**20:.1f} MiB |")
    return head + "\n".join(lines)


def character_table_table(data: dict) -> str:
    head = header(data, "S_n: best of the repeats, caches cleared before each, peak memory traced "
                        "during one cold call; values checked against GAP's.")
    lines = ["| n | classes | ours (sympy table) | ours (integers only) | GAP via libgap | GAP ÷ ours | "
             "peak memory | check |",
             "|---|---|---|---|---|---|---|---|"]
    for r in data["rows"]:
        if "n" not in r:
            continue
        ratio = "n/a" if r["gap_s"] is None else f"{r['gap_s'] / r['ours_table_s']:.1f}×"
        lines.append(f"| {r['n']} | {r['classes']} | {fmt(r['ours_table_s'])} | {fmt(r['ours_ints_s'])} | "
                     f"{fmt(r['gap_s'])} | {ratio} | {mib(r.get('peak_bytes'))} | "
                     f"{r['check'] or 'GAP not installed'} |")
    dihedral = [r for r in data["rows"] if "group" in r]
    if dihedral:
        lines += ["", "D_n, exact tables, cold: each side in fresh Python processes, ours and GAP's "
                      "alternately, best of the runs. *First call*: the libraries loaded first "
                      "(groupfourier and sympy; libgap imported and GAP started); *whole process*: "
                      "interpreter start, imports, the call and exit. Peak memory: the process's "
                      "resident set.", "",
                  "| group | ours, first call | GAP, first call | GAP ÷ ours | ours, whole process | "
                  "GAP, whole process | GAP ÷ ours | peak memory, ours / GAP | check |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for r in dihedral:
            o, g = r["ours"], r["gap"] or {}
            lines.append(f"| {r['group']} | {fmt(o['call_s'])} | {fmt(g.get('call_s'))} | "
                         f"{times(r['call_ratio'])} | {fmt(o['process_s'])} | {fmt(g.get('process_s'))} | "
                         f"{times(r['process_ratio'])} | {mib(o['peak_rss_bytes'])} / "
                         f"{mib(g.get('peak_rss_bytes'))} | {r['check'] or 'GAP not installed'} |")
    return head + "\n".join(lines)


def times(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.1f}×"


def mib(n: int | None) -> str:
    if n is None:
        return "n/a"
    return f"{n / 2**20:.1f} MiB" if n < 10 * 2**20 else f"{n / 2**20:.0f} MiB"


RENDERERS = {"bench_fourier_floor": floor_table, "bench_fourier": fourier_table,
             "bench_character_table": character_table_table}


def render(text: str) -> str:
    for name, renderer in RENDERERS.items():
        path = RESULTS / f"{name}.json"
        pattern = re.compile(rf"(<!-- BEGIN {name} -->\n).*?(<!-- END {name} -->)", re.S)
        if not path.exists() or not pattern.search(text):
            continue
        table = renderer(json.loads(path.read_text()))
        text = pattern.sub(lambda m: m.group(1) + table + "\n" + m.group(2), text)
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 on a difference")
    args = parser.parse_args(argv)
    stale = []
    for target in TARGETS:
        old = target.read_text()
        new = render(old)
        if new != old:
            stale.append(target.name)
            if not args.check:
                target.write_text(new)
    if args.check and stale:
        print(f"render_tables: out of date with benchmarks/results/*.json: {', '.join(stale)}; "
              f"run python benchmarks/render_tables.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
