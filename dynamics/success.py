r"""Success probability :math:`P_L`: exact through the group Fourier transform, and mean-field.

Our reconstruction (see ``docs/derivation.md``).  Under the idealised head the
increments :math:`h_k` are independent with laws :math:`p_k`, and the reward is
:math:`1` iff :math:`h_L \cdots h_1 = \Delta := g_L \cdots g_1`.  With the Fourier
conventions of :mod:`groupfourier.fourier`,

.. math::
    P = \frac{1}{|G|} + \frac{1}{|G|} \sum_{\rho \ne 1} d_\rho\,
        \mathrm{tr}\big(\rho(\Delta)^{*}\, \hat p_L(\rho) \cdots \hat p_1(\rho)\big),
    \qquad
    \hat p_k(\rho) = \sum_{j=1}^{L} \big(p_k(g_j) - c_k\big)\,\rho(g_j)\quad(\rho \ne 1),

because the common off-prompt mass :math:`c_k` contributes :math:`c_k \sum_g \rho(g) = 0`.
Only the irreps at the prompt's operations are needed.  The initial state cancels:
:math:`s_L = h_L\cdots h_1 s_0` equals :math:`\Delta s_0` iff :math:`h_L\cdots h_1 = \Delta`.

Symmetric ansatz :math:`Q = \theta\Pi`: with :math:`x = q_\text{right} - q_\text{other}`
and :math:`b = q_\text{other} - q_\text{off}`, :math:`\hat p_k = x\,\rho(g_k) + b\,S`,
:math:`S = \sum_j \rho(g_j)`, so the prompt average is a polynomial

.. math:: \bar P_L = \frac{1}{|G|} + \frac{1}{|G|}\sum_{m=0}^{L} E_m\, x^{L-m} b^{m},

whose coefficients :math:`E_m` depend on the group and the prompt sample only
(:func:`success_polynomial`; computed once, then every θ and c_B costs O(L)).

Mean-field form: :math:`P_L = 1/|G| + (1-1/|G|)\lambda^L`,
:math:`\lambda = (|G| q_\text{right} - 1)/(|G|-1)`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from groupfourier import CyclicGroup, FiniteGroup

from .model import TaskModel, step_law, symmetric_step_law, symmetric_step_law_derivative
from .prompts import DEFAULT_PROMPTS, DEFAULT_SEED, Prompts, _torch_of, sample_prompts

if TYPE_CHECKING:  # torch is optional: imported only by success_probability_torch
    import torch

__all__ = ["Prompts", "sample_prompts", "success_probability", "success_probability_torch",
           "SuccessPolynomial", "success_polynomial", "ordered_prompt_count", "all_ordered_ops",
           "polynomial_coefficient_sums", "prompt_averaged_success",
           "mean_field_success", "mean_field_polynomial", "accidental_success",
           "canonical_success"]


# ----------------------------------------------------------------------------- irreps
@lru_cache(maxsize=32)
def _irrep_blocks(G: FiniteGroup) -> tuple[tuple[int, NDArray[np.complex128]], ...]:
    """Non-trivial irreps grouped by dimension: ``(d, mats)``, mats shape (n_d, |G|, d, d).

    Z_n uses its characters :math:`e^{2\\pi i k g/n}` (k = 1..n−1) directly, which are
    exactly its irreps; every other group takes ``G.irreps()`` from :mod:`groupfourier`.
    The arrays are numpy (read-only); torch callers wrap them with ``torch.from_numpy``.
    """
    if isinstance(G, CyclicGroup):
        n = G.order
        k = np.arange(1, n)[:, None]
        g = np.arange(n)[None, :]
        chars = np.exp(2j * np.pi * ((k * g) % n) / n).reshape(n - 1, n, 1, 1)
        chars.setflags(write=False)
        return ((1, chars),)
    by_dim: dict[int, list] = {}
    for rho in G.irreps()[1:]:  # trivial first, by groupfourier's contract
        by_dim.setdefault(int(rho.dim), []).append(np.asarray(rho.matrices()))
    blocks = []
    for d in sorted(by_dim):
        mats = np.stack(by_dim[d]).astype(np.complex128)
        mats.setflags(write=False)
        blocks.append((d, mats))
    return tuple(blocks)


@lru_cache(maxsize=32)
def _irrep_blocks_torch(G: FiniteGroup) -> tuple[tuple[int, Any], ...]:
    """:func:`_irrep_blocks` as CPU torch tensors (cached; call only when torch is loaded)."""
    import torch
    return tuple((d, torch.from_numpy(mats.copy())) for d, mats in _irrep_blocks(G))


def _ops_matrices(G: FiniteGroup, ops: Any) -> list[tuple[int, Any]]:
    """For each block: (d, R) with R shape (P, L, n_d, d, d), the irreps at the prompt ops
    (numpy for numpy ops; torch, on the device of ``ops``, for torch ops)."""
    if _torch_of(ops) is None:
        return [(d, mats[:, ops].transpose(1, 2, 0, 3, 4)) for d, mats in _irrep_blocks(G)]
    return [(d, mats.to(ops.device)[:, ops].permute(1, 2, 0, 3, 4))       # (P, L, n, d, d)
            for d, mats in _irrep_blocks_torch(G)]


def _ordered_product(F: Any, d: int) -> Any:
    """F_L ⋯ F_1 along axis 1 of F (shape (P, L, n, d, d); numpy or torch)."""
    X = F[:, 0]
    for k in range(1, F.shape[1]):
        X = X * F[:, k] if d == 1 else F[:, k] @ X
    return X


# ----------------------------------------------------------------------------- prompts
def _check_ops(G: FiniteGroup, ops: Any, who: str) -> Any:
    """Validated int64 ops, shape (P, L): a torch tensor for a torch input, else numpy."""
    torch = _torch_of(ops)
    a = ops.detach().cpu().numpy() if torch is not None else np.asarray(ops)
    if a.ndim != 2 or a.shape[1] < 1 or not (np.issubdtype(a.dtype, np.integer)
                                             or a.dtype == np.bool_):
        raise ValueError(f"{who}: ops must be an integer array of shape (P, L); got "
                         f"shape {tuple(a.shape)} and dtype {a.dtype}.")
    a = a.astype(np.int64)
    if a.size and (int(a.min()) < 0 or int(a.max()) >= G.order):
        raise ValueError(f"{who}: ops are indices into G.elements, in 0..{G.order - 1}; got "
                         f"values in {int(a.min())}..{int(a.max())}.")
    s = np.sort(a, axis=1)
    if bool((s[:, 1:] == s[:, :-1]).any()):
        raise ValueError(f"{who}: the operations of a prompt must be distinct (sampled without "
                         f"replacement); got a repeated operation in some row of ops.")
    return ops.long() if torch is not None else a


# ----------------------------------------------------------------------------- core
def _success_from_weights(G: FiniteGroup, ops: Any, W: Any) -> Any:
    r"""Exact P from ``W[p, k, j] = p_k(g_j) − c_k`` (real, shape (P, L, L)); returns (P,).

    numpy in, numpy out; torch in (ops and W), torch out (differentiable in W).
    """
    torch = _torch_of(W)
    total: Any = 0.0
    Wc = W.to(torch.complex128) if torch is not None else np.asarray(W, dtype=np.complex128)
    einsum = torch.einsum if torch is not None else np.einsum
    for d, R in _ops_matrices(G, ops):
        P_, L, n = R.shape[0], R.shape[1], R.shape[2]
        if d == 1:
            F = (Wc @ R.reshape(P_, L, n)).reshape(P_, L, n, 1, 1)
        else:
            F = einsum("pkj,pjnab->pknab", Wc, R)
        X = _ordered_product(F, d)
        D = _ordered_product(R, d)           # ρ(Δ), Δ = g_L ⋯ g_1
        total = total + d * (D.conj() * X).real.sum(axis=(1, 2, 3))
    return (1.0 + total) / G.order


def success_probability_torch(G: FiniteGroup, Q: torch.Tensor, ops, ids, s0, *, B: float,
                              perm, sigma0: float | None = None) -> torch.Tensor:
    r"""Exact, differentiable success probability of each prompt under attention scores Q.

    Step k attends with :math:`\alpha_k(j) = \mathrm{softmax}_j\, Q[\pi(\mathrm{ids}_k),
    \mathrm{ids}_j]`; the idealised head samples with logits
    :math:`B\,m_k(y s_{k-1}^{-1}) + \sigma_0`; the result is
    :math:`P(s_L = g_L\cdots g_1 s_0)` through the Fourier formula (module docstring).

    Parameters
    ----------
    G : FiniteGroup
    Q : torch.Tensor, shape (M, M)
        Attention scores; autograd flows through them (float64 recommended).
    ops : int64 tensor, shape (P, L)
        Operation indices into ``G.elements``, distinct per prompt.
    ids : int64 tensor, shape (P, L)
        Identifier of each clause, in 0..M−1, distinct per prompt.
    s0 : int64 tensor, shape (P,)
        Initial states (they cancel from the probability; validated only).
    B : float
        Head strength, :math:`B = c_B \log|G|`.
    perm : int64 tensor, shape (M,)
        The hidden permutation π: the query of step k is ``perm[ids[:, k]]``.
    sigma0 : float, optional
        The head's logit offset; a constant shift, it cancels (accepted for the contract).

    Returns
    -------
    torch.Tensor, shape (P,), float64, on the device of Q

    Examples
    --------
    >>> G = CyclicGroup(5)
    >>> import torch
    >>> Q = torch.zeros(3, 3, dtype=torch.float64, requires_grad=True)
    >>> ops = torch.tensor([[1, 2]]); ids = torch.tensor([[0, 2]])
    >>> P = success_probability_torch(G, Q, ops, ids, torch.tensor([0]), B=3.0,
    ...                               perm=torch.tensor([1, 2, 0]))
    >>> z = 2 * np.exp(1.5) + 3      # Q = 0: uniform attention over the 2 clauses
    >>> bool(np.isclose(float(P[0].detach()), (2 * np.exp(3.0) + 3) / z ** 2))
    True
    >>> P.sum().backward(); Q.grad.shape
    torch.Size([3, 3])
    """
    import torch

    who = "success_probability_torch"
    if not isinstance(Q, torch.Tensor) or Q.dim() != 2 or Q.shape[0] != Q.shape[1]:
        raise ValueError(f"{who}: Q must be a square torch tensor (M, M); got "
                         f"{type(Q).__name__} of shape {tuple(getattr(Q, 'shape', ()))}.")
    M = Q.shape[0]
    ops_t = _check_ops(G, ops if isinstance(ops, torch.Tensor) else torch.as_tensor(np.asarray(ops)),
                       who)
    ids_t = torch.as_tensor(ids).long()
    if ids_t.shape != ops_t.shape:
        raise ValueError(f"{who}: ids must have the shape of ops {tuple(ops_t.shape)}; got "
                         f"{tuple(ids_t.shape)}.")
    if int(ids_t.min()) < 0 or int(ids_t.max()) >= M:
        raise ValueError(f"{who}: ids must lie in 0..M-1={M - 1}; got values in "
                         f"{int(ids_t.min())}..{int(ids_t.max())}.")
    s = torch.sort(ids_t, dim=1).values
    if bool((s[:, 1:] == s[:, :-1]).any()):
        raise ValueError(f"{who}: the identifiers of a prompt must be distinct; got a repeated "
                         f"identifier in some row of ids.")
    perm_t = torch.as_tensor(perm).long()
    if perm_t.shape != (M,) or not torch.equal(torch.sort(perm_t.cpu()).values, torch.arange(M)):
        raise ValueError(f"{who}: perm must be a permutation of 0..M-1 (M={M}), shape ({M},); "
                         f"got shape {tuple(perm_t.shape)}.")
    s0_t = torch.as_tensor(s0).long()
    if s0_t.shape != (ops_t.shape[0],) or int(s0_t.min()) < 0 or int(s0_t.max()) >= G.order:
        raise ValueError(f"{who}: s0 must hold one state index in 0..{G.order - 1} per prompt, "
                         f"shape ({ops_t.shape[0]},); got shape {tuple(s0_t.shape)}.")
    if not (isinstance(B, (int, float)) and math.isfinite(B) and B >= 0):
        raise ValueError(f"{who}: B must be a finite number >= 0; got B={B!r}.")
    L = ops_t.shape[1]
    dev = Q.device
    ops_t, ids_t, perm_t = ops_t.to(dev), ids_t.to(dev), perm_t.to(dev)
    scores = Q.to(torch.float64)[perm_t[ids_t][:, :, None], ids_t[:, None, :]]  # (P, L_k, L_j)
    alpha = torch.softmax(scores, dim=-1)
    logits = B * alpha
    off = torch.full_like(logits[..., :1], math.log(G.order - L)) if G.order > L else None
    allz = torch.cat([logits, off], dim=-1) if off is not None else logits
    logZ = torch.logsumexp(allz, dim=-1, keepdim=True)
    W = torch.exp(logits - logZ) - (torch.exp(-logZ) if off is not None else 0.0)
    return _success_from_weights(G, ops_t, W)


def success_probability(model: TaskModel, ops: ArrayLike, alpha: ArrayLike) -> NDArray[np.float64]:
    r"""Exact success probability of each prompt for given attention weights (numpy).

    Parameters
    ----------
    ops : int array, shape (P, L)
        Operation indices, distinct per prompt.
    alpha : array_like, shape (P, L, L)
        ``alpha[p, k, j]``: attention of step k on clause j (rows sum to 1).

    Returns
    -------
    ndarray, shape (P,)

    Examples
    --------
    Each step puts √5/Z on each operation and 1/Z on the 3 others (Z = 2√5 + 3); the
    target 1 + 2 = 3 is reached by (1, 2), (2, 1) and by (0, 3), (3, 0), (4, 4):

    >>> m = TaskModel(group="Z5", c_B=1)
    >>> z = 2 * 5 ** 0.5 + 3
    >>> p = success_probability(m, [[1, 2]], np.full((1, 2, 2), 0.5))
    >>> bool(np.isclose(p[0], (2 * 5 + 3) / z ** 2))
    True
    """
    G = model.group
    ops_t = _check_ops(G, ops, "success_probability")
    a = np.asarray(alpha, dtype=np.float64)
    P_, L = ops_t.shape
    if a.shape != (P_, L, L):
        raise ValueError(f"success_probability: alpha must have shape (P, L, L)={(P_, L, L)}; "
                         f"got {a.shape}.")
    law = step_law(model, a)
    return _success_from_weights(G, ops_t, law.on_ops - law.off[..., None])


# ----------------------------------------------------------------------------- polynomial
@dataclass(frozen=True, repr=False)
class SuccessPolynomial:
    r"""Prompt-averaged :math:`\bar P_L` under the symmetric ansatz as a polynomial.

    :math:`\bar P_L = 1/|G| + (1/|G|) \sum_m E_m x^{L-m} b^m` with
    :math:`x = q_\text{right} - q_\text{other}`, :math:`b = q_\text{other} - q_\text{off}`.
    ``coefficients`` is read-only, shape (L + 1,).  ``exact`` is True when the average
    runs over every ordered prompt (then ``seed`` plays no part).
    """

    group: FiniteGroup
    L: int
    coefficients: NDArray[np.float64]
    n_prompts: int
    seed: int
    exact: bool = False

    def __repr__(self) -> str:
        src = "exact" if self.exact else f"seed={self.seed}"
        return (f"SuccessPolynomial(group={self.group!r}, L={self.L}, n_prompts={self.n_prompts}, "
                f"{src})")

    def __call__(self, x: ArrayLike, b: ArrayLike) -> NDArray[np.float64]:
        return self.evaluate(x, b)[0]

    def evaluate(self, x: ArrayLike, b: ArrayLike) -> tuple[NDArray, NDArray, NDArray]:
        """``(P, dP/dx, dP/db)`` at broadcast x, b."""
        x = np.asarray(x, dtype=np.float64)[..., None]
        b = np.asarray(b, dtype=np.float64)[..., None]
        L, E = self.L, self.coefficients
        m = np.arange(L + 1)
        px = np.where(L - m > 0, x ** np.maximum(L - m, 0), 1.0)
        pb = np.where(m > 0, b ** m, 1.0)
        dpx = np.where(L - m > 0, (L - m) * x ** np.maximum(L - m - 1, 0), 0.0)
        dpb = np.where(m > 0, m * b ** np.maximum(m - 1, 0), 0.0)
        n = self.group.order
        P = (1.0 + (E * px * pb).sum(-1)) / n
        return P, (E * dpx * pb).sum(-1) / n, (E * px * dpb).sum(-1) / n


def ordered_prompt_count(order: int, L: int) -> int:
    """Number of ordered prompts: L distinct operations of a group of this order, |G|!/(|G|−L)!.

    Examples
    --------
    >>> ordered_prompt_count(8, 4)
    1680
    """
    return math.perm(int(order), int(L))


def all_ordered_ops(order: int, L: int) -> NDArray[np.int64]:
    """Every ordered L-tuple of distinct operation indices, shape (|G|!/(|G|−L)!, L).

    Examples
    --------
    >>> all_ordered_ops(3, 2).tolist()
    [[0, 1], [0, 2], [1, 0], [1, 2], [2, 0], [2, 1]]
    """
    import itertools
    n = ordered_prompt_count(order, L)
    flat = np.fromiter(itertools.chain.from_iterable(itertools.permutations(range(order), L)),
                       dtype=np.int64, count=n * L)
    return flat.reshape(n, L)


#: Prompts per block of the coefficient computation (bounds its memory).
_CHUNK = 1024


def polynomial_coefficient_sums(G: FiniteGroup, ops: NDArray[np.int64]) -> NDArray[np.float64]:
    r"""Sum over the given prompts of :math:`\sum_{\rho\ne1} d_\rho\,\mathrm{Re\,tr}(\rho(\Delta)^* T^{(L)}_m)`.

    ``ops`` has shape (P, L); returns shape (L + 1,).  Each prompt's term equals
    :math:`|G|\,N_m - \binom{L}{m} L^m` with :math:`N_m` the number of words with m
    free steps whose product is :math:`\Delta` (an integer), so sums over many prompts are
    exact up to float round-off.  Computed in blocks of 1024 prompts.

    Examples
    --------
    >>> polynomial_coefficient_sums(CyclicGroup(5), np.array([[1], [2]])).round(6).tolist()
    [8.0, 8.0]
    """
    ops = np.asarray(ops, dtype=np.int64)
    L = ops.shape[1]
    E = np.zeros(L + 1)
    for lo in range(0, ops.shape[0], _CHUNK):
        block = ops[lo:lo + _CHUNK]
        for d, mats in _irrep_blocks(G):
            R = mats[:, block].transpose(2, 1, 0, 3, 4)       # (L, P, n, d, d)
            S = R.sum(axis=0)                                            # (P, n, d, d)
            if d == 1:
                # Δ cancels against Π χ(g_k) for characters: Π_k (x + b S conj(χ(g_k))).
                z = (S[None] * R.conj())[..., 0, 0]                      # (L, P, n)
                e = np.zeros((L + 1,) + z.shape[1:], dtype=np.complex128)
                e[0] = 1.0
                for k in range(L):
                    e[1:k + 2] += z[k] * e[0:k + 1]                      # RHS is a temporary
                E += e.real.sum(axis=(-1, -2))
            else:
                T = np.zeros((L + 1,) + S.shape, dtype=np.complex128)
                T[0] = np.eye(d)
                D = np.broadcast_to(np.eye(d, dtype=np.complex128), S.shape)
                for k in range(L):
                    shifted = S @ T[0:k + 1]
                    T[0:k + 2] = R[k] @ T[0:k + 2]
                    T[1:k + 2] += shifted
                    D = R[k] @ D                                          # ρ(Δ) = ρ(g_L)⋯ρ(g_1)
                E += d * (D.conj()[None] * T).real.sum(axis=(-1, -2, -3, -4))
    return E


@lru_cache(maxsize=256)
def success_polynomial(G: FiniteGroup, L: int, *, n_prompts: int = DEFAULT_PROMPTS,
                       seed: int = DEFAULT_SEED) -> SuccessPolynomial:
    r"""Coefficients :math:`E_m` of the prompt-averaged success polynomial (cached).

    Built by the recursion :math:`T^{(k)}_m = \rho(g_k) T^{(k-1)}_m + S\, T^{(k-1)}_{m-1}`
    over the steps (m counts the factors :math:`bS`), then
    :math:`E_m = \mathrm{mean}_\text{prompts} \sum_{\rho\ne1} d_\rho\,\mathrm{Re\,tr}
    (\rho(\Delta)^* T^{(L)}_m)`.  When the group has at most ``n_prompts`` ordered
    prompts (:func:`ordered_prompt_count`), the mean runs over all of them: the exact
    expectation, independent of ``seed``; otherwise over ``n_prompts`` sampled ones.

    Examples
    --------
    >>> poly = success_polynomial(CyclicGroup(5), 1, n_prompts=8)
    >>> poly.coefficients.round(6).tolist()   # L = 1: x·(|G|-1) + b·(|G|-1)
    [4.0, 4.0]
    >>> poly.exact                            # 5 ordered prompts <= 8: all of them
    True
    """
    if not (isinstance(L, (int, np.integer)) and 1 <= L <= G.order):
        raise ValueError(f"success_polynomial: L must be an integer in 1..|G|={G.order}; got L={L!r}.")
    exact = ordered_prompt_count(G.order, L) <= n_prompts
    ops = all_ordered_ops(G.order, int(L)) if exact else \
        sample_prompts(G, int(L), n_prompts, seed=seed).ops
    coeffs = polynomial_coefficient_sums(G, ops) / ops.shape[0]
    coeffs.setflags(write=False)
    return SuccessPolynomial(G, int(L), coeffs, int(ops.shape[0]), int(seed), exact)


def prompt_averaged_success(model: TaskModel, L: int, theta: ArrayLike, *,
                            n_prompts: int = DEFAULT_PROMPTS, seed: int = DEFAULT_SEED,
                            grad: bool = False):
    r"""Exact prompt-averaged :math:`\bar P_L(\theta)` under :math:`Q = \theta\Pi`.

    The average is over a fixed prompt sample (``n_prompts``, ``seed``), so results
    are deterministic.  With ``grad=True`` returns ``(P, dP/dθ)``.

    Examples
    --------
    >>> m = TaskModel(group="Z96", c_B=8)
    >>> round(float(prompt_averaged_success(m, 5, 0.0)), 3)   # mean-field says 0.0107
    0.043
    """
    L = model.check_horizon(L)
    poly = success_polynomial(model.group, L, n_prompts=n_prompts, seed=seed)
    t = np.asarray(theta, dtype=np.float64)
    if not grad:
        qr, qo, qf = symmetric_step_law(model, t, L)
        return poly(qr - qo, qo - qf)
    qr, qo, qf, dqr, dqo, dqf = symmetric_step_law_derivative(model, t, L)
    P, dPdx, dPdb = poly.evaluate(qr - qo, qo - qf)
    return P, dPdx * (dqr - dqo) + dPdb * (dqo - dqf)


def mean_field_success(model: TaskModel, L: int, theta: ArrayLike, *, grad: bool = False):
    r"""Mean-field :math:`P_L = 1/|G| + (1 - 1/|G|)\lambda^L`, :math:`\lambda = (|G|q-1)/(|G|-1)`.

    q is the probability of the right operation under :math:`Q = \theta\Pi`; the rest
    of the step's mass is treated as uniform.  With ``grad=True`` returns ``(P, dP/dθ)``.

    Examples
    --------
    >>> m = TaskModel(group="Z96", c_B=8)
    >>> round(float(mean_field_success(m, 5, 0.0)), 4)
    0.0107
    """
    L = model.check_horizon(L)
    qr, qo, qf, dqr, dqo, dqf = symmetric_step_law_derivative(model, theta, L)
    P, px, pb = mean_field_polynomial(model.order, L, qr - qo, qo - qf)
    return (P, px * (dqr - dqo) + pb * (dqo - dqf)) if grad else P


def mean_field_polynomial(order: int, L: int, x: ArrayLike, b: ArrayLike):
    r"""Mean field in the coordinates of :class:`SuccessPolynomial`: ``(P, ∂P/∂x, ∂P/∂b)``.

    With :math:`x = q_r - q_o`, :math:`b = q_o - q_f` and normalisation,
    :math:`\lambda = (|G| q_r - 1)/(|G| - 1) = x + b\,(|G| - L)/(|G| - 1)`.

    Examples
    --------
    >>> [round(float(v), 12) for v in mean_field_polynomial(5, 2, 0.5, 0.0)]   # λ = 1/2
    [0.4, 0.8, 0.6]
    """
    n = order
    lam = np.asarray(x, dtype=np.float64) + np.asarray(b, dtype=np.float64) * (n - L) / (n - 1)
    dl = (1.0 - 1.0 / n) * L * lam ** (L - 1)
    return 1.0 / n + (1.0 - 1.0 / n) * lam ** L, dl, dl * (n - L) / (n - 1)


def canonical_success(model: TaskModel, L: int, theta: ArrayLike) -> NDArray[np.float64]:
    r"""Probability that every step picks its own operation, :math:`q_\text{right}^L`.

    Examples
    --------
    >>> round(float(canonical_success(TaskModel(group="Z96", c_B=8), 5, 0.0)), 6)
    0.000301
    """
    L = model.check_horizon(L)
    return symmetric_step_law(model, theta, L)[0] ** L


def accidental_success(model: TaskModel, L: int, theta: ArrayLike = 0.0, *,
                       n_prompts: int = DEFAULT_PROMPTS, seed: int = DEFAULT_SEED
                       ) -> NDArray[np.float64]:
    r"""Success through a non-canonical path: :math:`\bar P_L(\theta) - q_\text{right}^L`.

    A wrong path is rewarded whenever its product still equals :math:`\Delta`.  In an
    abelian group any reordering of the prompt's operations does (L! orders), so this
    excess is large; in S_n almost no reordering does, so it is near the chance term.

    Examples
    --------
    >>> z = accidental_success(TaskModel(group="Z24", c_B=8), 3)
    >>> s = accidental_success(TaskModel(group="S4", c_B=8), 3)
    >>> bool(z > 3 * s)
    True
    """
    return prompt_averaged_success(model, L, theta, n_prompts=n_prompts, seed=seed) \
        - canonical_success(model, L, theta)
