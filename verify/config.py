"""Run configuration for RLVR training on group state tracking, and the named presets.

A :class:`RunConfig` is frozen, keyword-only and hashable: it is saved in every run
directory (``config.json``) and varied with :func:`dataclasses.replace`.  Each field's
``metadata["help"]`` is the help text of the matching ``python -m verify run`` flag, so
the config is the single source of the CLI.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from typing import Any, Literal

from groupfourier import FiniteGroup, group_from_name

from .validate import MAX_SIZE, check_float, check_int

__all__ = ["RunConfig", "PRESETS", "preset"]


#: (field, minimum, maximum) of RunConfig's integer fields; Q is (M, M), so M is bounded
#: where its tensors still fit in memory
_INT_FIELDS = (("n_ids", 1, 10_000), ("batch", 1, MAX_SIZE), ("updates", 0, 10**9),
               ("log_every", 1, 10**9), ("checkpoint_every", 1, 10**9),
               ("eval_prompts", 1, MAX_SIZE), ("head_hidden", 1, 100_000),
               ("samples_per_prompt", 1, MAX_SIZE))


def _f(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True, kw_only=True)
class RunConfig:
    """Every setting of one training run (the hidden permutation, prompts and rollouts
    all derive from ``seed``).

    Parameters
    ----------
    group : str
        > Task.  ``Z<n>``, ``D<n>`` (n vertices, order 2n) or ``S<n>``.
    horizons : tuple of int
        Horizons L of the training mixture (the difficulty spectrum).
    weights : tuple of float or None
        Mixture weights, one per horizon, summing to 1; ``None`` is uniform.
    n_ids : int
        Number M of identifiers; each prompt uses L distinct ones.
    c_B : float
        Head strength, :math:`B = c_B \\log|G|`.
    head : {"ideal", "learned"}
        > Model.  The frozen one-step head: the idealised head (parallel rollout) or a
        pretrained ReLU MLP (sequential rollout).
    head_hidden : int
        Hidden width of the learned head.
    init_std : float or None
        Standard deviation of the Gaussian initialisation of Q; ``None`` means 0 for the
        sampled algorithms and 0.05 for ``algo="exact"`` (whose gradient vanishes at
        Q = 0 on abelian groups, theory §6).
    algo : {"reinforce", "grpo", "exact"}
        > Algorithm.
    baseline : {"loo", "batch", "ema", "none"}
        REINFORCE baseline: leave-one-out within the horizon's sub-batch (the default,
        unbiased), the sub-batch mean including the sample (scales the expected gradient
        by 1 − 1/n for n rollouts of that horizon), a per-horizon EMA of past batch means
        (unbiased), or none (unbiased, more variance).
    ema_decay : float
        Decay of the EMA baseline.
    length_norm : bool
        Divide horizon L's log-probability by L (the 1/L normalisation).
    entropy_coef : float
        Entropy bonus coefficient (mean per-step entropy of the policy).
    samples_per_prompt : int
        GRPO group size (>= 2); the batch holds ``batch // samples_per_prompt`` prompts.
    optimizer : {"sgd", "adam"}
        > Optimiser.
    lr : float
        Learning rate.
    batch : int
        Rollouts per update, split over horizons in proportion to the weights.
    updates : int
        Number of updates.
    seed : int
        > Logging and reproducibility.
    log_every : int
        Evaluate and log every this many updates (and at 0 and at the end).
    checkpoint_every : int
        Checkpoint every this many updates; a multiple of ``log_every``.
    eval_prompts : int
        Held-out prompts per horizon.

    Examples
    --------
    >>> cfg = RunConfig(group="D6", horizons=(2, 4), n_ids=8, batch=10)
    >>> cfg.G.order, cfg.mixture_weights, cfg.batch_counts
    (12, (0.5, 0.5), (5, 5))
    >>> RunConfig.from_dict(cfg.to_dict()) == cfg
    True
    >>> RunConfig(lr=float("nan"))
    Traceback (most recent call last):
    ...
    ValueError: RunConfig: lr must be a finite number > 0 and <= 1e+30; got lr=nan.
    """

    # > Task
    group: str = _f("Z96", "Z<n>, D<n> (n vertices, order 2n) or S<n>.")
    horizons: tuple[int, ...] = _f((5, 15, 45), "Horizons L of the training mixture.")
    weights: tuple[float, ...] | None = _f(None, "Mixture weights summing to 1 (default uniform).")
    n_ids: int = _f(64, "Number M of identifiers (>= max horizon).")
    c_B: float = _f(4.0, "Head strength: B = c_B log|G|.")
    # > Model
    head: Literal["ideal", "learned"] = _f("ideal", "Frozen one-step head: ideal or learned.")
    head_hidden: int = _f(256, "Hidden width of the learned ReLU head.")
    init_std: float | None = _f(None, "Std of the Gaussian init of Q (default 0; 0.05 for exact).")
    # > Algorithm
    algo: Literal["reinforce", "grpo", "exact"] = _f("reinforce", "reinforce, grpo or exact.")
    baseline: Literal["loo", "batch", "ema", "none"] = _f(
        "loo", "REINFORCE baseline: loo (leave-one-out, unbiased; default), batch (sub-batch "
        "mean incl. the sample: expected gradient x(1-1/n)), ema (past batches) or none.")
    ema_decay: float = _f(0.95, "Decay of the EMA baseline.")
    length_norm: bool = _f(True, "Divide horizon L's log-probability by L.")
    entropy_coef: float = _f(0.0, "Entropy bonus coefficient.")
    samples_per_prompt: int = _f(8, "GRPO group size, >= 2.")
    # > Optimiser
    optimizer: Literal["sgd", "adam"] = _f("sgd", "sgd or adam.")
    lr: float = _f(30.0, "Learning rate.")
    batch: int = _f(512, "Rollouts per update.")
    updates: int = _f(3000, "Number of updates.")
    # > Logging and reproducibility
    seed: int = _f(0, "Seed of the permutation, prompts and rollouts.")
    log_every: int = _f(50, "Evaluate and log every this many updates.")
    checkpoint_every: int = _f(500, "Checkpoint every this many updates (multiple of log_every).")
    eval_prompts: int = _f(256, "Held-out prompts per horizon.")

    def __post_init__(self) -> None:
        who = "RunConfig"
        if isinstance(self.horizons, int):
            object.__setattr__(self, "horizons", (self.horizons,))
        if not isinstance(self.horizons, tuple):
            object.__setattr__(self, "horizons", tuple(self.horizons))
        if self.weights is not None:
            object.__setattr__(self, "weights", tuple(float(w) for w in self.weights))
        G = self.G  # group_from_name raises its own message
        for name, lo, hi in _INT_FIELDS:
            check_int(who, name, getattr(self, name), minimum=lo, maximum=hi)
        check_int(who, "seed", self.seed, minimum=0)
        # dynamics.Spectrum validates horizons and weights, and that they fit G and M
        self.spectrum.check_fits(G.order, self.n_ids)
        check_float(who, "c_B", self.c_B, minimum=0, strict_min=True)
        # Q is float32: steps and scales beyond 1e30 overflow it at once
        check_float(who, "lr", self.lr, minimum=0, strict_min=True, maximum=1e30)
        choices = {"head": ("ideal", "learned"), "algo": ("reinforce", "grpo", "exact"),
                   "baseline": ("loo", "batch", "ema", "none"), "optimizer": ("sgd", "adam")}
        for name, valid in choices.items():
            if getattr(self, name) not in valid:
                raise ValueError(f"{who}: {name} must be one of {valid}; "
                                 f"got {name}={getattr(self, name)!r}.")
        check_float(who, "ema_decay", self.ema_decay, minimum=0, maximum=1, strict_max=True)
        check_float(who, "entropy_coef", self.entropy_coef, minimum=0, maximum=1e30)
        if self.init_std is not None:
            check_float(who, "init_std", self.init_std, minimum=0, maximum=1e30)
        if self.checkpoint_every % self.log_every:
            raise ValueError(f"{who}: checkpoint_every must be a multiple of log_every so that a "
                             f"resumed run logs every step exactly once; got checkpoint_every="
                             f"{self.checkpoint_every}, log_every={self.log_every}.")
        if self.algo == "grpo":
            if self.samples_per_prompt < 2:
                raise ValueError(f"{who}: algo='grpo' normalises rewards within a prompt's samples, "
                                 f"so it needs samples_per_prompt >= 2; got {self.samples_per_prompt}.")
            if self.batch % self.samples_per_prompt:
                raise ValueError(f"{who}: algo='grpo' needs batch divisible by samples_per_prompt; "
                                 f"got batch={self.batch}, samples_per_prompt={self.samples_per_prompt}.")
        if self.algo == "exact" and self.head != "ideal":
            raise ValueError(f"{who}: algo='exact' differentiates the Fourier formula of the "
                             f"idealised head; got head={self.head!r}. Use head='ideal'.")
        if min(self.batch_counts) < 1:
            raise ValueError(f"{who}: batch={self.batch} leaves horizon(s) with no rollout under "
                             f"weights {self.mixture_weights}; raise batch.")

    # ------------------------------------------------------------------ derived
    @property
    def G(self) -> FiniteGroup:
        """The group, parsed from ``group``."""
        return group_from_name(self.group)

    @property
    def spectrum(self):
        """The difficulty spectrum as a validated :class:`dynamics.Spectrum`."""
        from dynamics.spectrum import Spectrum
        return Spectrum(horizons=self.horizons, weights=self.weights)

    @property
    def mixture_weights(self) -> tuple[float, ...]:
        """``weights`` with the uniform default resolved."""
        return self.spectrum.weights

    @property
    def B(self) -> float:
        """Head strength :math:`B = c_B \\log|G|`."""
        return self.c_B * math.log(self.G.order)

    @property
    def effective_init_std(self) -> float:
        """``init_std`` with its default resolved (0, or 0.05 for ``algo='exact'``)."""
        if self.init_std is not None:
            return float(self.init_std)
        return 0.05 if self.algo == "exact" else 0.0

    @property
    def batch_counts(self) -> tuple[int, ...]:
        """Rollouts per horizon: ``batch`` split by the weights (largest remainder).

        For GRPO the split is in prompts (``batch // samples_per_prompt``), each
        prompt then taking ``samples_per_prompt`` rollouts.
        """
        w = self.mixture_weights
        unit = self.samples_per_prompt if self.algo == "grpo" else 1
        total = self.batch // unit
        raw = [total * float(x) for x in w]
        counts = [int(math.floor(r)) for r in raw]
        order = sorted(range(len(raw)), key=lambda i: counts[i] - raw[i])
        for i in order[: total - sum(counts)]:
            counts[i] += 1
        return tuple(c * unit for c in counts)

    # ------------------------------------------------------------------ theory
    def training_setup(self, *, theta0: float | None = None, t_max: float | None = None):
        """This run as the theory sees it: the :class:`dynamics.setup.TrainingSetup` that
        every prediction for the run (``verify compare``, ``verify phase-diagram``,
        ``verify.transformer compare``) is made from.

        Mapping: the idealised head at this ``c_B`` (also for ``head="learned"``, an
        approximation); the optimiser, learning rate, batch, 1/L normalisation and
        baseline as trained; ``algo="exact"`` is the expected gradient
        (``sampled=False``), ``grpo`` the REINFORCE prediction (indicative: GRPO's std
        normalisation rescales the step).  The start is the noise-driven one when Q
        starts at 0, else the θ of the run's initial Q (computed from ``seed`` and
        ``init_std``, the value the run logs at step 0) unless ``theta0`` is given.  The
        observation horizon is ``t_max``, default the run's ``updates``.

        Examples
        --------
        >>> s = RunConfig(group="D6", horizons=(2, 6), n_ids=12, lr=3.0, updates=400).training_setup()
        >>> s.optimizer.optimizer, s.optimizer.sampled, s.theta0, s.horizon
        ('sgd', True, None, 400.0)
        >>> RunConfig(group="Z8", horizons=(2,), n_ids=6, algo="exact").training_setup().theta0 != 0
        True
        """
        from dynamics.model import TaskModel
        from dynamics.optim import OptimizerSpec
        from dynamics.setup import TrainingSetup
        exact = self.algo == "exact"
        spec = OptimizerSpec(optimizer=self.optimizer, lr=self.lr, batch=self.batch,
                             length_normalized=self.length_norm,
                             baseline=self.baseline, sampled=not exact)
        if theta0 is None and self.effective_init_std > 0:
            from .model import reduced_theta
            from .train import build_policy     # the run's own initial Q (ideal head: no pretraining)
            policy = build_policy(dataclasses.replace(self, head="ideal"))
            theta0 = reduced_theta(policy.Q, policy.task.perm)
        note = {"reinforce": f"REINFORCE with {self.optimizer} vs its prediction",
                "exact": "exact gradient vs the expected-gradient flow from the run's initial theta",
                "grpo": "GRPO vs the REINFORCE prediction (indicative: std normalisation)"}[self.algo]
        if self.head == "learned":
            note += "; learned head vs the idealised head at the same c_B"
        return TrainingSetup(model=TaskModel(group=self.G, M=self.n_ids, c_B=self.c_B),
                             spectrum=self.spectrum, optimizer=spec, theta0=theta0,
                             t_max=float(max(self.updates, 1)) if t_max is None else t_max,
                             note=note)

    # ------------------------------------------------------------------ I/O
    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON dict of every field."""
        d = dataclasses.asdict(self)
        d["horizons"] = list(self.horizons)
        d["weights"] = None if self.weights is None else list(self.weights)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "RunConfig":
        """Inverse of :meth:`to_dict`; unknown keys raise ``ValueError``."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - names)
        if unknown:
            raise ValueError(f"RunConfig.from_dict: unknown field(s) {unknown}; expected a subset "
                             f"of {sorted(names)}.")
        d = dict(d)
        d["horizons"] = tuple(d.get("horizons", cls.horizons))
        if d.get("weights") is not None:
            d["weights"] = tuple(d["weights"])
        return cls(**d)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)


# ---------------------------------------------------------------------- presets
def _paper() -> dict[str, RunConfig]:
    base = RunConfig(group="Z96", horizons=(5, 15, 45), n_ids=64, c_B=4.0, head="ideal",
                     algo="reinforce", baseline="loo", length_norm=True, optimizer="sgd",
                     lr=30.0, batch=512, updates=4000, log_every=50, checkpoint_every=500)
    return {
        "mix_5_15_45": base,
        "ratio7_5_35": dataclasses.replace(base, horizons=(5, 35), updates=12000,
                                           log_every=100, checkpoint_every=1000),
        "fixed_45": dataclasses.replace(base, horizons=(45,), updates=4000),
    }


def _quick() -> dict[str, RunConfig]:
    # D12 (order 24, non-abelian) with the ladder {3, 6, 12} (ratio 2) against the jump
    # {3, 24} (ratio 8): dynamics predicts relay (index 1.4) for the first and a plateau
    # (index 68, dynamics.regime) for the second at c_B = 4; the jump runs at lr 30 so that
    # its escape (predicted at update ~916) fits in 1,300 updates.  A non-abelian group
    # breaks the Q = 0 symmetry by itself (theory §6), so the course does not hinge on
    # sampling noise; `--group Z24` shows the abelian case.
    base = RunConfig(group="D12", horizons=(3, 6, 12), n_ids=24, c_B=4.0, head="ideal",
                     algo="reinforce", baseline="loo", length_norm=True, optimizer="sgd",
                     lr=3.0, batch=256, updates=700, log_every=20, checkpoint_every=100,
                     eval_prompts=128)
    return {
        "relay": base,
        "plateau": dataclasses.replace(base, horizons=(3, 24), lr=30.0, updates=1300,
                                       log_every=10),
    }


PRESETS: dict[str, Any] = {"quick": _quick, "paper": _paper}


def preset(name: str, **overrides: Any) -> dict[str, RunConfig]:
    """The named preset as ``{run name: RunConfig}``, with ``overrides`` applied to each.

    ``quick`` is a small relay-against-plateau pair that trains and compares in a few
    minutes on 2 cores; ``paper`` is Z96 with {5,15,45}, a ratio-7 mixture {5,35} and
    fixed L = 45.  Overriding ``group`` runs a preset on a dihedral or symmetric group.

    Examples
    --------
    >>> sorted(preset("paper"))
    ['fixed_45', 'mix_5_15_45', 'ratio7_5_35']
    >>> preset("quick", seed=3)["relay"].seed
    3
    """
    if name not in PRESETS:
        raise ValueError(f"preset: unknown preset {name!r}; expected one of {sorted(PRESETS)}.")
    return {k: dataclasses.replace(c, **overrides) for k, c in PRESETS[name]().items()}
