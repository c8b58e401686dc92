"""Reduction parity: sum/mean/max..., scans, sorting and selection, softmax, and their errors.

Each case runs one expression ``fn(m, *tensors)`` with ``m`` = autogradviz and ``m`` = torch on
tensors built from the same NumPy arrays and compares dtype, shape, values (signed zeros and
NaN positions included), ``repr`` (whenever the values are identical), named-tuple types, and,
when torch raises, the exception's type and message.

Tolerances (``rtol``, ``atol``) by operation family and result dtype:

=========  ===========================================================  =========================
family     operations                                                   float16 / float32 /
                                                                        float64
=========  ===========================================================  =========================
exact      max min amax amin argmax argmin all any count_nonzero        bit-identical
           median mode sort argsort topk kthvalue unique, integer
           sums, products and scans, any float reduction of one element,
           float sum mean nansum (PyTorch's order of additions is
           replayed: tests/test_sum_order.py)
sum        float prod cumsum cumprod std var norm logsumexp softmax     (1e-3, 1e-3) /
           log_softmax                                                  (1e-6, 1e-6) /
                                                                        (1e-12, 1e-12)
=========  ===========================================================  =========================

The other float reductions can differ in the last bits because the order or the formula of
their arithmetic differs from PyTorch's vectorised kernels; the absolute tolerance covers
results that cancel to nearly zero.
"""

import os

os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")


import numpy as np
import pytest
import torch
from _parity import DTYPES, FLOATS, make, parity

import autogradviz

# The parity harness is _parity's; ``special`` arrays get these values at random places.
NONFINITE = [np.nan, np.inf, -np.inf]


def tol_for(dtype, exact_for_ints=True):
    return "exact" if exact_for_ints and dtype not in FLOATS else "sum"


# ---------------------------------------------------------------------- sum, mean, prod ...
SHAPES_AND_DIMS = [
    ((3, 4), None), ((3, 4), 0), ((3, 4), -1), ((3, 4), (0, 1)), ((3, 4), (-1, 0)),
    ((2, 3, 4), 1), ((2, 3, 4), (0, 2)), ((2, 3, 4), -3), ((7,), 0), ((), None), ((), 0),
    ((), -1), ((0, 3), 0), ((0, 3), 1), ((0, 3), None), ((3, 4), ()), ((3, 4), [1]),
]
SUM_LIKE = {
    "sum": lambda m, x, dim, k: m.sum(x) if dim is None else m.sum(x, dim, keepdim=k),
    "mean": lambda m, x, dim, k: x.mean() if dim is None else x.mean(dim, keepdim=k),
    "nansum": lambda m, x, dim, k: m.nansum(x) if dim is None else m.nansum(x, dim, keepdim=k),
    "amax": lambda m, x, dim, k: m.amax(x) if dim is None else m.amax(x, dim, keepdim=k),
    "amin": lambda m, x, dim, k: x.amin() if dim is None else x.amin(dim, keepdim=k),
    "std": lambda m, x, dim, k: m.std(x) if dim is None else m.std(x, dim, keepdim=k),
    "var": lambda m, x, dim, k: x.var() if dim is None else x.var(dim, keepdim=k),
    "logsumexp": lambda m, x, dim, k: m.logsumexp(x, () if dim is None else dim, keepdim=k),
    "norm": lambda m, x, dim, k: x.norm() if dim is None else x.norm(dim=dim, keepdim=k),
    "count_nonzero": lambda m, x, dim, k: m.count_nonzero(x, dim),
    "all": lambda m, x, dim, k: m.all(x) if dim is None else m.all(x, dim, keepdim=k),
    "any": lambda m, x, dim, k: x.any() if dim is None else x.any(dim, keepdim=k),
}
EXACT_REDUCTIONS = {"amax", "amin", "count_nonzero", "all", "any", "sum", "mean", "nansum"}


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize(("shape", "dim"), SHAPES_AND_DIMS, ids=str)
@pytest.mark.parametrize("name", list(SUM_LIKE))
def test_reduction_dims(name, shape, dim, keepdim):
    fn = SUM_LIKE[name]
    tol = "exact" if name in EXACT_REDUCTIONS else "sum"
    parity(lambda m, x: fn(m, x, dim, keepdim), make("float32", shape, 1), tol=tol)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(SUM_LIKE))
