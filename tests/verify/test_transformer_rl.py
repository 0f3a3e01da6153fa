"""Pretraining, rollouts and RLVR of the transformer: smoke runs, oracles, resume, CLI, errors."""

import dataclasses
import itertools
import json

import pytest
import torch

from groupfourier import CyclicGroup, SymmetricGroup
from verify.config import RunConfig
from verify.tasks import make_task, sample_prompts
from verify.rundir import load_checkpoint, read_metrics
from verify.transformer.__main__ import main
from verify.transformer.model import ModelConfig, Transformer
from verify.transformer.policy import TransformerPolicy
from verify.transformer.presets import apply_overrides, transformer_preset
from verify.transformer.pretrain import PretrainConfig, load_or_pretrain
from verify.transformer.rl import (TransformerRunConfig, TransformerRunResult, train_transformer,
                                   transformer_metric_names)
from verify.transformer.tokenize import Vocab, encode, query_positions, roles_for

SMOKE = transformer_preset("smoke")["smoke"]
TIMING = {"time_s", "updates_per_s", "cpu_s"}


@pytest.fixture(scope="module", autouse=True)
def cache(tmp_path_factory):
    """One pretraining cache for the module (the smoke model pretrains in a few seconds)."""
    path = tmp_path_factory.mktemp("cache")
    mp = pytest.MonkeyPatch()
    mp.setenv("VERIFY_CACHE", str(path))
    torch.set_num_threads(1)
    yield path
    mp.undo()


def _tiny_policy(G, M=4, seed=0):
    net = Transformer(ModelConfig(d_model=16, n_heads=2, d_mlp=16), order=G.order,
                      vocab_size=Vocab(G.order, M).size, seed=seed)
    return TransformerPolicy(make_task(G, M, seed=seed), net)


# ------------------------------------------------------------------ pretraining
def test_pretraining_reaches_100_percent_and_is_cached(cache):
    cfg = SMOKE.pretrain
    first = load_or_pretrain(cfg)
    assert first.success and first.accuracy == 1.0 and first.in_context == 1.0 and first.steps > 0
    assert first.path.exists() and first.path.parent == cache / "transformer"
    again = load_or_pretrain(cfg)
    assert again.steps == 0 and "cache" in again.message
    sa, sb = first.model.state_dict(), again.model.state_dict()
    assert all(torch.equal(sa[k], sb[k]) for k in sa)
    # independent oracle: the greedy one-step answer is g*s on every pair, checked by hand
    G, task = cfg.G, make_task(cfg.G, cfg.n_ids, seed=5)
    for g, s in itertools.product(range(G.order), repeat=2):
        v = Vocab(G.order, cfg.n_ids)
        tok = torch.tensor([[v.identifier(0), g, v.sep, s, v.query(1)]])
        z = again.model(tok, roles_for(1)[:-1]).logits[0, -1]
        assert int(z.argmax()) == int(G.mul_idx(g, s))
    first.path.unlink()                                   # rebuilt when missing
    assert load_or_pretrain(cfg).steps > 0


def test_lookup_prompts_name_their_own_clause():
    from verify.transformer.pretrain import _lookup_batch
    G = SymmetricGroup(3)
    task = make_task(G, 5, seed=2)
    tok, target = _lookup_batch(task, 6, 3, torch.Generator().manual_seed(0))
    assert tok.shape == (6, 4 * 3 + 1) and target.shape == (6, 3)
    for i in range(6):
        listed = {int(tok[i, 2 * j]) - G.order: int(tok[i, 2 * j + 1]) for j in range(3)}
        s = int(tok[i, 7])                                    # s0 after SEP (L = 3)
        for k, q in enumerate(query_positions(3).tolist()):
            g = listed[int(tok[i, q]) - G.order]              # the clause the query names
            s = int(G.mul_idx(g, s))
            assert int(target[i, k]) == s
            if q + 1 < tok.shape[1]:
                assert int(tok[i, q + 1]) == s               # teacher-forced chain


def test_pretraining_failure_is_reported_and_not_cached(cache):
    cfg = dataclasses.replace(SMOKE.pretrain, max_steps=1, eval_every=1, seed=11)
    with pytest.raises(ValueError, match="pretraining failed"):
        load_or_pretrain(cfg)
    assert not (cache / "transformer" / f"{cfg.key}.pt").exists()


