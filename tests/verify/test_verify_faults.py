"""Faults of a training run (audit 2026-12-03): crafted, damaged or foreign checkpoints,
damaged metrics logs, a deleted config.json, a shorter resume, failed runs and OS errors.

Every test goes through the public API or the CLI, so that each one fails on the code
before the fixes (bc44434) and passes after.
"""

import contextlib
import dataclasses
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from verify.__main__ import main
from verify.config import RunConfig
from verify.train import RunResult, read_metrics, train

TINY = RunConfig(group="Z6", horizons=(2, 3), n_ids=4, batch=32, updates=6, log_every=2,
                 checkpoint_every=2, eval_prompts=8, lr=10.0)
TIMING = {"time_s", "updates_per_s", "cpu_s"}
CLI_TINY = ["--group", "Z6", "--horizons", "2,3", "--n-ids", "4", "--batch", "32",
            "--log-every", "2", "--checkpoint-every", "2", "--eval-prompts", "8",
            "--no-progress"]


def _strip(records):
    return [{k: v for k, v in r.items() if k not in TIMING} for r in records]


def _cli(*args, timeout=120, env=None, preexec_fn=None):
    """Run ``python -m verify`` in a subprocess (bounded)."""
    e = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, "-m", "verify", *args], capture_output=True,
                          text=True, timeout=timeout, env=e, preexec_fn=preexec_fn)


def _killed_at_4(tmp_path, name="cut", cfg=TINY):
    """A run directory as a crash at update 5 leaves it: checkpoint at 4, records 0, 2, 4."""
    d = tmp_path / name
    train(dataclasses.replace(cfg, updates=4), d, progress=False)
    (d / "result.json").unlink()
    cj = json.loads((d / "config.json").read_text())
    cj["updates"] = cfg.updates
    (d / "config.json").write_text(json.dumps(cj))
    return d


