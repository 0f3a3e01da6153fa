"""The training driver: :func:`train` runs one :class:`~verify.config.RunConfig` into a directory.

Files of a run directory (all JSON written atomically: a temp file, then ``os.replace``)::

    config.json      the full config, seed included
    metrics.jsonl    one record per evaluation, keys = verify.metrics.metric_names(horizons)
    metrics.csv      the same table as CSV (rewritten at every checkpoint and at the end)
    checkpoint.pt    Q, optimiser, RNG and algorithm state after `step` updates
    result.json      the final record, status and message

``train(..., resume=True)`` restarts from ``checkpoint.pt``: records with ``step`` at or
after the checkpoint are dropped and recomputed, so every step is logged exactly once
and the resumed run equals an uninterrupted one (timings aside).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np
import torch
from numpy.typing import NDArray

from .algos import AlgoState, exact_success, objectives
from .config import RunConfig
from .heads import IdealHead, load_or_pretrain_head
from .metrics import metric_columns, metric_names
from .model import AttentionPolicy, canonical_identifiers, reduced_theta
from .tasks import Prompts, Task, make_task, sample_prompts

__all__ = ["RunResult", "train", "build_policy", "evaluate", "read_metrics", "write_json_atomic",
           "training_loop", "ExtraLoss", "write_text_atomic", "pyplot", "save_figure_atomic"]


# ----------------------------------------------------------------------------- I/O helpers
def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temp file and ``os.replace``."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_text(text)
    os.replace(tmp, path)


def write_json_atomic(path: Path, obj: Any) -> None:
    """Write ``obj`` as indented JSON, atomically."""
    write_text_atomic(path, json.dumps(obj, indent=2, sort_keys=True) + "\n")


def pyplot():
    """``matplotlib.pyplot``, switched to Agg unless a file backend is already in use
    (figures are written, never shown; imported lazily to keep start-up fast)."""
    import matplotlib
    if matplotlib.get_backend().lower() not in ("agg", "pdf", "svg", "ps", "cairo"):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def save_figure_atomic(fig, path: Path, *, dpi: int) -> None:
    """Save ``fig`` to ``path`` through a temp file and ``os.replace``, then close it."""
    path = Path(path)
    tmp = path.with_name(f".{path.stem}.tmp{os.getpid()}{path.suffix}")
    fig.savefig(tmp, dpi=dpi)
    pyplot().close(fig)
    os.replace(tmp, path)


def read_metrics(run_dir: Path) -> list[dict[str, Any]]:
    """The records of ``run_dir/metrics.jsonl`` (a torn last line is ignored)."""
    path = Path(run_dir) / "metrics.jsonl"
    if not path.exists():
        return []
    out = []
    for line in path.read_text().splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            break
    return out


def _write_csv(path: Path, records: list[dict], keys: tuple[str, ...]) -> None:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(keys))
    w.writeheader()
    for r in records:
        w.writerow({k: ("" if r.get(k) is None else r[k]) for k in keys})
    write_text_atomic(path, buf.getvalue())


# ----------------------------------------------------------------------------- result
@dataclass(frozen=True, repr=False)
class RunResult:
    """Outcome of :func:`train`.

    Attributes
    ----------
    config : RunConfig
    out_dir : Path
    steps : ndarray, shape (n_records,)
        The ``step`` of each logged record.
    metrics : Mapping[str, ndarray]
        Each metric name -> read-only float array, shape (n_records,) (NaN where undefined).
    final : dict
        The last record.
    status : int
        0 every update done; -1 Q became non-finite (the run stopped there).
    message : str
    """

    config: RunConfig
    out_dir: Path
    steps: NDArray
    metrics: Mapping[str, NDArray]
    final: dict
    status: int
    message: str

    @property
    def success(self) -> bool:
        return self.status >= 0

    def __repr__(self) -> str:
        return (f"RunResult(message={self.message!r}, status={self.status}, "
                f"out_dir={str(self.out_dir)!r}, steps=({len(self.steps)},))")

    @classmethod
    def from_dir(cls, run_dir: Path) -> "RunResult":
        """Read a finished (or interrupted) run directory back."""
        run_dir = Path(run_dir)
        cfg = load_config(run_dir)
        records = read_metrics(run_dir)
        res = {}
        if (run_dir / "result.json").exists():
            res = json.loads((run_dir / "result.json").read_text())
        return _result(cfg, run_dir, records, res.get("status", 1),
                       res.get("message", "run not finished"))


def _result(cfg: RunConfig, out: Path, records: list[dict], status: int, message: str) -> RunResult:
    cols = metric_columns(records, metric_names(cfg.horizons))
    return RunResult(config=cfg, out_dir=out, steps=cols["step"], metrics=cols,
                     final=dict(records[-1]) if records else {}, status=status, message=message)


def load_config(run_dir: Path) -> RunConfig:
    """The :class:`RunConfig` saved in ``run_dir/config.json``."""
    path = Path(run_dir) / "config.json"
    if not path.exists():
        raise ValueError(f"load_config: {str(run_dir)!r} is not a run directory (no config.json); "
                         f"pass a directory written by `python -m verify run`.")
    return RunConfig.from_dict(json.loads(path.read_text()))


# ----------------------------------------------------------------------------- building
def _seeds(seed: int) -> dict[str, int]:
    s = np.random.SeedSequence(seed).generate_state(4, dtype=np.uint32)
    return {"perm": int(s[0]), "init": int(s[1]), "train": int(s[2]), "eval": int(s[3])}


def build_policy(cfg: RunConfig) -> AttentionPolicy:
    """The task, head and policy of ``cfg`` (Q initialised from the run's seed)."""
    seeds = _seeds(cfg.seed)
    G = cfg.G
    task = make_task(G, cfg.n_ids, seed=seeds["perm"])
    if cfg.head == "ideal":
        head = IdealHead(B=cfg.B, order=G.order)
    else:
        head = load_or_pretrain_head(G, cfg.head_hidden, B=cfg.B)
    return AttentionPolicy(task, head, init_std=cfg.effective_init_std,
                           generator=torch.Generator().manual_seed(seeds["init"]))


def eval_prompts(cfg: RunConfig, task: Task) -> list[Prompts]:
    """The held-out prompts, ``cfg.eval_prompts`` per horizon, from their own seed stream."""
    gen = torch.Generator().manual_seed(_seeds(cfg.seed)["eval"])
    return [sample_prompts(task, cfg.eval_prompts, L, generator=gen) for L in cfg.horizons]


@torch.no_grad()
def evaluate(cfg: RunConfig, policy: AttentionPolicy, prompts: list[Prompts], *,
             step: int) -> dict[str, float]:
    """Per-horizon held-out metrics (see :mod:`verify.metrics`) and θ."""
    out: dict[str, float] = {"theta": reduced_theta(policy.Q, policy.task.perm),
                             "canonical/ids": canonical_identifiers(policy.Q, policy.task.perm)}
    gen = torch.Generator().manual_seed(_seeds(cfg.seed)["eval"] + step)
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
        finished run.
    progress : bool
        Show a tqdm progress bar.

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
    cfg = config
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if (out / "config.json").exists():
        saved = load_config(out)
        if not resume:
            raise ValueError(f"train: {str(out)!r} already holds a run; pass resume=True "
                             f"(--resume) to continue it, or choose another out_dir.")
        if dataclasses.replace(saved, updates=cfg.updates) != cfg:
            raise ValueError(f"train: resume=True but {str(out)!r} holds a run with a different "
                             f"config ({saved!r}); resume it with its own config (only "
                             f"`updates` may change, to extend a run) or use another out_dir.")
    write_json_atomic(out / "config.json", cfg.to_dict())

    policy = build_policy(cfg)
    held_out = eval_prompts(cfg, policy.task)
    opt = _make_optimizer(cfg, [policy.Q])
    gen = torch.Generator().manual_seed(_seeds(cfg.seed)["train"])

    def save(common: dict) -> dict:
        return {"Q": policy.Q.detach().clone(),
                **{k: v for k, v in common.items() if k != "cpu_time"}}

    def load(ck: Mapping) -> None:
        with torch.no_grad():
            policy.Q.copy_(ck["Q"])

    def grad_norm(term: torch.Tensor) -> float:
        return (torch.autograd.grad(term, policy.Q, retain_graph=True)[0].norm().item()
                if term.requires_grad else 0.0)

    keys = metric_names(cfg.horizons)
    records, status, message = training_loop(
        cfg, out, policy=policy, params=[policy.Q], opt=opt, gen=gen, keys=keys,
        evaluate=lambda step: evaluate(cfg, policy, held_out, step=step),
        save_state=save, load_state=load, grad_norm=grad_norm, params_name="Q",
        checkpoint_at_exit=False, resume=resume, progress=progress)
    result = _result(cfg, out, records, status, message)
    write_json_atomic(out / "result.json", {"status": status, "message": message,
                                            "final": result.final, "config": cfg.to_dict()})
    return result


@dataclass(frozen=True)
class ExtraLoss:
    """A term added to the surrogate loss (the transformer's KL penalty), logged as ``name``.

    Attributes
    ----------
    name : str
        Key of its running mean in the accumulator and the logged record.
    coef : float
        Its weight in the loss.
    reset : callable
        Called before :func:`~verify.algos.objectives` (clears what the rollouts record).
    value : callable
        Called after it; returns the (unweighted) term, or None when there is none.
    """

    name: str
    coef: float
    reset: Callable[[], None]
    value: Callable[[], "torch.Tensor | None"]


def training_loop(run: RunConfig, out: Path, *, policy, params: list[torch.Tensor],
                   opt: torch.optim.Optimizer, gen: torch.Generator, keys: tuple[str, ...],
                   evaluate: Callable[[int], Mapping[str, float]],
                   save_state: Callable[[dict], dict], load_state: Callable[[Mapping], None],
                   grad_norm: Callable[[torch.Tensor], float], params_name: str,
                   checkpoint_at_exit: bool, extra_loss: ExtraLoss | None = None,
                   objective: Callable | None = None, resume: bool = False, progress: bool = True,
                   ) -> tuple[list[dict], int, str]:
    """The RL loop shared by :func:`train` and :func:`verify.transformer.rl.train_transformer`.

    Resumes from ``out/checkpoint.pt`` (when ``resume`` and it exists), rewrites
    ``out/metrics.jsonl`` to the records before the resumed ``step``, then alternates
    sampling prompts per horizon, :func:`~verify.algos.objectives`, logging every
    ``run.log_every`` updates (and at ``run.updates``) and an optimiser step, with a
    checkpoint every ``run.checkpoint_every`` updates; writes ``out/metrics.csv`` at the end.

    Parameters
    ----------
    run : RunConfig
        Task, algorithm, batch and logging settings.
    out : Path
        The run directory.
    policy
        The policy :func:`~verify.algos.objectives` trains.
    params : list of Tensor
        Its trainable parameters (checked for finiteness after every update).
    opt : torch.optim.Optimizer
        Optimiser over ``params``.
    gen : torch.Generator
        The training stream (prompts and rollouts), saved in checkpoints.
    keys : tuple of str
        The keys of a logged record, in order (other keys are dropped).
    evaluate : callable
        ``evaluate(step)`` gives the held-out metrics of a record.
    save_state : callable
        ``save_state(common)`` gives the checkpoint dict from the common state
        (``optimizer``, ``generator``, ``ema``, ``step``, ``train_time``, ``cpu_time``,
        ``acc``), adding the policy's own state.
    load_state : callable
        ``load_state(checkpoint)`` restores the policy's own state.
    grad_norm : callable
        ``grad_norm(term)``: the gradient norm of one horizon's loss term.
    params_name : str
        How the non-finite message names ``params``.
    checkpoint_at_exit : bool
        Either way the loop checkpoints when ``step`` reaches ``run.updates``, before
        that step's sampling: the state a longer run (more ``updates``) resumes from, so
        that extending a finished run equals running the longer one.  True: also
        checkpoint when the loop stops early (parameters became non-finite).
    extra_loss : ExtraLoss, optional
        A term added to the loss and logged (its mean since the last record).
    objective : callable, optional
        Stands in for :func:`~verify.algos.objectives` (same signature); by default
        ``verify.train.objectives``, looked up at every update.
    resume : bool
        Continue from the checkpoint if there is one.
    progress : bool
        Show a tqdm progress bar.

    Returns
    -------
    records : list of dict
        Every logged record of the run.
    status : int
        0 when completed, -1 when ``params`` became non-finite.
    message : str
    """
    ckpt_path = out / "checkpoint.pt"

    def new_acc() -> dict:
        acc = {"zero": 0, "groups": 0, "reward": 0.0, "n": 0}
        if extra_loss is not None:
            acc[extra_loss.name] = 0.0
        return acc

    def checkpoint() -> None:
        tmp = ckpt_path.with_name(f".{ckpt_path.name}.tmp{os.getpid()}")
        torch.save(save_state({"optimizer": opt.state_dict(), "generator": gen.get_state(),
                               "ema": dict(state.ema), "step": step,
                               "train_time": train_time, "cpu_time": cpu_time,
                               "acc": dict(acc)}), tmp)
        os.replace(tmp, ckpt_path)

    state = AlgoState()
    step, train_time, cpu_time, acc = 0, 0.0, 0.0, new_acc()
    records: list[dict] = []
    if resume and ckpt_path.exists():
        ck = torch.load(ckpt_path, weights_only=False)
        load_state(ck)
        opt.load_state_dict(ck["optimizer"])
        gen.set_state(ck["generator"])
        state = AlgoState(ema={int(k): v for k, v in ck["ema"].items()})
        step, train_time, acc = ck["step"], ck["train_time"], ck["acc"]
        cpu_time = ck.get("cpu_time", 0.0)
        records = [r for r in read_metrics(out) if r["step"] < step]
    # rewrite the log so it holds exactly the records before `step`
    write_text_atomic(out / "metrics.jsonl", "".join(json.dumps(r) + "\n" for r in records))
    log = open(out / "metrics.jsonl", "a")

    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=run.updates, initial=step, desc=f"{run.group} {run.horizons}",
                   unit="upd", dynamic_ncols=True)
    last_t, last_step = train_time, step
    status, message = 0, f"completed {run.updates} updates"
    try:
        while True:
            if step == run.updates:
                checkpoint()  # the state a longer run (more `updates`) resumes from
            t0, c0 = time.perf_counter(), time.process_time()
            counts = run.batch_counts
            if run.algo == "grpo":
                counts = tuple(c // run.samples_per_prompt for c in counts)
            prompts = [sample_prompts(policy.task, n, L, generator=gen) for L, n in
                       zip(run.horizons, counts)]
            if extra_loss is not None:
                extra_loss.reset()
            terms, stats = (objective or objectives)(run, policy, prompts, generator=gen,
                                                     state=state)
            extra = extra_loss.value() if extra_loss is not None else None
            acc["zero"] += stats.zero_std_groups
            acc["groups"] += stats.groups
            acc["reward"] += sum(w * stats.reward[L] for L, w in
                                 zip(run.horizons, run.mixture_weights))
            if extra_loss is not None:
                acc[extra_loss.name] += float(extra.detach()) if extra is not None else 0.0
            acc["n"] += 1
            train_time += time.perf_counter() - t0
            cpu_time += time.process_time() - c0
            if step % run.log_every == 0 or step == run.updates:
                grads = [grad_norm(t) for t in terms]
                rec: dict[str, Any] = {
                    "step": step, "time_s": train_time, "cpu_s": cpu_time,
                    "updates_per_s": ((step - last_step) / (train_time - last_t)
                                      if step > last_step else None),
                    "frac_reward_zero_std": acc["zero"] / max(acc["groups"], 1),
                    "train/reward": acc["reward"] / max(acc["n"], 1)}
                if extra_loss is not None:
                    rec[extra_loss.name] = acc[extra_loss.name] / max(acc["n"], 1)
                rec.update(evaluate(step))
                for L, g in zip(run.horizons, grads):
                    rec[f"grad_norm/L{L}"] = g
                rec = {k: rec[k] for k in keys}
                records.append(rec)
                log.write(json.dumps(rec) + "\n")
                log.flush()
                last_t, last_step = train_time, step
                acc = new_acc()
                if bar is not None:
                    bar.set_postfix({f"L{L}": f"{rec[f'success/L{L}/sampled']:.2f}"
                                     for L in run.horizons})
            if step == run.updates:
                break
            t0, c0 = time.perf_counter(), time.process_time()
            opt.zero_grad(set_to_none=True)
            loss = sum(terms)
            if extra is not None:
                loss = loss + extra_loss.coef * extra
            loss.backward()
            opt.step()
            step += 1
            train_time += time.perf_counter() - t0
            cpu_time += time.process_time() - c0
            if bar is not None:
                bar.update(1)
            if not all(bool(torch.isfinite(p).all()) for p in params):
                status, message = -1, (f"{params_name} became non-finite at update {step}; "
                                        f"lower lr")
                break
            if step % run.checkpoint_every == 0 and step < run.updates:
                checkpoint()
                _write_csv(out / "metrics.csv", records, keys)
    finally:
        log.close()
        if bar is not None:
            bar.close()
    if checkpoint_at_exit and step < run.updates:
        checkpoint()
    _write_csv(out / "metrics.csv", records, keys)
    return records, status, message

