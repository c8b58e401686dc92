"""PyTorch's CPU float sum (ATen's ``cascade_sum``, AVX2 build), replayed in NumPy bit for bit.

What is reproduced (``aten/src/ATen/native/cpu/SumKernel.cpp``, ``TensorIterator``):

* the iteration: reduced dims first, ordered by input stride, then the kept dims; adjacent
  dims coalesced;
* the loops: a contiguous reduced dim of at least one vector (8 float32, 4 float64, 16 float16
  loaded as two float32 vectors and added) is summed in vector lanes with 4 interleaved
  accumulators, then the scalar tail and the lanes are added in order; a contiguous kept dim
  sums columns 4 vectors, then 1 vector, at a time; anything else scalar-wise. Every row sum is
  ``multi_row_sum``'s cascade (chunks of 2**max(4, ceil(log2 n) // 4) rows, 4 levels), added
  (``+=``) into an output filled with 0, so rows of reduced dims that do not coalesce are added
  one after another. float16 adds in float32; with two reduced inner dims it sums a float32
  copy (``should_use_acc_buffer``);
* threads: from 32768 elements (``GRAIN_SIZE``) on, a full reduction sums one range a thread
  and then the per-thread sums (``two_pass_reduction``); others split a kept dim, which shows
  when it is the column dim of a vectorised outer sum (columns rounded to 128 bytes a thread).

The split depends on the thread count only (OpenMP, static chunks), so with autogradviz's
``get_num_threads()`` equal to PyTorch's the results are identical for every shape, layout,
dims and keepdim. Not modelled: strides NumPy cannot share with PyTorch (negative ones are
copied first, as PyTorch's flip copies) and CPUs without AVX2 (other vector widths).
"""

from __future__ import annotations

import numpy as np

from .. import _native
from .shape import reorder_dimensions

GRAIN_SIZE = 32768  # at::internal::GRAIN_SIZE

_F16, _F32, _F64 = np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)
# dtype -> (elements per loaded vector, accumulator lanes, accumulator dtype)
_PARAMS = {_F32: (8, 8, _F32), _F64: (4, 4, _F64), _F16: (16, 8, _F32)}
_EINSUM_DTYPES = (_F32, _F64)

# Orders in which PyTorch adds the elements of a contiguous row shorter than two vectors
# (the scalar loop, or one vector and a scalar tail): a plain sequential sum of a permutation.
_SMALL_ORDERS = {}


def small_order(n, lanes):
    """PyTorch's order of addition for a contiguous float32/64 row of ``n < 2 * lanes``
    elements (the scalar loop, or one vector and a scalar tail), or None for the plain order:
    PyTorch adds them one after another from 0 in this order."""
    key = (n, lanes)
    order = _SMALL_ORDERS.get(key, False)
    if order is False:
        if n < 4:
            order = list(range(n))
        elif n < lanes:  # row_sum: 4 accumulators from one row of 4, the rest added to the first
            order = [0, *range(4, n), 1, 2, 3]
        else:  # vectorized_inner_sum: the scalar tail, then the lanes of the one vector
            order = [*range(lanes, n), *range(lanes)]
        order = None if order == list(range(n)) else np.array(order, np.intp)
        _SMALL_ORDERS[key] = order
    return order


def _ceil_log2(n):
    return 1 if n <= 2 else (n - 1).bit_length()


def _lanes_inner(a, axis):
    """Whether ``np.einsum`` sums ``a`` over ``axis`` one element after another from 0.

    einsum adds every input into its output (zeroed first: ``0 + a[0]`` only turns a -0 into
    +0, as ``_seq`` allows) in iteration order, and NumPy's iterator makes the axis of smallest
    stride the inner loop: when that is a lane axis (contiguous, longer than 1) each step is an
    elementwise add of one lane vector, in order along ``axis``; were it the summed axis, the
    inner loop would be einsum's unrolled (reordering) sum. float16 would add in float32."""
    if (a.ndim <= axis + 1 or a.shape[-1] < 2 or a.dtype not in _EINSUM_DTYPES
            or not _EINSUM_SEQUENTIAL):
        return False
    if a.flags.c_contiguous:
        return True
    st = a.strides
    return st[-1] == a.itemsize and all(s > 0 or n == 1 for s, n in zip(st, a.shape, strict=True))


