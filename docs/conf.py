"""Sphinx configuration of the documentation site (build: ``sphinx-build -W docs docs/_build/html``).

* API reference: ``autosummary`` walks groupfourier, dynamics and verify recursively, so a
  new public module appears without editing the docs; a module's members are its
  ``__all__``, and a name that a parent package re-exports is documented once, at the
  package (where users import it from).
* Notebooks: the jupytext percent files in ``notebooks/`` are copied to
  ``docs/notebooks/`` (generated, not in git) and executed by myst-nb through
  jupyter-cache, so an unchanged notebook is not executed twice (cache:
  ``docs/_build/.jupyter_cache``; set ``IC_DOCS_NB_EXECUTION=off`` to skip execution).
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import re
import shutil
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))
# The notebook kernels inherit this environment: with MPLBACKEND=Agg (as the test suite sets
# it) they would draw no inline figures, so let ipykernel choose its inline backend.
os.environ.pop("MPLBACKEND", None)

project = "implicit-curriculum"
author = "the implicit-curriculum authors"
copyright = "2026, the implicit-curriculum authors"
try:
    from importlib.metadata import version as _version
    release = _version("implicit-curriculum")
except Exception:  # not installed: a source tree on sys.path
    release = "0.1.0"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_nb",
]

# ---------------------------------------------------------------- sources
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "results", "figures", "conf.py"]
root_doc = "index"
# Docstrings write the order of a group as |G| (plain text in a terminal); in RST that is a
# substitution reference, so define those substitutions as themselves.
rst_prolog = "\n".join(f".. |{x}| replace:: \\|{x}\\|" for x in ("G", "C", "p", "G_i")) + "\n"
suppress_warnings = ["myst.header",           # the pages start at their own heading level
                    "myst-nb.lexer"]           # unexecuted notebooks (IC_DOCS_NB_EXECUTION=off)

# ---------------------------------------------------------------- notebooks
NOTEBOOK_SRC = ROOT / "notebooks"
NOTEBOOK_DST = DOCS / "notebooks"


def _copy_notebooks() -> None:
    """Mirror notebooks/*.py into docs/notebooks/ (only files whose text changed)."""
    NOTEBOOK_DST.mkdir(exist_ok=True)
    wanted = {p.name for p in NOTEBOOK_SRC.glob("*.py")}
    for old in NOTEBOOK_DST.glob("*.py"):
        if old.name not in wanted:
            old.unlink()
    for src in sorted(NOTEBOOK_SRC.glob("*.py")):
        dst = NOTEBOOK_DST / src.name
        if not dst.exists() or dst.read_bytes() != src.read_bytes():
            shutil.copyfile(src, dst)


_copy_notebooks()

nb_custom_formats = {".py": ["jupytext.reads", {"fmt": "py:percent"}]}
nb_execution_mode = os.environ.get("IC_DOCS_NB_EXECUTION", "cache")
nb_execution_cache_path = str(DOCS / "_build" / ".jupyter_cache")
nb_execution_raise_on_error = True            # a failing notebook cell fails the build
nb_execution_timeout = 600
nb_execution_show_tb = True
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3

# ---------------------------------------------------------------- API reference
# One page per public module, written here into docs/generated/ (not in git) from a walk
# of the packages, so a new module appears without editing the docs.  A package's page
# documents the names of its __all__ (where users import them from); a module's page
# documents its __all__ (or, without one, the public classes and functions it defines),
# except names an ancestor package already documents, which it lists by name.
PACKAGES = ("groupfourier", "dynamics", "verify")
autosummary_generate = False                  # the pages below are written by _write_api
autodoc_typehints = "none"                    # numpydoc sections already give the types
autodoc_member_order = "bysource"
numpydoc_show_class_members = False           # autodoc's :members: lists them
numpydoc_class_members_toctree = False
numpydoc_validation_checks: set[str] = set()
API_DIR = DOCS / "generated"


def _public_modules() -> list[str]:
    out = []
    for pkg_name in PACKAGES:
        pkg = importlib.import_module(pkg_name)
        out.append(pkg_name)
        out += [m.name for m in pkgutil.walk_packages(pkg.__path__, pkg_name + ".")
                if not any(part.startswith("_") for part in m.name.split("."))]
    return out


def _module_page(name: str, mod, children: list[str]) -> str:
    import inspect

    parents = [importlib.import_module(".".join(name.split(".")[:i]))
               for i in range(1, name.count(".") + 1)]
    if hasattr(mod, "__all__"):
        names = [n for n in mod.__all__ if not inspect.ismodule(getattr(mod, n, None))]
    else:
        names = [n for n, v in vars(mod).items() if not n.startswith("_")
                 and (inspect.isclass(v) or inspect.isfunction(v))
                 and getattr(v, "__module__", None) == name]
    elsewhere = [n for n in names if any(
        n in getattr(p, "__all__", ()) and getattr(p, n, None) is getattr(mod, n) for p in parents)]
    names = [n for n in names if n not in elsewhere]
    lines = [name, "=" * len(name), "", f".. automodule:: {name}"]
    parent, _, short = name.rpartition(".")
    if parent and not inspect.ismodule(getattr(sys.modules[parent], short, mod)):
        lines.append("   :no-index:")   # the package exports a function of the same name
    lines.append("")
    if names:
        lines += [".. rubric:: Summary", "", ".. autosummary::", ""]
        lines += [f"   {n}" for n in names] + [""]
    if children:
        lines += [".. rubric:: Modules", "", ".. toctree::", "   :maxdepth: 1", ""]
        lines += [f"   {c}" for c in children] + [""]
    if elsewhere:
        lines += ["Also here, documented at the package they are imported from: "
                  + ", ".join(f":obj:`{n} <{_documented_at(n, mod, parents)}>`" for n in elsewhere)
                  + ".", ""]
    for n in names:
        obj = getattr(mod, n)
        if inspect.isclass(obj):
            lines += [f".. autoclass:: {n}", "   :members:", "   :show-inheritance:", ""]
        elif callable(obj):
            lines += [f".. autofunction:: {n}", ""]
        else:
            lines += [f".. autodata:: {n}", "   :no-value:", ""]
    return "\n".join(lines)


def _documented_at(n: str, mod, parents) -> str:
    """The outermost ancestor package that exports ``n`` (where it is documented)."""
    for p in parents:
        if n in getattr(p, "__all__", ()) and getattr(p, n, None) is getattr(mod, n):
            return f"{p.__name__}.{n}"
    raise AssertionError(n)  # pragma: no cover


def _write_api() -> None:
    API_DIR.mkdir(exist_ok=True)
    modules = _public_modules()
    pages = {}
    for name in modules:
        try:
            mod = importlib.import_module(name)
        except ImportError as err:     # an optional extra missing: say so on the page
            pages[name] = f"{name}\n{'=' * len(name)}\n\nNot importable here: {err}.\n"
            continue
        children = [m for m in modules if m.rpartition(".")[0] == name]
        pages[name] = _module_page(name, mod, children)
    for old in API_DIR.glob("*.rst"):
        if old.stem not in pages:
            old.unlink()
    for name, text in pages.items():
        path = API_DIR / f"{name}.rst"
        if not path.exists() or path.read_text() != text:
            path.write_text(text)


_write_api()

# ---------------------------------------------------------------- HTML
html_theme = "furo"
html_title = "implicit-curriculum"
html_static_path: list[str] = []
html_show_sourcelink = False


# ---------------------------------------------------------------- optional pages
# docs/design.md (curriculum design) joins the site when it exists; until then the
# cookbook says so instead of linking to a missing page.
HAS_DESIGN = (DOCS / "design.md").exists()


def _optional_pages(app, docname, source):
    text = source[0]
    if docname == "index" and HAS_DESIGN:
        text = text.replace("\ncookbook\ngallery\n", "\ncookbook\ndesign\ngallery\n")
    if docname == "cookbook":
        text = text.replace("DESIGN-PLACEHOLDER", (
            "Choosing the horizons and weights of a training mixture so that the relay does not "
            "stall is on {doc}`design`." if HAS_DESIGN else
            "Not written yet: a page on choosing the horizons and weights of a training "
            "mixture (`dynamics.design`) will appear here. Meanwhile, compare candidate "
            "spectra with `predict` as above: a ladder whose `regime` is `\"relay\"` learns "
            "every horizon without a plateau."))
    source[0] = text


# Docstrings are written to read well in a terminal: |G|² and |G|·d, "callable(x, *, y)".
# In RST the first opens a substitution that is not closed and the second an emphasis;
# outside ``literals`` and :math:`roles`, separate them with an escaped space / escape the
# star, so the rendered text is what the terminal shows.
_SUBST_END = re.compile(r"(\|(?:G|C|p|G_i)\|)(?=[^\s\-.,:;!?\\/'\")\]}>|])")
_QUOTED = re.compile(r"(``.*?``|`[^`]*`)")
_LONE_STAR = re.compile(r"(?<=[\s(\[])\*(?=[,)\]])")


def _rst_safe(app, what, name, obj, options, lines):
    for i, line in enumerate(lines):
        parts = _QUOTED.split(line)
        for j in range(0, len(parts), 2):          # even parts lie outside backquotes
            parts[j] = _LONE_STAR.sub(r"\\*", _SUBST_END.sub(r"\1\\ ", parts[j]))
        lines[i] = "".join(parts)


def setup(app):
    app.connect("source-read", _optional_pages)
    app.connect("autodoc-process-docstring", _rst_safe, priority=400)
