"""Theory against training (issue 13 part 6): short trainings of the minimal model cross
0.5 when dynamics predicts, in the regime it predicts.

The tolerance on a crossing time is 15 % of the prediction, or two updates for the
horizons learned in the first few updates on non-abelian groups (SGD moves in whole
updates: nothing is learned before update 1, while the prediction is a continuous-time
flow that can cross at 0.2).  On abelian groups the first phase is the noise-driven start
(issue 13 part 3, a stochastic escape tested on its own), so there the times are compared
from the first horizon's crossing on."""

import math

import pytest

from verify.compare import compare_run
from verify.config import RunConfig
from verify.train import train


def _check(run_dir, cfg, *, rel=0.15, floor=2.0):
    train(cfg, run_dir, progress=False)
    c = compare_run(run_dir)
    assert not c.partial
    L1 = cfg.horizons[0]
    shift = (c.t_observed[L1] - c.t_predicted[L1]) if cfg.G.is_abelian else 0.0
    for L in cfg.horizons[1:] if cfg.G.is_abelian else cfg.horizons:
        obs, pred = c.t_observed[L] - shift, c.t_predicted[L]
        assert math.isfinite(obs) and math.isfinite(pred), (L, obs, pred)
        assert abs(obs - pred) <= max(rel * pred, floor), (L, obs, pred)
    assert c.regime_observed == c.regime_predicted and c.agree == "yes", (
        c.regime_observed, c.index_observed, c.regime_predicted, c.index_predicted)
    return c


def test_a_small_dihedral_ladder_trains_as_predicted(tmp_path):
    # D6 (order 12) {2, 4, 8}: the easiest horizon is learned in ~5 updates (non-abelian),
    # L4 and L8 after ~30 and ~96; relay on both sides (the old rule said plateau)
    cfg = RunConfig(group="D6", horizons=(2, 4, 8), n_ids=12, c_B=4.0, lr=3.0, batch=256,
                    updates=130, log_every=1, checkpoint_every=130, eval_prompts=64)
    c = _check(tmp_path / "d6", cfg)
    assert c.regime_observed == "relay" and c.index_observed < 5


# one smooth and one abrupt ladder per family; learning rates chosen so that the abrupt
# one escapes within ~1,000 updates (cyclic groups start at L = 3: with L = 2 the two
# operations commute and sampled training can take the θ < 0 branch, see docs/regimes.md)
SLOW = [("Z24", (3, 6, 12), 24, 3.0, 460, 1), ("Z24", (3, 24), 24, 30.0, 1350, 5),
        ("D8", (2, 4, 8), 16, 3.0, 240, 1), ("D8", (2, 16), 16, 30.0, 600, 2),
        ("S4", (2, 4, 8), 16, 3.0, 240, 1), ("S4", (2, 16), 16, 30.0, 900, 3)]


@pytest.mark.slow
@pytest.mark.parametrize("group,horizons,M,lr,updates,log_every", SLOW)
def test_smooth_and_abrupt_ladders_of_each_family(tmp_path, group, horizons, M, lr, updates,
                                                  log_every):
    cfg = RunConfig(group=group, horizons=horizons, n_ids=M, c_B=4.0, lr=lr, batch=256,
                    updates=updates, log_every=log_every, checkpoint_every=updates,
                    eval_prompts=128)
    c = _check(tmp_path / "run", cfg)
    assert c.regime_observed == ("relay" if horizons[-1] / horizons[-2] <= 3 else "plateau")
