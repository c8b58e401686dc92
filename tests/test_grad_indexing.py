"""Derivatives of indexing against real PyTorch: ``t[key]`` (select, slice, unsqueeze, alias and
advanced indexing), index_select, gather, scatter, masked_fill/select, take, index_put, ...

Same checks as test_grad_views (graph, ``_saved_*`` values, outputs, leaf gradients, float64
gradcheck; see ``_grad_harness``). Repeated indices must accumulate their gradients.
"""

import os

os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")

import numpy as np
import pytest
import torch
from _grad_harness import assert_out_refuses_grad, check_gradcheck_case, check_graph_case

import autogradviz as avz

X, M, V = (2, 3, 4), (3, 4), (4,)
MASK = np.array([[1, 0, 1, 1], [0, 0, 1, 0], [1, 1, 0, 1]], bool)
ROW_MASK = np.array([1, 0, 1, 1], bool)


def mask(lib, m=MASK):
    return lib.from_numpy(m.copy())


def idx(lib, *values):
    return lib.tensor(values if len(values) > 1 or not isinstance(values[0], list) else values[0])


CASES = {
    # basic indexing: views
    "int": (lambda lib, x: x[1], [X]),
    "int_neg": (lambda lib, x: x[-1], [X]),
    "two_ints": (lambda lib, x: x[0, 1], [M]),
    "mixed": (lambda lib, x: x[0, :, None, 1], [X]),
    "none": (lambda lib, x: x[None], [M]),
    "ellipsis_none": (lambda lib, x: x[..., None], [X]),
    "ellipsis": (lambda lib, x: x[...], [X]),
    "empty_tuple": (lambda lib, x: x[()], [X]),
    "select_then_alias": (lambda lib, x: x[0][...], [X]),
    "slice": (lambda lib, x: x[:, 1:3], [X]),
    "slice_step": (lambda lib, x: x[..., ::2], [X]),
    "slice_all": (lambda lib, x: x[:], [X]),
    "slice_top_full": (lambda lib, x: x[0:2], [X]),
    "slice_tuple_full": (lambda lib, x: x[:, 0:3], [X]),
    "slice_tuple_past_end": (lambda lib, x: x[:, 0:10], [X]),
    "slice_neg_start": (lambda lib, x: x[:, -2:], [X]),
    "slice_neg_end": (lambda lib, x: x[:, :-1], [X]),
    "slice_empty": (lambda lib, x: x[:, 5:10], [X]),
    "slice_below": (lambda lib, x: x[-10:2], [X]),
    "int_tensor_0d": (lambda lib, x: x[lib.tensor(1)], [X]),
    "true": (lambda lib, x: x[True], [X]),
    # advanced indexing
    "list": (lambda lib, x: x[[0, 0, 2]], [M]),
    "list_neg": (lambda lib, x: x[[1, -1, 1]], [M]),
    "tensor": (lambda lib, x: x[idx(lib, [2, 0, 2])], [M]),
    "tensor_2d": (lambda lib, x: x[lib.tensor([[0, 1], [1, 1]])], [X]),
    "two_tensors": (lambda lib, x: x[idx(lib, [0, 2, 0]), idx(lib, [1, 3, 1])], [M]),
    "apart": (lambda lib, x: x[[0, 1], :, [1, 2]], [X]),
    "after_slice": (lambda lib, x: x[:, [0, 2, 2], 1:], [X]),
    "slice_then_list": (lambda lib, x: x[1:2, [0, 1]], [X]),
    "empty_list": (lambda lib, x: x[[]], [X]),
    "bool_mask": (lambda lib, x: x[mask(lib)], [M]),
    "bool_row_mask": (lambda lib, x: x[:, mask(lib, ROW_MASK)], [M]),
    "bool_first_dims": (lambda lib, x: x[mask(lib, MASK[:2, :3])], [X]),
    # by position
    "index_select": (lambda lib, x: x.index_select(1, idx(lib, [0, 0, 3])), [M]),
    "index_select_neg": (lambda lib, x: lib.index_select(x, -1, idx(lib, [3, 1])), [X]),
    "index_select_0d": (lambda lib, x: lib.index_select(x, 0, idx(lib, [0])), [()]),
    "gather": (lambda lib, x: x.gather(1, lib.tensor([[0, 0], [1, 3], [2, 2]])), [M]),
    "gather_neg": (lambda lib, x: lib.gather(x, -1, lib.tensor([[3], [3], [0]])), [M]),
    "gather_small": (lambda lib, x: x.gather(0, lib.tensor([[2, 2, 0]])), [M]),
    "gather_0d": (lambda lib, x: lib.gather(x, 0, lib.tensor(0)), [()]),
    "take": (lambda lib, x: x.take(lib.tensor([[0, 5], [5, 11]])), [M]),
    "take_neg": (lambda lib, x: lib.take(x, lib.tensor([-1, 0, -1])), [M]),
    "take_along_dim": (lambda lib, x: lib.take_along_dim(x, lib.tensor([[0], [1], [3]]), 1),
                       [M]),
    "take_along_dim_bcast": (lambda lib, x: x.take_along_dim(lib.tensor([[0, 1]]), 1), [M]),
    "take_along_dim_flat": (lambda lib, x: lib.take_along_dim(x, lib.tensor([0, 5, 5])), [M]),
    # writes into a copy
    "scatter": (lambda lib, x, s: x.scatter(1, lib.tensor([[0, 1], [1, 3], [2, 0]]), s),
                [M, (3, 2)]),
    "scatter_src_no_grad": (lambda lib, x, s: lib.scatter(x, 0, lib.tensor([[2, 0, 1, 0]]), s),
                            [M, (1, 4)], {"requires": [True, False]}),
    "scatter_value": (lambda lib, x: x.scatter(1, lib.tensor([[0, 1], [1, 3], [2, 2]]), 1.5),
                      [M]),
    "scatter_add": (lambda lib, x, s: x.scatter_add(1, lib.tensor([[0, 0], [1, 3], [2, 2]]), s),
                    [M, (3, 2)]),
    "scatter_add_only_src": (lambda lib, x, s: lib.scatter_add(x, -1, lib.tensor([[1, 1]]), s),
                             [M, (1, 2)], {"requires": [False, True]}),
    "masked_fill": (lambda lib, x: x.masked_fill(mask(lib), 2.0), [M]),
    "masked_fill_bcast": (lambda lib, x: x.masked_fill(mask(lib), -1.0), [V]),
    "masked_fill_tensor": (lambda lib, x, v: x.masked_fill(mask(lib), v), [M, ()]),
    "masked_fill_tensor_no_grad": (lambda lib, x, v: lib.masked_fill(x, mask(lib), v), [M, ()],
                                   {"requires": [True, False]}),
    "masked_fill_only_value": (lambda lib, x, v: x.masked_fill(mask(lib, ROW_MASK), v), [M, ()],
                               {"requires": [False, True]}),
    "masked_select": (lambda lib, x: x.masked_select(mask(lib)), [M]),
    "masked_select_bcast": (lambda lib, x: lib.masked_select(x, mask(lib)), [V]),
    "index_put": (lambda lib, x, v: lib.index_put(x, (idx(lib, [0, 2]),), v), [M, V]),
    "index_put_accumulate": (
        lambda lib, x, v: x.index_put((idx(lib, [0, 0]), idx(lib, [1, 1])), v, accumulate=True),
        [M, (2,)]),
    "index_put_mask": (lambda lib, x, v: lib.index_put(x, (mask(lib),), v), [M, ()]),
    "index_add": (lambda lib, x, s: x.index_add(0, idx(lib, [0, 2, 0]), s), [M, (3, 4)]),
    "index_add_alpha": (lambda lib, x, s: lib.index_add(x, -1, idx(lib, [1, 1]), s, alpha=-2),
                        [M, (3, 2)]),
    "index_fill": (lambda lib, x: x.index_fill(0, idx(lib, [0, 2]), 1.0), [M]),
    "index_fill_tensor": (lambda lib, x, v: x.index_fill(1, idx(lib, [3, 0, 3]), v), [M, ()]),
    # chains
    "chain": (lambda lib, x: x[:, [2, 0]].mT[1][None], [X]),
}

