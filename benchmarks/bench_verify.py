"""Throughput of one RL update (sample prompts, roll out, REINFORCE loss, backward, SGD step).

Measured in one run, on one torch thread, at the paper preset's {5, 15, 45} on Z96 with
batch 512:

* idealised head, all steps rolled out in parallel (each step reduced to L + 1 outcomes);
* learned ReLU head, sequential rollout with the state-independent half of the first
  layer (W_m m_k) hoisted out of the step loop;
* learned head, sequential and unhoisted (the dense mass m_k over G and the full MLP at
  every step): the baseline for the hoisting.

Prints ms per update (median of repeats), updates per second per core, and the ratios
learned/ideal and unhoisted/hoisted.  Usage::

    python benchmarks/bench_verify.py [--group Z96] [--batch 512] [--updates 30] [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from verify.algos import AlgoState, objectives
from verify.config import RunConfig
from verify.heads import LearnedHead, Rollout
from verify.train import build_policy
from verify.tasks import sample_prompts


class UnhoistedLearnedHead(torch.nn.Module):
    """The learned head rolled out naively: dense m_k and the whole MLP at every step."""

    def __init__(self, head: LearnedHead):
        super().__init__()
        self.head = head

    def rollout(self, task, prompts, alpha, *, generator=None, greedy=False) -> Rollout:
        h, s, L = self.head, prompts.s0, prompts.horizon
        logp = torch.zeros(len(prompts))
        for k in range(L):
            m = torch.zeros(len(prompts), h.order).scatter_add(1, prompts.ops, alpha[:, k])
            lp = torch.log_softmax(h(s, m), -1)
            s = torch.multinomial(lp.detach().exp(), 1, generator=generator)[:, 0]
            logp = logp + lp.gather(1, s[:, None])[:, 0]
        r = (s == prompts.target).float()
        return Rollout(logp=logp, entropy=torch.zeros_like(logp), final=s, reward=r,
                       canonical=torch.zeros_like(s, dtype=torch.bool))


def time_updates(cfg: RunConfig, policy, n: int, repeats: int) -> tuple[float, float]:
    """Median (wall, CPU) seconds per update over ``repeats`` blocks of ``n`` updates.

    On one thread the process CPU time is what an otherwise idle core would take; on
    a busy machine the wall time is inflated by waiting for a core.
    """
    gen = torch.Generator().manual_seed(0)
    opt = torch.optim.SGD([policy.Q], lr=cfg.lr)
    state = AlgoState()
    times, cpu = [], []
    for _ in range(repeats + 1):  # the first block warms up
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(n):
            ps = [sample_prompts(policy.task, L, c, seed=gen)
                  for L, c in zip(cfg.horizons, cfg.batch_counts)]
            terms, _ = objectives(cfg, policy, ps, generator=gen, state=state)
            opt.zero_grad()
            sum(terms).backward()
            opt.step()
        times.append((time.perf_counter() - t0) / n)
        cpu.append((time.process_time() - c0) / n)
    return statistics.median(times[1:]), statistics.median(cpu[1:])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--group", default="Z96")
    ap.add_argument("--batch", type=int, default=512)
    ap.add_argument("--updates", type=int, default=30, help="updates per timed block")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="fewer updates (a smoke run)")
    args = ap.parse_args()
    if args.quick:
        args.updates, args.repeats = 5, 1
    torch.set_num_threads(1)
    ideal = RunConfig(group=args.group, horizons=(5, 15, 45), batch=args.batch, lr=30.0)
    learned = RunConfig(group=args.group, horizons=(5, 15, 45), batch=args.batch, lr=30.0,
                        head="learned")
    p_ideal = build_policy(ideal)
    p_learned = build_policy(learned)
    p_naive = build_policy(learned)
    p_naive.head = UnhoistedLearnedHead(p_naive.head)
    t_ideal = time_updates(ideal, p_ideal, args.updates, args.repeats)
    t_learned = time_updates(learned, p_learned, args.updates, args.repeats)
    t_naive = time_updates(learned, p_naive, args.updates, args.repeats)
    print(f"{args.group}, horizons (5, 15, 45), batch {args.batch}, 1 torch thread, "
          f"median of {args.repeats} x {args.updates} updates")
    print(f"  {'':38s} {'wall ms':>9s} {'CPU ms':>9s} {'updates/CPU-s':>14s}")
    for name, (w, c) in (("ideal head, parallel rollout", t_ideal),
                         ("learned head, sequential, hoisted", t_learned),
                         ("learned head, sequential, unhoisted", t_naive)):
        print(f"  {name:38s} {1e3 * w:9.1f} {1e3 * c:9.1f} {1 / c:14.1f}")
    print(f"ratio learned(hoisted)/ideal, CPU time: {t_learned[1] / t_ideal[1]:5.2f}x "
          f"(wall {t_learned[0] / t_ideal[0]:.2f}x; target >= 5)")
    print(f"ratio unhoisted/hoisted, CPU time:      {t_naive[1] / t_learned[1]:5.2f}x "
          f"(wall {t_naive[0] / t_learned[0]:.2f}x)")


if __name__ == "__main__":
    main()
