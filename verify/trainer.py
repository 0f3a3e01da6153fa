r"""The RL training loop shared by the minimal model and the transformer: :class:`Trainer`.

In the style of TRL's trainers, a :class:`Trainer` holds a run config, a policy, an
optimiser and a training generator, and exposes its callbacks as methods that a
subclass overrides: :meth:`~Trainer.evaluate` (the held-out metrics of a record),
:meth:`~Trainer.policy_state` / :meth:`~Trainer.load_policy_state` (the policy's part of
a checkpoint), :meth:`~Trainer.grad_norm` (one horizon's gradient norm),
:meth:`~Trainer.objective` (the surrogate losses, :func:`verify.algos.objectives` by
default) and :meth:`~Trainer.extra_loss` (a term added to the loss, e.g. a KL penalty).
:meth:`~Trainer.train` runs the loop into a run directory (:mod:`verify.rundir`).

One update is: sample prompts per horizon from the training generator, compute the
objective, log a record every ``run.log_every`` updates (and at ``run.updates``), then
take an optimiser step; the state is checkpointed every ``run.checkpoint_every`` updates
and when ``step`` reaches ``run.updates`` (before that step's sampling: the state a
longer run resumes from, so that extending a finished run equals running the longer
one).  A resumed run equals an uninterrupted one (timings aside).

Progress: a tqdm bar when stderr is a terminal; otherwise (a log file, a batch job) one
plain line every ``progress_every`` updates.
"""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path
from typing import Any, Mapping, Sequence, cast

import torch

from .algos import AlgoState, objectives
from .config import RunConfig
from .rundir import (CHECKPOINT, MetricsLog, OpenedRun, open_run, save_checkpoint,
                     write_metrics_csv)
from .tasks import sample_prompts

__all__ = ["Trainer", "ProgressReporter"]


