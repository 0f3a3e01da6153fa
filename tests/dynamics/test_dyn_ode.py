"""Reduced dynamics, optimiser rates, predictions and the CLI, against independent oracles."""

import json
import math

import numpy as np
import pytest
import torch
from scipy.integrate import quad
from scipy.optimize import brentq

from dynamics import Spectrum, TaskModel, sample_prompts, success_probability_torch
from dynamics.__main__ import main
from dynamics.ode import ReducedObjective, discrete_sgd, integrate_flow, per_identifier_flow
from dynamics.optim import OptimizerSpec, update_rate
from dynamics.phase import fit_scaling, phase_diagram
from dynamics.predict import predict

Z96 = TaskModel(group="Z96", c_B=4)


def crossing_by_quadrature(obj, i, level, theta0=0.0):
    """t = ∫ dθ / G(θ) from θ0 to the θ where horizon i reaches the level (1-d ODE)."""
    f = lambda th: float(obj.success(th)[i]) - level
    th_star = brentq(f, theta0, 30.0, xtol=1e-13)
    pts = np.linspace(theta0, th_star, 41)
    return sum(quad(lambda th: 1.0 / float(obj.rate(th)), a, b, epsabs=0, epsrel=1e-10, limit=200)[0]
               for a, b in zip(pts[:-1], pts[1:]))


@pytest.mark.parametrize("form", ["mean_field", "exact"])
def test_event_times_match_quadrature(form):
    obj = ReducedObjective(model=Z96, spectrum=Spectrum((5, 15)), form=form, length_normalized=False)
    th0 = 0.0 if form == "mean_field" else 0.05
    sol = integrate_flow(obj, theta0=th0, t_max=5e3)
    for i, L in enumerate((5, 15)):
        for lev in (0.5, 0.9):
            assert sol.crossings[(L, lev)] == pytest.approx(crossing_by_quadrature(obj, i, lev, th0), rel=1e-4)


def test_reproduces_prototype_mean_field_times():
    """docs/theory.md §4: mean field, |G|=96, c_B=4, uniform weights, no 1/L, time to 0.5."""
    want = {(5, 15, 45): [384, 400, 414], (5, 45): [256, 2355], (5, 35): [256, 940]}
    for hs, times in want.items():
        obj = ReducedObjective(model=Z96, spectrum=Spectrum(hs), form="mean_field", length_normalized=False)
        sol = integrate_flow(obj, t_max=5e3)
        got = [sol.crossings[(L, 0.5)] for L in hs]
        assert np.allclose(got, times, atol=1.0), (hs, got)
    obj = ReducedObjective(model=Z96, spectrum=Spectrum((45,)), form="mean_field", length_normalized=False)
    sol = integrate_flow(obj, t_max=1e6)
    assert sol.status == 0 and math.isinf(sol.crossings[(45, 0.5)])
    assert np.ptp(sol.theta) < 1e-12


def test_sgd_q_entry_mapping_is_exact():
    """One SGD step on the full Q moves ψ = mean(diag) − mean(off) by η/(M−1)·dP/dθ.

    Chain rule gives Σ_diag ∂P/∂Q = dP/dθ; softmax shift invariance gives a zero row
    sum, so Σ_off = −Σ_diag; hence the mapping holds exactly for any prompt sample."""
    for name in ("Z12", "S4"):
        G = TaskModel(group=name, M=8).group
        M, L, B, theta, lr = 8, 3, 4.0, 0.7, 3.0
        perm = torch.arange(M).roll(3)
        pr = sample_prompts(G, L, 50, M=M, seed=1)
        args = (torch.from_numpy(pr.ops), torch.from_numpy(pr.ids), torch.from_numpy(pr.s0))
        Q = torch.zeros(M, M, dtype=torch.float64)
        Q[perm, torch.arange(M)] = theta
        Q.requires_grad_(True)
        success_probability_torch(G, Q, *args, B=B, perm=perm).mean().backward()
        diag = torch.zeros(M, M, dtype=torch.bool)
        diag[perm, torch.arange(M)] = True
        Qn = Q.detach() + lr * Q.grad
        dpsi = float(Qn[diag].mean() - Qn[~diag].mean()) - theta
        th = torch.tensor(theta, dtype=torch.float64, requires_grad=True)
        Qt = torch.zeros(M, M, dtype=torch.float64).index_put((perm, torch.arange(M)), th.expand(M))
        success_probability_torch(G, Qt, *args, B=B, perm=perm).mean().backward()
        assert dpsi == pytest.approx(lr / (M - 1) * float(th.grad), rel=1e-10)


