"""Derivatives of the matrix products against real PyTorch: dot, mv, mm, bmm, every rank
combination of matmul (with PyTorch's folding into mm/mv, its transposed fold, its batch
squeeze and its broadcast bmm), addmm, outer, tensordot, trace and einsum.

Same checks as test_grad_views (graph, ``_saved_*`` values including which tensors PyTorch
saves only when the other operand needs a gradient, outputs, leaf gradients, float64
gradcheck; see ``_grad_harness``).
"""

import os

os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")

import pytest
import torch
from _grad_harness import assert_out_refuses_grad, check_gradcheck_case, check_graph_case

import autogradviz as avz

NO_SECOND = {"requires": [True, False]}
NO_FIRST = {"requires": [False, True]}

CASES = {
    # the kernels
    "dot": (lambda lib, a, b: lib.dot(a, b), [(4,), (4,)]),
    "dot_one_grad": (lambda lib, a, b: a.dot(b), [(4,), (4,)], NO_SECOND),
    "mv": (lambda lib, a, b: lib.mv(a, b), [(3, 4), (4,)]),
    "mv_vec_only": (lambda lib, a, b: a.mv(b), [(3, 4), (4,)], NO_FIRST),
    "mm": (lambda lib, a, b: lib.mm(a, b), [(3, 4), (4, 5)]),
    "mm_one_grad": (lambda lib, a, b: a.mm(b), [(3, 4), (4, 2)], NO_SECOND),
    "mm_column_major": (lambda lib, a, b: a.t().mm(b.t()), [(4, 3), (5, 4)]),
    "bmm": (lambda lib, a, b: lib.bmm(a, b), [(2, 3, 4), (2, 4, 5)]),
    "bmm_one_grad": (lambda lib, a, b: a.bmm(b), [(2, 3, 4), (2, 4, 5)], NO_FIRST),
    # matmul, rank by rank
    "1d@1d": (lambda lib, a, b: a @ b, [(4,), (4,)]),
    "2d@1d": (lambda lib, a, b: a @ b, [(3, 4), (4,)]),
    "1d@2d": (lambda lib, a, b: a @ b, [(3,), (3, 4)]),
    "2d@2d": (lambda lib, a, b: lib.matmul(a, b), [(3, 4), (4, 5)]),
    "3d@2d": (lambda lib, a, b: a @ b, [(2, 3, 4), (4, 5)]),
    "3d@2d_one_grad": (lambda lib, a, b: a @ b, [(2, 3, 4), (4, 5)], NO_SECOND),
    "3d@1d": (lambda lib, a, b: a @ b, [(2, 3, 4), (4,)]),
    "4d@2d": (lambda lib, a, b: a @ b, [(3, 2, 3, 4), (4, 5)]),
    "1d@3d": (lambda lib, a, b: a @ b, [(3,), (2, 3, 4)]),
    "2d@3d": (lambda lib, a, b: a @ b, [(6, 3), (2, 3, 4)]),
    "2d@3d_one_grad": (lambda lib, a, b: a @ b, [(6, 3), (2, 3, 4)], NO_FIRST),
    "3d@3d": (lambda lib, a, b: a @ b, [(2, 3, 4), (2, 4, 5)]),
    "4d@3d": (lambda lib, a, b: a @ b, [(3, 2, 3, 4), (2, 4, 5)]),
    "3d@4d": (lambda lib, a, b: lib.matmul(a, b), [(2, 3, 4), (3, 1, 4, 2)]),
    "batch_of_one_left": (lambda lib, a, b: a @ b, [(1, 3, 4), (2, 4, 5)]),
    "batch_of_one_right": (lambda lib, a, b: a @ b, [(2, 3, 4), (1, 4, 5)]),
    "batch_of_one_no_grad": (lambda lib, a, b: a @ b, [(1, 3, 4), (2, 4, 5)], NO_FIRST),
    "strided_3d@2d": (lambda lib, a, b: a.transpose(0, 1) @ b, [(3, 2, 4), (4, 5)]),
    "strided_3d@2d_bmm": (lambda lib, a, b: a.transpose(0, 1) @ b, [(3, 2, 4), (4, 5)],
                          NO_SECOND),
    "strided_3d@1d_bmm": (lambda lib, a, b: a.transpose(0, 1) @ b, [(3, 2, 4), (4,)],
                          NO_SECOND),
    "5d@3d": (lambda lib, a, b: a @ b, [(2, 1, 2, 3, 2), (2, 2, 3)]),
    # fused and decomposed
    "addmm": (lambda lib, c, a, b: lib.addmm(c, a, b), [(3, 5), (3, 4), (4, 5)]),
    "addmm_bias_row": (lambda lib, c, a, b: lib.addmm(c, a, b, beta=2, alpha=0.5),
                       [(5,), (3, 4), (4, 5)]),
    "addmm_some_grad": (lambda lib, c, a, b: c.addmm(a, b), [(3, 5), (3, 4), (4, 5)],
                        {"requires": [False, True, False]}),
    "outer": (lambda lib, a, b: lib.outer(a, b), [(4,), (3,)]),
    "ger": (lambda lib, a, b: a.ger(b), [(2,), (3,)]),
    "trace": (lambda lib, a: lib.trace(a), [(3, 4)]),
    "trace_tall": (lambda lib, a: a.trace(), [(4, 2)]),
    "tensordot": (lambda lib, a, b: lib.tensordot(a, b, dims=2), [(2, 3, 4), (3, 4, 2)]),
    "tensordot_lists": (lambda lib, a, b: lib.tensordot(a, b, ([1, 0], [0, 2])),
                        [(2, 3, 4), (3, 5, 2)]),
    "tensordot_one": (lambda lib, a, b: lib.tensordot(a, b, 1), [(2, 3), (3, 4)]),
    "tensordot_zero": (lambda lib, a, b: lib.tensordot(a, b, 0), [(2,), (3,)]),
    # einsum
    "einsum_mm": (lambda lib, a, b: lib.einsum("ij,jk->ik", a, b), [(3, 4), (4, 5)]),
    "einsum_mm_out_t": (lambda lib, a, b: lib.einsum("ij,jk->ki", a, b), [(3, 4), (4, 5)]),
    "einsum_bmm": (lambda lib, a, b: lib.einsum("bij,bjk->bik", a, b),
                   [(2, 3, 4), (2, 4, 5)]),
    "einsum_ellipsis": (lambda lib, a, b: lib.einsum("...ij,...jk->...ik", a, b),
                        [(2, 2, 3), (3, 4)]),
    "einsum_dot": (lambda lib, a, b: lib.einsum("i,i->", a, b), [(4,), (4,)]),
    "einsum_mv": (lambda lib, a, b: lib.einsum("ij,j->i", a, b), [(3, 4), (4,)]),
    "einsum_three": (lambda lib, a, b, c: lib.einsum("bn,anm,bm->ba", a, b, c),
                     [(2, 3), (4, 3, 5), (2, 5)]),
    "einsum_chain": (lambda lib, a, b, c: lib.einsum("ij,jk,kl->il", a, b, c),
                     [(3, 4), (4, 5), (5, 2)]),
    "einsum_transpose": (lambda lib, a: lib.einsum("ij->ji", a), [(3, 4)]),
    "einsum_diagonal": (lambda lib, a: lib.einsum("ii->i", a), [(3, 3)]),
    "einsum_list": (lambda lib, a, b: lib.einsum("ij,kj", [a, b]), [(3, 4), (2, 4)]),
    "einsum_trace": (lambda lib, a: lib.einsum("ii", a), [(3, 3)]),
    "einsum_sum": (lambda lib, a: lib.einsum("ij->j", a), [(3, 4)]),
    "einsum_outer": (lambda lib, a, b: lib.einsum("i,j->ij", a, b), [(4,), (3,)]),
    "einsum_hadamard": (lambda lib, a, b: lib.einsum("ij,ij->ij", a, b), [(3, 4), (3, 4)]),
    "einsum_sum_first": (lambda lib, a, b: lib.einsum("ij,k->k", a, b), [(3, 4), (2,)]),
}

