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
from typing import Any, Mapping

import numpy as np
import torch
from numpy.typing import NDArray

from .algos import AlgoState, exact_success, objectives
from .config import RunConfig
from .heads import IdealHead, load_or_pretrain_head
from .metrics import metric_names
from .model import AttentionPolicy, canonical_identifiers, reduced_theta
from .tasks import Prompts, Task, make_task, sample_prompts

__all__ = ["RunResult", "train", "build_policy", "evaluate", "read_metrics", "write_json_atomic"]


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
    keys = metric_names(cfg.horizons)
    cols = {}
    for k in keys:
        a = np.array([np.nan if r.get(k) is None else float(r[k]) for r in records], dtype=float)
        a.setflags(write=False)
        cols[k] = a
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
    ckpt_path = out / "checkpoint.pt"
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
    task = policy.task
    held_out = eval_prompts(cfg, task)
    opt = _make_optimizer(cfg, [policy.Q])
    gen = torch.Generator().manual_seed(_seeds(cfg.seed)["train"])
    state = AlgoState()
    keys = metric_names(cfg.horizons)
    step, train_time, acc = 0, 0.0, {"zero": 0, "groups": 0, "reward": 0.0, "n": 0}
    records: list[dict] = []
    if resume and ckpt_path.exists():
        ck = torch.load(ckpt_path, weights_only=False)
        with torch.no_grad():
            policy.Q.copy_(ck["Q"])
        opt.load_state_dict(ck["optimizer"])
        gen.set_state(ck["generator"])
        state = AlgoState(ema={int(k): v for k, v in ck["ema"].items()})
        step, train_time, acc = ck["step"], ck["train_time"], ck["acc"]
        records = [r for r in read_metrics(out) if r["step"] < step]
    # rewrite the log so it holds exactly the records before `step`
    write_text_atomic(out / "metrics.jsonl", "".join(json.dumps(r) + "\n" for r in records))
    log = open(out / "metrics.jsonl", "a")

    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=cfg.updates, initial=step, desc=f"{cfg.group} {cfg.horizons}",
                   unit="upd", dynamic_ncols=True)
    last_t, last_step = train_time, step
    status, message = 0, f"completed {cfg.updates} updates"
    try:
        while True:
            if step == cfg.updates:  # the state a longer run (more `updates`) resumes from
                _checkpoint(ckpt_path, policy, opt, gen, state, step, train_time, acc)
            t0 = time.perf_counter()
            counts = cfg.batch_counts
            if cfg.algo == "grpo":
                counts = tuple(c // cfg.samples_per_prompt for c in counts)
            prompts = [sample_prompts(task, n, L, generator=gen) for L, n in
                       zip(cfg.horizons, counts)]
            terms, stats = objectives(cfg, policy, prompts, generator=gen, state=state)
            acc["zero"] += stats.zero_std_groups
            acc["groups"] += stats.groups
            acc["reward"] += sum(w * stats.reward[L] for L, w in
                                 zip(cfg.horizons, cfg.mixture_weights))
            acc["n"] += 1
            train_time += time.perf_counter() - t0
            if step % cfg.log_every == 0 or step == cfg.updates:
                grads = [torch.autograd.grad(t, policy.Q, retain_graph=True)[0].norm().item()
                         if t.requires_grad else 0.0 for t in terms]
                rec: dict[str, Any] = {
                    "step": step, "time_s": train_time,
                    "updates_per_s": ((step - last_step) / (train_time - last_t)
                                      if step > last_step else None),
                    "frac_reward_zero_std": acc["zero"] / max(acc["groups"], 1),
                    "train/reward": acc["reward"] / max(acc["n"], 1)}
                rec.update(evaluate(cfg, policy, held_out, step=step))
                for L, g in zip(cfg.horizons, grads):
                    rec[f"grad_norm/L{L}"] = g
                rec = {k: rec[k] for k in keys}
                records.append(rec)
                log.write(json.dumps(rec) + "\n")
                log.flush()
                last_t, last_step = train_time, step
                acc = {"zero": 0, "groups": 0, "reward": 0.0, "n": 0}
                if bar is not None:
                    bar.set_postfix({f"L{L}": f"{rec[f'success/L{L}/sampled']:.2f}"
                                     for L in cfg.horizons})
            if step == cfg.updates:
                break
            t0 = time.perf_counter()
            opt.zero_grad(set_to_none=True)
            sum(terms).backward()
            opt.step()
            step += 1
            train_time += time.perf_counter() - t0
            if bar is not None:
                bar.update(1)
            if not bool(torch.isfinite(policy.Q).all()):
                status, message = -1, f"Q became non-finite at update {step}; lower lr"
                break
            if step % cfg.checkpoint_every == 0 and step < cfg.updates:
                _checkpoint(ckpt_path, policy, opt, gen, state, step, train_time, acc)
                _write_csv(out / "metrics.csv", records, keys)
    finally:
        log.close()
        if bar is not None:
            bar.close()
    _write_csv(out / "metrics.csv", records, keys)
    result = _result(cfg, out, records, status, message)
    write_json_atomic(out / "result.json", {"status": status, "message": message,
                                            "final": result.final, "config": cfg.to_dict()})
    return result


def _checkpoint(path: Path, policy, opt, gen, state: AlgoState, step: int, train_time: float,
                acc: dict) -> None:
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    torch.save({"Q": policy.Q.detach().clone(), "optimizer": opt.state_dict(),
                "generator": gen.get_state(), "ema": dict(state.ema), "step": step,
                "train_time": train_time, "acc": dict(acc)}, tmp)
    os.replace(tmp, path)

