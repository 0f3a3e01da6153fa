"""The alternating groups A_n against independent oracles.

Oracles: GAP's character tables (stored for n = 4..7, live through passagemath-gap for
n <= 10 when installed), brute-force conjugation orbits for the classes, the even
permutations listed by itertools, the defining sums of the transforms, brute-force
convolution over the Cayley table, and the group law itself (homomorphism tests).
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from groupfourier import (AlternatingGroup, SymmetricGroup, character_table, convolve,
                          fourier_transform, group_from_name, inner_product,
                          inverse_fourier_transform, plancherel)
from groupfourier.__main__ import main
from groupfourier.cyclotomic import cyclotomic_simplify, root_of_unity
from groupfourier.strategies import functions_on, groups, groups_and_functions

REFERENCE = Path(__file__).with_name("data") / "gap_alternating_character_tables_n4_to_7.json"
TOL = 1e-9


def _sign(p):
    p, sign = list(p), 1
    for i in range(len(p)):  # selection sort: each swap flips the sign
        j = p.index(i, i)
        if j != i:
            p[i], p[j] = p[j], p[i]
            sign = -sign
    return sign


def _cycle_type(label):
    return label[0] if isinstance(label[-1], str) else label


# ------------------------------------------------------------------ elements and classes
@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6])
def test_elements_are_the_even_permutations_in_lexicographic_order(n):
    A = AlternatingGroup(n)
    even = [p for p in itertools.permutations(range(n)) if _sign(p) == 1]
    assert list(A.elements) == even and A.order == len(even)
    assert [A.index(g) for g in even] == list(range(len(even)))
    assert [A._element(i) for i in range(A.order)] == even


def test_group_law_is_composition():
    A = AlternatingGroup(5)
    rng = np.random.default_rng(0)
    for a, b in rng.integers(0, A.order, size=(40, 2)):
        s, t = A.elements[a], A.elements[b]
        assert A.multiply(s, t) == tuple(s[t[i]] for i in range(5))
        assert A.multiply(s, A.inverse(s)) == A.identity


def test_odd_permutation_and_bad_n_are_refused():
    with pytest.raises(ValueError, match="even permutation"):
        AlternatingGroup(4).index((1, 0, 2, 3))
    with pytest.raises(ValueError, match="n="):
        AlternatingGroup(0)
    assert group_from_name("A5") == AlternatingGroup(5) and AlternatingGroup(6).name == "A6"


@pytest.mark.parametrize("n", [3, 4, 5, 6])
def test_classes_are_conjugation_orbits(n):
    """Brute force: the orbit of each element under conjugation by A_n itself."""
    A = AlternatingGroup(n)
    T, inv = A.cayley_table, A.inverse_indices
    orbit_of = {}
    for x in range(A.order):
        orbit_of[x] = frozenset(T[T[:, x], inv].tolist())  # g x g⁻¹ over all g
    orbits = set(orbit_of.values())
    assert len(orbits) == len(A.conjugacy_classes)
    for k, c in enumerate(A.conjugacy_classes):
        members = frozenset(np.flatnonzero(A.class_of == k).tolist())
        assert members in orbits and len(members) == c.size
        assert A.class_of[A.index(c.representative)] == k
    split = [c.label for c in A.conjugacy_classes if isinstance(c.label[-1], str)]
    mus = {_cycle_type(lab) for lab in split}
    assert all(len(set(mu)) == len(mu) and all(p % 2 for p in mu) for mu in mus)


def test_a5_and_a6_split_classes():
    assert [c.label for c in AlternatingGroup(5).conjugacy_classes][-2:] == [((5,), "+"), ((5,), "-")]
    assert [(c.label, c.size) for c in AlternatingGroup(6).conjugacy_classes][-2:] == \
        [(((5, 1), "+"), 72), (((5, 1), "-"), 72)]


# ------------------------------------------------------------------ characters vs GAP
def _gap_value(s: str) -> sp.Expr:
    """GAP's cyclotomic string, E(k) = e^{2πi/k}, as sympy (trusted reference text)."""
    expr = re.sub(r"E\((\d+)\)", r"E_(\1)", s).replace("^", "**")
    return sp.parse_expr(expr, local_dict={"E_": lambda k: root_of_unity(int(k), 1)})


