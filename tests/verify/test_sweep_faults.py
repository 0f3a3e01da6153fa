"""Faults of a sweep (audit 2026-12-03): a mistyped or damaged results database, ``--refresh``
from another directory, a second spec or a second sweep on one directory, a scheduler that
never answers, the dashboard's interface, BLAS threads in a worker, and the progress log."""

import os
import socket
import subprocess
import sys
import threading
import time

import pytest

from verify.sweep import parse_spec, read_results, refresh_results, run_sweep

TINY = {"group": "D3", "n_ids": 4, "batch": 16, "updates": 2, "log_every": 2,
        "checkpoint_every": 2, "eval_prompts": 4, "lr": 5.0, "horizons": [2, 3]}


def spec(grid, name="tiny"):
    return parse_spec({"sweep": {"name": name}, "base": dict(TINY), "grid": grid},
                      source=f"{name}.toml")


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as c:
        yield c


def test_read_results_never_creates_a_database_at_a_mistyped_path(tmp_path):
    for path in (tmp_path / "results.sqllite", tmp_path / "nope" / "results.sqlite"):
        with pytest.raises(ValueError, match="no results database"):
            read_results(path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("content", [b"", b"SQLite format 3\x00" + b"\x07" * 200,
                                     os.urandom(4096)])
def test_a_damaged_results_database_is_a_clear_error(tmp_path, capsys, content):
    from verify.sweep import main
    db = tmp_path / "results.sqlite"
    db.write_bytes(content)
    with pytest.raises(ValueError, match=r"results.sqlite is not a readable results database"):
        read_results(db)
    assert db.read_bytes() == content                   # nothing written into it
    assert main(["phase-diagram", str(db), "--no-prediction"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "results.sqlite" in err, err


def test_refresh_from_another_directory_re_reads_the_same_runs(tmp_path, client, monkeypatch):
    (tmp_path / "a").mkdir()
    (tmp_path / "b" / "sw" / "runs").mkdir(parents=True)     # a same-named decoy elsewhere
    monkeypatch.chdir(tmp_path / "a")
    assert run_sweep(spec({"c_B": [2.0, 4.0]}), "sw", client=client, progress=False).success
    before = read_results(tmp_path / "a" / "sw")
    monkeypatch.chdir(tmp_path / "b")
    assert refresh_results(tmp_path / "a" / "sw") == 2
    after = read_results(tmp_path / "a" / "sw")
    assert after == before
    assert all(r["run_dir"].startswith(str(tmp_path / "a" / "sw" / "runs")) for r in after)


def test_a_second_spec_into_the_same_directory_is_refused(tmp_path, client):
    assert run_sweep(spec({"c_B": [2.0]}), tmp_path, client=client, progress=False).success
    rows = read_results(tmp_path)
    with pytest.raises(ValueError, match="of another spec .*differs in .*grid"):
        run_sweep(spec({"c_B": [3.0]}), tmp_path, client=client, progress=False)
    assert read_results(tmp_path) == rows
    # the same spec again resumes (nothing to do)
    res = run_sweep(spec({"c_B": [2.0]}), tmp_path, client=client, progress=False)
    assert res.n_skipped == 1 and res.success


def test_two_sweeps_on_one_directory_cannot_both_run(tmp_path, client):
    import fcntl
    with open(tmp_path / ".sweep.lock", "a+") as fh:            # another sweep holds OUT
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(ValueError, match="another sweep .* is writing"):
            run_sweep(spec({"c_B": [2.0]}), tmp_path, client=client, progress=False)
    assert run_sweep(spec({"c_B": [2.0]}), tmp_path, client=client, progress=False).success


def _silent_server(stop: threading.Event) -> int:
    """A loopback TCP server that accepts connections and never sends a byte."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    srv.settimeout(0.2)
    conns = []

    def loop():
        while not stop.is_set():
            try:
                conns.append(srv.accept()[0])
            except OSError:
                pass
        for c in conns:
            c.close()
        srv.close()
    threading.Thread(target=loop, daemon=True).start()
    return srv.getsockname()[1]


def test_a_scheduler_that_never_answers_fails_within_seconds(tmp_path):
    stop = threading.Event()
    port = _silent_server(stop)
    t0 = time.monotonic()
    try:
        with pytest.raises(ValueError, match="sent no Dask handshake within 1 s"):
            run_sweep(spec({"c_B": [2.0]}), tmp_path, scheduler=f"tcp://127.0.0.1:{port}",
                      connect_timeout=1, progress=False)
    finally:
        stop.set()
    assert time.monotonic() - t0 < 20


@pytest.mark.slow
def test_the_cli_with_a_silent_scheduler_exits_2_within_the_default_timeout(tmp_path):
    stop = threading.Event()
    port = _silent_server(stop)
    (tmp_path / "s.toml").write_text('[base]\ngroup = "D3"\nn_ids = 4\nhorizons = [2, 3]\n'
                                     'updates = 2\nlog_every = 2\ncheckpoint_every = 2\n'
                                     '[grid]\nc_B = [2.0]\n')
    t0 = time.monotonic()
    try:
        r = subprocess.run([sys.executable, "-m", "verify", "sweep", str(tmp_path / "s.toml"),
                            "--out", str(tmp_path / "o"), "--no-progress", "--scheduler",
                            f"tcp://127.0.0.1:{port}"], capture_output=True, text=True,
                           timeout=90)
    finally:
        stop.set()
    assert time.monotonic() - t0 < 60
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
    assert "sent no Dask handshake" in r.stderr


def test_the_embedded_cluster_serves_its_dashboard_on_loopback_only(monkeypatch):
    import distributed

    from verify import sweep_engine
    seen = {}

    class FakeCluster:
        def __init__(self, **kw):
            seen.update(kw)

    monkeypatch.setattr(distributed, "LocalCluster", FakeCluster)
    monkeypatch.setattr(distributed, "Client", lambda cluster: "client")
    sweep_engine._client(None, 1)
    assert seen["dashboard_address"] in (None, "127.0.0.1:0")
    assert seen["host"] == "127.0.0.1"


@pytest.mark.slow
def test_a_worker_limits_the_blas_pools_numpy_already_loaded():
    code = ("import numpy, threadpoolctl\n"
            "from verify.sweep_engine import _limit_threads\n"
            "_limit_threads()\n"
            "print([p['num_threads'] for p in threadpoolctl.threadpool_info()])\n")
    env = dict(os.environ)
    for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.pop(v, None)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, env=env)
    assert out.returncode == 0, out.stderr
    assert set(eval(out.stdout)) <= {1}


def test_the_sweep_progress_prints_one_line_per_finished_run_in_a_log(tmp_path, client, capsys):
    run_sweep(spec({"c_B": [2.0, 3.0, 4.0]}), tmp_path, client=client, progress=True)
    err = [x for x in capsys.readouterr().err.splitlines() if x.strip()]
    assert len(err) == 3 and all("\r" not in x and "sweep tiny:" in x for x in err), err
    assert err[-1].startswith("sweep tiny: 3/3")


def test_the_scheduler_probe_accepts_a_real_scheduler_and_refuses_an_http_server():
    from distributed import LocalCluster

    from verify.sweep_engine import probe_scheduler
    with LocalCluster(n_workers=0, processes=False, dashboard_address=None) as cluster:
        probe_scheduler(cluster.scheduler_address, timeout=10)          # no error
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)

    def answer():
        c, _ = srv.accept()
        c.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")
        c.close()
    threading.Thread(target=answer, daemon=True).start()
    with pytest.raises(ValueError, match="does not speak Dask's protocol"):
        probe_scheduler(f"tcp://127.0.0.1:{srv.getsockname()[1]}", timeout=5)
    srv.close()
