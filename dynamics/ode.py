r"""Reduced learning dynamics: gradient flow of the mixture objective, and its richer ansatz.

Our reconstruction (``docs/derivation.md``).  Under the symmetric ansatz
:math:`Q = \theta\Pi` (plus a common off-target value that cancels in the softmax) the
expected REINFORCE update of SGD with learning rate η moves θ by

.. math:: \Delta\theta = \frac{\eta}{M-1}\, G(\theta), \qquad
          G(\theta) = \sum_L w_L\, c_L\, \frac{d\bar P_L}{d\theta},

with :math:`c_L = 1/L` under length normalisation (1 otherwise).  The factor
:math:`1/(M-1)` comes from how often an entry of Q is touched: a diagonal entry is in
a prompt with probability L/M and then carries 1/L of :math:`dP_L/d\theta`; the
off-target entries of its row share the opposite gradient, which adds
:math:`1/(M(M-1))`.  The flow :math:`d\theta/d\tau = G(\theta)` is in *flow time*
:math:`\tau = \eta\,u/(M-1)` for u updates.

Richer ansatz (:func:`per_identifier_flow`): one coefficient :math:`\theta_i` per
identifier.  The L identifiers of a prompt are distinct, so their coefficients are
independent draws and the prompt-averaged success is the same polynomial evaluated
at the population means :math:`\bar x = \mathrm{mean}_i\,x(\theta_i)`,
:math:`\bar b = \mathrm{mean}_i\,b(\theta_i)`; each coefficient follows

.. math:: \frac{d\theta_i}{d\tau} = \sum_L w_L c_L
   \Big(\partial_x \bar P_L\, x'(\theta_i) + \partial_b \bar P_L\, b'(\theta_i)\Big).

It reduces to the one-coefficient flow when all :math:`\theta_i` are equal, and it
matters when they are spread: after a noise-driven start, or for long horizons, whose
success is a product over steps and so is held back by the weakest identifiers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal, Mapping, Sequence, cast

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.integrate import solve_ivp

from .model import TaskModel, symmetric_attention, symmetric_step_law_derivative
from .results import StatusResult
from .spectrum import Spectrum
from .success import DEFAULT_PROMPTS, DEFAULT_SEED, mean_field_polynomial, success_polynomial

__all__ = ["ReducedObjective", "FlowSolution", "integrate_flow", "per_identifier_flow",
           "PerIdentifierSolution", "discrete_sgd"]

Form = Literal["exact", "mean_field"]


def _step_derivatives(model: TaskModel, theta: NDArray, L: int):
    """``(x, b, dx/dθ, db/dθ, q_r, q_o, q_f, α)``: the coordinates of the success polynomial."""
    qr, qo, qf, dqr, dqo, dqf = symmetric_step_law_derivative(model, theta, L)
    return qr - qo, qo - qf, dqr - dqo, dqo - dqf, qr, qo, qf, symmetric_attention(theta, L)


@dataclass(frozen=True, kw_only=True)
class ReducedObjective:
    r"""The mixture objective :math:`J(\theta) = \sum_L w_L \bar P_L(\theta)` and its flow rate.

    Parameters
    ----------
    model : TaskModel
    spectrum : Spectrum
    form : {"exact", "mean_field"}
        Exact prompt-averaged Fourier polynomial, or the mean-field closed form.
    length_normalized : bool
        Weight each horizon's gradient by :math:`c_L = 1/L` (REINFORCE with 1/L).
    n_prompts, seed : int
        The fixed prompt sample of the exact form.

    Examples
    --------
    >>> obj = ReducedObjective(model=TaskModel(group="Z96", c_B=4), spectrum=Spectrum((5,)))
    >>> float(obj.rate(0.0)) == 0.0 or abs(float(obj.rate(0.0))) < 1e-15   # abelian symmetry
    True
    """

    model: TaskModel
    spectrum: Spectrum
    form: Form = "exact"
    length_normalized: bool = True
    n_prompts: int = DEFAULT_PROMPTS
    seed: int = DEFAULT_SEED

    def __post_init__(self) -> None:
        if self.form not in ("exact", "mean_field"):
            raise ValueError(f"ReducedObjective: form must be 'exact' or 'mean_field'; got {self.form!r}.")
        if not isinstance(self.spectrum, Spectrum):
            raise ValueError(f"ReducedObjective: spectrum must be a Spectrum; got {self.spectrum!r}.")
        self.spectrum.check_fits(self.model.order, self.model.M)

    @property
    def c(self) -> NDArray[np.float64]:
        """Per-horizon gradient weights :math:`w_L c_L`, shape (n_horizons,)."""
        w = np.array(self.spectrum.weights)
        return w / np.array(self.spectrum.horizons) if self.length_normalized else w

    def _poly(self, L: int, x, b):
        """``(P, ∂P/∂x, ∂P/∂b)`` of horizon L at (x, b)."""
        if self.form == "exact":
            return success_polynomial(self.model.group, L, n_prompts=self.n_prompts,
                                      seed=self.seed).evaluate(x, b)
        return mean_field_polynomial(self.model.order, L, x, b)

    def success(self, theta: ArrayLike) -> NDArray[np.float64]:
        """:math:`\\bar P_L(\\theta)` for every horizon, shape (n_horizons,) + θ.shape."""
        t = np.asarray(theta, dtype=np.float64)
        out = []
        for L in self.spectrum.horizons:
            x, b = _step_derivatives(self.model, t, L)[:2]
            out.append(self._poly(L, x, b)[0])
        return np.array(out)

    def success_and_slope(self, theta: ArrayLike) -> tuple[NDArray, NDArray]:
        """``(P, dP/dθ)``, each of shape (n_horizons,) + θ.shape."""
        t = np.asarray(theta, dtype=np.float64)
        P: list[Any] = []
        Ds: list[Any] = []
        for L in self.spectrum.horizons:
            x, b, dx, db = _step_derivatives(self.model, t, L)[:4]
            p, px, pb = self._poly(L, x, b)
            P.append(p)
            Ds.append(px * dx + pb * db)
        D = np.array(Ds)
        if self.form == "exact" and self.model.group.is_abelian:
            # Exact symmetry (docs/theory.md §6, tested on the full Q): dP/dθ = 0 at θ = 0 on
            # abelian groups.  Set it exactly, so that round-off (~1e-17) does not seed the
            # unstable equilibrium.
            D = np.where(t == 0.0, 0.0, D)
        return np.array(P), D

    def rate(self, theta: ArrayLike) -> NDArray[np.float64]:
        r"""Flow rate :math:`G(\theta) = \sum_L w_L c_L\, d\bar P_L/d\theta`."""
        _, D = self.success_and_slope(theta)
        return np.tensordot(self.c, D, axes=1)

    def value(self, theta: ArrayLike) -> NDArray[np.float64]:
        """The mixture success :math:`J(\\theta) = \\sum_L w_L \\bar P_L(\\theta)`."""
        return np.tensordot(np.array(self.spectrum.weights), self.success(theta), axes=1)

    def curvature_at_zero(self, h: float = 1e-4) -> float:
        """:math:`G'(0)` by a central difference (step h): the linear instability rate."""
        return float((self.rate(h) - self.rate(-h)) / (2 * h))

    def per_step_score_variance(self, theta: float, L: int) -> tuple[float, float, float]:
        r"""Per-step variances of the scores under the step law at θ, horizon L.

        Returns ``(var_theta, var_diag, var_off)``: of :math:`\partial_\theta \log p_k(h)`
        along the ansatz, of :math:`\partial \log p_k(h)/\partial Q[q_k, p_k]` (own clause)
        and of :math:`\partial \log p_k(h)/\partial Q[q_k, p_j]`, j ≠ k.
        """
        x, b, dx, db, qr, qo, qf, a = (float(v) for v in _step_derivatives(self.model, cast(NDArray, np.float64(theta)), L))
        B, o = self.model.B, (1 - a) / (L - 1) if L > 1 else 0.0
        n = self.model.order

        def var(v_r, v_o_list, v_f):
            # v_o_list: (value, count) pairs for the other prompt operations
            probs = [qr] + [qo * c for _, c in v_o_list] + [qf * (n - L)]
            vals = [v_r] + [v for v, _ in v_o_list] + [v_f]
            mu = sum(p * v for p, v in zip(probs, vals))
            return float(B * B * (sum(p * v * v for p, v in zip(probs, vals)) - mu * mu))

        da = a * (1 - a)
        vt = var(da, [(-da / (L - 1) if L > 1 else 0.0, L - 1)], 0.0)
        vd = var(a * (1 - a), [(-a * o, L - 1)], 0.0)
        if L > 1:
            vo = var(-o * a, [(o * (1 - o), 1), (-o * o, L - 2)], 0.0)
        else:
            vo = 0.0
        return vt, vd, vo


# ----------------------------------------------------------------------------- flow
@dataclass(frozen=True, repr=False)
class FlowSolution(StatusResult):
    r"""A solved reduced flow.

    Attributes
    ----------
    t : ndarray, shape (n_t,)
        Times, in the unit of ``rate`` (flow time τ, or updates).
    theta : ndarray, shape (n_t,)
    p_success : ndarray, shape (n_horizons, n_t)
        Rows follow ``spectrum.horizons``.
    crossings : Mapping[(horizon, level), float]
        First time :math:`\bar P_L` reaches each level (``inf`` if not reached).
    status, message
        As in :func:`scipy.integrate.solve_ivp`: −1 failed, 0 reached t_max, 1 all crossed.
    """

    t: NDArray
    theta: NDArray
    p_success: NDArray
    crossings: Mapping[tuple[int, float], float]
    status: int
    message: str

    def _repr_details(self) -> str:
        return f"t={self.t.shape}, p_success={self.p_success.shape}, n_crossings={len(self.crossings)}"


def integrate_flow(objective: ReducedObjective, *, theta0: float = 0.0, t_max: float = 1e4,
                   time_scale: float = 1.0, rate=None, system=None,
                   levels: Sequence[float] = (0.5, 0.9),
                   n_eval: int = 400, method: str = "LSODA", rtol: float = 1e-8,
                   atol: float = 1e-12, include_crossings: bool = False) -> FlowSolution:
    r"""Integrate :math:`d\theta/dt = s\,G(\theta)` with :func:`scipy.integrate.solve_ivp`.

    ``time_scale`` s converts flow time into the caller's unit (e.g. η/(M−1) per update
    for SGD); ``rate``, a callable θ -> dθ/dt, replaces :math:`s\,G` altogether;
    ``system = (rhs, y0_extra)`` integrates a larger state whose first coordinate is θ
    (``rhs(t, y)`` returns dy/dt; used for Adam's moments).  Non-terminal events record each horizon's first crossing of each level;
    a terminal event stops the integration once every level is crossed at every
    horizon.  LSODA switches to a stiff method where needed.  The returned grid has
    ``n_eval`` points from 0 to the final time, from the solver's dense output, and with
    ``include_crossings=True`` also every finite crossing time (so that curves read on
    the grid cross each level exactly there).

    Examples
    --------
    >>> obj = ReducedObjective(model=TaskModel(group="Z96", c_B=4),
    ...                        spectrum=Spectrum((5, 15, 45)), form="mean_field",
    ...                        length_normalized=False)
    >>> sol = integrate_flow(obj, t_max=2000.0)
    >>> [round(sol.crossings[(L, 0.5)]) for L in (5, 15, 45)]   # docs/theory.md §4: 384/400/414
    [384, 400, 414]
    """
    hs = objective.spectrum.horizons
    levels = tuple(float(v) for v in levels)
    if not (math.isfinite(t_max) and t_max > 0):
        raise ValueError(f"integrate_flow: t_max must be a finite number > 0; got t_max={t_max!r}.")
    if not (math.isfinite(time_scale) and time_scale > 0):
        raise ValueError(f"integrate_flow: time_scale must be > 0; got {time_scale!r}.")

    y0 = [float(theta0)]
    if system is not None:
        rhs, extra = system
        y0 += [float(v) for v in extra]
    elif rate is None:
        def rhs(t, y):
            return [time_scale * float(objective.rate(y[0]))]
    else:
        def rhs(t, y):
            return [float(rate(y[0]))]

    memo: dict[str, Any] = {}

    def success(th: float) -> NDArray:
        if memo.get("theta") != th:
            memo["theta"], memo["P"] = th, objective.success(th)
        return memo["P"]

    events = []
    keys = []
    for i, L in enumerate(hs):
        for lev in levels:
            def ev(t, y, i=i, lev=lev):
                return float(success(float(y[0]))[i]) - lev
            ev.direction = 1  # type: ignore[attr-defined]  # solve_ivp's event attributes
            events.append(ev)
            keys.append((L, lev))

    def all_done(t, y):
        return float(success(float(y[0])).min()) - max(levels) - 1e-9 if levels else 1.0
    all_done.terminal = True  # type: ignore[attr-defined]
    all_done.direction = 1  # type: ignore[attr-defined]

    sol = solve_ivp(rhs, (0.0, t_max), y0, method=method,
                    events=events + [all_done], rtol=rtol, atol=atol, dense_output=True)
    crossings = {}
    P0 = objective.success(theta0)
    for (L, lev), te in zip(keys, sol.t_events[:-1]):
        i = hs.index(L)
        crossings[(L, lev)] = 0.0 if P0[i] >= lev else (float(te[0]) if len(te) else math.inf)
    t_end = float(sol.t[-1])
    t = np.linspace(0.0, t_end, n_eval)
    if include_crossings:
        t = np.unique(np.concatenate([t, [v for v in crossings.values()
                                          if math.isfinite(v) and v <= t_end]]))
    theta = sol.sol(t)[0] if sol.sol is not None else np.full(t.size, float(theta0))
    status = -1 if sol.status < 0 else (1 if all(np.isfinite(v) for v in crossings.values()) else 0)
    msg = sol.message if status < 0 else ("every level crossed" if status == 1 else
                                          "reached t_max before every level was crossed")
    P = objective.success(theta)
    for arr in (t, theta, P):
        arr.setflags(write=False)
    return FlowSolution(t=t, theta=theta, p_success=P, crossings=crossings, status=status,
                        message=msg)


def discrete_sgd(objective: ReducedObjective, *, lr: float, M: int | None = None,
                 theta0: float = 0.0, n_updates: int = 1000) -> NDArray[np.float64]:
    r"""Expected SGD iterates :math:`\theta_{u+1} = \theta_u + \frac{\eta}{M-1} G(\theta_u)`.

    Returns θ after each update, shape (n_updates + 1,), θ₀ first.

    Examples
    --------
    >>> obj = ReducedObjective(model=TaskModel(group="S4", M=16, c_B=4), spectrum=Spectrum((3,)))
    >>> th = discrete_sgd(obj, lr=30.0, n_updates=50)
    >>> bool(th[-1] > th[0])
    True
    """
    M = objective.model.M if M is None else M
    k = lr / (M - 1)
    th = np.empty(n_updates + 1)
    th[0] = theta0
    for u in range(n_updates):
        th[u + 1] = th[u] + k * float(objective.rate(th[u]))
    return th


@dataclass(frozen=True, repr=False)
class PerIdentifierSolution(StatusResult):
    r"""A solved per-identifier flow (:func:`per_identifier_flow`).

    Attributes
    ----------
    t : ndarray, shape (n_t,)
        Flow times reached (fewer than requested if the solver failed).
    theta : ndarray, shape (n_ids, n_t)
    p_success : ndarray, shape (n_horizons, n_t)
    status : int
        −1 the solver failed; 1 integrated to ``t_max``, which is all this call does (no
        levels to cross, so there is no 0: "stopped at the limit without finishing").
    message : str
    """

    t: NDArray
    theta: NDArray
    p_success: NDArray
    status: int
    message: str

    def __iter__(self):
        """``t, theta, p_success = per_identifier_flow(...)`` still unpacks."""
        return iter((self.t, self.theta, self.p_success))

    def _repr_details(self) -> str:
        return f"t={self.t.shape}, theta={self.theta.shape}"


def per_identifier_flow(objective: ReducedObjective, theta0: ArrayLike, *, t_max: float,
                        n_eval: int = 200, method: str = "LSODA") -> PerIdentifierSolution:
    r"""Integrate the richer per-identifier ansatz (module docstring) from ``theta0``.

    Parameters
    ----------
    theta0 : array_like, shape (n_ids,)
        Initial coefficient of each identifier.

    Returns
    -------
    PerIdentifierSolution
        ``t`` (n_t,), ``theta`` (n_ids, n_t), ``p_success`` (n_horizons, n_t), and the
        solver's ``status``/``message`` (a failed solve is reported, not truncated
        silently).

    Examples
    --------
    >>> obj = ReducedObjective(model=TaskModel(group="Z24", M=16, c_B=4), spectrum=Spectrum((3, 6)))
    >>> sol = per_identifier_flow(obj, [1.0, 1.0], t_max=5.0)
    >>> sol.status, bool(np.allclose(sol.theta[0], sol.theta[1]))   # equal stay equal
    (1, True)
    """
    th0 = np.asarray(theta0, dtype=np.float64)
    if th0.ndim != 1 or th0.size == 0:
        raise ValueError(f"per_identifier_flow: theta0 must be a 1-d array of coefficients; got "
                         f"shape {th0.shape}.")
    if not (math.isfinite(t_max) and t_max > 0):
        raise ValueError(f"per_identifier_flow: t_max must be a finite number > 0; got {t_max!r}.")
    hs = objective.spectrum.horizons
    cw = objective.c

    def parts(y):
        P, rate = [], np.zeros_like(y)
        for L, c in zip(hs, cw):
            x, b, dx, db = _step_derivatives(objective.model, y, L)[:4]
            p, px, pb = objective._poly(L, x.mean(), b.mean())
            P.append(p)
            rate = rate + c * (px * dx + pb * db)
        return np.array(P), rate

    sol = solve_ivp(lambda t, y: parts(y)[1], (0.0, t_max), th0, method=method,
                    t_eval=np.linspace(0, t_max, n_eval), rtol=1e-8, atol=1e-10)
    t = np.asarray(sol.t, dtype=float)
    y = np.asarray(sol.y, dtype=float).reshape(th0.size, t.size)
    P = (np.stack([parts(y[:, i])[0] for i in range(t.size)], axis=1) if t.size
         else np.empty((len(hs), 0)))
    status = -1 if sol.status < 0 else 1
    msg = (f"solver failed at t={t[-1] if t.size else 0.0:.4g} of {t_max:g}: {sol.message}"
           if status < 0 else "reached t_max")
    for arr in (t, y, P):
        arr.setflags(write=False)
    return PerIdentifierSolution(t=t, theta=y, p_success=P, status=status, message=msg)
