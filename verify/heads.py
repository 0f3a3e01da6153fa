r"""Frozen one-step heads (theory §2) and their chain-of-thought rollouts.

A head maps the operation mass :math:`m_k = \sum_j \alpha_k(j)\,\delta_{g_j}` and the
current state :math:`s_{k-1}` to logits over G.  Two heads are provided:

* :class:`IdealHead`: :math:`\mathrm{logit}_y = B\, m_k(y s_{k-1}^{-1}) + \sigma_0`, so the
  increment :math:`h_k = s_k s_{k-1}^{-1}` has law :math:`\mathrm{softmax}_h(B\, m_k(h))`,
  independent of the state.  The law is exactly a choice among L + 1 outcomes (the L
  distinct prompt operations, with logit :math:`B\alpha_k(j)`, and "elsewhere", with
  logit :math:`\log(|G| - L)`, uniform over the other elements), so every step of every
  prompt is sampled at once and the state is the Cayley-table product of the increments.
* :class:`LearnedHead`: a ReLU MLP on ``[onehot(s), m]`` pretrained on all one-step pairs
  :math:`(g, s) \mapsto g s` to 100% accuracy, then frozen; its logits are rescaled
  once so that the mean margin (right logit minus the mean of the others) over all pairs
  is :math:`B`, the idealised head's margin on a one-hot mass.  The rollout is
  sequential, but the state-independent half of the first layer,
  :math:`W_m m_k`, is computed for every step before the loop.

Both return a :class:`Rollout`; any policy returning one plugs into :mod:`verify.algos`.
"""

from __future__ import annotations

import math
import os
from typing import cast
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor, nn

from groupfourier import FiniteGroup

from .rundir import atomic_path
from .tasks import Prompts, Task, cayley_tensor, chain_product
from .validate import check_float, check_int

__all__ = ["Rollout", "IdealHead", "LearnedHead", "pretrain_head", "load_or_pretrain_head",
           "head_cache_dir", "gumbel_noise"]


@dataclass(frozen=True, eq=False)
class Rollout:
    """One sampled (or greedy) chain of thought per prompt.

    Attributes
    ----------
    logp : Tensor, shape (P,)
        Sum over steps of the log-probability of the written state (differentiable).
    entropy : Tensor, shape (P,)
        Mean over steps of the entropy of the step distribution over G (differentiable).
    final : Tensor, shape (P,), int64
        The written final state :math:`s_L`.
    reward : Tensor, shape (P,), float
        1 where ``final == target``, else 0.
    canonical : Tensor, shape (P,), bool
        Whether every step applied its own clause's operation.

    Examples
    --------
    >>> from groupfourier import CyclicGroup
    >>> from verify.tasks import make_task, sample_prompts
    >>> task = make_task(CyclicGroup(5), 4, seed=0)
    >>> p = sample_prompts(task, 2, 3, seed=torch.Generator().manual_seed(0))
    >>> alpha = torch.eye(2).expand(3, 2, 2)               # all attention on the right clause
    >>> ro = IdealHead(B=50.0, order=5).rollout(task, p, alpha, greedy=True)
    >>> ro.reward.tolist(), ro.canonical.tolist()
    ([1.0, 1.0, 1.0], [True, True, True])
    """

    logp: Tensor
    entropy: Tensor
    final: Tensor
    reward: Tensor
    canonical: Tensor


def gumbel_noise(shape: tuple[int, ...], generator: torch.Generator | None) -> Tensor:
    r"""Standard Gumbel noise :math:`-\log(-\log U)`, U uniform on (0, 1).

    ``argmax(logits + noise)`` over the last axis is an exact sample of
    ``softmax(logits)`` (the Gumbel-max trick); drawing the noise of every step at once
    keeps the random-number generation out of the sequential loop.

    Examples
    --------
    >>> g = torch.Generator().manual_seed(0)
    >>> logits = torch.log(torch.tensor([0.2, 0.8]))
    >>> draws = (logits + gumbel_noise((20000, 2), g)).argmax(-1).double().mean()
    >>> abs(float(draws) - 0.8) < 0.01                     # P(index 1) = 0.8
    True
    """
    u = torch.rand(shape, generator=generator).clamp_(min=1e-20)
    return -(-u.log()).log()


