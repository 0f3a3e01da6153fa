r"""Optimisers in update units: expected rates of θ and the noise-driven first phase.

Our reconstruction (``docs/derivation.md`` §5–6).  ``verify`` trains Q with a batch of
N prompts per update, split over the horizons by their weights (:func:`batch_split`:
:math:`n_L` prompts of horizon L); each samples one trajectory and contributes
:math:`A\,c_L\,\nabla_Q \log\pi`, with advantage :math:`A = r - b`.

* **Baselines and their bias.**  ``"loo"`` (mean of the *other* rewards of the horizon's
  sub-batch), ``"ema"`` (an average of past batches) and ``"none"`` are independent of the
  sample they correct, so :math:`\mathbb{E}[A\nabla\log\pi] = \nabla \bar P_L`.
  ``"batch"`` (the sub-batch mean, the sample included) gives
  :math:`A_i = (1 - 1/n_L)(r_i - \bar r_{-i})`, so it scales the expected gradient by
  :math:`1 - 1/n_L` (:meth:`OptimizerSpec.gradient_factors`).  Second moments of A:
  :math:`P(1-P)\,n/(n-1)` (loo), :math:`P(1-P)(n-1)/n` (batch), :math:`\approx P(1-P)`
  (ema), :math:`P` (none).

* **SGD**, learning rate η: :math:`d\theta/du = \frac{\eta}{M-1} G(\theta)`; the noise on θ
  per update has standard deviation :math:`s = \frac{\eta}{M-1}\sqrt{V/N}`, with the
  per-sample variance :math:`V = \sum_L w_L c_L^2\, \mathbb{E}[A^2]\, L\,
  \mathrm{Var}_h(\partial_\theta \log p_k)` (scores of different steps are independent,
  and A is nearly independent of them near chance).
* **Adam**, learning rate η: each entry moves by about
  :math:`\eta\,\mu/\sqrt{\mu^2 + \sigma^2/N}` per update (μ, σ²: mean and per-sample
  variance of that entry's gradient); θ moves by the diagonal entries' step plus
  the magnitude of the off-target entries' step.  Noise on θ: :math:`s = \eta/\sqrt{M-1}`
  (each entry random-walks by about η per update; θ averages M of them).
* **Noise-driven start.**  Near θ = 0 the expected rate is :math:`d + \epsilon\,\theta`
  (the drift d is zero on abelian groups) plus noise s per update; the escape from
  chance is a first-passage time of that diffusion, computed in :mod:`dynamics.escape`
  (median and quantiles), and :func:`noise_scale_theta0` returns the flow's effective start.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .ode import ReducedObjective

__all__ = ["OptimizerSpec", "batch_split", "update_rate", "update_rates", "noise_scale",
           "noise_scale_theta0", "simulate_noisy_sgd", "discrete_adam", "adam_system"]

Optimizer = Literal["sgd", "adam", "flow"]
Baseline = Literal["loo", "batch", "ema", "none"]
BASELINES: tuple[str, ...] = ("loo", "batch", "ema", "none")


def batch_split(batch: int, weights) -> NDArray[np.int64]:
    """Prompts per horizon: ``batch`` split by the weights, largest remainder first (as verify).

    Examples
    --------
    >>> batch_split(10, (1/3, 1/3, 1/3)).tolist()
    [4, 3, 3]
    """
    w = np.asarray(weights, dtype=np.float64)
    raw = batch * w
    counts = np.floor(raw).astype(np.int64)
    order = sorted(range(len(raw)), key=lambda i: counts[i] - raw[i])
    for i in order[: int(batch - counts.sum())]:
        counts[i] += 1
    return counts


@dataclass(frozen=True, kw_only=True)
class OptimizerSpec:
    r"""How ``verify`` trains: optimiser, learning rate, batch and REINFORCE details.

    Parameters
    ----------
    optimizer : {"sgd", "adam", "flow"}
        ``"flow"`` is gradient flow in flow time :math:`\tau = \eta u/(M-1)`.
    lr : float
    batch : int
        Prompts per update, N.
    length_normalized : bool
        REINFORCE loss divided by L (:math:`c_L = 1/L`).
    baseline : {"loo", "batch", "ema", "none"} or bool
        The REINFORCE baseline, as verify's ``--baseline``: leave-one-out (unbiased), the
        sub-batch mean including the sample (expected gradient scaled by
        :math:`1 - 1/n_L`), an EMA of past batch means (unbiased) or none.  The old
        bool is accepted: True means ``"batch"``, False ``"none"``.
    sampled : bool
        True for REINFORCE on sampled trajectories; False for the exact expected
        gradient (verify's ``--algo exact``): no batch noise, no bias, no noise-driven start.

    Examples
    --------
    >>> OptimizerSpec(optimizer="sgd", lr=30.0, batch=512)
    OptimizerSpec(optimizer='sgd', lr=30.0, batch=512, length_normalized=True, baseline='loo', sampled=True)
    >>> OptimizerSpec(baseline=True).baseline, OptimizerSpec(baseline=False).baseline
    ('batch', 'none')
    >>> OptimizerSpec(batch=4, baseline="batch").gradient_factors((0.5, 0.5)).tolist()
    [0.5, 0.5]
    >>> OptimizerSpec(optimizer="rmsprop")
    Traceback (most recent call last):
    ...
    ValueError: OptimizerSpec: optimizer must be 'sgd', 'adam' or 'flow'; got 'rmsprop'.
    """

    optimizer: Optimizer = "sgd"
    lr: float = 30.0
    batch: int = 512
    length_normalized: bool = True
    baseline: Baseline = "loo"
    sampled: bool = True

    def __post_init__(self) -> None:
        if self.optimizer not in ("sgd", "adam", "flow"):
            raise ValueError(f"OptimizerSpec: optimizer must be 'sgd', 'adam' or 'flow'; got "
                             f"{self.optimizer!r}.")
        if not (isinstance(self.lr, (int, float)) and math.isfinite(self.lr) and self.lr > 0):
            raise ValueError(f"OptimizerSpec: lr must be a finite number > 0; got lr={self.lr!r}.")
        object.__setattr__(self, "lr", float(self.lr))
        if isinstance(self.batch, bool) or not isinstance(self.batch, (int, np.integer)) \
                or self.batch < 1:
            raise ValueError(f"OptimizerSpec: batch must be an integer >= 1; got batch={self.batch!r}.")
        if isinstance(self.baseline, (bool, np.bool_)):
            object.__setattr__(self, "baseline", "batch" if self.baseline else "none")
        if self.baseline not in BASELINES:
            raise ValueError(f"OptimizerSpec: baseline must be one of {BASELINES} (or a bool: "
                             f"True = 'batch', False = 'none'); got baseline={self.baseline!r}.")

    @property
    def time_unit(self) -> str:
        return "flow time" if self.optimizer == "flow" else "updates"

    @property
    def gradient_factor(self) -> Callable[[ArrayLike], NDArray[np.float64]]:
        r"""The expected-gradient factor as a function of a horizon's sub-batch size n.

        :math:`1 - 1/n` for the ``"batch"`` baseline of sampled training, 1 otherwise.
        """
        biased = self.sampled and self.baseline == "batch"
        return lambda n: (1.0 - 1.0 / np.asarray(n, dtype=np.float64)) if biased \
            else np.ones_like(np.asarray(n, dtype=np.float64))

    def gradient_factors(self, weights) -> NDArray[np.float64]:
        """Per-horizon expected-gradient factors for a mixture with these weights."""
        return self.gradient_factor(batch_split(self.batch, weights))

    def advantage_second_moment(self, P: ArrayLike, n: ArrayLike) -> NDArray[np.float64]:
        r""":math:`\mathbb{E}[A^2]` at success P for a sub-batch of n (0 when not sampled)."""
        P = np.asarray(P, dtype=np.float64)
        n = np.maximum(np.asarray(n, dtype=np.float64), 2.0)
        if not self.sampled:
            return 0.0 * P
        v = P * (1.0 - P)
        return {"loo": v * n / (n - 1), "batch": v * (n - 1) / n, "ema": v,
                "none": P}[self.baseline]


def _horizon_weights(obj: ReducedObjective, spec: OptimizerSpec) -> NDArray[np.float64]:
    """Per-horizon gradient weights :math:`w_L c_L f_L` (f_L: the baseline's factor)."""
    return obj.c * spec.gradient_factors(obj.spectrum.weights)


def _sgd_noise_variance(obj: ReducedObjective, spec: OptimizerSpec, theta: float) -> float:
    P = obj.success(theta)
    n = batch_split(spec.batch, obj.spectrum.weights)
    ws = obj.spectrum.weights or ()        # never None after Spectrum.__post_init__
    V: Any = 0.0
    for i, L in enumerate(obj.spectrum.horizons):
        c = 1.0 / L if spec.length_normalized else 1.0
        vt = obj.per_step_score_variance(theta, L)[0]
        V += ws[i] * c * c * spec.advantage_second_moment(P[i], n[i]) * L * vt
    return float(V)


def _entry_moments(obj: ReducedObjective, spec: OptimizerSpec, th: float):
    """Mean and per-sample variance of one diagonal and one off-target entry's gradient."""
    M = obj.model.M
    P, D = obj.success_and_slope(th)
    mu_d = float(np.dot(_horizon_weights(obj, spec), D)) / M
    mu_o = -mu_d / (M - 1)
    n = batch_split(spec.batch, obj.spectrum.weights)
    ws = obj.spectrum.weights or ()        # never None after Spectrum.__post_init__
    var_d: Any
    var_o: Any
    var_d = var_o = 0.0
    for i, L in enumerate(obj.spectrum.horizons):
        c = 1.0 / L if spec.length_normalized else 1.0
        _, vd, vo = obj.per_step_score_variance(th, L)
        a2 = spec.advantage_second_moment(P[i], n[i]) * c * c * ws[i]
        var_d += a2 * (L / M) * vd
        var_o += a2 * (L * (L - 1) / (M * (M - 1))) * vo
    return mu_d, var_d, mu_o, var_o


def update_rate(obj: ReducedObjective, spec: OptimizerSpec) -> Callable[[float], float]:
    r"""The expected dθ/du of the optimiser (per update; per unit flow time for "flow").

    SGD: :math:`\frac{\eta}{M-1}\sum_L w_L c_L f_L\, d\bar P_L/d\theta`, with
    :math:`f_L` the baseline's factor (:meth:`OptimizerSpec.gradient_factors`).

    Examples
    --------
    >>> from dynamics import Spectrum, TaskModel
    >>> obj = ReducedObjective(model=TaskModel(group="S4", M=16, c_B=4), spectrum=Spectrum((3,)))
    >>> r = update_rate(obj, OptimizerSpec(optimizer="sgd", lr=15.0))
    >>> bool(np.isclose(r(0.5), 15.0 / 15 * float(obj.rate(0.5))))
    True
    """
    M = obj.model.M
    if spec.optimizer == "flow":
        return lambda th: float(obj.rate(th))
    if spec.optimizer == "sgd":
        k = spec.lr / (M - 1) * _horizon_weights(obj, spec)
        return lambda th: float(np.dot(k, obj.success_and_slope(th)[1]))
    N = spec.batch

    def adam_rate(th: float) -> float:
        mu_d, var_d, mu_o, var_o = _entry_moments(obj, spec, th)
        r_d = mu_d / math.sqrt(mu_d ** 2 + var_d / N + 1e-300)
        r_o = mu_o / math.sqrt(mu_o ** 2 + var_o / N + 1e-300)
        return spec.lr * (r_d - r_o)

    return adam_rate


def update_rates(obj: ReducedObjective, spec: OptimizerSpec, thetas: ArrayLike) -> NDArray[np.float64]:
    """:func:`update_rate` at many θ at once (vectorised for SGD and flow).

    Examples
    --------
    >>> from dynamics import Spectrum, TaskModel
    >>> obj = ReducedObjective(model=TaskModel(group="S4", M=16, c_B=4), spectrum=Spectrum((3,)))
    >>> spec = OptimizerSpec(lr=15.0)
    >>> bool(np.isclose(update_rates(obj, spec, [0.5])[0], update_rate(obj, spec)(0.5)))
    True
    """
    t = np.asarray(thetas, dtype=np.float64)
    if spec.optimizer == "adam":
        rate = update_rate(obj, spec)
        return np.array([rate(v) for v in t.ravel()]).reshape(t.shape)
    w = obj.c if spec.optimizer == "flow" else \
        spec.lr / (obj.model.M - 1) * _horizon_weights(obj, spec)
    return np.tensordot(w, obj.success_and_slope(t)[1], axes=1)


def noise_scale(obj: ReducedObjective, spec: OptimizerSpec, theta: float = 0.0) -> float:
    """Standard deviation of the θ noise per update (0 for exact gradient flow)."""
    M = obj.model.M
    if spec.optimizer == "flow" or not spec.sampled:
        return 0.0
    if spec.optimizer == "sgd":
        return spec.lr / (M - 1) * math.sqrt(_sgd_noise_variance(obj, spec, theta) / spec.batch)
    return spec.lr / math.sqrt(M - 1)


def noise_scale_theta0(obj: ReducedObjective, spec: OptimizerSpec, *, h: float = 1e-4,
                       t_max: float = 2e5) -> tuple[float, float, float]:
    r"""``(θ0, ε, s)``: the flow's effective start, the growth rate and the noise at θ = 0.

    A thin wrapper of :func:`dynamics.escape.escape_start` (the escape from chance as a
    first-passage time), kept for its callers: θ0 is the start from which the
    deterministic flow reaches the escape threshold at the median escape time.  ``h``
    is accepted for compatibility (the growth rate is a central difference of step 1e-4).

    Examples
    --------
    >>> from dynamics import Spectrum, TaskModel
    >>> obj = ReducedObjective(model=TaskModel(group="Z24", M=24, c_B=4), spectrum=Spectrum((4,)))
    >>> th, eps, s = noise_scale_theta0(obj, OptimizerSpec(optimizer="sgd", lr=20.0, batch=64))
    >>> bool(0 < th < 0.5 and eps > 0 and s > 0)
    True
    """
    from .escape import escape_start
    e = escape_start(obj, spec, t_max=t_max)
    return float(e.theta0), float(e.growth), float(e.noise)


def simulate_noisy_sgd(obj: ReducedObjective, spec: OptimizerSpec, *, n_updates: int,
                       n_runs: int = 64, theta0: float = 0.0,
                       seed: int | np.random.Generator = 0, reflect: bool = False) -> np.ndarray:
    r"""Monte Carlo of the reduced stochastic recursion, for checking the noise-driven start.

    :math:`\theta_{u+1} = \theta_u + \text{rate}(\theta_u) + s(\theta_u)\,\xi_u`, with ξ standard
    normal, for ``n_runs`` independent runs; returns θ of shape (n_runs, n_updates + 1).
    With ``reflect`` the recursion runs on :math:`|\theta|` (the escape model of :mod:`dynamics.escape`).
    The rate is evaluated on a grid and interpolated, so the loop is vectorised over runs.

    Examples
    --------
    >>> from dynamics import Spectrum, TaskModel
    >>> obj = ReducedObjective(model=TaskModel(group="Z24", M=16, c_B=4), spectrum=Spectrum((4,)))
    >>> th = simulate_noisy_sgd(obj, OptimizerSpec(lr=10.0, batch=64), n_updates=5, n_runs=3)
    >>> th.shape
    (3, 6)
    """
    rng = np.random.default_rng(seed)
    rate = update_rate(obj, spec)
    grid = np.linspace(-6.0, 12.0, 721)
    r_grid = np.array([rate(g) for g in grid])
    s_grid = np.array([noise_scale(obj, spec, g) for g in grid[::8]])
    th = np.empty((n_runs, n_updates + 1))
    th[:, 0] = theta0
    for u in range(n_updates):
        cur = th[:, u]
        nxt = cur + np.interp(cur, grid, r_grid) \
            + np.interp(cur, grid[::8], s_grid) * rng.standard_normal(n_runs)
        th[:, u + 1] = np.abs(nxt) if reflect else nxt
    return th


def discrete_adam(obj: ReducedObjective, spec: OptimizerSpec, *, theta0: float = 0.0,
                  n_updates: int = 1000, betas: tuple[float, float] = (0.9, 0.999),
                  eps: float = 1e-8) -> np.ndarray:
    r"""Adam's moment recursions on the reduced entries, in expectation.

    For the diagonal (d) and off-target (o) entries:
    :math:`m \leftarrow \beta_1 m + (1-\beta_1)\mu`,
    :math:`v \leftarrow \beta_2 v + (1-\beta_2)(\mu^2 + \sigma^2/N)`, bias-corrected,
    and θ moves by the diagonal step minus the off-target step.  The batch noise enters
    v only (m's own noise averages out in expectation).  Returns θ per update, shape
    (n_updates + 1,).

    Examples
    --------
    >>> from dynamics import Spectrum, TaskModel
    >>> obj = ReducedObjective(model=TaskModel(group="S4", M=16, c_B=4), spectrum=Spectrum((3,)))
    >>> th = discrete_adam(obj, OptimizerSpec(optimizer="adam", lr=0.01, batch=10**15), theta0=0.5,
    ...                    n_updates=3)
    >>> [round(float(x), 4) for x in th]      # noiseless: about 2·lr per update
    [0.5, 0.52, 0.54, 0.56]
    """
    if spec.optimizer != "adam":
        raise ValueError(f"discrete_adam: spec.optimizer must be 'adam'; got {spec.optimizer!r}.")
    b1, b2 = betas
    N = spec.batch
    th = np.empty(n_updates + 1)
    th[0] = theta0
    m = np.zeros(2)
    v = np.zeros(2)
    for u in range(n_updates):
        mu_d, var_d, mu_o, var_o = _entry_moments(obj, spec, th[u])
        mu = np.array([mu_d, mu_o])
        m = b1 * m + (1 - b1) * mu
        v = b2 * v + (1 - b2) * (mu ** 2 + np.array([var_d, var_o]) / N)
        step = spec.lr * (m / (1 - b1 ** (u + 1))) / (np.sqrt(v / (1 - b2 ** (u + 1))) + eps)
        th[u + 1] = th[u] + step[0] - step[1]
    return th


def adam_system(obj: ReducedObjective, spec: OptimizerSpec, *,
                betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8):
    r"""Adam in continuous update time, as an ODE system for :func:`integrate_flow`.

    State :math:`y = (\theta, m_d, m_o, v_d, v_o)`; the moments relax towards their
    targets at rates :math:`-\log\beta_1`, :math:`-\log\beta_2` per update, with bias
    correction :math:`1-\beta^{u+1}`:

    .. math:: \dot m = -\log\beta_1\,(\mu - m),\quad
              \dot v = -\log\beta_2\,(\mu^2 + \sigma^2/N - v),\quad
              \dot\theta = \eta\Big(\frac{\hat m_d}{\sqrt{\hat v_d}+\epsilon}
                            - \frac{\hat m_o}{\sqrt{\hat v_o}+\epsilon}\Big).

    The fast moment time scale (≈ 10 updates) against slow θ makes the system stiff:
    LSODA switches to its stiff method.  Returns ``(rhs, y0_extra)``.
    """
    if spec.optimizer != "adam":
        raise ValueError(f"adam_system: spec.optimizer must be 'adam'; got {spec.optimizer!r}.")
    b1, b2 = betas
    k1, k2 = -math.log(b1), -math.log(b2)
    N, lr = spec.batch, spec.lr

    def rhs(t, y):
        th, md, mo, vd, vo = y
        mu_d, var_d, mu_o, var_o = _entry_moments(obj, spec, th)
        c1, c2 = 1.0 - b1 ** (t + 1.0), 1.0 - b2 ** (t + 1.0)
        sd = lr * (md / c1) / (math.sqrt(max(vd, 0.0) / c2) + eps)
        so = lr * (mo / c1) / (math.sqrt(max(vo, 0.0) / c2) + eps)
        return [sd - so, k1 * (mu_d - md), k1 * (mu_o - mo),
                k2 * (mu_d ** 2 + var_d / N - vd), k2 * (mu_o ** 2 + var_o / N - vo)]

    return rhs, (0.0, 0.0, 0.0, 0.0)
