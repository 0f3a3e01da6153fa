"""Comparison with dynamics, and the abelian vs non-abelian prediction of theory §6."""

import json
import math

import numpy as np
import pytest
import torch

from verify.__main__ import main
from verify.algos import AlgoState, objectives
from verify.compare import compare_runs, first_crossing
from verify.config import RunConfig
from verify.tasks import sample_prompts
from verify.train import build_policy, train


def _dJ_dtheta_at_zero(group: str) -> float:
    cfg = RunConfig(group=group, horizons=(3, 6), n_ids=12, algo="exact", init_std=0.0,
                    batch=256, length_norm=False)
    policy = build_policy(cfg)
    gen = torch.Generator().manual_seed(0)
    prompts = [sample_prompts(policy.task, L, n, seed=gen)
               for L, n in zip(cfg.horizons, cfg.batch_counts)]
    terms, _ = objectives(cfg, policy, prompts, generator=gen, state=AlgoState())
    (g,) = torch.autograd.grad(sum(terms), policy.Q)
    direction = torch.zeros_like(g)
    direction[policy.task.perm, torch.arange(cfg.n_ids)] = 1.0   # d/dθ of Q = θ P_π
    return float(-(g.double() * direction).sum())


def test_exact_gradient_at_zero_vanishes_on_abelian_groups_only():
    # theory §6: on Z_n every order of the prompt's operations reaches the target, so the
    # expected-reward gradient along θ vanishes at Q = 0; D_n and S_n (same order 24) break it
    z = _dJ_dtheta_at_zero("Z24")
    d = _dJ_dtheta_at_zero("D12")
    s = _dJ_dtheta_at_zero("S4")
    assert abs(z) < 1e-9
    assert d > 1e-3 and s > 1e-3


def test_first_crossing_interpolates():
    t = np.array([0.0, 10.0, 20.0])
    assert first_crossing(t, np.array([0.0, 0.2, 0.6]), 0.5) == pytest.approx(17.5)
    assert first_crossing(t, np.array([0.0, 0.2, 0.4]), 0.5) == math.inf
    assert first_crossing(t, np.array([0.7, 0.8, 0.9]), 0.5) == 0.0


def test_compare_writes_summary_figure_and_json(tmp_path, capsys):
    cfg = RunConfig(group="Z8", horizons=(2, 4), n_ids=6, batch=128, updates=60, log_every=5,
                    checkpoint_every=30, eval_prompts=32, lr=3.0)
    train(cfg, tmp_path / "a", progress=False)
    summary = compare_runs(tmp_path)
    (r,) = summary.runs
    assert r.name == "a" and r.horizons == (2, 4)
    assert set(r.t_predicted) == {2, 4} and all(v > 0 for v in r.t_predicted.values())
    for L in (2, 4):                       # the ratio is predicted / observed
        if math.isfinite(r.t_observed[L]) and r.t_observed[L] > 0:
            assert r.ratio[L] == pytest.approx(r.t_predicted[L] / r.t_observed[L])
    assert (tmp_path / "comparison.png").stat().st_size > 1000
    data = json.loads((tmp_path / "comparison.json").read_text())
    assert data["runs"][0]["regime_predicted"] in ("relay", "plateau", "stalled", "unfinished")
    assert "| a | 2 |" in (tmp_path / "comparison.md").read_text()
    assert main(["compare", str(tmp_path / "a")]) == 0
    assert "t(0.5) observed" in capsys.readouterr().out
    assert main(["compare", str(tmp_path / "nothing")]) == 2
    assert "neither a run directory nor" in capsys.readouterr().err


def test_a_run_cut_off_before_the_predicted_crossing_is_unfinished_not_stalled(tmp_path, capsys):
    # audit F3: D6 {2, 4, 8} crosses 0.5 at L8 after ~96 updates; a 60-update run must not
    # read "stalled, NO" with a ratio of 0
    import shutil
    cfg = RunConfig(group="D6", horizons=(2, 4, 8), n_ids=12, lr=3.0, batch=256, updates=60,
                    log_every=2, checkpoint_every=60, eval_prompts=64)
    train(cfg, tmp_path / "runs" / "short", progress=False)
    (r,) = compare_runs(tmp_path / "runs").runs
    assert math.isinf(r.t_observed[8]) and r.t_predicted[8] > 60
    assert math.isnan(r.ratio[8]) and r.regime_observed == "unfinished"
    assert r.regime_predicted in ("stalled", "unfinished") and r.agree == "censored"
    assert r.regimes_agree and not r.partial
    md = (tmp_path / "runs" / "comparison.md").read_text()
    assert "| short | 8 | >= 60 |" in md and "| n/a |" in md and "NO" not in md
    data = json.loads((tmp_path / "runs" / "comparison.json").read_text())["runs"][0]
    assert data["ratio_pred_over_obs"]["8"] is None and data["agree"] == "censored"
    assert data["classification_observed"]["regime"] in ("stalled", "unfinished")
    # reliability finding 4: a killed run (no result.json) is flagged, a run whose records
    # do not start at 0 is refused
    killed = tmp_path / "killed"
    shutil.copytree(tmp_path / "runs" / "short", killed)
    (killed / "result.json").unlink()
    assert "no result.json" in compare_runs(killed).runs[0].partial
    assert "PARTIAL RUN" in (killed / "comparison.md").read_text()
    lines = (killed / "metrics.jsonl").read_text().splitlines()
    (killed / "metrics.jsonl").write_text("\n".join(lines[5:]) + "\n")
    with pytest.raises(ValueError, match="start at update 10, not 0"):
        compare_runs(killed)
    assert main(["compare", str(killed)]) == 2
    assert "not 0" in capsys.readouterr().err
