"""Groups Z_n, D_n, S_n: axioms, conventions, classes, strategies and bad input.

Oracles: the defining formulas written out here (addition mod n, r^a s^e
products, composition of one-line permutations), brute-force conjugation over
the whole group, and a cycle-type count independent of the package's.
"""

from collections import Counter
from math import factorial

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from groupfourier import CyclicGroup, DihedralGroup, SymmetricGroup, group_from_name
from groupfourier.groups import DirectProduct
from groupfourier.strategies import (ALL_FAMILIES, elements, functions_on, groups,
                                     groups_and_functions, StrategyArgumentError)


# ----------------------------------------------------------------- oracles
def naive_product(G, a, b):
    """The group law from its definition, independent of the package."""
    if isinstance(G, CyclicGroup):
        return (a + b) % G.n
    if isinstance(G, DihedralGroup):
        (ka, ea), (kb, eb) = a, b
        return ((ka + (-1) ** ea * kb) % G.n, (ea + eb) % 2)
    if isinstance(G, DirectProduct):  # componentwise
        return tuple(naive_product(F, x, y) for F, x, y in zip(G.factors, a, b))
    return tuple(a[b[i]] for i in range(G.n))  # (σ·τ)(i) = σ(τ(i))


def cycle_type(p):
    seen, out = set(), []
    for i in range(len(p)):
        if i not in seen:
            j, length = i, 0
            while j not in seen:
                seen.add(j)
                j, length = p[j], length + 1
            out.append(length)
    return tuple(sorted(out, reverse=True))


# -------------------------------------------------------------- axioms
@given(st.data())
def test_group_axioms_and_group_law(data):
    G = data.draw(groups(families=ALL_FAMILIES))
    a, b, c = (data.draw(elements(G)) for _ in range(3))
    assert G.multiply(a, b) == naive_product(G, a, b)
    assert G.multiply(G.multiply(a, b), c) == G.multiply(a, G.multiply(b, c))
    assert G.multiply(G.identity, a) == a == G.multiply(a, G.identity)
    assert G.multiply(a, G.inverse(a)) == G.identity == G.multiply(G.inverse(a), a)
    assert G.elements[G.index(a)] == a


