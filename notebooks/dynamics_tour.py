# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # A tour of `dynamics`: success probabilities, relay and plateau
#
# Everything here is **our reconstruction** of the theory (see `docs/derivation.md`);
# nothing is quoted from the paper.  Sizes are small and seeds fixed.

# %%
import math

import matplotlib.pyplot as plt
import numpy as np

from dynamics import (Spectrum, TaskModel, accidental_success, mean_field_success,
                      prompt_averaged_success, symmetric_step_law)
from dynamics.ode import ReducedObjective, integrate_flow
from dynamics.escape import START_PROMPTS, escape_start
from dynamics.optim import OptimizerSpec, simulate_noisy_sgd, update_rate
from dynamics.phase import escape_scan, fit_scaling, phase_diagram, plot_phase_diagram
from dynamics.predict import predict

# %% [markdown]
# ## 1. The mean-field law
# If each step puts mass q on the right operation and spreads the rest uniformly,
# then for every non-trivial irrep ρ the step's Fourier coefficient is
# λ ρ(g_k) with λ = (|G| q − 1)/(|G| − 1).  The product over L steps, inverted at
# the target Δ, gives P_L = 1/|G| + (1 − 1/|G|) λ^L (Plancherel: Σ_{ρ≠1} d_ρ² = |G| − 1).
# At uniform attention (q = 1/|G|) λ = 0 and P_L is chance.

# %%
model = TaskModel(group="Z96", c_B=4)
q = symmetric_step_law(model, 0.7, 5)[0]
lam = (96 * q - 1) / 95
assert math.isclose(float(mean_field_success(model, 5, 0.7)), 1 / 96 + 95 / 96 * lam ** 5, rel_tol=1e-12)
weak = TaskModel(group="Z96", c_B=1e-9)          # B -> 0: the uniform law
assert abs(float(mean_field_success(weak, 5, 2.0)) - 1 / 96) < 1e-9

# %% [markdown]
# ## 2. P_L(θ) per horizon: exact (Fourier, 256 prompts) against mean field
# The exact curve sits above the mean field at small θ: wrong paths that land on
# the target (any reordering, in Z_n) are rewarded too.

# %%
theta = np.linspace(-1, 8, 181)
fig, ax = plt.subplots(figsize=(6, 3.5))
for L, c in zip((5, 15, 45), ("C0", "C1", "C2")):
    ax.plot(theta, prompt_averaged_success(model, L, theta), c, label=f"L={L} exact")
    ax.plot(theta, mean_field_success(model, L, theta), c + "--", label=f"L={L} mean field")
ax.set_xlabel("θ"); ax.set_ylabel("P_L"); ax.legend(fontsize=7); ax.set_title("Z96, c_B = 4")
exact5 = float(prompt_averaged_success(TaskModel(group="Z96", c_B=8), 5, 0.0))
mf5 = float(mean_field_success(TaskModel(group="Z96", c_B=8), 5, 0.0))
print(f"Z96, L=5, c_B=8, Q=0: exact {exact5:.4f}, mean field {mf5:.4f}")
assert exact5 > 3 * mf5

# %% [markdown]
# ## 3. Accidental successes: abelian against non-abelian
# `accidental_success` = P_L − q_right^L, the success of non-canonical paths.  In Z_24
# every reordering of the prompt reaches the target; in S_4 almost none does.

# %%
Ls = np.arange(2, 7)
fig, ax = plt.subplots(figsize=(5, 3))
acc = {}
for name in ("Z24", "D12", "S4"):
    m = TaskModel(group=name, c_B=8)
    acc[name] = np.array([float(accidental_success(m, int(L))) for L in Ls])
    ax.semilogy(Ls, acc[name] - 1 / 24 + 1e-6, "o-", label=name)
ax.set_xlabel("L"); ax.set_ylabel("accidental success − chance"); ax.legend()
assert np.all(acc["Z24"] >= acc["D12"]) and np.all(acc["D12"] >= acc["S4"])

# %% [markdown]
# ## 4. The symmetric start on abelian groups
# On Z_n the exact gradient at θ = 0 vanishes, so exact gradient flow from 0 does not
# move (θ = 0 is an *unstable* equilibrium: over long times even round-off escapes);
# in S_n the group breaks the symmetry.  Sampled training escapes by noise: the escape
# from chance is a first-passage time (`dynamics.escape.escape_start`: median and
# 10/90 % quantiles), and the deterministic flow starts at the effective θ0 that reaches
# the escape threshold at the median.  A Monte Carlo of the reduced stochastic
# recursion (on |θ|) checks it.

# %%
for name, moves in (("Z24", False), ("S4", True)):
    obj = ReducedObjective(model=TaskModel(group=name, M=24, c_B=4), spectrum=Spectrum((3, 6)))
    sol = integrate_flow(obj, t_max=300.0)
    print(name, "G(1e-9) =", float(obj.rate(1e-9)), "; flow from θ=0 after 300:", float(sol.theta[-1]))
    assert (abs(sol.theta[-1]) > 1e-3) == moves

