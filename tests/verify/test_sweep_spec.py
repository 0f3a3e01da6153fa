"""Sweep specs: parsing (TOML, YAML, presets), grid expansion, duplicate cells, bad specs."""

import itertools

import pytest

from dynamics.spectrum import Spectrum
from verify.config import RunConfig
from verify.sweep import (RESULTS_NAME, SweepSpec, _config_row, _write_row, config_id, expand,
                          load_spec, main, open_results, parse_spec, preset_names, read_results)

BASE = {"group": "D6", "n_ids": 12, "batch": 16, "updates": 4, "log_every": 2,
        "checkpoint_every": 2, "eval_prompts": 4}


def with_base(data: dict) -> dict:
    """``data`` with BASE under its [base]; horizons (2, 4) unless an axis sets them."""
    base = {**BASE, **data.get("base", {})}
    if not {"ratio", "horizons"} & set(data.get("grid", {})):
        base.setdefault("horizons", [2, 4])
    return {**data, "base": base}


def spec(**tables) -> SweepSpec:
    return parse_spec(with_base(tables), source="t.toml")


# --------------------------------------------------------------------------- expansion
def test_expansion_is_the_cartesian_product_of_axes_and_seeds():
    s = spec(grid={"ratio": [2.0, 3.0, 4.0], "c_B": [2.0, 8.0]}, spectrum={"first": 2},
             sweep={"seeds": [0, 5]})
    runs = expand(s)
    # oracle: the product written out by hand, horizons (2, 2R) from the definition
    want = [((2, int(2 * R)), c, seed) for R, c, seed in
            itertools.product([2.0, 3.0, 4.0], [2.0, 8.0], [0, 5])]
    assert [(r.config.horizons, r.config.c_B, r.config.seed) for r in runs] == want
    assert s.shape == (3, 2) and s.n_runs == len(runs) == 12
    assert all(r.config.group == "D6" and r.config.n_ids == 12 for r in runs)
    assert len({r.run_id for r in runs}) == 12
    assert dict(runs[0].cell) == {"ratio": 2.0, "c_B": 2.0, "seed": 0}


def test_ratio_with_last_anchors_the_longest_horizon():
    s = spec(grid={"ratio": [2.0, 3.0]}, spectrum={"last": 12, "n_levels": 3})
    assert [r.config.horizons for r in expand(s)] == [(3, 6, 12), (1, 4, 12)]
    s = spec(grid={"ratio": [1.5]}, spectrum={"first": 2, "n_levels": 3})
    assert expand(s)[0].config.horizons == Spectrum.geometric(2, 1.5, 3).horizons


def test_any_run_option_is_an_axis_including_horizons_and_seed():
    s = spec(grid={"horizons": [[2], [2, 4]], "optimizer": ["sgd", "adam"], "seed": [1, 2]})
    runs = expand(s)
    assert len(runs) == 8
    assert {r.config.horizons for r in runs} == {(2,), (2, 4)}
    assert {r.config.seed for r in runs} == {1, 2}
    assert {r.config.optimizer for r in runs} == {"sgd", "adam"}


def test_run_id_is_a_function_of_the_config_alone():
    a = expand(spec(grid={"c_B": [2.0, 4.0]}))
    b = expand(spec(base={"c_B": 4.0}, grid={"lr": [30.0]}))
    assert a[1].run_id == b[0].run_id == config_id(RunConfig(**BASE, horizons=(2, 4), c_B=4.0))
    assert a[0].run_id != a[1].run_id
    assert a[1].slug.startswith("c_B=4_") and a[1].run_id[:8] in a[1].slug


# --------------------------------------------------------------------------- duplicates
def test_repeated_value_on_an_axis_is_a_duplicate_cell():
    with pytest.raises(ValueError, match=r"c_B repeats value\(s\) 4\.0 \(duplicate cells\)"):
        spec(grid={"c_B": [4.0, 2.0, 4.0]})


def test_cells_that_give_the_same_run_are_duplicates():
    # round(3 * 2.0) == round(3 * 2.1) == 6: two cells, one run
    with pytest.raises(ValueError, match=r"duplicate cells \{ratio=2\.0, seed=0\} and "
                                         r"\{ratio=2\.1, seed=0\}.*horizons \(3, 6\)"):
        spec(grid={"ratio": [2.0, 2.1]}, spectrum={"first": 3})
    with pytest.raises(ValueError, match="seeds must be distinct"):
        spec(grid={"c_B": [4.0]}, sweep={"seeds": [1, 1]})


def test_duplicate_of_a_run_already_in_the_table_is_recognised(tmp_path):
    s = spec(grid={"c_B": [2.0, 4.0]})
    runs = expand(s)
    conn = open_results(tmp_path / RESULTS_NAME)
    _write_row(conn, {**_config_row(runs[1], s, tmp_path), "status": "done", "attempts": 1})
    conn.close()
    rows = read_results(tmp_path)
    assert [r["run_id"] for r in rows] == [runs[1].run_id]
    assert rows[0]["c_B"] == 4.0 and rows[0]["horizons"] == "2,4" and rows[0]["group_order"] == 12
    assert rows[0]["ratio"] == 2.0 and rows[0]["hard_horizon"] == 4 and rows[0]["seed"] == 0


