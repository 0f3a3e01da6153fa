r"""Observed learning curves beside the :mod:`dynamics` prediction for the same configuration.

For a run, :func:`compare_run` predicts from ``RunConfig.training_setup()`` (the one
mapping from a run to the theory, :class:`dynamics.setup.TrainingSetup`; exact-gradient
runs start from the θ the run logs at step 0) and labels the observed held-out success
curves (``success/L{L}/sampled``) and the predicted ones with the one rule of
:mod:`dynamics.regime`, within the same window (the run's logged updates):

* the time to 0.5 of each horizon and the ratio predicted / observed; an observed time
  past the end of the run is censored (``>= T``, ratio n/a), never a ratio of 0;
* the regime labels with their index (longest stall / its transition), and whether
  they agree; a run cut off before the predicted crossing is **unfinished**, and two
  curves that both end before a horizon reaches 0.5 agree as *censored*;
* the longest stall, observed and predicted.

A run is refused if its records do not start at update 0 (the early curve is missing),
and flagged *partial* if it has no ``result.json`` or stopped before ``updates``: then
both sides are judged up to its last record.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dynamics.regime import HALF, crossing_time
from dynamics.results import StatusResult, num

from .config import RunConfig
from .train import (RunResult, load_config, pyplot, save_figure_atomic, write_json_atomic,
                    write_text_atomic)

__all__ = ["RunComparison", "ComparisonSummary", "compare_run", "compare_runs", "run_setup",
           "compare_curves",
           "first_crossing", "observed_regime", "judge", "comparison_markdown",
           "plot_comparison", "time_ratio", "run_dirs", "INCOMPLETE"]

#: Labels of curves that end before some horizon reaches 0.5.
INCOMPLETE = ("stalled", "unfinished")

#: First crossing of a level, linearly interpolated (:func:`dynamics.regime.crossing_time`).
first_crossing = crossing_time


def observed_regime(cfg: RunConfig, t: NDArray, P: NDArray, *,
                    t_end: float | None = None) -> dict[str, Any]:
    """Times to 0.5, stalls and regime of observed curves ``P`` (n_horizons, n_t) by the
    rule of :mod:`dynamics.regime` (the one that labels predictions), within ``t_end``
    (default: the last record).

    Returns a dict with ``t_half`` (horizon -> time), ``regime``, ``index``,
    ``first_phase``, ``longest_plateau`` (the longest stall), ``plateaus`` and
    ``classification`` (the :class:`dynamics.regime.RegimeResult`).
    """
    from dynamics.regime import classify_curves
    c = classify_curves(t, P, cfg.horizons, chance=1.0 / cfg.G.order,
                        t_end=float(t[-1]) if t_end is None else t_end)
    t_half = dict(zip(c.horizons, c.half))
    return {"t_half": {L: t_half[L] for L in cfg.horizons}, "regime": c.regime,
            "index": c.index, "first_phase": c.half[0], "longest_plateau": c.longest_stall,
            "plateaus": c.plateaus, "classification": c}


def judge(observed: str, predicted: str) -> str:
    """``"yes"``, ``"NO"`` or ``"censored"`` (both end before some horizon reaches 0.5).

    Examples
    --------
    >>> judge("relay", "relay"), judge("relay", "plateau"), judge("unfinished", "stalled")
    ('yes', 'NO', 'censored')
    """
    if observed in INCOMPLETE and predicted in INCOMPLETE:
        return "censored"
    return "yes" if observed == predicted else "NO"


def time_ratio(a: float, b: float) -> float:
    """a / b, with 1 when both are 0 or both infinite (agreement), NaN when either is
    not finite (a censored time has no ratio) or b is 0.

    Examples
    --------
    >>> time_ratio(6.0, 3.0), time_ratio(math.inf, math.inf), math.isnan(time_ratio(896, math.inf))
    (2.0, 1.0, True)
    """
    if (math.isinf(a) and math.isinf(b)) or (a == 0 and b == 0):
        return 1.0
    if b == 0 or not math.isfinite(a) or not math.isfinite(b):
        return math.nan
    return a / b


@dataclass(frozen=True, repr=False)
class RunComparison:
    """One run against its prediction (times in updates).

    Attributes
    ----------
    name : str
    config : RunConfig
    horizons : tuple of int
    t_end : float
        The window both sides are judged in: the last logged update.
    t_observed, t_predicted, ratio : dict
        Horizon -> time to 0.5 and predicted / observed.  An observed ``inf`` is
        censored (not reached by ``t_end``); the predicted time is then read from the
        prediction continued past the run (``inf``: not within the default horizon), and
        the ratio is NaN (n/a).
    regime_observed, regime_predicted : str
        relay / plateau / stalled / unfinished within ``t_end``; the observed label is
        ``unfinished`` when the run ends before the predicted crossing.
    index_observed, index_predicted : float
        The numbers behind the labels (:mod:`dynamics.regime`).
    agree : {"yes", "NO", "censored"}
    plateau_observed, plateau_predicted, plateau_ratio : float
        Longest stall (updates) and predicted / observed.
    first_phase_observed, first_phase_predicted : float
    classification_observed, classification_predicted : dict
        ``RegimeResult.to_dict()`` of each side.
    partial : str
        Empty for a finished run, else why it counts as partial.
    curves : dict
        ``"t_obs"``, ``"P_obs"`` (n_h, n_obs), ``"t_pred"``, ``"P_pred"`` (n_h, n_pred).
    note : str
        How the run was mapped onto the prediction (``TrainingSetup.note``).
    """

    name: str
    config: RunConfig
    horizons: tuple[int, ...]
    t_end: float
    t_observed: dict
    t_predicted: dict
    ratio: dict
    regime_observed: str
    regime_predicted: str
    index_observed: float
    index_predicted: float
    agree: str
    plateau_observed: float
    plateau_predicted: float
    plateau_ratio: float
    first_phase_observed: float
    first_phase_predicted: float
    classification_observed: dict = field(default_factory=dict)
    classification_predicted: dict = field(default_factory=dict)
    partial: str = ""
    curves: dict = field(default_factory=dict)
    note: str = ""

    @property
    def regimes_agree(self) -> bool:
        """True when the labels agree or both sides are censored."""
        return self.agree != "NO"

    def to_dict(self) -> dict:
        return {"name": self.name, "config": self.config.to_dict(), "t_end": self.t_end,
                "t_half_observed": {str(L): num(v) for L, v in self.t_observed.items()},
                "t_half_predicted": {str(L): num(v) for L, v in self.t_predicted.items()},
                "ratio_pred_over_obs": {str(L): num(v) for L, v in self.ratio.items()},
                "regime_observed": self.regime_observed,
                "regime_predicted": self.regime_predicted,
                "index_observed": num(self.index_observed),
                "index_predicted": num(self.index_predicted),
                "agree": self.agree, "regimes_agree": self.regimes_agree,
                "plateau_observed": num(self.plateau_observed),
                "plateau_predicted": num(self.plateau_predicted),
                "plateau_ratio": num(self.plateau_ratio),
                "first_phase_observed": num(self.first_phase_observed),
                "first_phase_predicted": num(self.first_phase_predicted),
                "classification_observed": self.classification_observed,
                "classification_predicted": self.classification_predicted,
                "partial": self.partial, "note": self.note}


def _partial(cfg: RunConfig, res: RunResult, run_dir: Path) -> str:
    """Why the run counts as partial ('' if finished); ValueError if it cannot be compared."""
    if len(res.steps) < 2:
        raise ValueError(f"compare_run: {str(run_dir)!r} holds {len(res.steps)} record(s); "
                         f"a comparison needs a run with at least 2 logged evaluations.")
    if res.steps[0] != 0:
        raise ValueError(f"compare_run: the records of {str(run_dir)!r} start at update "
                         f"{res.steps[0]:g}, not 0 (metrics.jsonl lost its beginning), so the "
                         f"curves cannot be compared; re-run it.")
    last = float(res.steps[-1])
    if not (run_dir / "result.json").exists():
        return f"no result.json: interrupted at update {last:g} of {cfg.updates}"
    if last < cfg.updates:
        return f"stopped at update {last:g} of {cfg.updates} ({res.message})"
    return ""


def compare_run(run_dir: str | Path, *, name: str | None = None) -> RunComparison:
    """Compare one run directory with the prediction for its configuration."""
    from dynamics.predict import predict
    run_dir = Path(run_dir)
    cfg = load_config(run_dir)
    res = RunResult.from_dir(run_dir)
    partial = _partial(cfg, res, run_dir)
    t = np.asarray(res.steps, dtype=float)
    P = np.vstack([res.metrics[f"success/L{L}/sampled"] for L in cfg.horizons])
    setup = run_setup(cfg, t, res.metrics["theta"])
    return compare_curves(name or run_dir.name, cfg, setup, t, P, predict(setup),
                          partial=partial)


def run_setup(cfg: RunConfig, steps: NDArray, theta: NDArray):
    """The :class:`dynamics.setup.TrainingSetup` of a run with these records:
    ``cfg.training_setup()`` started from the logged θ at step 0 when Q starts away from
    0, and observed up to the last record (the run's ``updates`` when it finished)."""
    theta0 = float(theta[0]) if cfg.effective_init_std > 0 else None
    return cfg.training_setup(theta0=theta0, t_max=float(steps[-1]))


def compare_curves(name: str, cfg: RunConfig, setup, t: NDArray, P: NDArray, pred, *,
                   partial: str = "") -> RunComparison:
    """The comparison of observed curves ``P`` (n_horizons, n_t) at times ``t`` with the
    prediction ``pred`` for ``setup`` (whose ``t_max`` is the window, ``t[-1]``)."""
    from dynamics.predict import predict
    t_end = float(t[-1])
    obs = observed_regime(cfg, t, P, t_end=t_end)
    t_pred = {L: pred.crossings[(L, HALF)] for L in cfg.horizons}
    if any(not math.isfinite(v) for v in t_pred.values()):
        later = predict(setup.replace(t_max=None))       # where the prediction crosses
        t_pred = {L: (v if math.isfinite(v) else later.crossings[(L, HALF)])
                  for L, v in t_pred.items()}
    regime_obs = obs["regime"]
    if regime_obs in INCOMPLETE and any(not math.isfinite(obs["t_half"][L]) and t_pred[L] > t_end
                                        for L in cfg.horizons):
        regime_obs = "unfinished"        # cut off before the predicted crossing
    c_pred = pred.classification
    return RunComparison(
        name=name, config=cfg, horizons=cfg.horizons, t_end=t_end,
        t_observed=obs["t_half"], t_predicted=t_pred,
        ratio={L: time_ratio(t_pred[L], obs["t_half"][L]) for L in cfg.horizons},
        regime_observed=regime_obs, regime_predicted=pred.regime,
        index_observed=obs["index"], index_predicted=pred.index,
        agree=judge(regime_obs, pred.regime),
        plateau_observed=obs["longest_plateau"], plateau_predicted=c_pred.longest_stall,
        plateau_ratio=time_ratio(c_pred.longest_stall, obs["longest_plateau"]),
        first_phase_observed=obs["first_phase"], first_phase_predicted=pred.first_phase,
        classification_observed=obs["classification"].to_dict(),
        classification_predicted=c_pred.to_dict(), partial=partial,
        curves={"t_obs": t, "P_obs": P, "t_pred": np.asarray(pred.t),
                "P_pred": np.asarray(pred.p_success)},
        note=setup.note)


@dataclass(frozen=True, repr=False)
class ComparisonSummary(StatusResult):
    """Every run under a directory against its prediction.

    Attributes
    ----------
    runs : tuple of RunComparison
    markdown : str
        The summary table (also written to ``comparison.md``).
    figure : Path
        ``comparison.png``: observed (solid) and predicted (dashed) success per horizon.
    agree : bool
        Every regime label agrees (or both sides are censored): the verdict, which is not
        the status.
    status : int
        1: every run compared and the files written (a disagreement is a finding, not a
        failure: see ``agree``). ``success`` is ``status >= 0``.
    message : str
    """

    runs: tuple[RunComparison, ...]
    markdown: str
    figure: Path
    agree: bool
    status: int
    message: str

    def _repr_details(self) -> str:
        return f"agree={self.agree}, runs={len(self.runs)}, figure={str(self.figure)!r}"


def _fmt(v: float, t_end: float | None = None) -> str:
    if math.isnan(v):
        return "n/a"
    if math.isinf(v):
        return f">= {t_end:.0f}" if t_end is not None else "never"
    return f"{v:.0f}" if abs(v) >= 10 else f"{v:.3g}"


def _label(regime: str, index: float) -> str:
    if regime == "stalled":
        return "stalled"
    return f"{regime} ({index:.2g})" if math.isfinite(index) else regime


def comparison_markdown(runs: list[RunComparison]) -> str:
    """The times-to-0.5 and regime tables of ``runs`` as markdown."""
    lines = ["| run | horizon | t(0.5) observed | t(0.5) predicted | pred/obs |",
             "|---|---:|---:|---:|---:|"]
    for r in runs:
        for L in r.horizons:
            lines.append(f"| {r.name} | {L} | {_fmt(r.t_observed[L], r.t_end)} | "
                         f"{_fmt(r.t_predicted[L])} | {_fmt(r.ratio[L])} |")
    lines += ["", "| run | regime observed (index) | regime predicted (index) | agree "
              "| first phase obs/pred | longest stall obs | pred | pred/obs |",
              "|---|---|---|---|---|---:|---:|---:|"]
    for r in runs:
        lines.append(f"| {r.name} | {_label(r.regime_observed, r.index_observed)} | "
                     f"{_label(r.regime_predicted, r.index_predicted)} | {r.agree} | "
                     f"{_fmt(r.first_phase_observed, r.t_end)}/{_fmt(r.first_phase_predicted)} | "
                     f"{_fmt(r.plateau_observed)} | {_fmt(r.plateau_predicted)} | "
                     f"{_fmt(r.plateau_ratio)} |")
    from dynamics.regime import RISE_FRACTION, THRESHOLD
    lines += ["", f"Times in updates; t(0.5) is the first crossing of held-out sampled success "
              f"0.5 ('>= T': not within the run's T updates, ratio n/a). Regime by "
              f"dynamics.regime on both sides, within the run: index = longest stall / the "
              f"transition that ends it (rise from chance + {RISE_FRACTION:g}·(0.5 − chance) "
              f"to 0.5); plateau if index >= {THRESHOLD:g}. 'censored': both sides end "
              f"before some horizon reaches 0.5."]
    for r in runs:
        c = r.config
        lines.append(f"- {r.name}: {c.group} {c.horizons} {c.algo} {c.optimizer} lr={c.lr:g} "
                     f"batch={c.batch} c_B={c.c_B:g} head={c.head}; {r.note}"
                     + (f"; PARTIAL RUN: {r.partial}" if r.partial else ""))
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
        ax.set_title(f"{r.name}: {_label(r.regime_observed, r.index_observed)} "
                     f"(pred. {_label(r.regime_predicted, r.index_predicted)})", fontsize=9)
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
    return ComparisonSummary(runs=tuple(runs), markdown=md, figure=fig, agree=agree, status=1,
                             message=("every regime label agrees (or both sides are censored)"
                                      if agree else "some regime labels disagree"))
