r"""A small decoder-only transformer in plain torch (1–2 layers), every parameter trainable.

Architecture (pre-layer-norm)::

    x_0  = E_tok[token] + E_role[role] (+ E_pos[position] for "learned"/"sinusoidal")
    x_l' = x_{l-1} + Attn_l(LN(x_{l-1}))          multi-head causal self-attention,
    x_l  = x_l'    + MLP_l(LN(x_l'))               learned Q, K, V and O; GELU MLP
    logits = LN(x_n) W_U                            over the |G| group elements (states)

Head h of a layer computes, for queries at positions i and keys at positions j <= i,

.. math::

    A_h[i, j] = \mathrm{softmax}_{j \le i}\,
        \frac{\langle R_i W_Q^h x_i,\; R_j W_K^h x_j\rangle}{\sqrt{d_h}},
    \qquad \mathrm{Attn}(x)_i = W_O \bigoplus_h \sum_j A_h[i, j]\, W_V^h x_j .

Positional encoding (``ModelConfig.positional``):

* ``"rope"`` (default): rotary embeddings, :math:`R_i` rotates each pair of query/key
  coordinates ``(2m, 2m+1)`` by the angle :math:`i\,\omega_m`,
  :math:`\omega_m = 10000^{-2m/d_h}`, so scores depend on positions only through
  the offset :math:`i - j`.  This is what lets a skill pretrained on short one-step
  prompts ("the current state is the token before the query") work at every step of
  a long chain.
* ``"sinusoidal"``: the fixed sine/cosine table of Vaswani et al. added to the input.
* ``"learned"``: a trained absolute position embedding (``max_len`` rows).
* ``"none"``: no positional information at all (the ablation); the causal mask is then
  the only source of order.

**Clause segments** (``clause_segments=True``, default): the operation token of a clause
``p g`` also receives a learned embedding :math:`E_\text{seg}[p]` of the identifier it is
filed under, the way segment embeddings mark which sentence a token belongs to.  A
clause is still two tokens; the segment spares the model from first learning, from the
reward alone, a layer-1 circuit that copies each identifier onto its operation, so that
one attention layer can look a clause up by identifier: the query-identifier by
segment-identifier part of :math:`W_Q^\top W_K` is then the analogue of the minimal
model's score matrix Q.  ``False`` is the ablation (``docs/transformer.md`` reports both).

Token kinds are told apart by a role embedding (:data:`verify.transformer.tokenize.ROLES`).
The forward pass takes an optional key/value cache so that a chain of thought is
written one state at a time without recomputing the prompt.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, Literal

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..validate import check_int
from .tokenize import ROLES

__all__ = ["ModelConfig", "Transformer", "POSITIONALS"]

POSITIONALS: tuple[str, ...] = ("rope", "sinusoidal", "learned", "none")


def _f(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True, kw_only=True)
class ModelConfig:
    """Shape of the transformer.

    Parameters
    ----------
    d_model : int
        Residual width; a multiple of ``n_heads``.
    n_layers : int
        Number of blocks, 1 or 2.
    n_heads : int
        Attention heads per layer.
    d_mlp : int
        Hidden width of each MLP.
    positional : {"rope", "sinusoidal", "learned", "none"}
        Positional encoding (module docstring); ``"none"`` is the ablation.
    max_len : int
        Longest sequence for the ``"learned"`` and ``"sinusoidal"`` tables.
    clause_segments : bool
        Add :math:`E_\text{seg}[p]` to the operation token of the clause ``p g`` (a segment
        embedding: the operation token carries the identifier it is filed under).

    Examples
    --------
    >>> ModelConfig(d_model=30, n_heads=4)
    Traceback (most recent call last):
    ...
    ValueError: ModelConfig: d_model must be a multiple of n_heads; got d_model=30, n_heads=4.
    """

    d_model: int = _f(64, "Residual width (multiple of n_heads).")
    n_layers: int = _f(2, "Number of transformer blocks (1 or 2).")
    n_heads: int = _f(4, "Attention heads per layer.")
    d_mlp: int = _f(256, "Hidden width of each MLP.")
    positional: Literal["rope", "sinusoidal", "learned", "none"] = _f(
        "rope", "Positional encoding: rope, sinusoidal, learned or none (ablation).")
    max_len: int = _f(256, "Longest sequence for the learned/sinusoidal tables.")
    clause_segments: bool = _f(True, "Add a learned embedding of each clause's identifier to "
                               "its operation token (False: the plain token sequence).")

    def __post_init__(self) -> None:
        who = "ModelConfig"
        for name, hi in (("d_model", 4096), ("n_layers", 2), ("n_heads", 64), ("d_mlp", 16384),
                         ("max_len", 100_000)):
            check_int(who, name, getattr(self, name), minimum=1,
                      maximum=None if name == "n_layers" else hi)
        if self.n_layers > 2:
            raise ValueError(f"{who}: n_layers must be 1 or 2 (a small CPU model); "
                             f"got n_layers={self.n_layers}.")
        if self.d_model % self.n_heads:
            raise ValueError(f"{who}: d_model must be a multiple of n_heads; got "
                             f"d_model={self.d_model}, n_heads={self.n_heads}.")
        if self.positional == "rope" and (self.d_model // self.n_heads) % 2:
            raise ValueError(f"{who}: positional='rope' rotates coordinate pairs, so the head "
                             f"width d_model/n_heads must be even; got "
                             f"{self.d_model}/{self.n_heads}.")
        if self.positional not in POSITIONALS:
            raise ValueError(f"{who}: positional must be one of {POSITIONALS}; "
                             f"got positional={self.positional!r}.")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _rope(x: Tensor, pos: Tensor) -> Tensor:
    """Rotate coordinate pairs of ``x`` (..., T, d_h) by angle ``pos * omega_m``."""
    d = x.shape[-1]
    omega = 10000.0 ** (-torch.arange(0, d, 2, dtype=x.dtype) / d)
    ang = pos.to(x.dtype)[:, None] * omega                          # (T, d/2)
    cos, sin = ang.cos(), ang.sin()
    x1, x2 = x[..., 0::2], x[..., 1::2]
    return torch.stack([x1 * cos - x2 * sin, x1 * sin + x2 * cos], dim=-1).flatten(-2)


def _sinusoidal_table(n: int, d: int) -> Tensor:
    pos = torch.arange(n, dtype=torch.float32)[:, None]
    omega = 10000.0 ** (-torch.arange(0, d, 2, dtype=torch.float32) / d)
    tab = torch.zeros(n, d)
    tab[:, 0::2] = torch.sin(pos * omega)
    tab[:, 1::2] = torch.cos(pos * omega)[:, : d // 2]
    return tab


class _Block(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        d = cfg.d_model
        self.n_heads, self.rope = cfg.n_heads, cfg.positional == "rope"
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.o = nn.Linear(d, d)
        self.mlp = nn.Sequential(nn.Linear(d, cfg.d_mlp), nn.GELU(), nn.Linear(cfg.d_mlp, d))

    def forward(self, x: Tensor, pos: Tensor, cache: tuple[Tensor, Tensor] | None,
                need_attn: bool) -> tuple[Tensor, tuple[Tensor, Tensor], Tensor | None]:
        P, T, d = x.shape
        H = self.n_heads
        q, k, v = self.qkv(self.ln1(x)).view(P, T, 3, H, d // H).permute(2, 0, 3, 1, 4)
        if self.rope:
            q, k = _rope(q, pos), _rope(k, pos)
        if cache is not None:
            k, v = torch.cat([cache[0], k], dim=2), torch.cat([cache[1], v], dim=2)
        S = k.shape[2]
        attn = None
        if need_attn or cache is not None:
            # query i (absolute position pos[i]) sees the keys at positions <= pos[i]
            kpos = torch.arange(int(pos[-1]) + 1 - S, int(pos[-1]) + 1)
            mask = kpos[None, :] <= pos[:, None]
            scores = (q @ k.transpose(-1, -2)) / math.sqrt(d // H)
            attn = torch.softmax(scores.masked_fill(~mask, -torch.inf), dim=-1)
            y = attn @ v
        else:
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.o(y.transpose(1, 2).reshape(P, T, d))
        x = x + self.mlp(self.ln2(x))
        return x, (k, v), (attn if need_attn else None)


class Transformer(nn.Module):
    """Decoder-only transformer over the task's tokens, with logits over the |G| states.

    Parameters
    ----------
    cfg : ModelConfig
    order : int
        |G|; the output layer has one logit per group element.
    vocab_size : int
        Number of token ids (:attr:`verify.transformer.tokenize.Vocab.size`).
    seed : int
        Seed of the parameter initialisation.

    Examples
    --------
    >>> net = Transformer(ModelConfig(d_model=16, n_heads=2, d_mlp=32), order=6, vocab_size=11)
    >>> tokens = torch.tensor([[6, 1, 10, 3, 7]]); roles = torch.tensor([0, 1, 2, 3, 4])
    >>> net(tokens, roles).logits.shape
    torch.Size([1, 5, 6])
    """

    pos_table: Tensor     # a buffer, with positional='sinusoidal'

    def __init__(self, cfg: ModelConfig, *, order: int, vocab_size: int, seed: int = 0):
        super().__init__()
        self.cfg, self.order, self.vocab_size = cfg, int(order), int(vocab_size)
        gen = torch.Generator().manual_seed(int(seed))
        d = cfg.d_model
        # the modules' default initialisation draws from the global RNG; it is overwritten
        # below, so its draws are made on a forked RNG and the global state is left alone
        with torch.random.fork_rng(devices=[]):
            self.tok = nn.Embedding(vocab_size, d)
            self.role = nn.Embedding(len(ROLES), d)
            self.seg = nn.Embedding(vocab_size, d) if cfg.clause_segments else None
            self.pos = nn.Embedding(cfg.max_len, d) if cfg.positional == "learned" else None
            if cfg.positional == "sinusoidal":
                self.register_buffer("pos_table", _sinusoidal_table(cfg.max_len, d),
                                     persistent=False)
            self.blocks = nn.ModuleList(_Block(cfg) for _ in range(cfg.n_layers))
            self.ln_f = nn.LayerNorm(d)
            self.unembed = nn.Linear(d, order)
        with torch.no_grad():   # seeded init, independent of the global RNG
            for name, p in self.named_parameters():
                if p.dim() == 2:
                    std = 0.02 if name.startswith(("tok", "role", "pos", "seg")) \
                        else 1.0 / math.sqrt(p.shape[1])
                    p.copy_(torch.randn(p.shape, generator=gen) * std)
                elif not name.endswith("weight"):      # biases; layer-norm gains stay 1
                    p.zero_()

    @dataclass(frozen=True, eq=False)
    class Output:
        """``logits`` (P, T, |G|), the new key/value ``cache`` and, on request, ``attn``:
        one (P, n_heads, T, S) tensor per layer."""
        logits: Tensor
        cache: list
        attn: list | None

    def forward(self, tokens: Tensor, roles: Tensor, *, start: int = 0,
                cache: list | None = None, need_attn: bool = False) -> "Transformer.Output":
        """Logits at every position of ``tokens`` (P, T), whose roles are ``roles`` (T,).

        With ``cache`` (the ``cache`` of a previous call on the first ``start`` tokens),
        only the new tokens are processed.
        """
        P, T = tokens.shape
        if start + T > self.cfg.max_len and self.cfg.positional in ("learned", "sinusoidal"):
            raise ValueError(f"Transformer: sequence of length {start + T} exceeds max_len="
                             f"{self.cfg.max_len}; raise ModelConfig.max_len.")
        pos = torch.arange(start, start + T)
        x = self.tok(tokens) + self.role(roles)[None]
        if self.seg is not None:
            if start > 0 and int(roles[0]) == ROLES.index("op"):
                raise ValueError("Transformer: with clause_segments an operation token needs its "
                                 "identifier in the same call; got a call starting with an "
                                 f"operation at position {start}. Split calls between clauses.")
            # the token before an operation is its clause's identifier (tokenize layout)
            prev = torch.cat([tokens[:, :1], tokens[:, :-1]], dim=1)
            is_op = (roles == ROLES.index("op")).to(x.dtype)
            x = x + self.seg(prev) * is_op[None, :, None]
        if self.pos is not None:
            x = x + self.pos(pos)[None]
        elif self.cfg.positional == "sinusoidal":
            x = x + self.pos_table[pos][None]
        new_cache, attns = [], []
        for i, blk in enumerate(self.blocks):
            x, kv, a = blk(x, pos, None if cache is None else cache[i], need_attn)
            new_cache.append(kv)
            attns.append(a)
        return Transformer.Output(logits=self.unembed(self.ln_f(x)), cache=new_cache,
                                  attn=attns if need_attn else None)
