r"""Supervised pretraining of the atomic skill: one-step prompts :math:`(p, g), s_0, q \mapsto g s_0`.

A one-step prompt (L = 1) is ``p g SEP s0 q`` and the model must write
:math:`s_1 = g \cdot s_0` at the query.  With one clause there is nothing to find, so the
skill learned is the theory's frozen head: "apply the listed operation to the current
state".  The query identifier is drawn **uniformly and independently** of the clause's
identifier, so the pretrained model carries no information about the hidden
permutation :math:`\pi` (the analogue of the minimal model's :math:`Q = 0`) and one
artefact serves every RL seed.

Training is Adam on the cross-entropy of fresh random one-step prompts; every
``eval_every`` steps the model is checked on the held-out set, every pair
:math:`(g, s_0) \in G^2` once with its own random identifiers, and training stops at the
first check with 100% accuracy (greedy).  The artefact is a state dict plus a JSON
report, cached under ``$VERIFY_CACHE/transformer`` (default ``~/.cache/verify``), keyed by
a hash of the configuration, written atomically and rebuilt when missing.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from groupfourier import FiniteGroup, group_from_name

from ..heads import head_cache_dir
from ..results import StatusResult
from ..rundir import atomic_path, write_json_atomic
from ..tasks import Prompts, make_task, sample_prompts
from ..validate import MAX_SIZE, check_float, check_int
from .model import ModelConfig, Transformer
from .tokenize import ROLES, Vocab, encode, query_positions, roles_for

__all__ = ["PretrainConfig", "PretrainResult", "pretrain", "load_or_pretrain", "cache_dir",
           "one_step_margin"]


def _f(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True, kw_only=True)
class PretrainConfig:
    """Settings of the supervised one-step pretraining.

    Parameters
    ----------
    group : str
        ``Z<n>``, ``D<n>`` or ``S<n>``.
    n_ids : int
        Number M of identifiers (the vocabulary depends on it).
    model : ModelConfig
    seed : int
        Seed of the initialisation and of the training prompts.
    lr : float
        Adam learning rate.
    batch : int
        One-step prompts per step.
    max_steps : int
        Give up (``status = -1``) after this many steps.
    eval_every : int
        Check held-out accuracy every this many steps.
    context : {"mixed", "single"}
        ``single``: one-clause prompts only.  ``mixed``: also prompts of 2..``max_clauses``
        clauses with an uninformative query and a soft target uniform over the listed
        products.
    max_clauses : int
        Largest number of clauses of a mixed pretraining prompt.
    lookup : bool
        With ``context="mixed"``, also lookup prompts: each query names its clause's
        identifier directly (role ``lookup``), hard target.  This teaches that the output
        follows the attention; without it RLVR barely moves the attention
        (``docs/transformer.md``).
    """

    group: str = _f("Z10", "Z<n>, D<n> (n vertices) or S<n>.")
    n_ids: int = _f(16, "Number M of identifiers.")
    model: ModelConfig = _f(ModelConfig(), "Transformer shape.")
    seed: int = _f(0, "Seed of the init and the training prompts.")
    lr: float = _f(3e-3, "Adam learning rate.")
    batch: int = _f(512, "One-step prompts per step.")
    max_steps: int = _f(20000, "Give up after this many steps.")
    eval_every: int = _f(100, "Check held-out accuracy every this many steps.")
    context: str = _f("mixed", "mixed: also prompts of 2..max_clauses clauses with an "
                      "uninformative query (soft targets); single: one-clause prompts only.")
    max_clauses: int = _f(8, "Largest number of clauses of a mixed pretraining prompt.")
    lookup: bool = _f(True, "With context='mixed', also train lookup prompts, whose query "
                      "names its clause's identifier directly (role 'lookup').")

    def __post_init__(self) -> None:
        who = "PretrainConfig"
        self.G  # group_from_name raises its own message
        for name, hi in (("n_ids", 10_000), ("batch", MAX_SIZE), ("max_steps", 10**9),
                         ("eval_every", 10**9), ("max_clauses", 10_000)):
            check_int(who, name, getattr(self, name), minimum=1, maximum=hi)
        check_int(who, "seed", self.seed, minimum=0)
        check_float(who, "lr", self.lr, minimum=0, strict_min=True, maximum=1e30)
        if not isinstance(self.model, ModelConfig):
            raise ValueError(f"{who}: model must be a ModelConfig; got {self.model!r}.")
        if self.context not in ("mixed", "single"):
            raise ValueError(f"{who}: context must be 'mixed' or 'single'; "
                             f"got context={self.context!r}.")
        if self.context == "mixed" and self.max_clauses > min(self.G.order, self.n_ids):
            raise ValueError(f"{who}: a prompt of max_clauses={self.max_clauses} clauses needs "
                             f"that many distinct operations and identifiers; use max_clauses <= "
                             f"min(|G|, M) = {min(self.G.order, self.n_ids)}.")

    @property
    def G(self) -> FiniteGroup:
        return group_from_name(self.group)

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["model"] = self.model.to_dict()
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "PretrainConfig":
        d = dict(d)
        d["model"] = ModelConfig(**d.get("model", {}))
        return cls(**d)

    @property
    def key(self) -> str:
        """Cache key: group, M and a hash of every setting."""
        # the vocabulary (roles, query names) is part of the model
        d = dict(self.to_dict(), roles=len(ROLES), vocab="query-names")
        h = hashlib.sha1(json.dumps(d, sort_keys=True).encode()).hexdigest()[:12]
        return f"{self.group}_M{self.n_ids}_{h}"


@dataclass(frozen=True, repr=False)
class PretrainResult(StatusResult):
    """A pretrained model and its report.

    Attributes
    ----------
    model : Transformer
    config : PretrainConfig
    steps : int
        Steps trained (0 when loaded from the cache).
    accuracy : float
        Held-out one-step accuracy (greedy) over every :math:`(g, s_0)` pair.
    margin : float
        Mean one-step logit margin (right logit minus the mean of the others) on the
        held-out set: the measured analogue of the idealised head's :math:`B`.
    in_context : float
        Fraction of held-out in-context steps (``context="mixed"``) whose greedy state is
        one of the listed products (1.0 when ``context="single"``); with ``lookup`` the
        smaller of that and the lookup prompts' per-step accuracy.
    seconds : float
        Training time (0 when loaded).
    path : Path
        The cached artefact.
    status : int
        1 reached 100% held-out accuracy; -1 ``max_steps`` passed first.
    message : str
    """

    model: Transformer
    config: PretrainConfig
    steps: int
    accuracy: float
    margin: float
    in_context: float
    seconds: float
    path: Path
    status: int
    message: str

    _repr_fields = ("accuracy", "margin", "steps")

    def report(self) -> dict[str, Any]:
        return {"status": self.status, "message": self.message, "steps": self.steps,
                "accuracy": self.accuracy, "margin": self.margin,
                "in_context": self.in_context, "seconds": self.seconds,
                "config": self.config.to_dict()}


def cache_dir() -> Path:
    """``$VERIFY_CACHE/transformer`` (default ``~/.cache/verify/transformer``)."""
    return head_cache_dir().parent / "transformer"


def build_model(cfg: PretrainConfig) -> Transformer:
    """A freshly initialised transformer for ``cfg``'s group and identifiers."""
    G = cfg.G
    return Transformer(cfg.model, order=G.order, vocab_size=Vocab(G.order, cfg.n_ids).size,
                       seed=cfg.seed)


