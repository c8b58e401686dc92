"""The engine runs nodes in PyTorch's order: checked with node prehooks on many graphs.

Each program is Python text run twice, once with ``torch`` bound to real PyTorch and once to
autogradviz; a prehook on every node records the order in which the engine reaches it.
"""

import os

os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")

import random

import numpy as np
import pytest
import torch

import autogradviz

UNARY = ["{a}.exp()", "{a}.sin()", "{a}.tanh()", "{a}.sigmoid()", "({a} * 2)", "(-{a})",
         "{a}.relu()", "{a}.pow(2)", "{a}.abs()", "{a}.clone()", "{a}.t().t()",
         "{a}.view(-1).view(3, 4)", "{a}.unsqueeze(0).squeeze(0)", "{a}.sqrt().log()",
         "torch.cat([{a}[1:], {a}[:1]])", "{a}[0].unsqueeze(0).expand(3, 4)",
         "{a}.sum(0, keepdim=True).expand(3, 4)",
         "{a}.softmax(1)", "({a} / 3)", "(1 - {a})"]
BINARY = ["({a} + {b})", "({a} * {b})", "({a} - {b})", "({a} / ({b}.abs() + 1))",
          "torch.maximum({a}, {b})", "({a} @ {b}.t()).sum(1, keepdim=True).expand(3, 4)",
          "torch.cat([{a}[:2], {b}[2:]])", "torch.stack([{a}, {b}]).sum(0)",
          "torch.where({a} > 0, {a}, {b})"]


def make_program(seed):
    """Random graph text: leaves x0..x2 and every value 3x4, values reused (diamonds), 1-3
    roots."""
    rnd = random.Random(seed)
    lines = [f"x{i} = torch.tensor(data[{i}], requires_grad=True)" for i in range(3)]
    values = ["x0", "x1", "x2"]
    for k in range(rnd.randint(3, 9)):
        if rnd.random() < 0.45:
            expr = rnd.choice(UNARY).format(a=rnd.choice(values))
        else:
            expr = rnd.choice(BINARY).format(a=rnd.choice(values), b=rnd.choice(values))
        lines.append(f"v{k} = {expr}")
        values.append(f"v{k}")
    n_roots = rnd.choice([1, 1, 1, 2, 3])
    roots = rnd.sample(values[3:], min(n_roots, len(values) - 3))
    lines.append(f"roots = [{', '.join(f'({r}).sum()' for r in roots)}]")
    return "\n".join(lines)


def execution_order(lib, program, data):
    namespace = {"torch": lib, "data": data}
    exec(program, namespace)
    roots = namespace["roots"]
    order = []
    seen = set()
    stack = [r.grad_fn for r in roots]
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        node.register_prehook(lambda grads, node=node: order.append(node.name()))
        stack.extend(fn for fn, _ in node.next_functions)
    lib.autograd.backward(roots)
    grads = [namespace[f"x{i}"].grad for i in range(3)]
    return order, [None if g is None else np.asarray(g.detach().numpy()) for g in grads]


@pytest.mark.parametrize("seed", range(60))
def test_backward_order_matches_pytorch(seed):
    program = make_program(seed)
    rng = np.random.default_rng(seed)
    data = [rng.standard_normal((3, 4)).astype(np.float32).tolist() for _ in range(3)]
    theirs, their_grads = execution_order(torch, program, data)
    ours, our_grads = execution_order(autogradviz, program, data)
    assert ours == theirs, program
    for mine, ref in zip(our_grads, their_grads, strict=True):
        if ref is None:
            assert mine is None
        else:
            np.testing.assert_allclose(mine, ref, rtol=1e-5, atol=1e-6)


def _uses(program, name):
    """How many right-hand sides read ``name`` (two or more make a diamond)."""
    import re

    rhs = [line.split(" = ", 1)[1] for line in program.splitlines()]
    return sum(bool(re.search(rf"\b{name}\b", r)) for r in rhs)


def test_programs_cover_diamonds_and_multiple_roots():
    programs = [make_program(s) for s in range(60)]
    multi_root = sum(p.splitlines()[-1].count(".sum()") >= 2 for p in programs)
    diamonds = sum(
        any(_uses(p, v) >= 2 for v in ["x0", "x1", "x2"] + [f"v{k}" for k in range(9)])
        for p in programs
    )
    assert multi_root >= 10
    assert diamonds >= 40
