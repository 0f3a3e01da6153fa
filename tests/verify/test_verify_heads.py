"""Heads and rollouts against dense laws, brute-force enumeration and Monte Carlo."""

import math
import sys
from pathlib import Path

import pytest
import torch

from groupfourier import CyclicGroup, DihedralGroup, SymmetricGroup
from verify.heads import IdealHead, gumbel_noise, load_or_pretrain_head, pretrain_head
from verify.model import AttentionPolicy, canonical_identifiers, reduced_theta
from verify.tasks import Prompts, make_task, sample_prompts

sys.path.insert(0, str(Path(__file__).parent))
from oracles import brute_force_final_law, dense_step_laws  # noqa: E402


def _one_prompt_policy(G, L, M=5, seed=0, std=0.7):
    task = make_task(G, M, seed=seed)
    head = IdealHead(B=2.0 * math.log(G.order), order=G.order)
    policy = AttentionPolicy(task, head, init_std=std, generator=torch.Generator().manual_seed(seed))
    p = sample_prompts(task, L, 1, seed=torch.Generator().manual_seed(seed + 1))
    return task, policy, p


@pytest.mark.parametrize("G", [CyclicGroup(5), SymmetricGroup(3), DihedralGroup(3)])
def test_parallel_ideal_rollout_has_the_brute_force_final_law(G):
    # 2 steps with reduction to L+1 outcomes and uniform "elsewhere" sampling, against the
    # exact law of h2 h1 s0 from dense |G|-way step laws enumerated over all (h1, h2)
    task, policy, p = _one_prompt_policy(G, 2)
    N = 60000
    big = p.repeat(N)
    with torch.no_grad():
        ro = policy.rollout(big, generator=torch.Generator().manual_seed(3))
        laws = dense_step_laws(G, policy.Q, task.perm, p.ops[0].tolist(), p.ids[0].tolist(),
                               policy.head.B)
    exact = brute_force_final_law(G, laws, int(p.s0[0]))
    freq = torch.bincount(ro.final, minlength=G.order).double() / N
    sd = (exact * (1 - exact) / N).sqrt()
    assert float(((freq - exact).abs() - 5 * sd).max()) < 1e-4
    # reward is the indicator of the target
    assert torch.equal(ro.reward.bool(), ro.final == big.target)


def test_rollout_logp_is_the_log_of_the_dense_law():
    G = SymmetricGroup(3)
    task, policy, p = _one_prompt_policy(G, 1)
    big = p.repeat(50)
    ro = policy.rollout(big, generator=torch.Generator().manual_seed(0))
    law = dense_step_laws(G, policy.Q.detach(), task.perm, p.ops[0].tolist(), p.ids[0].tolist(),
                          policy.head.B)[0]
    h = task.table[ro.final, torch.tensor(list(G.inverse_indices))[big.s0]]   # h1 = s1 s0^-1
    assert torch.allclose(ro.logp, law[h].log(), atol=1e-5)
    ent = -(law * law.log()).sum()
    assert torch.allclose(ro.entropy, ent.expand(50), atol=1e-5)


def test_canonical_probability_matches_monte_carlo():
    G = CyclicGroup(7)
    task, policy, p = _one_prompt_policy(G, 3)
    N = 40000
    with torch.no_grad():
        ro = policy.rollout(p.repeat(N), generator=torch.Generator().manual_seed(1))
        exact = float(policy.head.canonical_probability(policy.attention(p))[0])
    mc = float(ro.canonical.double().mean())
    assert abs(mc - exact) < 5 * math.sqrt(exact * (1 - exact) / N) + 1e-4


def test_greedy_rollout_follows_the_attention_argmax():
    G = DihedralGroup(4)
    task = make_task(G, 6, seed=0)
    policy = AttentionPolicy(task, IdealHead(B=5.0, order=G.order))
    with torch.no_grad():
        policy.Q.zero_()
        policy.Q[task.perm, torch.arange(6)] = 5.0        # the intended permutation
    p = sample_prompts(task, 4, 32, seed=torch.Generator().manual_seed(0))
    ro = policy.rollout(p, greedy=True)
    assert bool(ro.canonical.all()) and bool((ro.reward == 1).all())
    assert reduced_theta(policy.Q, task.perm) == pytest.approx(5.0)
    assert canonical_identifiers(policy.Q, task.perm) == 1.0


def test_ideal_rollout_at_full_horizon_never_samples_elsewhere():
    G = CyclicGroup(4)
    task = make_task(G, 4, seed=0)
    policy = AttentionPolicy(task, IdealHead(B=1.0, order=4))
    p = sample_prompts(task, 4, 200, seed=torch.Generator().manual_seed(0))
    ro = policy.rollout(p, generator=torch.Generator().manual_seed(0))
    assert bool(torch.isfinite(ro.logp).all()) and bool(torch.isfinite(ro.entropy).all())


