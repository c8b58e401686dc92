"""Matrix products against real PyTorch: matmul/@ for every rank combination, mm, bmm, mv, dot,
outer, einsum and ``out=``, with PyTorch's errors.

Tolerances: integer results must be equal. Floating-point results may differ in the last bits,
because NumPy's BLAS and PyTorch's sum the products in different orders: float32 is compared
with rtol 1e-5 and float64 with rtol 1e-12, both relative to the largest magnitude in the result
(a sum that cancels to nearly zero has no correct relative digits to compare). Shapes, dtypes and
strides must match exactly, except for einsum with several operands (see test_einsum).
"""

import os

os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")

import subprocess
import sys

import pytest
import torch
from _parity import (
    assert_same_exception,
    assert_same_tensor,
    attempt,
    make,
    parity,
    seeded_arrays,
    tensors,
)

import autogradviz as avz

RTOL = {"float32": 1e-5, "float64": 1e-12}


def inputs(shapes, dtypes):
    arrays = seeded_arrays(shapes, dtypes)
    return tensors(torch, arrays), tensors(avz, arrays)


def assert_close(rt, rg, *, layout=True):
    """``_parity.assert_same_tensor`` with this module's float tolerances."""
    assert_same_tensor(rt, rg, layout=layout, rtol=RTOL)


def assert_same_outcome(fn, shapes, dtypes, *, layout=True):
    ts, gs = inputs(shapes, dtypes)
    (rt, wt), (rg, wg) = attempt(fn, torch, *ts), attempt(fn, avz, *gs)
    if isinstance(rt, Exception):
        assert_same_exception(rt, rg)
    else:
        assert_close(rt, rg, layout=layout)
    assert wg == wt


