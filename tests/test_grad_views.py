"""Derivatives of views, shape functions and joins, against real PyTorch.

Each case builds the same program in torch and autogradviz from the same NumPy data and
compares the grad_fn graph (node names, ``next_functions``, AccumulateGrad, ``_saved_*``
values, including PyTorch's unsigned display of negative dims), the outputs and every leaf's
gradient after ``backward`` with random gradients (see ``_grad_harness``). Every case is also
gradchecked in float64; the rules built only from views and joins are gradgradchecked too.
"""

import os

os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")

import numpy as np
import pytest
from _grad_harness import assert_out_refuses_grad, check_gradcheck_case, check_graph_case

import autogradviz as avz

X, M, V = (2, 3, 4), (3, 4), (4,)

# name: (fn(lib, *leaves), leaf shapes[, options])
CASES = {
    # view / reshape / flatten
    "view": (lambda lib, x: x.view(6, 4), [X]),
    "view_infer": (lambda lib, x: x.view(-1), [X]),
    "view_0d": (lambda lib, x: x.view(1), [()]),
    "view_strided": (lambda lib, x: x[:, :, :2].view(6, 2), [X]),
    "view_as": (lambda lib, x, y: x.view_as(y), [X, (6, 4)], {"requires": [True, False]}),
    "reshape_view": (lambda lib, x: x.reshape(4, 6), [X]),
    "reshape_copy": (lambda lib, x: x.transpose(0, 1).reshape(-1), [X]),
    "reshape_alias": (lambda lib, x: x[:, :, :2].reshape(6, 2), [X]),
    "reshape_alias_t": (lambda lib, x: x.t().reshape(4, 3), [M]),
    "reshape_expanded": (lambda lib, x: x.expand(2, 3, 4).reshape(2, 12), [(1, 3, 4)]),
    "reshape_as": (lambda lib, x, y: x.reshape_as(y), [X, (24,)], {"requires": [True, False]}),
    "flatten": (lambda lib, x: x.flatten(), [X]),
    "flatten_dims": (lambda lib, x: x.flatten(1), [X]),
    "flatten_copy": (lambda lib, x: x.transpose(0, 2).flatten(0, 1), [X]),
    "flatten_0d": (lambda lib, x: x.flatten(), [()]),
    "ravel": (lambda lib, x: x.ravel(), [X]),
    "unflatten": (lambda lib, x: x.unflatten(1, (2, 2)), [M]),
    # squeeze / unsqueeze
    "squeeze": (lambda lib, x: x.unsqueeze(1).squeeze(), [X]),
    "squeeze_dim": (lambda lib, x: x.unsqueeze(1).squeeze(1), [X]),
    "squeeze_neg": (lambda lib, x: x.unsqueeze(1).squeeze(-3), [X]),
    "squeeze_tuple": (lambda lib, x: x.unsqueeze(1).squeeze((1, -1)), [X]),
    "squeeze_noop": (lambda lib, x: x.squeeze(0), [M]),
    "squeeze_0d": (lambda lib, x: x.squeeze(), [()]),
    "unsqueeze": (lambda lib, x: x.unsqueeze(0), [M]),
    "unsqueeze_neg": (lambda lib, x: x.unsqueeze(-1), [M]),
    "unsqueeze_0d": (lambda lib, x: x.unsqueeze(0), [()]),
    # permutations
    "permute": (lambda lib, x: x.permute(2, 0, 1), [X]),
    "permute_neg": (lambda lib, x: x.permute(-1, 0, 1), [X]),
    "movedim": (lambda lib, x: x.movedim(0, 2), [X]),
    "movedim_many": (lambda lib, x: lib.movedim(x, (0, 1), (2, 0)), [X]),
    "T": (lambda lib, x: x.T, [M]),
    "mT": (lambda lib, x: x.mT, [X]),
    "transpose": (lambda lib, x: x.transpose(0, 2), [X]),
    "transpose_neg": (lambda lib, x: lib.transpose(x, -1, 0), [X]),
    "swapaxes": (lambda lib, x: x.swapaxes(0, 1), [X]),
    "t": (lambda lib, x: x.t(), [M]),
    "t_1d": (lambda lib, x: x.t(), [V]),
    "adjoint": (lambda lib, x: x.adjoint(), [X]),
    # expand
    "expand": (lambda lib, x: x.expand(3, 4), [V]),
    "expand_same": (lambda lib, x: x.expand(4), [V]),
    "expand_keep": (lambda lib, x: x.expand(2, -1, 4), [(3, 1)]),
    "expand_as": (lambda lib, x, y: x.expand_as(y), [(3, 1), M], {"requires": [True, False]}),
    "broadcast_to": (lambda lib, x: lib.broadcast_to(x, X), [V]),
    "broadcast_tensors": (lambda lib, x, y: lib.broadcast_tensors(x, y), [(3, 1), V]),
    # slicing
    "narrow": (lambda lib, x: x.narrow(1, 1, 2), [X]),
    "narrow_neg": (lambda lib, x: x.narrow(-1, -3, 2), [X]),
    "narrow_full": (lambda lib, x: lib.narrow(x, 0, 0, 2), [X]),
    "select": (lambda lib, x: x.select(1, 2), [X]),
    "select_neg": (lambda lib, x: lib.select(x, -1, -2), [X]),
    "unbind": (lambda lib, x: x.unbind(1), [X]),
    "unbind_neg": (lambda lib, x: lib.unbind(x, -1), [M]),
    "split": (lambda lib, x: x.split(2, 2), [X]),
    "split_uneven": (lambda lib, x: x.split(2, 1), [X]),
    "split_neg": (lambda lib, x: lib.split(x, 2, -1), [X]),
    "split_sizes": (lambda lib, x: x.split([1, 3], 2), [X]),
    "split_one": (lambda lib, x: x.split(4), [V]),
    "chunk": (lambda lib, x: x.chunk(2, 2), [X]),
    "chunk_uneven": (lambda lib, x: x.chunk(3), [(5,)]),
    "chunk_empty": (lambda lib, x: x.chunk(2), [(0, 3)]),
    "tensor_split": (lambda lib, x: x.tensor_split(2, 1), [X]),
    "diagonal": (lambda lib, x: x.diagonal(), [M]),
    "diagonal_offset": (lambda lib, x: x.diagonal(1), [M]),
    "diagonal_neg": (lambda lib, x: x.diagonal(-1, -1, 0), [X]),
    "diagonal_below": (lambda lib, x: lib.diagonal(x, -1), [M]),
    # copies
    "contiguous_copy": (lambda lib, x: x.transpose(0, 1).contiguous(), [X]),
    "contiguous_same": (lambda lib, x: x.contiguous(), [X]),
    "clone": (lambda lib, x: x.clone(), [X]),
    "clone_strided": (lambda lib, x: x.t().clone(), [M]),
    # joins
    "cat": (lambda lib, x, y: lib.cat([x, y], 1), [M, (3, 2)]),
    "cat_neg": (lambda lib, x, y: lib.cat([x, y], -1), [M, (3, 2)]),
    "cat_same": (lambda lib, x: lib.cat([x, x, x]), [M]),
    "cat_one": (lambda lib, x: lib.cat([x]), [M]),
    "cat_no_grad": (lambda lib, x, y: lib.cat([x, y]), [M, M], {"requires": [True, False]}),
    "cat_legacy_empty": (lambda lib, x, e: lib.cat([x, e]), [M, (0,)]),
    "concat": (lambda lib, x, y: lib.concat((x, y)), [V, (2,)]),
    "stack": (lambda lib, x, y: lib.stack([x, y], 1), [M, M]),
    "stack_neg": (lambda lib, x, y: lib.stack([x, y], -1), [M, M]),
    "stack_one": (lambda lib, x: lib.stack([x]), [V]),
    "hstack_1d": (lambda lib, x, y: lib.hstack([x, y]), [V, (2,)]),
    "hstack_2d": (lambda lib, x, y: lib.hstack([x, y]), [M, M]),
    "hstack_0d": (lambda lib, x, y: lib.hstack([x, y]), [(), V]),
    "vstack_1d": (lambda lib, x, y: lib.vstack([x, y]), [V, V]),
    "vstack_2d": (lambda lib, x, y: lib.vstack([x, y]), [M, (1, 4)]),
    "dstack_1d": (lambda lib, x, y: lib.dstack([x, y]), [V, V]),
    "dstack_2d": (lambda lib, x, y: lib.dstack([x, y]), [M, M]),
    "column_stack": (lambda lib, x, y: lib.column_stack([x, y]), [(3,), (3, 2)]),
    "atleast_3d": (lambda lib, x: lib.atleast_3d(x), [V]),
    # reorderings
    "flip": (lambda lib, x: x.flip(0), [X]),
    "flip_many": (lambda lib, x: lib.flip(x, (0, -1)), [X]),
    "fliplr": (lambda lib, x: x.fliplr(), [M]),
    "flipud": (lambda lib, x: lib.flipud(x), [M]),
    "roll": (lambda lib, x: x.roll(1, 0), [M]),
    "roll_flat": (lambda lib, x: x.roll(3), [M]),
    "roll_many": (lambda lib, x: lib.roll(x, (1, -2), (0, -1)), [X]),
    "rot90": (lambda lib, x: x.rot90(), [M]),
    "rot90_twice": (lambda lib, x: lib.rot90(x, 2), [M]),
    "rot90_back": (lambda lib, x: x.rot90(-1, (-2, -1)), [X]),
    "rot90_none": (lambda lib, x: x.rot90(0), [M]),
    # triangles and diagonals
    "tril": (lambda lib, x: x.tril(), [M]),
    "tril_neg": (lambda lib, x: lib.tril(x, -1), [X]),
    "triu": (lambda lib, x: x.triu(1), [M]),
    "diag_1d": (lambda lib, x: lib.diag(x), [V]),
    "diag_1d_offset": (lambda lib, x: lib.diag(x, 1), [V]),
    "diag_1d_below": (lambda lib, x: x.diag(-2), [V]),
    "diag_2d": (lambda lib, x: lib.diag(x), [M]),
    "diag_2d_offset": (lambda lib, x: x.diag(1), [M]),
    "diag_embed": (lambda lib, x: lib.diag_embed(x), [M]),
    "diag_embed_dims": (lambda lib, x: lib.diag_embed(x, 1, 0, 2), [M]),
    # repeats
    "repeat": (lambda lib, x: x.repeat(2, 1, 2), [M]),
    "repeat_same": (lambda lib, x: x.repeat(1, 1), [M]),
    "tile": (lambda lib, x: x.tile((2,)), [M]),
    "tile_more": (lambda lib, x: lib.tile(x, (2, 2)), [V]),
    "repeat_interleave": (lambda lib, x: x.repeat_interleave(2, 0), [M]),
    "repeat_interleave_neg": (lambda lib, x: x.repeat_interleave(3, -1), [M]),
    "repeat_interleave_flat": (lambda lib, x: lib.repeat_interleave(x, 2), [M]),
    "repeat_interleave_tensor": (
        lambda lib, x: x.repeat_interleave(lib.tensor([1, 2, 0]), 0), [M]),
    "repeat_interleave_one_count": (
        lambda lib, x: x.repeat_interleave(lib.tensor([2]), 1), [M]),
    "as_strided": (lambda lib, x: x.as_strided((2, 2), (1, 2)), [M]),
    "as_strided_overlap": (lambda lib, x: x.as_strided((3, 3), (1, 1), 2), [M]),
    # chains
    "chain": (lambda lib, x: x.permute(1, 0, 2).reshape(3, 8)[1:].t().unsqueeze(0), [X]),
    "chain_shared": (lambda lib, x: lib.cat([x.t(), x.flip(0).t()]).diagonal(), [M]),
}