def _matches(ours, ours_classes, ours_sizes, gap_values, gap_classes, gap_sizes, exact_zero):
    """Equal up to a permutation of rows and a swap inside each split pair of columns."""
    cols: dict = {}
    for j, (mu, size) in enumerate(zip(gap_classes, gap_sizes)):
        cols.setdefault((tuple(sorted(mu, reverse=True)), size), []).append(j)
    ours_cols: dict = {}
    for j, (label, size) in enumerate(zip(ours_classes, ours_sizes)):
        ours_cols.setdefault((_cycle_type(label), size), []).append(j)
    assert {k: len(v) for k, v in cols.items()} == {k: len(v) for k, v in ours_cols.items()}
    pairs = [k for k, v in cols.items() if len(v) == 2]
    for swaps in itertools.product((False, True), repeat=len(pairs)):
        order = [None] * len(gap_classes)  # order[our column] = GAP column
        for key, js in ours_cols.items():
            g = list(cols[key])
            if key in pairs and swaps[pairs.index(key)]:
                g = g[::-1]
            for a, b in zip(js, g):
                order[a] = b
        rows = [[row[b] for b in order] for row in gap_values]
        if sorted(map(repr, (np.round(np.array(r, complex), 9) for r in rows))) == \
                sorted(map(repr, (np.round(np.array(r, complex), 9) for r in ours))):
            return rows
    return None


@pytest.mark.parametrize("n", [4, 5, 6, 7])
def test_tables_match_stored_gap_data(n):
    ref = json.loads(REFERENCE.read_text())["tables"][str(n)]
    t = character_table(AlternatingGroup(n))
    ours = [[complex(v) for v in t.values.row(i)] for i in range(t.values.rows)]
    gap_num = [[complex(re_, im) for re_, im in row] for row in ref["values_numeric"]]
    rows = _matches(ours, t.class_labels, t.class_sizes, gap_num, ref["classes"], ref["class_sizes"], None)
    assert rows is not None
    _irrational_entries_equal_gaps(t, ref["values"], gap_num)


def _irrational_entries_equal_gaps(t, gap_text, gap_num):
    """Exactly: every irrational entry v of ours equals the GAP cyclotomic g of the same
    numeric value: g is a root of v's minimal polynomial p (p(g) reduces to 0 in Q(ζ_N),
    ``cyclotomic_simplify``), and g is nearer to v than half the gap between p's roots, so
    it is v itself.  The integer entries already agree through the numeric match."""
    gap_exact = {complex(round(v.real, 9), round(v.imag, 9)): _gap_value(s)
                 for row_s, row_v in zip(gap_text, gap_num) for s, v in zip(row_s, row_v)}
    x = sp.Symbol("x")
    for v in set(t.values):
        if not v.is_Rational:
            g = gap_exact[complex(round(complex(v).real, 9), round(complex(v).imag, 9))]
            p = sp.minimal_polynomial(v, x)
            assert cyclotomic_simplify(p.subs(x, g)) == 0, (v, g)
            roots = [complex(r) for r in sp.Poly(p, x).nroots()]
            gap = min(abs(a - b) for a in roots for b in roots if a != b)
            assert abs(complex(g) - complex(v)) < gap / 2


def test_exact_gap_comparison_finds_a_galois_conjugate():
    """The exact check can fail: A_5's GAP text with the two golden-ratio cyclotomics swapped
    (Galois conjugates: each is a root of the other's minimal polynomial) is refused."""
    ref = json.loads(REFERENCE.read_text())["tables"]["5"]
    t = character_table(AlternatingGroup(5))
    gap_num = [[complex(re_, im) for re_, im in row] for row in ref["values_numeric"]]
    _irrational_entries_equal_gaps(t, ref["values"], gap_num)
    swap = {"-E(5)-E(5)^4": "-E(5)^2-E(5)^3", "-E(5)^2-E(5)^3": "-E(5)-E(5)^4"}
    wrong = [[swap.get(v, v) for v in row] for row in ref["values"]]
    with pytest.raises(AssertionError):
        _irrational_entries_equal_gaps(t, wrong, gap_num)


def test_a5_golden_ratio_exact():
    t = AlternatingGroup(5).character_table()
    phi = (1 + sp.sqrt(5)) / 2
    assert t.character(((3, 1, 1), "+"))[3:] == (phi, 1 - phi)
    assert sp.simplify(t.values[3, 3] - phi) == 0 and t.values[3, 3] == phi


