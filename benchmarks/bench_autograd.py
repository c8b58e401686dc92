"""Forward + backward times next to PyTorch and a hand-written NumPy backward, in one run.

    python benchmarks/bench_autograd.py

(a) ``(x * y + x).sum()`` on 3-element tensors, (b) one MLP step 784-128-10, batch 64, ReLU,
log-softmax + NLL written from core ops, (c) a 2,000-op scalar chain. Best of several repeats,
the repeats of ours, PyTorch's and NumPy's taken in turns. NumPy's matrix products use several
threads (OpenBLAS), which makes (b) noisy on a busy machine.
"""

from __future__ import annotations

import os
import timeit

os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")

import numpy as np
import torch

import autogradviz as agv


def best_interleaved(fns, number, repeat=9):
    """The best time of each function, their repeats taken in turns so that a burst of load
    from other processes hits all of them alike (the ratios are what matter)."""
    timers = [timeit.Timer(fn) for fn in fns]
    times = [[] for _ in fns]
    for _ in range(repeat):
        for timer, ts in zip(timers, times, strict=True):
            ts.append(timer.timeit(number) / number)
    return [min(ts) for ts in times]


# ---------------------------------------------------------------------- (a) tiny expression
def tiny(lib):
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = lib.tensor([4.0, 5.0, 6.0], requires_grad=True)

    def step():
        x.grad = None
        y.grad = None
        (x * y + x).sum().backward()

    return step


def tiny_numpy():
    x = np.array([1.0, 2.0, 3.0], np.float32)
    y = np.array([4.0, 5.0, 6.0], np.float32)

    def step():
        s = (x * y + x).sum()  # forward
        g = np.ones_like(x)  # d s / d (x*y + x)
        return s, g * y + g, g * x  # dx, dy

    return step


# ---------------------------------------------------------------------- (b) MLP step
def mlp_data():
    rng = np.random.default_rng(0)
    return (
        rng.standard_normal((64, 784)).astype(np.float32),
        rng.integers(0, 10, 64),
        (rng.standard_normal((784, 128)) * 0.05).astype(np.float32),
        np.zeros(128, np.float32),
        (rng.standard_normal((128, 10)) * 0.05).astype(np.float32),
        np.zeros(10, np.float32),
    )


def mlp(lib):
    xs, labels, w1, b1, w2, b2 = mlp_data()
    x = lib.from_numpy(xs)
    target = lib.from_numpy(labels)
    params = [lib.from_numpy(a.copy()).requires_grad_() for a in (w1, b1, w2, b2)]

    def step():
        W1, B1, W2, B2 = params
        h = (x @ W1 + B1).relu()
        logits = h @ W2 + B2
        logp = logits - logits.logsumexp(1, keepdim=True)
        loss = -logp[lib.arange(64), target].mean()
        for p in params:
            p.grad = None
        loss.backward()

    return step


def mlp_numpy():
    xs, labels, w1, b1, w2, b2 = mlp_data()
    rows = np.arange(64)

    def step():
        a = xs @ w1 + b1
        h = np.maximum(a, 0)
        logits = h @ w2 + b2
        m = logits.max(1, keepdims=True)
        lse = np.log(np.exp(logits - m).sum(1, keepdims=True)) + m
        logp = logits - lse
        loss = -logp[rows, labels].mean()
        g_logp = np.zeros_like(logp)
        g_logp[rows, labels] = -1 / 64
        g_logits = g_logp - np.exp(logp) * g_logp.sum(1, keepdims=True)
        g_w2 = h.T @ g_logits
        g_b2 = g_logits.sum(0)
        g_a = (g_logits @ w2.T) * (a > 0)
        return loss, xs.T @ g_a, g_a.sum(0), g_w2, g_b2

    return step


# ---------------------------------------------------------------------- (c) scalar chain
def chain(lib, n=2000):
    x = lib.tensor(0.5, requires_grad=True)

    def step():
        y = x
        for i in range(n):
            y = y * 1.0001 if i % 2 else y + 0.001
        x.grad = None
        y.backward()

    return step


def main():
    print(f"{'case':36s} {'ours ms':>10s} {'torch ms':>10s} {'ratio':>8s} {'numpy ms':>10s} "
          f"{'vs numpy':>9s}")
    for label, ours, theirs, by_hand, number in (
        ("(a) (x*y + x).sum() fwd+bwd", tiny(agv), tiny(torch), tiny_numpy(), 2000),
        ("(b) MLP 784-128-10 step", mlp(agv), mlp(torch), mlp_numpy(), 20),
        ("(c) 2,000-op scalar chain", chain(agv), chain(torch), None, 3),
    ):
        fns = (ours, theirs) if by_hand is None else (ours, theirs, by_hand)
        t_ours, t_torch, *t_np = best_interleaved(fns, number)
        line = f"{label:36s} {t_ours * 1e3:10.4f} {t_torch * 1e3:10.4f} {t_ours / t_torch:7.2f}x"
        if t_np:
            line += f" {t_np[0] * 1e3:10.4f} {t_ours / t_np[0]:8.2f}x"
        print(line)


if __name__ == "__main__":
    main()
