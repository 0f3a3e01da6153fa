r"""The transformer's observed learning curves against the minimal theory's predictions.

For each run, :func:`compare_transformer_run` reuses :mod:`verify.compare`:

* the prediction is made from ``TransformerRunConfig.training_setup(c_B=...)``: the run's
  own task, optimiser, learning rate, batch, 1/L normalisation, baseline and updates,
  with the idealised head at the **measured** head strength
  :math:`c_B = \bar m / \log|G|`, where :math:`\bar m` is the pretrained transformer's mean
  one-step logit margin (the analogue of :math:`B`);
* observed and predicted curves are compared by :func:`verify.compare.compare_curves`
  (times, regimes by :mod:`dynamics.regime` with their index, stalls), as for the
  minimal model, except that the prediction is judged on the theory's own horizon
  (2·10⁵ updates) rather than the run's: the clocks differ (point 2 below) and the
  regime index, a ratio of times, is what compares the shapes.

Two things separate the theory from the full model, and the comparison measures them apart:

1. **The static map** θ → success.  Each record's measured attention on the right clause
   gives :math:`\theta_L` (:func:`~verify.transformer.policy.theta_from_alpha`), and
   :func:`dynamics.prompt_averaged_success` turns it into the success the minimal model
   would have with that attention; ``map_error`` is the mean absolute difference from
   the observed success (0 when the transformer behaves like the minimal model given
   its attention).
2. **The clock**: how fast θ moves per update.  In the minimal model one learning rate
   moves one score matrix; in the transformer Adam moves every weight, and the
   attention score of the right clause is a sum of many of them, so its speed per update
   differs by a factor the theory does not contain.  ``ratio`` (predicted / observed time
   to 0.5) measures it; the *relative* times (``t(L)/t(L_min)``) and the plateau / first
   phase ratio compare the shape of the curves independently of the clock.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..compare import (ComparisonSummary, RunComparison, compare_curves, comparison_markdown,
                       plot_comparison, run_dirs, time_ratio)
from dynamics.results import num
from dynamics.setup import DEFAULT_T_MAX

from ..train import pyplot, save_figure_atomic, write_json_atomic, write_text_atomic
from .pretrain import cache_dir
from .rl import TransformerRunResult

__all__ = ["TransformerComparison", "compare_transformer_run", "compare_transformer_runs",
           "plot_attention", "plateau_vs_ratio"]


@dataclass(frozen=True, repr=False)
class TransformerComparison:
    """A :class:`verify.compare.RunComparison` plus the transformer-specific measurements.

    Attributes
    ----------
    base : RunComparison
        Times to 0.5, regimes and plateaus, predicted and observed (updates).
    c_B : float
        The measured head strength used for the prediction.
    map_error : dict
        Horizon -> mean over records of the absolute difference between the observed
        success and the minimal-model success at the measured θ_L.
    relative_observed, relative_predicted : dict
        Horizon -> t(0.5, L) / t(0.5, L_min).
    """

    base: RunComparison
    c_B: float
    map_error: dict
    relative_observed: dict
    relative_predicted: dict

    def __repr__(self) -> str:
        return (f"TransformerComparison(name={self.base.name!r}, c_B={self.c_B:.2f}, "
                f"regime_observed={self.base.regime_observed!r}, "
                f"regime_predicted={self.base.regime_predicted!r})")

    def to_dict(self) -> dict:
        d = self.base.to_dict()
        d["config"] = {"run": d["config"]}
        d.update({"c_B_measured": self.c_B,
                  "map_error": {str(L): num(v) for L, v in self.map_error.items()},
                  "relative_observed": {str(L): num(v) for L, v in self.relative_observed.items()},
                  "relative_predicted": {str(L): num(v) for L, v in
                                         self.relative_predicted.items()}})
        return d


def _relative(t: dict) -> dict:
    hs = sorted(t)
    t0 = t[hs[0]]
    return {L: (t[L] / t0 if math.isfinite(t[L]) and math.isfinite(t0) and t0 > 0 else math.inf)
            for L in hs}


def compare_transformer_run(run_dir: str | Path, *, name: str | None = None
                            ) -> TransformerComparison:
    """Compare one transformer run directory with the minimal theory."""
    from dynamics import TaskModel, prompt_averaged_success
    run_dir = Path(run_dir)
    res = TransformerRunResult.from_dir(run_dir)
    if len(res.steps) < 2:
        raise ValueError(f"compare_transformer_run: {str(run_dir)!r} holds {len(res.steps)} "
                         f"record(s); a comparison needs at least 2 logged evaluations.")
    run = res.config.run
    margin = float(res.pretrain.get("margin", math.nan))
    cached = cache_dir() / f"{res.config.pretrain.key}.json"
    if not margin > 0 and cached.exists():         # a run still in progress: read the cache
        margin = float(json.loads(cached.read_text())["margin"])
    if not margin > 0:
        raise ValueError(f"compare_transformer_run: no pretraining margin for {str(run_dir)!r} "
                         f"(neither in result.json nor in the cache {str(cached)!r}); let the "
                         f"run finish first.")
    c_B = margin / math.log(run.G.order)
    t = np.asarray(res.steps, dtype=float)
    if t[0] != 0:
        raise ValueError(f"compare_transformer_run: the records of {str(run_dir)!r} start at "
                         f"update {t[0]:g}, not 0; the curves cannot be compared.")
    P = np.vstack([res.metrics[f"success/L{L}/sampled"] for L in run.horizons])
    # the transformer's clock is not the minimal model's (module docstring, point 2), so the
    # predicted regime is judged on the theory's own horizon; the index is clock-free
    setup = res.config.training_setup(c_B=c_B, t_max=DEFAULT_T_MAX[run.optimizer])
    partial = ("" if float(t[-1]) >= run.updates else
               f"stopped at update {t[-1]:g} of {run.updates} ({res.message})")
    from dynamics.predict import predict
    base = compare_curves(name or run_dir.name, dataclasses.replace(run, head="ideal", c_B=c_B),
                          setup, t, P, predict(setup), partial=partial)
    model = TaskModel(group=run.G, M=run.n_ids, c_B=c_B)
    map_error = {}
    for i, L in enumerate(run.horizons):
        th = res.metrics[f"theta/L{L}"]
        ok = np.isfinite(th)
        if L < 2 or not ok.any():
            map_error[L] = math.nan
            continue
        theory = np.asarray(prompt_averaged_success(model, L, th[ok]), dtype=float)
        map_error[L] = float(np.mean(np.abs(theory - P[i][ok])))
    return TransformerComparison(base=base, c_B=c_B, map_error=map_error,
                                 relative_observed=_relative(base.t_observed),
                                 relative_predicted=_relative(base.t_predicted))


def _fmt(v: float) -> str:
    return "never" if not math.isfinite(v) else f"{v:.3g}"


def plot_attention(results: list[TransformerRunResult], path: Path) -> None:
    """Per run: held-out sampled success (top) and right-clause attention (bottom) per horizon,
    against updates; uniform attention 1/L dotted.  Written atomically as a PNG."""
    plt = pyplot()
    fig, axes = plt.subplots(2, len(results), figsize=(3.6 * len(results), 5.0), squeeze=False,
                             sharex="col")
    for j, res in enumerate(results):
        top, bot = axes[0][j], axes[1][j]
        for L in res.config.run.horizons:
            line, = top.plot(res.steps, res.metrics[f"success/L{L}/sampled"], label=f"L={L}")
            bot.plot(res.steps, res.metrics[f"attn/L{L}/right_mass"], color=line.get_color())
            bot.axhline(1.0 / L, color=line.get_color(), ls=":", lw=0.8)
        top.set_title(f"{res.out_dir.name}: {res.config.run.group} {res.config.run.horizons}",
                      fontsize=9)
        top.set_ylim(-0.02, 1.02)
        bot.set_ylim(-0.02, 1.02)
        bot.set_xlabel("updates")
        top.legend(fontsize=7)            # per panel: colours follow each run's horizons
    axes[0][0].set_ylabel("held-out success (sampled)")
    axes[1][0].set_ylabel("attention on right clause")
    fig.tight_layout()
    save_figure_atomic(fig, path, dpi=80)


def _power_fit(R: np.ndarray, T: np.ndarray) -> tuple[float, float] | None:
    """Least-squares ``T ≈ a R^b`` on the finite, positive points (None if fewer than 2)."""
    ok = np.isfinite(T) & (T > 0)
    if ok.sum() < 2:
        return None
    b, log_a = np.polyfit(np.log(R[ok]), np.log(T[ok]), 1)
    return float(np.exp(log_a)), float(b)


def plateau_vs_ratio(comps: list[TransformerComparison], path: Path | None = None
                     ) -> tuple[list[dict], str]:
    r"""Plateau length against the ratio R = L_2 / L_1 of two-horizon runs, observed and predicted.

    The plateau of a run on {L_1, L_2} is :math:`t_{0.5}(L_2) - t_{0.5}(L_1)`, the updates
    between the easy and the hard horizon reaching success 0.5 (``inf`` when the hard one
    never does).  Both sides are fitted with a power law :math:`T \approx a R^b` (the form
    of ``python -m dynamics scaling``).  Runs with another number of horizons are skipped.
    With ``path``, a log-log figure is written there atomically.

    Returns the rows (``name``, ``R``, ``observed``, ``predicted``, ``ratio``) sorted by R,
    and a markdown section (empty when fewer than two runs qualify).
    """
    rows = []
    for c in comps:
        if len(c.base.horizons) != 2:
            continue
        L1, L2 = c.base.horizons
        obs = c.base.t_observed[L2] - c.base.t_observed[L1]
        pred = c.base.t_predicted[L2] - c.base.t_predicted[L1]
        rows.append({"name": c.base.name, "R": L2 / L1, "observed": obs, "predicted": pred,
                     "ratio": time_ratio(pred, obs)})
    rows.sort(key=lambda r: r["R"])
    if len(rows) < 2:
        return rows, ""
    R = np.array([r["R"] for r in rows])
    fits = {k: _power_fit(R, np.array([r[k] for r in rows])) for k in ("observed", "predicted")}
    md = ("\n| run | R | plateau observed | predicted | pred/obs |\n|---|---:|---:|---:|---:|\n"
          + "".join(f"| {r['name']} | {r['R']:.3g} | {_fmt(r['observed'])} | "
                    f"{_fmt(r['predicted'])} | {_fmt(r['ratio'])} |\n" for r in rows))
    for k, f in fits.items():
        md += (f"\n{k}: plateau ≈ {f[0]:.3g}·R^{f[1]:.2f}" if f else
               f"\n{k}: fewer than two finite plateaus, no fit")
    md += ("\n\nplateau = t(0.5, L_2) − t(0.5, L_1) in updates over the two-horizon runs; "
           "'never': the hard horizon did not reach 0.5 in the run.\n")
    if path is not None:
        plt = pyplot()
        from matplotlib.ticker import NullLocator
        fig, ax = plt.subplots(figsize=(4.6, 3.4))
        for k, marker in (("observed", "o"), ("predicted", "s")):
            T = np.array([r[k] for r in rows])
            ok = np.isfinite(T) & (T > 0)
            line, = ax.plot(R[ok], T[ok], marker, label=f"{k}")
            fit = fits[k]
            if fit:
                a, b = fit
                ax.plot(R, a * R ** b, "-", color=line.get_color(), lw=0.8,
                        label=f"{a:.3g}·R^{b:.2f}")
        ax.set(xscale="log", yscale="log", xlabel="ratio R = L2 / L1",
               ylabel="plateau (updates)")
        ax.set_xticks(R, [f"{r:g}" for r in R], minor=False)
        ax.xaxis.set_minor_locator(NullLocator())
        ax.legend(fontsize=7)
        fig.tight_layout()
        save_figure_atomic(fig, path, dpi=80)
    return rows, md


def compare_transformer_runs(path: str | Path, *, json_path: str | Path | None = None
                             ) -> ComparisonSummary:
    """Compare every run under ``path``; write ``comparison.{md,json,png}``,
    ``attention.png`` and, with two or more two-horizon runs, ``plateau_vs_ratio.png``
    there, atomically; and the JSON also to ``json_path`` if given (the ``--json`` writer
    of :mod:`groupfourier._io`: ``-`` is standard output)."""
    path = Path(path)
    comps = [compare_transformer_run(d, name=d.name) for d in run_dirs(path)]
    md = comparison_markdown([c.base for c in comps])
    md += ("\n| run | c_B (measured) | horizon | t(L)/t(L_min) observed | predicted | "
           "map error |\n|---|---:|---:|---:|---:|---:|\n")
    for c in comps:
        for L in c.base.horizons:
            md += (f"| {c.base.name} | {c.c_B:.2f} | {L} | {_fmt(c.relative_observed[L])} | "
                   f"{_fmt(c.relative_predicted[L])} | {_fmt(c.map_error[L])} |\n")
    md += ("\nmap error: mean |observed success − minimal-model success at the measured "
           "attention θ_L| over the logged records.\n")
    plateaus, section = plateau_vs_ratio(comps, path / "plateau_vs_ratio.png")
    md += section
    write_text_atomic(path / "comparison.md", md)
    payload = {"runs": [c.to_dict() for c in comps],
               "plateau_vs_ratio": [{k: (v if not isinstance(v, float) or math.isfinite(v)
                                         else None) for k, v in r.items()} for r in plateaus]}
    write_json_atomic(path / "comparison.json", payload)
    if json_path is not None:
        from groupfourier._io import write_json
        write_json(json_path, payload)
    fig = path / "comparison.png"
    plot_comparison([c.base for c in comps], fig)
    plot_attention([TransformerRunResult.from_dir(d) for d in run_dirs(path)],
                   path / "attention.png")
    agree = all(c.base.regimes_agree for c in comps)
    return ComparisonSummary(runs=tuple(c.base for c in comps), markdown=md, figure=fig,
                             agree=agree, status=1, message=("every regime label agrees" if agree
                                                         else "some regime labels disagree"))
