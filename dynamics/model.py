r"""The task and the idealised model: group, identifiers, head strength, one-step law.

Our reconstruction (docs/theory.md §2, not a quotation of the paper).  At step k the
attention :math:`\alpha_k(j)` over the L clauses puts the operation mass
:math:`m_k = \sum_j \alpha_k(j)\,\delta_{g_j}` on G; the frozen idealised head has
logits :math:`B\, m_k(y s_{k-1}^{-1}) + \sigma_0` with :math:`B = c_B \log|G|`.  The
constant :math:`\sigma_0` cancels in the softmax, so the increment
:math:`h_k = s_k s_{k-1}^{-1}` has the state-independent law

.. math::
    p_k(g_j) = \frac{e^{B \alpha_k(j)}}{Z_k}, \qquad
    p_k(h) = c_k = \frac{1}{Z_k}\ (h \notin \{g_1..g_L\}), \qquad
    Z_k = \sum_j e^{B\alpha_k(j)} + |G| - L .

Only L + 1 distinct values occur: one per prompt operation and one common value
off the prompt.  Under the symmetric ansatz :math:`Q = \theta\,\Pi` the attention is
:math:`\alpha = e^\theta/(e^\theta + L - 1)` on the right clause and
:math:`(1-\alpha)/(L-1)` on each other one (:func:`symmetric_attention`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from groupfourier import FiniteGroup, group_from_name

__all__ = ["TaskModel", "StepLaw", "step_law", "symmetric_attention", "symmetric_step_law",
           "symmetric_step_law_derivative"]


@dataclass(frozen=True, kw_only=True)
class TaskModel:
    r"""The task and the idealised frozen head.

    Parameters
    ----------
    group : FiniteGroup or str
        Any :mod:`groupfourier` group, or its name (``"Z96"``, ``"D48"``, ``"S5"``).
    M : int
        Number of identifiers (default 64); every horizon must be ≤ M.
    c_B : float
        Head strength in units of :math:`\log|G|`: :math:`B = c_B \log|G|` (default 4).

    Examples
    --------
    >>> m = TaskModel(group="Z96", c_B=4)
    >>> m
    TaskModel(group=CyclicGroup(96), M=64, c_B=4, B=18.26)
    >>> TaskModel(group="Z12", c_B=-1)
    Traceback (most recent call last):
    ...
    ValueError: TaskModel: c_B must be a finite number > 0 (B = c_B log|G|); got c_B=-1.
    """

    group: FiniteGroup
    M: int = 64
    c_B: float = 4.0

    def __post_init__(self) -> None:
        g = self.group
        if isinstance(g, str):
            g = group_from_name(g)
        if not isinstance(g, FiniteGroup):
            raise ValueError(f"TaskModel: group must be a groupfourier FiniteGroup or a name such "
                             f"as 'Z96'; got group={self.group!r}.")
        if g.order < 2:
            raise ValueError(f"TaskModel: the group needs at least 2 elements; got {g!r}.")
        object.__setattr__(self, "group", g)
        if isinstance(self.M, (bool, np.bool_)) or not isinstance(self.M, (int, np.integer)) \
                or self.M < 2:
            raise ValueError(f"TaskModel: M is the number of identifiers, an integer >= 2; "
                             f"got M={self.M!r}.")
        object.__setattr__(self, "M", int(self.M))
        c = self.c_B
        if isinstance(c, bool) or not isinstance(c, (int, float, np.number)) \
                or not math.isfinite(c) or c <= 0:
            raise ValueError(f"TaskModel: c_B must be a finite number > 0 (B = c_B log|G|); "
                             f"got c_B={c!r}.")
        object.__setattr__(self, "c_B", float(c))

    def __repr__(self) -> str:
        return f"TaskModel(group={self.group!r}, M={self.M}, c_B={self.c_B:g}, B={self.B:.4g})"

    @property
    def order(self) -> int:
        """|G|."""
        return self.group.order

    @property
    def B(self) -> float:
        r""":math:`B = c_B \log|G|`."""
        return self.c_B * math.log(self.group.order)

    @property
    def sigma0(self) -> float:
        r""":math:`\sigma_0 = |G|^{-1/2}`; it shifts every logit equally and so cancels."""
        return self.group.order ** -0.5

    def check_horizon(self, L: int) -> int:
        """Return L as an int, or raise ``ValueError`` unless 1 ≤ L ≤ min(|G|, M)."""
        if isinstance(L, (bool, np.bool_)) or not isinstance(L, (int, np.integer)) or L < 1:
            raise ValueError(f"TaskModel: a horizon is a positive integer; got L={L!r}.")
        if L > min(self.order, self.M):
            raise ValueError(f"TaskModel: horizon L={L} exceeds min(|G|, M)={min(self.order, self.M)}"
                             f" for {self.group.name} with M={self.M}; prompts hold L distinct "
                             f"operations and identifiers.")
        return int(L)


class StepLaw(NamedTuple):
    """One step's increment law: mass on each prompt operation and the common off-prompt mass.

    ``on_ops[..., j]`` is :math:`p_k(g_j)`; ``off`` is the probability of each single
    element outside the prompt.  ``on_ops.sum(-1) + (|G| − L) * off == 1``.
    """

    on_ops: NDArray[np.float64]
    off: NDArray[np.float64]


def step_law(model: TaskModel, alpha: ArrayLike) -> StepLaw:
    r"""The idealised head's increment law for attention ``alpha`` over the L clauses.

    .. math:: p(g_j) = e^{B\alpha_j}/Z,\quad p(h\notin\text{prompt}) = 1/Z,
              \quad Z = \sum_j e^{B\alpha_j} + |G| - L.

    Parameters
    ----------
    alpha : array_like, shape (..., L)
        Attention weights (non-negative, summing to 1 on the last axis).

    Examples
    --------
    With B = log 5 the weights are 5 and 1 on the operations and 1 on each of the
    3 other elements, so Z = 9:

    >>> law = step_law(TaskModel(group="Z5", c_B=1), [1.0, 0.0])
    >>> bool(np.allclose(law.on_ops, [5 / 9, 1 / 9]) and np.isclose(law.off, 1 / 9))
    True
    """
    a = np.asarray(alpha, dtype=np.float64)
    L = a.shape[-1] if a.ndim else 0
    if a.ndim == 0 or L == 0 or L > model.order:
        raise ValueError(f"step_law: alpha must have shape (..., L) with 1 <= L <= |G|={model.order}; "
                         f"got shape {a.shape}.")
    if np.any(a < 0) or not np.allclose(a.sum(-1), 1.0, atol=1e-9):
        raise ValueError("step_law: alpha must be attention weights, non-negative and summing "
                         "to 1 over the last axis.")
    logits = model.B * a
    top = np.maximum(logits.max(-1), 0.0)
    e = np.exp(logits - top[..., None])
    z = e.sum(-1) + (model.order - L) * np.exp(-top)
    return StepLaw(e / z[..., None], np.exp(-top) / z)


def symmetric_attention(theta: ArrayLike, L: int) -> NDArray[np.float64]:
    r"""Attention on the right clause under :math:`Q = \theta\,\Pi`: :math:`e^\theta/(e^\theta+L-1)`.

    Examples
    --------
    >>> float(symmetric_attention(0.0, 4))
    0.25
    """
    t = np.asarray(theta, dtype=np.float64)
    # 1 / (1 + (L-1) e^{-θ}), written to stay finite for large |θ|.
    return 1.0 / (1.0 + (L - 1) * np.exp(-t))


def symmetric_step_law(model: TaskModel, theta: ArrayLike, L: int
                       ) -> tuple[NDArray, NDArray, NDArray]:
    r"""``(q_right, q_other, q_off)`` under :math:`Q = \theta\,\Pi` at horizon L.

    ``q_right`` is the probability of the right operation, ``q_other`` of each other
    prompt operation, ``q_off`` of each element outside the prompt; so
    ``q_right + (L−1) q_other + (|G|−L) q_off == 1``.

    Examples
    --------
    >>> m = TaskModel(group="Z96", c_B=8)
    >>> [round(float(x), 4) for x in symmetric_step_law(m, 0.0, 5)]
    [0.1976, 0.1976, 0.0001]
    """
    L = model.check_horizon(L)
    t = np.asarray(theta, dtype=np.float64)
    a = symmetric_attention(t, L)
    o = (1.0 - a) / (L - 1) if L > 1 else np.zeros_like(a)
    B = model.B
    top = np.maximum(B * a, 0.0)  # the right clause carries the largest logit once θ >= 0
    top = np.maximum(top, B * o)
    er, eo, ef = np.exp(B * a - top), np.exp(B * o - top), np.exp(-top)
    z = er + (L - 1) * eo + (model.order - L) * ef
    return er / z, eo / z, ef / z


def symmetric_step_law_derivative(model: TaskModel, theta: ArrayLike, L: int
                                  ) -> tuple[NDArray, ...]:
    r"""``(q_r, q_o, q_f, dq_r/dθ, dq_o/dθ, dq_f/dθ)`` of :func:`symmetric_step_law` (analytic).

    :math:`d\log q_y/d\theta = B\,dm_y/d\theta - \mathbb{E}_q[B\,dm/d\theta]`, with
    :math:`dm_\text{right}/d\theta = \alpha(1-\alpha)`, :math:`dm_\text{other}/d\theta =
    -\alpha(1-\alpha)/(L-1)` and 0 off the prompt.

    Examples
    --------
    >>> m = TaskModel(group="Z12", c_B=2)
    >>> d = symmetric_step_law_derivative(m, 0.3, 4)
    >>> h = 1e-6
    >>> fd = (symmetric_step_law(m, 0.3 + h, 4)[0] - symmetric_step_law(m, 0.3 - h, 4)[0]) / (2 * h)
    >>> bool(np.isclose(d[3], fd))
    True
    """
    L = model.check_horizon(L)
    t = np.asarray(theta, dtype=np.float64)
    a = symmetric_attention(t, L)
    da = a * (1.0 - a)
    do = -da / (L - 1) if L > 1 else np.zeros_like(da)
    qr, qo, qf = symmetric_step_law(model, t, L)
    B = model.B
    mean = B * (qr * da + (L - 1) * qo * do)
    return qr, qo, qf, qr * (B * da - mean), qo * (B * do - mean), qf * (-mean)
