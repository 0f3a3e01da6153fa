"""Slow, obvious oracles for the verify tests: dense step laws and brute-force enumeration."""

import itertools

import torch


def dense_step_laws(G, Q, perm, ops, ids, B):
    """Step laws over all of G, shape (L, |G|): softmax_h(B m_k(h)), m_k = sum_j alpha_kj delta_gj.

    Built with an explicit scatter over the whole group (no reduction to L + 1 outcomes).
    """
    L = len(ops)
    laws = []
    for k in range(L):
        scores = torch.stack([Q[perm[ids[k]], ids[j]] for j in range(L)])
        alpha = torch.softmax(scores, 0)
        m = torch.zeros(G.order, dtype=Q.dtype)
        for j in range(L):
            m = m + alpha[j] * torch.nn.functional.one_hot(torch.tensor(ops[j]), G.order).to(Q.dtype)
        laws.append(torch.softmax(B * m, 0))
    return torch.stack(laws)


def brute_force_final_law(G, laws, s0):
    """Law of s_L = h_L ... h_1 s0 by enumerating every increment sequence, shape (|G|,)."""
    L, n = laws.shape
    out = [laws.new_zeros(()) for _ in range(n)]
    for seq in itertools.product(range(n), repeat=L):
        s = G.elements[s0]
        w = laws.new_ones(())
        for k, h in enumerate(seq):
            s = G.multiply(G.elements[h], s)
            w = w * laws[k, h]
        i = G.index(s)
        out[i] = out[i] + w
    return torch.stack(out)


def brute_force_success(G, Q, perm, ops, ids, s0, B):
    """P(s_L = g_L ... g_1 s0) for one prompt, by enumeration (differentiable in Q)."""
    laws = dense_step_laws(G, Q, perm, ops, ids, B)
    target = G.elements[s0]
    for g in ops:
        target = G.multiply(G.elements[g], target)
    return brute_force_final_law(G, laws, s0)[G.index(target)]
