r"""Observed learning curves beside the :mod:`dynamics` prediction for the same configuration.

For a run, :func:`compare_run` calls :func:`dynamics.predict.predict` with the run's group,
M, c_B, spectrum, optimiser, learning rate, batch, 1/L normalisation and baseline, in
updates, and measures the same quantities on the observed held-out success curves
(``success/L{L}/sampled``), with the same rules (:func:`dynamics.predict.find_plateaus`,
:func:`dynamics.predict.regime_label`):

* the time to 0.5 of each horizon (first crossing, linear interpolation between
  records) and the ratio predicted / observed;
* the regime labels, relay / plateau / stalled, and whether they agree;
* the longest plateau, and the ratio predicted / observed.

Mapping of the algorithms onto the prediction (stated in every summary):

* ``reinforce`` with SGD or Adam: the prediction for that optimiser, learning rate and
  batch (its noise-scale start models the noise-driven first phase);
* ``exact`` (no sampling noise): exact gradient flow (``optimizer="flow"``) started at
  the θ measured from the run's initial Q, converted to updates by
  :math:`u = t_\mathrm{flow} (M-1)/\eta` (SGD; with Adam the Adam prediction is used);
* ``grpo``: the REINFORCE prediction; GRPO's per-prompt std normalisation rescales the
  step, so its ratios are indicative only;
* the learned head: the idealised-head prediction at the same c_B (the head is
  calibrated to the same one-step margin B), an approximation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .config import RunConfig
from .train import (RunResult, load_config, pyplot, save_figure_atomic, write_json_atomic,
                    write_text_atomic)

__all__ = ["RunComparison", "ComparisonSummary", "compare_run", "compare_runs",
           "first_crossing", "prediction_for", "observed_regime", "comparison_markdown",
           "plot_comparison", "time_ratio", "run_dirs"]

LEVEL = 0.5


def first_crossing(t: NDArray, y: NDArray, level: float) -> float:
    """First time ``y`` reaches ``level``, linearly interpolated; ``inf`` if never.

    Examples
    --------
    >>> first_crossing(np.array([0., 10., 20.]), np.array([0.1, 0.3, 0.7]), 0.5)
    15.0
    """
    y = np.asarray(y, dtype=float)
    hit = np.flatnonzero(y >= level)
    if hit.size == 0:
        return math.inf
    i = int(hit[0])
    if i == 0:
        return float(t[0])
    t0, t1, y0, y1 = float(t[i - 1]), float(t[i]), float(y[i - 1]), float(y[i])
    return t0 + (level - y0) * (t1 - t0) / (y1 - y0)


def prediction_for(cfg: RunConfig, *, theta0_observed: float | None = None):
    """The :func:`dynamics.predict.predict` result for ``cfg``, with ``t`` in updates."""
    from dynamics import TaskModel
    from dynamics.predict import predict
    model = TaskModel(group=cfg.G, M=cfg.n_ids, c_B=cfg.c_B)
    kw = dict(lr=cfg.lr, batch=cfg.batch, length_normalized=cfg.length_norm,
              baseline=cfg.baseline != "none")
    if cfg.algo == "exact":
        th0 = max(float(theta0_observed or 0.0), 1e-6)
        if cfg.optimizer == "sgd":
            res = predict(model, cfg.spectrum, optimizer="flow", theta0=th0,
                          t_max=1e5, **kw)
            return res, (cfg.n_ids - 1) / cfg.lr
        return predict(model, cfg.spectrum, optimizer="adam", theta0=th0, **kw), 1.0
    return predict(model, cfg.spectrum, optimizer=cfg.optimizer, **kw), 1.0


def observed_regime(cfg: RunConfig, t: NDArray, P: NDArray) -> dict[str, Any]:
    """Crossings, plateaus and regime of observed curves ``P`` (n_horizons, n_t), by the
    rules of :mod:`dynamics.predict`."""
    from dynamics.predict import find_plateaus, regime_label
    hs = cfg.horizons
    eps_level = 1.0 / cfg.G.order + 0.02
    t_half = {L: first_crossing(t, P[i], LEVEL) for i, L in enumerate(hs)}
    left = first_crossing(t, P[0], eps_level)
    plateaus = find_plateaus(t, P, cfg.mixture_weights, target=LEVEL,
                             start=left if math.isfinite(left) else math.inf)
    first = t_half[hs[0]]
    reached = all(math.isfinite(v) for v in t_half.values())
    return {"t_half": t_half, "plateaus": plateaus, "first_phase": first,
            "regime": regime_label(first, plateaus, reached),
            "longest_plateau": max((b - a for a, b in plateaus), default=0.0)}


def time_ratio(a: float, b: float) -> float:
    """a / b, with 1 when both are 0 or both infinite (agreement) and inf or 0 otherwise."""
    if (math.isinf(a) and math.isinf(b)) or (a == 0 and b == 0):
        return 1.0
    if b == 0 or not math.isfinite(a) or not math.isfinite(b):
        return math.inf if (b == 0 or math.isinf(a)) and a != 0 else 0.0
    return a / b


@dataclass(frozen=True, repr=False)
class RunComparison:
    """One run against its prediction (times in updates).

    Attributes
    ----------
    name : str
    config : RunConfig
    horizons : tuple of int
    t_observed, t_predicted, ratio : dict
        Horizon -> time to 0.5 (``inf`` if never) and predicted / observed.
    regime_observed, regime_predicted : str
    plateau_observed, plateau_predicted, plateau_ratio : float
        Longest plateau (updates) and predicted / observed (1 when both are 0).
    first_phase_observed, first_phase_predicted : float
    curves : dict
        ``"t_obs"``, ``"P_obs"`` (n_h, n_obs), ``"t_pred"``, ``"P_pred"`` (n_h, n_pred).
    note : str
        How the algorithm was mapped onto the prediction.
    """

    name: str
    config: RunConfig
    horizons: tuple[int, ...]
    t_observed: dict
    t_predicted: dict
    ratio: dict
    regime_observed: str
    regime_predicted: str
    plateau_observed: float
    plateau_predicted: float
    plateau_ratio: float
    first_phase_observed: float
    first_phase_predicted: float
    curves: dict = field(default_factory=dict)
    note: str = ""

    @property
    def regimes_agree(self) -> bool:
        return self.regime_observed == self.regime_predicted

    def to_dict(self) -> dict:
        def num(v):
            return None if not math.isfinite(v) else float(v)
        return {"name": self.name, "config": self.config.to_dict(),
                "t_half_observed": {str(L): num(v) for L, v in self.t_observed.items()},
                "t_half_predicted": {str(L): num(v) for L, v in self.t_predicted.items()},
                "ratio_pred_over_obs": {str(L): num(v) for L, v in self.ratio.items()},
                "regime_observed": self.regime_observed,
                "regime_predicted": self.regime_predicted,
                "regimes_agree": self.regimes_agree,
                "plateau_observed": num(self.plateau_observed),
                "plateau_predicted": num(self.plateau_predicted),
                "plateau_ratio": num(self.plateau_ratio),
                "first_phase_observed": num(self.first_phase_observed),
                "first_phase_predicted": num(self.first_phase_predicted),
                "note": self.note}


def compare_run(run_dir: str | Path, *, name: str | None = None) -> RunComparison:
    """Compare one run directory with the prediction for its configuration."""
    run_dir = Path(run_dir)
    cfg = load_config(run_dir)
    res = RunResult.from_dir(run_dir)
    if len(res.steps) < 2:
        raise ValueError(f"compare_run: {str(run_dir)!r} holds {len(res.steps)} record(s); "
                         f"a comparison needs a run with at least 2 logged evaluations.")
    t = res.steps
    P = np.vstack([res.metrics[f"success/L{L}/sampled"] for L in cfg.horizons])
    obs = observed_regime(cfg, t, P)
    pred, scale = prediction_for(cfg, theta0_observed=float(res.metrics["theta"][0]))
    t_pred = {L: pred.crossings[(L, LEVEL)] * scale for L in cfg.horizons}
    plateau_pred = pred.longest_plateau * scale
    note = {"reinforce": f"REINFORCE vs the {cfg.optimizer} prediction (noise-scale start)",
            "exact": ("exact gradient vs gradient flow from the observed initial theta"
                      if cfg.optimizer == "sgd" else "exact gradient vs the Adam prediction"),
            "grpo": "GRPO vs the REINFORCE prediction (indicative: std normalisation)"}[cfg.algo]
    if cfg.head == "learned":
        note += "; learned head vs the idealised-head prediction at the same c_B"
    return RunComparison(
        name=name or run_dir.name, config=cfg, horizons=cfg.horizons,
        t_observed=obs["t_half"], t_predicted=t_pred,
        ratio={L: time_ratio(t_pred[L], obs["t_half"][L]) for L in cfg.horizons},
        regime_observed=obs["regime"], regime_predicted=pred.regime,
        plateau_observed=obs["longest_plateau"], plateau_predicted=plateau_pred,
        plateau_ratio=time_ratio(plateau_pred, obs["longest_plateau"]),
        first_phase_observed=obs["first_phase"], first_phase_predicted=pred.first_phase * scale,
        curves={"t_obs": t, "P_obs": P, "t_pred": np.asarray(pred.t) * scale,
                "P_pred": np.asarray(pred.p_success)},
        note=note)


@dataclass(frozen=True, repr=False)
class ComparisonSummary:
    """Every run under a directory against its prediction.

    Attributes
    ----------
    runs : tuple of RunComparison
    markdown : str
        The summary table (also written to ``comparison.md``).
    figure : Path
        ``comparison.png``: observed (solid) and predicted (dashed) success per horizon.
    status : int
        1 every regime label agrees, 0 some disagree.
    message : str
    """

    runs: tuple[RunComparison, ...]
    markdown: str
    figure: Path
    status: int
    message: str

    @property
    def success(self) -> bool:
        return self.status >= 0

    def __repr__(self) -> str:
        return (f"ComparisonSummary(message={self.message!r}, status={self.status}, "
                f"runs={len(self.runs)}, figure={str(self.figure)!r})")


def _fmt(v: float) -> str:
    if math.isinf(v):
        return "never"
    return f"{v:.0f}" if abs(v) >= 10 else f"{v:.3g}"


def comparison_markdown(runs: list[RunComparison]) -> str:
    """The times-to-0.5 and regime tables of ``runs`` as markdown."""
    lines = ["| run | horizon | t(0.5) observed | t(0.5) predicted | pred/obs |",
             "|---|---:|---:|---:|---:|"]
    for r in runs:
        for L in r.horizons:
            lines.append(f"| {r.name} | {L} | {_fmt(r.t_observed[L])} | {_fmt(r.t_predicted[L])} "
                         f"| {_fmt(r.ratio[L]) if math.isfinite(r.ratio[L]) else 'n/a'} |")
    lines += ["", "| run | regime observed | regime predicted | agree | first phase obs/pred "
              "| longest plateau obs | pred | pred/obs | plateau/first phase (obs) |",
              "|---|---|---|---|---|---:|---:|---:|---:|"]
    for r in runs:
        rel = (r.plateau_observed / r.first_phase_observed
               if math.isfinite(r.first_phase_observed) and r.first_phase_observed > 0 else math.nan)
        lines.append(f"| {r.name} | {r.regime_observed} | {r.regime_predicted} | "
                     f"{'yes' if r.regimes_agree else 'NO'} | {_fmt(r.first_phase_observed)}/"
                     f"{_fmt(r.first_phase_predicted)} | {_fmt(r.plateau_observed)} | "
                     f"{_fmt(r.plateau_predicted)} | "
                     f"{_fmt(r.plateau_ratio) if math.isfinite(r.plateau_ratio) else 'n/a'} | "
                     f"{'n/a' if math.isnan(rel) else f'{rel:.2f}'} |")
    lines += ["", "Times in updates; t(0.5) is the first crossing of held-out sampled success "
              "0.5; regimes and plateaus follow the rules of dynamics.predict."]
    lines += [f"- {r.name}: {r.config.group} {r.config.horizons} {r.config.algo} "
              f"{r.config.optimizer} lr={r.config.lr:g} batch={r.config.batch} "
              f"c_B={r.config.c_B:g} head={r.config.head}; {r.note}" for r in runs]
    return "\n".join(lines) + "\n"


def plot_comparison(runs: list[RunComparison], path: Path) -> None:
    """Observed (solid) and predicted (dashed) success per horizon, one panel per run,
    written atomically as a PNG at ``path``."""
    plt = pyplot()
    fig, axes = plt.subplots(1, len(runs), figsize=(4.2 * len(runs), 3.4), squeeze=False)
    for ax, r in zip(axes[0], runs):
        c = r.curves
        t_end = float(c["t_obs"][-1])
        for i, L in enumerate(r.horizons):
            line, = ax.plot(c["t_obs"], c["P_obs"][i], "-", label=f"L={L} observed")
            keep = c["t_pred"] <= t_end
            ax.plot(c["t_pred"][keep], c["P_pred"][i][keep], "--", color=line.get_color(),
                    label=f"L={L} predicted")
        ax.set_title(f"{r.name}: {r.regime_observed} (pred. {r.regime_predicted})", fontsize=9)
        ax.set_xlabel("updates")
        ax.set_ylim(-0.02, 1.02)
        ax.legend(fontsize=7, loc="center right")
    axes[0][0].set_ylabel("held-out success (sampled)")
    fig.tight_layout()
    save_figure_atomic(fig, path, dpi=110)


def run_dirs(path: Path) -> list[Path]:
    """``path`` itself if it is a run directory (has ``config.json``), else its run
    subdirectories in name order."""
    if (path / "config.json").exists():
        return [path]
    dirs = sorted(p for p in path.iterdir() if (p / "config.json").exists()) \
        if path.is_dir() else []
    if not dirs:
        raise ValueError(f"compare: {str(path)!r} is neither a run directory nor a directory of "
                         f"run directories (none holds config.json); pass the --out of the "
                         f"run that wrote it (`python -m verify run` or "
                         f"`python -m verify.transformer run`).")
    return dirs


def compare_runs(path: str | Path, *, json_path: str | Path | None = None) -> ComparisonSummary:
    """Compare every run under ``path`` (a run directory or a parent of run directories).

    Writes ``comparison.md``, ``comparison.json`` and ``comparison.png`` into ``path``
    (and the JSON also to ``json_path`` if given), atomically.
    """
    path = Path(path)
    runs = [compare_run(d, name=d.name) for d in run_dirs(path)]
    md = comparison_markdown(runs)
    write_text_atomic(path / "comparison.md", md)
    payload = {"runs": [r.to_dict() for r in runs]}
    write_json_atomic(path / "comparison.json", payload)
    if json_path is not None:
        write_json_atomic(Path(json_path), payload)
    fig = path / "comparison.png"
    plot_comparison(runs, fig)
    agree = all(r.regimes_agree for r in runs)
    return ComparisonSummary(runs=tuple(runs), markdown=md, figure=fig, status=int(agree),
                             message=("every regime label agrees" if agree else
                                      "some regime labels disagree"))
