"""dynamics.design: the fast path against predict, the search against brute force, the CLI."""

import itertools
import json
import math

import numpy as np
import pytest

from dynamics import Spectrum, TaskModel, predict
from dynamics.__main__ import main
from dynamics._mixture_cache import MixtureTable
from dynamics.design import LEVEL, baseline_mixtures, design
from dynamics.optim import OptimizerSpec

FAST_RTOL = 2e-3     # stated tolerance of the cached fast path against predict


def _table(model, target, spec, horizons, t_max=2e5):
    return MixtureTable.build(model, horizons, target, spec, form="exact", n_prompts=256,
                              seed=0, t_max=t_max)


@pytest.mark.parametrize("group,M,target,optimizer,sampled,mixes", [
    ("Z24", 16, 12, "sgd", True, [((12,), None), ((3, 12), None), ((2, 5, 12), (0.2, 0.3, 0.5)),
                                  ((4, 12), (0.7, 0.3)), ((1, 2, 3, 4, 6, 9, 12), None)]),
    ("S4", 16, 12, "sgd", True, [((12,), None), ((2, 12), None), ((3, 5, 8, 12), None),
                                 ((4, 12), (0.9, 0.1))]),
    ("D6", 12, 8, "flow", False, [((8,), None), ((2, 4, 8), None)]),
    ("Z12", 12, 6, "sgd", False, [((2, 6), None)]),          # abelian, no noise: never leaves 0
])
def test_fast_path_matches_predict(group, M, target, optimizer, sampled, mixes):
    """The cached quadrature against predict's solve_ivp integration (independent path)."""
    model = TaskModel(group=group, M=M, c_B=3.0)
    spec = OptimizerSpec(optimizer=optimizer, lr=10.0, batch=128, sampled=sampled)
    tab = _table(model, target, spec, range(1, target + 1), t_max=2e5 if optimizer == "sgd" else 1e5)
    n_finite = 0
    for hs, w in mixes:
        sp = Spectrum(hs, w)
        r = predict(model, sp, optimizer=optimizer, lr=10.0, batch=128, sampled=sampled)
        # from predict's own start (the escape's effective θ0): the quadrature against solve_ivp
        t_fast = tab.evaluate(tab.dense(sp.horizons, sp.weights)[None], theta0=r.theta0)[0][0]
        t_ref = r.time_to(target, LEVEL)
        if math.isinf(t_ref):
            assert math.isinf(t_fast), (hs, w, t_fast)
        else:
            n_finite += 1
            assert t_fast == pytest.approx(t_ref, rel=FAST_RTOL), (hs, w)
    assert n_finite >= (1 if len(mixes) > 1 else 0)


def test_success_at_budget_matches_predict_curve():
    model = TaskModel(group="Z24", M=16, c_B=3.0)
    spec = OptimizerSpec(lr=10.0, batch=128)
    tab = _table(model, 12, spec, range(1, 13))
    sp = Spectrum((3, 6, 12), (0.3, 0.3, 0.4))
    r = predict(model, sp, lr=10.0, batch=128)
    t9 = r.time_to(12, LEVEL)
    for U in (0.3 * t9, 0.7 * t9, 0.95 * t9):
        p_fast = tab.evaluate(tab.dense(sp.horizons, sp.weights)[None], budget=U,
                              theta0=r.theta0)[1][0]
        assert p_fast == pytest.approx(np.interp(U, r.t, r.p_success[2]), abs=0.01)


def test_design_beats_brute_force_grid_by_predict():
    """K = 2 on Z12: no (rung, weight) on a grid, timed by predict, beats the design."""
    model = TaskModel(group="Z12", M=12, c_B=3.0)
    kw = dict(lr=10.0, batch=128)
    res = design(model, 6, max_rungs=2, **kw)
    assert res.success and res.horizons[-1] == 6 and len(res.horizons) <= 2
    assert res.t_target == pytest.approx(res.design.t_target, rel=FAST_RTOL)
    best = math.inf
    for rung, w in itertools.product((2, 3, 4), (0.2, 0.35, 0.5, 0.65)):
        best = min(best, predict(model, Spectrum((rung, 6), (w, 1 - w)), **kw).time_to(6, LEVEL))
    assert res.t_target <= best * 1.001
    # at most K rungs: the curve against K never rises, and the design is no worse than
    # any ladder or L alone (they lie in its search space)
    ts = [c.t_target for c in res.by_rungs]
    assert all(b <= a for a, b in zip(ts, ts[1:]))
    for c in res.baselines:
        if len(c.horizons) <= 2:
            assert res.design.t_target <= c.t_target * 1.001


def test_baselines_and_json():
    assert baseline_mixtures(16, range(1, 17), 3) == [
        ("ladder r=2", (4, 8, 16)), ("ladder r=3", (2, 5, 16)), ("ladder r=4", (4, 16)),
        ("uniform 1..16", tuple(range(1, 17))), ("L alone", (16,))]
    assert baseline_mixtures(16, (3, 9, 16), 4)[1] == ("ladder r=3", (3, 16))  # snapped, merged
    res = design(TaskModel(group="D6", M=12, c_B=3.0), 6, max_rungs=3, lr=10.0, batch=128,
                 budget=60.0)
    d = json.loads(json.dumps(res.to_dict(), allow_nan=False))
    assert d["objective"] == "budget" and 0 < d["p_at_budget"] <= 1
    assert max(b["p_at_budget"] for b in d["baselines"]) <= d["p_at_budget"] + 1e-9 or \
        d["best_baseline"] == "uniform 1..6"
    assert {b["name"] for b in d["baselines"]} >= {"ladder r=2", "ladder r=3", "ladder r=4", "L alone"}