class ProgressReporter:
    """Progress of a loop: a tqdm bar on a terminal, else a plain line every ``every`` steps.

    Parameters
    ----------
    total, initial : int
        Steps in all, and already done.
    desc : str
        Label of the bar or of each line.
    enabled : bool
        False: print nothing.
    every : int, optional
        Period of the plain lines (default: about 20 lines per run).
    stream : file, optional
        Where to write (default ``sys.stderr``).

    Examples
    --------
    >>> import io
    >>> buf = io.StringIO()
    >>> p = ProgressReporter(total=4, desc="run", every=2, stream=buf)
    >>> for _ in range(4):
    ...     p.update({"L3": "0.50"})
    >>> p.close(); print(buf.getvalue(), end="")
    run: 2/4 L3=0.50
    run: 4/4 L3=0.50
    """

    def __init__(self, *, total: int, initial: int = 0, desc: str = "", enabled: bool = True,
                 every: int | None = None, stream=None, unit: str = "upd"):
        self.total, self.n, self.desc = int(total), int(initial), desc
        self.stream = sys.stderr if stream is None else stream
        self.every = max(1, every if every is not None else math.ceil(max(total, 1) / 20))
        self.postfix: dict[str, Any]
        self.bar, self.enabled, self.postfix = None, enabled, {}
        isatty = getattr(self.stream, "isatty", lambda: False)
        if enabled and isatty():
            from tqdm.auto import tqdm
            self.bar = tqdm(total=total, initial=initial, desc=desc, unit=unit,
                            dynamic_ncols=True, file=self.stream)

    def set_postfix(self, postfix: Mapping[str, Any]) -> None:
        """Values shown beside the count (applied at the next update or line)."""
        self.postfix = dict(postfix)
        if self.bar is not None:
            self.bar.set_postfix(self.postfix, refresh=False)

    def update(self, postfix: Mapping[str, Any] | None = None, n: int = 1) -> None:
        """Advance by ``n``; optionally replace the postfix first."""
        if postfix is not None:
            self.set_postfix(postfix)
        self.n += n
        if self.bar is not None:
            self.bar.update(n)
        elif self.enabled and (self.n % self.every == 0 or self.n == self.total):
            tail = " ".join(f"{k}={v}" for k, v in self.postfix.items())
            print(f"{self.desc}: {self.n}/{self.total}" + (f" {tail}" if tail else ""),
                  file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class Trainer:
    """The RLVR loop over a policy; subclasses provide the callbacks.

    Parameters
    ----------
    run : RunConfig
        Task, algorithm, batch, updates and logging settings.
    policy
        What :meth:`objective` trains (``policy.task`` gives the prompts' task).
    optimizer : torch.optim.Optimizer
        Over :attr:`params`.
    params : list of Tensor
        The trainable parameters (checked for finiteness after every update).
    generator : torch.Generator
        The training stream (prompts and rollouts), saved in checkpoints.
    config
        The full config saved in ``config.json`` (``to_dict()``), default ``run``.
    metric_keys : sequence of str
        The keys of a logged record, in order (others are dropped).

    Attributes
    ----------
    params_name : str
        How the non-finite message names the parameters.
    checkpoint_at_exit : bool
        Also checkpoint when the loop stops early (parameters became non-finite).

    Examples
    --------
    A trainer of a bare Q (the minimal model's, :class:`verify.train.MinimalTrainer`,
    adds the evaluation of its metrics):

    >>> import tempfile
    >>> from verify.config import RunConfig
    >>> from verify.train import build_policy, load_config
    >>> cfg = RunConfig(group="Z6", horizons=(2,), n_ids=4, batch=16, updates=2,
    ...                 log_every=1, checkpoint_every=1, eval_prompts=4)
    >>> class QTrainer(Trainer):
    ...     def evaluate(self, step):
    ...         return {"theta": float(self.policy.Q.mean())}
    ...     def policy_state(self):
    ...         return {"Q": self.policy.Q.detach().clone()}
    ...     def load_policy_state(self, state):
    ...         self.policy.Q.data.copy_(state["Q"])
    ...     def load_config(self, out):
    ...         return load_config(out)
    >>> policy = build_policy(cfg)
    >>> t = QTrainer(cfg, policy, torch.optim.SGD([policy.Q], lr=cfg.lr), params=[policy.Q],
    ...              generator=torch.Generator().manual_seed(0), metric_keys=("step", "theta"))
    >>> records, status, message = t.train(tempfile.mkdtemp(), progress=False)
    >>> [r["step"] for r in records], message
    ([0, 1, 2], 'completed 2 updates')
    """

    params_name = "parameters"
    checkpoint_at_exit = False

    def __init__(self, run: RunConfig, policy, optimizer: torch.optim.Optimizer, *,
                 params: Sequence[torch.Tensor], generator: torch.Generator,
                 metric_keys: Sequence[str], config: Any = None):
        self.run, self.policy, self.optimizer = run, policy, optimizer
        self.params, self.generator = list(params), generator
        self.metric_keys = tuple(metric_keys)
        self.config = run if config is None else config
        self.algo_state = AlgoState()

    # ------------------------------------------------------------------ callbacks
    def evaluate(self, step: int) -> Mapping[str, float]:
        """The held-out metrics of the record at ``step``."""
        raise NotImplementedError

    def policy_state(self) -> dict[str, Any]:
        """The policy's part of a checkpoint."""
        raise NotImplementedError

    def load_policy_state(self, state: Mapping[str, Any]) -> None:
        """Restore what :meth:`policy_state` saved."""
        raise NotImplementedError

    def grad_norm(self, term: torch.Tensor) -> float:
        """The gradient norm of one horizon's loss term over :attr:`params`."""
        if not term.requires_grad:
            return 0.0
        grads = torch.autograd.grad(term, self.params, retain_graph=True, allow_unused=True)
        return math.sqrt(sum(float(g.pow(2).sum()) for g in grads if g is not None))

    def objective(self, prompts: list) -> tuple[list[torch.Tensor], Any]:
        """The per-horizon surrogate losses and their statistics."""
        return objectives(self.run, self.policy, prompts, generator=self.generator,
                          state=self.algo_state)

    def extra_loss(self) -> tuple[str, float] | None:
        """``(name, coef)`` of a term added to the loss and logged, or None (default)."""
        return None

    def reset_extra(self) -> None:
        """Called before :meth:`objective` (clears what the rollouts record)."""

    def extra_value(self) -> torch.Tensor | None:
        """The (unweighted) extra term after :meth:`objective`, or None."""
        return None

    def load_config(self, out: Path) -> Any:
        """Read ``config.json`` of ``out`` back (for the resume check)."""
        raise NotImplementedError

    # ------------------------------------------------------------------ loop
    def _new_acc(self) -> dict:
        acc = {"zero": 0, "groups": 0, "reward": 0.0, "n": 0}
        extra = self.extra_loss()
        if extra is not None:
            acc[extra[0]] = 0.0
        return acc

    def train(self, out_dir, *, resume: bool = False, progress: bool = True,
              who: str = "train", opened: OpenedRun | None = None
              ) -> tuple[list[dict], int, str]:
        """Run the loop into ``out_dir`` (see :func:`verify.rundir.open_run` for the checks).

        ``opened``: the directory as :func:`~verify.rundir.open_run` already checked and
        prepared it (a driver checks it before building an expensive policy); by default
        it is opened here.

        Returns
        -------
        records : list of dict
            Every logged record of the run.
        status : int
            1 completed (every update done); -1 the parameters became non-finite.
        message : str
        """
        run = self.run
        if not all(bool(torch.isfinite(p).all()) for p in self.params):
            raise ValueError(f"{who}: the initial {self.params_name} are not finite; lower "
                             f"the initialisation scale (init_std).")
        if opened is None:
            opened = open_run(out_dir, self.config, resume=resume, load_config=self.load_config,
                              updates=run.updates, log_every=run.log_every, who=who)
        out = opened.path
        extra = self.extra_loss()
        step, train_time, cpu_time, acc = 0, 0.0, 0.0, self._new_acc()
        if opened.state is not None:
            ck = opened.state
            self.load_policy_state(ck)
            self.optimizer.load_state_dict(ck["optimizer"])
            self.generator.set_state(ck["generator"])
            self.algo_state = AlgoState(ema={int(k): v for k, v in ck["ema"].items()})
            step, train_time, acc = int(ck["step"]), ck["train_time"], dict(ck["acc"])
            cpu_time = ck.get("cpu_time", 0.0)
        records = list(opened.records)
        log = MetricsLog(out)

        def checkpoint() -> None:
            log.sync()
            common = {"optimizer": self.optimizer.state_dict(),
                      "generator": self.generator.get_state(),
                      "ema": dict(self.algo_state.ema), "step": step,
                      "train_time": train_time, "cpu_time": cpu_time, "acc": dict(acc)}
            save_checkpoint(out / CHECKPOINT, {**self.policy_state(), **common},
                            fingerprint=opened.fingerprint)

        bar = ProgressReporter(total=run.updates, initial=step, enabled=progress,
                               desc=f"{run.group} {run.horizons}")
        last_t, last_step = train_time, step
        status, message = 1, f"completed {run.updates} updates"
        try:
            while True:
                if step >= run.updates:
                    checkpoint()  # the state a longer run (more `updates`) resumes from
                t0, c0 = time.perf_counter(), time.process_time()
                counts = run.batch_counts
                if run.algo == "grpo":
                    counts = tuple(c // run.samples_per_prompt for c in counts)
                prompts = [sample_prompts(self.policy.task, L, n, seed=self.generator)
                           for L, n in zip(run.horizons, counts)]
                if extra is not None:
                    self.reset_extra()
                terms, stats = self.objective(prompts)
                xval = self.extra_value() if extra is not None else None
                acc["zero"] += stats.zero_std_groups
                acc["groups"] += stats.groups
                acc["reward"] += sum(w * stats.reward[L] for L, w in
                                     zip(run.horizons, run.mixture_weights))
                if extra is not None:
                    acc[extra[0]] += float(xval.detach()) if xval is not None else 0.0
                acc["n"] += 1
                train_time += time.perf_counter() - t0
                cpu_time += time.process_time() - c0
                if step % run.log_every == 0 or step >= run.updates:
                    grads = [self.grad_norm(t) for t in terms]
                    rec: dict[str, Any] = {
                        "step": step, "time_s": train_time, "cpu_s": cpu_time,
                        "updates_per_s": ((step - last_step) / (train_time - last_t)
                                          if step > last_step else None),
                        "frac_reward_zero_std": acc["zero"] / max(acc["groups"], 1),
                        "train/reward": acc["reward"] / max(acc["n"], 1)}
                    if extra is not None:
                        rec[extra[0]] = acc[extra[0]] / max(acc["n"], 1)
                    rec.update(self.evaluate(step))
                    for L, g in zip(run.horizons, grads):
                        rec[f"grad_norm/L{L}"] = g
                    rec = {k: rec[k] for k in self.metric_keys}
                    records.append(rec)
                    log.append(rec)
                    last_t, last_step = train_time, step
                    acc = self._new_acc()
                    bar.set_postfix({f"L{L}": f"{rec[f'success/L{L}/sampled']:.2f}"
                                     for L in run.horizons if f"success/L{L}/sampled" in rec})
                if step >= run.updates:
                    break
                t0, c0 = time.perf_counter(), time.process_time()
                self.optimizer.zero_grad(set_to_none=True)
                loss = cast(torch.Tensor, sum(terms))
                if xval is not None and extra is not None:     # xval is None without extra
                    loss = loss + extra[1] * xval
                loss.backward()
                self.optimizer.step()
                step += 1
                train_time += time.perf_counter() - t0
                cpu_time += time.process_time() - c0
                bar.update()
                if not all(bool(torch.isfinite(p).all()) for p in self.params):
                    status, message = -1, (f"{self.params_name} became non-finite at update "
                                           f"{step}; lower lr (lr={run.lr:g})")
                    break
                if step % run.checkpoint_every == 0 and step < run.updates:
                    checkpoint()
                    write_metrics_csv(out, records, self.metric_keys)
            if self.checkpoint_at_exit and step < run.updates:
                checkpoint()
        finally:
            log.close()
            bar.close()
        write_metrics_csv(out, records, self.metric_keys)
        return records, status, message