# Cases whose forward graph itself needs elementwise/reduction derivatives (landing separately).
NEEDS_SUM = {"masked_fill_tensor", "masked_fill_only_value", "index_fill_tensor"}
SECOND_ORDER = {"int", "two_ints", "slice", "slice_step", "list", "mixed", "index_select",
                "gather", "take", "scatter", "scatter_add", "masked_fill", "index_put_mask"}
_SUM_DIFFERENTIABLE = avz.ones(2, requires_grad=True).sum().grad_fn is not None


def _second_order(name):
    return name in SECOND_ORDER or (name in NEEDS_SUM and _SUM_DIFFERENTIABLE)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", CASES)
def test_graph_and_gradients(name, dtype):
    check_graph_case(CASES[name], dtype)


@pytest.mark.parametrize("name", CASES)
def test_gradcheck(name):
    check_gradcheck_case(CASES[name], second_order=_second_order(name))


def test_repeated_indices_accumulate():
    x = avz.zeros(3, requires_grad=True)
    x[[0, 0, 2, 0]].backward(avz.tensor([1.0, 2.0, 3.0, 4.0]))
    assert x.grad.tolist() == [7.0, 0.0, 3.0]


@pytest.mark.parametrize("src", ["tensor", "value"])
def test_scatter_reduce_has_no_derivative(src):
    """Like PyTorch: a NotImplemented node, and backward raises."""
    results = []
    for lib in (torch, avz):
        x = lib.ones(2, 3, requires_grad=True)
        s = lib.ones(1, 2, requires_grad=True) if src == "tensor" else 2.0
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = lib.scatter(x, 1, lib.tensor([[0, 1]]), s, reduce="add")
        edges = [type(f).__name__ for f, _ in y.grad_fn.next_functions]
        with pytest.raises(RuntimeError) as err:
            y.backward(lib.ones(2, 3))
        results.append((type(y.grad_fn).__name__, edges, str(err.value)))
    assert results[1] == results[0]


OUT_CASES = {
    "gather": lambda lib, x, out: lib.gather(x, 0, lib.tensor([[1, 0, 2]]), out=out),
    "index_select": lambda lib, x, out: lib.index_select(x, 1, lib.tensor([0]), out=out),
}


@pytest.mark.parametrize("name", OUT_CASES)
def test_out_refuses_grad(name):
    """With ``out=``, PyTorch refuses inputs that require grad (but not under no_grad)."""
    assert_out_refuses_grad(
        OUT_CASES[name], lambda lib: (lib.ones(3, 3, requires_grad=True), lib.empty(0))
    )
