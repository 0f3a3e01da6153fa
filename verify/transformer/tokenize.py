r"""Prompts and chains of thought as token sequences for the transformer policy.

Layout of a prompt of horizon L with its chain of thought (length 4L + 2)::

    position   0    1    ...  2L-2  2L-1   2L    2L+1  2L+2  2L+3  ...  4L    4L+1
    token      p    g    ...  p     g      SEP   s0    q1    s1    ...  qL    sL
    role       id   op   ...  id    op     sep   state query state ...  query state

* The L clauses ``(p_j, g_j)`` come first, **in a shuffled order** (drawn from the
  caller's generator): the order in which they are listed says nothing about the step
  that uses them, as in the theory, where step k finds its clause only through the
  identifiers (:math:`q_k = \pi(p_k)`).  Listing them in step order would let a model
  solve the task by position alone.
* Then the separator, the initial state :math:`s_0` and the chain of thought: the
  environment writes the query identifier :math:`q_k` of step k (it is part of the
  prompt in the theory too), and the model writes the state :math:`s_k` at the
  position right after it.  The model's prediction of :math:`s_k` is read at the
  position of :math:`q_k` (``query_positions``).
* :math:`s_0` sits right before :math:`q_1`, so at every step the current state is the
  token just before the query: a one-step prompt (L = 1) has the same local structure
  as every step of a long chain, which is what lets the pretrained one-step skill carry
  over to long prompts.

Vocabulary: group elements ``0..|G|-1`` (as operations and as states), clause
identifiers ``|G|..|G|+M-1``, the separator ``|G|+M`` and **query names**
``|G|+M+1..|G|+2M``: the query :math:`q_k = \pi(p_k)` is written with a token of its own,
not with the clause identifier of the same number.  The minimal model's score matrix
:math:`Q[q, p]` has independent rows (queries) and columns (clause identifiers); sharing
one embedding between the two ties them, and the pretrained "find the clause I name"
skill then pulls every query towards the clause of its own number, which the hidden
:math:`\pi` never asks for.  Measured on D5 {2, 4, 8} (``docs/transformer.md``): with
shared tokens RLVR left L2 at 0.64 after 800 updates; with query names every horizon is
at >= 0.96 by update 100.  A second integer per token, its **role** (:data:`ROLES`), tells
an element used as an operation from one used as a state, and a clause identifier from a
lookup query; roles depend only on the position, so they are the same for every prompt
of a horizon.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from ..tasks import Prompts, Task, chain_product

__all__ = ["ROLES", "Vocab", "TokenBatch", "encode", "decode", "roles_for", "query_positions",
           "state_positions", "clause_positions", "sequence_length"]

#: role ids of the token kinds, in this order
#: ("lookup" marks a query that names its clause's identifier directly: pretraining only)
ROLES: tuple[str, ...] = ("id", "op", "sep", "state", "query", "lookup")
_ID, _OP, _SEP, _STATE, _QUERY, _LOOKUP = range(6)


@dataclass(frozen=True)
class Vocab:
    """Token ids for a group of order ``order`` and ``n_ids`` identifiers.

    Examples
    --------
    >>> v = Vocab(order=6, n_ids=4)
    >>> v.size, v.identifier(0), v.sep, v.query(0)
    (15, 6, 10, 11)
    """

    order: int
    n_ids: int

    @property
    def size(self) -> int:
        """Number of distinct tokens: |G| + 2M + 1."""
        return self.order + 2 * self.n_ids + 1

    @property
    def sep(self) -> int:
        """The separator's token id."""
        return self.order + self.n_ids

    def identifier(self, p: int | Tensor) -> int | Tensor:
        """Token id of identifier ``p`` (an int or an int64 tensor)."""
        return p + self.order

    def query(self, q: int | Tensor) -> int | Tensor:
        """Token id of query name ``q`` (an int or an int64 tensor)."""
        return q + self.order + self.n_ids + 1


def sequence_length(L: int) -> int:
    """Length 4L + 2 of a prompt of horizon L with its full chain of thought."""
    return 4 * L + 2


def query_positions(L: int) -> Tensor:
    """Positions of the queries :math:`q_1..q_L`, where :math:`s_1..s_L` are predicted, (L,).

    Examples
    --------
    >>> query_positions(3).tolist()
    [8, 10, 12]
    """
    return 2 * L + 2 + 2 * torch.arange(L)


def state_positions(L: int) -> Tensor:
    """Positions of the written states :math:`s_1..s_L`, shape (L,)."""
    return query_positions(L) + 1


def clause_positions(order: Tensor) -> Tensor:
    """Position of clause k's identifier token (its operation follows), shape (P, L).

    ``order`` is the (P, L) listing order returned by :func:`encode`: listed clause j is
    clause ``order[:, j]`` of the step sequence.
    """
    return 2 * order.argsort(dim=1)


def roles_for(L: int, *, lookup: bool = False) -> Tensor:
    """The role of every position of a length-(4L + 2) sequence, int64 (4L + 2,).

    Examples
    --------
    >>> [ROLES[r] for r in roles_for(1).tolist()]
    ['id', 'op', 'sep', 'state', 'query', 'state']
    """
    r = torch.empty(sequence_length(L), dtype=torch.long)
    r[0:2 * L:2], r[1:2 * L:2] = _ID, _OP
    r[2 * L], r[2 * L + 1] = _SEP, _STATE
    r[2 * L + 2::2], r[2 * L + 3::2] = (_LOOKUP if lookup else _QUERY), _STATE
    return r