# ------------------------------------------------------------------ rollouts
def test_sampled_final_states_follow_the_models_probabilities():
    """Monte Carlo oracle: cached generation vs enumeration of every chain (teacher forcing)."""
    G = CyclicGroup(3)
    pol = _tiny_policy(G, M=3)
    p1 = sample_prompts(pol.task, 2, 1, seed=torch.Generator().manual_seed(0))
    n = 6000
    p = p1.repeat(n)
    with torch.no_grad():
        ro = pol.rollout(p, generator=torch.Generator().manual_seed(1))
    tb = encode(pol.task, p, generator=torch.Generator().manual_seed(1))
    # exact law of the final state, per listing order, by enumerating the 9 chains
    qpos = query_positions(2)
    exact = torch.zeros(n, G.order, dtype=torch.float64)
    for s1, s2 in itertools.product(range(3), repeat=2):
        tok = tb.tokens.clone()
        tok[:, qpos[0] + 1], tok[:, qpos[1] + 1] = s1, s2
        with torch.no_grad():
            lp = torch.log_softmax(pol.model(tok[:, :-1], roles_for(2)[:-1]).logits[:, qpos], -1)
        exact[:, s2] += (lp[:, 0, s1] + lp[:, 1, s2]).double().exp()
    emp = torch.bincount(ro.final, minlength=3).double() / n
    assert torch.allclose(emp, exact.mean(0), atol=0.025)      # ~4 sigma at n = 6000
    assert torch.allclose(exact.sum(1), torch.ones(n, dtype=torch.float64), atol=1e-5)


def test_rollout_logp_reward_and_canonical_by_hand():
    G = SymmetricGroup(3)
    pol = _tiny_policy(G, M=5)
    p = sample_prompts(pol.task, 3, 16, seed=torch.Generator().manual_seed(0))
    ro = pol.rollout(p, generator=torch.Generator().manual_seed(2))
    assert ro.logp.requires_grad and ro.logp.shape == (16,)
    assert torch.equal(ro.reward, (ro.final == p.target).float())
    greedy = pol.rollout(p, greedy=True)
    tok = pol.generate(encode(pol.task, p, generator=torch.Generator().manual_seed(0)).tokens, 3,
                       greedy=True)
    states = tok[:, query_positions(3) + 1]
    assert torch.equal(greedy.final, states[:, -1])
    for i in range(16):                       # canonical: s_k = g_k s_{k-1} at every step
        s, ok = int(p.s0[i]), True
        for k in range(3):
            ok &= int(states[i, k]) == int(G.mul_idx(int(p.ops[i, k]), s))
            s = int(states[i, k])
        assert bool(greedy.canonical[i]) == ok


def test_attention_over_clauses_is_a_distribution_and_matches_the_raw_weights():
    G = CyclicGroup(7)
    pol = _tiny_policy(G, M=6)
    p = sample_prompts(pol.task, 4, 3, seed=torch.Generator().manual_seed(0))
    alpha, layer = pol.attention(p)
    assert alpha.shape == (3, 4, 4)
    assert torch.allclose(alpha.sum(-1), torch.ones(3, 4), atol=1e-5)
    tb = encode(pol.task, p, generator=torch.Generator().manual_seed(0))
    from verify.transformer.tokenize import correct_chain
    tok = encode(pol.task, p, generator=torch.Generator().manual_seed(0),
                 states=correct_chain(pol.task, p)).tokens
    a = pol.model(tok[:, :-1], roles_for(4)[:-1], need_attn=True).attn[layer].sum(1)
    for i, k, j in itertools.product(range(3), range(4), range(4)):
        listed = int((tb.order[i] == j).nonzero())           # where step j's clause is listed
        q = int(query_positions(4)[k])
        mass = a[i, q, 2 * listed] + a[i, q, 2 * listed + 1]
        total = a[i, q, 0:8].sum()
        assert float(alpha[i, k, j]) == pytest.approx(float((mass / total).detach()), abs=1e-5)


# ------------------------------------------------------------------ training
@pytest.mark.parametrize("changes", [
    dict(),
    dict(algo="grpo", samples_per_prompt=4),
    dict(baseline="ema", entropy_coef=0.01, length_norm=False, optimizer="sgd", lr=0.01),
    dict(kl_coef=0.1, baseline="loo"),
])
def test_smoke_runs_of_every_algorithm(tmp_path, changes):
    cfg = apply_overrides(SMOKE, **changes)
    res = train_transformer(cfg, tmp_path, progress=False)
    assert res.success and res.steps.tolist() == [0.0, 2.0, 4.0]
    recs = read_metrics(tmp_path)
    assert all(list(r) == list(transformer_metric_names(cfg.run.horizons)) for r in recs)
    for L in cfg.run.horizons:
        assert 0.0 <= res.final[f"success/L{L}/sampled"] <= 1.0
    if changes.get("kl_coef"):
        assert recs[-1]["kl"] > 0.0
    back = TransformerRunResult.from_dir(tmp_path)
    assert back.config == cfg and back.pretrain["accuracy"] == 1.0
    assert (tmp_path / "metrics.csv").read_text().startswith("step,")


