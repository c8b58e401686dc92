"""float32 ``pow`` (number exponent) and ``sigmoid`` match PyTorch bit for bit: SLEEF's vector
routines on 16-element blocks, the C library on the leftovers (autogradviz/_sleef.py).

AUTOGRADVIZ_SWEEP_STEP=1 sweeps every float32 bit pattern (slow: about an hour); by default
every 9973rd one.
"""

import os

import numpy as np
import pytest
import torch

import autogradviz as ag
from autogradviz import _sleef

EXPONENTS = [4.0, 5.0, 1.5, 2.5, -3.0, 0.3, 7.1, -0.7, 1e-3]
SPECIAL = np.array([0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, 1e-45, -1e-45, 1e-40,
                    -3e-39, 1.17549435e-38, 3.4028235e38, -3.4028235e38, 0.5, -0.5, 2.0, -2.0,
                    88.7, -88.7, 89.0, 100.0, -104.0, -103.9, 1e10, -1e10], np.float32)
STEP = int(os.environ.get("AUTOGRADVIZ_SWEEP_STEP", "9973"))


def same_bits(ours, theirs):
    a = np.ascontiguousarray(ours.numpy() if hasattr(ours, "numpy") else ours)
    b = np.ascontiguousarray(theirs.numpy())
    assert a.dtype == b.dtype == np.float32
    bad = np.flatnonzero(a.view(np.uint32) != b.view(np.uint32))
    assert bad.size == 0, f"{bad.size} differ, e.g. at {bad[:5]}: {a[bad[:5]]} vs {b[bad[:5]]}"


def check(x):
    """pow with each exponent and sigmoid on the float32 array ``x``."""
    t, a = torch.from_numpy(x), ag.tensor(x)
    for e in EXPONENTS:
        same_bits(a ** e, t ** e)
        same_bits(ag.pow(a, e), torch.pow(t, e))
    same_bits(ag.sigmoid(a), torch.sigmoid(t))
    same_bits(a.sigmoid(), t.sigmoid())


def test_the_tutorials_range():
    check(np.linspace(-np.pi, np.pi, 2000, dtype=np.float32))


@pytest.mark.parametrize("bound", [1.0, 3.14159, 100.0, 1e4])
def test_random_ranges(bound):
    rng = np.random.default_rng(int(bound))
    check(rng.uniform(-bound, bound, 5000).astype(np.float32))


def test_every_length_up_to_64():
    """The vector code takes whole blocks of 16, the C library the rest."""
    rng = np.random.default_rng(64)
    for n in range(1, 65):
        check(rng.uniform(-6, 6, n).astype(np.float32))


def test_special_values():
    check(SPECIAL)
    for e in [np.inf, -np.inf, np.nan, 0.7, -2.5, 3.0000002, 2.0**24 + 2, 2.0**25 + 1]:
        t, a = torch.from_numpy(SPECIAL), ag.tensor(SPECIAL)
        same_bits(a ** e, t ** e)


def test_bit_pattern_sweep():
    x = np.arange(0, 2**32, STEP, dtype=np.uint64).astype(np.uint32).view(np.float32)
    for start in range(0, x.size, 1 << 22):
        check(x[start:start + (1 << 22)])


def test_thread_ranges_of_a_long_tensor():
    """From 32768 elements ATen gives each thread a range, each with its own leftover."""
    rng = np.random.default_rng(7)
    before_t, before_a = torch.get_num_threads(), ag.get_num_threads()
    try:
        for threads in [1, 2, 3]:
            torch.set_num_threads(threads)
            ag.set_num_threads(threads)
            for n in [32767, 32768, 65537, 100003]:
                check(rng.uniform(-6, 6, n).astype(np.float32))
    finally:
        torch.set_num_threads(before_t)
        ag.set_num_threads(before_a)


def test_layouts():
    """Transposed (one range in memory order), sliced rows (a range per row), strided."""
    x = np.random.default_rng(3).uniform(0, 3, (10, 40)).astype(np.float32)
    views = [lambda v: v.t(), lambda v: v[:, :21], lambda v: v[:, ::2], lambda v: v[::2]]
    for view in views:
        t, a = view(torch.from_numpy(x)), view(ag.tensor(x))
        same_bits((a ** 4.7).contiguous(), (t ** 4.7).contiguous())
        same_bits(a.sigmoid().contiguous(), t.sigmoid().contiguous())


def test_gradients_use_the_same_kernels():
    x = np.linspace(0.1, 3, 50, dtype=np.float32)
    t = torch.tensor(x, requires_grad=True)
    a = ag.tensor(x, requires_grad=True)
    (t ** 5.5).sum().backward()
    (a ** 5.5).sum().backward()
    same_bits(a.grad, t.grad)
    t.grad = a.grad = None
    torch.sigmoid(t * 3).sum().backward()
    ag.sigmoid(a * 3).sum().backward()
    same_bits(a.grad, t.grad)


def test_expf_of_sigmoid():
    """``expf_u10`` is what sigmoid's vector code exponentiates with."""
    x = np.random.default_rng(11).uniform(-20, 20, 4096).astype(np.float32)
    one = np.float32(1)
    same_bits(one / (one + _sleef.expf_u10(-x)), torch.sigmoid(torch.from_numpy(x)))
