"""Run every notebook in notebooks/ (jupytext percent-format .py files) as a script.

Each notebook runs in a fresh interpreter with ``MPLBACKEND=Agg`` from the
repository root, so its asserts are checked and nothing opens a window.  The
list is found by glob, so a new notebook is picked up without editing this file.
Where the docs extra is installed, tests/test_docs.py's build executes every notebook
(asserts included) for the gallery, so they are not run a second time here.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from test_docs import docs_build_available

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.py"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path: Path) -> None:
    if docs_build_available():
        pytest.skip("executed, asserts included, by the docs build (tests/test_docs.py)")
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONHASHSEED="0")
    proc = subprocess.run([sys.executable, str(path)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, (f"{path.name} failed (exit {proc.returncode}):\n"
                                  f"{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}")


def test_notebooks_are_jupytext_percent_files() -> None:
    for path in NOTEBOOKS:
        text = path.read_text()
        assert "# %%" in text, f"{path.name} is not a jupytext percent-format file (no '# %%' cell)"
