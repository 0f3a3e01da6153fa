"""Training driver: smoke runs of every algorithm, logged keys, resume, configs and the CLI."""

import dataclasses
import json

import sys

import numpy as np
import pytest

import verify.train  # noqa: F401
from verify.__main__ import main
from verify.config import RunConfig, preset
from verify.metrics import metric_names
from verify.train import RunResult, read_metrics, train

vtrain = sys.modules["verify.train"]   # the module (the package attribute is the function)

TINY = RunConfig(group="Z6", horizons=(2, 3), n_ids=4, batch=48, updates=6, log_every=2,
                 checkpoint_every=2, eval_prompts=16, lr=10.0)
TIMING = {"time_s", "updates_per_s"}


@pytest.mark.parametrize("changes", [
    dict(algo="reinforce", baseline="batch"),
    dict(algo="reinforce", baseline="ema", entropy_coef=0.01, optimizer="adam", lr=0.05),
    dict(algo="reinforce", baseline="loo", length_norm=False),
    dict(algo="grpo", samples_per_prompt=4),
    dict(algo="exact"),
    dict(group="S3", algo="reinforce", head="learned", head_hidden=32),
    dict(group="D3", algo="grpo", samples_per_prompt=3, batch=48, head="learned", head_hidden=32),
], ids=lambda c: "-".join(f"{v}" for v in c.values()))
def test_smoke_run_of_every_algorithm(tmp_path, monkeypatch, changes):
    monkeypatch.setenv("VERIFY_CACHE", str(tmp_path / "cache"))
    cfg = dataclasses.replace(TINY, **changes)
    res = train(cfg, tmp_path / "run", progress=False)
    assert res.success and res.message == "completed 6 updates"
    assert res.steps.tolist() == [0, 2, 4, 6]
    records = read_metrics(tmp_path / "run")
    assert all(tuple(r) == metric_names(cfg.horizons) for r in records)   # keys are the list
    for L in cfg.horizons:
        s = res.metrics[f"success/L{L}/sampled"]
        assert np.all((s >= 0) & (s <= 1))
    saved = json.loads((tmp_path / "run" / "config.json").read_text())
    assert RunConfig.from_dict(saved) == cfg and saved["seed"] == cfg.seed
    assert (tmp_path / "run" / "metrics.csv").read_text().splitlines()[0].split(",") == \
        list(metric_names(cfg.horizons))
    back = RunResult.from_dir(tmp_path / "run")
    assert back.status == 1 and back.steps.tolist() == res.steps.tolist()


def test_training_learns_a_small_mixture(tmp_path):
    # Z6, {2, 3}: a couple of hundred SGD updates take L3 from chance (1/6) to > 0.9
    cfg = dataclasses.replace(TINY, updates=150, log_every=50, checkpoint_every=50, batch=128)
    res = train(cfg, tmp_path, progress=False)
    assert res.metrics["success/L3/sampled"][0] < 0.4
    assert res.final["success/L3/sampled"] > 0.9
    # (theta may be negative here: on Z6 with 4 identifiers, closed cycles of identifiers
    # locking onto each other's clauses are rewarded too, theory §6)


def _strip(records):
    return [{k: v for k, v in r.items() if k not in TIMING} for r in records]


@pytest.mark.parametrize("changes", [dict(), dict(algo="grpo", samples_per_prompt=4,
                                                  baseline="ema", optimizer="adam", lr=0.1)])
def test_resume_equals_an_uninterrupted_run(tmp_path, monkeypatch, changes):
    cfg = dataclasses.replace(TINY, updates=8, **changes)
    full = train(cfg, tmp_path / "full", progress=False)
    real_eval = vtrain.evaluate

    def crash_at_5(cfg_, policy, prompts, *, step):
        if step == 6:
            raise KeyboardInterrupt
        return real_eval(cfg_, policy, prompts, step=step)

    monkeypatch.setattr(vtrain, "evaluate", crash_at_5)
    with pytest.raises(KeyboardInterrupt):
        train(cfg, tmp_path / "cut", progress=False)
    monkeypatch.setattr(vtrain, "evaluate", real_eval)
    assert [r["step"] for r in read_metrics(tmp_path / "cut")] == [0, 2, 4]
    with pytest.raises(ValueError, match="already holds a run; pass resume=True"):
        train(cfg, tmp_path / "cut", progress=False)
    resumed = train(cfg, tmp_path / "cut", resume=True, progress=False)
    a, b = read_metrics(tmp_path / "full"), read_metrics(tmp_path / "cut")
    assert [r["step"] for r in b] == [0, 2, 4, 6, 8]            # no step lost or duplicated
    assert _strip(a) == _strip(b)
    assert resumed.final["theta"] == full.final["theta"]


