r"""RL objectives on the mixture :math:`J(Q) = \sum_L w_L P_L(Q)` (theory §2).

Each function returns one surrogate loss per horizon (to be minimised; their sum's
gradient estimates :math:`-\nabla J`, or :math:`-\sum_L w_L \nabla P_L / L` with the
1/L normalisation) and a few statistics.  The policy is only used through
``policy.rollout(prompts, generator=...) -> Rollout`` (and ``policy.Q`` for the exact
mode), so any policy with that method plugs in.

* **REINFORCE** with a per-horizon baseline :math:`b`:
  :math:`\hat g = -\frac{w_L}{n_L}\sum_i (r_i - b_i)\,\nabla \log\pi(\tau_i) / L^{\nu}`
  (:math:`\nu = 1` with ``length_norm``).  Baselines: the leave-one-out mean of the
  horizon's other rollouts (``loo``, the default), an EMA of past batch means (``ema``)
  and none are independent of the sample, so the estimate is unbiased; the horizon's
  batch mean (``batch``) includes the sample itself, which scales the expected gradient
  by :math:`1 - 1/n_L` (:math:`n_L` rollouts of horizon L; the theory carries this
  factor, :class:`dynamics.optim.OptimizerSpec`).  An optional entropy bonus adds
  :math:`\beta\,\sum_L w_L\,\overline{H}`.
* **GRPO**-style: each prompt gets ``samples_per_prompt`` rollouts and the advantage is
  :math:`(r_i - \bar r_g)/(\mathrm{std}_g + 10^{-6})` within its group.
* **exact**: the deterministic expected reward through the Fourier formula of
  :func:`dynamics.success.success_probability_torch` (idealised head only); prompts are
  still sampled, rollouts are not.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import Tensor

from .config import RunConfig
from .tasks import Prompts

__all__ = ["AlgoState", "StepStats", "objectives"]


@dataclass
class AlgoState:
    """Mutable algorithm state carried across updates (saved in checkpoints)."""

    ema: dict[int, float] = field(default_factory=dict)


@dataclass(frozen=True)
class StepStats:
    """Per-update statistics: mean reward per horizon, groups with all-equal rewards."""

    reward: dict[int, float]
    zero_std_groups: int
    groups: int


def _baseline(cfg: RunConfig, r: Tensor, L: int, state: AlgoState) -> Tensor:
    if cfg.baseline == "batch":
        return r.mean().expand_as(r)
    if cfg.baseline == "loo":
        n = r.numel()
        return (r.sum() - r) / (n - 1) if n > 1 else torch.zeros_like(r)
    if cfg.baseline == "ema":
        b = state.ema.get(L, 0.0)
        state.ema[L] = cfg.ema_decay * b + (1 - cfg.ema_decay) * float(r.mean())
        return torch.full_like(r, b)
    return torch.zeros_like(r)


def objectives(cfg: RunConfig, policy, prompts: list[Prompts], *, generator: torch.Generator,
               state: AlgoState) -> tuple[list[Tensor], StepStats]:
    """One surrogate loss per horizon for this update, and the update's statistics.

    ``prompts[i]`` holds the prompts of ``cfg.horizons[i]`` (for GRPO, one per group:
    each is rolled out ``cfg.samples_per_prompt`` times).
    """
    terms: list[Tensor] = []
    reward: dict[int, float] = {}
    zero, groups = 0, 0
    for L, w, p in zip(cfg.horizons, cfg.mixture_weights, prompts):
        norm = float(L) if cfg.length_norm else 1.0
        if cfg.algo == "exact":
            terms.append(-(w / norm) * exact_success(cfg, policy, p).mean())
            reward[L] = float(-terms[-1].detach()) * norm / w if w else float("nan")
            continue
        if cfg.algo == "grpo":
            k = cfg.samples_per_prompt
            ro = policy.rollout(p.repeat(k), generator=generator)
            r = ro.reward.view(-1, k)
            std = r.std(dim=1, keepdim=True)
            adv = ((r - r.mean(1, keepdim=True)) / (std + 1e-6)).reshape(-1)
            zero += int((std == 0).sum())
            groups += r.shape[0]
        else:
            ro = policy.rollout(p, generator=generator)
            adv = ro.reward - _baseline(cfg, ro.reward, L, state)
            zero += int(bool((ro.reward == ro.reward[0]).all()))
            groups += 1
        loss = -(w / norm) * (adv.detach() * ro.logp).mean()
        if cfg.entropy_coef:
            loss = loss - cfg.entropy_coef * w * ro.entropy.mean()
        terms.append(loss)
        reward[L] = float(ro.reward.mean())
    return terms, StepStats(reward=reward, zero_std_groups=zero, groups=groups)


def exact_success(cfg: RunConfig, policy, p: Prompts) -> Tensor:
    """Exact success probability of each prompt under ``policy.Q`` (idealised head), (P,)."""
    from dynamics.success import success_probability_torch
    return success_probability_torch(cfg.G, policy.Q, p.ops, p.ids, p.s0, B=cfg.B,
                                     perm=policy.task.perm)
