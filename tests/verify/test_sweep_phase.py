"""The empirical phase diagram: aggregation over seeds, the predicted boundary, the summary."""

import pytest

from dynamics import Spectrum, TaskModel
from dynamics.predict import predict
from verify.empirical_phase import observed_phase, phase_diagram
from verify.sweep import _config_row, _write_row, expand, main, open_results, parse_spec

# the settings of the `target` preset, on a 2 x 1 grid
BASE = {"group": "D12", "n_ids": 24, "lr": 1.5, "batch": 256, "updates": 3000,
        "log_every": 10, "checkpoint_every": 500, "eval_prompts": 64}


def fake_sweep(tmp_path, labels, *, grid=None, base=None, spectrum=None):
    """A results table whose rows carry the given regimes (no training): ``labels`` maps a
    cell's axis values, in grid order, to one label per seed."""
    grid = grid or {"ratio": [2.0, 4.0], "c_B": [4.0]}
    n_seeds = len(next(iter(labels.values())))
    base = {k: v for k, v in {**BASE, **(base or {})}.items() if k not in grid}
    spec = parse_spec({"base": base, "grid": grid,
                       "spectrum": spectrum or {"first": 3},
                       "sweep": {"seeds": list(range(n_seeds))}})
    conn = open_results(tmp_path / "results.sqlite")
    for run in expand(spec):
        cell = dict(run.cell)
        lab = labels[tuple(v for k, v in run.cell if k != "seed")][cell["seed"]]
        _write_row(conn, {**_config_row(run, spec, tmp_path), "status": "done", "attempts": 1,
                          "regime": lab, "plateau_updates": {"relay": 0.0, "plateau": 500.0,
                                                             "stalled": 2900.0}[lab]})
    conn.close()
    return spec


def test_cells_take_the_majority_of_their_seeds(tmp_path):
    labels = {(2.0, 2.0): ["relay", "relay", "plateau"], (4.0, 2.0): ["plateau", "stalled", "stalled"],
              (2.0, 4.0): ["relay"] * 3, (4.0, 4.0): ["plateau", "relay", "stalled"]}
    fake_sweep(tmp_path, labels, grid={"ratio": [2.0, 4.0], "c_B": [2.0, 4.0]})
    res = phase_diagram(tmp_path, predict=False)
    ph = res.phase
    assert ph.ratios.tolist() == [2.0, 4.0] and ph.values.tolist() == [2.0, 4.0]
    # oracle: the majority written out by hand; a three-way tie is 'mixed'
    assert ph.observed.tolist() == [["relay", "stalled"], ["relay", "mixed"]]
    assert ph.plateau[0, 0] == pytest.approx(500 / 3)
    assert ph.plateau[1, 1] == pytest.approx((500 + 0 + 2900) / 3)
    assert ph.predicted is None and ph.agree is None and ph.status == 1 and ph.success
    assert res.figure.exists() and res.figure.stat().st_size > 0
    md = res.summary_path.read_text()
    assert "| 2 | 2 | plateau×1, relay×2 | — | 167 |" in md and "No prediction" in md
    assert not ph.observed.flags.writeable


def test_predicted_boundary_is_the_dynamics_prediction_for_the_runs_settings(tmp_path):
    fake_sweep(tmp_path, {(2.0, 4.0): ["relay"], (8.0, 4.0): ["relay"]},
               grid={"ratio": [2.0, 8.0], "c_B": [4.0]})
    res = phase_diagram(tmp_path, color="plateau")
    ph = res.phase
    # oracle: dynamics.predict called directly for each cell's exact spectrum and settings
    model = TaskModel(group="D12", M=24, c_B=4.0)
    want = [predict(model, Spectrum((3, 3 * R)), lr=1.5, batch=256, t_max=3000.0).regime
            for R in (2, 8)]
    assert ph.predicted.tolist() == [want]
    assert want[0] == "relay" and want[1] != "relay"
    fine = ph.fine_ratios.tolist()
    assert fine == [h / 3 for h in range(6, 25)]            # every hard horizon 6..24
    first_bad = next(j for j, lab in enumerate(ph.fine_predicted[0]) if lab != "relay")
    assert ph.boundary_ratio[0] == pytest.approx((fine[first_bad - 1] + fine[first_bad]) / 2)
    assert ph.agree is False and ph.status == 1 and "other side" in ph.message     # R = 8 observed relay: disagrees
    want_t = [predict(model, Spectrum((3, 3 * R)), lr=1.5, batch=256, t_max=3000.0)
              .crossings[(3 * R, 0.5)] for R in (2, 8)]
    assert ph.t_hard_predicted[0].tolist() == pytest.approx(want_t, rel=1e-6)
    assert ph.t_hard.tolist() == [[float("inf")] * 2]        # the fake rows hold no times
    md = res.markdown
    assert "same side of the boundary (relay vs not): 1 of 2" in md
    assert "- c_B=4, R=8: observed relay×1, predicted" in md


def test_group_order_axis(tmp_path):
    labels = {(2.0, "D6"): ["relay"], (2.0, "D12"): ["plateau"]}
    fake_sweep(tmp_path, labels, grid={"ratio": [2.0], "group": ["D6", "D12"]},
               base={"n_ids": 12, "c_B": 4.0})
    ph = phase_diagram(tmp_path, y="group_order", predict=False).phase
    assert ph.values.tolist() == [12.0, 24.0] and ph.observed.tolist() == [["relay"], ["plateau"]]


def test_bad_inputs(tmp_path, capsys):
    with pytest.raises(ValueError, match=r"no results database"):
        phase_diagram(tmp_path / "nope")
    with pytest.raises(ValueError, match=r"y must be 'c_B' or 'group_order'; got y='lr'"):
        observed_phase([{"ratio": 2.0, "lr": 1.0, "regime": "relay"}], y="lr")
    with pytest.raises(ValueError, match=r"no finished run"):
        observed_phase([])
    fake_sweep(tmp_path, {(2.0, 1.5): ["relay"], (2.0, 3.0): ["relay"]},
               grid={"ratio": [2.0], "lr": [1.5, 3.0]}, base={"c_B": 4.0})
    with pytest.raises(ValueError, match=r"the runs differ in lr \(\['1\.5', '3\.0'\]\)"):
        phase_diagram(tmp_path)
    three = tmp_path / "three"
    three.mkdir()
    fake_sweep(three, {(2.0, 4.0): ["relay"]}, grid={"ratio": [2.0], "c_B": [4.0]},
               spectrum={"first": 2, "n_levels": 3})
    with pytest.raises(ValueError, match=r"two-level jumps .* \[3\] levels"):
        phase_diagram(three)
    assert main(["phase-diagram", str(tmp_path / "nope")]) == 2
    assert capsys.readouterr().err.startswith("error: phase_diagram: no results database")
