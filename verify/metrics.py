"""Names of every logged metric, listed once (they are API: the sweep engine reads them).

Per-horizon names are templates with ``{L}``; :func:`metric_names` expands them for a
run's horizons.  One record of ``metrics.jsonl`` holds exactly these keys.

===============================  ===========================================================
name                             meaning
===============================  ===========================================================
``step``                         updates done before this evaluation
``time_s``                       wall-clock seconds of training so far (evaluation excluded)
``updates_per_s``                updates per second since the previous record
``theta``                        reduced coefficient θ measured from Q (``model.reduced_theta``)
``canonical/ids``                fraction of identifiers whose query scores them highest
``frac_reward_zero_std``         fraction of reward groups with all-equal rewards since the
                                 previous record (REINFORCE: a horizon's sub-batch; GRPO: a
                                 prompt's samples; exact: 0)
``train/reward``                 mixture-weighted mean training reward since the previous record
``success/L{L}/sampled``         held-out success of a sampled chain of thought (idealised
                                 head: exact, Fourier formula; learned head: one rollout per
                                 prompt)
``success/L{L}/greedy``          held-out success of the greedy chain of thought
``canonical/L{L}``               probability that a sampled chain applies its own clause at
                                 every step (exact for the idealised head)
``attn/L{L}/right_mass``         mean attention on the right clause
``grad_norm/L{L}``               norm of horizon L's share of this update's gradient on Q
===============================  ===========================================================
"""

from __future__ import annotations

from typing import Iterable, Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

__all__ = ["GLOBAL_METRICS", "HORIZON_METRICS", "metric_names", "metric_columns"]

GLOBAL_METRICS: tuple[str, ...] = ("step", "time_s", "updates_per_s", "theta", "canonical/ids",
                                   "frac_reward_zero_std", "train/reward")
HORIZON_METRICS: tuple[str, ...] = ("success/L{L}/sampled", "success/L{L}/greedy",
                                    "canonical/L{L}", "attn/L{L}/right_mass", "grad_norm/L{L}")


def metric_names(horizons: tuple[int, ...]) -> tuple[str, ...]:
    """Every key of a logged record for these horizons, in logging order.

    Examples
    --------
    >>> metric_names((5,))[-5:]
    ('success/L5/sampled', 'success/L5/greedy', 'canonical/L5', 'attn/L5/right_mass', 'grad_norm/L5')
    """
    return GLOBAL_METRICS + tuple(t.format(L=L) for L in horizons for t in HORIZON_METRICS)


def metric_columns(records: Sequence[Mapping], keys: Iterable[str]) -> dict[str, NDArray]:
    """Logged records as columns: each key -> read-only float array, shape (n_records,),
    with NaN where a record has no value (``None`` or absent).

    Examples
    --------
    >>> metric_columns([{"step": 0, "theta": None}, {"step": 20, "theta": 0.5}], ["step", "theta"])
    {'step': array([ 0., 20.]), 'theta': array([nan, 0.5])}
    """
    cols = {}
    for k in keys:
        a = np.array([np.nan if r.get(k) is None else float(r[k]) for r in records], dtype=float)
        a.setflags(write=False)
        cols[k] = a
    return cols
