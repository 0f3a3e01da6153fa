"""Long checks of dynamics (run with --run-slow): the whole phase diagram and the scaling CLI."""

import json
import time

import numpy as np
import pytest

from dynamics.__main__ import main
from dynamics.phase import phase_diagram


@pytest.mark.slow
def test_full_phase_diagram_under_a_minute():
    t = time.perf_counter()
    pd = phase_diagram("Z96", [1.5, 2, 3, 4, 5, 6, 7, 9], [2.5, 3, 3.5, 4, 5, 6, 8])
    assert time.perf_counter() - t < 60.0
    assert set(np.unique(pd.regime)) == {"relay", "plateau", "stalled"}
    crit = np.where(np.isnan(pd.critical_ratio()), np.inf, pd.critical_ratio())
    # the critical ratio falls as c_B grows from 3 to 6 (theory.md §6: strong heads stall)
    assert crit[1] >= crit[3] >= crit[5]


@pytest.mark.slow
def test_scaling_cli(tmp_path):
    out = tmp_path / "s.json"
    assert main(["scaling", "--out", str(tmp_path / "s.png"), "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["ratio"]["fits"][0]["law"] == "power" and data["ratio"]["fits"][0]["r2"] > 0.99
    assert data["c_B"]["fits"][0]["exponent"] > 0