class IdealHead(nn.Module):
    """The idealised head with strength ``B`` on a group of order ``n``.

    Examples
    --------
    >>> head = IdealHead(B=4.0, order=12)
    >>> law = head.reduced_log_law(torch.full((1, 1, 3), 1 / 3)).exp()
    >>> [round(x, 4) for x in law[0, 0].tolist()]   # e^(4/3) : e^(4/3) : e^(4/3) : 9
    [0.1861, 0.1861, 0.1861, 0.4416]
    """

    kind = "ideal"

    def __init__(self, B: float, order: int):
        super().__init__()
        self.B = float(B)
        self.order = int(order)

    def reduced_log_law(self, alpha: Tensor) -> Tensor:
        """Log-probabilities of the L + 1 outcomes of each step, shape (P, L, L + 1).

        ``alpha`` has shape (P, L, L): step k's attention over the L clauses.  The last
        outcome is "elsewhere" (any of the |G| - L other elements, each with logit 0).
        """
        L = alpha.shape[-1]
        n_out = self.order - L
        out = torch.full(alpha.shape[:-1] + (1,), math.log(n_out) if n_out else -math.inf,
                         dtype=alpha.dtype)
        return torch.log_softmax(torch.cat([self.B * alpha, out], dim=-1), dim=-1)

    def rollout(self, task: Task, prompts: Prompts, alpha: Tensor, *,
                generator: torch.Generator | None = None, greedy: bool = False) -> Rollout:
        """All steps at once: sample each step's outcome, then multiply the increments."""
        ops, P, L = prompts.ops, len(prompts), prompts.horizon
        n_out = self.order - L
        logq = self.reduced_log_law(alpha)                      # (P, L, L+1)
        if greedy:  # the most likely element: a prompt operation, since B*alpha > 0 = others
            choice = alpha.argmax(dim=-1)
        else:
            # inverse CDF: one uniform per step (cheaper than L + 1 Gumbel variables)
            cdf = logq.detach().exp().cumsum(-1)
            u = torch.rand(logq.shape[:-1] + (1,), generator=generator) * cdf[..., -1:]
            choice = (cdf < u).sum(-1).clamp_(max=L)
        inside = choice < L
        inc = ops.gather(1, choice.clamp(max=L - 1))
        if n_out:
            if not greedy:
                r = torch.floor(torch.rand(P, L, generator=generator) * n_out).long()
            else:
                r = torch.zeros(P, L, dtype=torch.long)
            present = torch.zeros(P, self.order, dtype=torch.int8).scatter_(1, ops, 1)
            others = present.argsort(dim=1, stable=True)[:, :n_out]   # non-prompt elements
            inc = torch.where(inside, inc, others.gather(1, r))
        log_nout = math.log(n_out) if n_out else 0.0
        step_logp = logq.gather(2, choice[..., None])[..., 0] - (~inside) * log_nout
        q = logq.exp()
        ent = -(q * logq.nan_to_num(neginf=0.0)).sum(-1) + q[..., -1] * log_nout
        final = chain_product(task.table, inc, prompts.s0)
        canonical = (choice == torch.arange(L)).all(dim=1)
        return Rollout(logp=step_logp.sum(1), entropy=ent.mean(1), final=final,
                       reward=(final == prompts.target).to(alpha.dtype), canonical=canonical)

    def canonical_probability(self, alpha: Tensor) -> Tensor:
        """Exact probability, per prompt, that every step applies its own clause, shape (P,)."""
        logq = self.reduced_log_law(alpha)
        return logq.diagonal(dim1=1, dim2=2).sum(-1).exp()


