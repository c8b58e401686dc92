"""Indexing against real PyTorch: ``t[key]``, ``t[key] = value`` and the indexing functions.

Basic indices (ints, slices, ``...``, ``None``) give views, compared on strides and storage offset
and checked to share storage; advanced indices (integer tensors, lists, boolean masks) give
copies. Errors must have PyTorch's type and message, and a failed write must change nothing.
"""

import os

os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")

import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch
from _parity import (
    arr,
    assert_same_exception,
    assert_same_tensor,
    pair,
    raised,
    run,
    seeded_arrays,
    tensors,
)

import autogradviz as avz

# ---------------------------------------------------------------------- basic indexing (views)
# key builders take the library, so tensor indices are built by each library.
BASIC = {
    "int": ((4, 5), lambda lib: 1),
    "int_neg": ((4, 5), lambda lib: -1),
    "int_int": ((4, 5), lambda lib: (2, 3)),
    "int_int_neg": ((4, 5), lambda lib: (-4, -5)),
    "int_1d": ((5,), lambda lib: 3),
    "int_3d_middle": ((3, 4, 5), lambda lib: (slice(None), 2)),
    "slice": ((6, 5), lambda lib: slice(1, 4)),
    "slice_step": ((6, 5), lambda lib: slice(None, None, 2)),
    "slice_start_step": ((6, 5), lambda lib: slice(1, None, 3)),
    "slice_neg": ((6, 5), lambda lib: slice(-3, -1)),
    "slice_past_end": ((6, 5), lambda lib: slice(2, 100)),
    "slice_empty": ((6, 5), lambda lib: slice(4, 2)),
    "slice_cols": ((6, 5), lambda lib: (slice(None), slice(1, None, 2))),
    "slice_both": ((6, 5), lambda lib: (slice(1, 5, 2), slice(None, 4, 3))),
    "slice_int": ((6, 5), lambda lib: (slice(2, None), 1)),
    "int_slice": ((6, 5), lambda lib: (1, slice(None, None, 2))),
    "ellipsis": ((2, 3, 4), lambda lib: ...),
    "ellipsis_int": ((2, 3, 4), lambda lib: (..., 1)),
    "int_ellipsis": ((2, 3, 4), lambda lib: (1, ...)),
    "int_ellipsis_int": ((2, 3, 4), lambda lib: (1, ..., -1)),
    "ellipsis_slice": ((2, 3, 4), lambda lib: (..., slice(1, 3))),
    "none": ((2, 3), lambda lib: None),
    "none_middle": ((2, 3), lambda lib: (slice(None), None)),
    "none_end": ((2, 3), lambda lib: (..., None)),
    "none_twice": ((2, 3), lambda lib: (None, slice(None), None, slice(None), None)),
    "none_int": ((2, 3), lambda lib: (None, 1)),
    "int_none": ((2, 3), lambda lib: (1, None)),
    "none_ellipsis_none": ((2, 3, 4), lambda lib: (None, ..., None, 0)),
    "none_slice_step": ((6, 5), lambda lib: (slice(None, None, 2), None, slice(1, None, 2))),
    "none_0d": ((), lambda lib: None),
    "ellipsis_0d": ((), lambda lib: ...),
    "combo": ((3, 4, 5, 6), lambda lib: (1, None, slice(None, None, 2), ..., slice(1, 5, 3))),
    "combo_neg": ((3, 4, 5, 6), lambda lib: (-1, slice(-3, None), None, -2)),
    "int_tensor_0d": ((4, 5), lambda lib: lib.tensor(2)),
    "all_ints_0d": ((2, 3, 4), lambda lib: (1, 2, 3)),
    "empty_tuple": ((2, 3), lambda lib: ()),
}


def _basic(case, dtype="float32"):
    shape, key = BASIC[case]
    t, g = pair(arr(shape, dtype))
    return t, g, run(lambda lib, x: x[key(lib)], torch, t), run(lambda lib, x: x[key(lib)], avz, g)


@pytest.mark.parametrize("case", BASIC)
def test_basic_index_is_view(case):
    t, g, rt, rg = _basic(case)
    assert_same_tensor(rt, rg)
    # Writes go both ways, and the version counter is shared.
    rt.add_(2)
    rg.add_(2)
    np.testing.assert_array_equal(g.numpy(), t.numpy())
    t.mul_(3)
    g.mul_(3)
    assert_same_tensor(rt, rg)
    assert (g._version, rg._version) == (t._version, rt._version)


