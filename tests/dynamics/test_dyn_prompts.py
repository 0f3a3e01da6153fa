"""The prompt sampler's draws are pinned: dynamics' numpy draw and verify's torch draw give
the same prompts as the code before the two samplers became one (issue 16).

The digests were computed from the two separate samplers of feb5687 (dynamics/success.py,
numpy argsort of uniforms; verify/tasks.py, torch top-k of uniforms) before any change;
a digest is the SHA-256 (first 16 hex digits) of the int64 little-endian bytes of the
arrays in order.  Any change of a draw, of the order of the draws or of the dtype fails.
"""

import hashlib

import numpy as np
import pytest

from groupfourier import CyclicGroup, DihedralGroup, SymmetricGroup

GROUPS = {"Z6": CyclicGroup(6), "Z7": CyclicGroup(7), "Z96": CyclicGroup(96),
          "D6": DihedralGroup(6), "S4": SymmetricGroup(4)}


def _digest(*arrays) -> str:
    h = hashlib.sha256()
    for a in arrays:
        a = a.numpy() if hasattr(a, "numpy") else a
        h.update(np.ascontiguousarray(a, dtype="<i8").tobytes())
    return h.hexdigest()[:16]


@pytest.mark.parametrize("group, L, n, M, seed, digest", [
    ("Z7", 3, 5, 5, 1, "3fb85d29d013888e"),
    ("D6", 4, 6, None, "rng34", "d89b0eb0d66c6e03"),
    ("S4", 6, 4, 10, 0, "b165a4a16bc3c997"),
    ("Z96", 5, 256, 64, 0, "772337ecb6c33282"),
])
def test_numpy_draw_is_unchanged(group, L, n, M, seed, digest):
    from dynamics.success import sample_prompts
    seed = np.random.default_rng([3, 4]) if seed == "rng34" else seed
    p = sample_prompts(GROUPS[group], L, n, M=M, seed=seed)
    assert p.ops.dtype == p.ids.dtype == p.s0.dtype == np.int64
    assert _digest(p.ops, p.ids, p.s0) == digest


def test_numpy_draw_small_case_by_value():
    from dynamics.success import sample_prompts
    p = sample_prompts(CyclicGroup(7), 3, 2, M=5, seed=1)
    assert p.ops.tolist() == [[2, 4, 5], [2, 5, 0]]
    assert p.ids.tolist() == [[2, 4, 0], [0, 2, 3]]
    assert p.s0.tolist() == [5, 6]


@pytest.mark.parametrize("group, M, task_seed, n, L, gen_seed, digest", [
    ("D6", 10, 1, 3, 5, 0, "8b29df92d25aab37"),
    ("S4", 8, 0, 64, 6, 5, "94712afab9637ffc"),
    ("Z6", 4, 0, 50, 1, 2, "bc1e73cb68c18b7a"),
])
def test_torch_draw_is_unchanged(group, M, task_seed, n, L, gen_seed, digest):
    torch = pytest.importorskip("torch")
    from verify.tasks import make_task, sample_prompts
    task = make_task(GROUPS[group], M, seed=task_seed)
    p = sample_prompts(task, L, n, seed=torch.Generator().manual_seed(gen_seed))
    assert _digest(p.ops, p.ids, p.s0, p.target) == digest


def test_torch_draw_small_case_by_value():
    torch = pytest.importorskip("torch")
    from verify.tasks import make_task, sample_prompts
    task = make_task(DihedralGroup(6), 10, seed=1)
    p = sample_prompts(task, 3, 2, seed=torch.Generator().manual_seed(0))
    assert (p.ops.tolist(), p.ids.tolist(), p.s0.tolist(), p.target.tolist()) == \
        ([[7, 1, 5], [9, 11, 5]], [[2, 7, 1], [3, 5, 4]], [7, 5], [0, 0])


