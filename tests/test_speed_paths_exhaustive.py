"""Exhaustive checks behind the speed paths: a sample by default, every input with
AGV_EXHAUSTIVE=1 (several minutes).

Short float32 ``exp`` goes through ``math.exp`` (the C library's double exp) one Python float at
a time, where longer tensors use NumPy's float64 exp (its own SIMD code on AVX-512 machines);
both results are rounded to float32 once. The two double functions differ in a last bit now and
then, but never so that the float32 roundings differ.
"""

import math
import os

import numpy as np
import pytest

EXHAUSTIVE = bool(os.environ.get("AGV_EXHAUSTIVE"))


@pytest.mark.parametrize("sign", [0, 1])
def test_exp_math_and_numpy_round_alike(sign):
    """Every float32 with 2**-67 <= |x| < 256 (biased exponents 60 to 134). Outside that range
    both give exactly 1 (exp(x) is within 2**-67 of 1), 0 or infinity (math.exp's overflow
    takes NumPy's path), and NaN stays NaN."""
    math_exp = np.frompyfunc(math.exp, 1, 1)
    mantissas = np.arange(1 << 23, dtype=np.uint32)
    if not EXHAUSTIVE:  # every 509th mantissa (a prime step: all residues of small powers of 2)
        mantissas = mantissas[::509]
    with np.errstate(all="ignore"):
        for exponent in range(60, 135):
            bits = mantissas | np.uint32(exponent << 23) | np.uint32(sign << 31)
            x = bits.view(np.float32).astype(np.float64)
            by_numpy = np.exp(x).astype(np.float32)
            by_math = math_exp(x).astype(np.float64).astype(np.float32)
            differ = by_numpy.view(np.uint32) != by_math.view(np.uint32)
            assert not differ.any(), (exponent, x[differ][:5])
