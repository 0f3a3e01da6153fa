"""Spectrum and TaskModel validation, and the spectrum constructors."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dynamics import Spectrum, TaskModel, parse_horizons, step_law, symmetric_step_law


@given(st.lists(st.integers(1, 200), min_size=1, max_size=6, unique=True),
       st.lists(st.floats(0.01, 10), min_size=6, max_size=6))
def test_valid_spectra_are_accepted_and_invalid_sums_rejected(hs, raw):
    hs = sorted(hs)
    w = np.array(raw[:len(hs)])
    w = w / w.sum()
    s = Spectrum(tuple(hs), tuple(w))
    assert s.horizons == tuple(hs) and math.isclose(sum(s.weights), 1.0)
    assert all(r > 1 for r in s.ratios) and len(s.ratios) == len(hs) - 1
    with pytest.raises(ValueError, match="weights must sum to 1"):
        Spectrum(tuple(hs), tuple(w * 1.01))


def test_constructors():
    assert Spectrum.geometric(5, 3, 3).horizons == (5, 15, 45)
    assert Spectrum.geometric(5, 7, 2).max_ratio == 7
    assert Spectrum.jump(5, 45, hard_weight=0.25).weights == (0.75, 0.25)
    assert Spectrum.uniform(1, 4).horizons == (1, 2, 3, 4)
    z = Spectrum.zipf((1, 2, 4), exponent=1.0)
    assert np.allclose(z.weights, np.array([1, 0.5, 0.25]) / 1.75)
    assert Spectrum((45,)).max_ratio == 1.0


@pytest.mark.parametrize("args, match", [
    (((0, 5),), "each horizon must be an integer >= 1"),
    (((5, 5),), "strictly increasing"),
    (((5, 15), (0.5,)), "one weight per horizon"),
    (((5, 15), (1.5, -0.5)), "non-negative"),
    (((5.5,),), "each horizon must be an integer"),
    (((),), "at least one horizon"),
])
def test_spectrum_errors(args, match):
    with pytest.raises(ValueError, match=match):
        Spectrum(*args)


def test_constructor_errors():
    with pytest.raises(ValueError, match="ratio must be a finite number > 1"):
        Spectrum.geometric(5, 1.0, 3)
    with pytest.raises(ValueError, match="hard_weight must lie in"):
        Spectrum.jump(5, 45, hard_weight=2)
    with pytest.raises(ValueError, match="expected comma-separated integers"):
        parse_horizons("5,x")
    with pytest.raises(ValueError, match="exceeds |G|=12"):
        Spectrum((5, 15)).check_fits(12)


def test_task_model_validation_and_step_law_normalisation():
    with pytest.raises(ValueError, match="M is the number of identifiers"):
        TaskModel(group="Z12", M=1)
    with pytest.raises(ValueError, match="expected 'Z<n>'"):
        TaskModel(group="Q8")
    m = TaskModel(group="D6", c_B=3)
    assert m.B == pytest.approx(3 * math.log(12)) and m.sigma0 == pytest.approx(12 ** -0.5)
    qr, qo, qf = symmetric_step_law(m, np.linspace(-3, 6, 7), 5)
    assert np.allclose(qr + 4 * qo + 7 * qf, 1.0)
    law = step_law(m, np.random.default_rng(0).dirichlet(np.ones(5), size=3))
    assert np.allclose(law.on_ops.sum(-1) + 7 * law.off, 1.0)
    with pytest.raises(ValueError, match="attention weights"):
        step_law(m, [0.5, 0.6])
