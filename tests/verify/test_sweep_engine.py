"""Sweeps through the real engine: Dask LocalCluster, SQLite rows, resume, failed runs."""

import json
import math
import time

import numpy as np
import pytest

from verify.compare import first_crossing
from verify.config import RunConfig
from verify.sweep import (SweepInterrupt, expand, parse_spec, read_results, refresh_results,
                          run_sweep)
from verify.train import RunResult, read_metrics

# tiny runs: a few updates each, so the engine dominates
TINY = {"group": "D3", "n_ids": 4, "batch": 16, "updates": 4, "log_every": 2,
        "checkpoint_every": 2, "eval_prompts": 4, "lr": 5.0}


def tiny_spec(grid, **tables):
    data = {"base": dict(TINY), "grid": grid, **tables}
    if "ratio" in grid:
        data.setdefault("spectrum", {"first": 2})
    elif "horizons" not in grid:
        data["base"]["horizons"] = [2, 3]
    return parse_spec(data, source="tiny.toml")


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=":0") as cluster, Client(cluster) as c:
        yield c


def drain(client, timeout=60.0):
    """Wait until the workers run nothing (cancelled tasks still finish on a worker)."""
    t0 = time.monotonic()
    while any(client.processing().values()) and time.monotonic() - t0 < timeout:
        time.sleep(0.1)


def test_smoke_sweep_through_a_local_cluster(tmp_path, client):
    """Rows of a real sweep (the embedded-cluster default runs in the SIGTERM test)."""
    spec = tiny_spec({"ratio": [1.5, 2.0], "c_B": [2.0, 4.0]})
    res = run_sweep(spec, tmp_path, client=client, progress=False)
    assert res.status == 1 and res.success, res.message
    assert (res.n_runs, res.n_done, res.n_failed, res.n_skipped) == (4, 4, 0, 0)
    rows = read_results(tmp_path)
    assert len(rows) == 4 and {r["status"] for r in rows} == {"done"}
    assert {(r["horizons"], r["c_B"]) for r in rows} == {("2,3", 2.0), ("2,3", 4.0),
                                                          ("2,4", 2.0), ("2,4", 4.0)}
    for row in rows:
        assert row["attempts"] == 1 and row["error"] is None and row["wall_s"] > 0
        assert row["group"] == "D3" and row["group_order"] == 6 and row["seed"] == 0
        assert row["regime"] in ("relay", "plateau", "stalled", "unfinished")
        cfg = RunConfig.from_dict(json.loads((tmp_path / "runs").joinpath(
            row["run_dir"].split("/")[-1], "config.json").read_text()))
        # the row's numbers are those of the run's own log (an independent read of it)
        recs = read_metrics(row["run_dir"])
        assert [r["step"] for r in recs] == [0, 2, 4]
        for L in cfg.horizons:
            y = np.array([r[f"success/L{L}/sampled"] for r in recs])
            assert row[f"final/L{L}"] == pytest.approx(y[-1])
            t = first_crossing(np.array([0.0, 2.0, 4.0]), y, 0.5)
            got = row[f"time/L{L}/0.5"]
            assert (got is None and math.isinf(t)) or got == pytest.approx(t)
        assert row["ratio"] == pytest.approx(max(cfg.horizons) / min(cfg.horizons))


def test_resume_after_interrupt_redoes_no_finished_run(tmp_path, client):
    spec = tiny_spec({"c_B": [2.0, 3.0, 4.0, 6.0]})
    seen = []

    def stop_after_first(run, row):
        seen.append(run.run_id)
        raise SweepInterrupt("test: Ctrl-C after the first run")

    res = run_sweep(spec, tmp_path, client=client, progress=False, callback=stop_after_first)
    assert res.status == -1 and not res.success and "interrupted" in res.message
    drain(client)
    first = {r["run_id"]: r for r in read_results(tmp_path, status="done")}
    assert list(first) == seen and len(first) == 1           # recorded before the interrupt
    assert len(read_results(tmp_path)) == 4                  # the others wait as pending
    (done_id,) = first
    log = tmp_path / "runs" / first[done_id]["run_dir"].split("/")[-1] / "metrics.jsonl"
    mtime = log.stat().st_mtime_ns

    again = run_sweep(spec, tmp_path, client=client, progress=False)
    assert again.status == 1 and again.n_skipped == 1 and again.n_done == 4
    rows = {r["run_id"]: r for r in read_results(tmp_path)}
    assert set(rows) == {r.run_id for r in expand(spec)}
    assert all(r["status"] == "done" for r in rows.values())
    assert rows[done_id]["attempts"] == 1                    # not redone
    assert rows[done_id]["finished_at"] == first[done_id]["finished_at"]
    assert log.stat().st_mtime_ns == mtime
    assert all(r["attempts"] == 1 for r in rows.values())    # each run trained once


