"""One boundary between a run and the theory: every comparison path builds the same
TrainingSetup (RunConfig.training_setup) and so the same prediction."""

import dataclasses
import json

import numpy as np
import pytest

from dynamics.predict import predict
from verify.compare import run_setup
from verify.config import preset
from verify.empirical_phase import _row_config
from verify.model import reduced_theta
from verify.sweep import _config_row, expand, load_spec, preset_names
from verify.train import build_policy
from verify.transformer.presets import TRANSFORMER_PRESETS, transformer_preset


def _all_run_configs():
    out = {}
    for name in ("quick", "paper"):
        out.update({f"{name}/{k}": c for k, c in preset(name).items()})
        out.update({f"{name}/{k}/exact": dataclasses.replace(c, algo="exact")
                    for k, c in preset(name).items()})
    for name in preset_names():
        spec = load_spec(name)
        out.update({f"sweep {name}/{r.run_id}": (r, spec) for r in expand(spec)})
    return out


def test_compare_and_phase_diagram_paths_give_the_same_setup_for_every_preset_and_sweep(tmp_path):
    n = 0
    for key, item in _all_run_configs().items():
        if isinstance(item, tuple):                       # a sweep row, read back
            run, spec = item
            cfg = run.config
            row = _config_row(run, spec, tmp_path)
            assert _row_config(json.loads(json.dumps(row))) == cfg, key
        else:
            cfg = item
        direct = cfg.training_setup()
        # compare: a finished run logs steps 0..updates and the θ of its initial Q
        policy = build_policy(dataclasses.replace(cfg, head="ideal"))
        theta = np.array([reduced_theta(policy.Q, policy.task.perm), 0.0])
        via_compare = run_setup(cfg, np.array([0.0, cfg.updates]), theta)
        assert via_compare == direct, key
        if isinstance(item, tuple):
            assert _row_config(_config_row(run, spec, tmp_path)).training_setup() == direct, key
        n += 1
    assert n > 40


def test_exact_gradient_runs_start_from_the_runs_initial_theta_with_no_floor():
    cfg = preset("quick")["relay"]
    exact = dataclasses.replace(cfg, algo="exact")
    s = exact.training_setup()
    policy = build_policy(exact)
    assert s.theta0 == pytest.approx(reduced_theta(policy.Q, policy.task.perm), abs=0)
    assert s.optimizer.sampled is False and s.horizon == float(cfg.updates)
    zero = dataclasses.replace(exact, init_std=0.0).training_setup()
    assert zero.theta0 is None                      # no noise: θ stays at 0 (no 1e-6 floor)
    r = predict(zero)
    assert r.theta0 == 0.0


@pytest.mark.parametrize("name", sorted(TRANSFORMER_PRESETS))
def test_transformer_path_is_the_run_config_path_at_the_measured_c_B(name):
    for key, tcfg in transformer_preset(name).items():
        s = tcfg.training_setup(c_B=5.5)
        want = dataclasses.replace(tcfg.run, head="ideal", c_B=5.5).training_setup()
        assert s.replace(note="") == want.replace(note=""), (name, key)
        assert "measured c_B=5.50" in s.note


def test_the_three_paths_give_one_prediction_where_two_used_to_disagree(tmp_path):
    # Z24 {3, 6}: compare floored θ0 at 1e-6 while phase-diagram passed sampled=False
    # with θ0 = 0 ("relay" in one, "stalled" in the other); now both are this setup
    cfg = dataclasses.replace(preset("quick")["relay"], group="Z24", horizons=(3, 6))
    a = predict(cfg.training_setup())
    b = predict(run_setup(cfg, np.array([0.0, cfg.updates]), np.array([0.0, 0.0])))
    assert a.setup == b.setup and a.regime == b.regime and a.crossings == b.crossings
