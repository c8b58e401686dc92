"""Fused multiply-add with one rounding, in float32 and float64, on NumPy arrays.

PyTorch's CPU kernels are compiled with FMA contraction, so ``a * b + c`` often rounds once
there (random uniforms, ``linspace``, ``arange``, ``add(alpha=)``, optimizer updates). NumPy has
no fma ufunc; these reproduce it exactly.
"""

from __future__ import annotations

import numpy as np


def _fma32(a, b, c):
    """float32 ``fma(a, b, c)`` (one rounding) on float32 inputs (arrays or scalars), as a new
    float32 array.

    ``a*b`` is exact in float64 and ``+ c`` rounds once there; rounding that to float32 is
    correct unless the float64 sum was inexact and landed exactly on a float32 midpoint, where
    it is moved one float64 ulp towards the exact value first.
    """
    p = np.multiply(a, b, dtype=np.float64)
    s = np.add(p, c, dtype=np.float64)
    mid = (s.view(np.uint64) & np.uint64(0x1FFFFFFF)) == np.uint64(0x10000000)
    if mid.any():
        c64 = np.broadcast_to(np.asarray(c, np.float64), s.shape)
        pb = np.broadcast_to(p, s.shape)
        bb = s - pb
        err = (pb - (s - bb)) + (c64 - bb)  # TwoSum: s + err == p + c exactly
        fix = mid & (err != 0)
        if fix.any():
            s = np.where(fix, np.nextafter(s, np.where(err > 0, np.inf, -np.inf)), s)
    return s.astype(np.float32)


def _two_prod(a, b):
    """Dekker's TwoProduct: p + e == a * b exactly (float64 arrays, no overflow)."""
    p = a * b
    split = 134217729.0  # 2**27 + 1
    t = a * split
    ah = t - (t - a)
    al = a - ah
    t = b * split
    bh = t - (t - b)
    bl = b - bh
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    return p, e


def _two_sum(a, b):
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _fma64(a, b, c):
    """float64 ``fma(a, b, c)`` with one rounding (Boldo and Melquiond's emulation via an
    addition rounded to odd) on float64 arrays. Where the operands are huge or not finite the
    plain ``a*b + c`` is returned instead (the emulation's splitting would overflow there)."""
    a, b, c = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(b, np.float64),
                                  np.asarray(c, np.float64))
    with np.errstate(over="ignore", invalid="ignore"):
        uh, ul = _two_prod(a, b)
        th, tl = _two_sum(c, uh)
        v, verr = _two_sum(tl, ul)
        # round v to odd: if the sum was inexact and v's last bit is 0, step towards the sum
        bits = v.view(np.int64)
        inexact = (verr != 0) & ((bits & 1) == 0)
        if inexact.any():
            v = np.array(v, np.float64)  # (an array also when the operands are 0-d)
            away = np.signbit(verr) == np.signbit(v)  # the exact sum lies further from zero
            v.view(np.int64)[inexact] += np.where(away, 1, -1)[inexact]
        out = th + v
        # (an exact zero takes the plain expression's sign: -0 * x + -0 is -0, as fma gives)
        big = ~(np.abs(a) < 2.0**995) | ~(np.abs(b) < 2.0**995) | ~np.isfinite(out) | (out == 0)
        if big.any():
            out = np.where(big, a * b + c, out)
    return out


# The C library's double functions. NumPy's contiguous float64 loops may use its own SIMD code,
# which differs from the C library (and so from ATen) by an ulp now and then; its plain loop,
# used for negative strides, calls the C library. Checked once against Python's math module
# (which calls the C library) and replaced by a slow exact loop if that ever stops holding.
