"""Random chains of tensor-with-number operations: values and gradients bit for bit as PyTorch's.

A number operand is saved as a 0-d float64 tensor, like PyTorch's "wrapped number"; a backward
rule such as ``grad * other`` must still compute in the gradient's dtype (float32), even when
the gradient is 0-d too. Long chains make a one-ulp difference per step visible.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch

import autogradviz

# Factors near one and small offsets keep the value and the gradient in a normal range over
# hundreds of steps, so that a rounding difference anywhere shows in the result.
OPS = (
    lambda y, c: y * (1 + c),
    lambda y, c: (1 - c) * y,
    lambda y, c: y + c,
    lambda y, c: c - y,
    lambda y, c: y - c,
    lambda y, c: y / (1 + c),
    lambda y, c: (y * c) * y,
    lambda y, c: -y + c,
)
# (exp is left out: glibc's expf, which PyTorch calls for short float32 tensors, is not
# correctly rounded in near-tie cases (0.502 ulp), and autogradviz's is; test_parity_* covers
# exp with its documented tolerance.)
CONSTANTS = (1e-4, 3e-4, -7e-4, 0.001, 1 / 3 * 1e-3, 2.5e-3, 1 / 7 * 1e-2)


def run(lib, seed, shape, dtype_name):
    rng = random.Random(seed)
    dtype = getattr(lib, dtype_name)
    data = np.random.default_rng(seed).uniform(0.5, 1.5, shape)
    x = lib.tensor(data.tolist(), dtype=dtype, requires_grad=True)
    y = x
    for _ in range(rng.randint(20, 300)):
        op = rng.choice(OPS)
        y = op(y, rng.choice(CONSTANTS))
    (y.sum() if y.dim() else y).backward()
    return y.detach().numpy(), x.grad.numpy()


@pytest.mark.parametrize("dtype_name", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(), (1,), (3,)], ids=["0d", "1", "3"])
@pytest.mark.parametrize("seed", range(12))
def test_scalar_chain_matches_torch(seed, shape, dtype_name):
    ours_value, ours_grad = run(autogradviz, seed, shape, dtype_name)
    torch_value, torch_grad = run(torch, seed, shape, dtype_name)
    assert ours_value.dtype == torch_value.dtype and ours_grad.dtype == torch_grad.dtype
    np.testing.assert_array_equal(ours_value, torch_value)
    np.testing.assert_array_equal(ours_grad, torch_grad)