def test_discrete_sgd_converges_to_flow_for_small_steps():
    """Euler iterates of the flow: the error is first order in the step η/(M−1)."""
    obj = ReducedObjective(model=TaskModel(group="S4", M=16, c_B=4), spectrum=Spectrum((3, 6)))
    errs = []
    for lr, n in ((1.0, 1000), (0.5, 2000)):
        th = discrete_sgd(obj, lr=lr, n_updates=n)
        sol = integrate_flow(obj, t_max=n, time_scale=lr / 15, levels=(), n_eval=n + 1)
        errs.append(np.abs(th - sol.theta).max())
        assert th[-1] > 1.0
    assert errs[0] < 0.05 and errs[1] == pytest.approx(errs[0] / 2, rel=0.1)


def test_flow_from_zero_never_moves_on_abelian_but_does_on_nonabelian():
    """G(0) = 0 to round-off on Z_n (θ = 0 is an unstable equilibrium, G'(0) > 0), while
    D_n and S_n drift off at once."""
    for name, moves in (("Z24", False), ("D12", True), ("S4", True)):
        obj = ReducedObjective(model=TaskModel(group=name, M=24, c_B=4), spectrum=Spectrum((3, 6)))
        scale = float(np.abs(obj.rate(np.linspace(0.1, 3, 30))).max())
        near = float(obj.rate(1e-9))           # off the exactly symmetric point
        assert (abs(near) > 1e-6 * scale) == moves, name
        sol = integrate_flow(obj, t_max=300.0)
        assert (abs(sol.theta[-1]) > 1e-3) == moves, name
        if not moves:
            assert obj.curvature_at_zero() > 0


def test_per_identifier_flow_reduces_to_one_coefficient():
    obj = ReducedObjective(model=TaskModel(group="Z24", M=16, c_B=4), spectrum=Spectrum((3, 6)))
    res = per_identifier_flow(obj, np.full(5, 0.3), t_max=200.0, n_eval=50)
    t, th, P = res
    assert res.status == 1 and res.success
    sol = integrate_flow(obj, theta0=0.3, t_max=200.0, levels=(), n_eval=50)
    assert np.allclose(th, sol.theta[None], atol=1e-6)
    assert np.allclose(P, sol.p_success, atol=1e-7)


def test_per_identifier_flow_reports_a_failed_solve(monkeypatch):
    # issue 16: the solver status was ignored and a truncated tuple came back silently
    import dynamics.ode as ode
    real = ode.solve_ivp

    def failing(*args, **kw):
        sol = real(*args, **kw)
        sol.status, sol.message = -1, "Required step size is less than spacing between numbers."
        sol.t, sol.y = sol.t[:3], sol.y[:, :3]
        return sol

    monkeypatch.setattr(ode, "solve_ivp", failing)
    obj = ReducedObjective(model=TaskModel(group="Z24", M=16, c_B=4), spectrum=Spectrum((3, 6)))
    res = per_identifier_flow(obj, np.full(4, 0.3), t_max=50.0, n_eval=20)
    assert res.status == -1 and not res.success and "solver failed at t=" in res.message
    assert res.t.shape == (3,) and res.theta.shape == (4, 3) and res.p_success.shape == (2, 3)


