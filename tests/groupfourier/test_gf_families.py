"""The family interface: no import cycle inside groupfourier, subclasses of a family work
everywhere, and every family answers the same hooks."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

import groupfourier
from groupfourier import (AlternatingGroup, CyclicGroup, DihedralGroup, DirectProduct, SymmetricGroup,
                          character_table, convolve, decompose, fourier_transform, inverse_fourier_transform,
                          permutation_character, plancherel)
from groupfourier.irreps import FORMS

PACKAGE = Path(groupfourier.__file__).parent


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _import_graph() -> dict[str, set[str]]:
    """Module -> the groupfourier modules it imports (anywhere in its body, lazy imports too).

    ``from .x import y`` counts as importing ``x``, and ``x.y`` too when ``y`` is a module;
    ``from . import y`` with ``y`` a module counts as importing ``y`` only.
    The implicit run of a parent package's ``__init__`` is not an edge (it only re-exports).
    """
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        is_pkg = path.name == "__init__.py"
        here = name.split(".") if is_pkg else name.split(".")[:-1]
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                base = here[:len(here) - node.level + 1] if node.level else []
                target = ".".join(base + (node.module.split(".") if node.module else []))
                submodules = {f"{target}.{a.name}" for a in node.names} & modules.keys()
                edges |= submodules
                if target in modules and (node.module or len(submodules) < len(node.names)):
                    edges.add(target)  # `from . import x` with x a module names only x
            elif isinstance(node, ast.Import):
                edges |= {a.name for a in node.names if a.name in modules}
        edges.discard(name)
        graph[name] = edges
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_import_graph_has_no_cycle():
    graph = _import_graph()
    assert "groupfourier.groups.symmetric" in graph and "groupfourier.characters" in graph
    assert _cycles(graph) == []


def test_cycle_detector_finds_a_planted_cycle():
    """The oracle above can fail: a two-module circle is reported."""
    graph = _import_graph()
    graph["groupfourier.groups._base"] = graph["groupfourier.groups._base"] | {"groupfourier.characters"}
    assert any("groupfourier.characters" in c for c in _cycles(graph))


def test_family_modules_import_no_consumer():
    """The families never import characters, irreps or fourier (knowledge flows one way)."""
    graph = _import_graph()
    consumers = {"groupfourier.characters", "groupfourier.irreps", "groupfourier.fourier"}
    for name, edges in graph.items():
        if name.startswith("groupfourier.groups"):
            assert not edges & consumers, (name, edges & consumers)


class MyCyclic(CyclicGroup):
    pass


class MyDihedral(DihedralGroup):
    pass


class MySymmetric(SymmetricGroup):
    pass


class MyAlternating(AlternatingGroup):
    pass


class MyProduct(DirectProduct):
    pass


@pytest.mark.parametrize("G, parent", [
    (MyCyclic(6), CyclicGroup(6)), (MyDihedral(5), DihedralGroup(5)), (MySymmetric(4), SymmetricGroup(4)),
    (MyAlternating(5), AlternatingGroup(5)),
    (MyProduct(CyclicGroup(2), DihedralGroup(3)), DirectProduct(CyclicGroup(2), DihedralGroup(3)))],
    ids=["Z", "D", "S", "A", "product"])
def test_subclass_of_a_family_works_everywhere(G, parent):
    assert FORMS[type(G)] == FORMS[type(parent)]
    assert [r.label for r in G.irreps()] == [r.label for r in parent.irreps()]
    for form in FORMS[type(G)]:
        G.irreps(form=form)
    t, tp = character_table(G), character_table(parent)
    assert t.values == tp.values and t.irrep_labels == tp.irrep_labels
    assert np.allclose(t.to_numpy(), tp.to_numpy())
    assert str(t).splitlines()[1:] == str(tp).splitlines()[1:]
    assert permutation_character(G) == permutation_character(parent)
    assert decompose(G, permutation_character(G)) == decompose(parent, permutation_character(parent))
    f = np.random.default_rng(0).normal(size=(2, G.order))
    h = np.random.default_rng(1).normal(size=G.order)
    methods = ("fft", "dense") if parent.FFT_FORM is not None else ("auto", "dense")
    if parent.FFT_FORM is None:  # no fast transform (products): the subclass refuses it alike
        for group in (G, parent):
            with pytest.raises(ValueError, match="method='fft' is implemented for"):
                fourier_transform(group, f, method="fft")
    for method in methods:
        F, Fp = fourier_transform(G, f, method=method), fourier_transform(parent, f, method=method)
        for label in Fp:
            assert np.allclose(F[label], Fp[label])
        assert np.allclose(inverse_fourier_transform(G, F, method=method), f)
        assert np.allclose(convolve(G, f, h, method=method), convolve(parent, f, h, method=method))
        assert np.allclose(plancherel(G, f, h, method=method), plancherel(parent, f, h, method=method))
    rho = G.irreps()[-1]
    assert np.allclose(rho.matrix(G.elements[1]), parent.irreps()[-1].matrix(parent.elements[1]))


def test_forms_mapping_refuses_non_families():
    with pytest.raises(KeyError):
        FORMS[int]
    assert SymmetricGroup in list(FORMS) and FORMS[DirectProduct] == ("product",)