def test_failed_run_is_recorded_and_the_sweep_goes_on(tmp_path, client):
    spec = tiny_spec({"c_B": [2.0, 4.0, 8.0]})
    runs = expand(spec)
    # sabotage one run: its directory holds a run with another config, so train() raises
    bad = runs[1]
    d = tmp_path / "runs" / bad.slug
    d.mkdir(parents=True)
    (d / "config.json").write_text(json.dumps({**bad.config.to_dict(), "lr": 99.0}))
    # through a running cluster's address, as `--scheduler ADDRESS` does
    res = run_sweep(spec, tmp_path, scheduler=client.scheduler.address, progress=False)
    assert res.status == 0 and res.success and (res.n_done, res.n_failed) == (2, 1)
    rows = {r["run_id"]: r for r in read_results(tmp_path)}
    assert rows[bad.run_id]["status"] == "failed"
    assert "ValueError" in rows[bad.run_id]["error"] and "different config" in rows[bad.run_id]["error"]
    assert rows[bad.run_id]["regime"] is None
    assert [rows[r.run_id]["status"] for r in (runs[0], runs[2])] == ["done", "done"]
    # fixed, then resumed: only the failed run runs again
    (d / "config.json").unlink()
    again = run_sweep(spec, tmp_path, client=client, progress=False)
    assert (again.n_skipped, again.n_done, again.n_failed) == (2, 3, 0)
    rows = {r["run_id"]: r for r in read_results(tmp_path)}
    assert rows[bad.run_id]["status"] == "done" and rows[bad.run_id]["attempts"] == 2
    assert rows[runs[0].run_id]["attempts"] == 1


def test_diverged_run_is_failed_with_its_message(tmp_path, client):
    def diverging(cfg, out_dir, *, resume, progress):      # a runner whose Q blew up
        return RunResult(config=cfg, out_dir=out_dir, steps=np.array([0.0]),
                 metrics={f"success/L{L}/sampled": np.array([0.1]) for L in cfg.horizons},
                 final={}, status=-1, message="Q became non-finite at update 3; lower lr")

    spec = tiny_spec({"c_B": [2.0]})
    res = run_sweep(spec, tmp_path, client=client, progress=False, runner=diverging)
    (row,) = read_results(tmp_path)
    assert res.n_failed == 1 and row["status"] == "failed" and "non-finite" in row["error"]


def test_resume_false_refuses_an_existing_table_and_refresh_rewrites_rows(tmp_path, client):
    spec = tiny_spec({"c_B": [4.0]})
    run_sweep(spec, tmp_path, client=client, progress=False)
    with pytest.raises(ValueError, match=r"exists and resume=False"):
        run_sweep(spec, tmp_path, client=client, progress=False, resume=False)
    (row,) = read_results(tmp_path)
    assert refresh_results(tmp_path, levels=(0.25,)) == 1
    (new,) = read_results(tmp_path)
    assert "time/L3/0.25" in new and new["final/L3"] == row["final/L3"]


def test_cli_sweep_stopped_by_sigterm_resumes_without_redoing(tmp_path, client):
    """The command line (its own embedded LocalCluster of 2 workers), stopped mid-sweep by
    SIGTERM (a batch scheduler's stop), then resumed."""
    import signal
    import sqlite3
    import subprocess
    import sys

    spec = tmp_path / "s.toml"
    spec.write_text('[sweep]\nseeds = [0, 1, 2]\n[base]\ngroup = "D3"\nn_ids = 4\n'
                    'horizons = [2, 3]\nbatch = 16\nupdates = 100\nlog_every = 10\n'
                    'checkpoint_every = 10\neval_prompts = 4\n[grid]\nc_B = [2.0, 4.0]\n')
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "verify.sweep", "sweep", str(spec), "--out", str(out),
           "--no-progress", "--workers", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def done_rows():
        try:
            with sqlite3.connect(out / "results.sqlite") as c:
                return c.execute("SELECT run_id, finished_at FROM runs WHERE status='done'"
                                 ).fetchall()
        except sqlite3.OperationalError:
            return []

    t0 = time.monotonic()
    while not done_rows() and proc.poll() is None and time.monotonic() - t0 < 120:
        time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    log, _ = proc.communicate(timeout=120)
    assert proc.returncode == 1 and "interrupted (KeyboardInterrupt)" in log, log
    before = dict(done_rows())
    assert 1 <= len(before) < 6
    res = run_sweep(spec, out, client=client, progress=False)
    assert res.status == 1 and res.n_skipped == len(before) and res.n_done == 6
    rows = {r["run_id"]: r for r in read_results(out)}
    for run_id, finished in before.items():              # finished runs were not redone
        assert rows[run_id]["attempts"] == 1 and rows[run_id]["finished_at"] == finished
