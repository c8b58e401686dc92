"""The short paths taken for speed give what the general paths give, and what PyTorch gives.

- ``view`` of a contiguous tensor lets NumPy infer a ``-1`` and checks PyTorch's rules only for
  shapes NumPy reads differently (other negative sizes, several ``-1``, ``-1`` among no elements);
- ``sum()`` of a 1-d row of fewer than 8 elements adds NumPy scalars one at a time in PyTorch's
  order instead of calling a reduction;
- float32 unary functions skip the general argument handling.
"""

import os

os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")

import numpy as np
import pytest
import torch
from _parity import assert_same_exception, assert_same_tensor, attempt

import autogradviz

BITS = {np.dtype(np.float32): np.uint32, np.dtype(np.float64): np.uint64}


def both(array):
    return autogradviz.from_numpy(array.copy()), torch.from_numpy(array.copy())


def same_bits(ours, theirs):
    a, b = ours.numpy(), theirs.numpy()
    assert a.dtype == b.dtype and a.shape == b.shape
    assert (a.view(BITS[a.dtype]) == b.view(BITS[b.dtype])).all(), (a, b)


# ---------------------------------------------------------------------- view
VIEW_SHAPES = [
    (-1,), (-1, 1), (1, -1), (3, -1), (-1, 3), (2, -1, 3), (6,), (2, 3), (3, 2, 1), (-2, 3),
    (3, -2), (-1, -1), (-1, -2), (-3,), (4, -1), (-1, 4), (0, -1), (-1, 0), (2, -1, 0), (5,),
    (7,), (),
]


@pytest.mark.parametrize("numel_shape", [(6,), (2, 3), (0,), (0, 3), (1,), (), (3, 0, 2)])
@pytest.mark.parametrize("shape", VIEW_SHAPES)
def test_view_of_contiguous(numel_shape, shape):
    x = np.arange(int(np.prod(numel_shape)), dtype=np.float32).reshape(numel_shape)
    ours, theirs = both(x)
    expected, _ = attempt(lambda: theirs.view(shape))
    got, _ = attempt(lambda: ours.view(shape))
    if isinstance(expected, Exception):
        assert_same_exception(expected, got)
    else:
        assert_same_tensor(expected, got)
        assert got._base is ours
        got[...] = 7  # shares storage
        assert (ours.numpy() == 7).all()


def test_view_of_view_and_grad():
    x = np.arange(12, dtype=np.float32)
    ours, theirs = both(x)
    ours.requires_grad_()
    theirs.requires_grad_()
    ov, tv = ours.view(3, 4).view(-1, 2), theirs.view(3, 4).view(-1, 2)
    assert ov._base is ours and ov.grad_fn.name() == tv.grad_fn.name()
    (ov * ov).sum().backward()
    (tv * tv).sum().backward()
    assert_same_tensor(theirs.grad, ours.grad)