class LearnedHead(nn.Module):
    """A one-hidden-layer ReLU MLP head on ``[onehot(s), m]`` with a logit scale.

    ``W_s`` and ``W_m`` are the two halves of the first layer, stored as (|G|, H)
    embeddings; ``scale`` multiplies the logits (set by :meth:`calibrate`).
    The initialisation draws from a private generator seeded by ``seed`` (the global
    RNG is neither read nor changed).

    Examples
    --------
    >>> h = LearnedHead(6, 16, seed=1)
    >>> h(torch.tensor([0, 3]), torch.eye(6)[[1, 2]]).shape
    torch.Size([2, 6])
    >>> torch.equal(h.W_s, LearnedHead(6, 16, seed=1).W_s)
    True
    """

    kind = "learned"

    scale: Tensor         # a buffer (register_buffer)

    def __init__(self, order: int, hidden: int, *, seed: int = 0):
        super().__init__()
        self.order, self.hidden = int(order), int(hidden)
        # a private generator: the draws of `torch.manual_seed(seed)` followed by the
        # default initialisation, without touching the global RNG
        gen = torch.Generator().manual_seed(int(seed))
        self.W_s = nn.Parameter(torch.randn(order, hidden, generator=gen) / math.sqrt(2 * order))
        self.W_m = nn.Parameter(torch.randn(order, hidden, generator=gen) / math.sqrt(2))
        self.b1 = nn.Parameter(torch.zeros(hidden))
        self.out = torch.nn.utils.skip_init(nn.Linear, hidden, order)
        with torch.no_grad():      # nn.Linear.reset_parameters, drawn from `gen`
            nn.init.kaiming_uniform_(self.out.weight, a=math.sqrt(5), generator=gen)
            bound = 1.0 / math.sqrt(hidden)
            self.out.bias.uniform_(-bound, bound, generator=gen)
        self.register_buffer("scale", torch.tensor(1.0))

    def forward(self, s: Tensor, m: Tensor) -> Tensor:
        """Logits, shape (P, |G|), for states ``s`` (P,) and masses ``m`` (P, |G|)."""
        return self.scale * self.out(torch.relu(self.W_s[s] + m @ self.W_m + self.b1))

    def one_step_logits(self) -> Tensor:
        """Logits for every pair, shape (|G|, |G|, |G|): ``[g, s, y]`` for one-hot g."""
        n = self.order
        g, s = torch.meshgrid(torch.arange(n), torch.arange(n), indexing="ij")
        m = torch.nn.functional.one_hot(g.reshape(-1), n).to(self.W_m.dtype)
        return self.forward(s.reshape(-1), m).view(n, n, n)

    @torch.no_grad()
    def calibrate(self, table: Tensor, B: float) -> None:
        """Rescale the logits so the mean one-step margin is ``B``."""
        self.scale.fill_(1.0)
        z = self.one_step_logits()
        right = z.gather(2, table[..., None])[..., 0]
        margin = (right - (z.sum(-1) - right) / (self.order - 1)).mean()
        self.scale.fill_(float(B / margin))

    def rollout(self, task: Task, prompts: Prompts, alpha: Tensor, *,
                generator: torch.Generator | None = None, greedy: bool = False) -> Rollout:
        """Sequential rollout; ``W_m m_k`` and the sampling noise are hoisted out of the loop."""
        ops, s, L = prompts.ops, prompts.s0, prompts.horizon
        pre_m = alpha @ self.W_m[ops] + self.b1                  # (P, L, H), all steps at once
        W2, b2 = self.scale * self.out.weight.T, self.scale * self.out.bias
        noise = None if greedy else gumbel_noise((L, len(prompts), self.order), generator)
        logp = torch.zeros(len(prompts), dtype=alpha.dtype)
        ent = torch.zeros_like(logp)
        canonical = torch.ones(len(prompts), dtype=torch.bool)
        # unbind: one backward node for all steps (slicing pre_m[:, k] in the loop would
        # allocate a full (P, L, H) gradient per step)
        for k, pre_k in enumerate(pre_m.unbind(1)):
            logits = torch.relu(pre_k + self.W_s[s]) @ W2 + b2
            lp = torch.log_softmax(logits, dim=-1)
            nxt = lp.argmax(-1) if greedy else (lp.detach() + cast(Tensor, noise)[k]).argmax(-1)
            logp = logp + lp.gather(1, nxt[:, None])[:, 0]
            ent = ent - (lp.exp() * lp).sum(-1)
            canonical &= nxt == task.table[ops[:, k], s]
            s = nxt
        return Rollout(logp=logp, entropy=ent / L, final=s,
                       reward=(s == prompts.target).to(alpha.dtype), canonical=canonical)


