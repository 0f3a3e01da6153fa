"""scripts/slope_table.py: exact slopes at θ = 0 against brute-force words and the Fourier path."""

import itertools
import math
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from dynamics import TaskModel, prompt_averaged_success
from groupfourier import group_from_name

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from slope_table import main, slope_at_zero, slope_difference, word_counts  # noqa: E402


def brute_force_counts(G, ops):
    """N_{L-1}, N_L of one prompt by listing every word (own or any op at each step)."""
    L = len(ops)
    els = G.elements
    target = G.identity
    for k in range(L):
        target = G.multiply(els[ops[k]], target)
    n1 = n0 = 0
    for own in [None] + list(range(L)):          # None: no own step; k: the one own step
        for free in itertools.product(range(L), repeat=L if own is None else L - 1):
            it = iter(free)
            y = G.identity
            for k in range(L):
                h = ops[k] if k == own else ops[next(it)]
                y = G.multiply(els[h], y)
            if y == target:
                if own is None:
                    n0 += 1
                else:
                    n1 += 1
    return n1, n0


@pytest.mark.parametrize("name, L", [("S3", 3), ("D4", 4), ("S4", 3), ("Z6", 3)])
def test_word_counts_match_brute_force(name, L):
    G = group_from_name(name)
    rng = np.random.default_rng(1)
    ops = np.array([rng.choice(G.order, L, replace=False) for _ in range(6)])
    a, b = word_counts(G, ops)
    for p in range(len(ops)):
        assert (int(a[p]), int(b[p])) == brute_force_counts(G, ops[p].tolist())


@pytest.mark.parametrize("name, L", [("D4", 3), ("S3", 4), ("D4", 5)])
def test_exact_slope_matches_the_polynomial_derivative(name, L):
    """Closed form q B b^{L-1} |G| (N̄_{L-1} − N̄_L)/(L|G|) against dP̄/dθ(0) of the exact
    prompt-averaged polynomial (every ordered prompt)."""
    G = group_from_name(name)
    r = slope_difference(G, L)
    assert r["method"] == "exact"
    model = TaskModel(group=name, M=8, c_B=3.0)
    _, d = prompt_averaged_success(model, L, 0.0, n_prompts=math.perm(G.order, L), grad=True)
    assert float(slope_at_zero(G.order, L, 3.0, r["value"])) == pytest.approx(float(d), rel=1e-9, abs=1e-15)


def test_the_issue_s_slopes_independently():
    """Zero for D4 at L = 4, negative for S3 at L = 4 and for D4 at L = 6; zero on Z_n."""
    assert slope_difference(group_from_name("D4"), 4)["value"] == 0
    assert slope_difference(group_from_name("S3"), 4)["value"] == Fraction(-1, 30)
    assert slope_difference(group_from_name("D4"), 6)["value"] < 0
    assert slope_difference(group_from_name("Z8"), 5)["value"] == 0
    mc = slope_difference(group_from_name("D4"), 3, exact_limit=10, samples=4096)
    exact = slope_difference(group_from_name("D4"), 3)["value"]
    assert mc["method"].startswith("Monte Carlo") and abs(mc["value"] - float(exact)) < 5 * mc["se"]


@pytest.mark.slow
def test_d6_at_l6_is_negative():
    assert slope_difference(group_from_name("D6"), 6)["value"] < 0


def test_cli_writes_the_table(tmp_path, capsys):
    out = tmp_path / "t.md"
    assert main(["--groups", "S3", "--max-L", "4", "--out", str(out)]) == 0
    text = out.read_text()
    assert "| S3 | 6 | 4 | 360 | exact | -1/30 | − |" in text
    assert main(["--groups", "Q8"]) == 2
    assert "error:" in capsys.readouterr().err
