"""One dialect across the command lines (issue 17, part 3; audit F2, F4, F5, F6, F14, F15).

``--json PATH`` behaves the same in groupfourier, dynamics and verify (one writer,
groupfourier._io): ``-`` is standard output and nothing else is printed there, a missing
folder is one error line with exit code 2, a new file gets the user's umask, and a target
that is not a regular file is written in place.  Flags share one spelling (the old ones
are aliases), --threads is accepted after the subcommand, each command shows its own
defaults, and no %% or RST markup leaks into --help.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import stat

import pytest

from dynamics.__main__ import build_parser as dynamics_parser
from dynamics.__main__ import main as dynamics_main
from groupfourier.__main__ import build_parser as groupfourier_parser
from groupfourier.__main__ import main as groupfourier_main
from groupfourier._io import write_json

PREDICT = ["predict", "--group", "Z12", "--horizons", "2,4", "--n-ids", "12", "--c-B", "4"]


def _verify_main(argv):
    from verify.__main__ import main
    return main(argv)


def _transformer_main(argv):
    from verify.transformer.__main__ import main
    return main(argv)


def test_json_dash_is_standard_output_alone(capsys):
    assert groupfourier_main(["table", "S3", "--json", "-"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["group"] == "S3" and "character table" in err
    assert dynamics_main(PREDICT + ["--json", "-"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["config"]["group"] == "Z12" and "regime" in err


@pytest.mark.parametrize("run", [
    lambda p: groupfourier_main(["info", "Z3", "--json", p]),
    lambda p: dynamics_main(PREDICT + ["--json", p]),
    lambda p: _verify_main(["compare", "no-such-run-dir", "--json", p]),
    lambda p: _verify_main(["sweep", "tiny.toml", "--out", "o", "--dry-run", "--json", p]),
    lambda p: _verify_main(["phase-diagram", "no-such-sweep", "--json", p]),
    lambda p: _transformer_main(["compare", "no-such-run-dir", "--json", p]),
], ids=["groupfourier", "dynamics", "verify-compare", "verify-sweep", "verify-phase-diagram",
        "transformer-compare"])
def test_missing_folder_is_one_error_line_everywhere(run, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)              # the sweep spec 'tiny.toml' below
    (tmp_path / 'tiny.toml').write_text(TINY_TOML)
    target = tmp_path / "missing" / "x.json"
    assert run(str(target)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err == (f"error: --json: the folder {str(target.parent)!r} does not exist; create it "
                   f"first, or pass '-' for standard output.\n")
    assert not target.parent.exists()


def test_new_files_follow_the_umask_and_existing_ones_keep_their_mode(tmp_path):
    old = os.umask(0o027)
    try:
        write_json(tmp_path / "a.json", {"x": 1})
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "a.json").st_mode) == 0o640
    os.chmod(tmp_path / "a.json", 0o604)
    write_json(tmp_path / "a.json", {"x": 2})
    assert stat.S_IMODE(os.stat(tmp_path / "a.json").st_mode) == 0o604
    assert json.loads((tmp_path / "a.json").read_text()) == {"x": 2}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json"]     # no temp file left


def test_links_and_special_files_are_written_in_place(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("{}")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    write_json(link, [1, 2])
    assert link.is_symlink() and json.loads(real.read_text()) == [1, 2]
    devnull_mode = os.stat(os.devnull).st_mode
    write_json(os.devnull, {"a": 1})                 # a character device: not replaced
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode) and os.stat(os.devnull).st_mode == devnull_mode


def test_strict_json_refuses_nan(tmp_path):
    with pytest.raises(ValueError, match="not JSON compliant"):
        write_json(tmp_path / "n.json", {"x": float("nan")})


def test_one_spelling_with_the_old_ones_as_aliases(capsys):
    new = dynamics_parser().parse_args(PREDICT)
    old = dynamics_parser().parse_args(["predict", "--group", "Z12", "--horizons", "2,4",
                                        "--M", "12", "--cB", "4"])
    assert (new.M, new.cB) == (old.M, old.cB) == (12, 4.0)
    for spelling, expected in [("cB", "c_B"), ("c_B", "c_B"), ("order", "group_order"),
                               ("group_order", "group_order")]:
        assert dynamics_parser().parse_args(["phase-diagram", "--over", spelling]).over == expected
    assert dynamics_parser().parse_args(["phase-diagram", "--y", "c_B"]).over == "c_B"
    with pytest.raises(SystemExit):
        dynamics_parser().parse_args(["phase-diagram", "--over", "lr"])
    capsys.readouterr()


def test_threads_before_or_after_the_subcommand():
    from verify.transformer.__main__ import build_parser
    p = build_parser()
    assert p.parse_args(["compare", "d", "--threads", "3"]).threads == 3
    assert p.parse_args(["--threads", "2", "compare", "d"]).threads == 2
    assert p.parse_args(["compare", "d"]).threads == 1
    assert dynamics_parser().parse_args(PREDICT + ["--threads", "1"]).threads == 1
    assert dynamics_main(PREDICT + ["--threads", "0"]) == 2


def test_transformer_run_help_shows_its_own_defaults():
    from verify.transformer.__main__ import build_parser
    from verify.transformer.rl import TransformerRunConfig
    run = TransformerRunConfig().run           # what `run` uses without a preset
    text = " ".join(_help(build_parser(), "run").split())   # undo the line wrapping
    assert f"(default {run.group})" in text and f"(default {run.optimizer})" in text
    assert f"(default {','.join(map(str, run.horizons))})" in text
    assert "(default Z96)" not in text and "(default sgd)" not in text


def _help(parser: argparse.ArgumentParser, sub: str | None = None) -> str:
    if sub is not None:
        action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = action.choices[sub]
    return parser.format_help()


def _all_helps():
    from verify.__main__ import build_parser as verify_parser
    from verify.transformer.__main__ import build_parser as transformer_parser
    for name, make in [("groupfourier", groupfourier_parser), ("dynamics", dynamics_parser),
                       ("verify", verify_parser), ("verify.transformer", transformer_parser)]:
        parser = make()
        yield name, parser.format_help()
        action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        for sub, p in action.choices.items():
            yield f"{name} {sub}", p.format_help()


def test_no_markup_or_doubled_percent_in_help():
    for name, text in _all_helps():
        text = " ".join(text.split())
        assert "%%" not in text and "``" not in text, name
        assert "(default None)" not in text, name
        # a help text that states its default gets no second, automatic "(default ...)"
        assert not re.search(r"default[^()]{0,60}\)\.? \(default", text), name


# ------------------------------------------------------------ verify sweep / phase-diagram
TINY_TOML = """
[base]
group = "D3"
n_ids = 4
batch = 16
updates = 4
log_every = 2
checkpoint_every = 2
eval_prompts = 4
horizons = [2, 3]

