# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # A tour of `groupfourier`
#
# Exact and numeric representation theory of the cyclic groups Z_n, the dihedral
# groups D_n (n vertices, order 2n) and the symmetric groups S_n: elements,
# irreducible representations, character tables, and the Fourier transform.
# Every convention used here is listed, with its test, in `docs/conventions.md`.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
import sympy as sp

from groupfourier import (CyclicGroup, DihedralGroup, SymmetricGroup, character_table, convolve,
                          decompose, fourier_transform, inverse_fourier_transform, plancherel,
                          permutation_character, regular_character, tensor_product_character)
from groupfourier.partitions import hook_length_dimension

rng = np.random.default_rng(0)

# %% [markdown]
# ## 1. Groups and their element order
#
# A function on G is an array whose last axis follows `G.elements`. In S_n a
# permutation is a one-line tuple and the product composes right to left:
# (σ·τ)(i) = σ(τ(i)). In D_n an element (k, e) stands for r^k s^e.

# %%
S4, D6, Z12 = SymmetricGroup(4), DihedralGroup(6), CyclicGroup(12)
print(S4, S4.order, S4.elements[:4])
print(D6, D6.order, D6.elements[:8])
sigma, tau = (1, 0, 2, 3), (0, 2, 1, 3)
print("σ·τ =", S4.multiply(sigma, tau))
assert S4.multiply(sigma, tau) == tuple(sigma[tau[i]] for i in range(4))
r, s = (1, 0), (0, 1)
assert D6.multiply(D6.multiply(s, r), s) == D6.inverse(r)  # s r s = r⁻¹

# %% [markdown]
# ## 2. Irreducible representations
#
# S_n's irreps are labelled by partitions and realised in Young's orthogonal
# form; their dimensions follow the hook length formula, and Σ d² = |G|.

# %%
for rho in S4.irreps():
    print(f"{str(rho.label):>14}  dim {rho.dim}")
assert all(rho.dim == hook_length_dimension(rho.label) for rho in S4.irreps())
assert sum(rho.dim ** 2 for rho in S4.irreps()) == S4.order
print(S4.irrep((2, 2)).matrix((0, 2, 1, 3), exact=True))

# %% [markdown]
# ## 3. The character tables of S_4 and D_6
#
# Rows follow the irreps (trivial first), columns the conjugacy classes (identity
# first). S_n's table comes from the Murnaghan–Nakayama rule, D_n's from closed forms.

# %%
t_s4 = character_table(S4)
print(t_s4)
t_d6 = D6.character_table()
print(t_d6)
assert t_d6.values.shape == (6, 6) and t_s4.values.shape == (5, 5)

# %% [markdown]
# Row orthogonality, Σ_C |C| χ(C) ψ(C) = |G| δ, holds exactly:

# %%
for t, G in ((t_s4, S4), (t_d6, D6)):
    gram = t.values * sp.diag(*t.class_sizes) * t.values.H
    assert gram == G.order * sp.eye(len(t.irrep_labels))

# %% [markdown]
# ## 4. Decomposing representations
#
# The regular representation contains each irrep d times; S_4 acting on four
# points is the trivial plus the standard representation; the standard one
# tensored with itself splits further.

# %%
print(decompose(S4, regular_character(S4)))
print(decompose(S4, permutation_character(S4)))
std = t_s4.character((3, 1))
square = decompose(S4, tensor_product_character(S4, std, std))
print(square)
assert decompose(S4, regular_character(S4)) == {rho.label: rho.dim for rho in S4.irreps()}
assert square == {(4,): 1, (3, 1): 1, (2, 2): 1, (2, 1, 1): 1, (1, 1, 1, 1): 0}
print(decompose(D6, permutation_character(D6)))  # D_6 on the hexagon's vertices

# %% [markdown]
# ## 5. An exact symbolic Fourier transform on S_4
#
# f̂(ρ) = Σ_g f(g) ρ(g). Symbolic input stays symbolic, and the inverse
# transform gives back the same expressions.

# %%
f = np.array(sp.symbols("f0:24"), dtype=object)
start = time.perf_counter()
F = fourier_transform(S4, f)
back = inverse_fourier_transform(S4, F)
print(f"exact S_4 transform and inverse: {time.perf_counter() - start:.2f} s")
print(F[(3, 1)][0, 0])
assert all(sp.expand(a - b) == 0 for a, b in zip(back, f))
assert sp.expand(F[(4,)][0, 0] - sum(f)) == 0  # the trivial coefficient is Σ f

# %% [markdown]
# The same on D_6, whose complex irreps bring in sixth roots of unity:

# %%
a = np.array(sp.symbols("a0:12"), dtype=object)
A = fourier_transform(D6, a)
print(A["E1"])
assert all(sp.expand(x - y) == 0 for x, y in zip(inverse_fourier_transform(D6, A), a))

# %% [markdown]
# ## 6. Convolution: the law of a product of random elements
#
# (f ∗ h)(x) = Σ_y f(x y⁻¹) h(y) is the law of X·Y for independent X ∼ f, Y ∼ h,
# and the transform turns it into a matrix product: (f ∗ h)^ = f̂ ĥ.

# %%
p = rng.random(S4.order)
p /= p.sum()
q = rng.random(S4.order)
q /= q.sum()
pq = convolve(S4, p, q)
T = S4.cayley_table
brute = np.zeros(S4.order)
np.add.at(brute, T, p[:, None] * q[None, :])  # P(X·Y = g)
assert np.allclose(pq, brute, atol=1e-12)
P, Q, PQ = fourier_transform(S4, p), fourier_transform(S4, q), fourier_transform(S4, pq)
assert all(np.allclose(PQ[lab], P[lab] @ Q[lab], atol=1e-12) for lab in PQ)
print("Plancherel:", plancherel(S4, p, q))

# %% [markdown]
# A lazy random walk on S_4 driven by random transpositions approaches the uniform
# law; its distance from uniform is carried by the non-trivial Fourier coefficients.

# %%
step = np.zeros(S4.order)
step[0] = 0.5
transpositions = [g for g in S4.elements if sum(g[i] != i for i in range(4)) == 2]
for g in transpositions:
    step[S4.index(g)] = 0.5 / len(transpositions)
law, tv = step.copy(), []
for _ in range(12):
    tv.append(0.5 * np.abs(law - 1 / S4.order).sum())
    law = convolve(S4, step, law)
assert tv[-1] < tv[0] and abs(law.sum() - 1) < 1e-12

fig, ax = plt.subplots(figsize=(4, 3))
ax.semilogy(range(1, len(tv) + 1), tv, "o-")
ax.set_xlabel("steps")
ax.set_ylabel("total variation to uniform")
ax.set_title("lazy random transpositions on S_4")
fig.tight_layout()