def test_reduction_dtypes(name, dtype):
    """Integer sums give int64; mean, std, var, norm of integers are errors, amax keeps dtype."""
    fn = SUM_LIKE[name]
    tol = "exact" if name in EXACT_REDUCTIONS else tol_for(dtype)
    a = make(dtype, (3, 5), 2)
    parity(lambda m, x: fn(m, x, None, False), a, tol=tol)
    parity(lambda m, x: fn(m, x, 1, True), a, tol=tol)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize("name", list(SUM_LIKE))
def test_reduction_special_values(name, dtype):
    """NaN and infinities: sums propagate them, amax/amin return NaN, any/all count them."""
    fn = SUM_LIKE[name]
    tol = "exact" if name in EXACT_REDUCTIONS else "sum"
    a = make(dtype, (4, 5), 3, special=NONFINITE)
    parity(lambda m, x: fn(m, x, None, False), a, tol=tol)
    parity(lambda m, x: fn(m, x, 0, False), a, tol=tol)


@pytest.mark.parametrize("dtype", [None, "float64", "int64", "float16", "int32", "bool"])
@pytest.mark.parametrize("src", ["int32", "float32", "bool", "uint8"])
@pytest.mark.parametrize("name", ["sum", "mean", "prod", "cumsum", "cumprod", "nansum"])
def test_dtype_argument(name, src, dtype):
    def fn(m, x):
        kw = {} if dtype is None else {"dtype": getattr(m, dtype)}
        if name in ("cumsum", "cumprod"):
            return getattr(m, name)(x, 1, **kw)
        if name == "prod":  # small: where an overflow to inf meets a 0 depends on the order
            return m.prod(x[:2, :3], **kw), m.prod(x, 0, **kw)
        return getattr(m, name)(x, **kw), getattr(m, name)(x, 1, **kw)

    exact = name in EXACT_REDUCTIONS
    parity(fn, make(src, (3, 4), 4), tol="exact" if exact else tol_for(dtype or src))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("shape", "dim"), [((3, 4), 0), ((3, 4), -1), ((2, 3, 4), 1),
                                            ((), 0), ((0, 3), 0), ((5,), 0)], ids=str)
@pytest.mark.parametrize("name", ["prod", "cumsum", "cumprod"])
def test_prod_and_scans(name, shape, dim, dtype):
    a = make(dtype, shape, 5)
    if dtype in FLOATS:
        a = np.asarray(a / 3, dtype)  # keep products in range
    parity(lambda m, x: getattr(m, name)(x, dim), a, tol=tol_for(dtype))
    if name == "prod":
        parity(lambda m, x: x.prod(), a, tol=tol_for(dtype))
        parity(lambda m, x: x.prod(dim, keepdim=True), a, tol=tol_for(dtype))


def test_large_float32_sum():
    """A long float32 sum is PyTorch's cascade sum, bit for bit."""
    a = make("float32", (1000, 37), 6)
    for fn in (lambda m, x: x.sum(), lambda m, x: x.sum(0), lambda m, x: x.sum(1),
               lambda m, x: x.mean(), lambda m, x: x.mean(0)):
        parity(fn, a)


# ---------------------------------------------------------------------- std and var
VARIANCES = {
    "plain": lambda m, f, x: f(x),
    "unbiased_false": lambda m, f, x: f(x, unbiased=False),
    "unbiased_positional": lambda m, f, x: f(x, 1, False),
    "dim_unbiased_keepdim": lambda m, f, x: f(x, 0, True, True),
    "correction0": lambda m, f, x: f(x, dim=1, correction=0),
    "correction2": lambda m, f, x: f(x, dim=(0, 1), correction=2),
    "correction_large": lambda m, f, x: f(x, dim=0, correction=5),
    "keepdim": lambda m, f, x: f(x, 1, keepdim=True),
}