@pytest.mark.parametrize("n", range(3, 11))
def test_tables_match_live_gap(n):
    """GAP itself (passagemath-gap, the bench extra), n <= 10, the irrational entries exactly:
    about 6 s in all, most of it starting GAP; skipped where GAP is not installed (the stored
    data above still run)."""
    gap = pytest.importorskip("sage.all__sagemath_gap").libgap
    tbl = f"CharacterTable(AlternatingGroup({n}))"
    classes = [list(map(int, c)) for c in gap.eval(f"List(ConjugacyClasses({tbl}), c -> "
                                                   f"CycleLengths(Representative(c), [1..{n}]))")]
    sizes = [int(s) for s in gap.eval(f"SizesConjugacyClasses({tbl})")]
    text = [[str(v) for v in row] for row in gap.eval(f"List(Irr({tbl}), ValuesOfClassFunction)")]
    values = [[complex(_gap_value(v)) for v in row] for row in text]
    t = character_table(AlternatingGroup(n))
    ours = t.to_numpy().astype(complex).tolist()
    assert _matches(ours, t.class_labels, t.class_sizes, values, classes, sizes, None) is not None
    _irrational_entries_equal_gaps(t, text, values)


@pytest.mark.parametrize("n", [3, 4, 5, 6, 7, 8])
def test_table_orthogonality_exact(n):
    G = AlternatingGroup(n)
    t = G.character_table()
    rows = [list(t.values.row(i)) for i in range(t.values.rows)]
    for i in range(len(rows)):
        for j in range(i, min(len(rows), i + 3)):
            assert inner_product(G, rows[i], rows[j]) == (1 if i == j else 0)
    V = t.to_numpy()
    sizes = np.array(t.class_sizes)
    assert np.allclose((V * sizes) @ V.conj().T / G.order, np.eye(len(rows)))
    assert np.allclose(V.conj().T @ V, np.diag(G.order / sizes))  # column orthogonality


@pytest.mark.parametrize("n", [9, 10, 12])
def test_larger_tables_square_and_dimensions(n):
    G = AlternatingGroup(n)
    t = G.character_table()
    V = t.to_numpy()
    assert V.shape[0] == V.shape[1] == len(G.conjugacy_classes)
    assert round(float(np.sum(np.abs(V[:, 0]) ** 2))) == G.order  # Σ d² = |G|
    assert sum(t.class_sizes) == G.order


# ------------------------------------------------------------------ irreps
@pytest.mark.parametrize("n", [3, 4, 5, 6, 7])
def test_irreps_are_unitary_homomorphisms_with_the_table_characters(n):
    G = AlternatingGroup(n)
    V = G.character_table().to_numpy()
    rng = np.random.default_rng(n)
    a, b = rng.integers(0, G.order, size=(2, 60))
    for i, rho in enumerate(G.irreps()):
        M = rho.matrices()
        assert np.allclose(M[G.mul_idx(a, b)], M[a] @ M[b])
        assert np.allclose(M[a] @ np.conj(np.swapaxes(M[a], 1, 2)), np.eye(rho.dim))
        assert np.allclose(np.trace(M, axis1=1, axis2=2), V[i][G.class_of])
        g = G.elements[int(a[0])]
        assert np.allclose(rho.matrix(g), M[a[0]])


def test_exact_irreps_match_numeric():
    G = AlternatingGroup(5)
    for rho in G.irreps():
        for i in (1, 7, 33):
            exact = np.array(rho.matrix(G.elements[i], exact=True).evalf(20).tolist(), dtype=complex)
            assert np.allclose(exact, rho.matrices()[i])


def test_irrep_labels_accept_lists():
    G = AlternatingGroup(5)
    assert G.irrep([[3, 1, 1], "+"]).label == ((3, 1, 1), "+")
    assert G.irrep([4, 1]).dim == 4
    with pytest.raises(ValueError, match="valid labels"):
        G.irrep((1, 1, 1, 1, 1))  # the sign restricts to the trivial irrep, labelled (5,)


# ------------------------------------------------------------------ Fourier analysis
def brute_transform(G, f, rho):
    return sum(f[..., i, None, None] * rho.matrix(g) for i, g in enumerate(G.elements))


def brute_convolution(G, f, h):
    T, inv = G.cayley_table, G.inverse_indices
    return np.einsum("...xy,...y->...x", f[..., T[:, inv]], h)


@settings(max_examples=12)
@given(Gf=groups_and_functions(families=("A",), max_order=60, max_batch_dims=1, dtype="complex128"))
def test_transform_matches_defining_sum_and_round_trips(Gf):
    G, f = Gf
    for method in ("auto", "dense"):
        F = fourier_transform(G, f, method=method)
        for rho in G.irreps():
            assert np.allclose(F[rho.label], brute_transform(G, f, rho), atol=TOL)
        assert np.allclose(inverse_fourier_transform(G, F, method=method), f, atol=TOL)