@pytest.mark.parametrize("dtype", ["int64", "bool", "uint8", "float64"])
@pytest.mark.parametrize("case", ["int", "slice_both", "combo", "none_slice_step"])
def test_basic_index_dtypes(case, dtype):
    _, _, rt, rg = _basic(case, dtype)
    assert_same_tensor(rt, rg)


# ---------------------------------------------------------------------- advanced indexing
ADVANCED = {
    "tensor": ((5, 3), lambda lib: lib.tensor([0, 2, 4])),
    "tensor_neg": ((5, 3), lambda lib: lib.tensor([-1, 0, -5])),
    "tensor_repeated": ((5, 3), lambda lib: lib.tensor([1, 1, 3, 1])),
    "tensor_2d": ((5, 3), lambda lib: lib.tensor([[0, 1], [4, 2]])),
    "tensor_int32": ((5, 3), lambda lib: lib.tensor([3, 0], dtype=lib.int32)),
    "tensor_empty": ((5, 3), lambda lib: lib.tensor([], dtype=lib.int64)),
    "list": ((5, 3), lambda lib: [0, 3]),
    "list_neg": ((5, 3), lambda lib: [-1, -2, 0]),
    "list_nested_is_tuple": ((5, 3), lambda lib: [[0, 1], [2, 0]]),
    "list_with_slice_is_tuple": ((5, 3), lambda lib: [slice(1, 3), 0]),
    "list_mixed_bool_int": ((5, 3), lambda lib: [True, False, 1]),
    "list_bools": ((5, 3), lambda lib: [True, False, True, True, False]),
    "list_empty": ((5, 3), lambda lib: []),
    # A range is a sequence, as a list is (nn_tutorial's nll: input[range(n), target]).
    "range": ((5, 3), lambda lib: range(1, 4)),
    "range_empty": ((5, 3), lambda lib: range(0)),
    "range_and_tensor": ((5, 3), lambda lib: (range(3), lib.tensor([2, 0, 1]))),
    "cols_range": ((5, 3), lambda lib: (slice(None), range(0, 3, 2))),
    "bool_in_tuple": ((5, 3), lambda lib: (0, 1, True)),
    "tensor_after_int": ((2, 5, 3), lambda lib: (1, lib.tensor([0, 2]))),
    "mask_after_int": ((2, 5, 3), lambda lib: (0, lib.tensor([True, False, True, False, True]))),
    "list_floats_truncate": ((5, 3), lambda lib: [0.0, 2.7]),
    "permuted_source": ((2, 3, 4), lambda lib: (slice(None), lib.tensor([0, 2]))),
    "tensor_2d_cols": ((5, 3), lambda lib: (slice(None), lib.tensor([[0, 1], [1, 2]]))),
    "cols_tensor": ((5, 3), lambda lib: (slice(None), lib.tensor([2, 0]))),
    "cols_list": ((5, 3), lambda lib: (slice(1, 4), [0, 2, 2])),
    "middle_tensor": ((2, 5, 3), lambda lib: (slice(None), lib.tensor([4, 0]), slice(None))),
    "ellipsis_tensor": ((2, 5, 3), lambda lib: (..., lib.tensor([1, 2]))),
    "two_tensors": ((5, 3), lambda lib: (lib.tensor([0, 4, 2]), lib.tensor([2, 1, 0]))),
    "two_tensors_broadcast": ((5, 3), lambda lib: (lib.tensor([[0], [4]]), lib.tensor([2, 1, 0]))),
    "two_lists": ((5, 3), lambda lib: ([0, 1], [2, 2])),
    "tensor_int": ((5, 3), lambda lib: (lib.tensor([0, 4]), 1)),
    "int_tensor": ((5, 3), lambda lib: (2, lib.tensor([0, 0, 2]))),
    "separated_tensors": (
        (2, 3, 4),
        lambda lib: (lib.tensor([0, 1]), slice(None), lib.tensor([3, 0])),
    ),
    "adjacent_tensors_after_slice": (
        (2, 3, 4),
        lambda lib: (slice(None), lib.tensor([0, 2]), lib.tensor([1, 3])),
    ),
    "tensor_slice_step": ((5, 6), lambda lib: (lib.tensor([1, 3]), slice(None, None, 2))),
    "tensor_none": ((5, 3), lambda lib: (None, lib.tensor([1, 2]))),
    "mask": ((5, 3), lambda lib: lib.from_numpy(arr((5, 3), "bool", seed=3))),
    "mask_rows": ((5, 3), lambda lib: lib.tensor([True, False, True, True, False])),
    "mask_cols": ((5, 3), lambda lib: (slice(None), lib.tensor([False, True, True]))),
    "mask_leading": ((2, 3, 4), lambda lib: lib.from_numpy(arr((2, 3), "bool", seed=4))),
    "mask_all_false": ((5, 3), lambda lib: lib.zeros(5, 3, dtype=lib.bool)),
    "mask_with_int": ((5, 3), lambda lib: (lib.tensor([True, False, True, False, True]), 2)),
    "mask_and_tensor": (
        (5, 3),
        lambda lib: (lib.tensor([True, False, True, False, True]), lib.tensor([0, 2, 1])),
    ),
    "mask_uint8": ((5, 3), lambda lib: lib.tensor([1, 0, 0, 1, 1], dtype=lib.uint8)),
    "bool_true": ((5, 3), lambda lib: True),
    "bool_false": ((5, 3), lambda lib: False),
    "mask_0d": ((), lambda lib: lib.tensor(True)),
    "tensor_on_0d_mask_false": ((), lambda lib: lib.tensor(False)),
}


