r"""Predicted against observed escape from chance: median and spread over training seeds.

For one single-horizon configuration, trains ``verify`` (REINFORCE, idealised head) with
several seeds and reads each run's escape: the first update at which the held-out
success of the horizon reaches :math:`P_0 + m(1 - P_0)` (P0: the run's success at
update 0, m: the margin, 0.1 by default; linear interpolation between logged updates).
It prints the median and the 10/90 % quantiles over seeds next to
:func:`dynamics.escape.escape_start`'s prediction, and their ratio.

Usage (a few seconds per run on one core)::

    python scripts/escape_check.py --group D4 --horizon 3 --n-ids 8 --lr 3 --batch 64 \
        --updates 600 --seeds 8
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from pathlib import Path

import numpy as np

__all__ = ["observed_escape", "predicted_escape", "main"]


def observed_escape(steps: np.ndarray, success: np.ndarray, margin: float = 0.1) -> float:
    """First (interpolated) step where ``success`` reaches P0 + margin·(1 − P0); inf if never.

    Examples
    --------
    >>> observed_escape(np.array([0, 10, 20]), np.array([0.1, 0.1, 0.28]))
    15.0
    """
    from verify.compare import first_crossing
    return first_crossing(steps, success, success[0] + margin * (1.0 - success[0]))


def train_escapes(*, group: str, horizon: int, n_ids: int, c_B: float, lr: float, batch: int,
                  updates: int, seeds, baseline: str = "loo", optimizer: str = "sgd",
                  log_every: int = 5, margin: float = 0.1) -> list[float]:
    """Observed escape of each seed (trains in a temporary directory, one thread)."""
    import torch

    from verify.config import RunConfig
    from verify.train import train
    torch.set_num_threads(1)
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in seeds:
            cfg = RunConfig(group=group, horizons=(horizon,), n_ids=n_ids, c_B=c_B, lr=lr,
                            batch=batch, updates=updates, log_every=log_every,
                            checkpoint_every=updates if updates % log_every == 0 else log_every,
                            baseline=baseline, optimizer=optimizer, seed=seed)
            r = train(cfg, Path(tmp) / f"s{seed}", progress=False)
            out.append(observed_escape(r.steps, r.metrics[f"success/L{horizon}/sampled"], margin))
    return out


def predicted_escape(*, group: str, horizon: int, n_ids: int, c_B: float, lr: float, batch: int,
                     updates: int, baseline: str = "loo", optimizer: str = "sgd",
                     margin: float = 0.1):
    """:func:`dynamics.escape.escape_start` for the same configuration."""
    from dynamics import Spectrum, TaskModel
    from dynamics.escape import escape_start
    from dynamics.ode import ReducedObjective
    from dynamics.optim import OptimizerSpec
    obj = ReducedObjective(model=TaskModel(group=group, M=n_ids, c_B=c_B), spectrum=Spectrum((horizon,)))
    spec = OptimizerSpec(optimizer=optimizer, lr=lr, batch=batch, baseline=baseline)
    return escape_start(obj, spec, t_max=float(updates), margin=margin)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--group", required=True)
    p.add_argument("--horizon", type=int, required=True)
    p.add_argument("--n-ids", type=int, default=8)
    p.add_argument("--cB", type=float, default=4.0)
    p.add_argument("--lr", type=float, default=3.0)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--updates", type=int, default=600)
    p.add_argument("--seeds", type=int, default=8)
    p.add_argument("--baseline", default="loo")
    p.add_argument("--optimizer", default="sgd")
    p.add_argument("--margin", type=float, default=0.1)
    p.add_argument("--log-every", type=int, default=5)
    p.add_argument("--json", help="append the result as one JSON line to this file")
    a = p.parse_args(argv)
    kw = dict(group=a.group, horizon=a.horizon, n_ids=a.n_ids, c_B=a.cB, lr=a.lr, batch=a.batch,
              updates=a.updates, baseline=a.baseline, optimizer=a.optimizer, margin=a.margin)
    try:
        e = predicted_escape(**kw)
        obs = train_escapes(seeds=range(a.seeds), log_every=a.log_every, **kw)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    q = np.quantile(np.array(obs), [0.1, 0.5, 0.9])
    ratio = e.t_escape / q[1] if q[1] > 0 else math.nan
    print(f"{a.group} L={a.horizon} M={a.n_ids} c_B={a.cB:g} {a.optimizer} lr={a.lr:g} "
          f"batch={a.batch} baseline={a.baseline}: drift={e.drift:.3g} growth={e.growth:.3g} "
          f"noise={e.noise:.3g}")
    print(f"  predicted escape 10/50/90 %: " + " / ".join(f"{t:.4g}" for t in e.t_quantiles))
    print(f"  observed  escape 10/50/90 %: " + " / ".join(f"{t:.4g}" for t in q)
          + f"  over {a.seeds} seeds: " + ", ".join(f"{t:.0f}" for t in obs))
    print(f"  predicted / observed median: {ratio:.3f}")
    if a.json:
        from dynamics.results import num
        with open(a.json, "a") as f:
            f.write(json.dumps({**kw, "seeds": a.seeds, "predicted": e.to_dict(),
                                "observed": [num(t) for t in obs],
                                "ratio": ratio}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
