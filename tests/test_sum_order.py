"""Float sums and means add in PyTorch's order: results are bit-identical to PyTorch's.

PyTorch's CPU sum is a cascade of vectorised partial sums whose shape depends on the length, the
layout, the reduced dims and the thread count (``autogradviz/ops/_cascade_sum.py`` replays it);
``mean`` is that sum divided by the count. Every comparison here is of raw bits (``view`` as an
unsigned integer), signed zeros included. Data spans many orders of magnitude so that a
different order of additions shows in the last bits.
"""

import itertools
import os

os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")

import numpy as np
import pytest
import torch

import autogradviz

BITS = {np.dtype(np.float16): np.uint16, np.dtype(np.float32): np.uint32,
        np.dtype(np.float64): np.uint64}


def data(dtype, shape, seed=0):
    """Large values of both signs whose total nearly cancels: the rounding of the partial sums
    shows in the total, so a different order of additions almost always changes its last bits
    (with plain normal data, one sum in four would come out the same in any order)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape) * np.exp(rng.uniform(-1, 1, shape))
    x = x * (10 if dtype == "float16" else 100)
    return (x - x.mean()).astype(dtype)


def same_bits(ours, theirs):
    a, b = ours.numpy(), theirs.numpy()
    assert a.dtype == b.dtype and a.shape == b.shape, (a.dtype, b.dtype, a.shape, b.shape)
    assert ours.is_contiguous() == theirs.is_contiguous()
    different = a.view(BITS[a.dtype]) != b.view(BITS[b.dtype])
    assert not different.any(), (
        f"{int(different.sum())} of {a.size} differ, e.g. {a[different][:3]} vs {b[different][:3]}")


def both(array):
    return autogradviz.from_numpy(array.copy()), torch.from_numpy(array.copy())


@pytest.fixture(autouse=True)
def same_thread_count():
    """autogradviz splits large sums as PyTorch does for PyTorch's thread count."""
    saved = autogradviz.get_num_threads()
    autogradviz.set_num_threads(torch.get_num_threads())
    yield
    autogradviz.set_num_threads(saved)


# ---------------------------------------------------------------------- one dimension
SIZES = [*range(1, 41), 47, 63, 64, 65, 100, 127, 128, 129, 255, 256, 257, 511, 512, 513, 1000,
         1023, 1024, 1025, 2047, 4095, 4097, 5000, 8191, 16385, 32767, 32768, 32769, 65537,
         100_003, 1_000_003]


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_1d(dtype, n):
    ours, theirs = both(data(dtype, (n,), n))
    for f in (lambda m, t: t.sum(), lambda m, t: m.sum(t), lambda m, t: t.mean(),
              lambda m, t: t.sum(0), lambda m, t: t.mean(-1, keepdim=True),
              lambda m, t: m.nansum(t)):
        same_bits(f(autogradviz, ours), f(torch, theirs))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_short_rows(dtype):
    """Fewer elements than two vectors: 0 + x0 + x1 + x2 for three, (x0 + x4 + x5 + x6) + x1 +
    x2 + x3 for seven float32s, the tail and then the lanes for one vector and a tail ..."""
    rng = np.random.default_rng(0)
    for n in range(2, 34):
        for _ in range(20):
            x = rng.standard_normal(n) * 2.0 ** rng.integers(0, 60, n)
            ours, theirs = both(x.astype(dtype))
            same_bits(ours.sum(), theirs.sum())
            same_bits(ours.reshape(1, n).sum(1), theirs.reshape(1, n).sum(1))
            same_bits(ours.reshape(n, 1).sum(0), theirs.reshape(n, 1).sum(0))