@pytest.mark.parametrize("dtype", ["float32", "int64"])
@pytest.mark.parametrize("case", ADVANCED)
def test_advanced_index(case, dtype):
    shape, key = ADVANCED[case]
    t, g = pair(arr(shape, dtype))
    rt, rg = run(lambda lib, x: x[key(lib)], torch, t), run(lambda lib, x: x[key(lib)], avz, g)
    assert_same_tensor(rt, rg)
    # A copy: writing to the base leaves it alone.
    t.fill_(0)
    g.fill_(0)
    assert_same_tensor(rt, rg)


# ---------------------------------------------------------------------- __setitem__
def _scalar(v):
    return lambda lib, dtype: v


def _values(shape, dtype=None, seed=7):
    """Values in the target's dtype (advanced writes require it), or in ``dtype``."""
    return lambda lib, target: lib.from_numpy(arr(shape, dtype or target, seed))


SETITEM = {
    "int_scalar": ((4, 3), lambda lib: 1, _scalar(5.0)),
    "int_int_scalar": ((4, 3), lambda lib: (1, -1), _scalar(-2)),
    "slice_scalar": ((4, 3), lambda lib: slice(1, 3), _scalar(7)),
    "step_scalar": ((6, 3), lambda lib: slice(None, None, 2), _scalar(1.5)),
    "ellipsis_scalar": ((2, 3), lambda lib: ..., _scalar(0)),
    "cols_scalar": ((4, 3), lambda lib: (slice(None), 0), _scalar(3)),
    "bool_scalar": ((4, 3), lambda lib: 0, _scalar(True)),
    "none_scalar": ((4, 3), lambda lib: (None, 1), _scalar(4)),
    "row_tensor": ((4, 3), lambda lib: 2, _values((3,))),
    "rows_broadcast": ((4, 3), lambda lib: slice(None), _values((3,))),
    "cols_broadcast": ((4, 3), lambda lib: slice(None), _values((4, 1))),
    "block_tensor": ((4, 5), lambda lib: (slice(1, 3), slice(0, 4, 2)), _values((2, 2))),
    "tensor_0d": ((4, 3), lambda lib: (0, 0), _values(())),
    "tensor_0d_to_slice": ((4, 3), lambda lib: slice(0, 2), _values(())),
    "tensor_int_dtype": ((4, 3), lambda lib: 1, _values((3,), "int64")),
    "tensor_float_dtype": ((4, 3), lambda lib: 1, _values((3,), "float64")),
    "true_key": ((4, 3), lambda lib: True, _values((4, 3))),
    "false_key": ((4, 3), lambda lib: False, _values((7,))),
    "none_key": ((4, 3), lambda lib: None, _values((3,))),
    "mask_value_other_dtype": (
        (4, 3),
        lambda lib: lib.tensor([True, False, True, False]),
        _values((1,), "int16"),
    ),
    "index_accumulates_last_wins": ((5, 3), lambda lib: lib.tensor([1, 1]), _values((2, 3))),
    "nested_list_key": ((5, 3), lambda lib: [[0, 1], [2, 0]], _scalar(-5)),
    "tensor_leading_ones": ((4, 3), lambda lib: 1, _values((1, 1, 3))),
    "mask_scalar": ((4, 3), lambda lib: lib.from_numpy(arr((4, 3), "bool", 5)), _scalar(-1)),
    "mask_rows_tensor": ((4, 3), lambda lib: lib.tensor([True, False, True, False]), _values((3,))),
    "mask_values": ((4, 3), lambda lib: lib.tensor([[True, False, True]] * 4), _values((8,))),
    "index_scalar": ((5, 3), lambda lib: lib.tensor([0, 3]), _scalar(9)),
    "index_tensor": ((5, 3), lambda lib: lib.tensor([4, 1]), _values((2, 3))),
    "index_broadcast": ((5, 3), lambda lib: lib.tensor([4, 1]), _values((3,))),
    "index_list": ((5, 3), lambda lib: [0, 2], _values((1, 3))),
    "index_range_pairs": ((5, 3), lambda lib: (range(3), [2, 0, 1]), _values((3,))),
    "index_pairs": ((5, 3), lambda lib: (lib.tensor([0, 4]), lib.tensor([2, 0])), _values((2,))),
    "index_cols": ((5, 3), lambda lib: (slice(None), lib.tensor([2])), _values((5, 1))),
    "index_repeated": ((5, 3), lambda lib: lib.tensor([1, 1]), _scalar(2)),
}