[grid]
c_B = [2.0, 4.0]
"""


def test_verify_sweep_speaks_the_dialect(tmp_path, capsys):
    from verify.__main__ import build_parser as verify_parser
    spec = tmp_path / "tiny.toml"
    spec.write_text(TINY_TOML)
    base = ["sweep", str(spec), "--out", str(tmp_path / "sw")]
    assert verify_parser().parse_args(base + ["--threads", "3"]).workers == 3
    assert verify_parser().parse_args(base + ["--workers", "2"]).workers == 2   # alias
    assert _verify_main(base + ["--threads", "0"]) == 2
    assert capsys.readouterr().err == "error: --threads must be an integer >= 1; got 0.\n"
    # --json -: the JSON alone on stdout, the listing on stderr
    assert _verify_main(base + ["--dry-run", "--json", "-"]) == 0
    out, err = capsys.readouterr()
    doc = json.loads(out)
    assert doc["n_runs"] == 2 and len(doc["runs"]) == 2 and "2 runs" in err
    assert all(r["horizons"] == [2, 3] for r in doc["runs"])
    target = tmp_path / "dry.json"
    assert _verify_main(base + ["--dry-run", "--json", str(target)]) == 0
    assert json.loads(target.read_text()) == doc


def test_verify_phase_diagram_speaks_the_dialect(tmp_path, capsys):
    from tests.verify.test_sweep_phase import fake_sweep
    from verify.__main__ import build_parser as verify_parser
    labels = {(2.0, 4.0): ["relay", "relay"], (4.0, 4.0): ["plateau", "stalled"]}
    fake_sweep(tmp_path, labels)
    parse = verify_parser().parse_args
    for spelling, want in [("cB", "c_B"), ("c_B", "c_B"), ("order", "group_order"),
                           ("group_order", "group_order")]:
        assert parse(["phase-diagram", "d", "--y", spelling]).y == want
        assert parse(["phase-diagram", "d", "--over", spelling]).y == want   # dynamics' flag
    with pytest.raises(SystemExit):
        parse(["phase-diagram", "d", "--y", "lr"])
    capsys.readouterr()
    assert _verify_main(["phase-diagram", str(tmp_path), "--no-prediction", "--threads", "0"]) == 2
    assert "--threads must be an integer >= 1" in capsys.readouterr().err
    assert _verify_main(["phase-diagram", str(tmp_path), "--no-prediction", "--threads", "1",
                         "--json", "-"]) == 0
    out, err = capsys.readouterr()
    doc = json.loads(out)                      # strict JSON: NaN became null
    # oracle: the majority of the labels written above, by hand (a 1-1 tie is 'mixed')
    assert doc["observed"] == [["relay", "mixed"]] and doc["ratios"] == [2.0, 4.0]
    assert doc["y"] == "c_B" and doc["status"] == 1 and doc["agree"] is None
    assert doc["figure"].endswith("phase_diagram.png") and "Empirical phase diagram" in err


def test_transformer_compare_json(tmp_path, capsys, monkeypatch):
    from verify.transformer.presets import transformer_preset
    from verify.transformer.rl import train_transformer
    monkeypatch.setenv("VERIFY_CACHE", str(tmp_path / "cache"))
    train_transformer(transformer_preset("smoke")["smoke"], tmp_path / "runs" / "smoke",
                      progress=False)
    capsys.readouterr()
    target = tmp_path / "c.json"
    assert _transformer_main(["compare", str(tmp_path / "runs"), "--json", str(target)]) == 0
    written = json.loads(target.read_text())
    assert written == json.loads((tmp_path / "runs" / "comparison.json").read_text())
    assert [r["name"] for r in written["runs"]] == ["smoke"]
    assert "| smoke |" in capsys.readouterr().out         # a file target: the table on stdout
    assert _transformer_main(["compare", str(tmp_path / "runs"), "--json", "-"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out) == written and "| smoke |" in err