def test_phase_diagram_rejects_impossible_orders_and_labels_realised_ratios():
    # issue 16 / reliability 12: odd dihedral orders were floored, non-integers rounded,
    # and rows and columns labelled with the requested values
    with pytest.raises(ValueError, match="dihedral order must be even"):
        phase_diagram("D6", [2.0], [25.0], parameter="order", M=24, easy=3)
    with pytest.raises(ValueError, match="positive integer; got 12.7"):
        phase_diagram("Z6", [2.0], [12.7], parameter="order", M=12, easy=3)
    with pytest.raises(ValueError, match="repeated spectra"):
        phase_diagram("Z24", [1.1, 1.3], [4.0], M=24, easy=5)
    pd = phase_diagram("Z24", [1.5], [4.0], M=24, easy=5, t_max=2e3)
    assert pd.ratios.tolist() == [1.6]                      # {5, 8}: realised 8/5
    pd = phase_diagram("D6", [2.0], [24.0], parameter="order", M=24, easy=3, t_max=2e3)
    assert pd.groups == ("D12",)


def test_scaling_legend_names_the_variable_without_mangling_exp():
    from dynamics.phase import ScalingFit, plot_scaling_laws
    x = np.array([3.5, 4.0, 4.5])
    T = 15.4 * np.exp(1.87 * x)
    laws = {"c_B": {"values": x, "escape": T,
                    "fits": (fit_scaling(x, T, "exp"), fit_scaling(x, T, "power")),
                    "base": {"group": "D12", "easy": 3, "hard": 27}}}
    ax = plot_scaling_laws(laws)[0]
    label = ax.get_legend().get_texts()[0].get_text()
    assert label == "T = 15.4 · exp(1.87 c)"                # was 'ecp(1.87 c)'
    assert ax.get_xlabel() == "c_B ({3, 27})"               # was the hard-coded {5, 45}
    assert ScalingFit("power", 2.0, 3.0, 1.0, 3).formula("R") == "T = 2 · R^3"


def test_per_identifier_success_matches_full_q_average():
    """Per-identifier coefficients θ_i: the polynomial at the population means (x̄, b̄)
    against the exact full-Q success averaged over 20,000 random prompts.  Agreement is up
    to the prompt samples and drawing identifiers without replacement (O(L/M)); the
    one-coefficient ansatz at the mean θ is far off."""
    from dynamics.ode import _step_derivatives
    M, L = 64, 4
    model = TaskModel(group="S4", M=M, c_B=4)
    theta = np.random.default_rng(0).normal(1.0, 1.0, size=M)
    perm = torch.arange(M).roll(5)
    Q = torch.zeros(M, M, dtype=torch.float64)
    Q[perm, torch.arange(M)] = torch.from_numpy(theta)
    pr = sample_prompts(model.group, L, 20000, M=M, seed=3)
    P = success_probability_torch(model.group, Q, torch.from_numpy(pr.ops), torch.from_numpy(pr.ids),
                                  torch.from_numpy(pr.s0), B=model.B, perm=perm).mean().item()
    obj = ReducedObjective(model=model, spectrum=Spectrum((L,)), n_prompts=4096)
    x, b = _step_derivatives(model, theta, L)[:2]
    assert obj._poly(L, x.mean(), b.mean())[0] == pytest.approx(P, abs=0.015)
    assert abs(float(obj.success(theta.mean())[0]) - P) > 0.3


def test_adam_rate_is_sign_like_without_noise():
    obj = ReducedObjective(model=TaskModel(group="S4", M=16, c_B=4), spectrum=Spectrum((3,)))
    r = update_rate(obj, OptimizerSpec(optimizer="adam", lr=0.01, batch=10**15))
    assert r(0.5) == pytest.approx(0.02, rel=1e-6)       # diagonal + off-target entries
    r_noisy = update_rate(obj, OptimizerSpec(optimizer="adam", lr=0.01, batch=8))
    assert 0 < r_noisy(0.5) < 0.02