@pytest.mark.parametrize("dtype", ["float32", "int64"])
@pytest.mark.parametrize("case", SETITEM)
def test_setitem(case, dtype):
    shape, key, value = SETITEM[case]
    t, g = pair(arr(shape, dtype))
    vt, vg = t.t(), g.t()  # a view of the target sees the write, and shares its version
    for lib, x in ((torch, t), (avz, g)):
        run(lambda lib, x: x.__setitem__(key(lib), value(lib, dtype)), lib, x)
    assert_same_tensor((t, vt), (g, vg))
    assert (g._version, vg._version) == (t._version, vt._version)


# ---------------------------------------------------------------------- indexing functions
I64 = "int64"
FUNCS = {
    "index_select_0": ([(4, 3)], lambda lib, x: x.index_select(0, lib.tensor([3, 0, 3]))),
    "index_select_1": ([(4, 3)], lambda lib, x: lib.index_select(x, 1, lib.tensor([2, 1]))),
    "index_select_neg_dim": ([(2, 3, 4)], lambda lib, x: x.index_select(-1, lib.tensor([0]))),
    "index_select_int32": (
        [(4, 3)],
        lambda lib, x: x.index_select(0, lib.tensor([1], dtype=lib.int32)),
    ),
    "index_select_0d_index": ([(4, 3)], lambda lib, x: x.index_select(0, lib.tensor(2))),
    "index_select_empty": (
        [(4, 3)],
        lambda lib, x: x.index_select(1, lib.tensor([], dtype=lib.int64)),
    ),
    "index_select_transposed": ([(4, 3)], lambda lib, x: x.t().index_select(0, lib.tensor([2, 0]))),
    "gather_0": ([(3, 4)], lambda lib, x: x.gather(0, lib.tensor([[0, 1, 2, 0], [2, 2, 1, 0]]))),
    "gather_1": ([(3, 4)], lambda lib, x: lib.gather(x, 1, lib.tensor([[3], [0], [1]]))),
    "gather_smaller": ([(3, 4)], lambda lib, x: x.gather(1, lib.tensor([[1, 1], [0, 3]]))),
    "gather_neg": ([(2, 3, 4)], lambda lib, x: x.gather(-1, lib.zeros(2, 3, 2, dtype=lib.int64))),
    "scatter_src": (
        [(3, 4), (2, 4)],
        lambda lib, x, s: x.scatter(0, lib.tensor([[2, 0, 1, 1], [0, 2, 2, 0]]), s),
    ),
    "scatter_value": ([(3, 4)], lambda lib, x: x.scatter(1, lib.tensor([[0], [3], [2]]), 5.0)),
    "scatter_value_kw": (
        [(3, 4)],
        lambda lib, x: lib.scatter(x, 1, lib.tensor([[1, 2]]), value=-1),
    ),
    "scatter_add_reduce": (
        [(3, 4), (2, 4)],
        lambda lib, x, s: x.scatter(0, lib.tensor([[1, 1, 0, 2], [1, 2, 2, 1]]), s, reduce="add"),
    ),
    "scatter_mul_reduce": (
        [(3, 4), (2, 4)],
        lambda lib, x, s: x.scatter(
            0, lib.tensor([[1, 1, 0, 2], [1, 2, 2, 1]]), s, reduce="multiply"
        ),
    ),
    "scatter_value_reduce": (
        [(3, 4)],
        lambda lib, x: x.scatter(1, lib.tensor([[0, 0], [3, 3], [1, 2]]), 2.0, reduce="multiply"),
    ),
    "scatter_inplace": (
        [(3, 4), (3, 1)],
        lambda lib, x, s: x.scatter_(1, lib.tensor([[1], [2], [3]]), s),
    ),
    "scatter_add": (
        [(3, 4), (2, 4)],
        lambda lib, x, s: x.scatter_add(0, lib.tensor([[0, 0, 1, 2], [0, 1, 1, 2]]), s),
    ),
    "scatter_add_fn": (
        [(3, 4), (3, 2)],
        lambda lib, x, s: lib.scatter_add(x, 1, lib.tensor([[3, 3], [0, 0], [1, 2]]), s),
    ),
    "scatter_add_inplace": (
        [(5,), (4,)],
        lambda lib, x, s: x.scatter_add_(0, lib.tensor([4, 4, 0, 4]), s),
    ),
    "masked_fill": ([(3, 4), (3, 4)], lambda lib, x, m: x.masked_fill(m > 0, 0.5)),
    "masked_fill_broadcast": ([(3, 4), (4,)], lambda lib, x, m: lib.masked_fill(x, m > 0, -2)),
    "masked_fill_tensor_value": (
        [(3, 4), (3, 1)],
        lambda lib, x, m: x.masked_fill(m < 0, lib.tensor(7.0)),
    ),
    "masked_fill_inplace": ([(3, 4), (3, 4)], lambda lib, x, m: x.masked_fill_(m > 1, 1)),
    "index_put": (
        [(4, 3)],
        lambda lib, x: x.index_put_((lib.tensor([0, 2]),), lib.tensor(1, dtype=x.dtype)),
    ),
    "index_put_pairs": (
        [(4, 3), (3,)],
        lambda lib, x, v: x.index_put_((lib.tensor([0, 2, 3]), lib.tensor([1, 1, 0])), v),
    ),
    "index_put_accumulate": (
        [(4, 3), (4,)],
        lambda lib, x, v: x.index_put_(
            (lib.tensor([1, 1, 3, 1]), lib.tensor([0, 0, 2, 0])), v, accumulate=True
        ),
    ),
    "index_put_accumulate_rows": (
        [(4, 3), (3, 3)],
        lambda lib, x, v: x.index_put_((lib.tensor([2, 0, 2]),), v, accumulate=True),
    ),
    "index_put_mask": (
        [(4, 3)],
        lambda lib, x: x.index_put_((lib.tensor([True, False, False, True]),), lib.tensor(-3.0)),
    ),
    "index_put_mask_accumulate": (
        [(4, 3), (2, 3)],
        lambda lib, x, v: x.index_put_(
            (lib.tensor([True, False, False, True]),), v, accumulate=True
        ),
    ),
    "index_put_transposed": (
        [(4, 3), (2, 4)],
        lambda lib, x, v: lib.index_put(x.t(), (lib.tensor([2, 0]),), v),
    ),
    "index_put_fn": (
        [(4, 3), (2, 3)],
        lambda lib, x, v: lib.index_put(x, (lib.tensor([3, 3]),), v, accumulate=True),
    ),
    "take": ([(3, 4)], lambda lib, x: x.take(lib.tensor([0, 11, 5, 5]))),
    "take_neg": ([(3, 4)], lambda lib, x: lib.take(x, lib.tensor([[-1, -12], [3, 4]]))),
    "take_transposed": ([(3, 4)], lambda lib, x: x.t().take(lib.tensor([1, 2, 3]))),
    "take_0d": ([()], lambda lib, x: x.take(lib.tensor([0, 0]))),
    "nonzero": ([(3, 4)], lambda lib, x: (x > 0).nonzero()),
    "nonzero_fn": ([(2, 3, 4)], lambda lib, x: lib.nonzero(x > 0.5)),
    "nonzero_tuple": ([(3, 4)], lambda lib, x: (x > 0).nonzero(as_tuple=True)),
    "nonzero_1d": ([(6,)], lambda lib, x: (x < 0).nonzero()),
    "nonzero_none": ([(3, 4)], lambda lib, x: (x > 100).nonzero()),
    "nonzero_0d": ([()], lambda lib, x: (x < 100).nonzero()),
    "nonzero_0d_tuple": ([()], lambda lib, x: lib.nonzero(x < 100, as_tuple=True)),
}


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
@pytest.mark.parametrize("case", FUNCS)
def test_indexing_functions(case, dtype):
    shapes, fn = FUNCS[case]
    arrays = seeded_arrays(shapes, dtype)
    ins_t, ins_g = tensors(torch, arrays), tensors(avz, arrays)
    rt, rg = run(fn, torch, *ins_t), run(fn, avz, *ins_g)
    assert_same_tensor(rt, rg)
    assert_same_tensor(ins_t, ins_g)  # in-place forms changed the input the same way
    assert [x._version for x in ins_g] == [x._version for x in ins_t]


