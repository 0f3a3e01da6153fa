"""The transformer: shapes, causality, the key/value cache, positional encodings, bad configs."""

import math

import pytest
import torch

from verify.transformer.model import POSITIONALS, ModelConfig, Transformer
from verify.transformer.policy import theta_from_alpha
from verify.transformer.tokenize import roles_for

VOCAB, ORDER = 13, 6


def _net(positional="rope", n_layers=2, seed=0):
    cfg = ModelConfig(d_model=16, n_heads=2, d_mlp=24, n_layers=n_layers, positional=positional,
                      max_len=64)
    return Transformer(cfg, order=ORDER, vocab_size=VOCAB, seed=seed)


def _batch(L=3, P=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    T = 4 * L + 1
    return torch.randint(VOCAB, (P, T), generator=g), roles_for(L)[:-1]


@pytest.mark.parametrize("positional", POSITIONALS)
@pytest.mark.parametrize("n_layers", [1, 2])
def test_shapes_and_attention_rows_are_distributions(positional, n_layers):
    net = _net(positional, n_layers)
    tok, roles = _batch()
    out = net(tok, roles, need_attn=True)
    assert out.logits.shape == (4, tok.shape[1], ORDER)
    assert len(out.attn) == n_layers
    for a in out.attn:
        assert a.shape == (4, 2, tok.shape[1], tok.shape[1])
        assert torch.allclose(a.sum(-1), torch.ones(()), atol=1e-5)
        # causal: no mass on future keys
        assert float(a.detach().triu(diagonal=1).abs().max()) == 0.0


@pytest.mark.parametrize("positional", POSITIONALS)
def test_changing_a_future_token_leaves_earlier_logits_unchanged(positional):
    net = _net(positional)
    tok, roles = _batch(L=3)
    base = net(tok, roles).logits
    for t in (3, 7, tok.shape[1] - 1):
        alt = tok.clone()
        alt[:, t] = (alt[:, t] + 1) % VOCAB
        new = net(alt, roles).logits
        assert torch.allclose(new[:, :t], base[:, :t], atol=1e-5), t
        assert not torch.allclose(new[:, t:], base[:, t:], atol=1e-6), t


@pytest.mark.parametrize("positional", POSITIONALS)
def test_cached_incremental_pass_equals_full_pass(positional):
    net = _net(positional)
    tok, roles = _batch(L=3)
    full = net(tok, roles).logits
    out = net(tok[:, :9], roles[:9])              # the prompt up to the first query
    pieces = [out.logits]
    for a in range(9, tok.shape[1], 2):
        out = net(tok[:, a:a + 2], roles[a:a + 2], start=a, cache=out.cache)
        pieces.append(out.logits)
    assert torch.allclose(torch.cat(pieces, 1), full, atol=1e-5)


def test_manual_attention_path_equals_fused_path():
    net = _net("rope")
    tok, roles = _batch()
    assert torch.allclose(net(tok, roles, need_attn=True).logits, net(tok, roles).logits,
                          atol=1e-5)


def test_rope_scores_depend_only_on_offsets():
    # without positions a shifted copy of the input gives the same logits; with rope too,
    # since rope is relative (the shift moves every position by the same amount)
    net = _net("rope")
    tok, roles = _batch()
    a = net(tok, roles).logits
    out = net(tok[:, :2], roles[:2], start=7)          # start the same tokens at 7
    rest = net(tok[:, 2:], roles[2:], start=9, cache=out.cache).logits
    assert torch.allclose(torch.cat([out.logits, rest], 1), a, atol=1e-4)


def test_no_positional_encoding_is_permutation_blind_on_a_prefix():
    # "none", one layer: the last position attends to the set of earlier tokens, so their
    # order is invisible (with two layers the causal mask already leaks order)
    net = _net("none", n_layers=1)
    tok, roles = _batch()
    roles = torch.zeros_like(roles)
    perm = torch.cat([torch.tensor([2, 0, 1]), torch.arange(3, tok.shape[1])])
    a = net(tok, roles).logits[:, -1]
    b = net(tok[:, perm], roles).logits[:, -1]
    assert torch.allclose(a, b, atol=1e-5)
    net2 = _net("learned", n_layers=1)
    assert not torch.allclose(net2(tok, roles).logits[:, -1], net2(tok[:, perm], roles).logits[:, -1])


def test_clause_segments_tell_the_operation_its_identifier():
    # with segments the logits after an operation depend on the identifier before it even
    # with one layer and no positions; an incremental call may not split a clause
    net = Transformer(ModelConfig(d_model=16, n_heads=2, d_mlp=24, n_layers=1,
                                  positional="none"), order=ORDER, vocab_size=VOCAB)
    tok, roles = _batch(L=1)
    a = net(tok, roles).logits[:, 1]
    alt = tok.clone()
    alt[:, 0] = (alt[:, 0] + 1) % VOCAB
    # position 1 (the operation) sees position 0 anyway; compare the segment's own effect
    net.seg.weight.data.zero_()
    b = net(tok, roles).logits[:, 1]
    assert not torch.allclose(a, b)
    with pytest.raises(ValueError, match="operation token needs its identifier"):
        net(tok[:, 1:3], roles[1:3], start=1, cache=net(tok[:, :1], roles[:1]).cache)


def test_seeded_init_is_reproducible():
    a, b, c = _net(seed=1), _net(seed=1), _net(seed=2)
    sa, sb, sc = a.state_dict(), b.state_dict(), c.state_dict()
    assert all(torch.equal(sa[k], sb[k]) for k in sa)
    assert not all(torch.equal(sa[k], sc[k]) for k in sa)


@pytest.mark.parametrize("kw, match", [
    (dict(d_model=30, n_heads=4), "multiple of n_heads"),
    (dict(n_layers=3), "n_layers must be 1 or 2"),
    (dict(n_layers=0), "n_layers must be an integer >= 1"),
    (dict(positional="alibi"), "positional must be one of"),
    (dict(d_model=12, n_heads=4), "must be even"),
])
def test_bad_model_config(kw, match):
    with pytest.raises(ValueError, match=match):
        ModelConfig(**kw)


def test_sequence_longer_than_max_len_is_refused():
    net = _net("learned")
    tok = torch.zeros(1, 65, dtype=torch.long)
    with pytest.raises(ValueError, match="exceeds max_len=64"):
        net(tok, torch.zeros(65, dtype=torch.long))


def test_theta_from_alpha_inverts_the_ansatz():
    for L in (2, 5, 30):
        for th in (-1.0, 0.0, 0.7, 3.0):
            alpha = math.exp(th) / (math.exp(th) + L - 1)
            assert theta_from_alpha(alpha, L) == pytest.approx(th, abs=1e-12)
    assert math.isnan(theta_from_alpha(1.0, 3)) and math.isnan(theta_from_alpha(0.5, 1))
