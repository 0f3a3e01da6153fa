"""One meaning of ``status``/``success``/``message`` in every result object (style guide §4,
the scipy convention): ``status`` an int, negative a failure (−1; −2 only for a training run
read back before it finished), 0 ran to its limit without finishing, ≥ 1 finished;
``success`` is ``status >= 0``; ``message`` a sentence. Verdicts (does the theory agree?)
are fields of their own, never the status.

Each case builds a real instance through the public call that returns it and states the
status the scenario must give (the oracle is the scenario, not the code: a completed
training run finished, a prediction cut at a short ``t_max`` ran to its limit, ...)."""

import dataclasses
import importlib
import json
import pkgutil

import numpy as np
import pytest


def _train(tmp_path, **kw):
    from verify.config import RunConfig
    from verify.train import train
    cfg = RunConfig(**{"group": "Z6", "horizons": (2, 3), "n_ids": 4, "batch": 32,
                       "updates": 4, "log_every": 2, "checkpoint_every": 2,
                       "eval_prompts": 8, **kw})
    return train(cfg, tmp_path, progress=False)


def _growth(t_max):
    from dynamics import Spectrum, TaskModel
    from dynamics.predict import predict
    return predict(TaskModel(group="Z24", M=16, c_B=4), Spectrum((3, 6)), sampled=False, theta0=0.05,
                   t_max=t_max)


def case_growth_finished(tmp_path):
    return _growth(2e4), 1                  # every level crossed well within t_max


def case_growth_cut(tmp_path):
    return _growth(1.0), 0                  # one update: ran to t_max, levels not crossed


def case_flow(tmp_path):
    from dynamics import Spectrum, TaskModel
    from dynamics.ode import ReducedObjective, integrate_flow
    obj = ReducedObjective(model=TaskModel(group="Z24", M=16, c_B=4), spectrum=Spectrum((3, 6)))
    return integrate_flow(obj, theta0=0.3, t_max=1.0, n_eval=10), 0


def case_per_identifier(tmp_path):
    from dynamics import Spectrum, TaskModel
    from dynamics.ode import ReducedObjective, per_identifier_flow
    obj = ReducedObjective(model=TaskModel(group="Z24", M=16, c_B=4), spectrum=Spectrum((3, 6)))
    return per_identifier_flow(obj, np.full(3, 0.3), t_max=20.0, n_eval=10), 1  # all it does


def case_regime_stalled(tmp_path):
    from dynamics.regime import classify_curves
    t = np.linspace(0, 100, 101)
    flat = np.full((2, t.size), 0.01)       # never leaves chance within t_end: ran to the limit
    return classify_curves(t, flat, (2, 4), chance=0.01), 0


def case_regime_relay(tmp_path):
    from dynamics.regime import classify_curves
    t = np.linspace(0, 100, 1001)
    rise = np.stack([1 / (1 + np.exp(-(t - c) / 2)) for c in (10, 20)])
    return classify_curves(t, rise, (2, 4), chance=0.001), 1


def case_escape(tmp_path):
    from dynamics import Spectrum, TaskModel
    from dynamics.escape import escape_start
    from dynamics.ode import ReducedObjective
    from dynamics import OptimizerSpec
    obj = ReducedObjective(model=TaskModel(group="S3", M=8, c_B=4), spectrum=Spectrum((3,)))
    return escape_start(obj, OptimizerSpec(lr=3.0, batch=64), t_max=1e4), 1


def case_design(tmp_path):
    from dynamics import TaskModel
    from dynamics.design import design
    # t_max=1: no mixture reaches the level within the horizon, i.e. ran to its limit
    return design(TaskModel(group="D6", M=12, c_B=3), 6, max_rungs=2, lr=10.0, maxiter=5,
                  t_max=1.0), 0


def case_run_completed(tmp_path):
    return _train(tmp_path), 1              # every update done


def case_run_diverged(tmp_path):
    import verify.algos
    import verify.trainer
    real = verify.algos.objectives

    def nan_loss(*a, **k):        # a gradient of NaN: Q becomes non-finite at update 1
        terms, stats = real(*a, **k)
        return [t * float("nan") for t in terms], stats

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(verify.trainer, "objectives", nan_loss)
        return _train(tmp_path, init_std=0.1), -1


def case_run_interrupted(tmp_path):
    from verify.train import RunResult
    _train(tmp_path)
    (tmp_path / "result.json").unlink()     # as a run killed before its end leaves it
    return RunResult.from_dir(tmp_path), -2


def case_run_legacy(tmp_path):
    """A ``result.json`` written when 0 meant completed reads back as finished."""
    from verify.train import RunResult
    _train(tmp_path)
    res = json.loads((tmp_path / "result.json").read_text())
    (tmp_path / "result.json").write_text(json.dumps({**res, "status": 0}))
    return RunResult.from_dir(tmp_path), 1


def case_comparison(tmp_path):
    from verify.compare import compare_runs
    _train(tmp_path / "a")
    return compare_runs(tmp_path), 1        # compared: a finding either way (see .agree)


