"""The command line: tables printed and written as JSON, bad input -> one line, exit 2."""

import json
import subprocess
import sys

import pytest
import sympy as sp

from groupfourier import DihedralGroup, SymmetricGroup, character_table
from groupfourier.__main__ import main


def test_table_prints_the_aligned_table(capsys):
    assert main(["table", "S5"]) == 0
    out = capsys.readouterr().out
    assert out == str(character_table(SymmetricGroup(5))) + "\n"
    assert out.splitlines()[1].split()[1:] == ["(1,1,1,1,1)", "(2,1,1,1)", "(2,2,1)", "(3,1,1)",
                                               "(3,2)", "(4,1)", "(5)"]


@pytest.mark.parametrize("name", ["S5", "Z12", "D6", "Z2xS3"])
def test_table_json_is_exact_and_atomic(name, tmp_path, capsys):
    path = tmp_path / "table.json"
    assert main(["table", name, "--json", str(path)]) == 0
    data = json.loads(path.read_text())
    assert [p.name for p in tmp_path.iterdir()] == ["table.json"]  # no temporary file left
    assert data["group"] == name and sum(data["class_sizes"]) == data["order"]
    values = sp.Matrix([[sp.sympify(v) for v in row] for row in data["values"]])
    from groupfourier import group_from_name
    G = group_from_name(name)
    exact = character_table(G).values
    assert max(abs(complex((values - exact).evalf(30)[i])) for i in range(len(values))) < 1e-25
    assert len(data["irrep_labels"]) == len(data["class_labels"]) == values.rows


def test_labels_are_lists(tmp_path):
    path = tmp_path / "s4.json"
    main(["table", "S4", "--json", str(path)])
    data = json.loads(path.read_text())
    assert data["irrep_labels"][1] == [3, 1] and data["class_labels"][0] == [1, 1, 1, 1]


def test_irreps_and_info(tmp_path, capsys):
    assert main(["irreps", "D6", "--json", str(tmp_path / "i.json")]) == 0
    data = json.loads((tmp_path / "i.json").read_text())
    assert [r["dim"] for r in data["irreps"]] == [r.dim for r in DihedralGroup(6).irreps()]
    assert main(["irreps", "S4", "--form", "seminormal"]) == 0
    assert main(["info", "S4"]) == 0
    out = capsys.readouterr().out
    assert "SymmetricGroup(4): order 24, 5 conjugacy classes (non-abelian)" in out


@pytest.mark.parametrize("argv, pattern", [
    (["table", "Q8"], "expected 'Z<n>', 'D<n>'"),
    (["table", "S0"], "got n=0"),
    (["irreps", "Z4", "--form", "orthogonal"], "form must be one of"),
    (["table", "S3", "--json", "/nonexistent-folder/x.json"], "does not exist"),
])
def test_bad_input_is_one_line_exit_2(argv, pattern, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and pattern in err and err.count("\n") == 1


def test_module_entry_point_and_help():
    run = [sys.executable, "-m", "groupfourier"]
    bad = subprocess.run(run + ["table", "X9"], capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr
    helped = subprocess.run(run + ["--help"], capture_output=True, text=True)
    assert helped.returncode == 0 and "table" in helped.stdout and "irreps" in helped.stdout


def test_every_test_named_in_docs_conventions_exists():
    """docs/conventions.md names, for each convention, the test that checks it."""
    import re
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    text = (root / "docs" / "conventions.md").read_text()
    current = None
    found = 0
    for path, name in re.findall(r"`(?:([\w/]*test_\w+\.py))?::(\w+)`", text):
        if path:
            current = path if "/" in path else f"tests/groupfourier/{path}"
        if current is None:  # the legend's `::name`
            continue
        source = (root / current).read_text()
        assert re.search(rf"^def {name}\(", source, re.M), f"{current}::{name} named in docs is missing"
        found += 1
    assert found >= 40