def test_allowed_above_target():
    """Rungs may lie above the target; horizons come back sorted, the target kept."""
    res = design(TaskModel(group="Z12", M=12, c_B=3.0), 4, max_rungs=3, allowed=(2, 4, 6, 8),
                 lr=10.0, batch=128, maxiter=5)
    assert 4 in res.horizons and list(res.horizons) == sorted(res.horizons)
    assert set(res.horizons) <= {2, 4, 6, 8}
    assert res.t_target == pytest.approx(res.design.t_target, rel=FAST_RTOL)


@pytest.mark.parametrize("kw,match", [
    (dict(target=13), "target must be an integer horizon in 2..min"),
    (dict(target=6, max_rungs=0), "max_rungs"),
    (dict(target=6, allowed=(1, 2, 3)), "must contain the target 6"),
    (dict(target=6, allowed=(2, 6, 40)), r"allowed horizons must lie in 1..min"),
    (dict(target=6, budget=0), "budget must be a finite number of updates > 0"),
    (dict(target=6, budget=-5.0), "budget"),
    (dict(target=6, optimizer="adam"), "linear in the mixture"),
])
def test_bad_input(kw, match):
    with pytest.raises(ValueError, match=match):
        design(TaskModel(group="Z12", M=12, c_B=3.0), **kw)


def test_cli_json_and_figure(tmp_path, capsys):
    js, png = tmp_path / "d.json", tmp_path / "d.png"
    assert main(["design", "--group", "Z12", "--M", "12", "--cB", "3", "--lr", "10", "--batch",
                 "128", "--target", "6", "--max-rungs", "2", "--json", str(js), "--out",
                 str(png)]) == 0
    d = json.loads(js.read_text())
    assert d["horizons"][-1] == 6 and abs(sum(d["weights"]) - 1) < 1e-9 and d["t_target"] > 0
    names = [b["name"] for b in d["baselines"]]
    assert names == ["ladder r=2", "ladder r=3", "ladder r=4", "uniform 1..6", "L alone"]
    assert all("horizons" in b and "weights" in b and "t_target" in b for b in d["baselines"])
    assert d["baselines"][-1]["t_target"] is None or d["baselines"][-1]["t_target"] > d["t_target"]
    assert png.stat().st_size > 10_000
    assert "best baseline" in capsys.readouterr().out


@pytest.mark.parametrize("args,match", [
    (("--target", "30"), "target must be an integer horizon"),
    (("--target", "6", "--max-rungs", "0"), "max_rungs"),
    (("--target", "6", "--allowed", "2,3"), "must contain the target"),
    (("--target", "6", "--budget", "0"), "budget must be"),
    (("--target", "6", "--optimizer", "adam"), "linear in the mixture"),
])
def test_cli_bad_input_one_line(args, match, capsys):
    assert main(["design", "--group", "Z12", "--M", "12", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and match in err and "Traceback" not in err


@pytest.mark.slow
def test_speed_target_z96():
    """Issue 18: a design for Z96, target 45, K <= 4 in under 30 s (2 cores, shared)."""
    import time
    t = time.perf_counter()
    res = design(TaskModel(group="Z96", c_B=4.0), 45, max_rungs=4)
    assert time.perf_counter() - t < 30.0
    assert res.success and res.t_target == pytest.approx(res.design.t_target, rel=FAST_RTOL)


def test_sub_batch_split_matches_verify_split():
    """The vectorised split of the fast path against dynamics.optim.batch_split (verify's)."""
    from dynamics._mixture_cache import _split
    from dynamics.optim import batch_split
    rng = np.random.default_rng(3)
    W = rng.dirichlet(np.ones(5), size=200) * (rng.random((200, 5)) > 0.3)
    W = W[W.sum(axis=1) > 0]
    W /= W.sum(axis=1, keepdims=True)
    W[0] = (0.2, 0.2, 0.2, 0.2, 0.2)                      # ties
    for batch in (7, 64, 256):
        got = _split(batch, W)
        assert all(got[i].tolist() == batch_split(batch, W[i]).tolist() for i in range(len(W)))


@pytest.mark.parametrize("baseline", ["batch", "none"])
def test_fast_path_carries_the_baselines_sub_batch_factors(baseline):
    """A biased baseline (1 - 1/n on the gradient, nonlinear in the weights) on a small batch."""
    model = TaskModel(group="S4", M=16, c_B=3.0)
    spec = OptimizerSpec(lr=10.0, batch=12, baseline=baseline)
    tab = _table(model, 8, spec, (2, 4, 8))
    for hs, w in [((2, 8), (0.25, 0.75)), ((2, 4, 8), None)]:
        sp = Spectrum(hs, w)
        r = predict(model, sp, lr=10.0, batch=12, baseline=baseline)
        t_fast = tab.evaluate(tab.dense(sp.horizons, sp.weights)[None], theta0=r.theta0)[0][0]
        assert t_fast == pytest.approx(r.time_to(8, LEVEL), rel=FAST_RTOL), (hs, w)
        # the screening start follows the same factors: noise and growth of the mixture
        assert math.isfinite(float(tab.theta0(tab.dense(sp.horizons, sp.weights)[None])[0]))