@settings(max_examples=12)
@given(Gf=groups_and_functions(families=("A",), max_order=60, max_batch_dims=1), data=st.data())
def test_convolution_and_plancherel(Gf, data):
    G, f = Gf
    h = data.draw(functions_on(G))
    assert np.allclose(convolve(G, f, h), brute_convolution(G, f, h), atol=1e-8)
    inv = G.inverse_indices
    assert np.allclose(plancherel(G, f, h), (f * h[inv]).sum(-1), atol=TOL)
    assert np.allclose(plancherel(G, f, h, inner=True), (f * h.conj()).sum(-1), atol=TOL)
    back = inverse_fourier_transform(G, fourier_transform(G, f))
    assert back.dtype == np.float64 and np.allclose(back, f, atol=TOL)


@pytest.mark.parametrize("n", [6, 7])
def test_fft_matches_dense_batched(n):
    G = AlternatingGroup(n)
    f = np.random.default_rng(n).normal(size=(2, G.order))
    Ff, Fd = fourier_transform(G, f, method="fft"), fourier_transform(G, f, method="dense")
    for label in Fd:
        assert np.allclose(Ff[label], Fd[label], atol=1e-8)
    assert np.allclose(inverse_fourier_transform(G, Ff, method="fft"), f)
    part = fourier_transform(G, f, irreps=[G.irreps()[-1].label, G.irreps()[1].label])
    assert set(part) == {G.irreps()[-1].label, G.irreps()[1].label}
    for label in part:
        assert np.allclose(part[label], Fd[label], atol=1e-8)


def test_fft_on_a8_matches_characters():
    """A_8 (20160 elements, no dense oracle): the transform of a class indicator is
    (|C| χ(C) / d) · I by Schur's lemma."""
    G = AlternatingGroup(8)
    t = G.character_table()
    k = 5
    f = (G.class_of == k).astype(float)
    F = fourier_transform(G, f)
    for i, rho in enumerate(G.irreps()):
        want = t.class_sizes[k] * complex(t.values[i, k]) / rho.dim
        assert np.allclose(F[rho.label], want * np.eye(rho.dim), atol=1e-8)
    assert np.allclose(inverse_fourier_transform(G, F), f, atol=1e-9)


def test_torch_path_matches_numpy():
    torch = pytest.importorskip("torch")
    G = AlternatingGroup(5)
    f = np.random.default_rng(3).normal(size=(2, G.order))
    F = fourier_transform(G, f)
    Ft = fourier_transform(G, torch.from_numpy(f))
    for label in F:
        assert np.allclose(Ft[label].numpy(), F[label])
    back = inverse_fourier_transform(G, Ft)
    assert isinstance(back, torch.Tensor) and np.allclose(back.numpy(), f)


def test_exact_transform_round_trip():
    G = AlternatingGroup(4)
    f = np.array([sp.Rational(k - 5, k % 3 + 1) for k in range(G.order)], dtype=object)
    F = fourier_transform(G, f)
    assert F.exact
    back = inverse_fourier_transform(G, F)
    assert all(sp.simplify(a - b) == 0 for a, b in zip(back, f))
    assert all(a == b for a, b in zip(back, f))  # canonical: equal as expressions
    Fn = fourier_transform(G, np.array(f, dtype=float))
    for label in F:
        assert np.allclose(np.array(F[label], dtype=complex), Fn[label])


# ------------------------------------------------------------------ CLI and strategies
def test_cli_table_a5(capsys):
    assert main(["table", "A5"]) == 0
    out = capsys.readouterr().out
    assert "A5 character table" in out and "1/2 + sqrt(5)/2" in out and "(5)+" in out


def test_cli_table_and_info_a6(capsys):
    """A_6 from the command line: 7 classes (the 5-cycles split, sizes 72 + 72), the two
    degree-8 characters (3,2,1)± take (1 ± √5)/2 there (the ATLAS values of A_6)."""
    assert main(["table", "A6"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "A6 character table" and lines[1].split()[-2:] == ["(5,1)+", "(5,1)-"]
    assert lines[2].split()[1:] == ["1", "45", "40", "40", "90", "72", "72"]
    plus = next(line for line in lines if line.split()[0] == "(3,2,1)+")
    assert plus.split()[1:6] == ["8", "0", "-1", "-1", "0"]
    assert " ".join(plus.split()[6:]) == "1/2 + sqrt(5)/2 1/2 - sqrt(5)/2"
    assert main(["info", "A6"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("AlternatingGroup(6): order 360, 7 conjugacy classes")


@given(groups(families=("A",), max_order=360))
def test_strategy_draws_alternating_groups(G):
    assert isinstance(G, AlternatingGroup) and G.n >= 3 and G.order <= 360
    assert isinstance(SymmetricGroup(G.n), SymmetricGroup)
