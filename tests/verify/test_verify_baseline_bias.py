"""Each REINFORCE baseline of verify against the theory's expected update (dynamics.optim).

The measured quantity is the update of the reduced coefficient θ (mean right-clause score
minus mean other score, as ``verify.model.reduced_theta``) that one SGD step with lr = 1
makes from :math:`Q = \\theta\\Pi`, averaged over many independent batches of verify's
REINFORCE loss.  The theory: ``update_rate(obj, OptimizerSpec(...))(θ)``, which carries
the baseline's factor (1 − 1/n for "batch", 1 otherwise).  Tolerance: 4 standard errors
of the batch mean.
"""

import math

import numpy as np
import pytest
import torch

from dynamics import Spectrum, TaskModel
from dynamics.ode import ReducedObjective
from dynamics.optim import OptimizerSpec, update_rate
from verify.algos import AlgoState, objectives
from verify.config import RunConfig
from verify.tasks import sample_prompts
from verify.train import build_policy

GROUP, L, M, N, THETA = "S3", 3, 6, 4, 0.8


def measured_update(baseline: str, n_batches: int, seed: int = 0) -> np.ndarray:
    """The θ update of each of ``n_batches`` independent SGD steps (lr = 1) from Q = θΠ."""
    cfg = RunConfig(group=GROUP, horizons=(L,), n_ids=M, batch=N, baseline=baseline, lr=1.0,
                    ema_decay=0.9)
    policy = build_policy(cfg)
    perm = policy.task.perm
    with torch.no_grad():
        policy.Q.zero_()
        policy.Q[perm, torch.arange(M)] = THETA
    gen = torch.Generator().manual_seed(seed)
    state = AlgoState()
    out = np.empty(n_batches)
    for k in range(n_batches):
        p = sample_prompts(policy.task, L, N, seed=gen)
        terms, _ = objectives(cfg, policy, [p], generator=gen, state=state)
        (g,) = torch.autograd.grad(sum(terms), policy.Q)
        rows = -g[perm]
        right = rows.diagonal()
        out[k] = float((right - (rows.sum(1) - right) / (M - 1)).mean())
    return out


def theory_update(baseline: str) -> float:
    obj = ReducedObjective(model=TaskModel(group=GROUP, M=M, c_B=4), spectrum=Spectrum((L,)),
                           n_prompts=1024)            # S3, L = 3: 120 ordered prompts, exact
    return float(update_rate(obj, OptimizerSpec(lr=1.0, batch=N, baseline=baseline))(THETA))


def check(baseline: str, n_batches: int) -> None:
    d = measured_update(baseline, n_batches)
    se = d.std(ddof=1) / math.sqrt(d.size)
    want = theory_update(baseline)
    assert abs(d.mean() - want) < 4 * se, (baseline, d.mean(), se, want)
    if baseline == "batch":       # the bias is resolved: 1 - 1/n = 0.75 against 1
        unbiased = theory_update("loo")
        assert abs(d.mean() - unbiased) > 4 * se, (d.mean(), se, unbiased)


@pytest.mark.parametrize("baseline", ["loo", "batch", "ema", "none"])
def test_mean_update_matches_theory_for_each_baseline(baseline):
    check(baseline, 500)


@pytest.mark.slow
@pytest.mark.parametrize("baseline", ["loo", "batch", "ema", "none"])
def test_mean_update_matches_theory_for_each_baseline_precisely(baseline):
    check(baseline, 8000)


def test_default_baseline_is_leave_one_out():
    assert RunConfig().baseline == "loo" and OptimizerSpec().baseline == "loo"
    assert OptimizerSpec(baseline=True).baseline == "batch"
    assert OptimizerSpec(baseline=False).baseline == "none"
    with pytest.raises(ValueError, match="baseline must be one of"):
        OptimizerSpec(baseline="mean")
