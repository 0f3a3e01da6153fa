r"""Curriculum design: the difficulty mixture that learns a target horizon soonest.

:func:`design` searches mixtures of at most K horizons (the target L among them) for

* ``objective="time"`` (default): the fewest predicted updates until the target's
  success :math:`\bar P_L` reaches 0.9;
* ``budget=U``: the highest predicted :math:`\bar P_L` after U updates.

Search (all on the fast path of :mod:`dynamics._mixture_cache`, which caches per
horizon everything that does not depend on the weights):

1. **placements**: for each number of rungs K = 2..K_max every set of K − 1 rungs
   besides the target from the allowed horizons when there are at most
   ``max_placements`` of them, else geometric placements :math:`L r^{-j}` over a grid
   of ratios and bottom rungs; all are screened with uniform weights, the best
   ``n_screen`` again with four weight profiles (uniform, ∝ L, ∝ 1/L, half on the target);
2. **weights**: for the best ``n_refine`` placements of each K,
   :func:`scipy.optimize.differential_evolution` over the softmax logits of the
   weights (vectorised over the population), seeded with the best screened profile;
   rungs with weight below ``min_weight`` are dropped and the rest renormalised;
3. the design is the smallest K whose time (from the escape start) is within
   ``k_tolerance`` (1 %) of the best over all K.

The search ranks mixtures from the fast path's screening start (the linearised noise
scale); every *reported* candidate (the best of each K, the design, the baselines) is
timed on the fast path from the start :func:`dynamics.predict` itself uses, the escape's
effective θ0 (:func:`dynamics.escape.escape_start`), so its ``t_target`` is predict's up
to the quadrature's tolerance, and step 3 compares those.  The design is also run
through :func:`dynamics.predict` (the reference path: ``t_predict``, the curves, and
``DesignResult.t_target``).  Baselines: geometric ladders of ratio 2, 3 and 4
(rungs :math:`\mathrm{round}(L r^{-j}) \ge 2`, at most K_max of them, snapped to the
allowed horizons), the uniform mixture over every allowed horizon ≤ L, and L alone,
all with uniform weights.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import differential_evolution

from ._mixture_cache import MixtureTable
from .escape import escape_start
from .model import TaskModel
from .ode import Form, ReducedObjective
from .optim import Optimizer, OptimizerSpec
from .predict import GrowthResult, predict
from .results import StatusResult, num
from .spectrum import Spectrum
from .success import DEFAULT_PROMPTS, DEFAULT_SEED

__all__ = ["DesignResult", "Candidate", "design", "baseline_mixtures", "plot_design", "LEVEL"]

#: The success level of the target that "learned" means (predict's top level).
LEVEL = 0.9
LADDER_RATIOS = (2, 3, 4)
_PREDICT_KEYS = ("optimizer", "lr", "batch", "length_normalized", "baseline", "sampled", "form",
                 "epsilon", "t_max", "n_prompts", "seed")


@dataclass(frozen=True)
class Candidate:
    """One mixture with its predicted outcome.

    ``t_target``: predicted updates until the target reaches 0.9 (``inf`` if never
    before ``t_max``) on the cached fast path; ``t_predict``: the same from
    :func:`dynamics.predict` (the reference path; ``nan`` where not run: it is run for
    the design and the best baseline); ``p_at_budget``: predicted target success after
    the budget (``nan`` without a budget).

    Examples
    --------
    >>> c = Candidate("ladder r=3", (5, 15, 45), (1 / 3, 1 / 3, 1 / 3), math.inf)
    >>> c.to_dict()["t_target"], c.to_dict()["t_predict"]      # never; not run through predict
    (None, None)
    """

    name: str
    horizons: tuple[int, ...]
    weights: tuple[float, ...]
    t_target: float
    p_at_budget: float = math.nan
    t_predict: float = math.nan

    def to_dict(self) -> dict:
        return {"name": self.name, "horizons": list(self.horizons),
                "weights": [float(w) for w in self.weights], "t_target": num(self.t_target),
                "t_predict": num(self.t_predict), "p_at_budget": num(self.p_at_budget)}


@dataclass(frozen=True, repr=False)
class DesignResult(StatusResult):
    r"""A designed difficulty mixture, in the scipy style.

    Attributes
    ----------
    horizons, weights : tuple
        The design.
    t_target : float
        Predicted updates until the target reaches 0.9 (``inf`` if never), by
        :func:`dynamics.predict`.
    target : int
    objective : {"time", "budget"}
    budget : float or None
    p_at_budget : float
        Predicted target success after ``budget`` updates (fast path; ``nan`` without).
    design : Candidate
    baselines : tuple of Candidate
        Geometric ladders (ratios 2, 3, 4), uniform over the horizons ≤ L, L alone.
    by_rungs : tuple of Candidate
        The best design with at most K rungs, K = 1..K_max.
    prediction : GrowthResult
        The design's predicted curves (:func:`dynamics.predict`); those of any
        candidate come from :meth:`predict_candidate`.
    n_evaluations : int
        Mixtures evaluated on the fast path.
    config : Mapping
    status : int
        1 the target is reached (time objective) / the design is found (budget);
        0 no mixture reaches 0.9 at the target before ``t_max`` (a finished search that
        found no way: ``success`` is True, as ``GrowthResult`` at status 0).
    message : str

    Examples
    --------
    >>> res = design(TaskModel(group="D6", M=12, c_B=3), 6, max_rungs=2, lr=10.0, maxiter=5)
    >>> res.success, res.objective, [c.name for c in res.baselines][:3]
    (True, 'time', ['ladder r=2', 'ladder r=3', 'ladder r=4'])
    >>> abs(res.t_target / res.design.t_target - 1) < 2e-3     # predict against the fast path
    True
    """

    horizons: tuple[int, ...]
    weights: tuple[float, ...]
    t_target: float
    target: int
    objective: str
    budget: float | None
    p_at_budget: float
    design: Candidate
    baselines: tuple[Candidate, ...]
    by_rungs: tuple[Candidate, ...]
    prediction: GrowthResult
    n_evaluations: int
    config: Mapping[str, Any]
    status: int
    message: str

    @property
    def best_baseline(self) -> Candidate:
        """The baseline with the best objective (earliest t_target, or highest success
        at the budget)."""
        return min(self.baselines, key=lambda c: _score(c, self.objective))

    @property
    def advantage(self) -> float:
        """Best baseline's predicted t_target over the design's (fast path); with a budget,
        the design's predicted success at the budget over the best baseline's."""
        if self.objective == "budget":
            return self.design.p_at_budget / self.best_baseline.p_at_budget
        b, d = self.best_baseline.t_target, self.design.t_target
        if math.isinf(b) and math.isinf(d):
            return 1.0
        return math.inf if math.isinf(b) else b / d

    def predict_candidate(self, c: Candidate | None = None) -> GrowthResult:
        """:func:`dynamics.predict` for a candidate (default: the best baseline)."""
        c = self.best_baseline if c is None else c
        cfg = self.config
        model = TaskModel(group=cfg["group"], M=cfg["M"], c_B=cfg["c_B"])
        kw = {k: cfg[k] for k in _PREDICT_KEYS}
        return predict(model, Spectrum(c.horizons, c.weights), **kw)

    def _repr_details(self) -> str:
        return (f"horizons={self.horizons}, weights=({', '.join(f'{w:.3f}' for w in self.weights)}), "
                f"t_target={self.t_target:.4g}, best_baseline={self.best_baseline.name!r} "
                f"t={self.best_baseline.t_target:.4g}")

    def to_dict(self) -> dict:
        """JSON-ready: horizons, weights, t_target (None if never), baselines, by_rungs."""
        return {"target": self.target, "objective": self.objective, "budget": self.budget,
                "level": LEVEL, "horizons": list(self.horizons),
                "weights": [float(w) for w in self.weights], "t_target": num(self.t_target),
                "t_target_fast": num(self.design.t_target),
                "p_at_budget": num(self.p_at_budget),
                "baselines": [c.to_dict() for c in self.baselines],
                "best_baseline": self.best_baseline.name, "advantage": num(self.advantage),
                "by_rungs": [dict(c.to_dict(), K=len(c.horizons)) for c in self.by_rungs],
                "n_evaluations": self.n_evaluations, "config": dict(self.config),
                "status": self.status, "message": self.message}


def _score(c: Candidate, objective: str) -> float:
    return -c.p_at_budget if objective == "budget" else c.t_target


def _snap(L: float, allowed: Sequence[int]) -> int:
    a = np.asarray(allowed)
    return int(a[np.argmin(np.abs(a - L))])


def baseline_mixtures(target: int, allowed: Sequence[int], max_rungs: int
                      ) -> list[tuple[str, tuple[int, ...]]]:
    """Names and horizons of the baselines (uniform weights).

    Examples
    --------
    >>> baseline_mixtures(45, range(1, 46), 4)
    [('ladder r=2', (6, 11, 22, 45)), ('ladder r=3', (2, 5, 15, 45)), ('ladder r=4', (3, 11, 45)), ('uniform 1..45', (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45)), ('L alone', (45,))]
    """
    below = sorted(h for h in allowed if h <= target)
    out = []
    for r in LADDER_RATIOS:
        rungs = {target}
        j = 1
        while len(rungs) < max_rungs and round(target / r ** j) >= 2:
            rungs.add(_snap(target / r ** j, below))
            j += 1
        out.append((f"ladder r={r}", tuple(sorted(rungs))))
    out.append((f"uniform {below[0]}..{target}", tuple(below)))
    out.append(("L alone", (target,)))
    return out


def _check(model: TaskModel, target, max_rungs, allowed, budget) -> tuple[int, int, tuple[int, ...]]:
    lim = min(model.order, model.M)
    if isinstance(target, (bool, np.bool_)) or not isinstance(target, (int, np.integer)) \
            or not 2 <= target <= lim:
        raise ValueError(f"design: target must be an integer horizon in 2..min(|G|, M)={lim} "
                         f"({model.group.name}, M={model.M}); got target={target!r}.")
    if isinstance(max_rungs, (bool, np.bool_)) or not isinstance(max_rungs, (int, np.integer)) \
            or max_rungs < 1:
        raise ValueError(f"design: max_rungs (K) must be an integer >= 1; got max_rungs={max_rungs!r}.")
    if allowed is None:
        allowed = tuple(range(1, int(target) + 1))
    else:
        try:
            allowed = tuple(sorted(set(int(h) for h in allowed)))
        except (TypeError, ValueError):
            raise ValueError(f"design: allowed must be a collection of integer horizons; got "
                             f"allowed={allowed!r}.") from None
        if int(target) not in allowed:
            raise ValueError(f"design: the allowed horizons must contain the target {target}; "
                             f"got allowed={list(allowed)}.")
        bad = [h for h in allowed if not 1 <= h <= lim]
        if bad:
            raise ValueError(f"design: allowed horizons must lie in 1..min(|G|, M)={lim}; got "
                             f"{bad}.")
    if budget is not None and not (isinstance(budget, (int, float, np.number))
                                   and not isinstance(budget, bool)
                                   and math.isfinite(budget) and budget > 0):
        raise ValueError(f"design: budget must be a finite number of updates > 0; got "
                         f"budget={budget!r}.")
    return int(target), int(max_rungs), allowed


def _placements(target: int, rungs: Sequence[int], k: int, max_placements: int
                ) -> list[tuple[int, ...]]:
    """Sets of k − 1 rungs below the target (all of them, or geometric ones)."""
    if k == 1:
        return [(target,)]
    if math.comb(len(rungs), k - 1) <= max_placements:
        return [tuple(sorted(c + (target,))) for c in itertools.combinations(rungs, k - 1)]
    out = set()
    for bottom in rungs:                          # geometric between each bottom rung and L
        pts = list(np.exp(np.linspace(math.log(bottom), math.log(target), k))[:-1])
        out.add(tuple(sorted({_snap(p, rungs) for p in pts})) + (target,))
    for r in np.exp(np.linspace(math.log(1.1), math.log(target), 200)):
        pts = [target / r ** j for j in range(1, k)]
        out.add(tuple(sorted({_snap(p, rungs) for p in pts})) + (target,))
    return sorted(out)


def _profiles(H: NDArray, target: int) -> NDArray:
    """Screening weight profiles for placements H (n, K): shape (n, 4, K), rows sum to 1.

    Uniform, ∝ L, ∝ 1/L, and half the weight on the target.
    """
    H = np.asarray(H, dtype=float)
    n, K = H.shape
    if K == 1:
        return np.ones((n, 1, 1))
    half = np.where(H == target, 0.5, 0.5 / (K - 1))
    P = np.stack([np.ones_like(H), H, 1.0 / H, half], axis=1)
    return P / P.sum(axis=2, keepdims=True)


def design(model: TaskModel, target: int, *, max_rungs: int = 4,
           allowed: Sequence[int] | None = None, budget: float | None = None,
           optimizer: Optimizer = "sgd", lr: float = 30.0, batch: int = 512,
           length_normalized: bool = True, baseline: Any = "loo", sampled: bool = True,
           form: Form = "exact", epsilon: float = 0.02, t_max: float | None = None,
           n_prompts: int = DEFAULT_PROMPTS, seed: int = DEFAULT_SEED,
           max_placements: int = 20000, n_screen: int = 256, n_refine: int = 3, maxiter: int = 40,
           min_weight: float = 0.02, k_tolerance: float = 0.01,
           search_seed: int = 0) -> DesignResult:
    r"""Design the mixture of at most ``max_rungs`` horizons that learns ``target`` soonest.

    Parameters
    ----------
    model : TaskModel
    target : int
        The horizon L that matters, 2 ≤ L ≤ min(|G|, M).
    max_rungs : int
        K_max ≥ 1: at most this many horizons, L among them.
    allowed : sequence of int, optional
        Horizons a rung may use (default 1..L); must contain L.
    budget : float, optional
        Maximise :math:`\bar P_L` after this many updates instead of minimising the
        time to :math:`\bar P_L = 0.9`.
    optimizer, lr, batch, length_normalized, baseline, sampled, form, epsilon, t_max, n_prompts, seed
        As :func:`dynamics.predict` (SGD or flow; Adam's rate is not linear in the
        weights and is refused).
    max_placements, n_screen, n_refine, maxiter, min_weight, k_tolerance, search_seed
        Search settings (module docstring); ``search_seed`` seeds differential evolution.

    Returns
    -------
    DesignResult

    Examples
    --------
    >>> res = design(TaskModel(group="Z24", M=16, c_B=4), 12, max_rungs=2, lr=3.0, maxiter=5)
    >>> res.success, res.horizons[-1], len(res.horizons)
    (True, 12, 2)
    >>> ladders = [c for c in res.baselines if len(c.horizons) <= 2]   # in the search space
    >>> all(res.design.t_target <= c.t_target for c in ladders)
    True
    """
    target, K_max, allowed = _check(model, target, max_rungs, allowed, budget)
    objective = "time" if budget is None else "budget"
    spec = OptimizerSpec(optimizer=optimizer, lr=lr, batch=batch,
                         length_normalized=length_normalized, baseline=baseline, sampled=sampled)
    if t_max is None:
        t_max = 1e5 if optimizer == "flow" else 2e5
    pkw = dict(zip(_PREDICT_KEYS, (optimizer, lr, batch, length_normalized, baseline, sampled,
                                   form, epsilon, t_max, n_prompts, seed)))
    bases = baseline_mixtures(target, allowed, K_max)
    table_h = sorted(set(allowed) | {h for _, hs in bases for h in hs})
    tab = MixtureTable.build(model, table_h, target, spec, form=form, n_prompts=n_prompts,
                             seed=seed, t_max=t_max, level=LEVEL)
    n_eval = [0]

    def score(W: NDArray) -> NDArray:
        """Objective to minimise per row: time (with a graded penalty past t_max) or −P(U)."""
        n_eval[0] += len(W)
        t, p = tab.evaluate(W, budget=budget)
        if objective == "budget":
            return -p
        return np.where(np.isfinite(t), t, t_max * (2.0 + LEVEL - p))

    def dense(hs_rows: NDArray, w_rows: NDArray) -> NDArray:
        idx = np.searchsorted(np.asarray(tab.horizons), hs_rows)
        W = np.zeros((len(hs_rows), len(tab.horizons)))
        np.add.at(W, (np.arange(len(hs_rows))[:, None], idx), w_rows)
        return W

    rungs = [h for h in allowed if h != target]
    best_by_k: list[tuple[float, tuple[int, ...], tuple[float, ...]]] = []
    for K in range(1, K_max + 1):
        places = _placements(target, rungs, K, max_placements) if K - 1 <= len(rungs) else []
        if not places:
            best_by_k.append(best_by_k[-1])
            continue
        H = np.array(places)
        # screen: uniform weights on every placement, then four profiles on the best ones
        H = H[np.argsort(score(dense(H, np.full(H.shape, 1.0 / K))), kind="stable")[:n_screen]]
        scr, prof_w = np.full(len(H), np.inf), np.zeros(H.shape)
        for Wp in np.moveaxis(_profiles(H, target), 1, 0):
            s = score(dense(H, Wp))
            better = s < scr
            scr, prof_w = np.where(better, s, scr), np.where(better[:, None], Wp, prof_w)
        order = np.argsort(scr, kind="stable")[:n_refine if K > 1 else 1]
        best: tuple[float, tuple[int, ...], tuple[float, ...]] = (math.inf, (target,), (1.0,))
        for i in order:
            hs, w = tuple(int(h) for h in H[i]), prof_w[i]
            f0 = float(scr[i])
            if K > 1:
                hs, w, f0 = _refine(hs, target, w, f0, dense, score, maxiter, search_seed,
                                    min_weight)
            if f0 < best[0]:
                best = (f0, hs, tuple(float(x) for x in w))
        if best_by_k and best_by_k[-1][0] <= best[0]:
            best = best_by_k[-1]                  # at most K rungs: never worse than K − 1
        best_by_k.append(best)

    def candidate(name: str, hs: tuple[int, ...], w: tuple[float, ...]) -> Candidate:
        """A reported mixture: timed from predict's own start, the escape's effective θ0."""
        obj = ReducedObjective(model=model, spectrum=Spectrum(hs, w), form=form,
                               length_normalized=length_normalized, n_prompts=n_prompts, seed=seed)
        th0 = escape_start(obj, spec, t_max=t_max).theta0 if sampled else 0.0
        t, p = tab.evaluate(tab.dense(hs, w)[None], budget=budget, theta0=th0)
        return Candidate(name, hs, w, float(t[0]), float(p[0]) if budget is not None else math.nan)

    # the best of each K, timed from the escape start; at most K rungs is never worse than K − 1
    by_rungs_list: list[Candidate] = []
    for K, b in enumerate(best_by_k, start=1):
        c = candidate(f"K<={K}", b[1], _rounded(b[2]))
        if by_rungs_list and _score(by_rungs_list[-1], objective) <= _score(c, objective):
            c = dataclasses.replace(by_rungs_list[-1], name=f"K<={K}")
        by_rungs_list.append(c)
    by_rungs = tuple(by_rungs_list)
    overall = min(_score(c, objective) for c in by_rungs)
    tol = k_tolerance * abs(overall) if math.isfinite(overall) else 0.0
    chosen_c = next(c for c in by_rungs if _score(c, objective) <= overall + tol)

    def checked(c: Candidate) -> tuple[Candidate, GrowthResult]:
        r = predict(model, Spectrum(c.horizons, c.weights), **pkw)
        return dataclasses.replace(c, t_predict=r.time_to(target, LEVEL)), r

    des, des_pred = checked(dataclasses.replace(chosen_c, name="design"))
    base = [candidate(n, hs, (1.0 / len(hs),) * len(hs)) for n, hs in bases]
    reached = math.isfinite(des.t_predict) if objective == "time" else True
    status = 1 if reached else 0
    msg = ("design found" if reached else
           f"no mixture reaches success {LEVEL} at L={target} within t_max={t_max:g}")
    if model.group.is_abelian and 2 in des.horizons:
        msg += ("; caution: on an abelian group the rung L=2 is rewarded equally on both "
                "branches (P_2(theta) = P_2(-theta)) and can hold training in the theta < 0 "
                "branch, which the prediction does not follow; allowed horizons >= 3 avoid it")
    config = dict(group=model.group.name, M=model.M, c_B=model.c_B, target=target,
                  max_rungs=K_max, allowed=list(allowed), budget=budget, **pkw)
    return DesignResult(horizons=des.horizons, weights=des.weights, t_target=des.t_predict,
                        target=target, objective=objective, budget=budget,
                        p_at_budget=des.p_at_budget, design=des,
                        baselines=tuple(base), by_rungs=by_rungs,
                        prediction=des_pred,
                        n_evaluations=n_eval[0], config=config, status=status, message=msg)


def _rounded(w: Sequence[float]) -> tuple[float, ...]:
    """Weights to 4 decimals, still summing to 1 (the last absorbs the rounding)."""
    r = [round(float(x), 4) for x in w]
    r[-1] = round(1.0 - sum(r[:-1]), 10)
    return tuple(r)


def _refine(hs, target, w0, f0, dense, score, maxiter, seed, min_weight):
    """Differential evolution over softmax logits of the weights of the placement ``hs``."""
    K = len(hs)
    H = np.array(hs)

    def weights(z: NDArray) -> NDArray:           # z: (K-1, S) logits, last rung's is 0
        z = np.vstack([z, np.zeros((1, z.shape[1]))])
        e = np.exp(z - z.max(axis=0))
        return (e / e.sum(axis=0)).T               # (S, K)

    def f(z):
        z = np.atleast_2d(np.asarray(z, dtype=float))
        if z.shape[0] != K - 1:
            z = z.T
        W = weights(z)
        return score(dense(np.broadcast_to(H, W.shape), W))

    x0 = np.log(np.maximum(w0[:-1], 1e-6) / max(w0[-1], 1e-6))
    res = differential_evolution(f, [(-6.0, 6.0)] * (K - 1), maxiter=maxiter, popsize=12,
                                 tol=1e-6, seed=np.random.default_rng(seed), polish=False,
                                 vectorized=True, updating="deferred", x0=np.clip(x0, -6, 6),
                                 init="sobol" if K > 2 else "latinhypercube")
    w = weights(np.atleast_2d(res.x).reshape(K - 1, 1))[0]
    f_best = float(res.fun)
    if f_best > f0:
        w, f_best = np.asarray(w0, dtype=float), f0
    keep = (w >= min_weight) | (H == target)
    if not keep.all():
        hs = tuple(int(h) for h in H[keep])
        w = w[keep] / w[keep].sum()
        f_best = float(score(dense(np.array([hs]), w[None]))[0])
    return tuple(int(h) for h in hs), tuple(float(x) for x in w), f_best


def plot_design(result: DesignResult, axes) -> None:
    """Three panels: the design's predicted curves, the best baseline's on the same time
    axis, and the predicted time to 0.9 at the target against K (baselines as lines).

    ``axes``: a sequence of three matplotlib axes.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> res = design(TaskModel(group="Z12", M=12, c_B=3), 6, max_rungs=2, lr=10.0, maxiter=5)
    >>> fig, axes = plt.subplots(1, 3)
    >>> plot_design(res, axes)
    >>> axes[2].get_xlabel()
    'K (number of rungs)'
    >>> plt.close(fig)
    """
    base = result.best_baseline
    curves = [("design", result.design, result.prediction),
              (f"best baseline: {base.name}", base, result.predict_candidate(base))]
    t_end = max(float(r.t[-1]) for _, _, r in curves)
    for ax, (title, c, r) in zip(axes[:2], curves):
        show = [i for i, L in enumerate(r.horizons) if L == result.target or len(r.horizons) <= 8]
        for i in show:
            L = r.horizons[i]
            ax.plot(r.t, r.p_success[i], lw=2.5 if L == result.target else 1.2,
                    label=f"L={L} (w={r.config['weights'][i]:.2f})")
        t9 = r.time_to(result.target, LEVEL)
        if math.isfinite(t9):
            ax.axvline(t9, color="k", ls=":", lw=1)
        ax.axhline(LEVEL, color="grey", ls="--", lw=0.8)
        ax.set(xlim=(0, t_end), ylim=(0, 1.02), xlabel=f"t ({r.time_unit})",
               ylabel="predicted success", title=f"{title}: t(L={result.target}) = "
               + ("never" if not math.isfinite(t9) else f"{t9:.0f}"))
        ax.legend(fontsize=7, loc="lower right")
    ax = axes[2]
    ks = np.arange(1, len(result.by_rungs) + 1)
    ts = np.array([c.t_target for c in result.by_rungs])
    ok = np.isfinite(ts)
    ax.plot(ks[ok], ts[ok], "o-", label="design, at most K rungs")
    for c in result.baselines:
        if math.isfinite(c.t_target):
            ax.axhline(c.t_target, ls="--", lw=0.9, color="C1" if c is base else "grey")
            ax.annotate(c.name, (ks[-1], c.t_target), fontsize=7, ha="right", va="bottom")
    ax.set(xlabel="K (number of rungs)", ylabel=f"updates to success {LEVEL} at L={result.target}",
           yscale="log", xticks=ks, title="predicted time against K")
    ax.legend(fontsize=7)