@pytest.mark.parametrize("shape", [(3, 4), (1, 4), (4, 1), (), (0, 2)], ids=str)
@pytest.mark.parametrize("which", ["std", "var", "std_mean", "var_mean"])
@pytest.mark.parametrize("name", list(VARIANCES))
def test_std_var(name, which, shape):
    """Including the degrees-of-freedom warning (one element, correction >= count)."""
    parity(lambda m, x: VARIANCES[name](m, getattr(m, which), x), make("float32", shape, 7),
           tol="sum")


@pytest.mark.parametrize("dtype", ["int64", "bool", "float16", "float64"])
def test_std_var_dtypes(dtype):
    parity(lambda m, x: (m.std(x), m.var(x, 0)), make(dtype, (3, 4), 8), tol="sum")


# ---------------------------------------------------------------------- max, min, argmax ...
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("shape", "dim"), [((3, 4), 0), ((3, 4), -1), ((2, 3, 4), 1),
                                            ((), 0), ((5,), 0), ((1, 4), 0)], ids=str)
@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_dim(name, shape, dim, dtype, keepdim):
    """``max(dim)`` is a ``torch.return_types.max`` with the index of the first extreme."""
    a = make(dtype, shape, 9, ties=True)
    parity(lambda m, x: getattr(m, name)(x, dim, keepdim), a)
    parity(lambda m, x: getattr(x, name)(dim=dim, keepdim=keepdim), a)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["max", "min", "argmax", "argmin", "amax", "amin", "aminmax"])
def test_extremes(name, dtype):
    a = make(dtype, (4, 5), 10, ties=True)
    fn = getattr(torch, name)
    if name == "aminmax":
        parity(lambda m, x: m.aminmax(x), a)
        parity(lambda m, x: m.aminmax(x, dim=1, keepdim=True), a)
        return
    parity(lambda m, x: getattr(m, name)(x), a)
    parity(lambda m, x: getattr(m, name)(x, 1), a)
    if fn is not torch.max and fn is not torch.min:
        parity(lambda m, x: getattr(m, name)(x, 0, keepdim=True), a)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", ["max", "min", "argmax", "argmin", "amax", "amin", "median",
                                  "sort", "argsort", "topk", "mode", "kthvalue", "msort",
                                  "cummax", "unique"])
def test_nan_handling(name, dtype):
    """NaN is the largest value for sorting and wins max/min/median/argmax."""
    a = np.array([[1.0, np.nan, 3.0, -1.0, np.nan],
                  [2.0, 2.0, -np.inf, np.inf, 0.0],
                  [np.nan, np.nan, np.nan, 1.0, 1.0],
                  [-0.0, 0.0, 0.0, -0.0, 5.0]], dtype)
    fns = {
        "max": lambda m, x: (m.max(x), m.max(x, 1), m.max(x, 0)),
        "min": lambda m, x: (m.min(x), m.min(x, 1), m.min(x, 0)),
        "argmax": lambda m, x: (m.argmax(x), m.argmax(x, 1), m.argmax(x, 0)),
        "argmin": lambda m, x: (m.argmin(x), m.argmin(x, 1), m.argmin(x, 0)),
        "amax": lambda m, x: (m.amax(x), m.amax(x, 1)),
        "amin": lambda m, x: (m.amin(x), m.amin(x, 1)),
        "median": lambda m, x: (m.median(x), m.median(x, 1), m.median(x, 0)),
        "sort": lambda m, x: (m.sort(x, 1), m.sort(x, 0, descending=True),
                              m.sort(x, stable=True, dim=1)),
        "argsort": lambda m, x: (m.argsort(x, dim=1, stable=True),
                                 m.argsort(x, dim=1, descending=True, stable=True)),
        "topk": lambda m, x: (m.topk(x, 2, 1), m.topk(x, 3, 1, largest=False)),
        "mode": lambda m, x: (m.mode(x, 1), m.mode(x, 0)),
        "kthvalue": lambda m, x: (m.kthvalue(x, 2, 1), m.kthvalue(x, 4, 1)),
        "msort": lambda m, x: m.msort(x),
        "cummax": lambda m, x: (m.cummax(x, 1), m.cummin(x, 0)),
        # (which of -0.0 and 0.0 unique keeps depends on an unstable sort: not compared)
        "unique": lambda m, x: (m.unique(x[3]), m.unique(x[:3], return_inverse=True,
                                                          return_counts=True)),
    }
    parity(fns[name], a)