def test_adam_ode_matches_discrete_adam():
    """The continuous Adam system (stiff ODE) against Adam's discrete moment recursions."""
    from dynamics.optim import adam_system, discrete_adam
    obj = ReducedObjective(model=TaskModel(group="S4", M=16, c_B=4), spectrum=Spectrum((3, 6)))
    spec = OptimizerSpec(optimizer="adam", lr=0.01, batch=64)
    th = discrete_adam(obj, spec, theta0=0.05, n_updates=600)
    sol = integrate_flow(obj, theta0=0.05, system=adam_system(obj, spec), t_max=600, levels=(),
                         n_eval=601, rtol=1e-7, atol=1e-30)
    assert th[-1] > 1.0
    assert np.abs(th - sol.theta).max() < 0.02 * th[-1]


def test_predict_targets_on_z96():
    """The issue's targets for the reduced ODE (SGD recipe of docs/theory.md §6)."""
    relay = predict(Z96, Spectrum((5, 15, 45)))
    assert relay.regime == "relay" and relay.status == 1
    assert relay.longest_plateau <= relay.first_phase and relay.index < relay.classification.threshold
    jump = predict(Z96, Spectrum((5, 45)))
    assert jump.regime == "plateau" and jump.longest_plateau >= 5 * jump.first_phase
    assert jump.index > 10 * jump.classification.threshold
    alone = predict(Z96, Spectrum((45,)))
    assert alone.regime == "stalled" and math.isinf(alone.crossings[(45, alone.levels[0])])
    # crossing times increase with the level and with the horizon
    for r in (relay, jump):
        for L in r.horizons:
            ts = [r.crossings[(L, lev)] for lev in r.levels]
            assert ts == sorted(ts)
        assert [r.crossings[(L, 0.5)] for L in r.horizons] == sorted(r.crossings[(L, 0.5)] for L in r.horizons)


def test_fit_scaling_recovers_known_laws():
    x = np.array([2.0, 3.0, 5.0, 8.0])
    f = fit_scaling(x, 7.0 * x ** 3.5)
    assert f.exponent == pytest.approx(3.5) and f.prefactor == pytest.approx(7.0) and f.r2 == pytest.approx(1.0)
    g = fit_scaling(x, 2.0 * np.exp(0.4 * x), law="exp")
    assert g.exponent == pytest.approx(0.4) and g.prefactor == pytest.approx(2.0)
    with pytest.raises(ValueError, match="at least 2 finite"):
        fit_scaling([1, 2], [np.inf, 3.0])


def test_phase_diagram_has_relay_and_plateau():
    pd = phase_diagram("Z24", [2, 4, 8], [3.0, 4.0], M=24, easy=3)
    assert pd.regime[:, 0].tolist() == ["relay", "relay"]
    assert "plateau" in pd.regime[:, -1].tolist()


