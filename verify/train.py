"""The minimal model's training driver: :func:`train` runs one :class:`~verify.config.RunConfig`
into a run directory.

The files of a run directory and the resume rules belong to :mod:`verify.rundir`; the loop
is :class:`verify.trainer.Trainer`, of which :class:`MinimalTrainer` is the attention
policy's case (Q trains, the head is frozen).  ``train(..., resume=True)`` restarts from
``checkpoint.pt``: records with ``step`` at or after the checkpoint are dropped and
recomputed, so every step is logged exactly once and the resumed run equals an
uninterrupted one (timings aside, at the same torch thread count).

The package attribute ``verify.train`` is this module, and it is callable:
``verify.train(config, out_dir)`` calls :func:`train` (the entry point of old).
"""

from __future__ import annotations

import os
import sys
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import torch

from .algos import exact_success
from .config import RunConfig
from .heads import IdealHead, LearnedHead, load_or_pretrain_head
from .metrics import metric_columns, metric_names
from .model import AttentionPolicy, canonical_identifiers, reduced_theta
from .rundir import (RESULT, TrainingResult, open_run, pyplot, read_json,  # noqa: F401
                     read_metrics, save_figure_atomic, write_json_atomic, write_text_atomic)
from .tasks import Prompts, Task, make_task, sample_prompts, seed_streams
from .trainer import Trainer

__all__ = ["RunResult", "train", "build_policy", "evaluate", "eval_prompts", "load_config",
           "MinimalTrainer", "read_metrics", "write_json_atomic", "write_text_atomic", "pyplot",
           "save_figure_atomic"]


# ----------------------------------------------------------------------------- result
@dataclass(frozen=True, repr=False)
class RunResult(TrainingResult):
    """Outcome of :func:`train` (see :class:`verify.rundir.TrainingResult`).

    Examples
    --------
    >>> import tempfile
    >>> cfg = RunConfig(group="Z6", horizons=(2, 3), n_ids=4, batch=32, updates=4,
    ...                 log_every=2, checkpoint_every=2, eval_prompts=8)
    >>> d = tempfile.mkdtemp()
    >>> train(cfg, d, progress=False).success, RunResult.from_dir(d).message
    (True, 'completed 4 updates')
    """

    @classmethod
    def from_dir(cls, run_dir: str | os.PathLike) -> "RunResult":
        """Read a finished (or interrupted: ``status=-2``, not a success) run directory back."""
        run_dir = Path(run_dir)
        cfg = load_config(run_dir)
        records = read_metrics(run_dir)
        status, message, _ = cls.read_status(run_dir, records, cfg.updates)
        return _result(cfg, run_dir, records, status, message)


def _result(cfg: RunConfig, out: Path, records: list[dict], status: int, message: str) -> RunResult:
    cols = metric_columns(records, metric_names(cfg.horizons))
    return RunResult(config=cfg, out_dir=out, steps=cols["step"], metrics=cols,
                     final=dict(records[-1]) if records else {}, status=status, message=message)


def load_config(run_dir: str | os.PathLike) -> RunConfig:
    """The :class:`RunConfig` saved in ``run_dir/config.json``.

    Examples
    --------
    >>> import tempfile
    >>> load_config(tempfile.mkdtemp())
    Traceback (most recent call last):
    ...
    ValueError: load_config: '...' is not a run directory (no config.json); pass a directory written by `python -m verify run`.
    """
    path = Path(run_dir) / "config.json"
    if not path.exists():
        raise ValueError(f"load_config: {str(run_dir)!r} is not a run directory (no config.json); "
                         f"pass a directory written by `python -m verify run`.")
    d = read_json(path)
    if not isinstance(d, dict) or "run" in d:
        raise ValueError(f"load_config: {str(path)!r} does not hold a minimal-model RunConfig"
                         + (" (it is a transformer run: use verify.transformer)" if
                            isinstance(d, dict) else "") + ".")
    try:
        return RunConfig.from_dict(d)
    except (TypeError, ValueError) as err:
        raise ValueError(f"load_config: {str(path)!r} holds an invalid config: {err}") from None


