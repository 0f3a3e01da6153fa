"""Throughput of the transformer policy: cached generation against recomputing the prefix.

Measured in one run, on one torch thread, with the ``target`` preset's model (2 layers,
d_model 64, 4 heads, RoPE) on D15 with M = 32 (weights as initialised: the cost does not
depend on them):

* writing the chain of thought of P prompts of horizon L with the key/value cache
  (:meth:`verify.transformer.policy.TransformerPolicy.generate`, what training uses);
* the baseline: the same chain written by running the whole prefix through the model
  again at every step (no cache);
* one full RL update of the smooth ladder {2, 4, 8, 16, 24} (sampling, teacher-forced
  pass, REINFORCE loss, backward, Adam step).

Both generators are checked to write the same greedy chain.  Prints ms (median of
repeats) and the ratio uncached / cached.  Usage::

    python benchmarks/bench_transformer.py [--batch 256] [--horizon 24] [--repeats 5] [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from verify.algos import AlgoState, objectives
from verify.tasks import make_task, sample_prompts
from verify.transformer.policy import TransformerPolicy
from verify.transformer.presets import transformer_preset
from verify.transformer.pretrain import build_model
from verify.transformer.tokenize import encode, query_positions, roles_for


@torch.no_grad()
def generate_uncached(policy: TransformerPolicy, tokens: torch.Tensor, L: int) -> torch.Tensor:
    """Greedy chain written by re-running the whole prefix at every step (the baseline)."""
    tok = tokens.clone()
    roles = roles_for(L)
    for q in query_positions(L).tolist():
        logits = policy.model(tok[:, :q + 1], roles[:q + 1]).logits[:, -1]
        tok[:, q + 1] = logits.argmax(-1)
    return tok


def _median_ms(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(1e3 * (time.perf_counter() - t0))
    return statistics.median(times)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=256, help="prompts per generation / update")
    ap.add_argument("--horizon", type=int, default=24, help="horizon L of the generation")
    ap.add_argument("--repeats", type=int, default=5, help="timed repeats (median)")
    ap.add_argument("--quick", action="store_true", help="batch 32, L 8, 2 repeats")
    args = ap.parse_args(argv)
    if args.quick:
        args.batch, args.horizon, args.repeats = 32, 8, 2
    torch.set_num_threads(1)
    cfg = transformer_preset("target", batch=args.batch)["smooth"]
    task = make_task(cfg.run.G, cfg.run.n_ids, seed=0)
    policy = TransformerPolicy(task, build_model(cfg.pretrain))
    gen = torch.Generator().manual_seed(0)
    L = args.horizon
    tokens = encode(task, sample_prompts(task, L, args.batch, seed=gen), generator=gen).tokens

    cached = policy.generate(tokens, L, greedy=True)
    if not torch.equal(cached, generate_uncached(policy, tokens, L)):
        raise SystemExit("cached and uncached generation wrote different chains")
    t_cached = _median_ms(lambda: policy.generate(tokens, L, greedy=True), args.repeats)
    t_full = _median_ms(lambda: generate_uncached(policy, tokens, L), args.repeats)

    opt = torch.optim.Adam(policy.model.parameters(), lr=cfg.run.lr)
    state = AlgoState()

    def update() -> None:
        prompts = [sample_prompts(task, h, n, seed=gen)
                   for h, n in zip(cfg.run.horizons, cfg.run.batch_counts)]
        terms, _ = objectives(cfg.run, policy, prompts, generator=gen, state=state)
        opt.zero_grad(set_to_none=True)
        sum(terms).backward()
        opt.step()

    policy.model.requires_grad_(True)
    t_update = _median_ms(update, args.repeats)
    print(f"D15, target model, batch {args.batch}, one thread ({time.strftime('%Y-%m-%d %H:%M')})")
    print(f"generate L={L}: cached {t_cached:8.1f} ms   uncached {t_full:8.1f} ms   "
          f"uncached / cached = {t_full / t_cached:.2f}x")
    print(f"one RL update of {cfg.run.horizons}: {t_update:8.1f} ms "
          f"({1e3 / t_update:.2f} updates per CPU-second)")


if __name__ == "__main__":
    main()
