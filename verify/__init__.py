r"""verify: RLVR training on group state tracking, compared with the ``dynamics`` predictions.

Outcome-only rewards train the attention scores Q of the minimal model of the theory
(``docs/theory.md`` §1, §2) in front of a frozen one-step head; the learning curves are
logged per horizon and put beside what :mod:`dynamics` predicts for the same
configuration, in updates.

Programmatic use (the sweep engine calls this)::

    from verify import RunConfig, train
    result = train(RunConfig(group="Z96", horizons=(5, 15, 45)), "runs/x", progress=False)
    result.metrics["success/L45/sampled"]      # names: verify.metrics.metric_names

Modules: ``config`` (RunConfig, presets), ``tasks`` (prompt sampler, seed streams),
``heads`` (idealised and learned heads, rollouts), ``model`` (attention policy), ``algos``
(REINFORCE, GRPO, exact gradient), ``metrics`` (metric names), ``rundir`` (the files of a
run directory, checkpoints, resume checks), ``trainer`` (the RL loop shared with the
transformer), ``train`` (the minimal model's driver; the module is callable as
``train(config, out_dir)``), ``compare`` (against ``dynamics``).
"""

try:
    import torch as _torch  # noqa: F401  (verify trains with torch)
except ImportError as _err:  # pragma: no cover - depends on the install
    raise ImportError("verify needs torch, tqdm and dask: pip install 'implicit-curriculum[verify]' "
                      "(README, 'What gets installed', for a CPU-only torch).") from _err

from groupfourier import __version__  # one distribution, one version
from .config import PRESETS, RunConfig, preset
from .metrics import metric_names
from . import train  # the module; callable as train(config, out_dir) (verify.train.train)
from .train import RunResult

__all__ = ["RunConfig", "PRESETS", "preset", "train", "RunResult", "metric_names"]