def test_training_changes_the_weights_and_is_reproducible(tmp_path):
    a = train_transformer(SMOKE, tmp_path / "a", progress=False)
    b = train_transformer(SMOKE, tmp_path / "b", progress=False)
    ra, rb = read_metrics(tmp_path / "a"), read_metrics(tmp_path / "b")
    strip = lambda rs: [{k: v for k, v in r.items() if k not in TIMING} for r in rs]  # noqa
    assert strip(ra) == strip(rb)
    ck = load_checkpoint(tmp_path / "a" / "checkpoint.pt", fingerprint=None)["model"]
    pre = load_or_pretrain(SMOKE.pretrain).model.state_dict()
    assert any(not torch.equal(ck[k], pre[k]) for k in pre)
    assert a.final["step"] == 4 == b.final["step"]


def test_resume_equals_an_uninterrupted_run(tmp_path, monkeypatch):
    import verify.transformer.rl as rl
    cfg = apply_overrides(SMOKE, updates=6)
    train_transformer(cfg, tmp_path / "full", progress=False)
    real, calls = rl.objectives, []

    def crash_at_update_5(*a, **k):      # the process dies while computing update 5
        calls.append(1)
        if len(calls) == 6:
            raise KeyboardInterrupt
        return real(*a, **k)

    monkeypatch.setattr(rl, "objectives", crash_at_update_5)
    with pytest.raises(KeyboardInterrupt):
        train_transformer(cfg, tmp_path / "cut", progress=False)
    assert [r["step"] for r in read_metrics(tmp_path / "cut")] == [0, 2, 4]
    monkeypatch.setattr(rl, "objectives", real)
    train_transformer(cfg, tmp_path / "cut", resume=True, progress=False)
    a, b = read_metrics(tmp_path / "full"), read_metrics(tmp_path / "cut")
    assert [r["step"] for r in b] == [0, 2, 4, 6]
    strip = lambda rs: [{k: v for k, v in r.items() if k not in TIMING} for r in rs]  # noqa
    assert strip(a) == strip(b)
    # a finished 4-update run extended to 6 equals the 6-update run, weights included
    train_transformer(apply_overrides(SMOKE, updates=4), tmp_path / "short", progress=False)
    train_transformer(cfg, tmp_path / "short", resume=True, progress=False)
    assert strip(read_metrics(tmp_path / "short")) == strip(a)
    wa = load_checkpoint(tmp_path / "full" / "checkpoint.pt", fingerprint=None)["model"]
    wb = load_checkpoint(tmp_path / "short" / "checkpoint.pt", fingerprint=None)["model"]
    assert all(torch.equal(wa[k], wb[k]) for k in wa)
    with pytest.raises(ValueError, match="only `updates` may change"):
        train_transformer(apply_overrides(cfg, lr=2e-3), tmp_path / "short", resume=True,
                          progress=False)


def test_existing_run_directory_needs_resume(tmp_path):
    train_transformer(SMOKE, tmp_path, progress=False)
    with pytest.raises(ValueError, match="already holds a run"):
        train_transformer(SMOKE, tmp_path, progress=False)
    with pytest.raises(ValueError, match="different config"):
        train_transformer(apply_overrides(SMOKE, seed=9), tmp_path, resume=True, progress=False)


# ------------------------------------------------------------------ configs and CLI
@pytest.mark.parametrize("kw, match", [
    (dict(algo="exact"), "algo='exact'"),
    (dict(kl_coef=-1.0), "kl_coef must be a finite number >= 0"),
    (dict(positional="learned", max_len=8), "needs sequences of length 10 > model.max_len=8"),
    (dict(horizons=(4,)), "distinct"),
    (dict(colour="red"), "unknown setting"),
    (dict(pretrain_max_clauses=0), r"max_clauses must be an integer in \[1, 10000\]; got max_clauses=0"),
    (dict(pretrain_max_clauses=9), r"max_clauses <= min\(\|G\|, M\) = 3"),
])
def test_bad_configs(kw, match):
    with pytest.raises(ValueError, match=match):
        apply_overrides(SMOKE, **kw)


