"""kill -9 at random points of a run, then resume: the final metrics and weights are
bit-identical to an uninterrupted run with the same seed; a killed sweep loses and repeats
no finished run.

The fast test (default suite) kills a small run a few times; the slow ones kill the quick
preset's relay run many times, and a sweep.  ``fault_injection`` returns the figures of
the notes: faults injected, survived (the next resume went on), bit-identical at the end.
"""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from verify.config import RunConfig, preset
from verify.rundir import load_checkpoint, read_metrics
from verify.train import train

TIMING = {"time_s", "updates_per_s", "cpu_s"}


def _child(cfg_dict: dict, out: str) -> None:
    torch.set_num_threads(1)
    train(RunConfig.from_dict(cfg_dict), out, resume=True, progress=False)


def _ctx():
    # fork: no interpreter start-up per kill; the child runs torch on one thread only
    return multiprocessing.get_context("fork")


def _same(a: Path, b: Path) -> bool:
    strip = lambda rs: [{k: v for k, v in r.items() if k not in TIMING} for r in rs]  # noqa
    if strip(read_metrics(a)) != strip(read_metrics(b)):
        return False
    fa = json.loads((a / "result.json").read_text())["final"]
    fb = json.loads((b / "result.json").read_text())["final"]
    if {k: v for k, v in fa.items() if k not in TIMING} != {k: v for k, v in fb.items()
                                                             if k not in TIMING}:
        return False
    sa = load_checkpoint(a / "checkpoint.pt", fingerprint=None)
    sb = load_checkpoint(b / "checkpoint.pt", fingerprint=None)
    return sa["step"] == sb["step"] and torch.equal(sa["Q"], sb["Q"]) and all(
        torch.equal(x, y) for x, y in zip(sa["optimizer"]["state"].get(0, {}).values(),
                                          sb["optimizer"]["state"].get(0, {}).values())
        if isinstance(x, torch.Tensor))


def _wait_for_records(path: Path, k: int, p, timeout: float) -> None:
    t0 = time.monotonic()
    while p.is_alive() and time.monotonic() - t0 < timeout:
        if path.exists() and path.read_bytes().count(b"\n") >= k:
            return
        time.sleep(0.001)


def fault_injection(cfg: RunConfig, tmp: Path, *, kills: int, max_wait: float,
                    seed: int = 0) -> dict:
    """SIGKILL a run ``kills`` times at random moments, resuming each time, then finish it.

    Returns the counts: ``injected`` (kills that hit a live run), ``survived`` (the next
    resume continued without an error), ``bit_identical`` (1 if the finished run equals
    an uninterrupted one, metrics, result and weights).
    """
    ctx = _ctx()
    rng = random.Random(seed)
    ref = tmp / "ref"
    p = ctx.Process(target=_child, args=(cfg.to_dict(), str(ref)))
    p.start()
    p.join()
    assert p.exitcode == 0
    out = tmp / "killed"
    injected = survived = 0
    n_logs = cfg.updates // cfg.log_every + 1
    for _ in range(kills):
        p = ctx.Process(target=_child, args=(cfg.to_dict(), str(out)))
        p.start()
        # a random point of the run (not of the wall clock, which a fast machine outruns):
        # once the log holds k records, plus a few milliseconds; at most max_wait seconds
        _wait_for_records(out / "metrics.jsonl", rng.randint(1, n_logs - 1), p, max_wait)
        time.sleep(rng.uniform(0.0, 0.005))
        if p.is_alive():
            os.kill(p.pid, signal.SIGKILL)
            injected += 1
        p.join()
        if p.exitcode in (0, -signal.SIGKILL):       # an error in a resume exits 1
            survived += p.exitcode == -signal.SIGKILL
        if (out / "result.json").exists():
            break
    p = ctx.Process(target=_child, args=(cfg.to_dict(), str(out)))
    p.start()
    p.join()
    assert p.exitcode == 0, "the final resume failed"
    return {"injected": injected, "survived": survived, "bit_identical": int(_same(ref, out)),
            "temp_files": [x.name for x in out.iterdir() if ".tmp" in x.name]}


SMALL = RunConfig(group="Z6", horizons=(2, 3), n_ids=6, batch=32, updates=40, log_every=5,
                  checkpoint_every=10, eval_prompts=8, lr=10.0)


def test_kill_9_at_random_points_then_resume_is_bit_identical(tmp_path):
    res = fault_injection(SMALL, tmp_path, kills=2, max_wait=1.0, seed=1)
    assert res["injected"] >= 1
    assert res["survived"] == res["injected"]
    assert res["bit_identical"] == 1 and res["temp_files"] == []


@pytest.mark.slow
def test_many_kills_of_the_quick_relay_run_are_bit_identical(tmp_path):
    cfg = preset("quick")["relay"]
    res = fault_injection(cfg, tmp_path, kills=20, max_wait=4.0, seed=2)
    print(f"\nfault injection (quick relay, 20 tries): {res}")
    assert res["injected"] >= 10 and res["survived"] == res["injected"]
    assert res["bit_identical"] == 1 and res["temp_files"] == []


@pytest.mark.slow
def test_a_killed_sweep_loses_and_repeats_no_finished_run(tmp_path):
    spec = tmp_path / "s.toml"
    spec.write_text('[sweep]\nname = "k"\nseeds = [0, 1]\n[base]\ngroup = "D3"\nn_ids = 6\n'
                    'horizons = [2, 3]\nbatch = 64\nupdates = 300\nlog_every = 10\n'
                    'checkpoint_every = 20\neval_prompts = 16\nlr = 5.0\n'
                    '[grid]\nc_B = [2.0, 3.0, 4.0]\n')
    out = tmp_path / "sw"
    cmd = [sys.executable, "-m", "verify", "sweep", str(spec), "--out", str(out),
           "--no-progress", "--workers", "2"]
    proc = subprocess.Popen(cmd, start_new_session=True)
    db = out / "results.sqlite"
    t0 = time.monotonic()
    done_before = {}
    while time.monotonic() - t0 < 300:              # kill once two runs are recorded
        time.sleep(0.5)
        if db.exists():
            from verify.sweep import read_results
            try:
                rows = read_results(db, status="done")
            except ValueError:
                continue
            if len(rows) >= 2:
                done_before = {r["run_id"]: os.stat(Path(r["run_dir"]) / "result.json").st_mtime_ns
                               for r in rows}
                os.killpg(proc.pid, signal.SIGKILL)  # the sweep and its workers
                break
    proc.wait()
    assert done_before, "the sweep finished no run in time"
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    from verify.sweep import read_results
    rows = read_results(db)
    assert len(rows) == 6 and len({x["run_id"] for x in rows}) == 6
    assert all(x["status"] == "done" for x in rows)
    for x in rows:
        steps = [m["step"] for m in read_metrics(x["run_dir"])]
        assert steps == list(range(0, 301, 10))                  # none lost, none twice
        if x["run_id"] in done_before:                           # not recomputed
            assert os.stat(Path(x["run_dir"]) / "result.json").st_mtime_ns == \
                done_before[x["run_id"]]
            assert x["attempts"] == 1
    print(f"\nsweep kill: {len(done_before)} finished before the kill, 6 of 6 done after")


if __name__ == "__main__":              # figures for the notes
    import tempfile
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    cfg = preset("quick")["relay"] if "--relay" in sys.argv else SMALL
    print(fault_injection(dataclasses.replace(cfg), Path(tempfile.mkdtemp()), kills=n,
                          max_wait=float(sys.argv[2]) if len(sys.argv) > 2 else 1.5, seed=3))