# ---------------------------------------------------------------------- errors
ERRORS = {
    "int_range": ((3, 4), lambda lib, x: x[3]),
    "int_range_neg": ((3, 4), lambda lib, x: x[-4]),
    "second_int_range": ((3, 4), lambda lib, x: x[0, 5]),
    "second_int_range_neg": ((3, 4), lambda lib, x: x[0, -5]),
    "too_many": ((3, 4), lambda lib, x: x[0, 0, 0]),
    "too_many_slices": ((3, 4), lambda lib, x: x[:, :, :]),
    "int_on_0d": ((), lambda lib, x: x[0]),
    "tensor_range": ((3, 4), lambda lib, x: x[lib.tensor([5])]),
    "tensor_range_neg": ((3, 4), lambda lib, x: x[lib.tensor([0, -4])]),
    "tensor_range_dim1": ((3, 4), lambda lib, x: x[:, lib.tensor([1, 4])]),
    "list_range": ((3, 4), lambda lib, x: x[[0, 3]]),
    "pairs_range": ((3, 4), lambda lib, x: x[lib.tensor([0, 1]), lib.tensor([4, 0])]),
    "pairs_shape": ((3, 4), lambda lib, x: x[lib.tensor([0, 1]), lib.tensor([1, 2, 3])]),
    "mask_shape": ((3, 4), lambda lib, x: x[lib.tensor([True, False])]),
    "mask_shape_2d": ((3, 4), lambda lib, x: x[lib.ones(3, 3, dtype=lib.bool)]),
    "mask_shape_dim1": ((3, 4), lambda lib, x: x[:, lib.tensor([True, False])]),
    "float_index": ((3, 4), lambda lib, x: x[1.0]),
    "float_tensor_index": ((3, 4), lambda lib, x: x[lib.tensor([1.0])]),
    "float_0d_tensor_index": ((3, 4), lambda lib, x: x[lib.tensor(1.0)]),
    "int16_tensor_index": ((3, 4), lambda lib, x: x[lib.tensor([1], dtype=lib.int16)]),
    "nested_list_range": ((5, 3), lambda lib, x: x[[[0, 1], [2, 3]]]),
    "mask_after_int_shape": ((2, 5, 3), lambda lib, x: x[0, lib.tensor([True, False, True])]),
    "index_0d_tensor": ((), lambda lib, x: x[0]),
    "index_0d_tensor_1": ((), lambda lib, x: x[1]),
    "slice_0d_tensor": ((), lambda lib, x: x[:]),
    "none_then_range": ((3, 4), lambda lib, x: x[None, 5]),
    "ellipsis_then_range": ((3, 4), lambda lib, x: x[..., 9]),
    "str_index": ((3, 4), lambda lib, x: x["a"]),
    "zero_step": ((3, 4), lambda lib, x: x[::0]),
    "neg_step": ((3, 4), lambda lib, x: x[::-1]),
    "gather_range": ((3, 4), lambda lib, x: x.gather(1, lib.tensor([[0], [4], [1]]))),
    "gather_range_neg": ((3, 4), lambda lib, x: x.gather(0, lib.tensor([[-1, 0, 0, 0]]))),
    "gather_dims": ((3, 4), lambda lib, x: x.gather(1, lib.tensor([0, 1]))),
    "gather_size": ((3, 4), lambda lib, x: x.gather(1, lib.zeros(4, 1, dtype=lib.int64))),
    "gather_dtype": ((3, 4), lambda lib, x: x.gather(1, lib.zeros(3, 1, dtype=lib.int16))),
    "gather_dim_range": ((3, 4), lambda lib, x: x.gather(2, lib.zeros(3, 1, dtype=lib.int64))),
    "index_select_range": ((3, 4), lambda lib, x: x.index_select(0, lib.tensor([0, 3]))),
    "index_select_range_neg": ((3, 4), lambda lib, x: x.index_select(1, lib.tensor([-1]))),
    "index_select_dtype": ((3, 4), lambda lib, x: x.index_select(0, lib.tensor([0.0]))),
    "index_select_2d": ((3, 4), lambda lib, x: x.index_select(0, lib.tensor([[0]]))),
    "take_range": ((3, 4), lambda lib, x: x.take(lib.tensor([12]))),
    "take_range_neg": ((3, 4), lambda lib, x: x.take(lib.tensor([0, -13]))),
    "take_dtype": ((3, 4), lambda lib, x: x.take(lib.tensor([0.0]))),
    "take_int32": ((3, 4), lambda lib, x: x.take(lib.tensor([0], dtype=lib.int32))),
    "take_empty": ((0,), lambda lib, x: x.take(lib.tensor([0]))),
    "index_select_dim1_range": ((3, 4), lambda lib, x: x.index_select(1, lib.tensor([1, 4, 5]))),
    "index_select_0d": ((), lambda lib, x: x.index_select(0, lib.tensor([0, 0]))),
    "index_put_too_many": (
        (3, 4),
        lambda lib, x: x.index_put_(
            (lib.tensor([0]), lib.tensor([0]), lib.tensor([0])), lib.tensor(1.0)
        ),
    ),
    "index_put_dtype": (
        (3, 4),
        lambda lib, x: x.index_put_((lib.tensor([0]),), lib.ones(4).long()),
    ),
    "index_put_scalar": ((3, 4), lambda lib, x: x.index_put_((lib.tensor([0]),), 1.0)),
    "index_put_uint8_mask": (
        (3, 4),
        lambda lib, x: x.index_put_((lib.tensor([1, 0, 1], dtype=lib.uint8),), lib.tensor(1.0)),
    ),
    "scatter_range": ((3, 4), lambda lib, x: x.scatter(0, lib.tensor([[3]]), 1.0)),
    "scatter_add_range": ((3, 4), lambda lib, x: x.scatter_add(1, lib.tensor([[4]]), x)),
    "scatter_dtype": ((3, 4), lambda lib, x: x.scatter(0, lib.tensor([[0]], dtype=lib.int16), 1.0)),
    "scatter_src_dtype": ((3, 4), lambda lib, x: x.scatter(0, lib.tensor([[0]]), x.double())),
    "scatter_src_shape": ((3, 4), lambda lib, x: x.scatter(1, lib.tensor([[0, 1]]), x[:1, :1])),
    "scatter_index_shape": (
        (3, 4),
        lambda lib, x: x.scatter(1, lib.zeros(4, 1, dtype=lib.int64), 0.0),
    ),
    "scatter_dims": ((3, 4), lambda lib, x: x.scatter(1, lib.tensor([0]), 1.0)),
    "scatter_reduce_name": (
        (3, 4),
        lambda lib, x: x.scatter(0, lib.tensor([[0]]), 1.0, reduce="max"),
    ),
    "masked_fill_dtype": (
        (3, 4),
        lambda lib, x: x.masked_fill(lib.ones(3, 4, dtype=lib.int64), 0.0),
    ),
    "masked_fill_shape": ((3, 4), lambda lib, x: x.masked_fill(lib.ones(3, dtype=lib.bool), 0.0)),
    "masked_fill_inplace_shape": (
        (3, 4),
        lambda lib, x: x.masked_fill_(lib.ones(3, dtype=lib.bool), 0),
    ),
    "masked_fill_inplace_bigger": (
        (3, 4),
        lambda lib, x: x.masked_fill_(lib.ones(2, 3, 4, dtype=lib.bool), 0),
    ),
    "masked_fill_float_mask": ((3, 4), lambda lib, x: x.masked_fill(x, 0.0)),
    "masked_fill_value_dims": ((3, 4), lambda lib, x: x.masked_fill(x > 0, lib.ones(2))),
    "index_put_range": ((3, 4), lambda lib, x: x.index_put_((lib.tensor([3]),), lib.tensor(0.0))),
    "index_put_shape": ((3, 4), lambda lib, x: x.index_put_((lib.tensor([0, 1]),), lib.ones(3, 4))),
}


