"""The bad-input matrix of verify's public functions and command lines.

Every case must give a clear ``ValueError``/``TypeError`` (raised by verify, naming the
bad value) or, on a command line, exit code 2 with one ``error:`` line (argparse's own
errors: a usage line and one ``error:`` line).  Run as a script to tally the outcomes:

    python tests/verify/test_verify_bad_input.py      # tried / clear / traceback / silent
"""

from __future__ import annotations

import contextlib
import io
import sys
import traceback
from pathlib import Path

import pytest

NAN, INF = float("nan"), float("inf")


# ----------------------------------------------------------------------------- API cases
def _run_config(**kw):
    from verify.config import RunConfig
    return RunConfig(**kw)


def _api_cases():
    from groupfourier import CyclicGroup
    cases = []
    ints = {"n_ids": (-1, 0, 2.5, "8", True, None, 10**12, NAN),
            "batch": (-3, 0, 2.5, "64", True, None, 10**12, INF),
            "updates": (-1, 2.5, "10", None, 10**12),
            "log_every": (0, -1, 1.5),
            "checkpoint_every": (0, -2, 2.5),
            "eval_prompts": (0, -1, 1.5, 10**12),
            "head_hidden": (0, -5, 2.5, 10**9),
            "samples_per_prompt": (0, -1, 2.5),
            "seed": (-1, 2.5, "0", None)}
    for name, vals in ints.items():
        for v in vals:
            cases.append((f"RunConfig({name}={v!r})", lambda n=name, v=v: _run_config(**{n: v})))
    floats = {"lr": (0, -1, NAN, INF, 1e300, "fast", None, 1j),
              "c_B": (0, -1, NAN, INF, "4", None),
              "ema_decay": (1.0, -0.1, NAN, "x"),
              "entropy_coef": (-1, NAN, INF, "x"),
              "init_std": (-1, NAN, INF, 1e308, "x")}
    for name, vals in floats.items():
        for v in vals:
            cases.append((f"RunConfig({name}={v!r})", lambda n=name, v=v: _run_config(**{n: v})))
    for kw in (dict(horizons=(0,)), dict(horizons=(-1,)), dict(horizons=(2.5,)),
               dict(horizons="5,15"), dict(horizons=()), dict(horizons=(15, 5)),
               dict(horizons=(5, 5)), dict(group="Z6", horizons=(7,), n_ids=8),
               dict(horizons=(5, 15), n_ids=10), dict(horizons=(5, 15), weights=(0.5, 0.6)),
               dict(horizons=(5, 15), weights=(NAN, 1.0)), dict(horizons=(5, 15), weights=(1.5, -0.5)),
               dict(horizons=(5, 15), weights=(1.0,)), dict(horizons=(5, 15), weights="ab"),
               dict(group="Q8"), dict(group=""), dict(group=None), dict(group=5), dict(group="Z0"),
               dict(group="Z-3"), dict(algo="ppo"), dict(optimizer="rmsprop"),
               dict(head="mlp"), dict(baseline="median"), dict(algo="exact", head="learned"),
               dict(algo="grpo", samples_per_prompt=1), dict(algo="grpo", batch=30, samples_per_prompt=8),
               dict(checkpoint_every=75, log_every=50), dict(batch=2, horizons=(5, 15, 45))):
        cases.append((f"RunConfig({kw})", lambda kw=kw: _run_config(**kw)))

    def tr(**kw):
        from verify.transformer.rl import TransformerRunConfig
        return TransformerRunConfig(**kw)

    def model(**kw):
        from verify.transformer.model import ModelConfig
        return ModelConfig(**kw)

    def pre(**kw):
        from verify.transformer.pretrain import PretrainConfig
        return PretrainConfig(**{"group": "Z6", "n_ids": 6, "max_clauses": 4, **kw})

    for kw in (dict(kl_coef=NAN), dict(kl_coef=-1), dict(kl_coef="x"), dict(pretrain_lr=0),
               dict(pretrain_lr=NAN), dict(pretrain_max_steps=0), dict(pretrain_max_steps=2.5),
               dict(pretrain_seed=-1), dict(pretrain_max_clauses=0), dict(run="Z6"),
               dict(model=None)):
        cases.append((f"TransformerRunConfig({kw})", lambda kw=kw: tr(**kw)))
    for kw in (dict(d_model=0), dict(d_model=-8), dict(d_model=2.5), dict(d_model="64"),
               dict(d_model=15), dict(n_layers=3), dict(n_layers=0), dict(n_heads=0),
               dict(d_mlp=0), dict(max_len=0), dict(positional="bogus"), dict(d_model=10**6)):
        cases.append((f"ModelConfig({kw})", lambda kw=kw: model(**kw)))
    for kw in (dict(lr=0), dict(lr=NAN), dict(batch=0), dict(max_steps=-1), dict(seed=-1),
               dict(max_clauses=0), dict(max_clauses=99), dict(group="Q8"), dict(context="x")):
        cases.append((f"PretrainConfig({kw})", lambda kw=kw: pre(**kw)))

    def task():
        from verify.tasks import make_task
        return make_task(CyclicGroup(6), 4, seed=0)

    def prompts(n, L):
        import torch

        from verify.tasks import sample_prompts
        return sample_prompts(task(), L, n, seed=torch.Generator())

    for n, L in ((0, 2), (-1, 2), (2.5, 2), (4, 0), (4, 7), (4, 5), (4, 2.0), ("4", 2)):
        cases.append((f"sample_prompts(n={n!r}, L={L!r})", lambda n=n, L=L: prompts(n, L)))
    for m in (0, -1, 2.5, True):
        cases.append((f"make_task(n_ids={m!r})", lambda m=m: __import__(
            "verify.tasks", fromlist=["make_task"]).make_task(CyclicGroup(6), m, seed=0)))

    def head(**kw):
        from verify.heads import pretrain_head
        return pretrain_head(**{"G": CyclicGroup(3), **kw})

    for kw in (dict(hidden=0), dict(hidden=-5), dict(hidden=2.5), dict(max_steps=0),
               dict(lr=NAN), dict(G="Z3")):
        cases.append((f"pretrain_head({kw})", lambda kw=kw: head(**kw)))

    def call(mod, name, *a, **k):
        import importlib
        return getattr(importlib.import_module(mod), name)(*a, **k)

    cases += [
        ("train(config=dict)", lambda: call("verify.train", "train", {"group": "Z6"}, "/tmp/x")),
        ("train_transformer(config=RunConfig)", lambda: call(
            "verify.transformer.rl", "train_transformer", _run_config(), "/tmp/x")),
        ("preset('bogus')", lambda: call("verify.config", "preset", "bogus")),
        ("preset('quick', lr=0)", lambda: call("verify.config", "preset", "quick", lr=0)),
        ("seed_streams(-1)", lambda: call("verify.tasks", "seed_streams", -1)),
        ("seed_streams(2.5)", lambda: call("verify.tasks", "seed_streams", 2.5)),
        ("load_config(missing dir)", lambda: call("verify.train", "load_config", "/nonexistent/x")),
        ("RunResult.from_dir(missing)", lambda: __import__(
            "verify.train", fromlist=["RunResult"]).RunResult.from_dir("/nonexistent")),
        ("read_results(mistyped)", lambda: call("verify.sweep", "read_results", "/tmp/nope/results.sqllite")),
        ("load_spec(missing)", lambda: call("verify.sweep", "load_spec", "/nonexistent/x.toml")),
        ("load_spec(.json)", lambda: call("verify.sweep", "load_spec", __file__)),
    ]
    base = {"group": "D4", "horizons": [2, 4], "n_ids": 8, "updates": 4}
    specs = [
        ("a list", [1, 2]), ("no grid", {"base": base}),
        ("scalar axis", {"base": base, "grid": {"c_B": 2.0}}),
        ("empty axis", {"base": base, "grid": {"c_B": []}}),
        ("duplicate value", {"base": base, "grid": {"c_B": [2.0, 2.0]}}),
        ("unknown option", {"base": base, "grid": {"cB": [2.0]}}),
        ("unknown table", {"base": base, "grid": {"c_B": [2.0]}, "extra": {}}),
        ("both base and grid", {"base": {**base, "c_B": 2.0}, "grid": {"c_B": [3.0]}}),
        ("ratio without spectrum", {"base": {"group": "D4", "n_ids": 8}, "grid": {"ratio": [2.0]}}),
        ("ratio 1", {"base": {"group": "D4", "n_ids": 8}, "grid": {"ratio": [1.0]},
                     "spectrum": {"first": 2}}),
        ("ratio nan", {"base": {"group": "D4", "n_ids": 8}, "grid": {"ratio": [NAN]},
                       "spectrum": {"first": 2}}),
        ("lr 0", {"base": base, "grid": {"lr": [0.0]}}),
        ("lr string", {"base": base, "grid": {"lr": ["fast"]}}),
        ("batch 0", {"base": base, "grid": {"batch": [0]}}),
        ("updates 4.0", {"base": {**base, "updates": 4.0}, "grid": {"c_B": [2.0]}}),
        ("weights sum 1.1", {"base": {**base, "weights": [0.5, 0.6]}, "grid": {"c_B": [2.0]}}),
        ("entropy nan", {"base": base, "grid": {"entropy_coef": [NAN]}}),
        ("seeds -1", {"base": base, "grid": {"c_B": [2.0]}, "sweep": {"seeds": [-1]}}),
        ("seeds duplicate", {"base": base, "grid": {"c_B": [2.0]}, "sweep": {"seeds": [0, 0]}}),
        ("level 1.5", {"base": base, "grid": {"c_B": [2.0]}, "sweep": {"levels": [1.5]}}),
        ("level nan", {"base": base, "grid": {"c_B": [2.0]}, "sweep": {"levels": [NAN]}}),
        ("name 5", {"base": base, "grid": {"c_B": [2.0]}, "sweep": {"name": 5}}),
        ("group ../../etc", {"base": {**base, "group": "../../etc"}, "grid": {"c_B": [2.0]}}),
    ]
    for what, data in specs:
        cases.append((f"parse_spec({what})", lambda d=data: call("verify.sweep", "parse_spec", d)))
    return cases


