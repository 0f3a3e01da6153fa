"""Long experiments (run with --run-slow): the paper preset's targets."""

import pytest

from verify.config import preset
from verify.compare import compare_run
from verify.train import train


@pytest.mark.slow
def test_paper_mixture_reaches_95_percent_at_every_horizon(tmp_path):
    # theory §6 recipe: Z96, {5,15,45}, idealised head, SGD lr 30, c_B 4, batch 512 (~4 CPU-min)
    res = train(preset("paper")["mix_5_15_45"], tmp_path, progress=False)
    assert all(res.final[f"success/L{L}/sampled"] >= 0.95 for L in (5, 15, 45))
    cmp_ = compare_run(tmp_path)
    assert cmp_.regime_observed == cmp_.regime_predicted == "relay"
    assert all(1 / 3 <= r <= 3 for r in cmp_.ratio.values())


@pytest.mark.slow
def test_fixed_45_stays_at_chance(tmp_path):
    res = train(preset("paper", updates=2000)["fixed_45"], tmp_path, progress=False)
    assert max(res.metrics["success/L45/sampled"]) < 1 / 96 + 0.005