def test_held_out_prompts_of_a_run_are_unchanged():
    pytest.importorskip("torch")
    from verify.config import RunConfig
    from verify.train import build_policy, eval_prompts
    cfg = RunConfig(group="S4", horizons=(3, 6), n_ids=8, batch=64, eval_prompts=64)
    held = eval_prompts(cfg, build_policy(cfg).task)
    assert [_digest(h.ops, h.ids, h.s0, h.target) for h in held] == \
        ["88ae30ad186db752", "6d1f3f67bb3e6ab4"]


# ----------------------------------------------------------------------------- one sampler
def _naive_target(G, ops, s0):
    """Element-level oracle: s <- g_k * s for k = 1..L, with G.multiply on elements."""
    s = G.elements[s0]
    for g in ops:
        s = G.multiply(G.elements[g], s)
    return G.index(s)


def test_verify_uses_the_one_sampler():
    pytest.importorskip("torch")
    import dynamics
    import dynamics.prompts as dp
    import verify.tasks as vt
    assert vt.sample_prompts is dp.sample_prompts is dynamics.sample_prompts
    assert vt.Prompts is dp.Prompts is dynamics.Prompts
    assert vt.chain_product is dp.chain_product and vt.cayley_tensor is dp.cayley_tensor


@pytest.mark.parametrize("group", ["Z7", "D6", "S4"])
def test_targets_of_both_sources_match_element_products(group):
    torch = pytest.importorskip("torch")
    from dynamics.prompts import sample_prompts
    from verify.tasks import make_task
    G = GROUPS[group]
    for src in (3, torch.Generator().manual_seed(3)):
        p = sample_prompts(G, 4, 9, M=6, seed=src)
        assert len(p) == 9 and p.horizon == 4
        got = [int(t) for t in p.target]
        assert got == [_naive_target(G, [int(g) for g in o], int(s)) for o, s in zip(p.ops, p.s0)]
    # a bare group with a torch generator draws what the task (its table, M = n_ids) draws
    a = sample_prompts(G, 4, 9, M=6, seed=torch.Generator().manual_seed(1))
    b = sample_prompts(make_task(G, 6, seed=0), 4, 9, seed=torch.Generator().manual_seed(1))
    assert all(torch.equal(getattr(a, f), getattr(b, f)) for f in ("ops", "ids", "s0", "target"))


def test_repeat_is_the_same_for_numpy_and_torch():
    torch = pytest.importorskip("torch")
    from dynamics.prompts import Prompts, sample_prompts
    p = sample_prompts(CyclicGroup(7), 3, 4, M=5, seed=2)
    t = Prompts(*(torch.from_numpy(a) for a in (p.ops, p.ids, p.s0, p.target)))
    for f in ("ops", "ids", "s0", "target"):
        assert getattr(p.repeat(3), f).tolist() == getattr(t.repeat(3), f).tolist()
    assert p.repeat(3).ids[:3].tolist() == [p.ids[0].tolist()] * 3
    assert Prompts(p.ops, p.ids, p.s0).repeat(2).target is None


@pytest.mark.parametrize("kw, err, match", [
    (dict(seed="0"), TypeError, r"seed must be an integer >= 0.*got '0'"),
    (dict(seed=-1), TypeError, r"seed must be an integer >= 0.*got -1"),
    (dict(seed=True), TypeError, r"seed must be an integer"),
    (dict(M=0), ValueError, r"M is the number of identifiers.*got M=0"),
    (dict(M=2), ValueError, r"L = 3 distinct identifiers but there are only M = 2"),
    (dict(n_prompts=0), ValueError, r"n_prompts must be an integer >= 1; got 0"),
    (dict(L=True), ValueError, r"horizon L must be an integer >= 1; got L=True"),
    (dict(L=8), ValueError, r"L = 8 distinct operations but Z7 has only \|G\| = 7"),
    (dict(G="Z7"), TypeError, r"G must be a groupfourier FiniteGroup.*got str"),
])
def test_bad_input_is_named(kw, err, match):
    from dynamics.prompts import sample_prompts
    args = dict(G=CyclicGroup(7), L=3, n_prompts=4)
    args.update(kw)
    with pytest.raises(err, match=match):
        sample_prompts(args.pop("G"), args.pop("L"), **args)
