"""Tensor-core speed next to PyTorch and NumPy, measured in one run, printed as ratios.

    python benchmarks/bench_core.py

Each figure is the best of several repeats (``timeit``), the repeats of ours, PyTorch's and
NumPy's taken in turns; ratios below 1 mean autogradviz is faster. PyTorch is the dev-only
parity oracle (``torch==2.13.0``, CPU build).
"""

from __future__ import annotations

import os
import timeit

os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")

import numpy as np
import torch

import autogradviz as agv


def best_interleaved(stmts, namespace, number, repeat=9):
    """The best time of each statement, their repeats taken in turns so that a burst of load
    from other processes hits all of them alike (the ratios are what matter)."""
    timers = [timeit.Timer(s, globals=namespace) for s in stmts]
    times = [[] for _ in stmts]
    for _ in range(repeat):
        for timer, ts in zip(timers, times, strict=True):
            ts.append(timer.timeit(number) / number)
    return [min(ts) for ts in times]


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
            row(f"{op} ({label})", *best_interleaved((ours, theirs, numpy_stmt), ns, number))
    ns = {"agv": agv, "torch": torch}
    for label, ours, theirs, number in (
        ("manual_seed + randn(3, 4, 5)", "agv.manual_seed(1); agv.randn(3, 4, 5)",
         "torch.manual_seed(1); torch.randn(3, 4, 5)", 2000),
        ("randn(10**6)", "agv.randn(10**6)", "torch.randn(10**6)", 20),
        ("rand(10**6)", "agv.rand(10**6)", "torch.rand(10**6)", 20),
        ("randn(10**6, dtype=float64)", "agv.randn(10**6, dtype=agv.float64)",
         "torch.randn(10**6, dtype=torch.float64)", 20),
    ):
        row(label, *best_interleaved((ours, theirs), ns, number))


if __name__ == "__main__":
    main()
