"""Figure of docs/regimes.md: relay and plateau on a cyclic, a dihedral and a symmetric
group, predicted by dynamics, with the regime index of dynamics.regime.

    python docs/figures/regimes.py [--out docs/figures/regimes.png]
        [--observed RUN_DIR ...]   (verify runs to overlay, matched by group and horizons)

Each panel: success per horizon against updates (SGD, lr 3, batch 256, c_B 4, M 24,
REINFORCE with baseline and 1/L); the shaded band is the longest stall, the hatched one
the transition that ends it; the title gives the label and index = stall / transition.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from dynamics import Spectrum, TaskModel, TrainingSetup  # noqa: E402
from dynamics.predict import predict  # noqa: E402

PANELS = [("Z24", (3, 6, 12), (3, 24)), ("D12", (2, 4, 8), (2, 16)), ("S4", (2, 6, 18), (2, 16))]


def setup(group: str, horizons: tuple[int, ...]) -> TrainingSetup:
    return TrainingSetup.from_options(TaskModel(group=group, M=24, c_B=4.0), Spectrum(horizons),
                                      lr=3.0, batch=256)


def observed(dirs: list[str]) -> dict:
    from verify.train import RunResult
    out = {}
    for d in dirs:
        r = RunResult.from_dir(Path(d))
        out[(r.config.group, r.config.horizons)] = r
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default=str(Path(__file__).with_name("regimes.png")))
    p.add_argument("--observed", nargs="*", default=[])
    args = p.parse_args(argv)
    obs = observed(args.observed)
    fig, axes = plt.subplots(2, 3, figsize=(11, 5.6))
    for j, (group, smooth, jump) in enumerate(PANELS):
        for i, hs in enumerate((smooth, jump)):
            ax = axes[i][j]
            r = predict(setup(group, hs))
            c = r.classification
            for k, L in enumerate(r.horizons):
                line, = ax.plot(r.t, r.p_success[k], lw=1.6, label=f"L={L}")
                run = obs.get((group, hs))
                if run is not None:
                    ax.plot(run.steps, run.metrics[f"success/L{L}/sampled"], ".", ms=2,
                            color=line.get_color())
            if c.worst is not None and c.stall[c.horizons.index(c.worst)] > 0:
                w = c.horizons.index(c.worst)
                ax.axvspan(c.half[w - 1], c.rise[w], color="0.85", lw=0)
                ax.axvspan(c.rise[w], c.half[w], color="0.6", alpha=0.5, lw=0, hatch="//")
            ax.axhline(c.rise_level, color="0.5", ls=":", lw=0.8)
            ax.set_xlim(0, 1.15 * max(h for h in c.half if np.isfinite(h)))
            ax.set_ylim(-0.02, 1.02)
            ax.set_title(f"{group} {{{', '.join(map(str, hs))}}}: {c.regime}, index {c.index:.3g}",
                         fontsize=9)
            ax.legend(fontsize=7, loc="lower right")
            if i == 1:
                ax.set_xlabel("updates")
            if j == 0:
                ax.set_ylabel("predicted success")
    fig.suptitle("index = longest stall (grey) / the transition that ends it (hatched); "
                 f"plateau if index ≥ {c.threshold:g}; dotted: rise level", fontsize=9)
    fig.tight_layout()
    fig.savefig(args.out, dpi=100)
    print(f"figure: {args.out}")
    for group, smooth, jump in PANELS:
        for hs in (smooth, jump):
            c = predict(setup(group, hs)).classification
            print(f"{group} {hs}: {c.regime} index {c.index:.3g}; t(0.5) "
                  + ", ".join(f"{h:.0f}" for h in c.half))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