def _einsum_is_sequential():
    """Probe once that einsum sums as ``_lanes_inner`` expects (a NumPy whose iterator or
    kernels ordered the additions otherwise falls back to the explicit loops): a big value,
    ones that each vanish when added to it, then minus the big value give exactly 0 only when
    added in order."""
    for dt, big in ((_F32, 2.0 ** 25), (_F64, 2.0 ** 54)):
        a = np.ones((3, 24, 4, 8), dt)
        a[:, 0] = big
        a[:, -1] = -big
        if (np.einsum("ij...->i...", a).any() or np.einsum("i...->...", a[0]).any()
                or np.einsum("i...->...", a[0, :, 0]).any()):
            return False
    return True


_EINSUM_SEQUENTIAL = _einsum_is_sequential()


def _seq(a):
    """``((0 + a[0]) + a[1]) + ...`` along axis 0, in a's dtype (zeros when a is empty).

    Starting from a[0] instead of 0 only changes the sign of a zero result, which the final
    ``0 + result`` store makes +0 as in PyTorch (and a zero's sign never changes a non-zero
    sum). The result may be a view of ``a``: callers never write into it."""
    m = a.shape[0]
    if m <= 1:
        return a[0] if m else np.zeros(a.shape[1:], a.dtype)
    if m <= 3:  # a couple of adds cost less than any one call that scans
        acc = a[0] + a[1]
        return acc + a[2] if m == 3 else acc
    if a.size >= 160 and _lanes_inner(a, 0):  # einsum's fixed cost is ~1.2 us
        return np.einsum("i...->...", a)
    if a.size < 200 * m:
        # np.add.accumulate is a strictly sequential scan: one call instead of m, but ~3 ns an
        # element, where a loop costs ~0.6 us a step
        return np.add.accumulate(a, axis=0)[-1]
    acc = a[0] + a[1]
    for r in range(2, m):
        acc += a[r]
    return acc


def _seq_groups(a):
    """Sequential sums along axis 1 of ``a`` (groups along axis 0)."""
    s = a.shape[1]
    if _lanes_inner(a, 1):
        # The cheapest in-order form found: one inner loop per (group, step) over the lanes
        # (~5 ns each: ~15,600 per 500,000 float32s, most of a long sum's time). Measured
        # slower: np.add.reduce over axis 1 (~3x), np.add over strided rows in a loop (~1.5x),
        # the group axis as the inner loop (strided, ~10x), equal thread ranges as a batch
        # (~1.5x); np.add.reduceat adds in another order.
        return np.einsum("ij...->i...", a)
    if a.size < 200 * s:
        return np.add.accumulate(a, axis=1)[:, -1]
    if a.size < 1 << 17:  # mid-sized: each step's rows copied together first, cheaper steps
        a = np.ascontiguousarray(a.swapaxes(0, 1))
        acc = a[0] + a[1]
        for r in range(2, s):
            acc += a[r]
        return acc
    acc = a[:, 0] + a[:, 1]
    for r in range(2, s):
        acc += a[:, r]
    return acc


# From this many elements on, a C-contiguous block goes to the native kernel when there is
# one (below, a ctypes call costs about what the NumPy steps do).
_NATIVE_MIN_SIZE = 256


def _multi_row_sum(a):
    """ATen's ``multi_row_sum`` along axis 0 of ``a``: the native kernel's result for a large
    C-contiguous block when it is available, else ``_multi_row_sum_numpy``'s (the same bits)."""
    if a.size >= _NATIVE_MIN_SIZE and a.dtype in _EINSUM_DTYPES and a.flags.c_contiguous:
        lib = _native.kernels()
        if lib is not None:
            out = _native.multi_row_sum(lib, a)
            if out is not None:
                return out
    return _multi_row_sum_numpy(a)