# ---------------------------------------------------------------------- short sums
def rows(n, dtype, count, seed):
    """Values of both signs over many binades: a change of order shows in the last bits."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((count, n)) * 2.0 ** rng.integers(-30, 30, (count, n))
    return x.astype(dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("n", range(0, 10))
def test_short_sum_random(dtype, n):
    for row in rows(n, dtype, 300, n):
        ours, theirs = both(row)
        same_bits(ours.sum(), theirs.sum())
        # the general path (a 2-d row) gives the same bits
        same_bits(ours.view(1, n).sum(), theirs.sum())


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_short_sum_special_values(dtype):
    specials = [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-45, -1e-45, 3e38, -3e38, 1.0, -1.0]
    rng = np.random.default_rng(1)
    for n in range(1, 8):
        for _ in range(200):
            row = np.array(rng.choice(specials, n), dtype)
            ours, theirs = both(row)
            o, t = ours.sum().numpy(), theirs.sum().numpy()
            assert np.isnan(o) == np.isnan(t)
            if not np.isnan(t):
                same_bits(ours.sum(), theirs.sum())


def test_short_sum_layouts_and_grad():
    x = rows(14, "float32", 1, 3)[0]
    ours, theirs = both(x)
    for o, t in ((ours[::2], theirs[::2]), (ours[::5], theirs[::5]), (ours[3:7], theirs[3:7]),
                 (ours[0], theirs[0])):
        same_bits(o.sum(), t.sum())
    ours.requires_grad_()
    s = ours[:3].sum()
    assert s.grad_fn is not None
    s.backward()
    assert ours.grad.numpy().tolist() == [1.0] * 3 + [0.0] * 11


def test_short_sum_quiet_overflow():
    import warnings

    ours, theirs = both(np.array([3e38, 3e38, 1.0], np.float32))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        same_bits(ours.sum(), theirs.sum())


# ---------------------------------------------------------------------- float32 unary functions
@pytest.mark.parametrize("name", ["exp", "log", "sin", "tanh", "sqrt", "sigmoid", "erf"])
@pytest.mark.parametrize("n", [0, 1, 3, 17, 16384])
def test_float32_unary_fast_path(name, n):
    """The float32 short path equals the general one (a non-contiguous copy goes through it too
    only via its own dtype check, so compare with the out= form, which takes the general path)."""
    rng = np.random.default_rng(n)
    x = (rng.standard_normal(n) * 3).astype(np.float32)
    if name in ("log", "sqrt"):
        x = np.abs(x)
    ours = autogradviz.from_numpy(x)
    fast = getattr(ours, name)()
    general = autogradviz.empty(0)
    getattr(autogradviz, name)(ours, out=general)
    assert fast.dtype == autogradviz.float32 and fast.shape == ours.shape
    assert (fast.numpy().view(np.uint32) == general.numpy().view(np.uint32)).all()
    fast0 = getattr(ours[:1].view(()) if n else ours, name)()
    assert fast0.shape == (() if n else (0,))


def _exp_via_float64(x):
    with np.errstate(all="ignore"):
        return np.exp(x.astype(np.float64)).astype(np.float32)


def test_float32_exp_by_python_floats():
    """Short float32 exp goes through math.exp, one Python float at a time: the same bits as
    NumPy's float64 exp rounded to float32 (checked exhaustively over all float32 inputs when
    introduced; here a sample of random bit patterns, overflows and special values)."""
    rng = np.random.default_rng(7)
    patterns = rng.integers(0, 2**32, 100_000, dtype=np.uint64).astype(np.uint32)
    near = rng.uniform(-110, 95, 100_000).astype(np.float32)
    specials = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-45, -1e-45, 1e-38, 88.72283,
                         88.72284, 89.0, -87.33654, -103.97208, -104.0, 709.0, 710.0, 3e38,
                         -3e38, 1.0, -1.0], np.float32)
    x = np.concatenate([patterns.view(np.float32), near, specials])
    expected = _exp_via_float64(x)
    got = np.empty_like(x)
    for size in (8, 7, 3, 1):
        for i in range(0, x.size, size):
            got[i:i + size] = autogradviz.from_numpy(x[i:i + size].copy()).exp().numpy()
        same = (got.view(np.uint32) == expected.view(np.uint32)) | (
            np.isnan(got) & np.isnan(expected))
        assert same.all(), (x[~same][:5], got[~same][:5], expected[~same][:5])


def test_float32_exp_short_layouts_and_grad():
    import warnings

    x = np.array([1.0, 200.0, -200.0, 3e38, np.nan, 0.5, -0.0, 2.0, 9.0, 4.0], np.float32)
    t = autogradviz.from_numpy(x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warnings, as PyTorch
        for view in (t[:8], t[::2], t[1:4], t[0], t[:0], t):
            got = view.exp().numpy()
            assert got.dtype == np.float32 and got.shape == view.shape
            assert np.array_equal(got, _exp_via_float64(view.numpy()), equal_nan=True)
    leaf = autogradviz.tensor([0.5, -1.0, 2.0], requires_grad=True)
    out = leaf.exp()
    assert out.grad_fn.name() == "ExpBackward0"
    out.sum().backward()
    assert np.array_equal(leaf.grad.numpy(), out.detach().numpy())
