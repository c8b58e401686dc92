"""autogradviz's generator against torch's, same machine, same run.

    python benchmarks/bench_random.py

Prints the best of several runs for each case (ours and torch's taken in turns): our time,
torch's, and the ratio. torch runs its AVX2 kernels (the ones autogradviz reproduces bit for
bit).
"""

import os

os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")

import time

import numpy as np
import torch

from autogradviz import _generator as rg


def best(fns, repeat):
    """The best time of each function, their runs taken in turns so that a burst of load from
    other processes hits all of them alike."""
    for fn in fns:
        fn()  # warm up (and build any lazy tables)
    times = [[] for _ in fns]
    for _ in range(repeat):
        for fn, ts in zip(fns, times, strict=True):
            t = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t)
    return [min(ts) for ts in times]


def main():
    torch.set_num_threads(1)
    g, tg = rg.Generator(), torch.Generator()
    cases = [
        ("manual_seed(1) + normal(60) f32",
         lambda: rg.normal(g.manual_seed(1), 60, np.float32),
         lambda: torch.randn(3, 4, 5, generator=tg.manual_seed(1)), 2000),
        ("  same, torch's global manual_seed",
         lambda: rg.normal(g.manual_seed(1), 60, np.float32),
         lambda: (torch.manual_seed(1), torch.randn(3, 4, 5)), 2000),
        ("normal(1e6) f32", lambda: rg.normal(g, 10**6, np.float32),
         lambda: torch.randn(10**6, generator=tg), 30),
        ("uniform(1e6) f32", lambda: rg.uniform(g, 10**6, np.float32),
         lambda: torch.rand(10**6, generator=tg), 30),
        ("normal(1e6) f64", lambda: rg.normal(g, 10**6, np.float64),
         lambda: torch.randn(10**6, dtype=torch.float64, generator=tg), 20),
        ("randint(0, 10, 1e6)", lambda: rg.randint(g, 10**6, 0, 10),
         lambda: torch.randint(0, 10, (10**6,), generator=tg), 20),
        ("randperm(1e5)", lambda: rg.randperm(g, 10**5),
         lambda: torch.randperm(10**5, generator=tg), 10),
    ]
    print(f"{'case':34s} {'ours':>11s} {'torch':>11s} {'ratio':>7s}")
    for name, ours, theirs, repeat in cases:
        a, b = best((ours, theirs), repeat)
        unit, scale = ("us", 1e6) if max(a, b) < 1e-3 else ("ms", 1e3)
        print(f"{name:34s} {a * scale:8.1f} {unit} {b * scale:8.1f} {unit} {a / b:7.2f}")


if __name__ == "__main__":
    main()
