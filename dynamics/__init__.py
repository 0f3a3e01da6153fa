r"""dynamics: success probabilities, coefficient-growth ODEs, plateau and relay predictions.

Everything here is OUR reconstruction of the theory in ``docs/theory.md`` (the paper's
equations are not available); ``docs/derivation.md`` states every step.

Stable API used by :mod:`verify`
--------------------------------
``Spectrum``
    Horizons and weights, validated; ``Spectrum.geometric(first, ratio, n_levels)``,
    ``Spectrum.jump(easy, hard, hard_weight=0.5)``, ``Spectrum.uniform(low, high, step=1)``,
    ``Spectrum.zipf(horizons, exponent=1.0)``; ``spectrum.check_fits(|G|, M)``.
``TaskModel(group=..., M=64, c_B=4.0)``
    The task and idealised head: ``.B = c_B log|G|``, ``.sigma0 = |G|^{-1/2}``.
``success_probability_torch(G, Q, ops, ids, s0, *, B, perm, sigma0=None) -> torch.Tensor``
    Contract (kept stable):

    * ``Q``: torch (M, M) attention scores, autograd flows through it;
    * ``ops``: int64 (P, L) operation indices into ``G.elements``, distinct per prompt;
    * ``ids``: int64 (P, L) identifier of each clause in 0..M−1, distinct per prompt;
    * ``s0``: int64 (P,) initial-state indices (they cancel; validated only);
    * ``perm``: int64 (M,) the hidden permutation π; the query of step k is
      ``perm[ids[:, k]]`` and step k attends with ``softmax_j Q[perm[ids[:, k]], ids[:, j]]``;
    * ``B``: head strength; the idealised head's logits are
      ``B * m_k(y s_{k-1}^{-1}) + sigma0`` (``sigma0`` cancels in the softmax);
    * returns float64 (P,): the exact :math:`P(s_L = g_L \cdots g_1 s_0)` through the
      Fourier formula.
``TrainingSetup(model=, spectrum=, optimizer=OptimizerSpec(...), theta0=None, t_max=None)``
    The one boundary between a training configuration and the theory
    (:mod:`dynamics.setup`); ``verify``'s ``RunConfig.training_setup()`` builds it.
``predict(setup)`` or ``predict(model, spectrum, **options) -> GrowthResult``
    Options (keyword-only, with their defaults): ``optimizer="sgd", lr=30.0, batch=512,
    length_normalized=True, baseline="loo", sampled=True, form="exact", epsilon=0.02,
    theta0=None, t_max=None``.  Predicted per-horizon success curves (``t`` in UPDATES for sgd/adam, flow time for
    ``optimizer="flow"``), ``crossings[(L, level)]`` for levels chance + ε, 0.5, 0.9,
    ``regime`` in {"relay", "plateau", "stalled", "unfinished"} with its ``index`` and
    ``classification``, ``plateaus``, ``first_phase``, ``theta0`` (the flow's effective
    start), ``escape`` (the escape from chance as a first-passage time: median and 10/90 %
    quantiles, :func:`escape_start`),
    ``to_dict()`` for JSON.  ``model.M`` is the number of identifiers (it sets the
    Q-to-θ factor 1/(M−1)).  ``sampled=False`` models training on the exact expected
    gradient (no batch noise, so no noise-driven start: pass a small ``theta0`` on
    abelian groups).
``classify_curves(t, P, horizons, *, chance, t_end=None) -> RegimeResult``
    The one regime rule (:mod:`dynamics.regime`), for predicted and observed curves.

``design(model, target, *, max_rungs=4, allowed=None, budget=None, **options) -> DesignResult``
    The mixture of at most K horizons (the target among them) that reaches success 0.9
    at the target soonest (or maximises it after a budget of updates), with ladder,
    uniform and target-alone baselines (:mod:`dynamics.design`); ``options`` as ``predict``'s.

Command line: ``python -m dynamics predict|design|phase-diagram|scaling --help``.

Other entry points: ``prompt_averaged_success`` (exact, symmetric ansatz),
``mean_field_success``, ``accidental_success``, ``success_probability`` (numpy, any
attention), ``sample_prompts`` (:mod:`dynamics.prompts`: the one prompt sampler, numpy
for the theory and torch for verify's training).
"""

from groupfourier import __version__  # one distribution, one version
from .model import StepLaw, TaskModel, step_law, symmetric_attention, symmetric_step_law
from .spectrum import Spectrum, parse_horizons
from .success import (Prompts, SuccessPolynomial, accidental_success, canonical_success,
                      mean_field_success, prompt_averaged_success, sample_prompts,
                      success_polynomial, success_probability, success_probability_torch)
from .ode import FlowSolution, ReducedObjective, integrate_flow, per_identifier_flow
from .optim import OptimizerSpec, noise_scale_theta0
from .escape import EscapeStart, escape_start
from .setup import TrainingSetup
from .regime import RegimeResult, classify_curves
from .predict import GrowthResult, predict
from .phase import PhaseDiagram, ScalingFit, escape_scan, fit_scaling, phase_diagram
from .design import DesignResult, design

__all__ = ["Spectrum", "parse_horizons", "TaskModel", "StepLaw", "step_law",
           "symmetric_attention", "symmetric_step_law", "Prompts", "sample_prompts",
           "success_probability", "success_probability_torch", "SuccessPolynomial",
           "success_polynomial", "prompt_averaged_success", "mean_field_success",
           "accidental_success", "canonical_success", "ReducedObjective", "FlowSolution",
           "integrate_flow", "per_identifier_flow", "OptimizerSpec", "noise_scale_theta0",
           "TrainingSetup", "RegimeResult", "classify_curves", "GrowthResult", "predict",
           "PhaseDiagram", "ScalingFit", "phase_diagram", "fit_scaling", "escape_scan",
           "EscapeStart", "escape_start", "DesignResult", "design"]