def _multi_row_sum_numpy(a):
    """ATen's ``multi_row_sum`` along axis 0 of ``a`` (every other axis is a lane): chunks of
    ``step`` rows summed in order, whole groups of ``step`` chunk sums passed up a level (4
    levels), the levels' accumulators added in order at the end."""
    size = a.shape[0]
    lanes = a.shape[1:]
    step = 1 << max(4, _ceil_log2(size) // 4)
    chunks = size // step
    acc = _seq(a[chunks * step:])  # level 0: the rows after the last full chunk
    if not chunks:
        return acc
    sums = _seq_groups(a[:chunks * step].reshape((chunks, step, *lanes)))
    for _ in range(2):  # levels 1 and 2 keep what is left of a group of `step` sums
        groups = sums.shape[0] // step
        acc = acc + _seq(sums[groups * step:])
        if not groups:
            return acc
        sums = _seq_groups(sums[:groups * step].reshape((groups, step, *lanes)))
    return acc + _seq(sums)  # level 3 keeps everything else


def _row_sum(a):
    """ATen's ``row_sum`` along axis 0: four interleaved accumulators (ILP), the rows left over
    added to the first, then the four added in order."""
    size = a.shape[0]
    n4 = size // 4
    if not n4:
        return _seq(a)
    partial = _multi_row_sum(a[:n4 * 4].reshape((n4, 4, *a.shape[1:])))
    if size == n4 * 4:
        return _seq(partial)
    return _seq(np.concatenate((partial[:1], a[n4 * 4:], partial[1:])))


def _vec_inner(rows, vec, lanes, acc):
    """``vectorized_inner_sum`` over the last axis of ``rows`` (at least ``vec`` long)."""
    n = rows.shape[-1]
    batch = rows.shape[:-1]
    nb = len(batch)
    nvec = n // vec
    cut = nvec * vec
    body = rows[..., :cut]
    if vec == lanes:
        vecs = body.reshape((*batch, nvec, lanes))
    else:  # float16: 16 halves load as two float32 vectors, added
        halves = body.reshape((*batch, nvec, 2, lanes)).astype(acc)
        vecs = halves[..., 0, :] + halves[..., 1, :]
    if nb:
        vecs = vecs.transpose((nb, *range(nb), nb + 1))
    final = _row_sum(vecs)  # the vector accumulator, batch + (lanes,)
    if cut < n:  # the scalar tail, then the lanes, added in order
        final = np.concatenate((rows[..., cut:].astype(acc, copy=False), final), axis=-1)
    return np.add.accumulate(final, axis=-1)[..., -1]


def _sum_row(v, params):
    """The sum of one contiguous 1-d row (a loop over a 1-d iteration)."""
    vec, lanes, acc = params
    if v.shape[0] >= vec:
        return _vec_inner(v, vec, lanes, acc)
    return _row_sum(v.astype(acc, copy=False))


def _loop2d(block, s0, s1, params):
    """One call of cascade_sum's loop over a ``(size0, size1, *batch)`` block whose axis 0 is
    reduced, input strides (in elements) ``s0``, ``s1``: the sum over axis 0 for each column,
    shape ``(size1, *batch)``, in the accumulator dtype."""
    vec, lanes, acc = params
    size0, size1 = block.shape[:2]
    if s0 == 1 and size0 >= vec:
        return _vec_inner(block.transpose((*range(1, block.ndim), 0)), vec, lanes, acc)
    block = block.astype(acc, copy=False)
    if s1 == 1 and size1 >= vec:
        width = 4 * lanes  # vectorized_outer_sum: 4 vectors of columns, then 1, then scalars
    elif s0 < s1:
        return _row_sum(block)  # scalar_inner_sum
    else:
        width = 4  # scalar_outer_sum: 4 columns at a time, then one by one
    # columns in full groups sum with multi_row_sum, the others with row_sum (ILP 4)
    grouped = size1 // width * width
    if grouped == size1:
        return _multi_row_sum(block)
    if grouped == 0:
        return _row_sum(block)
    return np.concatenate([_multi_row_sum(block[:, :grouped]), _row_sum(block[:, grouped:])])


def _store_seq(values, out):
    """Values added one after another (along axis 0) into an output filled with 0."""
    if out == values.dtype:
        return _seq(values) + out.type(0)
    acc = np.zeros(values.shape[1:], out)
    for v in values:  # float16: each += rounds to half
        acc = (acc.astype(v.dtype) + v).astype(out)
    return acc


# ---------------------------------------------------------------------- TensorIterator
_PLANS = {}


def _plan(shape, strides, axes):
    """The iteration dims (innermost first) of PyTorch's reduction TensorIterator, as
    ``(perm, sizes, in_strides, nreduced)``: ``perm`` lists the input dims outermost first,
    ``sizes`` the coalesced dims innermost first."""
    key = (shape, strides, axes)
    plan = _PLANS.get(key)
    if plan is not None:
        return plan
    nd = len(shape)
    out_strides = [0] * nd
    step = 1
    for d in reversed(range(nd)):
        if d not in axes:
            out_strides[d] = step
            step *= shape[d]
    dims = [d for d in reversed(range(nd)) if shape[d] != 1]  # size-1 dims coalesce away
    ops = (out_strides, strides)

    def should_swap(d0, d1):
        for k, st in enumerate(ops):
            a, b = st[d0], st[d1]
            if k == 0 and (a == 0) != (b == 0):  # reduced dims go first
                return 1 if b == 0 else -1
            if a == 0 or b == 0:
                continue
            if a != b:
                return 1 if a > b else -1
            if shape[d0] > shape[d1]:
                return 1
        return 0

    perm = reorder_dimensions(dims[:], should_swap)
    sizes, ins, outs, groups = [], [], [], []
    for d in perm:  # coalesce_dimensions
        if sizes and all(sizes[-1] * st[-1] == s[d] for st, s in ((ins, strides),
                                                                   (outs, out_strides))):
            sizes[-1] *= shape[d]
            groups[-1].append(d)
        else:
            sizes.append(shape[d])
            ins.append(strides[d])
            outs.append(out_strides[d])
            groups.append([d])
    nreduced = sum(1 for o in outs if o == 0)
    perm_outer = [d for d in range(nd) if shape[d] == 1]
    perm_outer += [d for g in reversed(groups) for d in reversed(g)]
    plan = (tuple(perm_outer), tuple(sizes), tuple(ins), nreduced)
    if len(_PLANS) > 512:
        _PLANS.clear()
    _PLANS[key] = plan
    return plan


def _split_columns(cols, threads, round_to):
    """The column ranges of ``parallel_dim_reduction`` (``at::parallel_for(0, cols, 1)``)."""
    if cols <= 1 or threads <= 1:
        return [(0, cols)]
    tasks = min(threads, cols)
    chunk = -(-cols // tasks)
    ranges = []
    for t in range(tasks):
        b, e = t * chunk, min(cols, (t + 1) * chunk)
        if b >= cols:
            continue
        if round_to:
            b -= b % round_to
            if e != cols:
                e -= e % round_to
        if b != e:
            ranges.append((b, e))
    return ranges


def _full_row(v, params, threads, out):
    """The sum of a contiguous 1-d iteration, split over threads as ``two_pass_reduction``
    does: ``ceil(n / tasks)`` elements a thread, each into its own slot, then the slots."""
    n = v.shape[0]
    if threads > 1 and n >= GRAIN_SIZE:
        tasks = min(threads, -(-n // GRAIN_SIZE))
        chunk = -(-n // tasks)
        slots = np.zeros(threads, out)
        for t in range(tasks):
            if t * chunk < n:
                slots[t] = _sum_row(v[t * chunk:(t + 1) * chunk], params)
        v = slots
    return _sum_row(v, params)


def _range_values(x, sizes, s0, s1, begin, end, params):
    """The values one thread of ``two_pass_reduction`` adds into its slot, in order: its range
    of the iteration space cut into 2-d loops as ``serial_for_each`` (DimCounter) cuts it."""
    if len(sizes) == 1:
        return _loop2d(x[begin:end, None], s0, 0, params)
    n0, n1 = sizes[0], sizes[1]
    x3 = x.reshape(n0, n1, -1, order="F")  # axes in iteration order, innermost first
    planes = x3.shape[2]
    vals = []
    off = begin
    v0, rest = off % n0, off // n0
    v1, p = rest % n1, rest // n1
    while off < end:
        step0 = min(n0 - v0, end - off)
        if step0 == n0:
            step1 = min(n1 - v1, (end - off) // n0)
            if v1 == 0 and step1 == n1:  # whole planes: one loop each, done together
                count = min(planes - p, (end - off) // (n0 * n1))
                vals.append(_loop2d(x3[:, :, p:p + count], s0, s1, params).T.reshape(-1))
                off += count * n0 * n1
                p += count
                continue
            vals.append(_loop2d(x3[:, v1:v1 + step1, p], s0, s1, params))
        else:
            step1 = 1
            vals.append(_loop2d(x3[v0:v0 + step0, v1:v1 + 1, p], s0, s1, params))
        off += step0 * step1
        v0 += step0
        if v0 == n0:
            v0 = 0
            v1 += step1
        if v1 >= n1:
            v1 = 0
            p += 1
    return np.concatenate(vals)


def _contiguous(res, shape):
    """``res`` reshaped to ``shape``, C-contiguous as PyTorch's reduction outputs are."""
    return np.ascontiguousarray(res).reshape(shape)


def sum_all(x, threads=1):
    """PyTorch's ``torch.sum(x)`` of a C-contiguous float16/32/64 array ``x``, computed by
    ``threads`` threads: a NumPy scalar of x's dtype."""
    out = x.dtype
    params = _PARAMS[out]
    v = x.reshape(-1)
    n = v.shape[0]
    if n < 2 * params[0] and params[0] == params[1]:  # at most one vector: a fixed order
        if not n:
            return out.type(0)
        order = small_order(n, params[1])
        return np.add.accumulate(v if order is None else v[order])[-1] + out.type(0)
    return (_full_row(v, params, threads, out) + out.type(0)).astype(out)


def cascade_sum(x, axes=None, keepdim=False, threads=1):
    """PyTorch's ``torch.sum`` of the float16/32/64 array ``x`` over ``axes`` (None: all),
    computed by ``threads`` threads; the result has x's dtype."""
    out = x.dtype
    params = _PARAMS[out]
    nd = x.ndim
    axes = tuple(range(nd)) if axes is None else tuple(sorted(set(axes)))
    if keepdim:
        out_shape = tuple(1 if d in axes else n for d, n in enumerate(x.shape))
    else:
        out_shape = tuple(n for d, n in enumerate(x.shape) if d not in axes)
    if x.size == 0:
        return np.zeros(out_shape, out)
    if x.flags.c_contiguous:  # the common layouts, without building the iteration
        if len(axes) == nd:  # everything: one row
            return np.asarray(sum_all(x, threads)).reshape(out_shape)
        n = x.shape[-1]
        if (axes == (0,) and nd == 2 and x.shape[0] > 1 and n > 1
                and (x.size < GRAIN_SIZE or threads < 2)):
            # the rows of a matrix (a bias's gradient): one outer-sum loop, one thread
            vals = _loop2d(x, n, 1, params)
            return (vals + 0).astype(out, copy=False).reshape(out_shape)
        if axes == (nd - 1,) and n > 1 and (x.size < GRAIN_SIZE or x.size > n or threads < 2):
            rows = x.reshape(-1, n)  # the last dim: one row per output
            vals = (_vec_inner(rows, *params) if n >= params[0]
                    else _row_sum(rows.T.astype(params[2], copy=False)))
            return (vals + 0).astype(out, copy=False).reshape(out_shape)
    item = x.itemsize
    if any(s < 0 or s % item for s in x.strides):
        x = np.ascontiguousarray(x)
    perm, sizes, ins, nred = _plan(x.shape, tuple(s // item for s in x.strides), axes)
    if out == _F16 and nred > 1:
        # sum_out's should_use_acc_buffer: when the two innermost dims are both reduced, a
        # float16 sum runs in float32 (on a float32 copy) and rounds once at the end
        return cascade_sum(x.astype(_F32), axes, keepdim, threads).astype(out)
    # the input with its axes in iteration order (axis 0 innermost)
    it = x.transpose(perm).reshape(sizes[::-1]).transpose(range(len(sizes) - 1, -1, -1))
    k = len(sizes)
    if nred == 0:  # nothing to reduce (reduced dims of size 1): out = 0 + x
        res = it + out.type(0)
        return _contiguous(res.transpose(range(k - 1, -1, -1)), out_shape)
    s0 = ins[0]
    s1 = ins[1] if k > 1 else 0
    parallel = threads > 1 and x.size >= GRAIN_SIZE
    if nred == k and parallel:  # two_pass_reduction
        n = x.size
        tasks = min(threads, -(-n // GRAIN_SIZE))
        chunk = -(-n // tasks)
        slots = np.zeros((threads, 1), out)
        for t in range(tasks):
            b = t * chunk
            if b < n:
                vals = _range_values(it, sizes, s0, s1, b, min(n, b + chunk), params)
                slots[t] = _store_seq(vals.reshape(-1, 1), out)
        total = _store_seq(_loop2d(slots, 1, 0, _PARAMS[out]).astype(out)[:, None], out)
        return total.reshape(out_shape)
    if k == 1:
        it = it[:, None]
    if nred == 1 and k > 1:  # one reduced dim, then kept ones: one value per output
        ranges = [(0, sizes[1])]
        if parallel:
            split = k - 1  # find_split_dim
            for d in range(k - 1, 0, -1):
                if sizes[d] >= threads:
                    split = d
                    break
                if sizes[d] > sizes[split]:
                    split = d
            if split == 1:
                ranges = _split_columns(sizes[1], threads, 128 // item if s1 == 1 else 0)
        if len(ranges) == 1:
            vals = _loop2d(it, s0, s1, params)
        else:
            vals = np.concatenate([_loop2d(it[:, b:e], s0, s1, params) for b, e in ranges])
        res = (vals + 0).astype(out, copy=False)  # out = 0 + value
        return _contiguous(res.transpose(range(k - 2, -1, -1)), out_shape)
    # several reduced dims (or one, 1-d): each output adds its rows' sums in iteration order
    vals = _loop2d(it, s0, s1, params)  # (n1, n2, ..., n_{k-1})
    r = nred - 1  # reduced axes of vals: 0 .. r-1, axis 0 fastest
    vals = vals.transpose(list(range(r - 1, -1, -1)) + list(range(r, vals.ndim)))
    vals = vals.reshape((-1, *vals.shape[r:]))
    res = _store_seq(vals, out)
    return _contiguous(res.transpose(range(res.ndim - 1, -1, -1)), out_shape)