# ----------------------------------------------------------------------------- building
def build_policy(cfg: RunConfig) -> AttentionPolicy:
    """The task, head and policy of ``cfg`` (Q initialised from the run's seed).

    Examples
    --------
    >>> from verify.config import RunConfig
    >>> cfg = RunConfig(group="Z6", horizons=(2, 3), n_ids=4, batch=32, updates=4,
    ...                 log_every=2, checkpoint_every=2, eval_prompts=8)
    >>> policy = build_policy(cfg)
    >>> policy.Q.shape, float(policy.Q.abs().max())          # M x M scores, zero init
    (torch.Size([4, 4]), 0.0)
    """
    seeds = seed_streams(cfg.seed)
    G = cfg.G
    task = make_task(G, cfg.n_ids, seed=seeds["perm"])
    if cfg.head == "ideal":
        head: IdealHead | LearnedHead = IdealHead(B=cfg.B, order=G.order)
    else:
        head = load_or_pretrain_head(G, cfg.head_hidden, B=cfg.B)
    return AttentionPolicy(task, head, init_std=cfg.effective_init_std,
                           generator=torch.Generator().manual_seed(seeds["init"]))


def eval_prompts(cfg: RunConfig, task: Task) -> list[Prompts]:
    """The held-out prompts, ``cfg.eval_prompts`` per horizon, from their own seed stream.

    Examples
    --------
    >>> from verify.config import RunConfig
    >>> cfg = RunConfig(group="Z6", horizons=(2, 3), n_ids=4, batch=32, updates=4,
    ...                 log_every=2, checkpoint_every=2, eval_prompts=8)
    >>> [(p.horizon, len(p)) for p in eval_prompts(cfg, build_policy(cfg).task)]
    [(2, 8), (3, 8)]
    """
    gen = torch.Generator().manual_seed(seed_streams(cfg.seed)["eval"])
    return [sample_prompts(task, L, cfg.eval_prompts, seed=gen) for L in cfg.horizons]


@torch.no_grad()
def evaluate(cfg: RunConfig, policy: AttentionPolicy, prompts: list[Prompts], *,
             step: int) -> dict[str, float]:
    """Per-horizon held-out metrics (see :mod:`verify.metrics`) and θ.

    Examples
    --------
    >>> cfg = RunConfig(group="Z6", horizons=(2, 3), n_ids=4, eval_prompts=8)
    >>> policy = build_policy(cfg)
    >>> m = evaluate(cfg, policy, eval_prompts(cfg, policy.task), step=0)
    >>> sorted(m)[:3], m["theta"]
    (['attn/L2/right_mass', 'attn/L3/right_mass', 'canonical/L2'], 0.0)
    """
    out: dict[str, float] = {"theta": reduced_theta(policy.Q, policy.task.perm),
                             "canonical/ids": canonical_identifiers(policy.Q, policy.task.perm)}
    gen = torch.Generator().manual_seed(seed_streams(cfg.seed)["eval"] + step)
    for L, p in zip(cfg.horizons, prompts):
        alpha = policy.attention(p)
        if isinstance(policy.head, IdealHead):
            sampled = float(exact_success(cfg, policy, p).mean())
            canon = float(policy.head.canonical_probability(alpha).mean())
        else:
            ro = policy.rollout(p, generator=gen)
            sampled, canon = float(ro.reward.mean()), float(ro.canonical.double().mean())
        out[f"success/L{L}/sampled"] = sampled
        out[f"success/L{L}/greedy"] = float(policy.rollout(p, greedy=True).reward.mean())
        out[f"canonical/L{L}"] = canon
        out[f"attn/L{L}/right_mass"] = float(alpha.diagonal(dim1=1, dim2=2).mean())
    return out


def _make_optimizer(cfg: RunConfig, params) -> torch.optim.Optimizer:
    if cfg.optimizer == "sgd":
        return torch.optim.SGD(params, lr=cfg.lr)
    return torch.optim.Adam(params, lr=cfg.lr)


