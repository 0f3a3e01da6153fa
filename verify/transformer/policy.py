r"""The transformer as an RLVR policy: it writes the chain of thought one state at a time.

:class:`TransformerPolicy` has the interface :mod:`verify.algos` expects of a policy,
``rollout(prompts, *, generator, greedy) -> verify.heads.Rollout``, so REINFORCE and
GRPO of ``verify`` train it unchanged.

A rollout (module :mod:`verify.transformer.tokenize` gives the layout):

1. encode the prompts, clauses listed in a random order;
2. write :math:`s_1, \dots, s_L` autoregressively with a key/value cache, each
   :math:`s_k` sampled from the logits at the query :math:`q_k` (no gradient);
3. if gradients are enabled, one teacher-forced pass over the written sequence gives
   the differentiable :math:`\log \pi(\tau) = \sum_k \log \pi(s_k \mid \text{prefix})`
   and the mean per-step entropy, and, with a reference model, the per-step
   :math:`\mathrm{KL}(\pi \,\|\, \pi_\text{ref})` (exact over the |G| states at every visited
   prefix), kept in :attr:`TransformerPolicy.kl_terms` for the trainer to add.

**Attention on the right clause** (the measured analogue of the theory's θ): at the
query of step k, head h of a layer puts mass :math:`a_h(j)` on clause j's two tokens
(identifier and operation).  The layer's distribution over clauses is
:math:`\alpha_k(j) = \sum_h a_h(j) / \sum_{h, j'} a_h(j')`, directly comparable with the
minimal model's :math:`\alpha_k` over the L clauses (:meth:`TransformerPolicy.attention`
returns it for the layer with the most mass on the right clause, measured on the
correct chain).  Inverting the symmetric ansatz :math:`\alpha = e^\theta/(e^\theta + L - 1)`
gives :math:`\theta_L = \log\frac{(L-1)\alpha_L}{1-\alpha_L}` (:func:`theta_from_alpha`).
"""

from __future__ import annotations

import math
from typing import cast

import torch
from torch import Tensor, nn

from ..heads import Rollout
from ..tasks import Prompts, Task
from .model import Transformer
from .tokenize import clause_positions, correct_chain, encode, query_positions, roles_for

__all__ = ["TransformerPolicy", "theta_from_alpha"]


def theta_from_alpha(alpha: float, L: int) -> float:
    r"""θ of the symmetric ansatz with right-clause mass ``alpha`` at horizon ``L``.

    .. math:: \alpha = \frac{e^\theta}{e^\theta + L - 1}
              \iff \theta = \log\frac{(L-1)\,\alpha}{1-\alpha}

    Examples
    --------
    >>> theta_from_alpha(0.25, 4)        # uniform attention over 4 clauses
    0.0
    >>> round(theta_from_alpha(math.e / (math.e + 3), 4), 12)
    1.0
    """
    if L < 2 or not 0.0 < alpha < 1.0:
        return float("nan")
    return math.log((L - 1) * alpha / (1.0 - alpha))


def _sample(logits: Tensor, generator: torch.Generator | None, greedy: bool) -> Tensor:
    if greedy:
        return logits.argmax(-1)
    return torch.multinomial(torch.softmax(logits, -1), 1, generator=generator)[:, 0]


