"""Tensor-core speed next to PyTorch and NumPy, measured in one run, printed as ratios.

    python benchmarks/bench_core.py

Each figure is the best of several repeats (``timeit``); ratios below 1 mean autogradviz is
faster. PyTorch is the dev-only parity oracle (``torch==2.13.0``, CPU build).
"""

from __future__ import annotations

import os
import timeit

os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")

import numpy as np
import torch

import autogradviz as agv


def best(stmt, namespace, number):
    return min(timeit.repeat(stmt, globals=namespace, number=number, repeat=7)) / number


def row(label, ours, theirs, numpy_time=None):
    np_part = f"{numpy_time * 1e6:10.2f} {ours / numpy_time:8.2f}x" if numpy_time else " " * 20
    print(f"{label:34s} {ours * 1e6:10.2f} {theirs * 1e6:10.2f} {ours / theirs:8.2f}x {np_part}")


def main():
    print(f"{'case':34s} {'ours us':>10s} {'torch us':>10s} {'vs torch':>9s} "
          f"{'numpy us':>10s} {'vs numpy':>9s}")
    rng = np.random.default_rng(0)
    small = [rng.standard_normal(3).astype(np.float32) for _ in range(2)]
    big = [rng.standard_normal(10**6).astype(np.float32) + 2 for _ in range(2)]
    for label, arrays, number in (("3 elements", small, 20000), ("10^6 elements", big, 50)):
        ns = {
            "a": agv.from_numpy(arrays[0].copy()), "b": agv.from_numpy(arrays[1].copy()),
            "ta": torch.from_numpy(arrays[0].copy()), "tb": torch.from_numpy(arrays[1].copy()),
            "na": arrays[0].copy(), "nb": arrays[1].copy(), "np": np, "agv": agv,
            "torch": torch,
        }
        for op, ours, theirs, numpy_stmt in (
            ("a + b", "a + b", "ta + tb", "na + nb"),
            ("a * b", "a * b", "ta * tb", "na * nb"),
            ("a / b", "a / b", "ta / tb", "na / nb"),
            ("a.exp()", "a.exp()", "ta.exp()", "np.exp(na)"),
            ("a.sum()", "a.sum()", "ta.sum()", "na.sum()"),
            ("a > b", "a > b", "ta > tb", "na > nb"),
            ("a[0]", "a[0]", "ta[0]", "na[0, ...]"),
            ("a.view(-1, 1)", "a.view(-1, 1)", "ta.view(-1, 1)", "na.reshape(-1, 1)"),
        ):
            row(f"{op} ({label})", best(ours, ns, number), best(theirs, ns, number),
                best(numpy_stmt, ns, number))
    ns = {"agv": agv, "torch": torch}
    row("manual_seed + randn(3, 4, 5)", best("agv.manual_seed(1); agv.randn(3, 4, 5)", ns, 2000),
        best("torch.manual_seed(1); torch.randn(3, 4, 5)", ns, 2000))
    row("randn(10**6)", best("agv.randn(10**6)", ns, 20), best("torch.randn(10**6)", ns, 20))
    row("rand(10**6)", best("agv.rand(10**6)", ns, 20), best("torch.rand(10**6)", ns, 20))
    row("randn(10**6, dtype=float64)", best("agv.randn(10**6, dtype=agv.float64)", ns, 20),
        best("torch.randn(10**6, dtype=torch.float64)", ns, 20))


if __name__ == "__main__":
    main()