@pytest.mark.parametrize("dtype", ["float32", "int64", "int8", "uint8", "bool", "float64"])
@pytest.mark.parametrize("name", ["median", "mode", "kthvalue", "topk", "sort", "argsort"])
def test_selection_with_ties(name, dtype):
    """Which of several equal elements' indices is reported."""
    a = make(dtype, (4, 7), 11, ties=True)
    fns = {
        "median": lambda m, x: (m.median(x), m.median(x, 1), m.median(x, 0, keepdim=True)),
        "mode": lambda m, x: (m.mode(x), m.mode(x, 0), m.mode(x, 1, keepdim=True)),
        "kthvalue": lambda m, x: (m.kthvalue(x, 3), m.kthvalue(x, 1, 0, keepdim=True)),
        "topk": lambda m, x: (m.topk(x, 3), m.topk(x, 2, 0, largest=False)),
        "sort": lambda m, x: (m.sort(x, stable=True),
                              m.sort(x, dim=0, descending=True, stable=True)),
        "argsort": lambda m, x: (m.argsort(x, stable=True),
                                 m.argsort(x, dim=0, stable=True, descending=True)),
    }
    parity(fns[name], a)


LONG_ROW_SELECTIONS = {
    "sort": lambda m, x: m.sort(x),
    "sort_descending": lambda m, x: m.sort(x, descending=True),
    "sort_dim0": lambda m, x: m.sort(x.t(), 0),
    "argsort": lambda m, x: m.argsort(x),
    "topk_partial_sort": lambda m, x: m.topk(x, 1),
    "topk": lambda m, x: m.topk(x, 5),
    "topk_smallest": lambda m, x: m.topk(x, 9, largest=False),
    "topk_unsorted": lambda m, x: m.topk(x, 6, sorted=False),
    "kthvalue": lambda m, x: m.kthvalue(x, 7),
    "mode": lambda m, x: m.mode(x),
    "median": lambda m, x: m.median(x, 1),
}


@pytest.mark.parametrize(("dtype", "special"), [("float32", False), ("float32", True),
                                                ("int64", False)])
@pytest.mark.parametrize("length", [17, 40, 100, 300])
@pytest.mark.parametrize("name", list(LONG_ROW_SELECTIONS))
def test_tie_order_long_rows(name, length, dtype, special):
    """Equal elements in rows longer than 16: PyTorch's std::sort / std::nth_element /
    std::partial_sort / quickselect leave them in an order a stable sort does not."""
    a = make(dtype, (3, length), 21, ties=True)
    if special:
        a[a == 2] = np.nan
        a[0, ::3] = -0.0
    parity(LONG_ROW_SELECTIONS[name], a)


@pytest.mark.parametrize("shape", [(5,), (6,), (3, 4), (1,), ()], ids=str)
def test_median_even_and_odd(shape):
    """The median of an even count is the lower of the two middle values."""
    a = make("float32", shape, 12)
    parity(lambda m, x: m.median(x), a)
    parity(lambda m, x: m.median(x, -1), a)
    parity(lambda m, x: m.nanmedian(x), a)


@pytest.mark.parametrize("dtype", ["float32", "int64", "bool"])
@pytest.mark.parametrize(("k", "largest", "sorted_"), [(1, True, True), (3, True, True),
                                                       (3, False, True), (5, True, True),
                                                       (0, True, True), (3, True, False)])
def test_topk(k, largest, sorted_, dtype):
    a = make(dtype, (3, 5), 13)
    parity(lambda m, x: m.topk(x, k, largest=largest, sorted=sorted_), a)
    parity(lambda m, x: x.topk(min(k, 3), 0, largest, sorted_), a)


@pytest.mark.parametrize("dtype", ["float32", "int64", "bool", "uint8"])
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize(("shape", "dim"), [((6,), 0), ((3, 4), 0), ((3, 4), -1), ((), 0),
                                            ((0, 3), 1), ((2, 3, 4), 1)], ids=str)
def test_sort(shape, dim, descending, dtype):
    a = make(dtype, shape, 14)
    parity(lambda m, x: m.sort(x, dim, descending), a)
    parity(lambda m, x: x.argsort(dim=dim, descending=descending), a)


