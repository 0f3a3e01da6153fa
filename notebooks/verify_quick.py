# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # Training against the theory: the `quick` preset
#
# Outcome-only REINFORCE trains the attention scores Q of the minimal model
# (docs/theory.md §2) on state tracking in the dihedral group D_12 (order 24), with the
# idealised head at c_B = 4.
# Two difficulty spectra are trained: the ladder {3, 6, 12} (ratio 2, SGD lr 3) and the
# jump {3, 24} (ratio 8, lr 30 so that its escape fits in 1,300 updates). `dynamics`
# predicts a relay for the first and a plateau for the second; `verify.compare` puts the
# observed curves beside the prediction for the exact same configuration, in updates.
#
# This is the README's main job (`python -m verify run --preset quick --out runs/quick`,
# then `python -m verify compare runs/quick`), with the same configs and seeds.

# %%
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import torch

from verify import preset, train
from verify.compare import compare_runs

torch.set_num_threads(1)
out = Path(tempfile.mkdtemp(prefix="verify_quick_"))
configs = preset("quick")
for name, cfg in configs.items():
    print(name, cfg.group, cfg.horizons, f"lr={cfg.lr:g} batch={cfg.batch} updates={cfg.updates}")

# %% [markdown]
# ## Train both spectra
# Every 20 updates, held-out success per horizon is evaluated exactly through the
# Fourier formula of `dynamics` (no sampling noise in the evaluation).

# %%
results = {name: train(cfg, out / name, progress=False) for name, cfg in configs.items()}
for name, res in results.items():
    print(name, res.message, {L: round(res.final[f"success/L{L}/sampled"], 3)
                              for L in res.config.horizons})
assert all(res.success for res in results.values())
assert results["relay"].final["success/L12/sampled"] > 0.9
assert results["plateau"].final["success/L24/sampled"] > 0.9

# %% [markdown]
# ## Compare with the prediction
# Times to success 0.5 per horizon, predicted / observed, and the regime labels by
# the one rule of `dynamics.regime` (index = longest stall / the transition that ends
# it; plateau if the index is at least 30), with the index behind each label.

# %%
summary = compare_runs(out)
print(summary.markdown)
runs = {r.name: r for r in summary.runs}
assert runs["relay"].regime_predicted == "relay" and runs["plateau"].regime_predicted == "plateau"
assert runs["relay"].regimes_agree and runs["plateau"].regimes_agree
assert runs["relay"].index_predicted < 30 <= runs["plateau"].index_predicted
for r in summary.runs:   # sampled REINFORCE target: within 3x at every horizon
    assert all(1 / 3 <= x <= 3 for x in r.ratio.values()), (r.name, r.ratio)

# %% [markdown]
# ## The plateau signal
# While the hard horizon waits, the fraction of sub-batches with zero reward variance
# and the per-horizon gradient norm show where the signal is: the L = 24 gradient is
# essentially zero until the easy horizon has raised θ.

# %%
res = results["plateau"]
fig, axes = plt.subplots(1, 3, figsize=(12, 3.2))
for L in res.config.horizons:
    axes[0].plot(res.steps, res.metrics[f"success/L{L}/sampled"], label=f"L={L}")
    axes[1].semilogy(res.steps, res.metrics[f"grad_norm/L{L}"] + 1e-12, label=f"L={L}")
axes[2].plot(res.steps, res.metrics["theta"], label="θ")
axes[2].plot(res.steps, res.metrics["canonical/ids"], label="canonical ids")
axes[0].set_title("held-out success")
axes[1].set_title("per-horizon gradient norm")
axes[2].set_title("reduced coefficient")
for ax in axes:
    ax.set_xlabel("updates")
    ax.legend(fontsize=8)
fig.tight_layout()
i_easy = int((res.metrics["success/L3/sampled"] > 0.5).argmax())
assert res.metrics["success/L24/sampled"][i_easy] < 0.2    # L24 still waits when L3 is learned

# %% [markdown]
# ## The comparison figure
# Observed (solid) against predicted (dashed) success, written by `compare_runs`.

# %%
img = plt.imread(summary.figure)
assert img.shape[0] > 100
print("figure:", summary.figure)
