"""Property tests of type promotion and broadcasting against PyTorch: for random dtypes, operand
kinds (dimensioned tensor, zero-dim tensor, Python number) and shapes, arithmetic and comparisons
give PyTorch's result dtype and shape, and shapes that do not broadcast give PyTorch's error."""

import os

os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")

import operator

import numpy as np
import torch
from _parity import DTYPES
from hypothesis import given, settings
from hypothesis import strategies as st

import autogradviz

OPS = {"+": operator.add, "*": operator.mul, "/": operator.truediv, "==": operator.eq,
       "!=": operator.ne, "<": operator.lt, ">=": operator.ge}
FAST = settings(max_examples=200, deadline=None)

dtypes = st.sampled_from(DTYPES)
ops = st.sampled_from(sorted(OPS))
sizes = st.integers(0, 4)


def operand(lib, kind, dtype, shape, seed):
    """A tensor of ``dtype`` and ``shape`` from seeded NumPy data, or a Python number."""
    rng = np.random.default_rng(seed)
    if kind == "bool":
        return bool(rng.integers(0, 2))
    if kind == "int":
        return int(rng.integers(-3, 4))
    if kind == "float":
        return float(rng.uniform(-3, 3))
    values = rng.uniform(0.5, 5, size=() if kind == "zero-dim" else shape)
    if dtype == "bool":
        return lib.tensor(values > 2.5)
    return lib.tensor(values.astype(dtype))


def result(lib, op, a, b):
    """The dtype and shape of ``a op b``, or the type and message of its error."""
    try:
        r = OPS[op](a, b)
    except Exception as e:
        return "raised", type(e).__name__, str(e)
    return str(r.dtype), tuple(r.shape)


def assert_same_result(op, kinds, dtypes_, shapes, seed):
    outcomes = []
    for lib in (autogradviz, torch):
        a, b = (operand(lib, k, d, s, seed + i)
                for i, (k, d, s) in enumerate(zip(kinds, dtypes_, shapes, strict=True)))
        outcomes.append(result(lib, op, a, b))
    assert outcomes[0] == outcomes[1]


@st.composite
def broadcastable_shapes(draw):
    """Two shapes that broadcast: the second takes 1 in some dims and may drop leading ones."""
    first = draw(st.lists(sizes, max_size=4))
    second = [draw(st.sampled_from([s, 1])) for s in first]
    second = second[draw(st.integers(0, len(second))):]
    return (first, second) if draw(st.booleans()) else (second, first)


@st.composite
def clashing_shapes(draw):
    """Two shapes that do not broadcast: one dim differs and neither size is 1."""
    first = draw(st.lists(sizes, min_size=1, max_size=4))
    second = [draw(st.sampled_from([s, 1])) for s in first]
    dim = draw(st.integers(0, len(first) - 1))
    first[dim] = draw(st.integers(2, 5))
    second[dim] = draw(st.integers(0, 5).filter(lambda s, f=first[dim]: s not in (1, f)))
    second = second[draw(st.integers(0, dim)):]
    return (first, second) if draw(st.booleans()) else (second, first)


seeds = st.integers(0, 2**32 - 1)


@FAST
@given(ops, dtypes, dtypes, broadcastable_shapes(), seeds)
def test_two_tensors(op, dtype_a, dtype_b, shapes, seed):
    assert_same_result(op, ("tensor", "tensor"), (dtype_a, dtype_b), shapes, seed)


@FAST
@given(ops, dtypes, dtypes, st.lists(sizes, max_size=3), st.booleans(), seeds)
def test_tensor_and_zero_dim_tensor(op, dtype_a, dtype_b, shape, zero_dim_first, seed):
    """A zero-dim tensor only decides the dtype when it is of a higher category."""
    kinds = ("zero-dim", "tensor") if zero_dim_first else ("tensor", "zero-dim")
    assert_same_result(op, kinds, (dtype_a, dtype_b), (shape, shape), seed)


@FAST
@given(ops, dtypes, st.sampled_from(["bool", "int", "float"]), st.lists(sizes, max_size=3),
       st.booleans(), st.booleans(), seeds)
def test_tensor_and_number(op, dtype, number, shape, zero_dim, number_first, seed):
    kinds = ("zero-dim" if zero_dim else "tensor", number)
    dtypes_, shapes = (dtype, "float64"), (shape, ())
    if number_first:
        kinds, dtypes_, shapes = kinds[::-1], dtypes_[::-1], shapes[::-1]
    assert_same_result(op, kinds, dtypes_, shapes, seed)


@FAST
@given(ops, dtypes, dtypes, clashing_shapes(), seeds)
def test_broadcast_errors(op, dtype_a, dtype_b, shapes, seed):
    assert_same_result(op, ("tensor", "tensor"), (dtype_a, dtype_b), shapes, seed)


@FAST
@given(dtypes, dtypes, st.sampled_from(["tensor", "zero-dim"]),
       st.sampled_from(["tensor", "zero-dim", "bool", "int", "float"]), seeds)
def test_result_type(dtype_a, dtype_b, kind_a, kind_b, seed):
    """``torch.result_type`` agrees, and is the dtype ``+`` computes in."""
    types = []
    for lib in (autogradviz, torch):
        a = operand(lib, kind_a, dtype_a, [2], seed)
        b = operand(lib, kind_b, dtype_b, [2], seed + 1)
        types.append(str(lib.result_type(a, b)))
        if types[-1] != "torch.bool":
            assert str((a + b).dtype) == types[-1]
    assert types[0] == types[1]