# ----------------------------------------------------------------------------- CLI cases
TINY = ["--group", "Z6", "--horizons", "2,3", "--n-ids", "4", "--batch", "32", "--updates", "2",
        "--log-every", "2", "--checkpoint-every", "2", "--eval-prompts", "8", "--no-progress"]


def _cli_cases():
    run = [(["--lr", v]) for v in ("0", "-1", "nan", "inf", "1e300", "x")]
    run += [(["--batch", v]) for v in ("0", "-3", "2.5", "x")]
    run += [["--n-ids", "100000"], ["--seed", "-1"], ["--updates", "-1"], ["--updates", "2.5"],
            ["--horizons", "0"], ["--horizons", "3,2"], ["--horizons", "2,x"], ["--horizons", "7"],
            ["--weights", "0.5,0.6"], ["--weights", "nan,1"], ["--threads", "0"],
            ["--entropy-coef", "nan"], ["--init-std", "inf"], ["--c-B", "0"], ["--ema-decay", "1"],
            ["--algo", "bogus"], ["--checkpoint-every", "3"], ["--head-hidden", "0"],
            ["--group", "Z100000", "--n-ids", "4"]]
    cases = [("verify", ["run", *TINY, *extra]) for extra in run]
    cases += [("verify", ["run", "--preset", "quick", "--only", "nope"]),
              ("verify", ["pretrain", "--group", "Z6", "--hidden", "0"]),
              ("verify", ["pretrain", "--group", "Z6", "--hidden", "-5"]),
              ("verify", ["pretrain", "--group", "Q8"]),
              ("verify", ["compare", "/nonexistent/run"]),
              ("verify", ["sweep", "/nonexistent/spec.toml"]),
              ("verify", ["sweep", "small", "--workers", "0"]),
              ("verify", ["phase-diagram", "/nonexistent/results.sqlite"]),
              ("transformer", ["--threads", "0", "run", "--preset", "smoke"]),
              ("transformer", ["run", "--preset", "smoke", "--d-model", "0"]),
              ("transformer", ["run", "--preset", "smoke", "--kl-coef", "nan"]),
              ("transformer", ["run", "--preset", "smoke", "--lr", "0"]),
              ("transformer", ["run", "--preset", "smoke", "--pretrain-seed", "-1"]),
              ("transformer", ["run", "--preset", "smoke", "--algo", "exact"]),
              ("transformer", ["probe", "--horizon", "0"])]
    return cases