def data16(shape, seed, dim=None):
    """float16 sums add in float32, whose rounding shows in a float16 total only when the total
    is much smaller than the partial sums: along ``dim``, values ~300 come in +/- pairs, and
    the total is that of the values ~0.001 in between."""
    rng = np.random.default_rng(seed)
    nd = len(shape)
    reduced = range(nd) if dim is None else [d % nd for d in np.atleast_1d(dim)]
    order = [d for d in range(nd) if d not in reduced] + list(reduced)
    n = int(np.prod([shape[d] for d in reduced]))
    rows = []
    for _ in range(int(np.prod(shape)) // n):
        big = (rng.standard_normal(n // 3) * 300).astype("float16")
        small = (rng.standard_normal(n - 2 * len(big)) * 0.001).astype("float16")
        rows.append(rng.permutation(np.concatenate([big, -big, small])))
    x = np.array(rows).reshape([shape[d] for d in order])
    return np.ascontiguousarray(x.transpose(np.argsort(order)))


@pytest.mark.parametrize("n", [5, 16, 17, 40, 100, 1000, 4099, 40000])
def test_1d_float16(n):
    ours, theirs = both(data16((n,), n))
    same_bits(ours.sum(), theirs.sum())
    same_bits(ours.mean(), theirs.mean())


# ---------------------------------------------------------------------- n dimensions
SHAPES = [(3, 5), (7, 9), (16, 33), (33, 16), (2, 3, 4), (5, 17, 9), (8, 8, 8), (40, 1, 31),
          (1, 100), (100, 1), (200, 300), (1000, 37), (37, 1000), (2049, 17), (17, 2049),
          (6, 7, 8, 9), (3, 40000), (40000, 3), (5, 5000, 3), (129, 257, 2)]


def dims_of(nd):
    """Every single dim (also negative) and every set of several dims."""
    single = [d for d in range(nd)] + [-1]
    several = [c for r in range(2, nd + 1) for c in itertools.combinations(range(nd), r)]
    return single + several


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_nd(dtype, shape):
    ours, theirs = both(data(dtype, shape, len(shape)))
    same_bits(ours.sum(), theirs.sum())
    same_bits(ours.mean(), theirs.mean())
    for dim in dims_of(len(shape)):
        for keepdim in (False, True):
            same_bits(ours.sum(dim, keepdim=keepdim), theirs.sum(dim, keepdim=keepdim))
            same_bits(ours.mean(dim, keepdim), theirs.mean(dim, keepdim))


VIEWS = {
    "transposed": lambda t: t.transpose(0, -1),
    "sliced": lambda t: t[..., 1::2],
    "rows_sliced": lambda t: t[1:, ...],
    "permuted": lambda t: t.permute(*range(t.dim() - 1, -1, -1)),
    "expanded": lambda t: t.unsqueeze(1).expand(t.shape[0], 3, *t.shape[1:]),
}


@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize("shape", [(7, 9), (33, 16), (5, 17, 9), (300, 300), (40, 1000),
                                   (3, 200, 70)], ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_views(dtype, shape, view):
    """Non-contiguous inputs: PyTorch iterates in memory order and coalesces what it can."""
    ours, theirs = both(data(dtype, shape, 7))
    ours, theirs = VIEWS[view](ours), VIEWS[view](theirs)
    same_bits(ours.sum(), theirs.sum())
    for dim in dims_of(ours.dim()):
        same_bits(ours.sum(dim), theirs.sum(dim))
        same_bits(ours.mean(dim, keepdim=True), theirs.mean(dim, keepdim=True))


@pytest.mark.parametrize(("shape", "dim"), [((4, 5), 1), ((9, 40), 0), ((6, 7, 8), (0, 2)),
                                            ((64, 64, 16), (0, 2)), ((30, 3000), 1),
                                            ((3000, 30), 0), ((2, 3, 40000), None)], ids=str)
def test_float16(shape, dim):
    """float16 adds in float32; two reduced inner dims sum a float32 copy (one rounding)."""
    ours, theirs = both(data16(shape, 3, dim))
    same_bits(ours.sum(dim), theirs.sum(dim))
    same_bits(ours.mean(dim), theirs.mean(dim))


# ---------------------------------------------------------------------- threads
@pytest.mark.parametrize("threads", [1, 3, 4])
def test_thread_counts(threads):
    """Sums of 32768 elements or more are split over the threads; the split shows."""
    saved = torch.get_num_threads()
    torch.set_num_threads(threads)
    autogradviz.set_num_threads(threads)
    try:
        for shape, dim in [((100_003,), None), ((300, 300), None), ((3, 40000), 0),
                           ((40000, 3), 0), ((50, 50, 50), (0, 2)), ((20, 3000), 0)]:
            for dtype in ("float32", "float64"):
                ours, theirs = both(data(dtype, shape, threads))
                same_bits(ours.sum(dim), theirs.sum(dim))
                if len(shape) == 2:
                    same_bits(ours.t().sum(), theirs.t().sum())
    finally:
        torch.set_num_threads(saved)


# ---------------------------------------------------------------------- details
@pytest.mark.parametrize("seed", range(10))
def test_loss_item(seed):
    """A tutorial's loss printed at full precision: the float32 mean of 20 squared errors
    (``((pred - y) ** 2).mean()``, e.g. 3.826176881790161 in PyTorch, where NumPy's pairwise
    sum gave 3.826176404953003)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3, 3, 20).astype(np.float32)
    y = (2 * x + 1 + rng.normal(0, 2, 20)).astype(np.float32)
    items = []
    for m in (autogradviz, torch):
        pred = m.from_numpy(x) * 0.3 - 0.7
        items.append(((pred - m.from_numpy(y)) ** 2).mean().item())
    assert repr(items[0]) == repr(items[1])


def test_loss_item_with_grad():
    rng = np.random.default_rng(7)
    x, y = rng.standard_normal((2, 20)).astype(np.float32)
    items = []
    for m in (autogradviz, torch):
        w = m.tensor(0.5, requires_grad=True)
        loss = ((m.from_numpy(x) * w - m.from_numpy(y)) ** 2).mean()
        loss.backward()
        items.append((loss.item(), w.grad.item()))
    assert items[0] == items[1]


def test_signed_zeros_and_specials():
    for values in ([-0.0], [-0.0, -0.0, -0.0], [-0.0] * 9, [0.0, -0.0], [np.inf, 1.0],
                   [np.nan, 1.0] + [2.0] * 20, [3e38, 3e38, -3e38], [-np.inf] * 40):
        for dtype in ("float32", "float64"):
            ours, theirs = both(np.array(values, dtype))
            same_bits(ours.sum(), theirs.sum())
            same_bits(ours.mean(), theirs.mean())
            same_bits(ours.reshape(1, -1).sum(1), theirs.reshape(1, -1).sum(1))


def test_nansum_and_dtype_argument():
    a = data("float32", (37, 45), 11)
    a[::7, ::5] = np.nan
    ours, theirs = both(a)
    same_bits(autogradviz.nansum(ours), torch.nansum(theirs))
    same_bits(autogradviz.nansum(ours, 0), torch.nansum(theirs, 0))
    same_bits(autogradviz.nanmean(ours, 1), torch.nanmean(theirs, 1))
    b = data("float32", (1000, 9), 12)
    ours, theirs = both(b)
    same_bits(ours.sum(dtype=autogradviz.float64), theirs.sum(dtype=torch.float64))
    same_bits(ours.mean(0, dtype=autogradviz.float64), theirs.mean(0, dtype=torch.float64))
    same_bits(ours.sum(1, dtype=autogradviz.float16), theirs.sum(1, dtype=torch.float16))
