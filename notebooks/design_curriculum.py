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
# # Designing a curriculum: which mix of easy and hard problems learns a target soonest?
#
# `dynamics.design` turns the theory's prediction of every horizon's learning curve
# (our reconstruction, `docs/derivation.md`) into a search over training mixtures:
# at most K horizons, the target L among them, and their weights.  Everything here
# runs at a small size (Z12, M = 12, target 6) in a few seconds; `docs/design.md` has
# the commands and the training evidence at a larger size.

# %%
import json
import math
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from dynamics import Spectrum, TaskModel, design, predict
from dynamics.design import plot_design

model = TaskModel(group="Z12", M=12, c_B=3.0)
train = dict(optimizer="sgd", lr=10.0, batch=128)      # the training recipe to design for

# %% [markdown]
# ## 1. Design against the baselines
# Baselines: geometric ladders of ratio 2, 3, 4 (uniform weights), the uniform mixture
# over every horizon up to L, and L alone.  Times are predicted updates until the
# target's success reaches 0.9.

# %%
res = design(model, 6, max_rungs=3, maxiter=15, **train)
print(res)
for c in (res.design,) + res.baselines:
    t = "never" if math.isinf(c.t_target) else f"{c.t_target:.0f}"
    print(f"{c.name:<14} {str(c.horizons):<22} {t:>7}")
ladders = [c for c in res.baselines if len(c.horizons) <= 3]
assert all(res.design.t_target <= c.t_target * 1.001 for c in ladders)   # they are in its search space

# %% [markdown]
# ## 2. The fast path is the prediction
# The search evaluates thousands of mixtures through a per-horizon cache (the rate is
# linear in the weights), then reruns `predict` on the design.  The two agree:

# %%
assert math.isclose(res.t_target, res.design.t_target, rel_tol=2e-3), (res.t_target, res.design.t_target)
r = predict(model, Spectrum(res.horizons, res.weights), **train)
assert math.isclose(r.time_to(6, 0.9), res.t_target, rel_tol=1e-9)

# %% [markdown]
# ## 3. More rungs help, then saturate
# The best design with at most K rungs, K = 1..3 (it never gets worse with K).

# %%
ts = [c.t_target for c in res.by_rungs]
print([(len(c.horizons), None if math.isinf(c.t_target) else round(c.t_target)) for c in res.by_rungs])
assert all(b <= a for a, b in zip(ts, ts[1:]))

# %% [markdown]
# ## 4. A budget instead of a deadline
# `budget=U` maximises the target's predicted success after U updates.

# %%
U = 0.6 * res.t_target
rb = design(model, 6, max_rungs=3, budget=U, maxiter=15, **train)
print(f"after {U:.0f} updates: design {rb.horizons} P = {rb.p_at_budget:.3f}; best baseline "
      f"{rb.best_baseline.name} P = {rb.best_baseline.p_at_budget:.3f}")
assert rb.p_at_budget >= max(c.p_at_budget for c in rb.baselines if len(c.horizons) <= 3) - 1e-9

# %% [markdown]
# ## 5. The figure of `python -m dynamics design --out design.png`

# %%
fig, axes = plt.subplots(1, 3, figsize=(14, 3.8))
plot_design(res, axes)
fig.tight_layout()
plt.close(fig)

# %% [markdown]
# ## 6. The training evidence (if it has been run)
# `python scripts/design_training.py --launch && python scripts/design_training.py --tabulate`
# writes `docs/results/design_training.json`; its checks per configuration:

# %%
path = Path("docs/results/design_training.json")
if path.exists():
    doc = json.loads(path.read_text())
    for name, t in doc["configs"].items():
        ck = t["checks"]
        print(f"{name}: design {t['design']}; advantage predicted {ck['advantage_predicted']:.2f}x, "
              f"observed {ck['advantage_observed']:.2f}x; design predicted/observed "
              f"{ck['design_predicted_over_observed']:.2f}; ranking matches: {ck['ranking_matches']}")
