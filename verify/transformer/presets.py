"""Named experiments for the transformer: each preset is ``{run name: TransformerRunConfig}``.

* ``smoke``: a seconds-long run on Z_3 (the test suite's smoke version; no lookup
  pretraining, to stay fast).
* ``small``: Z_10, M = 16, the smooth ladder {2, 4, 8} against the abrupt jump {2, 8} and
  the fixed longest horizon {8} (a few minutes each on one core).
* ``target``: a group of order 30 (D_15, M = 32) with horizons up to 24: the smooth
  ladder {2, 4, 8, 16, 24}, the jump {2, 24} and fixed {24}: the CPU-sized configuration
  of issue 7's target (the smooth run passes 0.9 at L24 after 250 updates, ~90 CPU-s;
  the jump runs 3,000 updates to see its escape).
* ``ratios``: D_15 two-level mixtures {2, 2R} for R = 2, 4, 8, 12, for the plateau
  length against the ratio (``docs/transformer.md``).

Every preset takes overrides (``group="S4"``, ``seed=1``, ``algo="grpo"``, ...) of
:class:`verify.config.RunConfig` fields, :class:`~verify.transformer.model.ModelConfig`
fields, or :class:`~verify.transformer.rl.TransformerRunConfig` fields.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

from ..config import RunConfig
from .model import ModelConfig
from .rl import TransformerRunConfig

__all__ = ["TRANSFORMER_PRESETS", "transformer_preset", "apply_overrides"]


def _ladder(base: TransformerRunConfig, smooth: tuple[int, ...], **kw) -> dict:
    run = base.run
    hard = smooth[-1]
    return {
        "smooth": base,
        "abrupt": dataclasses.replace(base, run=dataclasses.replace(
            run, horizons=(smooth[0], hard), **kw)),
        "fixed": dataclasses.replace(base, run=dataclasses.replace(run, horizons=(hard,))),
    }


def _smoke() -> dict[str, TransformerRunConfig]:
    run = RunConfig(group="Z3", horizons=(1, 2), n_ids=3, optimizer="adam", lr=1e-3, batch=16,
                    updates=4, log_every=2, checkpoint_every=2, eval_prompts=8)
    return {"smoke": TransformerRunConfig(run=run, model=ModelConfig(d_model=16, n_heads=2,
                                                                     d_mlp=32),
                                          pretrain_lookup=False)}


def _small() -> dict[str, TransformerRunConfig]:
    run = RunConfig(group="Z10", horizons=(2, 4, 8), n_ids=16, optimizer="adam", lr=1e-3,
                    batch=256, updates=600, log_every=25, checkpoint_every=100,
                    eval_prompts=256)
    return _ladder(TransformerRunConfig(run=run), (2, 4, 8))


def _target_run(horizons: tuple[int, ...], updates: int = 1500) -> TransformerRunConfig:
    # the longest horizon of every D15 preset is 24: one pretrained artefact (its largest
    # in-context prompt is max(horizons) clauses) serves them all
    run = RunConfig(group="D15", horizons=horizons, n_ids=32, optimizer="adam", lr=1e-3,
                    batch=256, updates=updates, log_every=25, checkpoint_every=250,
                    eval_prompts=256)
    return TransformerRunConfig(run=run, pretrain_max_clauses=24)


def _target() -> dict[str, TransformerRunConfig]:
    # the jump runs 3,000 updates: long enough to see the escape from its plateau
    return _ladder(_target_run((2, 4, 8, 16, 24)), (2, 4, 8, 16, 24), updates=3000)


def _ratios() -> dict[str, TransformerRunConfig]:
    # R12 is the target's abrupt run
    return {f"R{R}": _target_run((2, 2 * R), updates=3000 if R == 12 else 1500)
            for R in (2, 4, 8, 12)}


TRANSFORMER_PRESETS: dict[str, Callable[[], dict[str, TransformerRunConfig]]] = {
    "smoke": _smoke, "small": _small, "target": _target, "ratios": _ratios}

_RUN_FIELDS = {f.name for f in dataclasses.fields(RunConfig)}
_MODEL_FIELDS = {f.name for f in dataclasses.fields(ModelConfig)}
_TOP_FIELDS = {f.name for f in dataclasses.fields(TransformerRunConfig)} - {"run", "model"}


def apply_overrides(cfg: TransformerRunConfig, **overrides: Any) -> TransformerRunConfig:
    """``cfg`` with each override routed to the run, the model or the top level.

    Examples
    --------
    >>> cfg = apply_overrides(transformer_preset("smoke")["smoke"], seed=3, d_model=32,
    ...                       kl_coef=0.1)
    >>> cfg.run.seed, cfg.model.d_model, cfg.kl_coef
    (3, 32, 0.1)
    """
    bad = sorted(set(overrides) - _RUN_FIELDS - _MODEL_FIELDS - _TOP_FIELDS)
    if bad:
        raise ValueError(f"apply_overrides: unknown setting(s) {bad}; expected fields of "
                         f"RunConfig, ModelConfig or TransformerRunConfig.")
    run = {k: v for k, v in overrides.items() if k in _RUN_FIELDS}
    model = {k: v for k, v in overrides.items() if k in _MODEL_FIELDS}
    top = {k: v for k, v in overrides.items() if k in _TOP_FIELDS}
    return dataclasses.replace(cfg, run=dataclasses.replace(cfg.run, **run),
                               model=dataclasses.replace(cfg.model, **model), **top)


def transformer_preset(name: str, **overrides: Any) -> dict[str, TransformerRunConfig]:
    """The named preset with ``overrides`` applied to each run.

    Examples
    --------
    >>> sorted(transformer_preset("small"))
    ['abrupt', 'fixed', 'smooth']
    >>> transformer_preset("small", group="S4")["abrupt"].run.horizons
    (2, 8)
    """
    if name not in TRANSFORMER_PRESETS:
        raise ValueError(f"transformer_preset: unknown preset {name!r}; expected one of "
                         f"{sorted(TRANSFORMER_PRESETS)}.")
    return {k: apply_overrides(c, **overrides) for k, c in TRANSFORMER_PRESETS[name]().items()}
