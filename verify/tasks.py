r"""The task of group state tracking (theory §1): the group, the identifiers and the hidden
permutation, and the seed streams of a run.

A prompt holds an initial state :math:`s_0 \in G` and L clauses: distinct operations
:math:`g_1, \dots, g_L` (sampled without replacement from G) at distinct identifiers
:math:`p_1, \dots, p_L` (from a pool of M).  Step k must find clause k through the
query identifier :math:`q_k = \pi(p_k)` of a hidden permutation :math:`\pi` of the M
identifiers, and apply :math:`s_k = g_k \cdot s_{k-1}` (left multiplication).  Only
:math:`s_L = g_L \cdots g_1 \cdot s_0` is checked.

Everything is index-level torch: elements are positions in ``G.elements`` and products
are gathers in the Cayley table, so nothing loops over group elements.  The prompts, their
sampler and the chain product are :mod:`dynamics.prompts`' (one sampler for the theory and
for training; a torch.Generator draws torch tensors), re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

# the prompts and their sampler are dynamics.prompts' (documented there), importable from here
from dynamics.prompts import Prompts, cayley_tensor, chain_product, sample_prompts  # noqa: F401
from groupfourier import FiniteGroup

__all__ = ["Task", "make_task", "seed_streams"]


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
