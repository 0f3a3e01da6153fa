"""RL objectives: score-function estimates and the exact mode against brute-force gradients."""

import math
import sys
from pathlib import Path

import pytest
import torch

from groupfourier import CyclicGroup, SymmetricGroup
from verify.algos import AlgoState, objectives
from verify.config import RunConfig
from verify.train import build_policy
from verify.tasks import sample_prompts

sys.path.insert(0, str(Path(__file__).parent))
from oracles import brute_force_success  # noqa: E402


def _setup(group, L, M, algo, **kw):
    cfg = RunConfig(group=group, horizons=(L,), n_ids=M, algo=algo, init_std=0.6, batch=64, **kw)
    policy = build_policy(cfg)
    p = sample_prompts(policy.task, L, 1, seed=torch.Generator().manual_seed(4))
    G = cfg.G
    Q = policy.Q.detach().double().clone().requires_grad_(True)
    P = brute_force_success(G, Q, policy.task.perm, p.ops[0].tolist(), p.ids[0].tolist(),
                            int(p.s0[0]), cfg.B)
    (grad,) = torch.autograd.grad(P, Q)
    return cfg, policy, p, float(P.detach()), grad


@pytest.mark.parametrize("group, L", [("S3", 3), ("Z5", 2)])
def test_exact_mode_gradient_is_the_brute_force_gradient(group, L):
    cfg, policy, p, P, grad = _setup(group, L, 4, "exact", length_norm=False)
    terms, stats = objectives(cfg, policy, [p], generator=torch.Generator(), state=AlgoState())
    (g,) = torch.autograd.grad(sum(terms), policy.Q)
    assert stats.reward[L] == pytest.approx(P, abs=1e-6)
    assert torch.allclose(-g.double(), grad, atol=1e-6)


@pytest.mark.parametrize("group, L, baseline", [("S3", 3, "none"), ("S3", 3, "loo"),
                                                ("Z5", 2, "batch")])
def test_score_function_estimate_matches_the_exact_gradient(group, L, baseline):
    # REINFORCE on one prompt repeated N times: -(1/N) sum_i A_i grad log pi(tau_i) -> -grad P.
    # "batch" is biased by O(1/N) only; tolerance = 5 standard errors of each entry.
    cfg, policy, p, P, grad = _setup(group, L, 4, "reinforce", length_norm=False,
                                     baseline=baseline)
    N = 40000
    # the standard error of each entry comes from 8 independent batches of N/8
    terms, _ = objectives(cfg, policy, [p.repeat(N)], generator=torch.Generator().manual_seed(0),
                          state=AlgoState())
    (g,) = torch.autograd.grad(sum(terms), policy.Q)
    halves = []
    for k in range(8):
        t, _ = objectives(cfg, policy, [p.repeat(N // 8)],
                          generator=torch.Generator().manual_seed(100 + k), state=AlgoState())
        halves.append(torch.autograd.grad(sum(t), policy.Q)[0])
    se = torch.stack(halves).std(0) / math.sqrt(8)
    err = (-g.double() - grad).abs()
    assert float((err - 5 * se.double()).max()) < 1e-4, (err.max(), se.max())
    assert float(grad.abs().max()) > 5 * float(se.max())      # the test has power


def test_grpo_advantages_are_normalised_within_each_prompt():
    cfg = RunConfig(group="Z6", horizons=(2,), n_ids=4, algo="grpo", samples_per_prompt=4,
                    batch=32, init_std=0.3)
    policy = build_policy(cfg)
    p = sample_prompts(policy.task, 2, 8, seed=torch.Generator().manual_seed(0))
    terms, stats = objectives(cfg, policy, [p], generator=torch.Generator().manual_seed(1),
                              state=AlgoState())
    assert stats.groups == 8 and 0 <= stats.zero_std_groups <= 8
    # replaying the rollout: the surrogate is -(1/L) mean(adv * logp), adv zero-mean per group
    ro = policy.rollout(p.repeat(4), generator=torch.Generator().manual_seed(1))
    r = ro.reward.view(8, 4)
    adv = ((r - r.mean(1, keepdim=True)) / (r.std(1, keepdim=True) + 1e-6)).reshape(-1)
    assert float(terms[0].detach()) == pytest.approx(float(-(adv * ro.logp.detach()).mean() / 2), abs=1e-6)
    assert float(adv.view(8, 4).sum(1).abs().max()) < 1e-5


def test_ema_baseline_tracks_the_batch_mean():
    cfg = RunConfig(group="Z6", horizons=(2,), n_ids=4, baseline="ema", ema_decay=0.5, batch=64)
    policy = build_policy(cfg)
    state = AlgoState()
    gen = torch.Generator().manual_seed(0)
    p = sample_prompts(policy.task, 2, 64, seed=gen)
    _, s1 = objectives(cfg, policy, [p], generator=gen, state=state)
    assert state.ema[2] == pytest.approx(0.5 * s1.reward[2])