# ---------------------------------------------------------------------- matmul, every rank pair
MATMUL_SHAPES = {
    "1d_1d": [(4,), (4,)],
    "2d_1d": [(3, 4), (4,)],
    "1d_2d": [(4,), (4, 5)],
    "2d_2d": [(3, 4), (4, 5)],
    "3d_1d": [(2, 3, 4), (4,)],
    "1d_3d": [(4,), (2, 4, 5)],
    "3d_2d": [(2, 3, 4), (4, 5)],
    "2d_3d": [(3, 4), (2, 4, 5)],
    "3d_3d": [(2, 3, 4), (2, 4, 5)],
    "3d_3d_broadcast": [(1, 3, 4), (2, 4, 5)],
    "4d_3d_broadcast": [(2, 1, 3, 4), (5, 4, 2)],
    "4d_4d_broadcast": [(2, 1, 3, 4), (1, 6, 4, 2)],
    "4d_1d": [(2, 2, 3, 4), (4,)],
    "1d_4d": [(4,), (2, 2, 4, 3)],
    "4d_2d": [(2, 2, 3, 4), (4, 1)],
    "row_col": [(1, 4), (4, 1)],
    "col_row": [(4, 1), (1, 4)],
    "empty_inner": [(3, 0), (0, 2)],
    "empty_rows": [(0, 4), (4, 2)],
    "empty_batch": [(0, 3, 4), (4, 2)],
    "empty_vec": [(0,), (0,)],
}
DTYPES = ["float32", "float64", "int64", "int32", "uint8"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", MATMUL_SHAPES)
@pytest.mark.parametrize("form", ["matmul", "operator", "method"])
def test_matmul(form, case, dtype):
    fn = {
        "matmul": lambda lib, a, b: lib.matmul(a, b),
        "operator": lambda lib, a, b: a @ b,
        "method": lambda lib, a, b: a.matmul(b),
    }[form]
    assert_same_outcome(fn, MATMUL_SHAPES[case], [dtype, dtype])


# Non-contiguous operands: transposed matrices, batches that cannot fold into one mm.
STRIDED = {
    "t_t": (lambda lib, a, b: a.t() @ b.t(), [(4, 3), (5, 4)]),
    "mT_3d": (lambda lib, a, b: a.mT @ b, [(2, 4, 3), (4, 5)]),
    "batch_not_foldable": (lambda lib, a, b: a.transpose(0, 1) @ b, [(3, 2, 4), (4, 5)]),
    "1d_3d_transposed": (lambda lib, a, b: a @ b.transpose(1, 2), [(4,), (2, 5, 4)]),
    "sliced": (lambda lib, a, b: a[:, ::2] @ b[::2], [(3, 8), (8, 2)]),
    "expanded": (lambda lib, a, b: a.expand(3, 4) @ b, [(1, 4), (4, 2)]),
}


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
@pytest.mark.parametrize("case", STRIDED)
def test_matmul_strided(case, dtype):
    fn, shapes = STRIDED[case]
    assert_same_outcome(fn, shapes, [dtype, dtype])


# ---------------------------------------------------------------------- mm, bmm, mv, dot, outer
PRODUCTS = {
    "mm": (lambda lib, a, b: lib.mm(a, b), [(3, 4), (4, 2)]),
    "mm_method": (lambda lib, a, b: a.mm(b), [(1, 4), (4, 1)]),
    "bmm": (lambda lib, a, b: lib.bmm(a, b), [(2, 3, 4), (2, 4, 5)]),
    "bmm_method": (lambda lib, a, b: a.bmm(b), [(1, 2, 2), (1, 2, 3)]),
    "mv": (lambda lib, a, b: lib.mv(a, b), [(3, 4), (4,)]),
    "mv_method": (lambda lib, a, b: a.mv(b), [(1, 4), (4,)]),
    "dot": (lambda lib, a, b: lib.dot(a, b), [(5,), (5,)]),
    "dot_method": (lambda lib, a, b: a.dot(b), [(1,), (1,)]),
    "outer": (lambda lib, a, b: lib.outer(a, b), [(3,), (4,)]),
    "outer_method": (lambda lib, a, b: a.outer(b), [(1,), (2,)]),
    "ger": (lambda lib, a, b: lib.ger(a, b), [(2,), (3,)]),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", PRODUCTS)
def test_products(case, dtype):
    fn, shapes = PRODUCTS[case]
    assert_same_outcome(fn, shapes, [dtype, dtype])


@pytest.mark.parametrize(
    "dtypes", [("int64", "float32"), ("uint8", "int8"), ("bool", "float64"), ("int32", "int64")]
)
def test_outer_promotes(dtypes):
    assert_same_outcome(lambda lib, a, b: lib.outer(a, b), [(3,), (2,)], dtypes)


# ---------------------------------------------------------------------- einsum
EINSUM = {
    "matmul": ("ij,jk->ik", [(2, 3), (3, 4)]),
    "matmul_implicit": ("ij,jk", [(2, 3), (3, 4)]),
    "matmul_t_out": ("ij,jk->ki", [(2, 3), (3, 4)]),
    "batched": ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    "ellipsis_batched": ("...ij,...jk->...ik", [(2, 2, 3), (3, 4)]),
    "dot": ("i,i->", [(5,), (5,)]),
    "outer": ("i,j->ij", [(2,), (3,)]),
    "hadamard": ("ij,ij->ij", [(2, 3), (2, 3)]),
    "mat_vec": ("ij,j->i", [(2, 3), (3,)]),
    "three": ("bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)]),
    "broadcast_one": ("i,i->", [(3,), (1,)]),
    "transpose": ("ij->ji", [(2, 3)]),
    "transpose_implicit": ("ji", [(2, 3)]),
    "identity": ("ij", [(2, 3)]),
    "permute": ("ijk->kij", [(2, 3, 4)]),
    "diagonal": ("ii->i", [(3, 3)]),
    "diagonal_3d": ("iij->ji", [(3, 3, 2)]),
    "trace": ("ii", [(3, 3)]),
    "sum_all": ("ij->", [(2, 3)]),
    "sum_rows": ("ij->j", [(2, 3)]),
    "sum_permuted": ("ijk->kj", [(2, 3, 4)]),
    "upper_labels": ("Ij,jK->IK", [(2, 3), (3, 2)]),
    "spaces": ("i j , j k -> i k", [(2, 3), (3, 4)]),
}
# PyTorch's bmm-based contractions may return permuted strides; autogradviz's are contiguous.
EINSUM_LAYOUT_DIFFERS = {"matmul_t_out", "hadamard"}


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
@pytest.mark.parametrize("case", EINSUM)
def test_einsum(case, dtype):
    equation, shapes = EINSUM[case]
    assert_same_outcome(
        lambda lib, *ops: lib.einsum(equation, *ops),
        shapes,
        [dtype] * len(shapes),
        layout=case not in EINSUM_LAYOUT_DIFFERS,
    )


def test_einsum_list_and_view():
    (t,), (g,) = inputs([(2, 3)], ["float32"])
    rt, rg = torch.einsum("ij->ji", [t]), avz.einsum("ij->ji", [g])
    assert_close(rt, rg)
    rt.add_(1)
    rg.add_(1)  # a view: the write reaches the operand, as in PyTorch
    assert_close(t, g)


# ---------------------------------------------------------------------- out=
OUT = {
    "mm_into": ((2, 4), "float32", lambda lib, a, b, o: lib.matmul(a, b, out=o), [(2, 3), (3, 4)]),
    "mm_resized": ((5,), "float32", lambda lib, a, b, o: lib.matmul(a, b, out=o), [(2, 3), (3, 4)]),
    "mm_empty": ((0,), "float32", lambda lib, a, b, o: lib.matmul(a, b, out=o), [(2, 3), (3, 4)]),
    "mm_transposed_out": (
        (4, 2),
        "float32",
        lambda lib, a, b, o: lib.matmul(a, b, out=o.t()),
        [(2, 3), (3, 4)],
    ),
    "mm_dtype": ((2, 4), "float64", lambda lib, a, b, o: lib.matmul(a, b, out=o), [(2, 3), (3, 4)]),
    "mm_dtype_int": ((2, 4), "int64", lambda lib, a, b, o: lib.mm(a, b, out=o), [(2, 3), (3, 4)]),
    "dot_into": ((), "float32", lambda lib, a, b, o: lib.matmul(a, b, out=o), [(3,), (3,)]),
    "dot_resized": ((2,), "float32", lambda lib, a, b, o: lib.matmul(a, b, out=o), [(3,), (3,)]),
    "dot_dtype": ((), "float64", lambda lib, a, b, o: lib.dot(a, b, out=o), [(3,), (3,)]),
    "mv_into": ((2,), "float32", lambda lib, a, b, o: lib.matmul(a, b, out=o), [(2, 3), (3,)]),
    "mv_dtype": ((2,), "float64", lambda lib, a, b, o: lib.mv(a, b, out=o), [(2, 3), (3,)]),
    "vm_into": ((4,), "float32", lambda lib, a, b, o: lib.matmul(a, b, out=o), [(3,), (3, 4)]),
    "vm_dtype": ((4,), "float64", lambda lib, a, b, o: lib.matmul(a, b, out=o), [(3,), (3, 4)]),
    "batched_into": (
        (2, 2, 4),
        "float32",
        lambda lib, a, b, o: lib.matmul(a, b, out=o),
        [(2, 2, 3), (2, 3, 4)],
    ),
    "batched_dtype": (
        (2, 2, 4),
        "float64",
        lambda lib, a, b, o: lib.matmul(a, b, out=o),
        [(2, 2, 3), (2, 3, 4)],
    ),
    "folded_into": (
        (2, 2, 4),
        "float32",
        lambda lib, a, b, o: lib.matmul(a, b, out=o),
        [(2, 2, 3), (3, 4)],
    ),
    "folded_mv_dtype": (
        (2, 2),
        "float64",
        lambda lib, a, b, o: lib.matmul(a, b, out=o),
        [(2, 2, 3), (3,)],
    ),
    "bmm_into": (
        (2, 2, 4),
        "float32",
        lambda lib, a, b, o: lib.bmm(a, b, out=o),
        [(2, 2, 3), (2, 3, 4)],
    ),
}


@pytest.mark.parametrize("case", OUT)
def test_out(case):
    out_shape, out_dtype, fn, shapes = OUT[case]
    ts, gs = inputs(shapes, ["float32"] * len(shapes))
    # Not from_numpy: PyTorch cannot resize storage that NumPy owns.
    ot = torch.zeros(out_shape, dtype=getattr(torch, out_dtype))
    og = avz.zeros(out_shape, dtype=getattr(avz, out_dtype))
    (rt, wt), (rg, wg) = attempt(fn, torch, *ts, ot), attempt(fn, avz, *gs, og)
    assert wg == wt
    if isinstance(rt, Exception):
        assert_same_exception(rt, rg)
    else:
        assert (rg is og) == (rt is ot)
        assert_close(rt, rg)
    assert_close(ot, og)
    assert og._version == ot._version


# ---------------------------------------------------------------------- errors
ERRORS = {
    "1d_1d_size": (lambda lib, a, b: a @ b, [(3,), (4,)]),
    "2d_1d_size": (lambda lib, a, b: a @ b, [(2, 3), (4,)]),
    "1d_2d_size": (lambda lib, a, b: a @ b, [(3,), (4, 5)]),
    "2d_2d_size": (lambda lib, a, b: a @ b, [(2, 3), (4, 5)]),
    "3d_1d_size": (lambda lib, a, b: a @ b, [(2, 3, 4), (3,)]),
    "3d_2d_size": (lambda lib, a, b: a @ b, [(2, 3, 4), (3, 5)]),
    "1d_3d_size": (lambda lib, a, b: a @ b, [(3,), (2, 4, 5)]),
    "2d_3d_size": (lambda lib, a, b: a @ b, [(4, 3), (2, 4, 5)]),
    "3d_3d_size": (lambda lib, a, b: a @ b, [(2, 3, 4), (2, 3, 5)]),
    "batch_broadcast": (lambda lib, a, b: a @ b, [(2, 3, 4), (3, 4, 5)]),
    "batch_broadcast_4d": (lambda lib, a, b: a @ b, [(2, 1, 3, 4), (5, 3, 4, 5)]),
    "batch_not_foldable_size": (lambda lib, a, b: a.transpose(0, 1) @ b, [(3, 2, 4), (3, 5)]),
    "0d_left": (lambda lib, a, b: a @ b, [(), (3,)]),
    "0d_right": (lambda lib, a, b: lib.matmul(a, b), [(3,), ()]),
    "0d_both": (lambda lib, a, b: a @ b, [(), ()]),
    "not_tensor": (lambda lib, a: lib.matmul(a, 2), [(3,)]),
    "mm_1d": (lambda lib, a, b: lib.mm(a, b), [(3,), (3, 4)]),
    "mm_1d_right": (lambda lib, a, b: lib.mm(a, b), [(2, 3), (3,)]),
    "mm_size": (lambda lib, a, b: lib.mm(a, b), [(2, 3), (4, 5)]),
    "bmm_2d": (lambda lib, a, b: lib.bmm(a, b), [(2, 3), (2, 3, 4)]),
    "bmm_2d_right": (lambda lib, a, b: lib.bmm(a, b), [(2, 2, 3), (2, 3)]),
    "bmm_batch": (lambda lib, a, b: lib.bmm(a, b), [(2, 2, 3), (3, 3, 4)]),
    "bmm_size": (lambda lib, a, b: lib.bmm(a, b), [(2, 2, 3), (2, 4, 4)]),
    "mv_size": (lambda lib, a, b: lib.mv(a, b), [(2, 3), (4,)]),
    "mv_1d": (lambda lib, a, b: lib.mv(a, b), [(3,), (3,)]),
    "mv_2d_vec": (lambda lib, a, b: lib.mv(a, b), [(2, 3), (3, 1)]),
    "dot_size": (lambda lib, a, b: lib.dot(a, b), [(3,), (4,)]),
    "dot_2d": (lambda lib, a, b: lib.dot(a, b), [(2, 3), (3,)]),
    "outer_2d": (lambda lib, a, b: lib.outer(a, b), [(3,), (2, 2)]),
    "outer_2d_self": (lambda lib, a, b: lib.outer(a, b), [(3, 1), (2,)]),
    "einsum_size": (lambda lib, a, b: lib.einsum("i,i->", a, b), [(3,), (4,)]),
    "einsum_size_2d": (lambda lib, a, b: lib.einsum("ij,jk->ik", a, b), [(2, 3), (4, 5)]),
    "einsum_few_operands": (lambda lib, a: lib.einsum("ij,jk", a), [(2, 3)]),
    "einsum_many_operands": (lambda lib, a, b, c: lib.einsum("i,i->", a, b, c), [(3,), (3,), (3,)]),
    "einsum_subscripts": (lambda lib, a, b: lib.einsum("ijk,jk", a, b), [(2, 3), (3, 4)]),
    "einsum_ellipsis_dims": (lambda lib, a, b: lib.einsum("ijk...,i->", a, b), [(3,), (3,)]),
    "einsum_repeated_sizes": (lambda lib, a: lib.einsum("ii->i", a), [(2, 3)]),
    "einsum_output_unknown": (lambda lib, a: lib.einsum("i->j", a), [(2,)]),
    "einsum_output_twice": (lambda lib, a: lib.einsum("i->ii", a), [(3,)]),
    "einsum_bad_label": (lambda lib, a: lib.einsum("i1->i", a), [(3, 3)]),
    "einsum_bad_output_label": (lambda lib, a: lib.einsum("ij->i2", a), [(3, 3)]),
    "einsum_dot_not_ellipsis": (lambda lib, a: lib.einsum("i.j->i", a), [(3, 3)]),
}


@pytest.mark.parametrize("case", ERRORS)
def test_errors(case):
    fn, shapes = ERRORS[case]
    ts, gs = inputs(shapes, ["float32"] * len(shapes))
    (et, _), (eg, _) = attempt(fn, torch, *ts), attempt(fn, avz, *gs)
    assert isinstance(et, Exception), et
    assert_same_exception(et, eg)


DTYPE_ERRORS = {
    "1d_1d": (lambda lib, a, b: a @ b, [(3,), (3,)]),
    "2d_1d": (lambda lib, a, b: a @ b, [(2, 3), (3,)]),
    "1d_2d": (lambda lib, a, b: a @ b, [(3,), (3, 4)]),
    "2d_2d": (lambda lib, a, b: a @ b, [(2, 3), (3, 4)]),
    "3d_3d": (lambda lib, a, b: a @ b, [(2, 2, 3), (2, 3, 4)]),
    "3d_2d": (lambda lib, a, b: a @ b, [(2, 2, 3), (3, 4)]),
    "3d_1d": (lambda lib, a, b: a @ b, [(2, 2, 3), (3,)]),
    "1d_3d": (lambda lib, a, b: a @ b, [(3,), (2, 3, 4)]),
    "mm": (lambda lib, a, b: lib.mm(a, b), [(2, 3), (3, 4)]),
    "bmm": (lambda lib, a, b: lib.bmm(a, b), [(2, 2, 3), (2, 3, 4)]),
    "mv": (lambda lib, a, b: lib.mv(a, b), [(2, 3), (3,)]),
    "dot": (lambda lib, a, b: lib.dot(a, b), [(3,), (3,)]),
    "einsum_contraction": (lambda lib, a, b: lib.einsum("i,i->", a, b), [(3,), (3,)]),
}


@pytest.mark.parametrize(
    "dtypes",
    [("float32", "float64"), ("float64", "float32"), ("int64", "float32"), ("bool", "bool")],
)
@pytest.mark.parametrize("case", DTYPE_ERRORS)
def test_dtype_errors(case, dtypes):
    fn, shapes = DTYPE_ERRORS[case]
    ts, gs = inputs(shapes, list(dtypes))
    (et, _), (eg, _) = attempt(fn, torch, *ts), attempt(fn, avz, *gs)
    assert isinstance(et, Exception), et
    assert_same_exception(et, eg)


# ---------------------------------------------------------------------- cross product and svd
CROSS = {
    "last_dim": (lambda lib, a, b: lib.linalg.cross(a, b), [(4, 3), (4, 3)]),
    "dim0": (lambda lib, a, b: lib.cross(a, b, dim=0), [(3, 2), (3, 2)]),
    "broadcast": (lambda lib, a, b: lib.linalg.cross(a, b, dim=1), [(2, 3), (1, 3)]),
    "method": (lambda lib, a, b: a.cross(b, dim=-1), [(3,), (3,)]),
    "ndim_error": (lambda lib, a, b: lib.linalg.cross(a, b), [(2, 3), (3,)]),
    "length_error": (lambda lib, a, b: lib.linalg.cross(a, b), [(3, 2), (3, 2)]),
    "dim_length_error": (lambda lib, a, b: lib.cross(a, b, dim=0), [(2, 3), (2, 3)]),
    "broadcast_error": (lambda lib, a, b: lib.linalg.cross(a, b), [(2, 3), (4, 3)]),
}


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
@pytest.mark.parametrize("case", CROSS)
def test_cross(case, dtype):
    """Bit for bit: PyTorch's kernel rounds ``a_j*b_k - a_k*b_j`` once (an fma) in floats."""
    fn, shapes = CROSS[case]
    parity(fn, *[make(dtype, s, seed=i) for i, s in enumerate(shapes)])


def test_cross_errors_of_dtypes():
    for dtypes in (("float32", "float64"), ("bool", "bool")):
        parity(lambda lib, a, b: lib.linalg.cross(a, b), make(dtypes[0], (3,)),
               make(dtypes[1], (3,), seed=1))


def test_cross_default_dim_warns_once():
    """Without ``dim``: the first dim of size 3, and PyTorch's deprecation warning, once."""
    program = (
        "import warnings\nwarnings.simplefilter('always')\n"
        "a = torch.tensor([[1., 2., 3.], [4., 5., 6.], [7., 8., 10.]])\n"
        "print(torch.cross(a, a.flip(0)))\nprint(torch.cross(a[:, :2], a[:, 1:]))\n"
        "try:\n    torch.cross(torch.ones(4), torch.ones(4))\n"
        "except RuntimeError as e:\n    print(e)\n"
    )
    outputs = [subprocess.run([sys.executable, "-c", f"import {lib} as torch\n" + program],
                              capture_output=True, text=True, check=True)
               for lib in ("torch", "autogradviz")]
    assert outputs[0].stdout == outputs[1].stdout
    assert outputs[0].stderr.count("UserWarning") == outputs[1].stderr.count("UserWarning") == 1
    assert outputs[0].stderr.splitlines()[1:] == outputs[1].stderr.splitlines()[1:]


def test_cross_gradients():
    grads = []
    for lib in (torch, avz):
        a = lib.tensor([[1., 2., 3.], [4., 5., 6.]], requires_grad=True)
        b = lib.tensor([[0.5, -1., 2.]], requires_grad=True)
        c = lib.linalg.cross(a, b)
        (c * lib.tensor([1., 2., 3.])).sum().backward()
        grads.append((a.grad.tolist(), b.grad.tolist(), c.grad_fn.name(), c.grad_fn._saved_dim))
    assert grads[0] == grads[1]


SVD = {
    "svd": lambda lib, a: lib.svd(a),
    "svd_some_false": lambda lib, a: lib.svd(a, some=False),
    "method": lambda lib, a: a.svd(),
    "linalg": lambda lib, a: lib.linalg.svd(a),
    "linalg_reduced": lambda lib, a: lib.linalg.svd(a, full_matrices=False),
    "svdvals": lambda lib, a: lib.linalg.svdvals(a),
}


@pytest.mark.parametrize("shape", [(2, 2), (3, 2), (4, 4), (2, 5, 3)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", SVD)
def test_svd(case, dtype, shape):
    """LAPACK's gesdd in both (NumPy's and MKL's): the same factors, signs included, for tall
    and square matrices; the last bits may differ."""
    ts, gs = inputs([shape], [dtype])
    rt, rg = SVD[case](torch, *ts), SVD[case](avz, *gs)
    assert type(rg).__name__ == type(rt).__name__ or not isinstance(rt, tuple)
    assert_close(rt, rg, layout=False)
    if isinstance(rt, tuple):
        assert repr(rg).split("(")[0] == repr(rt).split("(")[0]
        for field in rg._fields:  # the same named fields
            assert_close(getattr(rt, field), getattr(rg, field), layout=False)


@pytest.mark.parametrize("case", ["int", "1d"])
def test_svd_errors(case):
    array = make("int64", (2, 2)) if case == "int" else make("float32", (3,))
    parity(lambda lib, a: lib.svd(a), array)


@pytest.mark.parametrize("full_matrices", [False, True])
@pytest.mark.parametrize("shape", [(3, 2), (2, 3), (3, 3)])
def test_svd_gradients(shape, full_matrices):
    """The gradient through U, S and Vh, of a loss their signs do not change (LAPACKs may
    choose other signs for wide matrices)."""
    (t,), (g,) = inputs([shape], ["float64"])
    grads = []
    for lib, a in ((torch, t), (avz, g)):
        a.requires_grad_()
        u, s, vh = lib.linalg.svd(a, full_matrices=full_matrices)
        k = s.shape[0]
        w = lib.arange(1.0, 10.0, dtype=lib.float64)
        loss = ((u[:, :k] ** 2 * w[:k]).sum() + 2 * s.sum() + (vh[:k] ** 2 * w[:shape[1]]).sum()
                + ((u[:, :k] @ vh[:k]) ** 3).sum())
        loss.backward()
        grads.append(a.grad)
        assert type(s.grad_fn).__name__ == "LinalgSvdBackward0"
    assert_close(grads[0], grads[1])


# ---------------------------------------------------------------------- inverse, det, solve
LAPACK = {
    "inverse": (lambda lib, a: lib.inverse(a), [(3, 3)]),
    "inverse_method": (lambda lib, a: a.inverse(), [(2, 4, 4)]),
    "linalg_inv": (lambda lib, a: lib.linalg.inv(a), [(2, 2)]),
    "det": (lambda lib, a: lib.det(a), [(3, 3)]),
    "det_method": (lambda lib, a: a.det(), [(2, 3, 3)]),
    "linalg_det": (lambda lib, a: lib.linalg.det(a), [(4, 4)]),
    "solve_vector": (lambda lib, a, b: lib.linalg.solve(a, b), [(3, 3), (3,)]),
    "solve_matrix": (lambda lib, a, b: lib.linalg.solve(a, b), [(3, 3), (3, 2)]),
    "solve_batched_vector": (lambda lib, a, b: lib.linalg.solve(a, b), [(2, 3, 3), (2, 3)]),
    "solve_broadcast": (lambda lib, a, b: lib.linalg.solve(a, b), [(2, 3, 3), (3,)]),
    "empty_inverse": (lambda lib, a: lib.inverse(a), [(0, 0)]),
    "empty_det": (lambda lib, a: lib.det(a), [(0, 0)]),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", LAPACK)
def test_lapack_functions(case, dtype):
    """LU-based functions: NumPy's LAPACK against MKL, so close (not bit for bit)."""
    fn, shapes = LAPACK[case]
    ts, gs = inputs(shapes, [dtype] * len(shapes))
    assert_close(fn(torch, *ts), fn(avz, *gs), layout=False)


LAPACK_ERRORS = {
    "inv_not_square": lambda lib: lib.linalg.inv(lib.ones(2, 3)),
    "inv_singular": lambda lib: lib.linalg.inv(lib.ones(2, 2)),
    "inv_singular_batch": lambda lib: lib.inverse(lib.ones(3, 2, 2)),
    "inv_singular_later_pivot": lambda lib: lib.inverse(lib.tensor([[1., 2.], [2., 4.]])),
    "inv_long": lambda lib: lib.inverse(lib.tensor([[1, 2], [3, 4]])),
    "inv_half": lambda lib: lib.inverse(lib.ones(1, 1, dtype=lib.float16)),
    "inv_1d": lambda lib: lib.inverse(lib.ones(3)),
    "det_1d": lambda lib: lib.det(lib.ones(3)),
    "det_not_square": lambda lib: lib.linalg.det(lib.ones(2, 3)),
    "det_long": lambda lib: lib.det(lib.tensor([[1, 2], [3, 4]])),
    "solve_singular": lambda lib: lib.linalg.solve(lib.ones(2, 2), lib.ones(2)),
    "solve_singular_batch": lambda lib: lib.linalg.solve(lib.ones(3, 2, 2), lib.ones(2)),
    "solve_shapes": lambda lib: lib.linalg.solve(lib.eye(2), lib.ones(3)),
    "solve_dtypes": lambda lib: lib.linalg.solve(lib.eye(2), lib.ones(2, dtype=lib.float64)),
}


@pytest.mark.parametrize("case", LAPACK_ERRORS)
def test_lapack_errors(case):
    """PyTorch's messages; a singular matrix raises ``torch.linalg.LinAlgError``."""
    (et, _), (eg, _) = attempt(LAPACK_ERRORS[case], torch), attempt(LAPACK_ERRORS[case], avz)
    assert isinstance(et, Exception), et
    if isinstance(et, torch.linalg.LinAlgError):  # PyTorch's class, so compared by name
        assert isinstance(eg, avz.linalg.LinAlgError) and isinstance(eg, RuntimeError)
        assert (type(eg).__module__, type(eg).__name__, str(eg)) == (
            type(et).__module__, type(et).__name__, str(et))
    else:
        assert_same_exception(et, eg)


def test_det_of_singular_matrices_is_zero():
    for lib in (torch, avz):
        assert lib.det(lib.ones(3, 2, 2)).tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("case", ["inverse", "det", "det_singular", "solve_vector",
                                  "solve_matrix"])
def test_lapack_gradients(case):
    """The nodes PyTorch records (with the saved LU and pivots) and the gradients."""
    (a, b), _ = inputs([(3, 3), (3, 2)], ["float64", "float64"])
    a = a.numpy()
    if case == "det_singular":
        a[2] = a[0] + a[1]
    results = []
    for lib in (torch, avz):
        ta = lib.tensor(a, requires_grad=True)
        tb = lib.tensor(b.numpy() if case == "solve_matrix" else b.numpy()[:, 0],
                        requires_grad=True)
        if case == "inverse":
            out = lib.inverse(ta)
        elif case.startswith("det"):
            out = lib.det(ta)
        else:
            out = lib.linalg.solve(ta, tb)
        node = out.grad_fn
        saved = [getattr(node, n) for n in ("_saved_pivots", "_saved_left") if hasattr(node, n)]
        (out * out).sum().backward()
        grads = [ta.grad] + ([tb.grad] if case.startswith("solve") else [])
        results.append((node.name(), [repr(s) for s in saved], grads))
    assert results[0][:2] == results[1][:2]
    assert_close(results[0][2], results[1][2])


@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4), (1, 1)])
def test_det_saves_the_lu_of_a_transposed(shape):
    """PyTorch's det factors A transposed (LAPACK reading a row-major A) and saves that LU."""
    (a,), _ = inputs([shape], ["float64"])
    saved = []
    for lib in (torch, avz):
        node = lib.linalg.det(lib.tensor(a.numpy(), requires_grad=True)).grad_fn
        saved.append((node._saved_LU, node._saved_pivots.tolist()))
    (lu_t, piv_t), (lu_a, piv_a) = saved
    assert piv_a == piv_t
    assert_close(lu_t, lu_a, layout=False)
