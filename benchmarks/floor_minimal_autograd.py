"""How fast autograd can be in Python on NumPy at all: cases (a) and (c) of
``bench_autograd.py`` run by the smallest autograd we could write, next to PyTorch.

    python benchmarks/floor_minimal_autograd.py

The minimal engine keeps none of PyTorch's semantics (no dtype promotion, no checks, no
version counters, no ``grad_fn``/``next_functions`` API, no hooks, no ready queue): each
operation makes one object holding its value, its parents and a closure for its local
derivative, and backward walks a topological order. Whatever autogradviz adds on top of this
for PyTorch's behaviour costs time; what this script prints is the part no Python design
avoids (one interpreted object and closure per operation, NumPy's per-call cost).
"""

from __future__ import annotations

import os
import timeit

os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")

import numpy as np
import torch


class Value:
    __slots__ = ("data", "grad", "local", "parents")

    def __init__(self, data, parents=(), local=None):
        self.data, self.grad, self.parents, self.local = data, None, parents, local

    def __mul__(self, other):
        if isinstance(other, Value):
            return Value(self.data * other.data, (self, other),
                         lambda g: (g * other.data, g * self.data))
        return Value(self.data * other, (self,), lambda g: (g * other,))

    def __add__(self, other):
        if isinstance(other, Value):
            return Value(self.data + other.data, (self, other), lambda g: (g, g))
        return Value(self.data + other, (self,), lambda g: (g,))

    def sum(self):
        shape = self.data.shape
        return Value(self.data.sum(), (self,), lambda g: (np.broadcast_to(g, shape),))

    def backward(self):
        order, seen, stack = [], set(), [(self, False)]
        while stack:  # iterative post-order
            node, done = stack.pop()
            if done:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((p, False) for p in node.parents)
        grads = {id(self): np.ones_like(self.data)}
        for node in reversed(order):
            g = grads.pop(id(node))
            if node.local is None:  # a leaf
                node.grad = g if node.grad is None else node.grad + g
                continue
            for parent, pg in zip(node.parents, node.local(g), strict=True):
                key = id(parent)
                grads[key] = pg if key not in grads else grads[key] + pg


def tiny(make):
    x, y = make([1.0, 2.0, 3.0]), make([4.0, 5.0, 6.0])

    def step():
        x.grad = y.grad = None
        (x * y + x).sum().backward()

    return step


def chain(make, n=2000):
    x = make(0.5)

    def step():
        z = x
        for i in range(n):
            z = z * 1.0001 if i % 2 else z + 0.001
        x.grad = None
        z.backward()

    return step


def main():
    def minimal(v):
        return Value(np.array(v, np.float32))

    def torch_leaf(v):
        return torch.tensor(v, requires_grad=True)

    print(f"{'case':36s} {'minimal ms':>11s} {'torch ms':>10s} {'ratio':>8s}")
    for label, build, number in (("(a) (x*y + x).sum() fwd+bwd", tiny, 2000),
                                 ("(c) 2,000-op scalar chain", chain, 5)):
        timers = [timeit.Timer(build(minimal)), timeit.Timer(build(torch_leaf))]
        times = [[], []]
        for _ in range(9):  # repeats taken in turns, best of each
            for timer, ts in zip(timers, times, strict=True):
                ts.append(timer.timeit(number) / number)
        ours, theirs = min(times[0]), min(times[1])
        print(f"{label:36s} {ours * 1e3:11.4f} {theirs * 1e3:10.4f} {ours / theirs:7.2f}x")


if __name__ == "__main__":
    main()