def test_resume_with_more_updates_extends_a_finished_run(tmp_path):
    full = train(dataclasses.replace(TINY, updates=8), tmp_path / "full", progress=False)
    train(dataclasses.replace(TINY, updates=4), tmp_path / "ext", progress=False)
    ext = train(dataclasses.replace(TINY, updates=8), tmp_path / "ext", resume=True,
                progress=False)
    assert ext.steps.tolist() == [0, 2, 4, 6, 8]
    assert _strip(read_metrics(tmp_path / "full")) == _strip(read_metrics(tmp_path / "ext"))
    assert ext.final["theta"] == full.final["theta"]


def test_resume_refuses_a_different_config(tmp_path):
    train(TINY, tmp_path, progress=False)
    with pytest.raises(ValueError, match="holds a run with a different config"):
        train(dataclasses.replace(TINY, lr=1.0), tmp_path, resume=True, progress=False)


@pytest.mark.parametrize("kw, match", [
    (dict(group="Z12", horizons=(5, 15)), r"horizon 15 exceeds \|G\|=12"),
    (dict(group="Z96", horizons=(5, 45), n_ids=20), r"horizon 45 exceeds M=20 identifiers"),
    (dict(horizons=(15, 5)), r"strictly increasing"),
    (dict(horizons=(5, 15), weights=(0.5, 0.4)), r"weights must sum to 1"),
    (dict(algo="grpo", samples_per_prompt=1), r"samples_per_prompt >= 2; got 1"),
    (dict(algo="grpo", samples_per_prompt=7, batch=512), r"batch divisible by samples_per_prompt"),
    (dict(algo="exact", head="learned"), r"use head='ideal'|Use head='ideal'"),
    (dict(optimizer="rmsprop"), r"optimizer must be one of \('sgd', 'adam'\); got optimizer='rmsprop'"),
    (dict(lr=-1.0), r"lr must be a finite number > 0 and <= 1e\+30; got lr=-1.0"),
    (dict(log_every=10, checkpoint_every=15), r"checkpoint_every must be a multiple of log_every"),
    (dict(batch=2, horizons=(5, 15, 45)), r"batch=2 leaves horizon\(s\) with no rollout"),
    (dict(group="Q8"), r"group_from_name: expected 'Z<n>'"),
])
def test_bad_configs_raise_value_errors(kw, match):
    with pytest.raises(ValueError, match=match):
        RunConfig(**kw)


def test_presets_run_on_every_family():
    for group in ("Z96", "D48", "S5"):
        assert set(preset("paper", group=group)) == {"mix_5_15_45", "ratio7_5_35", "fixed_45"}
    for group in ("Z24", "D12", "S4"):
        assert all(c.group == group for c in preset("quick", group=group).values())
    with pytest.raises(ValueError, match="unknown preset 'huge'"):
        preset("huge")


def test_config_round_trips_through_json():
    cfg = dataclasses.replace(TINY, weights=(0.25, 0.75), init_std=0.1)
    assert RunConfig.from_dict(json.loads(cfg.to_json())) == cfg
    with pytest.raises(ValueError, match=r"unknown field\(s\) \['colour'\]"):
        RunConfig.from_dict({"colour": 1})


def test_cli_run_and_errors(tmp_path, capsys):
    rc = main(["run", "--group", "Z6", "--horizons", "2,3", "--n-ids", "4", "--batch", "32",
               "--updates", "4", "--log-every", "2", "--checkpoint-every", "2",
               "--eval-prompts", "8", "--no-progress", "--out", str(tmp_path / "r")])
    out = capsys.readouterr().out
    assert rc == 0 and "completed 4 updates" in out and "| r | 4 |" in out
    rc = main(["run", "--group", "Z6", "--horizons", "2,9", "--out", str(tmp_path / "bad")])
    err = capsys.readouterr().err
    assert rc == 2 and err.startswith("error: Spectrum: horizon 9 exceeds |G|=6") and \
        len(err.strip().splitlines()) == 1
    assert main(["run", "--preset", "quick", "--only", "nope", "--out", str(tmp_path)]) == 2
    assert "unknown run(s) ['nope']" in capsys.readouterr().err
