"""The prompt sampler: invariants against brute-force element-level products."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from groupfourier import CyclicGroup, DihedralGroup, SymmetricGroup
from groupfourier.strategies import groups
from verify.tasks import chain_product, make_task, sample_prompts


def _naive_target(G, ops, s0):
    """Element-level oracle: s <- g_k * s for k = 1..L, with G.multiply on elements."""
    s = G.elements[s0]
    for g in ops:
        s = G.multiply(G.elements[g], s)
    return G.index(s)


@settings(max_examples=25)
@given(G=groups(max_order=24), data=st.data())
def test_sampler_invariants(G, data):
    M = data.draw(st.integers(1, 12))
    L = data.draw(st.integers(1, min(G.order, M)))
    seed = data.draw(st.integers(0, 2**16))
    task = make_task(G, M, seed=seed)
    p = sample_prompts(task, L, 7, seed=torch.Generator().manual_seed(seed))
    assert p.ops.shape == p.ids.shape == (7, L) and p.s0.shape == p.target.shape == (7,)
    assert sorted(task.perm.tolist()) == list(range(M))
    for row_ops, row_ids in zip(p.ops.tolist(), p.ids.tolist()):
        assert len(set(row_ops)) == L and len(set(row_ids)) == L      # distinct per prompt
        assert all(0 <= g < G.order for g in row_ops) and all(0 <= i < M for i in row_ids)
    for b in range(7):
        assert int(p.target[b]) == _naive_target(G, p.ops[b].tolist(), int(p.s0[b]))


@settings(max_examples=25)
@given(G=groups(max_order=24), data=st.data())
def test_chain_product_matches_left_multiplication(G, data):
    L = data.draw(st.integers(1, 9))
    inc = data.draw(st.lists(st.integers(0, G.order - 1), min_size=L, max_size=L))
    s0 = data.draw(st.integers(0, G.order - 1))
    T = make_task(G, 1, seed=0).table
    got = chain_product(T, torch.tensor([inc]), torch.tensor([s0]))
    assert int(got[0]) == _naive_target(G, inc, s0)


def test_sampler_is_seeded_and_uniform_over_operations():
    task = make_task(CyclicGroup(10), 10, seed=0)
    a = sample_prompts(task, 3, 5, seed=torch.Generator().manual_seed(1))
    b = sample_prompts(task, 3, 5, seed=torch.Generator().manual_seed(1))
    assert torch.equal(a.ops, b.ops) and torch.equal(a.ids, b.ids) and torch.equal(a.s0, b.s0)
    # first operation uniform over Z_10: 20000 draws, each count ~ 2000 +- 45 (sd)
    big = sample_prompts(task, 3, 20000, seed=torch.Generator().manual_seed(2))
    counts = torch.bincount(big.ops[:, 0], minlength=10).double()
    assert float((counts - 2000).abs().max()) < 6 * 45
    # every ordered pair of positions is exchangeable: first op < second op half the time
    frac = float((big.ops[:, 0] < big.ops[:, 1]).double().mean())
    assert abs(frac - 0.5) < 0.02


def test_held_out_prompts_do_not_repeat_training_prompts():
    from verify.config import RunConfig
    from verify.train import build_policy, eval_prompts
    cfg = RunConfig(group="S4", horizons=(3, 6), n_ids=8, batch=64, eval_prompts=64)
    policy = build_policy(cfg)
    held = eval_prompts(cfg, policy.task)
    train = sample_prompts(policy.task, 6, 2000, seed=torch.Generator().manual_seed(5))
    seen = {tuple(o) + tuple(i) for o, i in zip(train.ops.tolist(), train.ids.tolist())}
    assert not any(tuple(o) + tuple(i) in seen for o, i in zip(held[1].ops.tolist(),
                                                               held[1].ids.tolist()))


@pytest.mark.parametrize("G, L, M, match", [
    (CyclicGroup(5), 6, 10, r"only \|G\| = 5"),
    (DihedralGroup(4), 5, 4, r"only M = 4"),
    (SymmetricGroup(3), 0, 4, r"horizon L must be an integer >= 1; got L=0"),
])
def test_sampler_rejects_bad_horizons(G, L, M, match):
    task = make_task(G, M, seed=0)
    with pytest.raises(ValueError, match=match):
        sample_prompts(task, L, 3, seed=torch.Generator())


def test_make_task_rejects_bad_n_ids():
    with pytest.raises(ValueError, match=r"n_ids is the number of identifiers.*got n_ids=0"):
        make_task(CyclicGroup(4), 0, seed=0)
