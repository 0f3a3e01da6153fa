r"""The one boundary between a training configuration and the theory: :class:`TrainingSetup`.

A :class:`TrainingSetup` holds everything :func:`dynamics.predict.predict` needs to
predict the learning curves of one training run, and nothing else:

* the task and idealised head (:class:`~dynamics.model.TaskModel`) and the difficulty
  spectrum (:class:`~dynamics.spectrum.Spectrum`);
* how the run trains (:class:`~dynamics.optim.OptimizerSpec`: optimiser, learning rate,
  batch, 1/L normalisation, baseline, sampled or exact gradients);
* the start: ``theta0=None`` is the noise-driven start of sampled training
  (:func:`dynamics.optim.noise_scale_theta0`); an explicit θ0 is, for example, the θ
  measured from a run's initial Q (exact-gradient runs start there);
* the observation horizon ``t_max`` in the optimiser's time unit (updates; flow time for
  ``optimizer="flow"``): a run's number of updates, so that "stalled" and "unfinished"
  mean the same for the prediction and for the run.

``verify`` builds it with ``RunConfig.training_setup()`` (and the transformer with
``TransformerRunConfig.training_setup(c_B=...)``); every comparison goes through it.
Exact-gradient training is ``OptimizerSpec(sampled=False)``: its expected update is the
gradient flow in updates (SGD: :math:`d\theta/du = \frac{\eta}{M-1}G(\theta)`), so times
come out in updates with no separate conversion.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

from .model import TaskModel
from .ode import Form, ReducedObjective
from .optim import Optimizer, OptimizerSpec
from .spectrum import Spectrum
from .success import DEFAULT_PROMPTS, DEFAULT_SEED

__all__ = ["TrainingSetup", "DEFAULT_T_MAX"]

#: Default observation horizon: updates for SGD/Adam, flow time for ``optimizer="flow"``.
DEFAULT_T_MAX = {"sgd": 2e5, "adam": 2e5, "flow": 1e5}


@dataclass(frozen=True, kw_only=True)
class TrainingSetup:
    r"""A training configuration as the theory sees it (module docstring).

    Parameters
    ----------
    model : TaskModel
    spectrum : Spectrum
    optimizer : OptimizerSpec
    theta0 : float or None
        Starting θ; ``None``: the noise-driven start of sampled training (0 for exact
        gradients).
    t_max : float or None
        Observation horizon in the optimiser's time unit; ``None``: ``DEFAULT_T_MAX``.
    form : {"exact", "mean_field"}
        Success polynomial: exact prompt average, or the mean-field closed form.
    epsilon : float
        The first recorded level is chance + ε.
    n_prompts, seed : int
        The prompt sample of the exact form.
    note : str
        How the training run was mapped onto this setup (for reports).

    Examples
    --------
    >>> s = TrainingSetup.from_options(TaskModel(group="D6", M=12), Spectrum((2, 6)), lr=3.0,
    ...                                batch=64, t_max=500)
    >>> s.optimizer.lr, s.horizon, s.theta0 is None
    (3.0, 500.0, True)
    >>> TrainingSetup.from_options(TaskModel(group="D6", M=12), Spectrum((2,)), t_max=-1)
    Traceback (most recent call last):
    ...
    ValueError: TrainingSetup: t_max must be a finite number > 0 or None; got t_max=-1.
    """

    model: TaskModel
    spectrum: Spectrum
    optimizer: OptimizerSpec = dataclasses.field(default_factory=OptimizerSpec)
    theta0: float | None = None
    t_max: float | None = None
    form: Form = "exact"
    epsilon: float = 0.02
    n_prompts: int = DEFAULT_PROMPTS
    seed: int = DEFAULT_SEED
    note: str = ""

    def __post_init__(self) -> None:
        who = "TrainingSetup"
        for name, typ in (("model", TaskModel), ("spectrum", Spectrum),
                          ("optimizer", OptimizerSpec)):
            if not isinstance(getattr(self, name), typ):
                raise TypeError(f"{who}: {name} must be a {typ.__name__}; got "
                                f"{getattr(self, name)!r}.")
        if self.theta0 is not None:
            if isinstance(self.theta0, bool) or not isinstance(self.theta0, (int, float)) \
                    or not math.isfinite(self.theta0):
                raise ValueError(f"{who}: theta0 must be a finite number or None; got "
                                 f"theta0={self.theta0!r}.")
            object.__setattr__(self, "theta0", float(self.theta0))
        if self.t_max is not None:
            if isinstance(self.t_max, bool) or not isinstance(self.t_max, (int, float)) \
                    or not (math.isfinite(self.t_max) and self.t_max > 0):
                raise ValueError(f"{who}: t_max must be a finite number > 0 or None; got "
                                 f"t_max={self.t_max!r}.")
            object.__setattr__(self, "t_max", float(self.t_max))
        if not (isinstance(self.epsilon, (int, float)) and 0 < self.epsilon < 0.5):
            raise ValueError(f"{who}: epsilon must lie in (0, 0.5); got epsilon={self.epsilon!r}.")
        if self.form not in ("exact", "mean_field"):
            raise ValueError(f"{who}: form must be 'exact' or 'mean_field'; got {self.form!r}.")
        self.spectrum.check_fits(self.model.order, self.model.M)

    @classmethod
    def from_options(cls, model: TaskModel, spectrum: Spectrum, *, optimizer: Optimizer = "sgd",
                     lr: float = 30.0, batch: int = 512, length_normalized: bool = True,
                     baseline: Any = "loo", sampled: bool = True, form: Form = "exact",
                     epsilon: float = 0.02, theta0: float | None = None,
                     t_max: float | None = None, n_prompts: int = DEFAULT_PROMPTS,
                     seed: int = DEFAULT_SEED, note: str = "") -> "TrainingSetup":
        """The setup from the keyword options of :func:`dynamics.predict.predict`."""
        spec = OptimizerSpec(optimizer=optimizer, lr=lr, batch=batch,
                             length_normalized=length_normalized, baseline=baseline,
                             sampled=sampled)
        return cls(model=model, spectrum=spectrum, optimizer=spec, theta0=theta0, t_max=t_max,
                   form=form, epsilon=epsilon, n_prompts=n_prompts, seed=seed, note=note)

    @property
    def horizon(self) -> float:
        """``t_max`` with its default resolved."""
        return self.t_max if self.t_max is not None else DEFAULT_T_MAX[self.optimizer.optimizer]

    @property
    def chance(self) -> float:
        """Success of a uniform guess, :math:`1/|G|`."""
        return 1.0 / self.model.order

    def objective(self) -> ReducedObjective:
        """The reduced mixture objective of this setup."""
        return ReducedObjective(model=self.model, spectrum=self.spectrum, form=self.form,
                                length_normalized=self.optimizer.length_normalized,
                                n_prompts=self.n_prompts, seed=self.seed)

    def replace(self, **changes: Any) -> "TrainingSetup":
        """:func:`dataclasses.replace`, validated again."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: every setting the prediction depends on."""
        o = self.optimizer
        return {"group": self.model.group.name, "M": self.model.M, "c_B": self.model.c_B,
                "horizons": list(self.spectrum.horizons), "weights": list(self.spectrum.weights or ()),
                "optimizer": o.optimizer, "lr": o.lr, "batch": o.batch,
                "length_normalized": o.length_normalized, "baseline": o.baseline,
                "sampled": o.sampled, "theta0": self.theta0, "t_max": self.horizon,
                "form": self.form, "epsilon": self.epsilon, "n_prompts": self.n_prompts,
                "seed": self.seed, "note": self.note}