obj = ReducedObjective(model=TaskModel(group="Z24", M=24, c_B=4), spectrum=Spectrum((4,)),
                       n_prompts=START_PROMPTS)
spec = OptimizerSpec(optimizer="sgd", lr=20.0, batch=64)
esc = escape_start(obj, spec)
print(esc)
pred = integrate_flow(obj, theta0=esc.theta0, rate=update_rate(obj, spec), t_max=300.0, levels=(),
                      n_eval=601)
runs = simulate_noisy_sgd(obj, spec, n_updates=300, n_runs=400, seed=0, reflect=True)
fig, ax = plt.subplots(figsize=(5, 3))
ax.plot(runs[:12].T, color="0.7", lw=0.7)
ax.plot(pred.t, pred.theta, "k", label=f"flow from θ0 = {esc.theta0:.3g}")
ax.axhline(esc.theta_escape, ls=":", color="k")
ax.set_ylim(0, 4); ax.set_xlabel("updates"); ax.set_ylabel("|θ|"); ax.legend()
hit = runs >= esc.theta_escape
t_mc = np.quantile(np.where(hit.any(1), hit.argmax(1), np.inf), [0.1, 0.5, 0.9])
print("escape 10/50/90 %: predicted", np.round(esc.t_quantiles), "Monte Carlo", t_mc)
assert 0.8 < t_mc[1] / esc.t_escape < 1.25

# %% [markdown]
# ## 5. Relay against plateau on Z96 (SGD lr 30, batch 512, 1/L, baseline)

# %%
fig, axes = plt.subplots(1, 3, figsize=(11, 3), sharey=True)
results = {}
for ax, hs in zip(axes, [(5, 15, 45), (5, 35), (5, 45)]):
    r = predict(model, Spectrum(hs))
    results[hs] = r
    for i, L in enumerate(hs):
        ax.plot(r.t, r.p_success[i], label=f"L={L}")
    for a, b in r.plateaus:
        ax.axvspan(a, b, color="0.9")
    ax.set_title(f"{hs}: {r.regime}"); ax.set_xlabel("updates"); ax.legend(fontsize=7)
    print(hs, {L: round(r.crossings[(L, 0.5)]) for L in hs}, r.regime)
assert results[(5, 15, 45)].regime == "relay"
assert results[(5, 45)].longest_plateau >= 5 * results[(5, 45)].first_phase

# %% [markdown]
# ## 5b. The richer ansatz: one coefficient per identifier
# Start the 64 identifiers of Z96 spread around θ = 0.3 and let each follow its own
# gradient (the success is the polynomial at the population means).  The spread
# shrinks: lagging identifiers sit where the step law is steepest, so they catch up.
# The one-coefficient ansatz is therefore accurate after the first phase; the spread
# matters early on, and for long horizons while it lasts.

# %%
from dynamics.ode import per_identifier_flow

obj = ReducedObjective(model=model, spectrum=Spectrum((5, 15, 45)))
th_init = np.random.default_rng(0).normal(0.3, 0.3, size=64)
pi = per_identifier_flow(obj, th_init, t_max=800.0, n_eval=200)
assert pi.success, pi.message
t_pi, th_pi, P_pi = pi.t, pi.theta, pi.p_success
one = integrate_flow(obj, theta0=float(th_init.mean()), t_max=800.0, levels=(), n_eval=200)
fig, ax = plt.subplots(figsize=(5, 3))
for i, L in enumerate((5, 15, 45)):
    ax.plot(t_pi, P_pi[i], f"C{i}", label=f"L={L} per identifier")
    ax.plot(one.t, one.p_success[i], f"C{i}--", label=f"L={L} one coefficient")
ax.set_xlabel("flow time"); ax.legend(fontsize=6)
print("spread of θ_i: start", th_pi[:, 0].std().round(3), "end", th_pi[:, -1].std())
assert th_pi[:, -1].std() < 0.01 * th_pi[:, 0].std()

# %% [markdown]
# ## 6. Phase diagram over (R, c_B) for the jump spectrum {5, 5R}

# %%
pd = phase_diagram("Z96", [2, 3, 5, 9], [3.0, 4.0, 6.0])
plot_phase_diagram(pd)
print(pd.regime)
assert pd.regime[0, 0] == "relay" and "plateau" in pd.regime[1]

# %% [markdown]
# ## 7. An escape-time scaling law against R (c_B = 4, |G| = 96)

# %%
R = np.array([5.0, 7.0, 9.0])
T = escape_scan("ratio", R)
fit = fit_scaling(R, T, "power")
print("escape time vs R:", fit)
fig, ax = plt.subplots(figsize=(4, 3))
ax.loglog(R, T, "o"); ax.loglog(R, fit(R), "--"); ax.set_xlabel("R"); ax.set_ylabel("escape (updates)")
assert fit.exponent > 2 and fit.r2 > 0.99