@given(groups(families=ALL_FAMILIES))
def test_cayley_table_is_a_latin_square_matching_multiply(G):
    T = G.cayley_table
    n = G.order
    assert T.shape == (n, n) and T.dtype.kind == "i"
    assert not T.flags.writeable
    ar = np.arange(n)
    assert all((np.sort(T[i]) == ar).all() and (np.sort(T[:, i]) == ar).all() for i in range(n))
    for i in range(n):
        for j in range(0, n, max(1, n // 5)):
            assert G.elements[T[i, j]] == naive_product(G, G.elements[i], G.elements[j])
    assert (G.inverse_indices[T] == T.T[G.inverse_indices][:, G.inverse_indices]).all()


@given(groups(families=ALL_FAMILIES))
def test_identity_first_elements_distinct_and_order(G):
    assert G.elements[0] == G.identity
    assert len(set(G.elements)) == len(G.elements) == G.order == len(G)
    assert all(g in G for g in G.elements)


def test_orders_and_element_conventions():
    assert CyclicGroup(5).elements == (0, 1, 2, 3, 4)
    D = DihedralGroup(3)
    assert D.order == 6 and D.elements == ((0, 0), (1, 0), (2, 0), (0, 1), (1, 1), (2, 1))
    r, s = (1, 0), (0, 1)
    assert D.multiply(D.multiply(s, r), s) == D.inverse(r)  # s r s = r^-1
    S = SymmetricGroup(3)
    assert S.order == 6 and S.elements[0] == (0, 1, 2)
    assert list(S.elements) == sorted(S.elements)  # lexicographic
    # τ acts first: σ = (0 1), τ = (1 2); σ·τ sends 1 -> τ -> 2 -> σ -> 2, 2 -> 1 -> 0.
    assert S.multiply((1, 0, 2), (0, 2, 1)) == (1, 2, 0)
    assert SymmetricGroup(12).order == factorial(12)


@given(groups(families=ALL_FAMILIES), st.data())
def test_index_level_matches_element_level(G, data):
    i = data.draw(st.lists(st.integers(0, G.order - 1), min_size=1, max_size=6))
    j = data.draw(st.lists(st.integers(0, G.order - 1), min_size=len(i), max_size=len(i)))
    prod = G.mul_idx(np.array(i), np.array(j))
    assert prod.tolist() == [G.index(G.multiply(G.elements[a], G.elements[b])) for a, b in zip(i, j)]
    assert G.inv_idx(np.array(i)).tolist() == [G.index(G.inverse(G.elements[a])) for a in i]


# ---------------------------------------------------------- conjugacy classes
@given(groups(families=ALL_FAMILIES))
def test_conjugacy_classes_by_brute_force(G):
    els = G.elements
    orbit = {g: frozenset(naive_product(G, naive_product(G, h, g), G.inverse(h)) for h in els)
             for g in els}
    classes = G.conjugacy_classes
    assert sum(c.size for c in classes) == G.order
    assert classes[0].size == 1 and classes[0].representative == G.identity
    assert len(classes) == len(set(orbit.values()))
    for g in els:
        c = classes[G.class_of[G.index(g)]]
        assert orbit[g] == orbit[c.representative]
        assert len(orbit[g]) == c.size
    assert not G.class_of.flags.writeable


@given(groups(families=("S",), max_order=120))
def test_symmetric_class_labels_are_cycle_types(G):
    counts = Counter(cycle_type(g) for g in G.elements)
    for c in G.conjugacy_classes:
        assert cycle_type(c.representative) == c.label
        assert counts[c.label] == c.size
    assert [c.label for c in G.conjugacy_classes] == sorted(counts)  # lexicographic


@given(groups(families=("D",), max_order=40))
def test_dihedral_class_labels(G):
    n = G.n
    for c in G.conjugacy_classes:
        members = {g for g in G.elements if G.class_of[G.index(g)] == G.conjugacy_classes.index(c)}
        if c.label[0] == "r":
            assert members == {(c.label[1] % n, 0), ((-c.label[1]) % n, 0)}
        elif len(c.label) == 1:
            assert n % 2 == 1 and members == {(k, 1) for k in range(n)}
        else:
            assert n % 2 == 0 and members == {(k, 1) for k in range(c.label[1], n, 2)}


def test_direct_product_element_order_and_classes():
    A, B = DihedralGroup(3), SymmetricGroup(3)
    G = DirectProduct(A, B)
    assert G.elements == tuple((a, b) for a in A.elements for b in B.elements)  # first factor slowest
    assert [c.label for c in G.conjugacy_classes] == [(x.label, y.label) for x in A.conjugacy_classes
                                                      for y in B.conjugacy_classes]
    assert not G.is_abelian and DirectProduct(CyclicGroup(2), CyclicGroup(3)).is_abelian
    three = DirectProduct(CyclicGroup(2), CyclicGroup(2), CyclicGroup(3))
    assert three.order == 12 and three.multiply((1, 1, 2), (1, 0, 2)) == (0, 1, 1)


def test_cyclic_classes_are_elements():
    Z = CyclicGroup(6)
    assert [c.label for c in Z.conjugacy_classes] == list(range(6))
    assert Z.is_abelian and not DihedralGroup(3).is_abelian and DihedralGroup(2).is_abelian


def test_large_symmetric_group_has_classes_without_elements():
    S = SymmetricGroup(14)
    assert sum(c.size for c in S.conjugacy_classes) == factorial(14)
    assert len(S.conjugacy_classes) == 135
    with pytest.raises(ValueError, match=r"n <= 11; got n=14"):
        S.element_array


# ------------------------------------------------------------------- values
def test_groups_are_values_and_names_round_trip():
    assert CyclicGroup(4) == CyclicGroup(4) and hash(DihedralGroup(3)) == hash(DihedralGroup(3))
    assert CyclicGroup(4) != DihedralGroup(4)
    for G in (CyclicGroup(12), DihedralGroup(6), SymmetricGroup(5)):
        assert group_from_name(G.name) == G
        assert repr(G) in ("CyclicGroup(12)", "DihedralGroup(6)", "SymmetricGroup(5)")
    assert group_from_name("C7") == CyclicGroup(7)
    P = group_from_name("Z2xS3")
    assert P == DirectProduct(CyclicGroup(2), SymmetricGroup(3)) and group_from_name(P.name) == P
    assert repr(P) == "DirectProduct(CyclicGroup(2), SymmetricGroup(3))"
    assert group_from_name("S_4") == SymmetricGroup(4)


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("make, pattern", [
    (lambda: SymmetricGroup(0), r"SymmetricGroup\(n\).*integer >= 1; got n=0"),
    (lambda: CyclicGroup(-3), r"CyclicGroup\(n\).*got n=-3"),
    (lambda: DihedralGroup(1.5), r"DihedralGroup\(n\): n is the number of vertices.*got n=1.5"),
    (lambda: CyclicGroup(True), r"got n=True"),
    (lambda: SymmetricGroup("3"), r"got n='3'"),
    (lambda: DihedralGroup(4).index((4, 0)), r"\(4, 0\) is not an element of D4"),
    (lambda: SymmetricGroup(3).index((0, 0, 1)), r"\(0, 0, 1\) is not an element of S3"),
    (lambda: CyclicGroup(3).multiply(1, 3), r"3 is not an element of Z3; expected an integer in 0..2"),
    (lambda: CyclicGroup(3).mul_idx(1, 5), r"indices must lie in 0..2"),
    (lambda: CyclicGroup(3).mul_idx(1.0, 1), r"indices must be integers"),
    (lambda: group_from_name("Q8"), r"expected 'Z<n>', 'D<n>'.*got 'Q8'"),
    (lambda: group_from_name("S0"), r"got n=0"),
    (lambda: DirectProduct(CyclicGroup(2)), r"two or more groups.*got \(CyclicGroup\(2\),\)"),
    (lambda: DirectProduct(CyclicGroup(2), 3), r"two or more groups"),
    (lambda: DirectProduct(CyclicGroup(2), CyclicGroup(3)).index((0, 3)),
     r"\(0, 3\) is not an element of Z2xZ3; expected a tuple of 2 elements"),
])
def test_bad_input_names_the_value(make, pattern):
    with pytest.raises(ValueError, match=pattern):
        make()


# ---------------------------------------------------------------- strategies
@settings(max_examples=60)
@given(st.data())
def test_groups_strategy_respects_bounds_and_families(data):
    fams = data.draw(st.lists(st.sampled_from("ZDSP"), min_size=1, max_size=4, unique=True))
    # D_1 has order 2 and Z_2 x Z_2 order 4: smaller bounds leave those families empty.
    bound = data.draw(st.integers(4 if "P" in fams else 2, 30))
    G = data.draw(groups(families=fams, max_order=bound))
    assert G.order <= bound
    assert ("P" if isinstance(G, DirectProduct) else G.name[0]) in fams


def test_groups_strategy_covers_all_three_families():
    from hypothesis import find
    for fam in "ZDS":
        assert find(groups(), lambda G, f=fam: G.name[0] == f and not G.is_abelian or
                    (f == "Z" and G.name[0] == "Z" and G.order == 24)).name[0] == fam
    assert find(groups(), lambda G: G.order == 24 and G.name[0] == "S") == SymmetricGroup(4)


@given(groups_and_functions())
def test_groups_and_functions_shapes(Gf):
    G, f = Gf
    assert f.shape[-1] == G.order and f.ndim <= 3 and np.isfinite(f).all()
    assert np.all(np.abs(f) <= 1)


@given(st.data())
def test_functions_on_options(data):
    G = data.draw(groups(max_order=12))
    f = data.draw(functions_on(G, exact=True, batch_shape=(2,)))
    assert f.shape == (2, G.order) and f.dtype == object
    import sympy as sp
    assert all(isinstance(v, sp.Rational) for v in f.ravel())
    z = data.draw(functions_on(G, dtype="complex128", max_batch_dims=1))
    assert z.dtype == np.complex128 and z.shape[-1] == G.order


@pytest.mark.parametrize("make, pattern", [
    (lambda: groups(max_order=0), r"max_order must be an integer >= 1; got max_order=0"),
    (lambda: groups(max_order=2.5), r"got max_order=2.5"),
    (lambda: groups(families=("Q",)), r"families must be a non-empty subset.*got families=\('Q',\)"),
    (lambda: groups(families=()), r"families"),
    (lambda: groups(families=("S",), max_order=24, min_order=25), r"min_order <= max_order"),
    (lambda: groups(families=("S",), min_order=7, max_order=23), r"no group of families"),
    (lambda: functions_on(CyclicGroup(3), max_batch_dims=-1), r"got max_batch_dims=-1"),
    (lambda: functions_on(CyclicGroup(3), dtype="int8"), r"dtype must be one of"),
    (lambda: functions_on(CyclicGroup(3), batch_shape=[2]), r"batch_shape must be a tuple"),
    (lambda: functions_on("Z3"), r"G must be a FiniteGroup"),
    (lambda: elements(3), r"G must be a FiniteGroup"),
    (lambda: groups_and_functions(max_batch_dims=-2), r"got max_batch_dims=-2"),
])
def test_bad_strategy_arguments(make, pattern):
    with pytest.raises(InvalidArgument, match=pattern):
        make()
    with pytest.raises(ValueError, match=pattern):
        make()
    assert issubclass(StrategyArgumentError, ValueError)


def test_partitions_counts_order_and_centralisers():
    from groupfourier.partitions import centralizer_order, conjugate, partitions
    known = [1, 1, 2, 3, 5, 7, 11, 15, 22, 30, 42, 56, 77, 101, 135, 176, 231]  # OEIS A000041
    assert [len(partitions(n)) for n in range(17)] == known
    for n in range(1, 12):
        ps = partitions(n)
        assert list(ps) == sorted(ps, reverse=True) and ps[0] == (n,) and ps[-1] == (1,) * n
        assert all(sum(p) == n and list(p) == sorted(p, reverse=True) for p in ps)
        assert sum(factorial(n) // centralizer_order(p) for p in ps) == factorial(n)
        assert sorted(conjugate(p) for p in ps) == sorted(ps)
    with pytest.raises(ValueError, match=r"n must be an integer >= 0; got n=-1"):
        partitions(-1)
