"""The escape from chance (dynamics.escape) against independent oracles: the Brownian
exit-time series, a Monte Carlo of the discrete recursion, continuity and seed stability."""

import math
import sys
from pathlib import Path

import numpy as np
import pytest

from dynamics import Spectrum, TaskModel
from dynamics.escape import START_PROMPTS, EscapeStart, _survival, escape_start
from dynamics.ode import ReducedObjective
from dynamics.optim import OptimizerSpec, noise_scale, noise_scale_theta0, update_rate


def test_survival_matches_the_brownian_exit_series():
    """Zero drift, constant D, from the reflecting end 0 to the absorbing end a (the exit of
    (-a, a) from 0): S(t) = Σ_n 4(-1)^n/((2n+1)π) e^{-(2n+1)²π²Dt/(4a²)}."""
    a, D = 0.7, 0.003
    grid = np.linspace(0.0, a, 401)
    times = np.geomspace(1e-2, 2000.0, 1500)
    S = _survival(np.zeros_like(grid), np.full_like(grid, D), grid[1] - grid[0], times)
    n = np.arange(200)[:, None]
    k = 2 * n + 1
    want = (4 * (-1.0) ** n / (k * np.pi) * np.exp(-(k * np.pi) ** 2 * D * times / (4 * a * a))).sum(0)
    sel = times > 5.0
    assert np.abs(S[sel] - want[sel]).max() < 5e-3


def test_survival_with_strong_drift_is_the_transit_time():
    """Drift-dominated (cell Péclet ~ 1.6): the escape is the transit a/μ; the median within
    2 %, the 10/90 % quantiles within 8 % (upwinding adds a diffusion μh/2 ≈ 1.5 D here)."""
    a, mu, D = 0.5, 0.01, 2e-6
    grid = np.linspace(0.0, a, 801)
    times = np.geomspace(1e-2, 500.0, 3000)
    S = _survival(np.full_like(grid, mu), np.full_like(grid, D), grid[1] - grid[0], times)
    for p, tol in ((0.1, 0.08), (0.5, 0.02), (0.9, 0.08)):
        t = times[np.argmax(1 - S >= p)]
        assert t == pytest.approx(a / mu, rel=tol)


def reflected_monte_carlo(obj, spec, theta_esc, n_updates, n_runs, seed):
    """First update at which |θ| of θ_{u+1} = |θ_u + r(θ_u) + s(θ_u) ξ_u| reaches θ_esc."""
    rate = update_rate(obj, spec)
    grid = np.linspace(0.0, theta_esc, 201)
    r = np.array([rate(t) for t in grid])
    s = np.array([noise_scale(obj, spec, t) for t in grid])
    rng = np.random.default_rng(seed)
    th = np.zeros(n_runs)
    first = np.full(n_runs, np.inf)
    for u in range(1, n_updates + 1):
        th = np.abs(th + np.interp(th, grid, r) + np.interp(th, grid, s) * rng.standard_normal(n_runs))
        first[(th >= theta_esc) & np.isinf(first)] = u
    return first


@pytest.mark.parametrize("group, L, lr, batch", [("Z8", 3, 3.0, 64), ("D4", 3, 3.0, 64),
                                                 ("D4", 4, 6.0, 32)])
def test_escape_quantiles_match_monte_carlo_of_the_recursion(group, L, lr, batch):
    """The backward equation against 1500 runs of the discrete recursion on |θ| (same rates:
    exact prompt average): 10/50/90 % first passages to θ_esc within 12 % plus one update
    (the recursion moves in whole updates)."""
    model = TaskModel(group=group, M=8, c_B=4)
    obj = ReducedObjective(model=model, spectrum=Spectrum((L,)), n_prompts=START_PROMPTS)
    spec = OptimizerSpec(lr=lr, batch=batch)
    e = escape_start(obj, spec, t_max=1e4)
    assert e.exact and e.success and 0 < e.theta_escape < 2
    first = reflected_monte_carlo(obj, spec, e.theta_escape, int(3 * e.t_quantiles[-1]) + 10,
                                  1500, seed=7)
    assert np.isfinite(first).mean() > 0.95
    mc = np.quantile(first, [0.1, 0.5, 0.9])
    for p, m in zip(e.t_quantiles, mc):
        assert abs(p - m) < 0.12 * m + 1.0, (e.t_quantiles, mc)