# ----------------------------------------------------------------------------- driver
class MinimalTrainer(Trainer):
    """:class:`~verify.trainer.Trainer` of the minimal model: Q of an
    :class:`~verify.model.AttentionPolicy` trains with SGD or Adam, evaluated by
    :func:`evaluate` on :func:`eval_prompts`.

    Examples
    --------
    >>> import tempfile
    >>> from verify.config import RunConfig
    >>> cfg = RunConfig(group="Z6", horizons=(2, 3), n_ids=4, batch=32, updates=4,
    ...                 log_every=2, checkpoint_every=2, eval_prompts=8)
    >>> records, status, message = MinimalTrainer(cfg).train(tempfile.mkdtemp(), progress=False)
    >>> [r["step"] for r in records], status, message
    ([0, 2, 4], 1, 'completed 4 updates')
    """

    params_name = "Q"
    checkpoint_at_exit = False

    def __init__(self, cfg: RunConfig):
        policy = build_policy(cfg)
        super().__init__(cfg, policy, _make_optimizer(cfg, [policy.Q]), params=[policy.Q],
                         generator=torch.Generator().manual_seed(seed_streams(cfg.seed)["train"]),
                         metric_keys=metric_names(cfg.horizons))
        self.held_out = eval_prompts(cfg, policy.task)

    def evaluate(self, step: int) -> Mapping[str, float]:
        return _module.evaluate(self.run, self.policy, self.held_out, step=step)

    def policy_state(self) -> dict[str, Any]:
        return {"Q": self.policy.Q.detach().clone()}

    def load_policy_state(self, state: Mapping[str, Any]) -> None:
        with torch.no_grad():
            self.policy.Q.copy_(state["Q"])

    def grad_norm(self, term: torch.Tensor) -> float:
        return (torch.autograd.grad(term, self.policy.Q, retain_graph=True)[0].norm().item()
                if term.requires_grad else 0.0)

    def load_config(self, out: Path) -> RunConfig:
        return load_config(out)


def train(config: RunConfig, out_dir: str | os.PathLike, *, resume: bool = False,
          progress: bool = True) -> RunResult:
    """Train ``config`` and log into ``out_dir``; return the :class:`RunResult`.

    Parameters
    ----------
    config : RunConfig
    out_dir : path
        Created if missing.  Without ``resume`` it must not already hold a run.
    resume : bool
        Continue from ``out_dir/checkpoint.pt`` (or start if there is none); the saved
        config must equal ``config`` except for ``updates``, which may grow to extend a
        finished run (see :func:`verify.rundir.open_run` for every check).
    progress : bool
        Show progress (a bar on a terminal, plain lines otherwise).

    Examples
    --------
    >>> import tempfile
    >>> from verify.config import RunConfig
    >>> cfg = RunConfig(group="Z6", horizons=(2, 3), n_ids=4, batch=32, updates=4, log_every=2,
    ...                 checkpoint_every=2, eval_prompts=8)
    >>> res = train(cfg, tempfile.mkdtemp(), progress=False)
    >>> res.message, res.steps.tolist()
    ('completed 4 updates', [0.0, 2.0, 4.0])
    """
    if not isinstance(config, RunConfig):
        raise TypeError(f"train: config must be a verify RunConfig; got {type(config).__name__}.")
    cfg, out = config, Path(out_dir)
    # the directory is checked before the policy is built (a learned head may pretrain)
    opened = open_run(out, cfg, resume=resume, load_config=load_config, updates=cfg.updates,
                      log_every=cfg.log_every, who="train")
    records, status, message = MinimalTrainer(cfg).train(out, progress=progress, who="train",
                                                         opened=opened)
    result = _result(cfg, out, records, status, message)
    write_json_atomic(out / RESULT, {"status": status, "message": message, "final": result.final,
                                     "config": cfg.to_dict(),
                                     "torch_threads": torch.get_num_threads()})
    return result


class _CallableModule(types.ModuleType):
    """``verify.train`` is this module; calling it calls :func:`train`."""

    def __call__(self, *args, **kwargs):
        return train(*args, **kwargs)


_module = sys.modules[__name__]
_module.__class__ = _CallableModule