UNIQUES = {
    "sorted": lambda m, x: m.unique(x),
    "inverse": lambda m, x: m.unique(x, return_inverse=True),
    "counts": lambda m, x: m.unique(x, return_counts=True),
    "both": lambda m, x: x.unique(return_inverse=True, return_counts=True),
    "dim0": lambda m, x: m.unique(x, dim=0),
    "dim1_both": lambda m, x: m.unique(x, return_inverse=True, return_counts=True, dim=1),
    "consecutive": lambda m, x: m.unique_consecutive(x),
    "consecutive_all": lambda m, x: m.unique_consecutive(x, return_inverse=True,
                                                         return_counts=True),
}


@pytest.mark.parametrize("dtype", ["float32", "int64", "bool", "int8"])
@pytest.mark.parametrize("name", list(UNIQUES))
def test_unique(name, dtype):
    parity(UNIQUES[name], make(dtype, (4, 3), 15, ties=True))


# ---------------------------------------------------------------------- softmax
SOFTMAXES = {
    "softmax": lambda m, x, d: m.softmax(x, d),
    "log_softmax": lambda m, x, d: m.log_softmax(x, d),
    "method": lambda m, x, d: x.softmax(d),
    "softmax_double": lambda m, x, d: m.softmax(x, d, dtype=m.float64),
    "log_softmax_method": lambda m, x, d: x.log_softmax(dim=d),
}


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize(("shape", "dim"), [((3, 4), 0), ((3, 4), -1), ((2, 3, 4), 1),
                                            ((5,), 0), ((), 0), ((0, 3), 1)], ids=str)
@pytest.mark.parametrize("name", list(SOFTMAXES))
def test_softmax(name, shape, dim, dtype):
    parity(lambda m, x: SOFTMAXES[name](m, x, dim), make(dtype, shape, 16), tol="sum")


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_special_values(name):
    a = np.array([[0.0, -np.inf, 1.0], [-np.inf, -np.inf, -np.inf], [np.inf, 1.0, 2.0],
                  [np.nan, 0.0, 1.0], [1e30, 1e30, -1e30]], np.float32)
    parity(lambda m, x: getattr(m, name)(x, 1), a, tol="sum")


