r"""Fast evaluation of many mixtures: per-horizon tables that do not depend on the weights.

Private helper of :mod:`dynamics.design`.  Under SGD (and gradient flow) the expected
update rate of the reduced coefficient is linear in the mixture weights,

.. math:: \frac{d\theta}{du} = G_w(\theta) = \sum_L w_L\, r_L(\theta),
          \qquad r_L(\theta) = k\, c_L\, \frac{d\bar P_L}{d\theta},

(:func:`dynamics.optim.update_rate`; :math:`k = \eta/(M-1)` for SGD, 1 for flow), and
so are the squared noise :math:`s_w^2 = \sum_L w_L s_L^2` at θ = 0 and the growth
:math:`\epsilon_w = \sum_L w_L \epsilon_L`.  They give the *screening* start
:math:`0.6745\,s_w/\sqrt{2\epsilon_w}` (the median of the linearised noise-driven
start), used to rank thousands of mixtures; a mixture whose time is reported is evaluated
from the start :func:`dynamics.predict.predict` itself uses, the escape's effective θ0
(:func:`dynamics.escape.escape_start`), passed as ``theta0``.  The table holds, once per horizon,
:math:`r_L` and :math:`\bar P_L` on a grid uniform in :math:`u = \log\theta`, and
:math:`(s_L, \epsilon_L)`.  A mixture then costs one weighted sum of rows and a
quadrature: θ moves monotonically (a 1-D autonomous flow), so the time to reach θ* is

.. math:: t = \int_{\theta_0}^{\theta^*} \frac{d\theta}{G_w(\theta)}
            = \int_{\log\theta_0}^{\log\theta^*} \frac{\theta}{G_w(\theta)}\,du ,

whose integrand is smooth in u at both ends (θ/G → 1/ε on abelian groups, → 0 with a
drift).  Below the first node :math:`\theta_\mathrm{lo}` the rate is linear,
:math:`G \approx g_0 + \epsilon\theta`, and that piece is integrated in closed form.
The flow never passes a zero of :math:`G_w`, so a non-positive rate between θ0 and θ*
means "never".  Everything is vectorised over candidate mixtures.

Linearity in w is checked on the public :func:`~dynamics.optim.update_rate` and
:func:`~dynamics.optim.noise_scale` at build time (two probe mixtures); an
optimiser whose rate is not linear in the weights (Adam) is refused with a clear error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .model import TaskModel
from .ode import Form, ReducedObjective
from .optim import OptimizerSpec, noise_scale, update_rate
from .spectrum import Spectrum

__all__ = ["MixtureTable"]

THETA_LO = 1e-4
#: Median of |ξ| for a standard normal ξ (the screening start's factor).
HALF_NORMAL_MEDIAN = 0.6744897501960817
#: Step of the central difference that gives the growth ε = r'(0).
GROWTH_STEP = 1e-4
THETA_CAP = 60.0


@dataclass(frozen=True, repr=False, eq=False)
class MixtureTable:
    """Per-horizon tables on a log-θ grid; see the module docstring.

    Build with :meth:`build`; evaluate mixtures with :meth:`evaluate`.

    Examples
    --------
    >>> from dynamics import predict
    >>> model = TaskModel(group="S4", M=16, c_B=3)
    >>> spec = OptimizerSpec(optimizer="sgd", lr=10.0, batch=128)
    >>> tab = MixtureTable.build(model, (3, 6, 12), 12, spec, form="exact", n_prompts=256,
    ...                          seed=0, t_max=2e5)
    >>> r = predict(model, Spectrum((3, 12), (0.4, 0.6)), lr=10.0, batch=128)
    >>> t, _ = tab.evaluate(tab.dense((3, 12), (0.4, 0.6))[None], theta0=r.theta0)
    >>> bool(abs(t[0] / r.time_to(12, 0.9) - 1) < 2e-3)     # from predict's own start
    True
    """

    horizons: tuple[int, ...]
    target: int
    level: float
    u: NDArray          # (n_u,) log θ nodes
    rate: NDArray       # (n_h, n_u) r_L at the nodes
    rate0: NDArray      # (n_h,) r_L(0)
    p_target: NDArray   # (n_u,) P_target at the nodes
    noise2: NDArray     # (n_h,) s_L^2
    growth: NDArray     # (n_h,) ε_L
    t_max: float
    u_star: float       # log θ* where P_target first reaches the level (inf if never)
    p_target0: float    # P_target(0)
    spec: OptimizerSpec  # the baseline's sub-batch factors are applied per mixture

    @classmethod
    def build(cls, model: TaskModel, horizons, target: int, spec: OptimizerSpec, *, form: Form,
              n_prompts: int, seed: int, t_max: float, level: float = 0.9,
              n_u: int = 1200) -> "MixtureTable":
        hs = tuple(sorted(set(int(h) for h in horizons) | {int(target)}))
        obj = ReducedObjective(model=model, spectrum=Spectrum(hs), form=form,
                               length_normalized=spec.length_normalized,
                               n_prompts=n_prompts, seed=seed)
        singles = [ReducedObjective(model=model, spectrum=Spectrum((L,)), form=form,
                                    length_normalized=spec.length_normalized,
                                    n_prompts=n_prompts, seed=seed) for L in hs]
        if spec.optimizer not in ("sgd", "flow"):
            raise ValueError(f"design: the fast path needs an update rate linear in the mixture "
                             f"weights (optimizer 'sgd' or 'flow'); optimizer={spec.optimizer!r} "
                             f"is not.")
        # per horizon at weight 1, without the baseline's sub-batch factors (applied per mixture)
        k = spec.lr / (model.M - 1) if spec.optimizer == "sgd" else 1.0
        unit_c = obj.c / np.asarray(obj.spectrum.weights)       # c_L at weight 1
        it = hs.index(int(target))
        # θ range: up to where the target's success is within reach of 1 (or a cap)
        coarse = np.linspace(0.0, THETA_CAP, 601)
        Pc = obj.success(coarse)[it]
        above = np.nonzero(Pc >= max(level, 0.5 * (1 + level)))[0]
        theta_hi = float(coarse[above[0]]) + 2.0 if len(above) else THETA_CAP
        u = np.linspace(math.log(THETA_LO), math.log(theta_hi), n_u)
        P, D = obj.success_and_slope(np.exp(u))
        rate = k * unit_c[:, None] * D
        _, D0 = obj.success_and_slope(np.array([-GROWTH_STEP, 0.0, GROWTH_STEP]))
        rate0 = k * unit_c * D0[:, 1]
        eps = k * unit_c * (D0[:, 2] - D0[:, 0]) / (2 * GROWTH_STEP)
        full = np.full(1, spec.batch)
        s2 = [noise_scale(o, spec) ** 2 / _moment_factor(spec, full)[0] for o in singles]
        p_t = P[it]
        hit = np.nonzero(p_t >= level)[0]
        if len(hit) == 0:
            u_star = math.inf
        elif hit[0] == 0:
            u_star = float(u[0])
        else:
            i = hit[0]
            u_star = float(u[i - 1] + (level - p_t[i - 1]) * (u[i] - u[i - 1]) / (p_t[i] - p_t[i - 1]))
        tab = cls(hs, int(target), float(level), u, rate, rate0, p_t,
                  np.asarray(s2), np.asarray(eps), float(t_max), u_star,
                  float(obj.success(0.0)[it]), spec)
        tab._check_start(obj, spec)
        return tab

    # ------------------------------------------------------------------ mixtures
    def dense(self, horizons, weights) -> NDArray:
        """A weight vector over ``self.horizons`` for one mixture."""
        w = np.zeros(len(self.horizons))
        for L, x in zip(horizons, weights):
            w[self.horizons.index(int(L))] += float(x)
        return w

    def theta0(self, W: NDArray) -> NDArray:
        r"""Screening start of each mixture (rows of W): :math:`0.6745\,s_w/\sqrt{2\epsilon_w}`,
        or :math:`s_w` where :math:`\epsilon_w \le 1/t_\mathrm{max}`."""
        f, g = self.factors(W)
        s = np.sqrt(np.maximum((W * g) @ self.noise2, 0.0))
        eps = (W * f) @ self.growth
        with np.errstate(divide="ignore", invalid="ignore"):
            th = np.where(eps > 1.0 / self.t_max,
                          HALF_NORMAL_MEDIAN * s / np.sqrt(2 * np.maximum(eps, 1e-300)), s)
        return th

    def factors(self, W: NDArray) -> tuple[NDArray, NDArray]:
        """The baseline's per-horizon factors of each mixture (rows of W): on the expected
        gradient (:meth:`OptimizerSpec.gradient_factor`) and on the advantage's second
        moment (:meth:`OptimizerSpec.advantage_second_moment`), from the sub-batch sizes
        that verify draws (:func:`dynamics.optim.batch_split`, vectorised); 0 off the mixture."""
        n = _split(self.spec.batch, W)
        on = W > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            f = np.where(on, self.spec.gradient_factor(np.maximum(n, 1)), 0.0)
            g = np.where(on, _moment_factor(self.spec, np.maximum(n, 1)), 0.0)
        return f, g

    def _check_start(self, obj: ReducedObjective, spec: OptimizerSpec) -> None:
        """The tables against the mixture's own rate, growth and noise on two probe mixtures."""
        n = len(self.horizons)
        th = float(np.exp(self.u[len(self.u) // 3]))
        i = len(self.u) // 3
        for w in (np.full(n, 1.0 / n), np.linspace(1.0, 2.0, n) / np.linspace(1.0, 2.0, n).sum()):
            o = ReducedObjective(model=obj.model, spectrum=Spectrum(self.horizons, tuple(w)),
                                 form=obj.form, length_normalized=obj.length_normalized,
                                 n_prompts=obj.n_prompts, seed=obj.seed)
            f, g = self.factors(w[None])
            for name, got, ref in (
                    ("noise^2", float((w * g[0]) @ self.noise2), noise_scale(o, spec) ** 2),
                    ("growth", float((w * f[0]) @ self.growth), _growth(o, spec)),
                    ("rate", float((w * f[0]) @ self.rate[:, i]), update_rate(o, spec)(th))):
                if not np.isclose(got, ref, rtol=1e-6, atol=1e-15):
                    raise RuntimeError(f"design: the cached {name} {got:.6g} of a mixture differs "
                                       f"from its own {ref:.6g}: dynamics.optim changed how the "
                                       f"weights enter; update dynamics/_mixture_cache.py.")

    def evaluate(self, W: NDArray, *, budget: float | None = None,
                 theta0: NDArray | float | None = None,
                 chunk: int = 1024) -> tuple[NDArray, NDArray]:
        """``(t_target, p_at)`` for the mixtures in the rows of W (shape (n_c, n_h)), from
        ``theta0`` (one start per row; default: the screening start :meth:`theta0`).

        ``t_target``: updates until the target's success reaches the level (inf if never
        before ``t_max``).  ``p_at``: the target's success after ``budget`` updates (or
        after ``t_max`` when no budget is given).
        """
        W = np.atleast_2d(np.asarray(W, dtype=np.float64))
        th0 = self.theta0(W) if theta0 is None else np.broadcast_to(
            np.asarray(theta0, dtype=np.float64), (len(W),))
        out_t = np.empty(len(W))
        out_p = np.empty(len(W))
        for a in range(0, len(W), chunk):
            out_t[a:a + chunk], out_p[a:a + chunk] = self._evaluate(W[a:a + chunk], th0[a:a + chunk], budget)
        return out_t, out_p

    def _evaluate(self, W: NDArray, th0: NDArray, budget: float | None):
        u, th = self.u, np.exp(self.u)
        du = float(u[1] - u[0])
        n_c, rows = len(W), np.arange(len(W))
        Wf = W * self.factors(W)[0]                          # the baseline's gradient factors
        G = Wf @ self.rate                                   # (n_c, n_u)
        g0, eps = Wf @ self.rate0, Wf @ self.growth
        u0 = np.log(np.maximum(th0, th[0]))
        top = th0 >= th[-1]                                 # starts beyond the table
        i0 = np.where(top, len(u) - 1, np.searchsorted(u, u0 - 1e-12))
        after = np.arange(len(u))[None, :] >= i0[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            f = np.where(G > 0, th[None, :] / G, np.inf)   # dt/du; a rate <= 0 blocks the flow
        f = np.where(after, f, 0.0)
        cells = np.where(after[:, :-1], 0.5 * (f[:, 1:] + f[:, :-1]) * du, 0.0)
        F = np.concatenate([np.zeros((n_c, 1)), np.cumsum(cells, axis=1)], axis=1)
        # from θ0 to node i0: closed form for the linear rate g0 + ε θ below θ_lo,
        # else the partial cell (u_i0 - u0) f_i0
        below = th0 < th[0]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            g_start, g_lo = g0 + eps * th0, g0 + eps * th[0]
            lin = np.where(np.abs(eps) > 1e-300,
                           np.log(np.maximum(g_lo, 1e-300) / np.maximum(g_start, 1e-300)) / eps,
                           (th[0] - th0) / g0)
            lin = np.where((g_start > 0) & (g_lo > 0), lin, np.inf)
            part = (u[i0] - u0) * f[rows, i0]
        lead = np.where(below, lin, np.where(top, 0.0, part))
        T = np.where(after, lead[:, None] + F - F[rows, i0][:, None], -np.inf)  # time at each node
        # --- time to the target level
        if math.isinf(self.u_star):
            t = np.full(n_c, math.inf)
        else:
            i = min(max(int(np.searchsorted(u, self.u_star)), 1), len(u) - 1)
            a = (self.u_star - u[i - 1]) / du
            with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
                Ts = np.where(a > 0, (1 - a) * T[:, i - 1] + a * T[:, i], T[:, i - 1])
                Ts = np.where(i0 >= i, lead * (self.u_star - u0) / np.maximum(u[i0] - u0, 1e-300),
                              Ts)
            t = np.where((u0 >= self.u_star) | (self.p_target0 >= self.level), 0.0, Ts)
            t = np.where(np.isfinite(t) & (t <= self.t_max), np.maximum(t, 0.0), np.inf)
        # --- success at the budget (or at t_max): θ where the node times pass U; without a
        # budget only where the level is never reached (the caller's graded penalty)
        pU = np.full(n_c, np.nan)
        need = np.ones(n_c, bool) if budget is not None else ~np.isfinite(t)
        if need.any():
            pU[need] = self._success_at(T[need], i0[need], u0[need], th0[need], after[need],
                                        self.t_max if budget is None else float(budget))
        return t, pU

    def _success_at(self, T, i0, u0, th0, after, U: float) -> NDArray:
        u = self.u
        rows = np.arange(len(T))
        n_reached = (after & (T <= U)).sum(axis=1)
        j = np.clip(i0 + n_reached - 1, 0, len(u) - 1)
        jn = np.minimum(j + 1, len(u) - 1)
        Tj, Tn = T[rows, j], T[rows, jn]
        with np.errstate(invalid="ignore", divide="ignore"):
            frac = np.where((Tn > Tj) & np.isfinite(Tn), (U - Tj) / (Tn - Tj), 0.0)
        uU = np.where(n_reached > 0, u[j] + np.clip(frac, 0.0, 1.0) * (u[jn] - u[j]),
                      np.log(np.maximum(th0, 1e-300)))
        return np.interp(uU, u, self.p_target, left=self.p_target0)


def _growth(obj: ReducedObjective, spec: OptimizerSpec) -> float:
    """ε = r'(0), the central difference of the expected update rate at θ = 0."""
    rate = update_rate(obj, spec)
    return float((rate(GROWTH_STEP) - rate(-GROWTH_STEP)) / (2 * GROWTH_STEP))


def _split(batch: int, W: NDArray) -> NDArray:
    """:func:`dynamics.optim.batch_split` of every row of W: floor, then the remainder to
    the largest fractional parts (ties to the lower index, as its stable sort)."""
    raw = batch * W
    counts = np.floor(raw).astype(np.int64)
    rem = batch - counts.sum(axis=1)
    order = np.argsort(counts - raw, axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(W.shape[1])[None, :].repeat(len(W), 0), axis=1)
    return counts + (rank < rem[:, None])


def _moment_factor(spec: OptimizerSpec, n: NDArray) -> NDArray:
    """The baseline's factor on the advantage's second moment at sub-batch n (1 unsampled)."""
    if not spec.sampled:
        return np.ones(np.shape(n))
    ratio = spec.advantage_second_moment(0.5, n) / spec.advantage_second_moment(0.5, 1e300)
    return np.ones(np.shape(n)) * ratio
