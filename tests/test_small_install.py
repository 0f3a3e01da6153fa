"""The theory half works without torch or dask (issue 17, part 2: a small install).

Each check runs in a fresh interpreter whose import system refuses torch, dask and
distributed (a meta-path hook raising ImportError, as on a machine where they are not
installed), so a module-level ``import torch`` anywhere on the path fails the test.
The predictions are checked against independent numbers: the D12 {2, 6, 18} crossing
of the quick preset (896 updates, published in the first-hour audit) and, for the
success probability, the hand count of the ``success_probability`` docstring.
"""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BLOCK = textwrap.dedent("""
    import sys

    class _Missing:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("torch", "dask", "distributed"):
                raise ImportError(f"No module named {name!r} (blocked by the test)")

    sys.meta_path.insert(0, _Missing())
""")


def _run(code: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
               MPLBACKEND="Agg")
    return subprocess.run([sys.executable, "-c", BLOCK + textwrap.dedent(code)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)


def test_blocking_hook_really_blocks_torch():
    proc = _run("import torch")
    assert proc.returncode != 0 and "blocked by the test" in proc.stderr


def test_groupfourier_and_dynamics_work_without_torch():
    proc = _run("""
        import math
        import numpy as np
        import groupfourier, dynamics
        from groupfourier import DihedralGroup, fourier_transform, inverse_fourier_transform
        from dynamics import Spectrum, TaskModel, predict, success_probability

        G = DihedralGroup(8)
        f = np.random.default_rng(0).random(G.order)
        assert np.allclose(inverse_fourier_transform(G, fourier_transform(G, f)), f)

        r = predict(TaskModel(group="D12", M=24, c_B=4), Spectrum((2, 6, 18)), lr=3, batch=256)
        print(repr(r.crossings[(18, 0.5)]), r.regime)

        z = 2 * 5 ** 0.5 + 3
        p = success_probability(TaskModel(group="Z5", c_B=1), [[1, 2]], np.full((1, 2, 2), 0.5))
        assert math.isclose(p[0], (2 * 5 + 3) / z ** 2, rel_tol=1e-12), p
        assert not any(m.split(".")[0] == "torch" for m in sys.modules)
        print("ok")
    """)
    assert proc.returncode == 0, proc.stderr[-3000:]
    t_half, regime, ok = proc.stdout.split()
    # the torch-free path gives the prediction that this (torch-loaded) process gives
    from dynamics import Spectrum, TaskModel, predict
    r = predict(TaskModel(group="D12", M=24, c_B=4), Spectrum((2, 6, 18)), lr=3, batch=256)
    assert float(t_half) == r.crossings[(18, 0.5)] and regime == r.regime and ok == "ok"


def test_dynamics_cli_predicts_without_torch():
    proc = _run("""
        import runpy
        sys.argv = ["python -m dynamics", "predict", "--group", "D12", "--horizons", "2,6,18"]
        runpy.run_module("dynamics", run_name="__main__")
    """)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "regime:" in proc.stdout


def test_import_groupfourier_defers_sympy_and_torch():
    # what keeps `import groupfourier` fast (sympy is ~0.3 s of imports, torch ~2 s)
    proc = _run("""
        import groupfourier, dynamics
        loaded = sorted({m.split(".")[0] for m in sys.modules} & {"sympy", "torch", "matplotlib"})
        print(",".join(loaded))
    """)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip() == "", f"imported eagerly: {proc.stdout.strip()}"


def test_torch_tensors_still_accepted_when_torch_is_present():
    torch = __import__("pytest").importorskip("torch")
    import numpy as np

    from dynamics import TaskModel, success_probability, success_probability_torch
    from groupfourier import CyclicGroup

    G = CyclicGroup(5)
    Q = torch.zeros(3, 3, dtype=torch.float64)
    ops = torch.tensor([[1, 2]])
    p = success_probability_torch(G, Q, ops, torch.tensor([[0, 2]]), torch.tensor([0]), B=3.0,
                                  perm=torch.tensor([0, 1, 2]))
    assert isinstance(p, torch.Tensor) and p.dtype == torch.float64
    # Q = 0: each step attends 1/2 to each clause; same as the numpy API at alpha = 1/2
    q = success_probability(TaskModel(group="Z5", c_B=3.0 / np.log(5)), ops.numpy(),
                            np.full((1, 2, 2), 0.5))
    assert np.isclose(float(p[0]), q[0], rtol=1e-12)


def test_verify_without_torch_names_the_extra():
    proc = _run("import verify")
    assert proc.returncode != 0
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: verify needs torch") and "[verify]" in last, last
