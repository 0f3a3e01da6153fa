"""Benchmarks of dynamics' hot paths, each with a baseline measured in the same run.

Run: ``.venv/bin/python benchmarks/bench_dynamics.py [--quick]``.  Not a test.

1. Exact prompt-averaged P_L on Z96, L = 45, 256 prompts (general attention scores Q):
   the Fourier formula at the prompt's operations (``success_probability_torch``) against
   the dense baseline, L successive convolutions of full |G|-vectors via the Cayley table.
2. The same average under the symmetric ansatz through the cached polynomial (per θ).
3. ``predict`` on Z96 for {5,15,45} (SGD, Adam, cold and warm caches) against the
   mean-field prediction.
4. The full (R, c_B) phase diagram, 8 × 7 cells (target: under a minute).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from dynamics import (Spectrum, TaskModel, prompt_averaged_success, sample_prompts,
                      success_polynomial, success_probability_torch)
from dynamics.phase import phase_diagram
from dynamics.predict import predict


def best_of(fn, repeat=3):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def dense_baseline(G, B, ops, alpha):
    """P by L dense convolutions of the step laws (O(P L |G|^2))."""
    T = np.asarray(G.cayley_table)
    n = G.order
    P_, L = ops.shape
    out = np.empty(P_)
    for p in range(P_):
        m = np.zeros((L, n))
        m[:, ops[p]] = alpha[p]
        laws = np.exp(B * m)
        laws /= laws.sum(1, keepdims=True)
        mu = np.zeros(n)
        mu[0] = 1.0
        target = 0
        for k in range(L):
            new = np.zeros(n)
            np.add.at(new, T[:, :].ravel(), (laws[k][:, None] * mu[None, :]).ravel())
            mu = new
            target = T[ops[p, k], target]
        out[p] = mu[target]
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="skip the phase diagram")
    args = ap.parse_args()
    torch.set_num_threads(2)

    model = TaskModel(group="Z96", c_B=4)
    G, M, L, P = model.group, 64, 45, 256
    pr = sample_prompts(G, L, P, M=M, seed=0)
    rng = np.random.default_rng(0)
    perm = torch.from_numpy(rng.permutation(M))
    Q = torch.from_numpy(rng.normal(scale=2.0, size=(M, M)))
    Q[perm, torch.arange(M)] += 4.0
    args_t = (torch.from_numpy(pr.ops), torch.from_numpy(pr.ids), torch.from_numpy(pr.s0))
    t_fast, P_fast = best_of(lambda: success_probability_torch(G, Q, *args_t, B=model.B, perm=perm))
    scores = Q.numpy()[perm.numpy()[pr.ids][:, :, None], pr.ids[:, None, :]]
    alpha = np.exp(scores - scores.max(-1, keepdims=True))
    alpha /= alpha.sum(-1, keepdims=True)
    t_dense, P_dense = best_of(lambda: dense_baseline(G, model.B, pr.ops, alpha), repeat=1)
    assert np.allclose(P_fast.numpy(), P_dense, atol=1e-12)
    print(f"[1] exact mean P_L, Z96, L=45, 256 prompts, any Q: Fourier {t_fast * 1e3:.1f} ms, "
          f"dense convolutions {t_dense * 1e3:.0f} ms, speed-up x{t_dense / t_fast:.0f}")

    Qr = Q.clone().requires_grad_(True)
    t_grad, _ = best_of(lambda: success_probability_torch(G, Qr, *args_t, B=model.B, perm=perm).mean().backward())
    print(f"    with the gradient dP/dQ: {t_grad * 1e3:.1f} ms")

    success_polynomial.cache_clear()
    t_build, _ = best_of(lambda: success_polynomial(G, 45), repeat=1)
    theta = np.linspace(0, 8, 1000)
    t_poly, _ = best_of(lambda: prompt_averaged_success(model, 45, theta))
    print(f"[2] symmetric ansatz: polynomial build {t_build * 1e3:.0f} ms once, then "
          f"{t_poly / len(theta) * 1e6:.1f} us per θ; vs the Fourier path per θ x{t_fast / (t_poly / len(theta)):.0f}")

    spec = Spectrum((5, 15, 45))
    success_polynomial.cache_clear()
    t_cold, r = best_of(lambda: predict(model, spec), repeat=1)
    t_warm, _ = best_of(lambda: predict(model, spec))
    t_adam, _ = best_of(lambda: predict(model, spec, optimizer="adam", lr=0.01), repeat=1)
    t_mf, _ = best_of(lambda: predict(model, spec, form="mean_field"))
    print(f"[3] predict Z96 {{5,15,45}}: SGD cold {t_cold:.2f} s, warm {t_warm:.2f} s, Adam "
          f"{t_adam:.2f} s; mean-field baseline {t_mf:.2f} s (exact/mean-field x{t_warm / t_mf:.1f})")
    if not args.quick:
        t_pd, _ = best_of(lambda: phase_diagram("Z96", [1.5, 2, 3, 4, 5, 6, 7, 9],
                                                [2.5, 3, 3.5, 4, 5, 6, 8]), repeat=1)
        print(f"[4] phase diagram 8 x 7 cells on Z96: {t_pd:.1f} s (target < 60 s, x{60 / t_pd:.1f} margin)")


if __name__ == "__main__":
    main()