def _uninformed(task, tokens: torch.Tensor, L: int, gen: torch.Generator) -> torch.Tensor:
    """``tokens`` with every query replaced by a query name drawn independently of the clauses."""
    tok = tokens.clone()
    qpos = query_positions(L)
    tok[:, qpos] = Vocab(task.G.order, task.n_ids).query(
        torch.randint(task.n_ids, (len(tok), L), generator=gen))
    return tok


def _one_step_batch(task, prompts: Prompts, gen: torch.Generator) -> torch.Tensor:
    """Input tokens ``p g SEP s0 q`` with a query drawn independently of ``p``, (P, 5)."""
    return _uninformed(task, encode(task, prompts, generator=gen).tokens, 1, gen)[:, :-1]


def _context_batch(task, P: int, L: int, gen: torch.Generator
                   ) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Prompts of L clauses with uninformative queries, and the soft targets of every step.

    The chain applies a uniformly random listed clause at each step; the target of step
    k is uniform over :math:`\{g_j s_{k-1}\}_{j \le L}` (L distinct states).  Returns
    input tokens (P, 4L + 1) and targets (P, L, |G|).
    """
    p = sample_prompts(task, L, P, seed=gen)
    pick = p.ops.gather(1, torch.randint(L, (P, L), generator=gen))
    steps: list[torch.Tensor] = []
    s = p.s0
    for k in range(L):                       # a loop over steps, not over group elements
        s = task.table[pick[:, k], s]
        steps.append(s)
    states = torch.stack(steps, dim=1)
    prev = torch.cat([p.s0[:, None], states[:, :-1]], dim=1)
    cand = task.table[p.ops[:, None, :], prev[:, :, None]]                  # (P, L, L)
    target = torch.zeros(P, L, task.G.order).scatter_(2, cand, 1.0 / L)
    tok = _uninformed(task, encode(task, p, generator=gen, states=states).tokens, L, gen)
    return tok[:, :-1], target


def _held_out(task, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    n = task.G.order
    g, s = torch.meshgrid(torch.arange(n), torch.arange(n), indexing="ij")
    g, s = g.reshape(-1, 1), s.reshape(-1)
    ids = torch.randint(task.n_ids, (n * n, 1), generator=gen)
    p = Prompts(ops=g, ids=ids, s0=s, target=task.table[g[:, 0], s])
    return _one_step_batch(task, p, gen), p.target


@torch.no_grad()
def one_step_margin(model: Transformer, tokens: torch.Tensor, target: torch.Tensor
                    ) -> tuple[float, float]:
    """Greedy accuracy and mean logit margin of one-step prompts ``tokens`` (P, 5)."""
    z = model(tokens, roles_for(1)[:-1]).logits[:, -1]
    right = z.gather(1, target[:, None])[:, 0]
    margin = right - (z.sum(1) - right) / (z.shape[1] - 1)
    return float((z.argmax(1) == target).double().mean()), float(margin.mean())


@torch.no_grad()
def _lookup_batch(task, P: int, L: int, gen: torch.Generator
                  ) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Prompts of L clauses whose every step names its clause directly (role ``lookup``).

    Step k's query token is the identifier :math:`p_k` of its own clause (no hidden
    permutation) and the target is :math:`g_k s_{k-1}`: the skill "apply the operation
    filed under this identifier".  Returns input tokens (P, 4L + 1) and targets (P, L).
    """
    p = sample_prompts(task, L, P, seed=gen)
    tok = encode(task, p, generator=gen).tokens.clone()
    tok[:, query_positions(L)] = p.ids + task.G.order
    return tok[:, :-1], tok[:, query_positions(L) + 1]