def case_pretrain(tmp_path):
    from verify.transformer.model import ModelConfig
    from verify.transformer.pretrain import PretrainConfig, pretrain
    cfg = PretrainConfig(group="Z3", n_ids=3, model=ModelConfig(d_model=16, n_heads=2, d_mlp=32),
                         batch=64, eval_every=20, max_clauses=2, lookup=False, max_steps=20)
    return pretrain(cfg), -1                # gave up before 100%: unusable for the relay


def _phase(tmp_path, **kw):
    from tests.verify.test_sweep_phase import fake_sweep
    from verify.empirical_phase import phase_diagram
    fake_sweep(tmp_path, {(2.0, 4.0): ["relay"], (8.0, 4.0): ["relay"]},
               grid={"ratio": [2.0, 8.0], "c_B": [4.0]})
    return phase_diagram(tmp_path, **kw)


def case_phase_no_prediction(tmp_path):
    return _phase(tmp_path, predict=False).phase, 1     # not asked to predict: not a failure


def case_phase_missing_runs(tmp_path):
    import sqlite3
    res = _phase(tmp_path, predict=False)
    with sqlite3.connect(tmp_path / "results.sqlite") as conn:   # one run failed after all
        conn.execute("UPDATE runs SET status='failed' WHERE run_id = "
                     "(SELECT MIN(run_id) FROM runs)")
    conn.close()
    from verify.empirical_phase import phase_diagram
    assert res.status == 1
    return phase_diagram(tmp_path, predict=False), 0    # ran over what there is, not all


def case_sweep(tmp_path):
    from distributed import Client
    from tests.verify.test_sweep_engine import tiny_spec
    from verify.sweep import run_sweep
    with Client(processes=False, n_workers=1, threads_per_worker=1,
                dashboard_address=None) as client:
        return run_sweep(tiny_spec({"c_B": [2.0]}), tmp_path, client=client,
                         progress=False), 1


CASES = {name[5:]: f for name, f in globals().items() if name.startswith("case_")}
# class name -> the cases that build it (the coverage test below needs every class here)
COVERS = {"GrowthResult": ["growth_finished", "growth_cut"], "FlowSolution": ["flow"],
          "PerIdentifierSolution": ["per_identifier"],
          "RegimeResult": ["regime_stalled", "regime_relay"], "EscapeStart": ["escape"],
          "DesignResult": ["design"],
          "TrainingResult": ["run_completed"], "RunResult": ["run_completed", "run_diverged",
                                                              "run_interrupted", "run_legacy"],
          "TransformerRunResult": [],     # same TrainingResult base and trainer as RunResult
          "ComparisonSummary": ["comparison"], "PretrainResult": ["pretrain"],
          "EmpiricalPhase": ["phase_no_prediction"], "PhaseDiagramResult": ["phase_missing_runs"],
          "SweepResult": ["sweep"], "StatusResult": []}   # the base of verify's results


def _params():
    for name, f in CASES.items():
        yield pytest.param(name, id=name)


@pytest.mark.parametrize("name", list(_params()))
def test_result_follows_the_status_convention(name, tmp_path):
    res, want = CASES[name](tmp_path)
    assert type(res.status) is int, type(res.status)
    assert res.status >= -2
    assert isinstance(res.success, bool) and res.success == (res.status >= 0), (res.status,
                                                                                res.success)
    assert isinstance(res.message, str) and res.message.strip(), res.message
    assert repr(res).startswith(f"{type(res).__name__}(message={res.message!r}, "
                                f"status={res.status}")
    if want is not None:
        assert res.status == want, res.message
    if name == "comparison":                    # the verdict is a field of its own
        assert isinstance(res.agree, bool)
    if name.startswith("phase"):
        assert res.agree is None                # no prediction asked: no verdict
    if name == "phase_missing_runs":
        assert "1 of 2 runs done (1 failed)" in res.message


def _result_classes():
    """Every class in the three packages with a ``status`` field or property."""
    found = {}
    for pkg_name in ("groupfourier", "dynamics", "verify"):
        pkg = importlib.import_module(pkg_name)
        for info in pkgutil.walk_packages(pkg.__path__, pkg_name + "."):
            if info.name.endswith("__main__"):
                continue
            mod = importlib.import_module(info.name)
            for obj in vars(mod).values():
                if (isinstance(obj, type) and obj.__module__ == info.name
                        and (any(f.name == "status" for f in dataclasses.fields(obj))
                             if dataclasses.is_dataclass(obj)
                             else isinstance(vars(obj).get("status"), property))
                        or obj is getattr(mod, "StatusResult", None)):
                    found[obj.__name__] = obj
    return found


def test_every_result_class_is_covered():
    classes = _result_classes()
    assert {"GrowthResult", "RunResult", "SweepResult", "ComparisonSummary"} <= set(classes)
    assert set(classes) <= set(COVERS), sorted(set(classes) - set(COVERS))
    for name, cases in COVERS.items():
        assert all(c in CASES for c in cases), (name, cases)