def pretrain_head(G: FiniteGroup, hidden: int = 256, *, seed: int = 0, max_steps: int = 20000,
                  lr: float = 3e-3) -> tuple[LearnedHead, dict]:
    """Train a :class:`LearnedHead` on all |G|² one-step pairs until 100% accuracy.

    Full-batch Adam on the cross-entropy of ``(g, s) -> g·s``; stops at the first step with
    every pair right (checked every 50 steps) and raises ``RuntimeError`` if ``max_steps``
    pass first.  Returns the frozen head (scale 1) and a report dict.

    Examples
    --------
    >>> from groupfourier import CyclicGroup
    >>> head, info = pretrain_head(CyclicGroup(4), hidden=16)
    >>> info["accuracy"]
    1.0
    """
    who = "pretrain_head"
    if not isinstance(G, FiniteGroup):
        raise TypeError(f"{who}: G must be a groupfourier FiniteGroup; got {type(G).__name__}.")
    hidden = check_int(who, "hidden", hidden, minimum=1, maximum=100_000)
    seed = check_int(who, "seed", seed, minimum=0)
    max_steps = check_int(who, "max_steps", max_steps, minimum=1, maximum=10**9)
    lr = check_float(who, "lr", lr, minimum=0, strict_min=True, maximum=1e30)
    n = G.order
    table = cayley_tensor(G)
    head = LearnedHead(n, hidden, seed=seed)
    opt = torch.optim.Adam(head.parameters(), lr=lr)
    target = table.reshape(-1)
    acc, step = 0.0, 0
    for step in range(1, max_steps + 1):
        z = head.one_step_logits().reshape(-1, n)
        loss = torch.nn.functional.cross_entropy(z, target)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 50 == 0:
            with torch.no_grad():
                acc = float((head.one_step_logits().reshape(-1, n).argmax(-1) == target)
                            .double().mean())
            if acc == 1.0:
                break
    if acc < 1.0:
        raise RuntimeError(f"pretrain_head: {G.name} reached only {acc:.4f} accuracy in "
                           f"{max_steps} steps; raise hidden (got {hidden}) or max_steps.")
    head.requires_grad_(False)
    return head, {"group": G.name, "hidden": hidden, "seed": seed, "steps": step,
                  "accuracy": acc, "loss": float(loss.detach())}


def head_cache_dir() -> Path:
    """Where pretrained heads are cached: ``$VERIFY_CACHE`` or ``~/.cache/verify/heads``.

    Examples
    --------
    >>> import os
    >>> os.environ["VERIFY_CACHE"] = "/tmp/vc"; str(head_cache_dir())
    '/tmp/vc/heads'
    >>> del os.environ["VERIFY_CACHE"]
    """
    return Path(os.environ.get("VERIFY_CACHE", Path.home() / ".cache" / "verify")) / "heads"


def load_or_pretrain_head(G: FiniteGroup, hidden: int, *, B: float, seed: int = 0,
                          rebuild: bool = False) -> LearnedHead:
    """The cached pretrained head for ``(G, hidden, seed)``, built when missing, calibrated to ``B``.

    The artefact is a local torch state dict written atomically; nothing is downloaded.

    Examples
    --------
    >>> import os, tempfile
    >>> from groupfourier import CyclicGroup
    >>> os.environ["VERIFY_CACHE"] = tempfile.mkdtemp()
    >>> head = load_or_pretrain_head(CyclicGroup(3), 16, B=5.0)      # trains, then caches
    >>> sorted(p.name for p in head_cache_dir().iterdir())
    ['Z3_h16_seed0.pt']
    >>> del os.environ["VERIFY_CACHE"]
    """
    hidden = check_int("load_or_pretrain_head", "hidden", hidden, minimum=1, maximum=100_000)
    path = head_cache_dir() / f"{G.name}_h{hidden}_seed{seed}.pt"
    head = LearnedHead(G.order, hidden)
    if path.exists() and not rebuild:
        head.load_state_dict(torch.load(path, weights_only=True))
        head.requires_grad_(False)
    else:
        head, _ = pretrain_head(G, hidden, seed=seed)
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as tmp:
            torch.save(head.state_dict(), tmp)
    head.calibrate(cayley_tensor(G), B)
    return head
