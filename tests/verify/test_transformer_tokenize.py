"""Tokenisation: layout, round trips, roles, and that listing order carries no information."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from groupfourier.strategies import groups
from verify.tasks import make_task, sample_prompts
from verify.transformer.tokenize import (ROLES, Vocab, clause_positions, correct_chain, decode,
                                         encode, query_positions, roles_for, sequence_length)


@settings(max_examples=25)
@given(G=groups(max_order=12), data=st.data())
def test_encode_decode_round_trip(G, data):
    M = data.draw(st.integers(1, 8))
    L = data.draw(st.integers(1, min(G.order, M)))
    task = make_task(G, M, seed=data.draw(st.integers(0, 99)))
    p = sample_prompts(task, L, 5, seed=torch.Generator().manual_seed(1))
    states = torch.randint(G.order, (5, L), generator=torch.Generator().manual_seed(2))
    tb = encode(task, p, generator=torch.Generator().manual_seed(3), states=states)
    assert tb.tokens.shape == (5, sequence_length(L))
    q, s = decode(task, tb.tokens)
    assert torch.equal(q.ops, p.ops) and torch.equal(q.ids, p.ids)
    assert torch.equal(q.s0, p.s0) and torch.equal(q.target, p.target)
    assert torch.equal(s, states)


def test_layout_by_hand():
    from groupfourier import CyclicGroup
    task = make_task(CyclicGroup(5), 4, seed=0)
    p = sample_prompts(task, 2, 1, seed=torch.Generator().manual_seed(0))
    tb = encode(task, p, generator=torch.Generator().manual_seed(0))
    v = Vocab(5, 4)
    tok = tb.tokens[0].tolist()
    order = tb.order[0].tolist()
    # listed clauses: (identifier, operation) of step order[j]
    for j, k in enumerate(order):
        assert tok[2 * j] == int(p.ids[0, k]) + 5 and tok[2 * j + 1] == int(p.ops[0, k])
    assert tok[4] == v.sep and tok[5] == int(p.s0[0])
    for k in range(2):   # the query of step k is pi(p_k), a query name (ids 10..13: after SEP)
        assert tok[6 + 2 * k] == int(task.perm[p.ids[0, k]]) + 5 + 4 + 1 == v.query(
            int(task.perm[p.ids[0, k]]))
    assert v.size == 5 + 2 * 4 + 1
    s1 = (int(p.ops[0, 0]) + int(p.s0[0])) % 5
    assert tok[7] == s1 and tok[9] == (int(p.ops[0, 1]) + s1) % 5 == int(p.target[0])
    # clause_positions finds each step's clause identifier
    cp = clause_positions(tb.order)[0].tolist()
    assert [tok[c] - 5 for c in cp] == p.ids[0].tolist()
    assert query_positions(2).tolist() == [6, 8]


def test_roles_follow_the_layout():
    r = [ROLES[i] for i in roles_for(2).tolist()]
    assert r == ["id", "op", "id", "op", "sep", "state", "query", "state", "query", "state"]


def test_correct_chain_matches_a_step_by_step_product():
    from groupfourier import SymmetricGroup
    G = SymmetricGroup(3)
    task = make_task(G, 6, seed=1)
    p = sample_prompts(task, 4, 7, seed=torch.Generator().manual_seed(0))
    ch = correct_chain(task, p)
    for i in range(7):
        s = int(p.s0[i])
        for k in range(4):
            s = int(G.mul_idx(int(p.ops[i, k]), s))
            assert int(ch[i, k]) == s
    assert torch.equal(ch[:, -1], p.target)


def test_listing_order_is_uniform_and_independent_of_the_step():
    # the position of step 1's clause among the listed clauses is uniform over 0..L-1
    from groupfourier import CyclicGroup
    task = make_task(CyclicGroup(12), 12, seed=0)
    p = sample_prompts(task, 4, 4000, seed=torch.Generator().manual_seed(0))
    tb = encode(task, p, generator=torch.Generator().manual_seed(1))
    where = clause_positions(tb.order)[:, 0] // 2
    freq = torch.bincount(where, minlength=4).double() / 4000
    assert torch.allclose(freq, torch.full((4,), 0.25, dtype=torch.float64), atol=0.03)


def test_bad_input():
    from groupfourier import CyclicGroup
    task = make_task(CyclicGroup(5), 4, seed=0)
    p = sample_prompts(task, 2, 2, seed=torch.Generator().manual_seed(0))
    with pytest.raises(ValueError, match=r"states must have shape \(P, L\) = \(2, 2\)"):
        encode(task, p, generator=torch.Generator(), states=torch.zeros(2, 3, dtype=torch.long))
    with pytest.raises(ValueError, match="length 4L \\+ 2"):
        decode(task, torch.zeros(2, 7, dtype=torch.long))
