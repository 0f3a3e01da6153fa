"""Observed against predicted regime labels on short trainings of the minimal model
(the observed table of docs/regimes.md).

    python docs/figures/regime_observed.py OUT_DIR [FILTER]

Trains each planned configuration into OUT_DIR (idealised head, c_B 4, batch 256, seed 0),
compares it with ``verify.compare.compare_run`` and appends one JSON line per run to
OUT_DIR/observed.jsonl.  The learning rate is the smallest candidate whose predicted hard
horizon crosses 0.5 within 1,100 updates; the run lasts 1.4x that.  FILTER keeps the
configurations whose name contains it.  About an hour of CPU for the whole plan.
"""
import json, math, sys, time, tempfile, torch
torch.set_num_threads(1)
from verify.config import RunConfig
from verify.train import train
from verify.compare import compare_run
from dynamics.predict import predict

def pick(cfg, lrs):
    for lr in lrs:
        c = RunConfig(**{**cfg, "lr": lr, "updates": 100000})
        p = predict(c.training_setup())
        t = p.crossings[(max(c.horizons), 0.5)]
        if t < 1100:
            return lr, t
    return lrs[-1], t

plan = []
# cyclic groups start at L = 3: with L = 2 the two operations commute, so attending the
# wrong clause also solves L2 and sampled training takes the theta < 0 branch (stalls)
fams = {"Z": (["Z24", "Z30"], [(3, 6, 12), (3, 9, 27)], (3, 24)),
        "D": (["D8", "D10"], [(2, 4, 8), (2, 6, 18)], (2, 16)),
        "S": (["S4", "S5"], [(2, 4, 8), (2, 6, 18)], (2, 16))}
for fam, (gs, ladders, jump) in fams.items():
    for g, ladder in zip(gs, ladders):
        for hs in (ladder, jump):
            plan.append((g, hs, "sgd", "reinforce"))
    for hs in (ladders[0], jump):
        plan.append((gs[0], hs, "adam", "reinforce"))
        plan.append((gs[0], hs, "sgd", "exact"))
import os
root = sys.argv[1]
os.makedirs(root, exist_ok=True)
only = sys.argv[2] if len(sys.argv) > 2 else None
out = open(os.path.join(root, "observed.jsonl"), "a")
for g, hs, opt, algo in plan:
    if only and only not in f"{g}{hs}{opt}{algo}":
        continue
    base = dict(group=g, horizons=hs, n_ids=max(16, max(hs)), c_B=4.0, optimizer=opt, algo=algo,
                batch=256, eval_prompts=128, seed=0)
    lr, tp = pick(base, [3.0, 10.0, 30.0, 60.0] if opt == "sgd" else [0.01, 0.03, 0.1, 0.3])
    upd = int(min(2500, 1.4 * tp + 60)) if math.isfinite(tp) else 2500
    le = max(1, upd // 250)
    upd = le * math.ceil(upd / le)
    cfg = RunConfig(**base, lr=lr, updates=upd, log_every=le, checkpoint_every=upd)
    d = tempfile.mkdtemp(dir=root, prefix=f"obs_{g}_{'-'.join(map(str, hs))}_{opt}_{algo}_")
    t0 = time.time()
    train(cfg, d, progress=False)
    c = compare_run(d)
    rec = {"group": g, "horizons": hs, "optimizer": opt, "algo": algo, "lr": lr, "updates": upd,
           "log_every": le, "train_s": round(time.time() - t0, 1),
           "observed": c.regime_observed, "index_observed": c.index_observed,
           "predicted": c.regime_predicted, "index_predicted": c.index_predicted, "agree": c.agree,
           "t_observed": {str(k): v for k, v in c.t_observed.items()},
           "t_predicted": {str(k): v for k, v in c.t_predicted.items()}, "dir": d}
    out.write(json.dumps(rec, default=lambda x: None if isinstance(x, float) and not math.isfinite(x) else x) + "\n")
    out.flush()
    print(rec, flush=True)
