"""The plateau-against-ratio summary of two-horizon transformer runs (hand-built inputs)."""

import math
from types import SimpleNamespace

import matplotlib
import pytest

from verify.transformer.compare import plateau_vs_ratio

matplotlib.use("Agg")


def _comp(name, horizons, t_obs, t_pred):
    return SimpleNamespace(base=SimpleNamespace(name=name, horizons=horizons,
                                                t_observed=dict(zip(horizons, t_obs)),
                                                t_predicted=dict(zip(horizons, t_pred))))


def test_power_law_plateaus_are_recovered_and_figure_written(tmp_path):
    # observed plateau 5·R^2 and predicted 40·R^3 exactly, first phase 100 / 120 updates
    comps = [_comp(f"R{R}", (2, 2 * R), (100, 100 + 5 * R ** 2), (120, 120 + 40 * R ** 3))
             for R in (8, 2, 4)]
    comps.append(_comp("ladder", (2, 4, 8), (1, 2, 3), (1, 2, 3)))          # skipped
    rows, md = plateau_vs_ratio(comps, tmp_path / "p.png")
    assert [r["name"] for r in rows] == ["R2", "R4", "R8"]
    assert [r["observed"] for r in rows] == [20, 80, 320]
    assert [r["predicted"] for r in rows] == [320, 2560, 20480]
    assert rows[0]["ratio"] == pytest.approx(16.0)
    assert "observed: plateau ≈ 5·R^2.00" in md and "predicted: plateau ≈ 40·R^3.00" in md
    assert (tmp_path / "p.png").stat().st_size > 0


def test_a_hard_horizon_that_never_crosses_is_reported_and_left_out_of_the_fit():
    comps = [_comp("R2", (2, 4), (10, 30), (10, 50)), _comp("R4", (2, 8), (10, 90), (10, 170)),
             _comp("R8", (2, 16), (10, math.inf), (10, 900))]
    rows, md = plateau_vs_ratio(comps)
    assert math.isinf(rows[2]["observed"]) and "| R8 | 8 | never | 890 |" in md
    assert "observed: plateau ≈ 5·R^2.00" in md           # 20 and 80 only


def test_fewer_than_two_runs_give_no_section():
    assert plateau_vs_ratio([_comp("R2", (2, 4), (1, 3), (1, 5))])[1] == ""
