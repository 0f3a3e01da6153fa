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