# Their forward graph has elementwise/reduction nodes (MulBackward0, SumBackward1), whose
# derivatives land separately: expected to fail only while those are missing.
_MUL_OK = (avz.ones(2, requires_grad=True) * 2).grad_fn is not None
_SUM_OK = avz.ones(2, requires_grad=True).sum().grad_fn is not None
NEEDS = {
    "outer": _MUL_OK, "ger": _MUL_OK, "einsum_outer": _MUL_OK, "einsum_hadamard": _MUL_OK,
    "einsum_trace": _SUM_OK, "einsum_sum": _SUM_OK, "einsum_sum_first": _SUM_OK,
}
SECOND_ORDER = {"mm", "bmm", "2d@2d", "3d@2d", "2d@3d", "3d@3d", "4d@3d", "1d@2d",
                "strided_3d@2d_bmm", "tensordot", "einsum_mm", "einsum_three", "addmm_some_grad"}
# Rules that multiply (dot, mv, outer): second order once MulBackward0 exists.
SECOND_ORDER_MUL = {"dot", "mv", "1d@1d", "2d@1d", "3d@1d", "outer", "einsum_hadamard"}


def _params():
    for name in CASES:
        ready = NEEDS.get(name, True)
        mark = pytest.mark.xfail(not ready, strict=True,
                                 reason="needs elementwise/reduction derivatives")
        yield pytest.param(name, marks=mark)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(_params()))
def test_graph_and_gradients(name, dtype):
    check_graph_case(CASES[name], dtype)


@pytest.mark.parametrize("name", list(_params()))
def test_gradcheck(name):
    second = name in SECOND_ORDER or (name in SECOND_ORDER_MUL and _MUL_OK)
    check_gradcheck_case(CASES[name], second_order=second)


def test_1d_at_2d_result_was_squeezed_in_place():
    """PyTorch ends 1-D @ 2-D with ``squeeze_(0)``: the result is at version 1."""
    for lib in (torch, avz):
        a, b = lib.ones(3, requires_grad=True), lib.ones(3, 4)
        assert (a @ b)._version == 1


OUT_CASES = {
    "matmul": lambda lib, a, b, out: lib.matmul(a, b, out=out),
    "matmul_1d": lambda lib, a, b, out: lib.matmul(a[0], b, out=out),
    "mm": lambda lib, a, b, out: lib.mm(a, b, out=out),
    "mm_bad_shapes": lambda lib, a, b, out: lib.mm(a, b[0], out=out),
    "mv": lambda lib, a, b, out: lib.mv(a, b[0], out=out),
    "dot": lambda lib, a, b, out: lib.dot(a[0], b[0], out=out),
    "bmm": lambda lib, a, b, out: lib.bmm(a[None], b[None], out=out),
    "outer": lambda lib, a, b, out: lib.outer(a[0], b[0], out=out),
}


@pytest.mark.parametrize("name", OUT_CASES)
def test_out_refuses_grad(name):
    """With ``out=``, PyTorch refuses inputs that require grad (but not under no_grad)."""
    assert_out_refuses_grad(
        OUT_CASES[name],
        lambda lib: (lib.ones(3, 3, requires_grad=True), lib.ones(3, 3), lib.empty(0)),
        then_no_grad=name != "mm_bad_shapes",
    )