# ---------------------------------------------------------------------- errors
ERRORS = {
    "max_empty": lambda m, x, e, i: m.max(e),
    "min_empty": lambda m, x, e, i: e.min(),
    "max_empty_dim": lambda m, x, e, i: m.max(e, 0),
    "max_empty_other_dim": lambda m, x, e, i: m.max(e, 1),
    "amax_empty": lambda m, x, e, i: m.amax(e),
    "amax_empty_dim": lambda m, x, e, i: m.amax(e, 0),
    "argmax_empty": lambda m, x, e, i: m.argmax(e),
    "argmin_empty_dim": lambda m, x, e, i: m.argmin(e, 0),
    "median_empty": lambda m, x, e, i: m.median(e),
    "median_empty_dim": lambda m, x, e, i: m.median(e, 0),
    "mode_empty_dim": lambda m, x, e, i: m.mode(e, 0),
    "kthvalue_empty": lambda m, x, e, i: m.kthvalue(e, 1, 0),
    "mean_int": lambda m, x, e, i: m.mean(i),
    "mean_int_dim": lambda m, x, e, i: i.mean(0),
    "std_int": lambda m, x, e, i: m.std(i),
    "var_int": lambda m, x, e, i: i.var(1),
    "norm_int": lambda m, x, e, i: i.norm(),
    "logsumexp_int": lambda m, x, e, i: m.logsumexp(i, 0),
    "softmax_int": lambda m, x, e, i: m.softmax(i, 0),
    "log_softmax_int": lambda m, x, e, i: m.log_softmax(i, 0),
    "dim_out_of_range": lambda m, x, e, i: m.sum(x, 2),
    "dim_out_of_range_neg": lambda m, x, e, i: x.max(-3),
    "dim_repeated": lambda m, x, e, i: m.sum(x, (0, 0)),
    "dim_repeated_neg": lambda m, x, e, i: m.mean(x, (1, -1)),
    "argmax_dim_range": lambda m, x, e, i: m.argmax(x, 5),
    "topk_k": lambda m, x, e, i: m.topk(x, 5),
    "topk_negative": lambda m, x, e, i: m.topk(x, -1),
    "kthvalue_k": lambda m, x, e, i: m.kthvalue(x, 0),
    "kthvalue_k_big": lambda m, x, e, i: m.kthvalue(x, 5),
    "cumsum_dim": lambda m, x, e, i: m.cumsum(x, 2),
    "sort_dim": lambda m, x, e, i: m.sort(x, 3),
    "mean_dtype_int": lambda m, x, e, i: m.mean(x, dtype=m.int64),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors(name):
    parity(ERRORS[name], make("float32", (3, 4), 18), np.zeros((0, 3), np.float32),
           make("int64", (3, 4), 19))


def test_return_type_fields_and_repr():
    a = make("float32", (2, 3), 20)
    ours, theirs = autogradviz.from_numpy(a), torch.from_numpy(a)
    for name in ("max", "min", "median", "mode", "sort", "topk", "kthvalue"):
        args = {"topk": (2,), "kthvalue": (1,)}.get(name, ())
        o = getattr(ours, name)(*args)
        t = getattr(theirs, name)(*args)
        if name in ("max", "min", "median"):
            o, t = getattr(ours, name)(1), getattr(theirs, name)(1)
        assert repr(o) == repr(t)
        assert type(o).__name__ == type(t).__name__
        values, indices = o
        assert values is o.values and indices is o.indices
        assert o[0] is o.values
    o, t = autogradviz.aminmax(ours), torch.aminmax(theirs)
    assert repr(o) == repr(t)
    assert o.min is o[0] and o.max is o[1]


# ---------------------------------------------------------------------- found by random programs
# (tests/test_random_programs.py) and kept here as focused regressions.
LAYOUT_INPUTS = {
    "contiguous": lambda x: x,
    "permuted": lambda x: x.permute(2, 0, 1),
    "sliced_transposed": lambda x: x[:, :, ::2].mT,
    "size1_transposed": lambda x: x[:, :1].mT,
    "expanded": lambda x: x.expand(2, 2, 3, 4),
}
LAYOUT_OPS = {
    "topk": lambda t, d: t.topk(1, dim=d),
    "sort": lambda t, d: t.sort(d),
    "argsort": lambda t, d: t.argsort(dim=d, stable=True),
    "cummax": lambda t, d: t.cummax(d),
    "cummin": lambda t, d: t.cummin(d),
    "max_keepdim": lambda t, d: t.max(d, keepdim=True),
    "median": lambda t, d: t.median(d),
    "mode": lambda t, d: t.mode(d),
    "kthvalue": lambda t, d: t.kthvalue(1, d),
    "softmax": lambda t, d: t.softmax(d),
    "log_softmax": lambda t, d: t.log_softmax(d),
}


@pytest.mark.parametrize("layout", list(LAYOUT_INPUTS))
@pytest.mark.parametrize("name", list(LAYOUT_OPS))
def test_output_strides(name, layout):
    """New outputs are contiguous (PyTorch's kernels), sort's are laid out as empty_like(input)
    would be; NumPy's own result layouts (moved axes, size-1 dims' strides) do not show."""
    x = make("float32", (2, 3, 4), 21)
    for d in range(3):
        got = LAYOUT_OPS[name](LAYOUT_INPUTS[layout](autogradviz.from_numpy(x.copy())), d)
        expected = LAYOUT_OPS[name](LAYOUT_INPUTS[layout](torch.from_numpy(x.copy())), d)
        for o, t in zip(got if isinstance(got, tuple) else (got,),
                        expected if isinstance(expected, tuple) else (expected,), strict=True):
            assert o.stride() == t.stride(), (d, o.stride(), t.stride())
            if name in ("softmax", "log_softmax"):  # exp: PyTorch's vectorised one, last bits
                np.testing.assert_allclose(o.numpy(), t.numpy(), rtol=1e-6)
            elif not (layout == "expanded" and name in ("median", "mode")):
                # (equal elements: which index median/mode picks among ties is an open gap)
                np.testing.assert_array_equal(o.numpy(), t.numpy())


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
def test_scans_accumulate_as_pytorch(name, dtype):
    """The CPU kernel accumulates float32 in float64 (acc_type), float16 in float32."""
    parity(lambda m, x: getattr(m, name)(x, 1), make(dtype, (6, 9), 22))


ZERO_DIM_ERRORS = {
    "cummax_dim1": lambda m, x: m.cummax(x, 1),
    "cummin_dim-2": lambda m, x: x.cummin(-2),
    "prod_dim1": lambda m, x: x.prod(1),
    "topk_empty": lambda m, x: x.reshape(1)[:0].topk(0),
    "topk_empty_rows": lambda m, x: x.expand(2, 0).topk(0, dim=1),
}


@pytest.mark.parametrize("name", list(ZERO_DIM_ERRORS))
def test_zero_dim_and_empty(name):
    parity(ZERO_DIM_ERRORS[name], make("float32", (), 23))


def test_integer_cast_does_not_require_grad():
    for lib in (torch, autogradviz):
        x = lib.tensor([1.5, -2.0], requires_grad=True)
        assert [x.to(d).requires_grad for d in (lib.int32, lib.int64, lib.bool, lib.uint8)] == [
            False] * 4
        assert x.half().requires_grad


EDGE_CASES = {  # (found by random programs)
    "amax_empty_dim_as_given": lambda m, x: m.zeros(2, 0, 3).amax(-2),
    "amin_empty_dims_as_given": lambda m, x: m.zeros(2, 0, 3).amin((0, -2)),
    "norm_negative_empty": lambda m, x: m.zeros(0).norm(-2),
    "norm_inf_empty_dim": lambda m, x: m.zeros(2, 0).norm(float("inf"), dim=-1),
    "norm_2_empty_dim": lambda m, x: m.zeros(2, 0).norm(2, dim=-1),
    "logsumexp_without_dim": lambda m, x: x.logsumexp(),
    "median_bool_dim_checked_first": lambda m, x: m.tensor(True).median(1),
    "median_empty_int": lambda m, x: m.zeros(0, dtype=m.int64).median(),
    "softmax_0d_inf": lambda m, x: m.tensor(float("inf")).softmax(0),
    "log_softmax_0d_nan": lambda m, x: m.tensor(float("nan")).log_softmax(0),
    "softmax_0d": lambda m, x: m.tensor(2.5).softmax(0),
}


@pytest.mark.parametrize("name", list(EDGE_CASES))
def test_edge_cases(name):
    parity(EDGE_CASES[name], make("float32", (3, 4), 24))


def test_empty_logsumexp_and_0d_mean_backward():
    grads = []
    for lib in (torch, autogradviz):
        x = lib.zeros(4, 0, dtype=lib.float64, requires_grad=True)
        y = x.logsumexp(-1, keepdim=True)
        assert type(y.grad_fn).__name__ == "LogsumexpBackward0"
        y.sum().backward()
        s = lib.tensor(1.5, requires_grad=True)
        s.mean(dim=0, keepdim=True).sum().backward()
        grads.append((x.grad.shape, s.grad.item()))
    assert grads[0] == grads[1]


MORE_EDGE_CASES = {  # (found by random programs; some are not reductions, kept together here)
    "cumsum_negative_zeros": lambda m, x: m.tensor([-0.0, -0.0, 1.0, -1.0, -0.0]).cumsum(0),
    "cumsum_0d_negative_zero": lambda m, x: m.tensor(-0.0).cumsum(0),
    "nansum_int_keepdim_layout": lambda m, x: m.nansum(
        m.ones(3, dtype=m.uint8).reshape(1, 3, 1).expand(5, 3, 4), dim=(1,), keepdim=True),
    "div_int_0d_by_uint8": lambda m, x: m.tensor(-1) / m.tensor([5, 8, 6], dtype=m.uint8),
    "div_uint8_by_int_0d": lambda m, x: m.tensor([5, 8], dtype=m.uint8).true_divide(m.tensor(-5)),
    "logaddexp_int": lambda m, x: m.logaddexp(m.tensor([1]), m.tensor([2])),
    "bitwise_float_shapes_first": lambda m, x: m.ones(2, 3) | m.ones(4),
    "ravel_transposed": lambda m, x: x.mT.ravel(),
    "view_keeps_size1_stride": lambda m, x: x.reshape(-1)[:1].unsqueeze(0)[0::2].view(-1),
    "add_alpha_negative_zeros": lambda m, x: m.add(m.tensor([-0.0, 1.0], dtype=m.float64),
                                                   m.tensor([-0.0, -2.0], dtype=m.float64),
                                                   alpha=0.5),
    "roll_empty_any_dim": lambda m, x: m.zeros(0).roll(1, 1),
    "cummin_empty_any_dim": lambda m, x: m.zeros(0).cummin(1).values,
    "median_empty_bool": lambda m, x: m.zeros(0, dtype=m.bool).median(),
    "amax_keepdim_layout": lambda m, x: m.ones(3, 1).amax(1, keepdim=True),
    "any_keepdim_layout": lambda m, x: m.ones(3, 1).any(1, keepdim=True),
    "int_alpha_float_shapes_first": lambda m, x: m.add(m.ones(2, dtype=m.int64),
                                                       m.ones(3, dtype=m.int64), alpha=0.5),
    "remainder_bool_shapes_first": lambda m, x: m.ones(2, dtype=m.bool) % m.ones(3, dtype=m.bool),
    "remainder_int_zero_shapes_first": lambda m, x: m.ones(2, dtype=m.int64) % m.zeros(3).long(),
    "expand_bool_message": lambda m, x: m.ones(5, dtype=m.bool).expand(()),
}


@pytest.mark.parametrize("name", list(MORE_EDGE_CASES))
def test_more_edge_cases(name):
    result = parity(MORE_EDGE_CASES[name], make("float32", (3, 4), 25))
    if result is not None:  # (None: both raised the same error)
        theirs = MORE_EDGE_CASES[name](torch, torch.from_numpy(make("float32", (3, 4), 25)))
        assert result.stride() == theirs.stride()


@pytest.mark.parametrize("name", ["var", "std", "prod"])
def test_keepdim_results_are_contiguous(name):
    for lib in (torch, autogradviz):
        x = lib.ones(3).reshape(1, 3, 1).expand(5, 3, 4)
        assert getattr(x, name)(1, keepdim=True).stride() == (4, 4, 1)


CUMSUM_INPLACE = {
    "float_graph": lambda lib: _cumsum_inplace_run(lib, lib.float32, 1, graph=True),
    "int32": lambda lib: _cumsum_inplace_run(lib, lib.int32, 0),
    "float64_dim0": lambda lib: _cumsum_inplace_run(lib, lib.float64, 0, graph=True),
    "dtype_mismatch": lambda lib: lib.ones(2).cumsum_(0, dtype=lib.float64),
    "bool": lambda lib: lib.ones(2, dtype=lib.bool).cumsum_(0),
    "bad_dim": lambda lib: lib.ones(2).cumsum_(1),
    "leaf": lambda lib: lib.ones(2, requires_grad=True).cumsum_(0),
}


def _cumsum_inplace_run(lib, dtype, dim, graph=False):
    x = lib.tensor([[1.5, -2.0, 3.25], [0.5, 4.0, -1.0]], requires_grad=graph)
    t = (x * 2).to(dtype) if graph else x.to(dtype)
    result = t.cumsum_(dim)
    out = [result is t, t.tolist(), t.dtype, t._version,
           None if t.grad_fn is None else t.grad_fn.name()]
    if graph:
        (t * lib.arange(6.0).reshape(2, 3).to(dtype)).sum().backward()
        out.append(x.grad.tolist())
    return out


@pytest.mark.parametrize("case", CUMSUM_INPLACE)
def test_cumsum_inplace(case):
    """``cumsum_``: the scan in the tensor's dtype, written in place with CumsumBackward0."""
    outcomes = []
    for lib in (torch, autogradviz):
        try:
            outcomes.append(CUMSUM_INPLACE[case](lib))
        except (RuntimeError, NotImplementedError, IndexError) as error:
            outcomes.append((type(error).__name__, str(error)))
    outcomes = [[str(v) if "dtype" in type(v).__name__ else v for v in o]
                if isinstance(o, list) else o for o in outcomes]
    assert outcomes[1] == outcomes[0]
