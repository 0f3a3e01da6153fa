"""One JSON-safe ``num`` and one status base for the result objects of dynamics and verify
(issue 16): the same repr strings and the same ``to_dict`` bytes as before they were shared.

The pinned strings were printed by the code of feb5687 (the per-class ``__repr__`` and
local ``num`` copies), on curves whose crossings are exact in floating point (piecewise
linear, integer times), so the bytes do not depend on the platform's libm.
"""

import dataclasses
import json
import math

import numpy as np
import pytest

from dynamics.results import StatusResult, num


@pytest.mark.parametrize("v, want", [
    (1.5, 1.5), (np.float64(2.25), 2.25), (np.float32(0.5), 0.5), (np.int64(3), 3.0), (7, 7.0),
    (math.nan, None), (math.inf, None), (-math.inf, None), (np.float32("nan"), None),
    (np.float64("-inf"), None), (None, None), (-0.0, -0.0), (1e308, 1e308),
])
def test_num_is_a_plain_finite_float_or_none(v, want):
    got = num(v)
    assert got == want and (got is None or type(got) is float)
    assert json.dumps(got, allow_nan=False) == json.dumps(want)


@pytest.mark.parametrize("bad", ["1.0", b"1", [1.0], {}])
def test_num_refuses_what_is_not_a_number(bad):
    with pytest.raises(TypeError):
        num(bad)


def _stalled():
    from dynamics.regime import classify_curves
    t = np.linspace(0, 100, 101)
    P = np.stack([np.minimum(t / 20, 1.0), np.full(t.size, 0.01)])
    return classify_curves(t, P, (2, 4), chance=0.01)


def test_a_result_with_nan_and_inf_gives_the_same_repr_and_json_bytes():
    r = _stalled()
    assert repr(r) == ("RegimeResult(message='horizon(s) [4] never left chance (rise level 0.108) "
                       "within t_end=100', status=0, regime='stalled', index=inf, threshold=30, "
                       "worst=4)")
    assert json.dumps(r.to_dict(), allow_nan=False) == (
        '{"regime": "stalled", "index": null, "threshold": 30.0, "worst": 4, "rise_level": 0.108, '
        '"t_end": 100.0, "horizons": [2, 4], "per_horizon": [{"horizon": 2, "half": 10.0, '
        '"rise": 2.1599999999999997, "transition": 7.84, "stall": 0.0, "stall_ratio": 0.0}, '
        '{"horizon": 4, "half": null, "rise": null, "transition": null, "stall": 90.0, '
        '"stall_ratio": null}], "status": 0, "message": "horizon(s) [4] never left chance '
        '(rise level 0.108) within t_end=100"}')
    assert r.success is True and math.isinf(r.index)


def test_the_flow_solutions_keep_their_repr():
    from dynamics.ode import FlowSolution, PerIdentifierSolution
    f = FlowSolution(t=np.zeros(10), theta=np.zeros(10), p_success=np.zeros((2, 10)),
                     crossings={(2, 0.5): 1.0}, status=-1, message="failed")
    assert repr(f) == ("FlowSolution(message='failed', status=-1, t=(10,), p_success=(2, 10), "
                       "n_crossings=1)")
    assert f.success is False
    p = PerIdentifierSolution(t=np.zeros(4), theta=np.zeros((3, 4)), p_success=np.zeros((1, 4)),
                              status=1, message="reached t_max")
    assert repr(p) == "PerIdentifierSolution(message='reached t_max', status=1, t=(4,), theta=(3, 4))"
    assert p.success is True


def test_every_status_result_of_dynamics_and_verify_shares_the_one_base():
    pytest.importorskip("torch")
    import importlib
    import verify.results
    assert verify.results.StatusResult is StatusResult
    for mod, names in {"dynamics.predict": ["GrowthResult"], "dynamics.regime": ["RegimeResult"],
                       "dynamics.escape": ["EscapeStart"], "dynamics.design": ["DesignResult"],
                       "dynamics.ode": ["FlowSolution", "PerIdentifierSolution"],
                       "verify.rundir": ["TrainingResult"], "verify.sweep_engine": ["SweepResult"],
                       "verify.transformer.pretrain": ["PretrainResult"],
                       "verify.compare": ["ComparisonSummary"],
                       "verify.empirical_phase": ["EmpiricalPhase"]}.items():
        for name in names:
            cls = getattr(importlib.import_module(mod), name)
            assert issubclass(cls, StatusResult), name
            assert "success" not in vars(cls) and "__repr__" not in vars(cls), name
            assert {"status", "message"} <= {f.name for f in dataclasses.fields(cls)}, name
