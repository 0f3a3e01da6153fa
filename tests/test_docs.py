"""Build the documentation site with warnings as errors (issue 17, part 1).

``sphinx-build -W`` over docs/: the API reference (a page per public module, written by
docs/conf.py), the background pages, the cookbook (its code cells executed) and the
notebook gallery (every notebook in notebooks/ executed by myst-nb; a raising cell fails
the build, so this test also runs the notebooks' asserts: tests/test_notebooks.py then
only runs them as scripts where the docs extra is missing).  Execution is forced, never
taken from a cache, so a library change that breaks a notebook cannot hide.

The rendered pages are checked against what the repository holds, found independently
of docs/conf.py: every public module (a file walk) has a page naming each of its
``__all__`` names, every notebook a page with its executed output.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("groupfourier", "dynamics", "verify")


def docs_build_available() -> bool:
    try:
        import myst_nb  # noqa: F401
        import numpydoc  # noqa: F401
        import sphinx  # noqa: F401
    except ImportError:
        return False
    return True


def _public_modules() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            if any(p.startswith("_") for p in parts):
                continue
            out[".".join(parts)] = path
    return out


def _static_all(path: Path) -> list[str]:
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__"
                                                for t in node.targets):
            return [ast.literal_eval(e) for e in node.value.elts]
    return []


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    if not docs_build_available():
        pytest.skip("the docs extra is not installed: pip install -e '.[docs]'")
    out = tmp_path_factory.mktemp("docs")
    env = dict(os.environ, IC_DOCS_NB_EXECUTION="force",
               PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going",
                           "-q", "-d", str(out / "doctrees"), str(ROOT / "docs"),
                           str(out / "html")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, f"docs build failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}"
    return out / "html"


def _check_every_public_module_and_name_has_a_page(site: Path) -> None:
    text = {p.stem: p.read_text() for p in (site / "generated").glob("*.html")}
    modules = _public_modules()
    for name, path in modules.items():
        if name.endswith(".strategies") and not _importable("hypothesis"):
            continue
        assert name in text, f"no API page for {name}"
        for item in _static_all(path):
            if f"{name}.{item}" in modules:      # a submodule named in __all__: its own page
                assert f"{name}.{item}" in text, f"no API page for {name}.{item}"
                continue
            # documented here, or at a parent package whose page carries the anchor
            anchors = [f'id="{".".join(name.split(".")[:i])}.{item}"'
                       for i in range(1, name.count(".") + 2)]
            assert any(a in page for a in anchors for page in text.values()), \
                f"{name}.{item} is documented nowhere"


def _check_notebooks_and_cookbook_are_rendered_executed(site: Path) -> None:
    for nb in sorted((ROOT / "notebooks").glob("*.py")):
        page = site / "notebooks" / f"{nb.stem}.html"
        assert page.exists(), f"no gallery page for {nb.name}"
        assert "cell_output" in page.read_text(), f"{nb.name} rendered without outputs"
    assert "<img" in (site / "notebooks" / "dynamics_tour.html").read_text()
    cookbook = (site / "cookbook.html").read_text()
    assert "round-trip error:" in cookbook and "success 0.5 at update" in cookbook


def test_the_site_builds_and_renders_every_module_and_notebook(site: Path) -> None:
    # one test for one build: under pytest-xdist two tests could build the site twice
    _check_every_public_module_and_name_has_a_page(site)
    _check_notebooks_and_cookbook_are_rendered_executed(site)


def test_pages_refer_to_nothing_outside_the_repository() -> None:
    # audit F7: the theory note lives in docs/theory.md; no absolute machine paths
    for path in [*ROOT.glob("*.md"), *(ROOT / "docs").glob("*.md"), *(ROOT / "notebooks").glob("*.py"),
                 *(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))]:
        text = path.read_text()
        assert "shared/theory.md" not in text and "/work/" not in text, path
        for i, line in enumerate(text.splitlines(), 1):
            if "theory.md" in line:
                assert "docs/theory.md" in line or "(theory.md)" in line, f"{path}:{i}: {line}"


def _importable(name: str) -> bool:
    try:
        __import__(name)
    except ImportError:
        return False
    return True
