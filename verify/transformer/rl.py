r"""RLVR on the horizon mixture for the pretrained transformer, with verify's algorithms.

The task, the algorithm and the optimiser are those of a :class:`verify.config.RunConfig`
(``TransformerRunConfig.run``): prompts come from :func:`verify.tasks.sample_prompts`, the
surrogate losses from :func:`verify.algos.objectives` (REINFORCE with batch / EMA /
leave-one-out baselines, 1/L normalisation, entropy bonus, GRPO), applied unchanged to a
:class:`~verify.transformer.policy.TransformerPolicy`.  Every parameter of the transformer
trains.  Optionally a KL penalty to the pretrained model is added:

.. math:: \mathcal L = \sum_L \mathcal L^{\mathrm{RL}}_L
          + \beta\, \overline{\textstyle\frac1L\sum_k \mathrm{KL}\big(\pi(\cdot\mid
          \text{prefix}_k)\,\|\,\pi_\text{ref}(\cdot\mid\text{prefix}_k)\big)} .

Only the fields of ``run`` that concern the task, the algorithm, the optimiser and the
logging are used; the minimal model's ``head``, ``head_hidden``, ``c_B`` and ``init_std``
have no meaning here, and ``algo="exact"`` (the Fourier formula of the idealised head) is
refused.

Logging (every ``run.log_every`` updates, on held-out prompts) uses the metric names of
:mod:`verify.metrics`, with the theory's θ replaced by a measured quantity:

* ``attn/L{L}/right_mass``: attention mass on the right clause per step
  (:meth:`~verify.transformer.policy.TransformerPolicy.attention`);
* ``theta``: the mean over horizons L >= 2 of :math:`\theta_L`, the ansatz's θ for that
  mass (:func:`~verify.transformer.policy.theta_from_alpha`);
* ``canonical/ids``: fraction of identifiers whose clause gets the most attention at
  most of their steps;
* ``success/L{L}/sampled``: one sampled chain per held-out prompt;
  ``canonical/L{L}``: fraction of those chains that applied the right clause at every step.

plus :data:`EXTRA_METRICS`: ``cpu_s`` (CPU seconds of this process spent training, evaluation
excluded: on a shared machine it measures the work where ``time_s``, wall-clock, also
counts waiting), ``kl`` (mean per-step KL to the pretrained model, when penalised),
``theta/L{L}``, ``attn/L{L}/layer`` (the layer whose attention is reported) and
``clause_rate/L{L}`` (fraction of greedy steps applying some listed operation to the
current state).  The run directory has the same files as a ``verify`` run
(``config.json`` holds this config, nested), and ``--resume`` continues from the
checkpoint without losing or duplicating a logged step.
"""

from __future__ import annotations

import dataclasses
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, cast

import numpy as np
import torch

from ..algos import AlgoState, objectives
from ..config import RunConfig
from ..metrics import metric_columns, metric_names
from ..rundir import (RESULT, TrainingResult, open_run, read_json, read_metrics,
                      write_json_atomic)
from ..tasks import Prompts, make_task, sample_prompts, seed_streams
from ..trainer import Trainer
from ..validate import check_float
from .model import ModelConfig
from .policy import TransformerPolicy, theta_from_alpha
from .pretrain import PretrainConfig, build_model, load_or_pretrain

__all__ = ["TransformerRunConfig", "TransformerRunResult", "train_transformer", "TransformerTrainer",
           "evaluate_transformer", "transformer_metric_names", "EXTRA_METRICS",
           "load_transformer_config", "gradient_probe"]

#: metrics logged beside :func:`verify.metrics.metric_names` (per-horizon ones use ``{L}``)
EXTRA_METRICS: tuple[str, ...] = ("cpu_s", "kl", "theta/L{L}", "attn/L{L}/layer", "clause_rate/L{L}")


def transformer_metric_names(horizons: tuple[int, ...]) -> tuple[str, ...]:
    """Every key of a logged record: verify's names, then :data:`EXTRA_METRICS`.

    Examples
    --------
    >>> transformer_metric_names((2,))[-5:]
    ('cpu_s', 'kl', 'theta/L2', 'attn/L2/layer', 'clause_rate/L2')
    """
    extra = tuple(t for t in EXTRA_METRICS if "{L}" not in t)
    extra += tuple(t.format(L=L) for L in horizons for t in EXTRA_METRICS if "{L}" in t)
    return metric_names(horizons) + extra