# --------------------------------------------------------------------------- bad specs
@pytest.mark.parametrize("data, match", [
    ({"grid": {"cB": [2.0]}}, r"\[grid\]: unknown option\(s\) \['cB'\].*did you mean 'c_B'"),
    ({"base": {"learning_rate": 1.0}, "grid": {"c_B": [2.0]}},
     r"\[base\]: unknown option\(s\) \['learning_rate'\]"),
    ({"sweep": {"seed": [0]}, "grid": {"c_B": [2.0]}}, r"\[sweep\]: unknown option\(s\) \['seed'\]"),
    ({"grids": {"c_B": [2.0]}}, r"unknown option\(s\) \['grids'\]"),
    ({"grid": {"c_B": [2.0]}, "spectrum": {"frist": 2}}, r"\[spectrum\]: unknown option"),
    ({"grid": {}}, r"\[grid\] is empty"),
    ({"grid": {}}, r"\[grid\] is empty"),
    ({"grid": {"c_B": []}}, r"c_B = \[\] is empty"),
    ({"grid": {"c_B": 4.0}}, r"c_B must be a list of values; got c_B=4\.0"),
    ({"grid": {"c_B": [4.0, -1.0]}}, r"cell \{c_B=-1\.0, seed=0\} is not a valid run: RunConfig: "
                                     r"c_B must be a finite number > 0; got c_B=-1\.0"),
    ({"grid": {"optimizer": ["sgd", "lbfgs"]}}, r"cell \{optimizer='lbfgs'.*optimizer must be one of"),
    ({"grid": {"horizons": [[2, 40]]}}, r"horizons=\(2, 40\).*horizon 40 exceeds"),
    ({"grid": {"ratio": [2.0]}}, r"exactly one of 'first'"),
    ({"grid": {"ratio": [0.5]}, "spectrum": {"first": 2}},
     r"each ratio must be a number > 1; got ratio=0\.5"),
    ({"grid": {"ratio": [2.0]}, "spectrum": {"first": 2, "n_levels": 1}}, r"n_levels must be >= 2"),
    ({"grid": {"c_B": [2.0]}, "spectrum": {"first": 2}}, r"\[spectrum\] is only used by a 'ratio'"),
    ({"base": {"c_B": 2.0}, "grid": {"c_B": [2.0]}}, r"\['c_B'\] are in both \[base\] and \[grid\]"),
    ({"grid": {"c_B": [2.0]}, "sweep": {"seeds": [0, -1]}}, r"each seed must be an integer >= 0; got -1"),
    ({"grid": {"seed": [0]}, "sweep": {"seeds": [0]}}, r"give the seeds once"),
    ({"grid": {"c_B": [2.0]}, "sweep": {"levels": [0.5, 1.5]}},
     r"each level must be a number in \(0, 1\]; got 1\.5"),
])
def test_bad_specs_raise_naming_the_problem(data, match):
    with pytest.raises(ValueError, match=match):
        parse_spec(with_base(data), source="bad.toml")


def test_error_names_the_spec_source():
    with pytest.raises(ValueError, match=r"^sweep spec bad\.toml"):
        parse_spec({"grid": {"c_B": []}}, source="bad.toml")


# --------------------------------------------------------------------------- files
def test_toml_and_yaml_files_give_the_same_spec(tmp_path):
    toml = tmp_path / "s.toml"
    toml.write_text('[sweep]\nname = "x"\nseeds = [0, 1]\n[base]\ngroup = "D6"\nn_ids = 12\n'
                    '[grid]\nratio = [2.0, 3.0]\nc_B = [4.0]\n[spectrum]\nfirst = 2\n')
    yaml = tmp_path / "s.yaml"
    yaml.write_text("sweep: {name: x, seeds: [0, 1]}\nbase: {group: D6, n_ids: 12}\n"
                    "grid: {ratio: [2.0, 3.0], c_B: [4.0]}\nspectrum: {first: 2}\n")
    a, b = load_spec(toml), load_spec(yaml)
    assert [r.run_id for r in expand(a)] == [r.run_id for r in expand(b)]
    assert a.name == b.name == "x" and a.n_runs == 4


def test_bad_files_raise(tmp_path):
    with pytest.raises(ValueError, match=r"no spec file 'nope\.toml'.*preset name"):
        load_spec("nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[grid\nc_B = [1")
    with pytest.raises(ValueError, match=r"cannot parse .*bad\.toml"):
        load_spec(bad)
    other = tmp_path / "s.json"
    other.write_text("{}")
    with pytest.raises(ValueError, match=r"suffix '\.json'; expected \.toml, \.yaml"):
        load_spec(other)


def test_presets_load_and_meet_their_stated_size():
    assert {"small", "target"} <= set(preset_names())
    small, target = load_spec("small"), load_spec("target")
    assert small.shape == (3, 3) and len(small.seeds) == 2 and small.n_runs == 18
    assert target.shape[0] >= 5 and target.shape[1] >= 4 and len(target.seeds) >= 3
    for s in (small, target):
        cfgs = [r.config for r in expand(s)]
        assert all(c.head == "ideal" and c.group.startswith("D") and c.G.order <= 24 for c in cfgs)


def test_cli_dry_run_and_errors(tmp_path, capsys):
    assert main(["sweep", "small", "--out", str(tmp_path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "18 runs (3 x 3 cells x 2 seeds)" in out
    bad = tmp_path / "bad.toml"
    bad.write_text("[grid]\ncB = [1.0]\n")
    assert main(["sweep", str(bad), "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: sweep spec") and "'cB'" in err and err.count("\n") == 1
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    assert "phase-diagram" in capsys.readouterr().out
    assert not list(tmp_path.glob(RESULTS_NAME))   # results only appear when a sweep runs