@pytest.mark.parametrize("case", ERRORS)
def test_errors(case):
    shape, fn = ERRORS[case]
    t, g = pair(arr(shape))
    assert_same_exception(raised(fn, torch, t), raised(fn, avz, g))


# PyTorch's index kernel checks each index as it writes, so it has already written the
# elements before a bad index; autogradviz checks first and writes nothing.
TORCH_WRITES_PARTLY = {"tensor_range", "tensor_range_later"}
SETITEM_ERRORS = {
    "int_range": ((3, 4), lambda lib: 3, lambda lib: 1.0),
    "second_int_range": ((3, 4), lambda lib: (0, 5), lambda lib: 1.0),
    "tensor_range": ((3, 4), lambda lib: lib.tensor([0, 5]), lambda lib: 1.0),
    "tensor_range_later": (
        (3, 4),
        lambda lib: (lib.tensor([0, 1]), lib.tensor([0, 9])),
        lambda lib: 1.0,
    ),
    "tensor_range_first": ((3, 4), lambda lib: lib.tensor([7, 0]), lambda lib: 1.0),
    "value_dtype": ((3, 4), lambda lib: lib.tensor([0]), lambda lib: lib.ones(4, dtype=lib.int64)),
    "value_dtype_after_shape": (
        (3, 4),
        lambda lib: lib.tensor([0]),
        lambda lib: lib.ones(2, 4).long(),
    ),
    "value_list": ((3, 4), lambda lib: 0, lambda lib: [1.0, 2.0, 3.0, 4.0]),
    "value_none": ((3, 4), lambda lib: 0, lambda lib: None),
    "value_transposed": ((3, 4), lambda lib: ..., lambda lib: lib.ones(3, 4).t()),
    "value_extra_dims": ((3, 4), lambda lib: 0, lambda lib: lib.ones(2, 1, 4)),
    "expanded_target": ((3, 4), lambda lib: (slice(None), 0), lambda lib: lib.ones(3)),
    "index_broadcast": (
        (3, 4),
        lambda lib: (lib.tensor([0, 1]), lib.tensor([0, 1, 2])),
        lambda lib: 1.0,
    ),
    "leaf_ellipsis": ((3, 4), lambda lib: ..., lambda lib: 1.0),
    "leaf_index": ((3, 4), lambda lib: lib.tensor([0]), lambda lib: 1.0),
    "leaf_mask": ((3, 4), lambda lib: lib.tensor([True, False, True]), lambda lib: 1.0),
    "mask_shape": ((3, 4), lambda lib: lib.tensor([True, False]), lambda lib: 0.0),
    "value_shape": ((3, 4), lambda lib: slice(0, 2), lambda lib: lib.ones(3)),
    "value_shape_index": ((3, 4), lambda lib: lib.tensor([0, 2]), lambda lib: lib.ones(3, 4)),
    "value_shape_mask": (
        (3, 4),
        lambda lib: lib.tensor([True, False, True]),
        lambda lib: lib.ones(3, 4),
    ),
    "float_index": ((3, 4), lambda lib: 1.5, lambda lib: 0.0),
}