@dataclass(frozen=True, eq=False)
class TokenBatch:
    """Token sequences of P prompts of one horizon L.

    Attributes
    ----------
    tokens : Tensor, shape (P, 4L + 2), int64
        Full sequences; the states after ``s0`` are those given to :func:`encode` (or
        the correct chain when none were given).
    order : Tensor, shape (P, L), int64
        Listed clause j is the prompt's clause ``order[:, j]`` (step order).
    horizon : int
    """

    tokens: Tensor
    order: Tensor
    horizon: int

    @property
    def roles(self) -> Tensor:
        """Roles, shape (4L + 2,), shared by every row."""
        return roles_for(self.horizon)


def correct_chain(task: Task, prompts: Prompts) -> Tensor:
    """The intended states :math:`s_k = g_k s_{k-1}`, k = 1..L, shape (P, L)."""
    L = prompts.horizon
    return torch.stack([chain_product(task.table, prompts.ops[:, :k], prompts.s0)
                        for k in range(1, L + 1)], dim=1)


def encode(task: Task, prompts: Prompts, *, generator: torch.Generator,
           states: Tensor | None = None) -> TokenBatch:
    r"""Token sequences of ``prompts`` with the clauses listed in a random order.

    Parameters
    ----------
    task : Task
    prompts : Prompts
        P prompts of horizon L.
    generator : torch.Generator
        Draws the listing order of the clauses.
    states : Tensor, shape (P, L), optional
        The chain of thought :math:`s_1..s_L`; the correct chain by default.

    Returns
    -------
    TokenBatch

    Examples
    --------
    >>> from groupfourier import CyclicGroup
    >>> from verify.tasks import make_task, sample_prompts
    >>> task = make_task(CyclicGroup(5), 3, seed=0)
    >>> p = sample_prompts(task, 1, 1, seed=torch.Generator().manual_seed(0))
    >>> tb = encode(task, p, generator=torch.Generator().manual_seed(0))
    >>> tb.tokens.shape, int(tb.tokens[0, 2]) == Vocab(5, 3).sep
    (torch.Size([1, 6]), True)
    """
    P, L = len(prompts), prompts.horizon
    vocab = Vocab(task.G.order, task.n_ids)
    if states is None:
        states = correct_chain(task, prompts)
    if tuple(states.shape) != (P, L):
        raise ValueError(f"encode: states must have shape (P, L) = {(P, L)}; "
                         f"got {tuple(states.shape)}.")
    order = torch.rand(P, L, generator=generator).argsort(dim=1)
    tok = torch.empty(P, sequence_length(L), dtype=torch.long)
    tok[:, 0:2 * L:2] = vocab.identifier(prompts.ids.gather(1, order))
    tok[:, 1:2 * L:2] = prompts.ops.gather(1, order)
    tok[:, 2 * L] = vocab.sep
    tok[:, 2 * L + 1] = prompts.s0
    tok[:, 2 * L + 2::2] = vocab.query(task.perm[prompts.ids])
    tok[:, 2 * L + 3::2] = states
    return TokenBatch(tokens=tok, order=order, horizon=L)


def decode(task: Task, tokens: Tensor) -> tuple[Prompts, Tensor]:
    """Inverse of :func:`encode`: the prompts (clauses in step order) and the written states.

    Step k's clause is the one whose identifier p satisfies :math:`\\pi(p) = q_k`.

    Returns
    -------
    prompts : Prompts
        ``target`` is recomputed from the clauses.
    states : Tensor, shape (P, L)

    Examples
    --------
    >>> from groupfourier import DihedralGroup
    >>> from verify.tasks import make_task, sample_prompts
    >>> task = make_task(DihedralGroup(3), 5, seed=1)
    >>> p = sample_prompts(task, 3, 4, seed=torch.Generator().manual_seed(2))
    >>> q, s = decode(task, encode(task, p, generator=torch.Generator().manual_seed(3)).tokens)
    >>> bool((q.ops == p.ops).all() and (q.ids == p.ids).all())
    True
    """
    P, T = tokens.shape
    if (T - 2) % 4 or T < 6:
        raise ValueError(f"decode: a sequence has length 4L + 2 for some L >= 1; got length {T}.")
    L = (T - 2) // 4
    n = task.G.order
    listed_ids = tokens[:, 0:2 * L:2] - n
    listed_ops = tokens[:, 1:2 * L:2]
    inv = task.perm.argsort()
    step_ids = inv[tokens[:, 2 * L + 2::2] - Vocab(n, task.n_ids).query(0)]                     # p_k = pi^{-1}(q_k)
    where = (listed_ids[:, None, :] == step_ids[:, :, None]).float().argmax(dim=2)
    ops = listed_ops.gather(1, where)
    s0 = tokens[:, 2 * L + 1]
    target = chain_product(task.table, ops, s0)
    return Prompts(ops=ops, ids=step_ids, s0=s0, target=target), tokens[:, 2 * L + 3::2]
