"""ATen's CPU ``RowwiseMoments`` (the mean and biased variance of each row, as group norm's
kernel takes them), replayed on NumPy rows so float32 and float64 statistics have its bits.

The kernel runs Welford's update on 256-bit vectors (8 float32 or 4 float64 lanes) over chunks of
16 vectors, merges the chunks' moments in a binary cascade (a stack of depth ``ceil(log2(m))``),
runs the scalar Welford update on the tail that fills no vector, then folds the lanes into the
tail's moments one by one. The compiled kernel contracts some products into fused multiply-adds
and not others; the choice below is the one measured against PyTorch 2.13 (AVX2): in the vector
update ``m1 += d * c`` and ``m2 += d * (x - m1)`` are fused, in the vector merge ``m1 += c * d``
is not and ``m2`` becomes ``fma(d * d * c, m0, m2 + m2_add)``; the scalar tail fuses nothing, the
scalar merge fuses ``m1 += c * d`` and ``m2 += fma(d * d * c, m0, m2_add)``. The means come out
identical; about one row in fifty still differs from PyTorch's variance in the last bit after a
cascade merge (the exact contraction there is not known).

All rows are processed at once (one NumPy operation per vector step, over every row).
"""

from __future__ import annotations

import numpy as np

from .._fma import _fma32, _fma64

_CHUNK = 16  # vectors per Welford chunk (kChunkSize)


def _ceil_log2(m):
    """ATen's utils::CeilLog2: 1 for m <= 2 (the stack always has a level)."""
    return 1 if m <= 2 else int(m - 1).bit_length()


def rowwise_moments(rows):
    """Each row's mean and biased variance (``m2 / n``), in the rows' dtype (float32/float64)."""
    dt = rows.dtype.type
    fma = _fma32 if rows.dtype == np.float32 else _fma64
    count, length = rows.shape
    lanes = 32 // rows.itemsize
    n_vec = length // lanes
    n_chunks = -(-n_vec // _CHUNK)
    depth = _ceil_log2(n_chunks)
    zero = np.zeros((count, lanes), dt)

    def merge_vec(m0_add, m1_add, m2_add, m0, m1, m2):
        n = m0 + m0_add
        c = dt(0) if n == 0 else dt(dt(m0_add) / dt(n))
        delta = m1_add - m1
        m1 = m1 + delta * c
        scaled = delta * delta * c
        m2 = fma(scaled, np.full_like(scaled, dt(m0)), m2 + m2_add)
        return n, m1, m2

    stack = [(0, zero, zero) for _ in range(depth)]
    inverse = [dt(dt(1) / dt(i + 1)) for i in range(_CHUNK)]
    for i in range(n_chunks):
        steps = min(_CHUNK, n_vec - i * _CHUNK)
        m1, m2 = zero, zero
        for j in range(steps):
            start = (i * _CHUNK + j) * lanes
            x = rows[:, start:start + lanes]
            delta = x - m1
            m1 = fma(delta, np.full_like(delta, inverse[j]), m1)
            m2 = fma(delta, x - m1, m2)
        stack[0] = merge_vec(steps, m1, m2, *stack[0])
        mask, level = i + 1, 1
        while level < depth and (mask & 1) == 0:  # carry up the cascade
            stack[level] = merge_vec(*stack[level - 1], *stack[level])
            stack[level - 1] = (0, zero, zero)
            mask >>= 1
            level += 1
    for level in range(1, depth):
        stack[0] = merge_vec(*stack[level], *stack[0])
    lane_m1, lane_m2 = stack[0][1], stack[0][2]

    m0, m1, m2 = 0, np.zeros(count, dt), np.zeros(count, dt)
    for i in range(n_vec * lanes, length):  # the scalar tail
        x = rows[:, i]
        delta = x - m1
        m0 += 1
        m1 = m1 + delta / dt(m0)
        m2 = m2 + delta * (x - m1)
    for lane in range(lanes):  # each lane (n_vec values) folded into the tail's moments
        n = m0 + n_vec
        c = dt(0) if n == 0 else dt(dt(n_vec) / dt(n))
        delta = lane_m1[:, lane] - m1
        m1 = fma(np.full_like(delta, c), delta, m1)
        scaled = delta * delta * c
        m2 = m2 + fma(scaled, np.full_like(scaled, dt(m0)), lane_m2[:, lane])
        m0 = n
    with np.errstate(invalid="ignore", divide="ignore"):
        return m1, (m2 / dt(length)).astype(dt)
