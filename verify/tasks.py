r"""Batched, seeded sampler of group state-tracking prompts (theory §1).

A prompt holds an initial state :math:`s_0 \in G` and L clauses: distinct operations
:math:`g_1, \dots, g_L` (sampled without replacement from G) at distinct identifiers
:math:`p_1, \dots, p_L` (from a pool of M).  Step k must find clause k through the
query identifier :math:`q_k = \pi(p_k)` of a hidden permutation :math:`\pi` of the M
identifiers, and apply :math:`s_k = g_k \cdot s_{k-1}` (left multiplication).  Only
:math:`s_L = g_L \cdots g_1 \cdot s_0` is checked.

Everything is index-level torch: elements are positions in ``G.elements`` and products
are gathers in the Cayley table, so nothing loops over group elements.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from groupfourier import FiniteGroup

__all__ = ["Task", "Prompts", "make_task", "sample_prompts", "chain_product", "cayley_tensor",
           "seed_streams"]


@dataclass(frozen=True, eq=False)
class Task:
    """A group, M identifiers and the hidden permutation :math:`\\pi`.

    Attributes
    ----------
    G : FiniteGroup
    n_ids : int
        Number M of identifiers.
    perm : Tensor, shape (M,), int64
        The hidden permutation; the query of clause identifier p is ``perm[p]``.
    table : Tensor, shape (|G|, |G|), int64
        Cayley table, ``table[a, b] = index(elements[a] · elements[b])``.

    Examples
    --------
    >>> from groupfourier import SymmetricGroup
    >>> t = make_task(SymmetricGroup(3), 5, seed=2)
    >>> t.n_ids, t.table.shape, sorted(t.perm.tolist())
    (5, torch.Size([6, 6]), [0, 1, 2, 3, 4])
    """

    G: FiniteGroup
    n_ids: int
    perm: Tensor
    table: Tensor

    def __repr__(self) -> str:
        return f"Task(G={self.G!r}, n_ids={self.n_ids}, left multiplication s_k = g_k s_(k-1))"


@dataclass(frozen=True, eq=False)
class Prompts:
    """A batch of P prompts of one horizon L (all int64 tensors).

    Attributes
    ----------
    ops : Tensor, shape (P, L)
        Operation indices, distinct within a prompt.
    ids : Tensor, shape (P, L)
        Identifier indices, distinct within a prompt.
    s0 : Tensor, shape (P,)
        Initial states.
    target : Tensor, shape (P,)
        :math:`g_L \\cdots g_1 \\cdot s_0`, the only state the reward checks.

    Examples
    --------
    >>> p = Prompts(ops=torch.tensor([[1, 2]]), ids=torch.tensor([[0, 3]]),
    ...             s0=torch.tensor([0]), target=torch.tensor([3]))
    >>> p.horizon, len(p), len(p.repeat(4)), p.repeat(4).ids[3].tolist()
    (2, 1, 4, [0, 3])
    """

    ops: Tensor
    ids: Tensor
    s0: Tensor
    target: Tensor

    @property
    def horizon(self) -> int:
        return int(self.ops.shape[1])

    def __len__(self) -> int:
        return int(self.ops.shape[0])

    def repeat(self, k: int) -> "Prompts":
        """Each prompt repeated ``k`` times in a row (GRPO groups)."""
        return Prompts(*(t.repeat_interleave(k, dim=0) for t in
                         (self.ops, self.ids, self.s0, self.target)))


def cayley_tensor(G: FiniteGroup) -> Tensor:
    """The Cayley table of ``G`` as an int64 torch tensor (a copy), shape (|G|, |G|).

    Examples
    --------
    >>> from groupfourier import CyclicGroup
    >>> cayley_tensor(CyclicGroup(3)).tolist()
    [[0, 1, 2], [1, 2, 0], [2, 0, 1]]
    """
    return torch.from_numpy(np.array(G.cayley_table, dtype=np.int64))


def make_task(G: FiniteGroup, n_ids: int, *, seed: int) -> Task:
    """The task on ``G`` with ``n_ids`` identifiers and a hidden permutation drawn from ``seed``.

    Examples
    --------
    >>> from groupfourier import CyclicGroup
    >>> task = make_task(CyclicGroup(6), 4, seed=0)
    >>> sorted(task.perm.tolist()), int(task.table[2, 5])
    ([0, 1, 2, 3], 1)
    """
    if isinstance(n_ids, bool) or not isinstance(n_ids, int) or n_ids < 1:
        raise ValueError(f"make_task: n_ids is the number of identifiers, an integer >= 1; "
                         f"got n_ids={n_ids!r}.")
    gen = torch.Generator().manual_seed(int(seed))
    perm = torch.randperm(n_ids, generator=gen)
    return Task(G=G, n_ids=n_ids, perm=perm, table=cayley_tensor(G))


def chain_product(table: Tensor, inc: Tensor, s0: Tensor) -> Tensor:
    r"""The state :math:`h_L \cdots h_1 \cdot s_0` for increments ``inc`` of shape (P, L).

    Computed by a balanced tree of Cayley-table gathers (depth :math:`\lceil\log_2 L\rceil`),
    so the cost is O(P L) gathers and no loop over group elements.

    Examples
    --------
    >>> from groupfourier import SymmetricGroup
    >>> G = SymmetricGroup(3)
    >>> inc = torch.tensor([[1, 2, 3]])                  # h1, h2, h3 as element indices
    >>> s3 = chain_product(cayley_tensor(G), inc, torch.tensor([4]))
    >>> int(s3[0]) == int(G.mul_idx(3, G.mul_idx(2, G.mul_idx(1, 4))))
    True
    """
    x = inc
    while x.shape[1] > 1:
        if x.shape[1] % 2:  # keep the last (latest) factor aside
            head, last = x[:, :-1], x[:, -1:]
        else:
            head, last = x, None
        # product of consecutive pairs: later factor on the left
        x = table[head[:, 1::2], head[:, 0::2]]
        if last is not None:
            x = torch.cat([x, last], dim=1)
    return table[x[:, 0], s0] if x.shape[1] else s0


def sample_prompts(task: Task, n_prompts: int, horizon: int, *,
                   generator: torch.Generator) -> Prompts:
    """Sample ``n_prompts`` prompts of horizon L: distinct operations and identifiers each.

    Parameters
    ----------
    task : Task
    n_prompts : int
    horizon : int
        L, at most ``|G|`` and at most M.
    generator : torch.Generator
        The source of randomness (seeded by the caller).

    Returns
    -------
    Prompts

    Examples
    --------
    >>> from groupfourier import DihedralGroup
    >>> task = make_task(DihedralGroup(4), 10, seed=1)
    >>> p = sample_prompts(task, 3, 5, generator=torch.Generator().manual_seed(0))
    >>> p.ops.shape, bool((p.ops.sort(1).values.diff(dim=1) > 0).all())
    (torch.Size([3, 5]), True)
    """
    n = task.G.order
    if isinstance(horizon, bool) or not isinstance(horizon, int) or horizon < 1:
        raise ValueError(f"sample_prompts: horizon must be an integer >= 1; got horizon={horizon!r}.")
    if horizon > n:
        raise ValueError(f"sample_prompts: a prompt holds {horizon} distinct operations but "
                         f"{task.G.name} has only |G| = {n}; use horizon <= {n}.")
    if horizon > task.n_ids:
        raise ValueError(f"sample_prompts: a prompt holds {horizon} distinct identifiers but the "
                         f"task has only M = {task.n_ids}; use horizon <= {task.n_ids}.")
    if isinstance(n_prompts, bool) or not isinstance(n_prompts, int) or n_prompts < 1:
        raise ValueError(f"sample_prompts: n_prompts must be an integer >= 1; got {n_prompts!r}.")
    # the L largest of i.i.d. uniforms per row: a uniform L-subset, in uniform random order
    ops = torch.rand(n_prompts, n, generator=generator).topk(horizon, dim=1).indices
    ids = torch.rand(n_prompts, task.n_ids, generator=generator).topk(horizon, dim=1).indices
    s0 = torch.randint(n, (n_prompts,), generator=generator)
    target = chain_product(task.table, ops, s0)
    return Prompts(ops=ops, ids=ids, s0=s0, target=target)


#: the independent seed streams of a run, in the order :func:`seed_streams` draws them
SEED_STREAMS = ("perm", "init", "train", "eval")


def seed_streams(seed: int, *, salt: int | None = None) -> dict[str, int]:
    """The four independent 32-bit seeds of a run, from :class:`numpy.random.SeedSequence`.

    ``perm`` (the hidden permutation), ``init`` (the initialisation), ``train`` (prompts
    and rollouts of training) and ``eval`` (held-out prompts).  ``salt`` gives another
    family of streams for the same seed (the transformer uses ``salt=7``), so two kinds of
    run with one seed do not share their streams.

    Examples
    --------
    >>> s = seed_streams(0)
    >>> sorted(s), s == seed_streams(0), s == seed_streams(0, salt=7)
    (['eval', 'init', 'perm', 'train'], True, False)
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed_streams: seed must be an integer >= 0; got seed={seed!r}.")
    entropy = int(seed) if salt is None else [int(seed), int(salt)]
    s = np.random.SeedSequence(entropy).generate_state(len(SEED_STREAMS), dtype=np.uint32)
    return {name: int(v) for name, v in zip(SEED_STREAMS, s)}