def test_cli_predict_json_and_errors(tmp_path, capsys):
    out = tmp_path / "out.json"
    assert main(["predict", "--group", "Z24", "--M", "24", "--horizons", "3,9", "--cB", "4",
                 "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["config"]["group"] == "Z24" and data["regime"] in ("relay", "plateau", "stalled")
    assert {c["horizon"] for c in data["crossings"]} == {3, 9}
    assert main(["predict", "--group", "Z24", "--horizons", "3,30"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "horizon 30 exceeds" in err
    assert main(["predict", "--group", "Q8", "--horizons", "3"]) == 2


def test_cli_phase_diagram_writes_figure(tmp_path):
    fig = tmp_path / "pd.png"
    assert main(["phase-diagram", "--group", "Z24", "--M", "24", "--easy", "3", "--ratios", "2,8",
                 "--values", "4", "--out", str(fig), "--json", str(tmp_path / "pd.json")]) == 0
    assert fig.stat().st_size > 1000
    assert json.loads((tmp_path / "pd.json").read_text())["regime"] == [["relay", "plateau"]]


def test_cli_help_runs(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0 and "phase-diagram" in capsys.readouterr().out


def test_optimizer_spec_errors():
    with pytest.raises(ValueError, match="lr must be a finite number > 0; got lr=-1"):
        OptimizerSpec(lr=-1)
    with pytest.raises(ValueError, match="batch must be an integer >= 1"):
        OptimizerSpec(batch=0)
    with pytest.raises(ValueError, match="epsilon must lie in"):
        predict(TaskModel(group="Z12", M=12), Spectrum((2,)), epsilon=0.9)


def test_exact_gradient_training_needs_a_seed_on_abelian_groups():
    """sampled=False (verify's exact mode): no noise-driven start.  Z_n stays at chance from
    θ0 = 0; a small θ0 or a non-abelian group starts learning."""
    spec = Spectrum((3, 6))
    z = TaskModel(group="Z24", M=24, c_B=4)
    assert predict(z, spec, sampled=False, t_max=2e4).regime == "stalled"
    assert predict(z, spec, sampled=False, theta0=0.05, t_max=2e4).status == 1
    assert predict(TaskModel(group="S4", M=24, c_B=4), spec, sampled=False, t_max=2e4).status == 1


def test_each_entry_gets_its_share_of_the_theta_gradient():
    """Touch frequencies: over random prompts every diagonal entry carries ≈ 1/M of dP/dθ
    (present with probability L/M, then 1/L of it) and every off-target entry ≈ −1/(M(M−1))."""
    G = TaskModel(group="S4", M=8).group
    M, L, B, theta = 8, 3, 4.0, 0.7
    perm = torch.arange(M).roll(3)
    pr = sample_prompts(G, L, 6000, M=M, seed=2)
    Q = torch.zeros(M, M, dtype=torch.float64)
    Q[perm, torch.arange(M)] = theta
    Q.requires_grad_(True)
    success_probability_torch(G, Q, torch.from_numpy(pr.ops), torch.from_numpy(pr.ids),
                              torch.from_numpy(pr.s0), B=B, perm=perm).mean().backward()
    diag = torch.zeros(M, M, dtype=torch.bool)
    diag[perm, torch.arange(M)] = True
    dtheta = float(Q.grad[diag].sum())
    assert dtheta > 0
    assert torch.allclose(Q.grad[diag], torch.full((M,), dtheta / M, dtype=torch.float64), rtol=0.1)
    assert torch.allclose(Q.grad[~diag], torch.full((M * (M - 1),), -dtheta / (M * (M - 1)),
                                                    dtype=torch.float64), rtol=0.25)


def test_results_are_frozen_and_read_only():
    r = predict(TaskModel(group="Z24", M=24, c_B=4), Spectrum((3, 6)), t_max=2e4)
    for arr in (r.t, r.theta, r.p_success):
        with pytest.raises(ValueError, match="read-only"):
            arr[0] = 1.0
    with pytest.raises(AttributeError):
        r.regime = "relay"
    assert r.success and "regime=" in repr(r)
    assert r.time_to(3, 0.5) == r.crossings[(3, 0.5)]
    with pytest.raises(ValueError, match="no crossing recorded"):
        r.time_to(3, 0.7)


def test_phase_diagram_over_group_order():
    pd = phase_diagram("Z24", [2, 8], [24, 48], parameter="order", M=24, easy=3)
    assert pd.parameter == "order" and pd.regime.shape == (2, 2)
    assert pd.regime[0, 0] == "relay"
    # larger groups escape later (escape time grows with |G|)
    assert pd.escape[1, 1] > pd.escape[0, 1]
    with pytest.raises(ValueError, match="parameter='order' scans Z_n or D_n"):
        phase_diagram("S4", [2], [24], parameter="order")