# ----------------------------------------------------------------------------- judging
def judge_api(fn) -> tuple[str, str]:
    """``("clear", msg)``, ``("traceback", where)`` or ``("silent", repr)``."""
    try:
        out = fn()
    except (ValueError, TypeError) as err:
        tb = traceback.extract_tb(err.__traceback__)
        where = tb[-1].filename
        ours = "/verify/" in where or "/dynamics/" in where or "/groupfourier/" in where
        if ours and str(err):
            return "clear", f"{type(err).__name__}: {err}"
        return "traceback", f"{type(err).__name__} from {where}: {err}"
    except Exception as err:
        return "traceback", f"{type(err).__name__}: {err}"
    return "silent", repr(out)[:120]


def judge_cli(prog: str, argv: list[str], tmp: Path) -> tuple[str, str]:
    if prog == "verify":
        from verify.__main__ import main
    else:
        from verify.transformer.__main__ import main
    argv = [a if a != "OUT" else str(tmp) for a in argv]
    if argv and argv[0] == "run" and "--out" not in argv:
        argv = argv + ["--out", str(tmp / "out")]
    err = io.StringIO()
    out = io.StringIO()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            code = main(argv)
    except SystemExit as e:
        code = e.code
    except Exception as e:
        return "traceback", f"{type(e).__name__}: {e}"
    lines = [x for x in err.getvalue().splitlines() if x.strip()]
    errors = [x for x in lines if "error:" in x]
    if code == 2 and len(errors) == 1 and all(x.startswith(("usage:", " ", "error:", "python"))
                                               or "error:" in x for x in lines):
        return "clear", errors[0]
    if code == 0:
        return "silent", out.getvalue()[-120:]
    return "traceback", f"exit {code}: {err.getvalue()[-300:]}"