class TransformerPolicy(nn.Module):
    """A :class:`~verify.transformer.model.Transformer` writing chains of thought for a task.

    Parameters
    ----------
    task : Task
        Group, identifiers and the hidden permutation.
    model : Transformer
        Its parameters are trained.
    ref : Transformer, optional
        Frozen reference (the pretrained model) for the KL penalty.
    kl : bool
        Record the per-rollout KL to ``ref`` in :attr:`kl_terms` (needs ``ref``).

    Examples
    --------
    >>> from groupfourier import CyclicGroup
    >>> from verify.tasks import make_task, sample_prompts
    >>> from verify.transformer.model import ModelConfig
    >>> from verify.transformer.tokenize import Vocab
    >>> task = make_task(CyclicGroup(5), 4, seed=0)
    >>> net = Transformer(ModelConfig(d_model=16, n_heads=2, d_mlp=16), order=5,
    ...                   vocab_size=Vocab(5, 4).size)
    >>> p = sample_prompts(task, 2, 3, seed=torch.Generator().manual_seed(0))
    >>> ro = TransformerPolicy(task, net).rollout(p, generator=torch.Generator().manual_seed(1))
    >>> ro.logp.shape, ro.final.shape
    (torch.Size([3]), torch.Size([3]))
    """

    def __init__(self, task: Task, model: Transformer, *, ref: Transformer | None = None,
                 kl: bool = False):
        super().__init__()
        if kl and ref is None:
            raise ValueError("TransformerPolicy: kl=True needs the reference model ref; got "
                             "ref=None.")
        self.task, self.model, self.kl = task, model, kl
        self.ref = ref
        if ref is not None:
            ref.requires_grad_(False)
        self.kl_terms: list[Tensor] = []

    # ------------------------------------------------------------------ rollouts
    @torch.no_grad()
    def generate(self, tokens: Tensor, L: int, *, generator: torch.Generator | None = None,
                 greedy: bool = False) -> Tensor:
        """Write :math:`s_1..s_L` into a copy of ``tokens`` (P, 4L + 2), one at a time."""
        tok = tokens.clone()
        roles = roles_for(L)
        qpos = query_positions(L)
        first = int(qpos[0]) + 1                       # prefix up to and including q_1
        out = self.model(tok[:, :first], roles[:first])
        for k in range(L):
            s = _sample(out.logits[:, -1], generator, greedy)
            tok[:, qpos[k] + 1] = s
            if k + 1 < L:
                a, b = int(qpos[k]) + 1, int(qpos[k + 1]) + 1   # s_k, q_{k+1}
                out = self.model(tok[:, a:b], roles[a:b], start=a, cache=out.cache)
        return tok

    def rollout(self, prompts: Prompts, *, generator: torch.Generator | None = None,
                greedy: bool = False) -> Rollout:
        """One chain of thought per prompt, sampled (or greedy), as a :class:`Rollout`."""
        L = prompts.horizon
        order_gen = generator if generator is not None else torch.Generator().manual_seed(0)
        tb = encode(self.task, prompts, generator=order_gen)
        tok = self.generate(tb.tokens, L, generator=generator, greedy=greedy)
        qpos = query_positions(L)
        states = tok[:, qpos + 1]
        logits = self.model(tok[:, :-1], roles_for(L)[:-1]).logits[:, qpos]   # (P, L, |G|)
        logq = torch.log_softmax(logits, dim=-1)
        logp = logq.gather(2, states[..., None])[..., 0].sum(1)
        entropy = -(logq.exp() * logq).sum(-1).mean(1)
        if self.kl and torch.is_grad_enabled():
            with torch.no_grad():
                assert self.ref is not None      # self.kl implies a reference model
                ref = torch.log_softmax(self.ref(tok[:, :-1], roles_for(L)[:-1]).logits[:, qpos],
                                        dim=-1)
            self.kl_terms.append((logq.exp() * (logq - ref)).sum(-1).mean(1))
        prev = torch.cat([prompts.s0[:, None], states[:, :-1]], dim=1)
        canonical = (states == self.task.table[prompts.ops, prev]).all(dim=1)
        final = states[:, -1]
        return Rollout(logp=logp, entropy=entropy, final=final,
                       reward=(final == prompts.target).to(logp.dtype), canonical=canonical)

    # ------------------------------------------------------------------ attention
    @torch.no_grad()
    def attention(self, prompts: Prompts, *, generator: torch.Generator | None = None
                  ) -> tuple[Tensor, int]:
        """Step-by-clause attention :math:`\\alpha_k(j)` on the correct chain, (P, L, L).

        Clause j is step j's clause, so the diagonal is the right clause.  Returned for
        the layer with the largest mean right-clause mass, with that layer's index.
        """
        L, P = prompts.horizon, len(prompts)
        order_gen = generator if generator is not None else torch.Generator().manual_seed(0)
        tb = encode(self.task, prompts, generator=order_gen, states=correct_chain(self.task,
                                                                                  prompts))
        out = self.model(tb.tokens[:, :-1], roles_for(L)[:-1], need_attn=True)
        qpos = query_positions(L)
        cpos = clause_positions(tb.order)                              # (P, L) id positions
        best, best_layer, best_alpha = -1.0, 0, None
        for i, a in enumerate(out.attn):
            a = a[:, :, qpos].sum(1)                                   # (P, L steps, T)
            idx = cpos[:, None, :].expand(P, L, L)
            mass = a.gather(2, idx) + a.gather(2, idx + 1)             # (P, L, L clauses)
            alpha = mass / mass.sum(-1, keepdim=True).clamp_min(1e-30)
            right = float(alpha.diagonal(dim1=1, dim2=2).mean())
            if right > best:
                best, best_layer, best_alpha = right, i, alpha
        return cast(Tensor, best_alpha), best_layer      # a model has >= 1 layer

    def clause_rate(self, prompts: Prompts) -> float:
        """Fraction of greedy steps that apply *some* prompt operation to the current state.

        1.0 means the pretrained skill carries over to long prompts and only the choice of
        clause is wrong; chance for a random state is about L/|G|.
        """
        with torch.no_grad():
            ro_tok = self.generate(encode(self.task, prompts,
                                          generator=torch.Generator().manual_seed(0)).tokens,
                                   prompts.horizon, greedy=True)
        L = prompts.horizon
        states = ro_tok[:, query_positions(L) + 1]
        prev = torch.cat([prompts.s0[:, None], states[:, :-1]], dim=1)
        cand = self.task.table[prompts.ops[:, None, :], prev[:, :, None]]      # (P, L, L)
        return float((cand == states[:, :, None]).any(-1).double().mean())