def test_bad_pretrain_config():
    with pytest.raises(ValueError, match="context must be 'mixed' or 'single'"):
        PretrainConfig(group="Z5", n_ids=4, context="both")
    with pytest.raises(ValueError, match="max_clauses <= min"):
        PretrainConfig(group="Z5", n_ids=4, max_clauses=6)
    with pytest.raises(ValueError, match="lr must be a finite number"):
        PretrainConfig(group="Z5", n_ids=4, max_clauses=2, lr=0.0)


def test_uninformative_queries_are_query_names_not_identifiers():
    from verify.transformer.pretrain import _context_batch, _one_step_batch
    G = SymmetricGroup(3)
    task, gen = make_task(G, 5, seed=2), torch.Generator().manual_seed(0)
    v = Vocab(G.order, task.n_ids)
    names = range(v.query(0), v.query(task.n_ids - 1) + 1)
    one = _one_step_batch(task, sample_prompts(task, 1, 50, seed=gen), gen)
    assert all(int(t) in names for t in one[:, -1])
    ctx, _ = _context_batch(task, 20, 3, gen)
    assert all(int(t) in names for t in ctx[:, query_positions(3)].flatten())
    assert all(int(t) not in names for t in ctx[:, 0:6:2].flatten())    # clause identifiers


def test_d15_presets_share_one_pretrained_model():
    target, ratios = transformer_preset("target"), transformer_preset("ratios")
    assert target["smooth"].run.horizons == (2, 4, 8, 16, 24)
    assert target["abrupt"].run.horizons == (2, 24) and target["fixed"].run.horizons == (24,)
    assert {k: c.run.horizons for k, c in ratios.items()} == {
        "R2": (2, 4), "R4": (2, 8), "R8": (2, 16), "R12": (2, 24)}
    assert ratios["R12"] == target["abrupt"] and target["abrupt"].run.updates == 3000
    keys = {c.pretrain.key for c in (*target.values(), *ratios.values())}
    assert len(keys) == 1 and all(c.pretrain.max_clauses == 24 for c in ratios.values())
    # without the override the pretraining follows the longest horizon
    assert apply_overrides(target["smooth"], pretrain_max_clauses=None,
                           horizons=(2, 8)).pretrain.max_clauses == 8


def test_unknown_preset():
    with pytest.raises(ValueError, match="unknown preset 'huge'"):
        transformer_preset("huge")


def test_cli_run_compare_and_errors(tmp_path, capsys):
    assert main(["run", "--preset", "smoke", "--out", str(tmp_path), "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "| smoke | 4 |" in out
    assert main(["compare", str(tmp_path)]) == 0
    assert (tmp_path / "comparison.png").exists() and (tmp_path / "comparison.md").exists()
    assert (tmp_path / "attention.png").exists()
    assert "map error" in capsys.readouterr().out
    assert main(["run", "--preset", "smoke", "--only", "nope", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --only: unknown run(s) ['nope']") and err.count("\n") == 1
    assert main(["compare", str(tmp_path / "missing")]) == 2
    from verify.transformer.__main__ import build_parser
    args = build_parser().parse_args(["run", "--out", "x", "--pretrain-max-clauses", "3"])
    assert args.pretrain_max_clauses == 3
    with pytest.raises(SystemExit):
        main(["--help"])


def test_gradient_probe_smoke():
    from verify.transformer.rl import gradient_probe
    rows = gradient_probe(SMOKE, horizon=2, batch=32, step_sizes=(0.01,), eval_prompts=32)
    assert [r["step"] for r in rows] == [0.0, 0.01]
    assert all(0.0 <= r["success"] <= 1.0 and 0.0 <= r["right_mass"] <= 1.0 for r in rows)


def test_resuming_with_fewer_updates_than_the_checkpoint_is_refused(tmp_path):
    """The loop used to exit only at step == updates: a shorter resume trained forever."""
    import signal

    def boom(signum, frame):
        raise TimeoutError("the shorter resume is still training")
    train_transformer(apply_overrides(SMOKE, updates=4), tmp_path, progress=False)
    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(60)
    try:
        with pytest.raises(ValueError, match="is at step 4, past updates=2"):
            train_transformer(apply_overrides(SMOKE, updates=2), tmp_path, resume=True,
                              progress=False)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    assert [r["step"] for r in read_metrics(tmp_path)][-1] == 4


def test_from_dir_of_an_unfinished_transformer_run_is_not_a_success(tmp_path):
    train_transformer(apply_overrides(SMOKE, updates=2), tmp_path, progress=False)
    (tmp_path / "result.json").unlink()
    res = TransformerRunResult.from_dir(tmp_path)
    assert not res.success and res.status == -2 and "not finished" in res.message