def test_escape_is_continuous_through_zero_growth():
    """D6 at L = 6 has ε ≈ 0 (its sign flips between prompt samples in the old 256-prompt
    estimate): the median escape moves smoothly with lr, and t_max only sets the status."""
    obj = ReducedObjective(model=TaskModel(group="D6", M=12, c_B=4), spectrum=Spectrum((6,)))
    lrs = np.geomspace(20.0, 24.0, 6)
    t = np.array([escape_start(obj, OptimizerSpec(lr=float(lr), batch=512), t_max=1e5).t_escape
                  for lr in lrs])
    assert np.isfinite(t).all()
    steps = np.abs(np.diff(np.log(t)))
    assert steps.max() < 3 * abs(np.log(lrs[1] / lrs[0])), t   # no jump: ~ lr^-1..-2 scaling
    spec = OptimizerSpec(lr=22.0, batch=512)
    a = escape_start(obj, spec, t_max=1e3)
    b = escape_start(obj, spec, t_max=1e6)
    assert a.t_escape == pytest.approx(b.t_escape, rel=0.02) and a.theta0 == pytest.approx(b.theta0, rel=0.02)
    assert (a.status, b.status) == (0, 1)


def test_escape_is_stable_across_prompt_seeds():
    """S4 at L = 4 has 255,024 ordered prompts (sampled): over 8 prompt seeds the median
    escape moves less than 10 %."""
    t = [escape_start(ReducedObjective(model=TaskModel(group="S4", M=16, c_B=4),
                                       spectrum=Spectrum((4,)), seed=seed),
                      OptimizerSpec(lr=3.0, batch=64), t_max=1e5).t_escape for seed in range(8)]
    assert max(t) / min(t) - 1 < 0.10, t


def test_negative_drift_escapes_through_noise():
    """S3 at L = 4: the exact slope at θ = 0 is negative (docs/derivation.md, slope
    table), so the flow from 0 never leaves chance; the noisy start still escapes."""
    obj = ReducedObjective(model=TaskModel(group="S3", M=8, c_B=4), spectrum=Spectrum((4,)))
    e = escape_start(obj, OptimizerSpec(lr=3.0, batch=64), t_max=1e5)
    assert e.exact and e.drift < 0
    assert math.isfinite(e.t_escape) and e.t_quantiles[0] < e.t_escape < e.t_quantiles[-1]
    flow = escape_start(obj, OptimizerSpec(optimizer="flow"), t_max=1e5)
    assert flow.noise == 0 and flow.t_escape == math.inf


def test_wrapper_and_result_object():
    obj = ReducedObjective(model=TaskModel(group="D4", M=8, c_B=4), spectrum=Spectrum((3,)))
    spec = OptimizerSpec(lr=3.0, batch=64)
    e = escape_start(obj, spec, t_max=1e3)
    assert isinstance(e, EscapeStart)
    assert noise_scale_theta0(obj, spec, t_max=1e3) == (e.theta0, e.growth, e.noise)
    d = e.to_dict()
    assert d["t_quantiles"] == list(e.t_quantiles) and d["probabilities"] == [0.1, 0.5, 0.9]
    with pytest.raises(AttributeError):
        e.theta0 = 1.0
    for bad in (dict(margin=0.0), dict(probabilities=(0.1, 0.9)), dict(t_max=-1.0), dict(n_grid=40)):
        with pytest.raises(ValueError, match="escape_start"):
            escape_start(obj, spec, **{"t_max": 1e3, **bad})


# ----------------------------------------------------------------------------- against training
def _training_check(group, L, updates, seeds=range(8), **kw):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
    from escape_check import predicted_escape, train_escapes
    cfg = dict(group=group, horizon=L, n_ids=8, c_B=4.0, lr=3.0, batch=64, updates=updates, **kw)
    e = predicted_escape(**cfg)
    obs = train_escapes(seeds=seeds, log_every=5, **cfg)
    return e, float(np.median(obs)), obs


@pytest.mark.slow
@pytest.mark.parametrize("group, L, updates", [("Z8", 3, 600), ("D4", 3, 400)])
def test_median_escape_matches_training(group, L, updates):
    """Median escape over 8 training seeds (first update where held-out success reaches
    P0 + 0.1(1 - P0)) within 1.5x of the predicted median; abelian and non-abelian."""
    e, med, obs = _training_check(group, L, updates)
    assert np.isfinite(obs).all(), obs
    assert 1 / 1.5 < e.t_escape / med < 1.5, (e.t_escape, med, obs)


@pytest.mark.slow
def test_negative_slope_start_against_training():
    """S3 at L = 4 (exact slope -1/30 < 0): the flow from 0 never learns, but every one of 12
    seeds escapes, and the observed median lies inside the predicted 10-90 % band.  The
    median itself is 1.6x slower than predicted on 12 seeds (2.0x on seeds 0-7): the 1-D
    model is too fast for long noise-led escapes (docs/derivation.md §6)."""
    e, med, obs = _training_check("S3", 4, 4000, seeds=range(12))
    assert e.drift < 0 and np.isfinite(obs).all(), obs
    assert e.t_quantiles[0] < med < e.t_quantiles[-1], (e.t_quantiles, med, obs)
