"""The one regime rule (dynamics.regime) and the one boundary (dynamics.setup)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dynamics import Spectrum, TaskModel, TrainingSetup
from dynamics.optim import OptimizerSpec
from dynamics.predict import predict
from dynamics.regime import HALF, RISE_FRACTION, THRESHOLD, classify_curves


def _ramps(t, starts, widths, chance):
    """Piecewise-linear curves: chance until start, then linear to 1 over width."""
    return np.vstack([chance + (1 - chance) * np.clip((t - a) / w, 0, 1)
                      for a, w in zip(starts, widths)])


def test_index_of_piecewise_linear_curves_matches_the_closed_form():
    # oracle by hand: a ramp from chance c at a to 1 at a + w crosses level y at
    # a + w (y - c)/(1 - c); the stall is the second rise minus the first half time
    c = 1 / 24
    t = np.linspace(0, 1000, 20001)
    starts, widths = (0.0, 600.0), (20.0, 40.0)
    P = _ramps(t, starts, widths, c)
    r = classify_curves(t, P, (3, 24), chance=c)
    frac = lambda a, w, y: a + w * (y - c) / (1 - c)
    rise_level = c + RISE_FRACTION * (HALF - c)
    h1, h2 = frac(0, 20, HALF), frac(600, 40, HALF)
    r2 = frac(600, 40, rise_level)
    assert r.half == pytest.approx((h1, h2), abs=1e-6)
    assert r.rise[1] == pytest.approx(r2, abs=1e-6)
    assert r.stall[1] == pytest.approx(r2 - h1, abs=1e-6)
    assert r.index == pytest.approx((r2 - h1) / (h2 - r2), rel=1e-6)
    assert r.regime == ("plateau" if r.index >= THRESHOLD else "relay") == "plateau"
    assert r.worst == 24 and r.status == 1


def test_a_relay_is_a_relay_however_fast_the_easiest_horizon_is_learned():
    # each horizon starts rising while the previous one is rising; the easiest horizon
    # reaching 0.5 after 0.5 or after 500 time units (non-abelian vs abelian) gives relay
    # with a small index (the old rule, longest stall > first phase, said plateau for 0.5)
    c = 1 / 12
    t = np.linspace(0, 5000, 50001)
    for first in (1.0, 1000.0):
        P = _ramps(t, (0.0, first * 0.4, first * 0.4 + 100), (first, 400.0, 600.0), c)
        r = classify_curves(t, P, (2, 4, 8), chance=c)
        assert r.regime == "relay" and r.index < 0.3, r
        assert r.longest_stall < 50


def test_noise_spikes_during_a_plateau_do_not_start_the_rise():
    c = 0.05
    t = np.arange(0.0, 1001.0)
    P = _ramps(t, (0.0, 800.0), (10.0, 50.0), c)
    clean = classify_curves(t, P, (2, 16), chance=c)
    P[1, 300] = P[1, 500] = 0.3            # two one-record spikes above the rise level
    spiky = classify_curves(t, P, (2, 16), chance=c)
    assert spiky.rise == clean.rise and spiky.index == clean.index


def test_stalled_unfinished_and_the_time_given():
    c = 1 / 24
    t = np.linspace(0, 1000, 1001)
    P = _ramps(t, (0.0, 700.0), (10.0, 20.0), c)
    assert classify_curves(t, P, (2, 16), chance=c).regime == "plateau"
    cut = classify_curves(t, P, (2, 16), chance=c, t_end=650.0)      # still at chance
    assert cut.regime == "stalled" and math.isinf(cut.index) and cut.status == 0
    mid = classify_curves(t, P, (2, 16), chance=c, t_end=705.0)      # cut during its rise
    assert mid.regime == "unfinished" and math.isinf(mid.half[1]) and math.isfinite(mid.rise[1])
    assert mid.to_dict()["per_horizon"][1]["half"] is None


@settings(max_examples=60, deadline=None)
@given(scale=st.floats(1e-3, 1e3), gap=st.floats(0.0, 3000.0), w1=st.floats(0.5, 500.0),
       w2=st.floats(1.0, 800.0), chance=st.sampled_from([1 / 12, 1 / 24, 1 / 120]))
def test_label_and_index_do_not_change_when_time_is_rescaled(scale, gap, w1, w2, chance):
    t = np.linspace(0, 5000, 2001)
    P = _ramps(t, (0.0, w1 * 0.5 + gap), (w1, w2), chance)
    a = classify_curves(t, P, (3, 24), chance=chance)
    b = classify_curves(scale * t, P, (3, 24), chance=chance)
    assert a.regime == b.regime
    assert b.index == pytest.approx(a.index, rel=1e-9, abs=1e-12)
    assert b.half == pytest.approx(tuple(scale * h for h in a.half), rel=1e-9)


@settings(max_examples=4, deadline=None)
@given(k=st.floats(0.2, 5.0))
def test_a_predicted_label_does_not_change_with_the_learning_rate(k):
    # exact gradient from a fixed θ0: another learning rate only rescales time (1/k)
    model = TaskModel(group="D6", M=12, c_B=4)
    base = dict(optimizer="sgd", sampled=False, theta0=0.02)
    a = predict(model, Spectrum((2, 4, 8)), lr=3.0, t_max=2e4, **base)
    b = predict(model, Spectrum((2, 4, 8)), lr=3.0 * k, t_max=2e4 / k, **base)
    assert a.regime == b.regime == "relay"
    assert b.index == pytest.approx(a.index, rel=1e-4)
    for L in (2, 4, 8):
        assert b.crossings[(L, 0.5)] == pytest.approx(a.crossings[(L, 0.5)] / k, rel=1e-4)


# the measured boundary (docs/regimes.md): one group per family here, both per family and
# every optimiser in the slow test
FAST = [("Z24", (2, 6, 18), "relay"), ("D12", (3, 6, 12), "relay"), ("S4", (2, 6, 18), "relay"),
        ("Z24", (3, 24), "plateau"), ("D12", (2, 16), "plateau"), ("S4", (3, 24), "plateau")]


@pytest.mark.parametrize("group,horizons,want", FAST)
def test_ladders_of_ratio_3_relay_and_jumps_of_ratio_8_plateau(group, horizons, want):
    r = predict(TaskModel(group=group, M=24, c_B=4), Spectrum(horizons), lr=3.0, batch=256)
    assert r.regime == want, r.classification


@pytest.mark.slow
@pytest.mark.parametrize("optimizer,lr", [("sgd", 3.0), ("adam", 0.01)])
@pytest.mark.parametrize("sampled", [True, False])
def test_the_boundary_on_two_groups_per_family(optimizer, lr, sampled):
    ladders = [(2, 4, 8), (3, 6, 12), (2, 4, 8, 16), (2, 6, 18), (3, 9), (2, 6)]
    jumps = [(2, 16), (3, 24), (2, 20)]
    for group in ("Z24", "Z60", "D12", "D15", "S4", "S5"):
        model = TaskModel(group=group, M=24, c_B=4)
        for hs, want in [(h, "relay") for h in ladders] + [(h, "plateau") for h in jumps]:
            r = predict(model, Spectrum(hs), optimizer=optimizer, lr=lr, batch=256,
                        sampled=sampled, theta0=None if sampled else 0.02, t_max=3e5)
            assert r.regime == want, (group, hs, r.classification)


def test_predict_takes_a_setup_or_keywords_through_one_path():
    model, spec = TaskModel(group="S4", M=16, c_B=4), Spectrum((2, 6))
    setup = TrainingSetup(model=model, spectrum=spec,
                          optimizer=OptimizerSpec(optimizer="sgd", lr=3.0, batch=128),
                          t_max=500.0)
    a, b = predict(setup), predict(model, spec, lr=3.0, batch=128, t_max=500.0)
    assert a.setup == b.setup and a.crossings == b.crossings and a.regime == b.regime
    assert a.to_dict()["index"] == b.to_dict()["index"]
    with pytest.raises(TypeError, match="TrainingSetup alone"):
        predict(setup, lr=3.0)
    with pytest.raises(TypeError, match="expected a TrainingSetup or a TaskModel"):
        predict("S4", spec)
    with pytest.raises(ValueError, match="theta0 must be a finite number"):
        setup.replace(theta0=math.nan)


def test_classify_curves_rejects_bad_input():
    t = np.linspace(0, 1, 5)
    with pytest.raises(ValueError, match="p_success of shape"):
        classify_curves(t, np.zeros((2, 4)), (2, 4), chance=0.1)
    with pytest.raises(ValueError, match="chance must lie in"):
        classify_curves(t, np.zeros((1, 5)), (2,), chance=0.6)
    with pytest.raises(ValueError, match="non-decreasing"):
        classify_curves(t[::-1], np.zeros((1, 5)), (2,), chance=0.1)


def test_cli_predict_for_a_run_config_goes_through_its_training_setup(tmp_path, capsys):
    import json

    from dynamics.__main__ import main
    from verify.config import RunConfig
    cfg = RunConfig(group="D6", horizons=(2, 4, 8), n_ids=12, lr=3.0, batch=256, updates=300)
    (tmp_path / "config.json").write_text(cfg.to_json())
    assert main(["predict", "--config", str(tmp_path / "config.json"),
                 "--json", str(tmp_path / "p.json")]) == 0
    out = capsys.readouterr().out
    want = predict(cfg.training_setup())
    assert f"regime: {want.regime} (index {want.index:.3g}" in out
    data = json.loads((tmp_path / "p.json").read_text())
    assert data["config"] == want.setup.to_dict() and data["index"] == pytest.approx(want.index)
    assert main(["predict", "--config", str(tmp_path / "nope.json")]) == 2
    assert main(["predict", "--horizons", "2,4"]) == 2
    assert "--group and --horizons, or --config" in capsys.readouterr().err