class Evil:
    """Unpickling this runs ``os.system`` (it writes a marker file)."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_a_crafted_checkpoint_cannot_run_code(tmp_path):
    d = _killed_at_4(tmp_path)
    ck = torch.load(d / "checkpoint.pt", weights_only=False)
    marker = tmp_path / "PWNED"
    (ck.get("state", ck))["acc"]["evil"] = Evil(marker)
    torch.save(ck, d / "checkpoint.pt")
    with pytest.raises(ValueError, match="checkpoint.pt is unreadable or not a verify checkpoint"):
        train(TINY, d, resume=True, progress=False)
    assert not marker.exists()


def _flip_bit_in_Q(path: Path) -> None:
    """Flip an exponent bit of one entry of the saved Q tensor in the zip archive."""
    import zipfile
    ck = torch.load(path, weights_only=False)
    q = (ck.get("state", ck))["Q"]
    raw = path.read_bytes()
    needle = q.reshape(-1).contiguous().view(torch.uint8).numpy().tobytes()
    at = raw.find(needle)
    assert at > 0 and zipfile.is_zipfile(path)
    pos = at + q.element_size() * 5 + q.element_size() - 1          # entry 5, top byte
    path.write_bytes(raw[:pos] + bytes([raw[pos] ^ 0x20]) + raw[pos + 1:])


def test_a_flipped_bit_in_the_checkpoint_is_refused(tmp_path):
    cfg = dataclasses.replace(TINY, init_std=0.1)
    d = _killed_at_4(tmp_path, cfg=cfg)
    _flip_bit_in_Q(d / "checkpoint.pt")
    with pytest.raises(ValueError, match=r"checkpoint.pt is damaged .*delete .*checkpoint.pt"):
        train(cfg, d, resume=True, progress=False)


@contextlib.contextmanager
def deadline(seconds):
    """Raise in the main thread after ``seconds`` (the bug this guards trained forever)."""
    def boom(signum, frame):
        raise TimeoutError(f"still running after {seconds} s")
    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def test_resuming_with_fewer_updates_than_the_checkpoint_stops_with_a_clear_error(tmp_path,
                                                                                  capsys):
    d = tmp_path / "short"
    assert main(["run", *CLI_TINY, "--updates", "6", "--out", str(d)]) == 0
    capsys.readouterr()
    with deadline(60):
        code = main(["run", *CLI_TINY, "--updates", "2", "--resume", "--out", str(d)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "is at step 6, past updates=2" in err
    assert [x["step"] for x in read_metrics(d)] == [0, 2, 4, 6]        # log untouched


def test_a_torn_last_line_is_dropped_and_the_resume_equals_an_uninterrupted_run(tmp_path):
    full = train(TINY, tmp_path / "full", progress=False)
    d = _killed_at_4(tmp_path)
    with open(d / "metrics.jsonl", "a") as fh:
        fh.write('{"step": 6, "theta": 0.1')                            # the crash's torn write
    res = train(TINY, d, resume=True, progress=False)
    assert _strip(read_metrics(d)) == _strip(read_metrics(tmp_path / "full"))
    assert res.final["theta"] == full.final["theta"]


def test_a_corrupt_middle_line_is_an_error_naming_file_and_line_and_nothing_is_rewritten(tmp_path):
    d = _killed_at_4(tmp_path)
    lines = (d / "metrics.jsonl").read_text().splitlines()
    lines[1] = lines[1][:20]
    text = "\n".join(lines) + "\n"
    (d / "metrics.jsonl").write_text(text)
    with pytest.raises(ValueError, match=r"metrics.jsonl: line 2 of 3 is not a JSON record"):
        train(TINY, d, resume=True, progress=False)
    assert (d / "metrics.jsonl").read_text() == text
    with pytest.raises(ValueError, match=r"line 2 of 3"):
        read_metrics(d)


@pytest.mark.parametrize("damage", ["delete", "empty", "drop_first"])
def test_a_lost_metrics_log_with_a_checkpoint_is_an_error_not_a_completed_run(tmp_path, damage):
    d = _killed_at_4(tmp_path)
    log = d / "metrics.jsonl"
    if damage == "delete":
        log.unlink()
    elif damage == "empty":
        log.write_text("")
    else:
        log.write_text("".join(log.read_text().splitlines(keepends=True)[1:]))
    with pytest.raises(ValueError, match=r"metrics.jsonl holds \d of the 2 records .*restore"):
        train(TINY, d, resume=True, progress=False)
    assert not (d / "result.json").exists()


def test_a_deleted_config_json_leaves_the_run_directory_protected(tmp_path):
    d = _killed_at_4(tmp_path)
    (d / "config.json").unlink()
    other = dataclasses.replace(TINY, lr=5.0, seed=3)
    with pytest.raises(ValueError, match="different config"):
        train(other, d, resume=True, progress=False)
    with pytest.raises(ValueError, match="already holds a run's files"):
        train(dataclasses.replace(TINY, updates=2), d, progress=False)
    assert [r["step"] for r in read_metrics(d)] == [0, 2, 4]           # nothing overwritten
    # with its own config the run continues, and equals an uninterrupted one
    full = train(TINY, tmp_path / "full", progress=False)
    res = train(TINY, d, resume=True, progress=False)
    assert res.final["theta"] == full.final["theta"]


def test_from_dir_on_an_unfinished_run_is_not_a_success(tmp_path):
    d = _killed_at_4(tmp_path)
    res = RunResult.from_dir(d)
    assert not res.success and "not finished" in res.message
    assert RunResult.from_dir(tmp_path / "cut").steps.tolist() == [0, 2, 4]


def test_the_torch_thread_count_is_recorded(tmp_path):
    train(dataclasses.replace(TINY, updates=2), tmp_path / "r", progress=False)
    res = json.loads((tmp_path / "r" / "result.json").read_text())
    assert res["torch_threads"] == torch.get_num_threads()


@pytest.mark.parametrize("flag,value", [("--entropy-coef", "nan"), ("--entropy-coef", "inf"),
                                        ("--init-std", "inf"), ("--init-std", "1e308"),
                                        ("--lr", "1e300")])
def test_non_finite_settings_are_refused_at_validation(tmp_path, capsys, flag, value):
    assert main(["run", *CLI_TINY, flag, value, "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and flag.lstrip("-").replace("-", "_") in err
    assert not (tmp_path / "x").exists()


def test_a_run_that_fails_exits_non_zero_with_its_message(tmp_path, capsys, monkeypatch):
    import verify.algos
    import verify.trainer  # noqa: F401  (absent before the fix: the loop lived in verify.train)
    loop = sys.modules["verify.trainer"]
    real = verify.algos.objectives

    def nan_loss(*a, **k):        # a gradient of NaN: Q becomes non-finite at update 1
        terms, stats = real(*a, **k)
        return [t * float("nan") for t in terms], stats

    monkeypatch.setattr(loop, "objectives", nan_loss)
    code = main(["run", *CLI_TINY, "--updates", "6", "--init-std", "0.1",
                 "--out", str(tmp_path / "x")])
    err = capsys.readouterr().err
    assert code == 1 and "failed: Q became non-finite at update 1" in err


def test_os_errors_are_one_line_with_exit_2(tmp_path, capsys):
    assert main(["run", *CLI_TINY, "--updates", "2", "--out", "/dev/null/x"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: cannot read or write /dev/null"), err


@contextlib.contextmanager
def file_size_limit(nbytes):
    """Files of at most ``nbytes`` in this process (writes beyond fail with EFBIG; Python
    ignores SIGXFSZ)."""
    import resource
    old = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (nbytes, old[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, old)


def test_disk_full_is_one_line_and_leaves_no_temp_file(tmp_path, capsys):
    d = tmp_path / "full"
    args = ["run", *CLI_TINY, "--updates", "4", "--n-ids", "12", "--group", "Z12", "--out", str(d)]
    with file_size_limit(6000):          # the checkpoint (about 8 kB) cannot be written
        code = main(args)
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "File too large" in err, err
    assert not [p.name for p in d.iterdir() if ".tmp" in p.name]
    assert main(args + ["--resume"]) == 0                            # and it resumes


def test_learned_head_init_leaves_the_global_rng_alone_and_keeps_its_weights():
    """heads.py seeded the global RNG; its private generator gives the same weights."""
    import math

    from verify.heads import LearnedHead
    torch.manual_seed(123)
    state = torch.get_rng_state()
    head = LearnedHead(6, 8, seed=5)
    assert torch.equal(torch.get_rng_state(), state)
    # oracle: the old construction under torch.manual_seed(5)
    torch.manual_seed(5)
    W_s = torch.randn(6, 8) / math.sqrt(12)
    W_m = torch.randn(6, 8) / math.sqrt(2)
    out = torch.nn.Linear(8, 6)
    assert torch.equal(head.W_s, W_s) and torch.equal(head.W_m, W_m)
    assert torch.equal(head.out.weight, out.weight) and torch.equal(head.out.bias, out.bias)


def test_pretraining_leaves_the_global_rng_alone(tmp_path):
    from groupfourier import CyclicGroup
    from verify.heads import pretrain_head
    from verify.transformer.model import ModelConfig
    from verify.transformer.pretrain import PretrainConfig, pretrain
    torch.manual_seed(7)
    state = torch.get_rng_state()
    pretrain_head(CyclicGroup(3), hidden=8)
    cfg = PretrainConfig(group="Z3", n_ids=3, model=ModelConfig(d_model=16, n_heads=2, d_mlp=32),
                         batch=32, eval_every=10, max_steps=20, max_clauses=2, lookup=False)
    a = pretrain(cfg).model.state_dict()
    assert torch.equal(torch.get_rng_state(), state)
    torch.manual_seed(99)                      # the global seed has no say in the result
    b = pretrain(cfg).model.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_progress_in_a_log_is_plain_lines_not_a_bar(tmp_path, capsys):
    train(dataclasses.replace(TINY, updates=40, log_every=10, checkpoint_every=10),
          tmp_path / "p", progress=True)
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert "\r" not in err and "\x1b" not in err
    assert all(x.startswith("Z6 (2, 3): ") and " L2=" in x for x in lines), lines
    assert [int(x.split(": ")[1].split("/")[0]) for x in lines] == list(range(2, 41, 2))


def test_a_checkpoint_of_another_config_is_refused_even_beside_a_matching_config_json(tmp_path):
    d = _killed_at_4(tmp_path)
    other = dataclasses.replace(TINY, seed=9)
    train(dataclasses.replace(other, updates=4), tmp_path / "other", progress=False)
    os.replace(tmp_path / "other" / "checkpoint.pt", d / "checkpoint.pt")
    with pytest.raises(ValueError, match="written by a run with a different config"):
        train(TINY, d, resume=True, progress=False)


def test_a_first_format_checkpoint_still_resumes_beside_its_config_json(tmp_path):
    full = train(TINY, tmp_path / "full", progress=False)
    d = _killed_at_4(tmp_path)
    blob = torch.load(d / "checkpoint.pt", weights_only=True)
    torch.save(blob["state"], d / "checkpoint.pt")            # as bc44434 wrote it
    res = train(TINY, d, resume=True, progress=False)
    assert res.final["theta"] == full.final["theta"]


def test_the_run_directory_is_checked_before_a_learned_head_is_built(tmp_path, monkeypatch):
    vtrain = sys.modules["verify.train"]
    cfg = dataclasses.replace(TINY, head="learned", head_hidden=16, updates=2)
    train(dataclasses.replace(TINY, updates=2), tmp_path / "r", progress=False)

    def no_pretraining(*a, **k):
        raise AssertionError("the head was built before the directory was checked")
    monkeypatch.setattr(vtrain, "load_or_pretrain_head", no_pretraining)
    with pytest.raises(ValueError, match="already holds a run"):
        train(cfg, tmp_path / "r", progress=False)
