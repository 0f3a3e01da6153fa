r"""Prompts of group state tracking and their seeded sampler (theory §1), for the theory
(numpy) and for training (torch) alike.

A prompt holds an initial state :math:`s_0 \in G` and L clauses: distinct operations
:math:`g_1, \dots, g_L` (sampled without replacement from G) at distinct identifiers
:math:`p_1, \dots, p_L` (from a pool of M).  Only the final state
:math:`s_L = g_L \cdots g_1 \cdot s_0` (left multiplication) is checked: the prompt's
``target``.  Elements are positions in ``G.elements``; products are gathers in the Cayley
table (or :meth:`~groupfourier.FiniteGroup.mul_idx`), so nothing loops over elements.

One sampler, two random sources: a seed or a :class:`numpy.random.Generator` draws numpy
arrays (the draw of :mod:`dynamics.success`), a :class:`torch.Generator` draws torch
tensors (the draw of :mod:`verify`'s training and held-out prompts).  torch is imported
only when a torch generator or tensor is handed in.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

import numpy as np

from groupfourier import FiniteGroup

__all__ = ["Prompts", "sample_prompts", "chain_product", "cayley_tensor", "DEFAULT_PROMPTS",
           "DEFAULT_SEED"]

#: Prompts of a theory sample (:func:`sample_prompts`' default ``n_prompts``).
DEFAULT_PROMPTS = 256
#: Seed of a theory sample (:func:`sample_prompts`' default ``seed``).
DEFAULT_SEED = 0


def _torch_of(x: Any) -> Any:
    """The torch module when ``x`` is a torch tensor, else None (never imports torch)."""
    torch = sys.modules.get("torch")
    return torch if torch is not None and isinstance(x, torch.Tensor) else None


@dataclass(frozen=True, eq=False)
class Prompts:
    """A batch of P prompts of one horizon L: int64 numpy arrays or int64 torch tensors.

    Attributes
    ----------
    ops : array, shape (P, L)
        Operation indices, distinct within a prompt.
    ids : array, shape (P, L)
        Identifier indices, distinct within a prompt.
    s0 : array, shape (P,)
        Initial states.
    target : array, shape (P,), or None
        :math:`g_L \\cdots g_1 \\cdot s_0`, the only state the reward checks (None only
        for prompts built by hand without it).

    Examples
    --------
    >>> p = Prompts(ops=np.array([[1, 2]]), ids=np.array([[0, 3]]), s0=np.array([0]),
    ...             target=np.array([3]))
    >>> p.horizon, len(p), len(p.repeat(4)), p.repeat(4).ids[3].tolist()
    (2, 1, 4, [0, 3])
    """

    ops: Any
    ids: Any
    s0: Any
    target: Any = None

    @property
    def horizon(self) -> int:
        return int(self.ops.shape[1])

    def __len__(self) -> int:
        return int(self.ops.shape[0])

    def repeat(self, k: int) -> Prompts:
        """Each prompt repeated ``k`` times in a row (GRPO groups)."""
        torch = _torch_of(self.ops)
        rep = ((lambda t: t.repeat_interleave(k, dim=0)) if torch is not None else
               (lambda t: np.repeat(t, k, axis=0)))
        return Prompts(*(None if t is None else rep(t) for t in
                         (self.ops, self.ids, self.s0, self.target)))


def cayley_tensor(G: FiniteGroup) -> Any:
    """The Cayley table of ``G`` as an int64 torch tensor (a copy), shape (|G|, |G|).

    Examples
    --------
    >>> from groupfourier import CyclicGroup
    >>> cayley_tensor(CyclicGroup(3)).tolist()
    [[0, 1, 2], [1, 2, 0], [2, 0, 1]]
    """
    import torch
    return torch.from_numpy(np.array(G.cayley_table, dtype=np.int64))


def chain_product(table: Any, inc: Any, s0: Any) -> Any:
    r"""The state :math:`h_L \cdots h_1 \cdot s_0` for increments ``inc`` of shape (P, L).

    ``table`` is a Cayley table (``table[a, b] = index(e[a] · e[b])``, numpy or torch, as
    ``inc`` and ``s0``) or, for numpy indices, a :class:`~groupfourier.FiniteGroup` (its
    :meth:`~groupfourier.FiniteGroup.mul_idx`: no table is built).  Computed by a balanced
    tree of products (depth :math:`\lceil\log_2 L\rceil`), so the cost is O(P L) gathers
    and no loop over group elements.

    Examples
    --------
    >>> from groupfourier import SymmetricGroup
    >>> G = SymmetricGroup(3)
    >>> inc = np.array([[1, 2, 3]])                  # h1, h2, h3 as element indices
    >>> s3 = chain_product(G, inc, np.array([4]))
    >>> int(s3[0]) == int(G.mul_idx(3, G.mul_idx(2, G.mul_idx(1, 4))))
    True
    >>> int(chain_product(np.asarray(G.cayley_table), inc, np.array([4]))[0]) == int(s3[0])
    True
    """
    if isinstance(table, FiniteGroup):
        mul = table.mul_idx
    else:
        def mul(a: Any, b: Any) -> Any:
            return table[a, b]
    cat = np.concatenate if _torch_of(inc) is None else _torch_of(inc).cat
    x = inc
    while x.shape[1] > 1:
        if x.shape[1] % 2:  # keep the last (latest) factor aside
            head, last = x[:, :-1], x[:, -1:]
        else:
            head, last = x, None
        # product of consecutive pairs: later factor on the left
        x = mul(head[:, 1::2], head[:, 0::2])
        if last is not None:
            x = cat([x, last], 1)
    return mul(x[:, 0], s0) if x.shape[1] else s0


def _is_int(v: Any) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def sample_prompts(G: Any, L: int, n_prompts: int = DEFAULT_PROMPTS, *, M: int | None = None,
                   seed: Any = DEFAULT_SEED) -> Prompts:
    """Sample ``n_prompts`` prompts of horizon L: L distinct operations, L distinct
    identifiers out of M, a uniform :math:`s_0`, and their target.

    Parameters
    ----------
    G : FiniteGroup, or a task carrying one
        A task (an object with attributes ``G``, ``n_ids`` and ``table``, such as
        :class:`verify.tasks.Task`) gives the group, the default M and the Cayley table.
    L : int
        The horizon, at most ``|G|`` and at most M.
    n_prompts : int
        P, the number of prompts.
    M : int, optional
        Number of identifiers (default: the task's ``n_ids``, else ``|G|``).
    seed : int, numpy.random.Generator or torch.Generator
        The source of randomness.  An int or a numpy Generator: numpy arrays, each row the
        first L of an argsort of uniforms.  A torch Generator (seeded by the caller): torch
        tensors, each row the top L of uniforms.  Either way a row is a uniform L-subset
        in uniform random order; the draws are ops, then ids, then s0.

    Returns
    -------
    Prompts
        int64 arrays (numpy) or tensors (torch), by the source.

    Examples
    --------
    >>> from groupfourier import CyclicGroup
    >>> p = sample_prompts(CyclicGroup(7), 3, 2, M=5, seed=1)
    >>> p.ops.shape, p.ids.shape, p.s0.shape, p.target.shape
    ((2, 3), (2, 3), (2,), (2,))
    >>> bool((np.sort(p.ops, 1)[:, 1:] != np.sort(p.ops, 1)[:, :-1]).all())
    True
    >>> import torch
    >>> q = sample_prompts(CyclicGroup(7), 3, 2, M=5, seed=torch.Generator().manual_seed(0))
    >>> q.ops.shape, q.target.dtype
    (torch.Size([2, 3]), torch.int64)
    """
    task = None
    if not isinstance(G, FiniteGroup) and all(hasattr(G, a) for a in ("G", "n_ids", "table")):
        task, G = G, G.G
        M = task.n_ids if M is None else M
    if not isinstance(G, FiniteGroup):
        raise TypeError(f"sample_prompts: G must be a groupfourier FiniteGroup or a task with "
                        f"attributes G, n_ids and table; got {type(G).__name__}.")
    n = G.order
    M = n if M is None else M
    if not _is_int(M) or M < 1:
        raise ValueError(f"sample_prompts: M is the number of identifiers, an integer >= 1; "
                         f"got M={M!r}.")
    if not _is_int(L) or L < 1:
        raise ValueError(f"sample_prompts: the horizon L must be an integer >= 1; got L={L!r}.")
    if L > n:
        raise ValueError(f"sample_prompts: a prompt holds L = {L} distinct operations but "
                         f"{G.name} has only |G| = {n}; use L <= {n}.")
    if L > M:
        raise ValueError(f"sample_prompts: a prompt holds L = {L} distinct identifiers but there "
                         f"are only M = {M}; use L <= {M}.")
    if not _is_int(n_prompts) or n_prompts < 1:
        raise ValueError(f"sample_prompts: n_prompts must be an integer >= 1; got {n_prompts!r}.")
    L, M, n_prompts = int(L), int(M), int(n_prompts)
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(seed, torch.Generator):
        # the L largest of i.i.d. uniforms per row: a uniform L-subset, in uniform random order
        ops = torch.rand(n_prompts, n, generator=seed).topk(L, dim=1).indices
        ids = torch.rand(n_prompts, M, generator=seed).topk(L, dim=1).indices
        s0 = torch.randint(n, (n_prompts,), generator=seed)
        table = task.table if task is not None else cayley_tensor(G)
        return Prompts(ops=ops, ids=ids, s0=s0, target=chain_product(table, ops, s0))
    if not (isinstance(seed, np.random.Generator) or (_is_int(seed) and seed >= 0)):
        raise TypeError(f"sample_prompts: seed must be an integer >= 0, a numpy Generator or a "
                        f"torch.Generator; got {seed!r}.")
    rng = np.random.default_rng(seed)
    ops = np.argsort(rng.random((n_prompts, n)), axis=1)[:, :L].astype(np.int64)
    ids = np.argsort(rng.random((n_prompts, M)), axis=1)[:, :L].astype(np.int64)
    s0 = rng.integers(0, n, n_prompts).astype(np.int64)
    return Prompts(ops=ops, ids=ids, s0=s0, target=chain_product(G, ops, s0).astype(np.int64))