SECOND_ORDER = {
    "view", "reshape_copy", "reshape_alias", "squeeze", "unsqueeze", "permute_neg", "transpose",
    "narrow", "select", "unbind", "split_sizes", "diagonal", "cat", "stack", "flip", "roll",
    "rot90", "tril", "diag_1d", "diag_2d", "expand_same",
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", CASES)
def test_graph_and_gradients(name, dtype):
    check_graph_case(CASES[name], dtype)


@pytest.mark.parametrize("name", CASES)
def test_gradcheck(name):
    check_gradcheck_case(CASES[name], second_order=name in SECOND_ORDER)


def test_negative_dims_show_unsigned():
    """PyTorch shows a saved negative int64 as unsigned; the rule still reads -1."""
    x = avz.randn(2, 3, requires_grad=True)
    y = x.transpose(-1, 0)
    assert y.grad_fn._saved_dim0 == 2**64 - 1
    assert [a for a in dir(y.grad_fn) if a.startswith("_saved")] == ["_saved_dim0", "_saved_dim1"]
    y.backward(avz.ones(3, 2))
    np.testing.assert_array_equal(x.grad.numpy(), np.ones((2, 3), np.float32))


OUT_CASES = {
    "cat": lambda lib, x, out: lib.cat([x, x], out=out),
    "stack": lambda lib, x, out: lib.stack([x, x], out=out),
    "hstack": lambda lib, x, out: lib.hstack([x, x], out=out),
    "column_stack": lambda lib, x, out: lib.column_stack([x, x], out=out),
}


@pytest.mark.parametrize("name", OUT_CASES)
def test_out_refuses_grad(name):
    """With ``out=``, PyTorch refuses inputs that require grad (but not under no_grad)."""
    assert_out_refuses_grad(
        OUT_CASES[name], lambda lib: (lib.ones(3, requires_grad=True), lib.empty(0))
    )
