r"""The minimal model of the theory (§2): trainable attention scores Q and a frozen head.

At step k of a prompt, the query identifier :math:`q_k = \pi(p_k)` attends over the L
clauses with :math:`\alpha_k(j) = \mathrm{softmax}_j\, Q[q_k, p_j]`; the frozen head
turns the operation mass :math:`m_k = \sum_j \alpha_k(j)\delta_{g_j}` and the state
into the next state.  Only Q is trained (zero init by default).

The symmetric ansatz of theory §4 is :math:`Q = \theta P_\pi` with
:math:`P_\pi[\pi(p), p] = 1`; :func:`reduced_theta` measures θ from any Q as the mean,
over identifiers, of the right score minus the mean of the row's other scores (each
row's softmax ignores a constant shift).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from .heads import Rollout
from .tasks import Prompts, Task

__all__ = ["AttentionPolicy", "reduced_theta", "canonical_identifiers"]


class AttentionPolicy(nn.Module):
    """Attention scores ``Q`` (M, M) in front of a frozen one-step head.

    Parameters
    ----------
    task : Task
    head : IdealHead or LearnedHead
        Any module with ``rollout(task, prompts, alpha, *, generator, greedy) -> Rollout``.
    init_std : float
        Standard deviation of the Gaussian initialisation of Q (0 gives Q = 0).
    generator : torch.Generator, optional
        Source of the initialisation noise.

    Examples
    --------
    >>> from groupfourier import CyclicGroup
    >>> from verify.heads import IdealHead
    >>> from verify.tasks import make_task, sample_prompts
    >>> task = make_task(CyclicGroup(8), 6, seed=0)
    >>> policy = AttentionPolicy(task, IdealHead(B=8.3, order=8))
    >>> p = sample_prompts(task, 3, 4, seed=torch.Generator().manual_seed(0))
    >>> policy.attention(p)[0]          # Q = 0: uniform over the 3 clauses
    tensor([[0.3333, 0.3333, 0.3333],
            [0.3333, 0.3333, 0.3333],
            [0.3333, 0.3333, 0.3333]], grad_fn=<SelectBackward0>)
    """

    def __init__(self, task: Task, head: nn.Module, *, init_std: float = 0.0,
                 generator: torch.Generator | None = None):
        super().__init__()
        self.task = task
        self.head: Any = head          # an IdealHead or LearnedHead (rollout)
        M = task.n_ids
        Q = torch.zeros(M, M, dtype=torch.float32)
        if init_std > 0:
            Q = init_std * torch.randn(M, M, generator=generator)
        self.Q = nn.Parameter(Q)

    def attention(self, prompts: Prompts) -> Tensor:
        """Step-by-clause attention :math:`\\alpha_k(j)`, shape (P, L, L)."""
        q = self.task.perm[prompts.ids]                                  # (P, L) queries
        return torch.softmax(self.Q[q[:, :, None], prompts.ids[:, None, :]], dim=-1)

    def rollout(self, prompts: Prompts, *, generator: torch.Generator | None = None,
                greedy: bool = False) -> Rollout:
        """Write one chain of thought per prompt (sampled, or greedy with ``greedy=True``)."""
        return self.head.rollout(self.task, prompts, self.attention(prompts),
                                 generator=generator, greedy=greedy)


def reduced_theta(Q: Tensor, perm: Tensor) -> float:
    """The reduced coefficient θ of the ansatz :math:`Q = \\theta P_\\pi`, measured from Q.

    Examples
    --------
    >>> perm = torch.tensor([2, 0, 1])
    >>> Q = torch.zeros(3, 3); Q[perm, torch.arange(3)] = 1.5
    >>> reduced_theta(Q, perm)
    1.5
    """
    M = Q.shape[0]
    rows = Q.detach()[perm]                     # row p holds the scores of query pi(p)
    right = rows.diagonal()
    others = (rows.sum(1) - right) / max(M - 1, 1)
    return float((right - others).mean())


def canonical_identifiers(Q: Tensor, perm: Tensor) -> float:
    """Fraction of identifiers p whose query :math:`\\pi(p)` scores p strictly highest.

    Examples
    --------
    >>> perm = torch.tensor([1, 0])
    >>> canonical_identifiers(torch.tensor([[0., 1.], [0., 0.]]), perm)
    0.5
    """
    rows = Q.detach()[perm]
    right = rows.diagonal()
    masked = rows.clone()
    masked.fill_diagonal_(-torch.inf)
    return float((right > masked.max(1).values).double().mean())

