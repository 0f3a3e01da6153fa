r"""verify.transformer: the RLVR experiment with a standard small transformer (issue 7).

The minimal model of the theory freezes the one-step skill and trains one attention
matrix.  Here a decoder-only transformer (1–2 layers, every weight trainable) is
pretrained on the atomic skill, then trained with outcome-only rewards by the
algorithms of :mod:`verify.algos`, and the attention mass on the right clause is
measured as the analogue of the theory's θ.

Modules: ``tokenize`` (prompts and chains of thought as tokens), ``model`` (the
transformer), ``policy`` (rollouts and attention measurement), ``pretrain`` (supervised
one-step pretraining, cached), ``rl`` (config, RLVR driver, logging, checkpoints),
``presets``, ``compare`` (against ``dynamics``).  Command line:
``python -m verify.transformer {pretrain,run,compare} --help``.
"""

from .model import ModelConfig, Transformer
from .policy import TransformerPolicy, theta_from_alpha
from .presets import TRANSFORMER_PRESETS, transformer_preset
from .pretrain import PretrainConfig, load_or_pretrain, pretrain
from .rl import TransformerRunConfig, TransformerRunResult, train_transformer

__all__ = ["ModelConfig", "Transformer", "TransformerPolicy", "theta_from_alpha",
           "PretrainConfig", "pretrain", "load_or_pretrain", "TransformerRunConfig",
           "TransformerRunResult", "train_transformer", "TRANSFORMER_PRESETS",
           "transformer_preset"]
