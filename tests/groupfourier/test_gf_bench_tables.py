"""The README's and the results file's benchmark tables are rendered from the benchmarks'
JSON (one source of truth): re-rendering changes nothing."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _renderer():
    spec = importlib.util.spec_from_file_location("render_tables", ROOT / "benchmarks" / "render_tables.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tables_agree_with_their_json():
    assert _renderer().main(["--check"]) == 0


def test_render_replaces_only_between_markers():
    r = _renderer()
    text = "before\n<!-- BEGIN bench_fourier_floor -->\nstale\n<!-- END bench_fourier_floor -->\nafter\n"
    out = r.render(text)
    assert out.startswith("before\n<!-- BEGIN bench_fourier_floor -->\n") and out.endswith("after\n")
    assert "stale" not in out and "numpy.fft" in out


def test_character_table_rows_render_with_their_numbers():
    """S_n and D_n rows of bench_character_table's JSON: each figure appears in its cell, the
    ratios are GAP ÷ ours, and a missing GAP shows as n/a (numbers chosen here, not measured)."""
    r = _renderer()
    side = {"load_s": 0.5, "call_s": 0.066, "process_s": 1.1, "peak_rss_bytes": 76 * 2**20, "check": 7}
    gap = dict(side, call_s=1.02, process_s=2.2, peak_rss_bytes=166 * 2**20)
    data = {"command": "python benchmarks/bench_character_table.py", "machine": "M", "rows": [
        {"n": 10, "classes": 42, "ours_ints_s": 0.005, "ours_table_s": 0.004, "peak_bytes": 3 * 2**20,
         "gap_s": 0.012, "gap_py_s": 0.02, "check": "same values"},
        {"group": "D500", "order": 1000, "ours": side, "gap": gap, "call_ratio": 1.02 / 0.066,
         "process_ratio": 2.0, "check": "same sum of squares"},
        {"group": "D7", "order": 14, "ours": side, "gap": None, "call_ratio": None,
         "process_ratio": None, "check": None},
    ]}
    lines = r.character_table_table(data).splitlines()
    s_row = next(line for line in lines if line.startswith("| 10 |"))
    assert s_row == "| 10 | 42 | 4 ms | 5 ms | 12 ms | 3.0× | 3.0 MiB | same values |"
    d_row = next(line for line in lines if line.startswith("| D500 |"))
    assert d_row == ("| D500 | 66 ms | 1.02 s | 15.5× | 1.1 s | 2.2 s | 2.0× | 76 MiB / 166 MiB | "
                     "same sum of squares |")
    none_row = next(line for line in lines if line.startswith("| D7 |"))
    assert none_row == "| D7 | 66 ms | n/a | n/a | 1.1 s | n/a | n/a | 76 MiB / n/a | GAP not installed |"
