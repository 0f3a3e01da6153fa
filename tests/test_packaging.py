"""Packaging basics (issue 17, part 6): py.typed, LICENSE, __version__, the strategies
extra, and a clean type check of the modules listed in pyproject's [tool.mypy]."""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("groupfourier", "dynamics", "verify")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_every_package_ships_py_typed():
    data = PYPROJECT["tool"]["setuptools"]["package-data"]
    for pkg in PACKAGES:
        assert (ROOT / pkg / "py.typed").is_file(), pkg
        assert "py.typed" in data.get(pkg, []), f"py.typed of {pkg} is not in package-data"


def test_license_file_matches_pyproject():
    assert PYPROJECT["project"]["license"] == {"text": "MIT"}
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License") and "the implicit-curriculum authors" in text


@pytest.mark.parametrize("pkg", PACKAGES)
def test_version_is_the_distribution_version(pkg):
    module = importlib.import_module(pkg)
    try:
        installed = importlib.metadata.version("implicit-curriculum")
    except importlib.metadata.PackageNotFoundError:
        assert module.__version__ == "0+unknown"
        return
    assert module.__version__ == installed
    assert installed == PYPROJECT["project"]["version"], "the installed metadata is stale"


def test_strategies_without_hypothesis_names_the_extra():
    code = ("import sys\n"
            "class B:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name.split('.')[0] == 'hypothesis': raise ImportError(name)\n"
            "sys.meta_path.insert(0, B())\n"
            "import groupfourier.strategies\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode != 0
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: groupfourier.strategies needs hypothesis"), last
    assert "implicit-curriculum[strategies]" in last


def test_mypy_is_clean_on_the_checked_modules(tmp_path):
    pytest.importorskip("mypy")
    files = PYPROJECT["tool"]["mypy"]["files"]
    assert all((ROOT / f).is_file() for f in files), "a checked module was moved or removed"
    proc = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "cache"),
                           "--no-error-summary"], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-2000:]