# ------------------------------------------------------------------------ learned head
@pytest.fixture(scope="module")
def z5_head():
    head, info = pretrain_head(CyclicGroup(5), hidden=32)
    return head, info


def test_pretrained_head_is_exact_on_every_pair(z5_head):
    head, info = z5_head
    G = CyclicGroup(5)
    pred = head.one_step_logits().argmax(-1)                    # [g, s]
    for g in range(5):
        for s in range(5):
            assert int(pred[g, s]) == G.index(G.multiply(g, s))
    assert info["accuracy"] == 1.0


def test_calibration_sets_the_mean_margin_to_B(z5_head):
    head, _ = z5_head
    T = make_task(CyclicGroup(5), 2, seed=0).table
    head.calibrate(T, 7.0)
    z = head.one_step_logits()
    right = z.gather(2, T[..., None])[..., 0]
    margin = (right - (z.sum(-1) - right) / 4).mean()
    assert float(margin) == pytest.approx(7.0, rel=1e-5)


def _naive_learned_rollout(head, task, p: Prompts, alpha, generator):
    """No hoisting: the dense mass m_k over G, then head.forward, one step at a time
    (the same Gumbel noise as the rollout, so the samples must coincide)."""
    s, logp = p.s0, torch.zeros(len(p))
    noise = gumbel_noise((p.horizon, len(p), head.order), generator)
    for k in range(p.horizon):
        m = torch.zeros(len(p), head.order).scatter_add(1, p.ops, alpha[:, k])
        lp = torch.log_softmax(head(s, m), -1)
        nxt = (lp + noise[k]).argmax(-1)
        logp = logp + lp.gather(1, nxt[:, None])[:, 0]
        s = nxt
    return s, logp


def test_learned_rollout_matches_the_unhoisted_rollout(z5_head):
    head, _ = z5_head
    G = CyclicGroup(5)
    task = make_task(G, 4, seed=1)
    head.calibrate(task.table, 6.0)
    policy = AttentionPolicy(task, head, init_std=1.0, generator=torch.Generator().manual_seed(0))
    p = sample_prompts(task, 3, 64, seed=torch.Generator().manual_seed(2))
    ro = policy.rollout(p, generator=torch.Generator().manual_seed(9))
    s, logp = _naive_learned_rollout(head, task, p, policy.attention(p).detach(),
                                     torch.Generator().manual_seed(9))
    assert torch.equal(ro.final, s)
    assert torch.allclose(ro.logp, logp, atol=1e-5)
    assert torch.equal(ro.reward.bool(), ro.final == p.target)


def test_learned_rollout_samples_the_head_softmax(z5_head):
    # one step from a fixed state: frequencies of s1 against softmax(head logits)
    head, _ = z5_head
    G = CyclicGroup(5)
    task = make_task(G, 3, seed=0)
    head.calibrate(task.table, 2.0)                          # a soft head: every state likely
    policy = AttentionPolicy(task, head, init_std=0.5, generator=torch.Generator().manual_seed(1))
    p = sample_prompts(task, 2, 1, seed=torch.Generator().manual_seed(3))
    N = 40000
    with torch.no_grad():
        ro = policy.rollout(Prompts(p.ops, p.ids, p.s0, p.target).repeat(N),
                            generator=torch.Generator().manual_seed(0))
        alpha = policy.attention(p)
        m = torch.zeros(1, 5).scatter_add(1, p.ops, alpha[:, 0])
        l1 = torch.softmax(head(p.s0, m), -1)[0]               # law of s1
        m2 = torch.zeros(5, 5).scatter_add(1, p.ops.expand(5, 2), alpha[:, 1].expand(5, 2))
        l2 = torch.softmax(head(torch.arange(5), m2), -1)      # law of s2 given s1, (5, 5)
    exact = (l1[:, None] * l2).sum(0).double()                 # law of s2
    freq = torch.bincount(ro.final, minlength=5).double() / N
    assert float(((freq - exact).abs() - 5 * (exact * (1 - exact) / N).sqrt()).max()) < 1e-4


def test_learned_head_is_cached_and_rebuilt_when_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("VERIFY_CACHE", str(tmp_path))
    G = CyclicGroup(4)
    a = load_or_pretrain_head(G, 16, B=3.0)
    files = list((tmp_path / "heads").glob("*.pt"))
    assert [f.name for f in files] == ["Z4_h16_seed0.pt"]
    b = load_or_pretrain_head(G, 16, B=3.0)                     # from the cache
    assert torch.equal(a.W_s, b.W_s) and float(a.scale) == pytest.approx(float(b.scale))
    files[0].unlink()
    c = load_or_pretrain_head(G, 16, B=3.0)                     # rebuilt
    assert files[0].exists() and torch.equal(c.W_s, a.W_s)     # same seed, same head