API = _api_cases()
CLI = _cli_cases()


@pytest.mark.parametrize("name,fn", API, ids=[c[0] for c in API])
def test_bad_api_input_is_a_clear_error(name, fn):
    kind, msg = judge_api(fn)
    assert kind == "clear", f"{name}: {kind}: {msg}"


@pytest.mark.parametrize("prog,argv", CLI, ids=[" ".join([c[0], *c[1]]) for c in CLI])
def test_bad_cli_input_exits_2_with_one_line(tmp_path, monkeypatch, prog, argv):
    monkeypatch.setenv("VERIFY_CACHE", str(tmp_path / "cache"))
    kind, msg = judge_cli(prog, argv, tmp_path)
    assert kind == "clear", f"{prog} {argv}: {kind}: {msg}"


if __name__ == "__main__":          # the tally for the notes (a case past 60 s is a hang)
    import os
    import signal
    import tempfile
    os.environ.setdefault("VERIFY_CACHE", tempfile.mkdtemp())
    tally = {"clear": 0, "traceback": 0, "silent": 0, "hang": 0}

    class Hang(BaseException):
        pass

    def timed(judge, *a):
        def boom(signum, frame):
            raise Hang
        signal.signal(signal.SIGALRM, boom)
        signal.alarm(60)
        try:
            return judge(*a)
        except Hang:
            return "hang", "no answer within 60 s"
        finally:
            signal.alarm(0)

    for name, fn in API:
        kind, msg = timed(judge_api, fn)
        tally[kind] += 1
        if kind != "clear":
            print(f"API {kind}: {name}: {msg[:150]}", flush=True)
    for prog, argv in CLI:
        kind, msg = timed(judge_cli, prog, argv, Path(tempfile.mkdtemp()))
        tally[kind] += 1
        if kind != "clear":
            print(f"CLI {kind}: {prog} {' '.join(argv)}: {' '.join(msg.split())[-150:]}", flush=True)
    n = len(API) + len(CLI)
    print(f"tried {n} (API {len(API)}, CLI {len(CLI)}): clear {tally['clear']}, "
          f"traceback {tally['traceback']}, silent {tally['silent']}, hang {tally['hang']}")
    sys.exit(0 if tally["clear"] == n else 1)