@torch.no_grad()
def lookup_accuracy(model: Transformer, tokens: torch.Tensor, target: torch.Tensor) -> float:
    """Greedy per-step accuracy on lookup prompts (teacher-forced)."""
    L = target.shape[1]
    z = model(tokens, roles_for(L, lookup=True)[:-1]).logits[:, query_positions(L)]
    return float((z.argmax(-1) == target).double().mean())


def in_context_rate(model: Transformer, tokens: torch.Tensor, target: torch.Tensor) -> float:
    """Fraction of steps whose greedy state is one of the L listed products (soft ``target``)."""
    L = target.shape[1]
    z = model(tokens, roles_for(L)[:-1]).logits[:, query_positions(L)]
    return float((target.gather(2, z.argmax(-1, keepdim=True)) > 0).double().mean())


def _context_horizons(cfg: "PretrainConfig") -> list[int]:
    return sorted({L for L in (2, (cfg.max_clauses + 1) // 2, cfg.max_clauses) if L >= 2}) \
        if cfg.context == "mixed" else []


def pretrain(cfg: PretrainConfig, *, progress: bool = False) -> PretrainResult:
    """Train a fresh model on one-step prompts until 100% held-out accuracy (not cached).

    With ``context="mixed"`` every step also trains on prompts of 2..``max_clauses``
    clauses with uninformative queries (:func:`_context_batch`), and training stops when,
    besides 100% one-step accuracy, every held-out in-context step writes one of the
    listed products.  With ``lookup`` it also trains prompts whose queries name their
    clause's identifier (:func:`_lookup_batch`) and requires them 100% right too.

    Examples
    --------
    >>> from verify.transformer.model import ModelConfig
    >>> cfg = PretrainConfig(group="Z3", n_ids=3, model=ModelConfig(d_model=16, n_heads=2,
    ...                      d_mlp=32), batch=64, eval_every=20, max_clauses=2, lookup=False)
    >>> res = pretrain(cfg)
    >>> res.status, res.accuracy
    (1, 1.0)
    """
    G = cfg.G      # every draw below uses a private generator seeded from cfg.seed
    task = make_task(G, cfg.n_ids, seed=cfg.seed)
    model = build_model(cfg)
    gen = torch.Generator().manual_seed(cfg.seed + 1)
    hgen = torch.Generator().manual_seed(cfg.seed + 2)
    X_ho, y_ho = _held_out(task, hgen)
    ctx_ho = [_context_batch(task, 256, L, hgen) for L in _context_horizons(cfg)]
    look_ho = ([_lookup_batch(task, 256, L, hgen) for L in _context_horizons(cfg)]
               if cfg.lookup and cfg.context == "mixed" else [])
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    roles = roles_for(1)[:-1]
    t0 = time.perf_counter()
    acc, margin, ctx, step = 0.0, 0.0, 1.0, 0
    for step in range(1, cfg.max_steps + 1):
        p = sample_prompts(task, 1, cfg.batch, seed=gen)
        z = model(_one_step_batch(task, p, gen), roles).logits[:, -1]
        loss = F.cross_entropy(z, p.target)
        if cfg.context == "mixed" and cfg.max_clauses >= 2:
            L = int(torch.randint(2, cfg.max_clauses + 1, (1,), generator=gen))
            tok, target = _context_batch(task, max(cfg.batch // L, 16), L, gen)
            zc = model(tok, roles_for(L)[:-1]).logits[:, query_positions(L)]
            loss = loss - (target * torch.log_softmax(zc, -1)).sum(-1).mean()
            if cfg.lookup:
                tok, target = _lookup_batch(task, max(cfg.batch // L, 16), L, gen)
                zl = model(tok, roles_for(L, lookup=True)[:-1]).logits[:, query_positions(L)]
                loss = loss + F.cross_entropy(zl.reshape(-1, G.order), target.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if step % cfg.eval_every == 0:
            acc, margin = one_step_margin(model, X_ho, y_ho)
            ctx = min((in_context_rate(model, *b) for b in ctx_ho), default=1.0)
            ctx = min([ctx] + [lookup_accuracy(model, *b) for b in look_ho])
            if progress:
                print(f"[pretrain] step {step} loss {loss.item():.4f} held-out one-step acc "
                      f"{acc:.4f} in-context {ctx:.4f}", flush=True)
            if acc == 1.0 and ctx == 1.0:
                break
    status = 1 if acc == 1.0 and ctx == 1.0 else -1
    message = (f"100% held-out one-step accuracy after {step} steps" if status == 1 else
               f"only {acc:.4f} held-out one-step accuracy ({ctx:.4f} in context) after "
               f"{cfg.max_steps} steps; raise max_steps or d_model/d_mlp")
    model.requires_grad_(False)
    return PretrainResult(model=model, config=cfg, steps=step, accuracy=acc, margin=margin,
                          in_context=ctx, seconds=time.perf_counter() - t0,
                          path=cache_dir() / f"{cfg.key}.pt", status=status, message=message)


def load_or_pretrain(cfg: PretrainConfig, *, rebuild: bool = False,
                     progress: bool = False) -> PretrainResult:
    """The cached pretrained model for ``cfg``, trained and cached when missing.

    Raises ``ValueError`` if pretraining does not reach 100% held-out accuracy (nothing is
    cached then).  The artefact ``<key>.pt`` (state dict) and ``<key>.json`` (report) are
    written atomically; nothing is downloaded.
    """
    path = cache_dir() / f"{cfg.key}.pt"
    meta = path.with_suffix(".json")
    if path.exists() and meta.exists() and not rebuild:
        model = build_model(cfg)
        model.load_state_dict(torch.load(path, weights_only=True))
        model.requires_grad_(False)
        rep = json.loads(meta.read_text())
        return PretrainResult(model=model, config=cfg, steps=0, accuracy=rep["accuracy"],
                              margin=rep["margin"], in_context=rep["in_context"], seconds=0.0,
                              path=path, status=1,
                              message=f"loaded from cache ({rep['steps']} steps of pretraining)")
    res = pretrain(cfg, progress=progress)
    if not res.success:
        raise ValueError(f"load_or_pretrain: {cfg.group} pretraining failed: {res.message}.")
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        torch.save(res.model.state_dict(), tmp)
    write_json_atomic(meta, res.report())
    return res