@pytest.mark.parametrize("case", SETITEM_ERRORS)
def test_setitem_errors_leave_tensor_unchanged(case):
    shape, key, value = SETITEM_ERRORS[case]
    a = arr(shape)
    t, g = pair(a)
    if case == "expanded_target":
        t, g = t[:1].expand(3, 4), g[:1].expand(3, 4)
        a = np.broadcast_to(a[:1], (3, 4))
    if case.startswith("leaf_"):
        t.requires_grad_()
        g.requires_grad_()

    def write(lib, x):
        x[key(lib)] = value(lib)

    assert_same_exception(raised(write, torch, t), raised(write, avz, g))
    np.testing.assert_array_equal(g.detach().numpy(), a)
    if case not in TORCH_WRITES_PARTLY:
        np.testing.assert_array_equal(t.detach().numpy(), g.detach().numpy())
    assert g._version == t._version


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib, x: x[lib.tensor([1, 0, 1], dtype=lib.uint8)],
        lambda lib, x: x.__setitem__(lib.tensor([1, 0, 1], dtype=lib.uint8), lib.ones(2, 4)),
        lambda lib, x: x[lib.tensor([True, False, True])],
    ],
    ids=["get", "set", "bool_no_warning"],
)
def test_uint8_mask_warning(fn):
    def warned(lib):
        x = lib.zeros(3, 4)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fn(lib, x)
        return [(w.category, str(w.message)) for w in caught], x.tolist()

    assert warned(avz) == warned(torch)


@pytest.mark.parametrize("form", ["function", "method", "inplace"])
def test_scatter_reduce_warning_once_at_the_callers_line(form):
    """The deprecation warning of ``reduce=`` with a tensor ``src``: once per process, and
    attributed, as PyTorch attributes it, to the line that called scatter."""
    call = {"function": "torch.scatter(x, 1, index, src, reduce='add')",
            "method": "x.scatter(1, index, src, reduce='add')",
            "inplace": "x.scatter_(1, index, src, reduce='add')"}[form]
    program = ("x = torch.zeros(2, 3)\nindex, src = torch.tensor([[1], [2]]), torch.ones(2, 1)\n"
               f"{call}\n{call}\nprint(x)\n")
    outputs = [subprocess.run([sys.executable, "-W", "always", "-c",
                               f"import {lib} as torch\n" + program],
                              capture_output=True, text=True, check=True)
               for lib in ("torch", "autogradviz")]
    assert outputs[0].stdout == outputs[1].stdout
    assert outputs[0].stderr == outputs[1].stderr
    assert outputs[1].stderr.startswith("<string>:4: UserWarning: The reduce argument")