def _f(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


_DEFAULT_RUN = RunConfig(group="Z10", horizons=(2, 4, 8), n_ids=16, algo="reinforce",
                         baseline="batch", length_norm=True, optimizer="adam", lr=1e-3,
                         batch=256, updates=600, log_every=25, checkpoint_every=100,
                         eval_prompts=256)


@dataclass(frozen=True, kw_only=True)
class TransformerRunConfig:
    r"""One RLVR run of the transformer: verify's run settings, the model and pretraining.

    Parameters
    ----------
    run : RunConfig
        Task (group, horizons, weights, n_ids), algorithm, optimiser, batch, updates,
        seed and logging; see :class:`verify.config.RunConfig`.
    model : ModelConfig
        Transformer shape and positional encoding.
    kl_coef : float
        Coefficient β of the KL penalty to the pretrained model (0: none).
    pretrain_seed : int
        Seed of the pretraining (one cached artefact per group, M, model and seed).
    pretrain_lr : float
        Adam learning rate of the pretraining.
    pretrain_max_steps : int
        Pretraining gives up after this many steps.
    pretrain_max_clauses : int, optional
        Largest in-context pretraining prompt (default: the longest horizon).  Runs that
        set the same value share one pretrained artefact.
    pretrain_lookup : bool
        Also pretrain lookup prompts (:func:`verify.transformer.pretrain._lookup_batch`):
        the skill "apply the operation filed under the identifier I name", with a query
        role of its own, so that the output follows the attention; RL then has to map the
        task's queries :math:`\pi(p)` onto it.

    Examples
    --------
    >>> TransformerRunConfig(run=RunConfig(group="Z6", horizons=(2,), n_ids=4, algo="exact"))
    Traceback (most recent call last):
    ...
    ValueError: TransformerRunConfig: algo='exact' differentiates the idealised head's Fourier formula and has no transformer analogue; got run.algo='exact'. Use 'reinforce' or 'grpo'.
    """

    run: RunConfig = _f(_DEFAULT_RUN, "Task, algorithm, optimiser and logging (verify).")
    model: ModelConfig = _f(ModelConfig(), "Transformer shape.")
    kl_coef: float = _f(0.0, "KL penalty coefficient to the pretrained model (0: none).")
    pretrain_seed: int = _f(0, "Seed of the one-step pretraining.")
    pretrain_lr: float = _f(3e-3, "Adam learning rate of the pretraining.")
    pretrain_max_steps: int = _f(20000, "Pretraining gives up after this many steps.")
    pretrain_max_clauses: int | None = _f(None, "Largest in-context pretraining prompt "
                                          "(default: the longest horizon).")
    pretrain_lookup: bool = _f(True, "Also pretrain lookup prompts (queries naming their "
                               "clause's identifier directly, a separate role).")

    def __post_init__(self) -> None:
        who = "TransformerRunConfig"
        if not isinstance(self.run, RunConfig):
            raise ValueError(f"{who}: run must be a verify RunConfig; got {self.run!r}.")
        if not isinstance(self.model, ModelConfig):
            raise ValueError(f"{who}: model must be a ModelConfig; got {self.model!r}.")
        if self.run.algo == "exact":
            raise ValueError(f"{who}: algo='exact' differentiates the idealised head's Fourier "
                             f"formula and has no transformer analogue; got run.algo='exact'. "
                             f"Use 'reinforce' or 'grpo'.")
        check_float(who, "kl_coef", self.kl_coef, minimum=0, maximum=1e30)
        L = 4 * max(self.run.horizons) + 2
        if self.model.positional in ("learned", "sinusoidal") and L > self.model.max_len:
            raise ValueError(f"{who}: horizon {max(self.run.horizons)} needs sequences of length "
                             f"{L} > model.max_len={self.model.max_len}; raise max_len.")
        self.pretrain  # validates the pretraining settings

    @property
    def pretrain(self) -> PretrainConfig:
        """The pretraining configuration of this run's model."""
        return PretrainConfig(group=self.run.group, n_ids=self.run.n_ids, model=self.model,
                              seed=self.pretrain_seed, lr=self.pretrain_lr,
                              max_steps=self.pretrain_max_steps,
                              max_clauses=(max(self.run.horizons)
                                           if self.pretrain_max_clauses is None
                                           else self.pretrain_max_clauses),
                              lookup=self.pretrain_lookup)

    def training_setup(self, *, c_B: float, t_max: float | None = None):
        """The :class:`dynamics.setup.TrainingSetup` this run is compared with: the
        minimal model with the idealised head at the transformer's measured head strength
        ``c_B`` (mean one-step logit margin / log|G|), and this run's task, optimiser and
        updates (``RunConfig.training_setup`` of the run with ``head="ideal"``).

        Examples
        --------
        >>> from verify.transformer.presets import transformer_preset
        >>> s = transformer_preset("small")["smooth"].training_setup(c_B=6.0)
        >>> s.model.c_B, s.optimizer.optimizer, s.horizon
        (6.0, 'adam', 600.0)
        """
        run = dataclasses.replace(self.run, head="ideal", c_B=float(c_B))
        setup = run.training_setup(t_max=t_max)
        return setup.replace(note=f"transformer (all weights, {self.run.optimizer} "
                                  f"lr={self.run.lr:g}) vs the minimal model at the measured "
                                  f"c_B={float(c_B):.2f}")

    def to_dict(self) -> dict[str, Any]:
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        d["run"], d["model"] = self.run.to_dict(), self.model.to_dict()
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "TransformerRunConfig":
        d = dict(d)
        d["run"] = RunConfig.from_dict(d["run"])
        d["model"] = ModelConfig(**d["model"])
        return cls(**d)


def load_transformer_config(run_dir: str | os.PathLike) -> TransformerRunConfig:
    """The config saved in ``run_dir/config.json``."""
    path = Path(run_dir) / "config.json"
    if not path.exists():
        raise ValueError(f"load_transformer_config: {str(run_dir)!r} is not a run directory (no "
                         f"config.json); pass a directory written by `python -m verify.transformer "
                         f"run`.")
    d = read_json(path)
    if not isinstance(d, dict) or "run" not in d or "model" not in d:
        raise ValueError(f"load_transformer_config: {str(path)!r} holds a minimal-model run, "
                         f"not a transformer run; use `python -m verify compare` for it.")
    return TransformerRunConfig.from_dict(d)


@dataclass(frozen=True, repr=False)
class TransformerRunResult(TrainingResult):
    """Outcome of :func:`train_transformer` (see :class:`verify.rundir.TrainingResult`),
    with ``metrics`` named by :func:`transformer_metric_names`.

    Attributes
    ----------
    pretrain : dict
        The pretraining report (accuracy, margin, steps).
    """

    pretrain: dict = field(default_factory=dict)

    @classmethod
    def from_dir(cls, run_dir: str | os.PathLike) -> "TransformerRunResult":
        """Read a finished (or interrupted: ``status=-2``, not a success) run directory back."""
        run_dir = Path(run_dir)
        cfg = load_transformer_config(run_dir)
        records = read_metrics(run_dir)
        status, message, res = cls.read_status(run_dir, records, cfg.run.updates)
        return _result(cfg, run_dir, records, res.get("pretrain", {}), status, message)


def _result(cfg, out, records, pre, status, message) -> TransformerRunResult:
    cols = metric_columns(records, transformer_metric_names(cfg.run.horizons))
    return TransformerRunResult(config=cfg, out_dir=Path(out), steps=cols["step"], metrics=cols,
                                final=dict(records[-1]) if records else {}, pretrain=pre,
                                status=status, message=message)


def _seeds(seed: int) -> dict[str, int]:
    return seed_streams(seed, salt=7)   # the transformer's own family of streams


@torch.no_grad()
def evaluate_transformer(cfg: TransformerRunConfig, policy: TransformerPolicy,
                         prompts: list[Prompts], *, step: int) -> dict[str, float]:
    """Held-out metrics of every horizon (see the module docstring)."""
    run = cfg.run
    gen = torch.Generator().manual_seed(_seeds(run.seed)["eval"] + step)
    out: dict[str, float] = {}
    thetas, ids_right, ids_all = [], [], []
    for L, p in zip(run.horizons, prompts):
        ro = policy.rollout(p, generator=gen)
        out[f"success/L{L}/sampled"] = float(ro.reward.mean())
        out[f"success/L{L}/greedy"] = float(policy.rollout(p, greedy=True).reward.mean())
        out[f"canonical/L{L}"] = float(ro.canonical.double().mean())
        alpha, layer = policy.attention(p)
        right = float(alpha.diagonal(dim1=1, dim2=2).mean())
        out[f"attn/L{L}/right_mass"] = right
        out[f"attn/L{L}/layer"] = float(layer)
        out[f"theta/L{L}"] = theta_from_alpha(right, L)
        out[f"clause_rate/L{L}"] = policy.clause_rate(p)
        if L >= 2:
            thetas.append(out[f"theta/L{L}"])
            ids_right.append((alpha.argmax(-1) == torch.arange(L)).reshape(-1).double())
            ids_all.append(p.ids.reshape(-1))
    out["theta"] = float(np.nanmean(thetas)) if thetas else float("nan")
    if ids_all:
        ids, ok = torch.cat(ids_all), torch.cat(ids_right)
        cnt = torch.zeros(run.n_ids, dtype=torch.float64).index_add_(0, ids, torch.ones_like(ok))
        hit = torch.zeros(run.n_ids, dtype=torch.float64).index_add_(0, ids, ok)
        seen = cnt > 0
        out["canonical/ids"] = float(((hit[seen] / cnt[seen]) > 0.5).double().mean())
    else:
        out["canonical/ids"] = float("nan")
    return out


def _optimizer(run: RunConfig, params) -> torch.optim.Optimizer:
    return (torch.optim.SGD if run.optimizer == "sgd" else torch.optim.Adam)(params, lr=run.lr)


def train_transformer(config: TransformerRunConfig, out_dir: str | os.PathLike, *,
                      resume: bool = False, progress: bool = True) -> TransformerRunResult:
    """Pretrain (or load) the model, then train it with RLVR; log into ``out_dir``.

    Parameters
    ----------
    config : TransformerRunConfig
    out_dir : path
        Created if missing; without ``resume`` it must not already hold a run.
    resume : bool
        Continue from ``out_dir/checkpoint.pt``; the saved config must equal ``config``.
    progress : bool
        Show a tqdm progress bar.

    Examples
    --------
    >>> import tempfile
    >>> run = RunConfig(group="Z3", horizons=(1, 2), n_ids=3, optimizer="adam", lr=1e-3,
    ...                 batch=16, updates=2, log_every=1, checkpoint_every=1, eval_prompts=8)
    >>> cfg = TransformerRunConfig(run=run, model=ModelConfig(d_model=16, n_heads=2, d_mlp=32),
    ...                            pretrain_lookup=False)
    >>> res = train_transformer(cfg, tempfile.mkdtemp(), progress=False)
    >>> res.message, res.steps.tolist()
    ('completed 2 updates', [0.0, 1.0, 2.0])
    """
    if not isinstance(config, TransformerRunConfig):
        raise TypeError(f"train_transformer: config must be a TransformerRunConfig; got "
                        f"{type(config).__name__}.")
    out = Path(out_dir)
    # the directory is checked before the model is pretrained or loaded
    opened = open_run(out, config, resume=resume, load_config=load_transformer_config,
                      updates=config.run.updates, log_every=config.run.log_every,
                      who="train_transformer")
    trainer = TransformerTrainer(config)
    records, status, message = trainer.train(out, progress=progress, who="train_transformer",
                                             opened=opened)
    result = _result(config, out, records, trainer.pre_report, status, message)
    write_json_atomic(out / RESULT, {"status": status, "message": message,
                                     "final": result.final, "pretrain": trainer.pre_report,
                                     "config": config.to_dict(),
                                     "torch_threads": torch.get_num_threads()})
    return result


class TransformerTrainer(Trainer):
    """:class:`~verify.trainer.Trainer` of the transformer: every parameter of the pretrained
    model trains, with an optional KL penalty to it (:meth:`extra_loss`)."""

    params_name = "parameters"
    checkpoint_at_exit = True

    def __init__(self, cfg: TransformerRunConfig):
        run = cfg.run
        pre = load_or_pretrain(cfg.pretrain)
        self.pre_report = {"accuracy": pre.accuracy, "margin": pre.margin,
                           "in_context": pre.in_context, "path": str(pre.path),
                           "message": pre.message}
        seeds = _seeds(run.seed)
        task = make_task(run.G, run.n_ids, seed=seeds["perm"])
        model = build_model(cfg.pretrain)
        model.load_state_dict(pre.model.state_dict())
        model.requires_grad_(True)
        policy = TransformerPolicy(task, model, ref=pre.model if cfg.kl_coef else None,
                                   kl=bool(cfg.kl_coef))
        egen = torch.Generator().manual_seed(seeds["eval"])
        self.held_out = [sample_prompts(task, L, run.eval_prompts, seed=egen)
                         for L in run.horizons]
        params = list(model.parameters())
        super().__init__(run, policy, _optimizer(run, params), params=params,
                         generator=torch.Generator().manual_seed(seeds["train"]),
                         metric_keys=transformer_metric_names(run.horizons), config=cfg)
        self.cfg, self.model = cfg, model

    def evaluate(self, step: int) -> Mapping[str, float]:
        return evaluate_transformer(self.cfg, self.policy, self.held_out, step=step)

    def policy_state(self) -> dict[str, Any]:
        return {"model": self.model.state_dict()}

    def load_policy_state(self, state: Mapping[str, Any]) -> None:
        self.model.load_state_dict(state["model"])

    def objective(self, prompts: list):
        return objectives(self.run, self.policy, prompts, generator=self.generator,
                          state=self.algo_state)        # looked up per call (tests patch it)

    def extra_loss(self) -> tuple[str, float]:
        return ("kl", self.cfg.kl_coef)

    def reset_extra(self) -> None:
        self.policy.kl_terms.clear()

    def extra_value(self) -> torch.Tensor | None:
        terms = self.policy.kl_terms
        return torch.cat(terms).mean() if terms else None

    def load_config(self, out: Path) -> TransformerRunConfig:
        return load_transformer_config(out)


def gradient_probe(cfg: TransformerRunConfig, *, horizon: int, batch: int = 4096,
                   step_sizes: tuple[float, ...] = (0.01, 0.03, 0.1, 0.3),
                   eval_prompts: int = 4096) -> list[dict[str, float]]:
    r"""Held-out success after one normalised step along a large-batch policy gradient.

    At the pretrained weights :math:`w_0`, estimate :math:`g = \nabla_w J_L` from ``batch``
    rollouts of horizon L (the run's algorithm and baseline), then for each step size η
    evaluate the model at :math:`w_0 + \eta\, g/\|g\|` on ``eval_prompts`` held-out prompts
    (sampled success, with standard error, and right-clause attention).  If success falls
    for every η that moves the attention measurably, the reward's first-order gain is
    smaller than the damage the same step does to the pretrained skill: the learning
    signal is there, but a step size that uses it also breaks the skill.

    Returns one dict per step size (η = 0 first) with ``step``, ``success``, ``stderr``,
    ``right_mass``.
    """
    run = dataclasses.replace(cfg.run, horizons=(horizon,), weights=None, batch=batch)
    pre = load_or_pretrain(cfg.pretrain)
    seeds = _seeds(run.seed)
    task = make_task(run.G, run.n_ids, seed=seeds["perm"])
    model = build_model(cfg.pretrain)
    model.load_state_dict(pre.model.state_dict())
    model.requires_grad_(True)
    policy = TransformerPolicy(task, model)
    gen = torch.Generator().manual_seed(seeds["train"])
    held = sample_prompts(task, horizon, eval_prompts,
                          seed=torch.Generator().manual_seed(seeds["eval"]))
    prompts = [sample_prompts(task, horizon, batch, seed=gen)]
    terms, _ = objectives(run, policy, prompts, generator=gen, state=AlgoState())
    params = list(model.parameters())
    grads = torch.autograd.grad(cast(torch.Tensor, sum(terms)), params)
    norm = torch.sqrt(cast(torch.Tensor, sum((g ** 2).sum() for g in grads)))
    w0 = [p.detach().clone() for p in params]
    rows = []
    for eta in (0.0,) + tuple(step_sizes):
        with torch.no_grad():
            for p, w, g in zip(params, w0, grads):
                p.copy_(w - eta * g / norm)        # the loss is -J: descend it
            r = policy.rollout(held, generator=torch.Generator().manual_seed(1)).reward
            alpha, _ = policy.attention(held)
        s = float(r.mean())
        rows.append({"step": eta, "success": s, "stderr": math.sqrt(s * (1 - s) / len(r)),
                     "right_mass": float(alpha.diagonal(dim1=1, dim2=2).mean())})
    return rows
