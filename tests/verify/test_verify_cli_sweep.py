"""`python -m verify` offers the sweep engine's subcommands."""

from verify.__main__ import main


def test_sweep_dry_run_through_the_verify_cli(tmp_path, capsys):
    assert main(["sweep", "small", "--out", str(tmp_path), "--dry-run"]) == 0
    assert "18 runs" in capsys.readouterr().out


def test_unknown_sweep_spec_is_one_line_and_exit_2(tmp_path, capsys):
    assert main(["sweep", "no-such-spec", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: load_spec: no spec file 'no-such-spec'") and err.count("\n") == 1
