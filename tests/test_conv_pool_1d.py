"""The 1-d convolution and pooling (``conv1d``, ``max_pool1d``, ``avg_pool1d``,
``adaptive_avg_pool1d``), ``conv_transpose1d/2d``, adaptive max pooling (1-d and 2-d), the
channel dropouts and their modules against real PyTorch: values, gradients, the nodes down the graph
and their saved values, module reprs and initialisation, error messages; float64 gradchecks.

PyTorch runs these on its 2-d kernels (an ``unsqueeze`` of a height of 1), so the graphs show
the 2-d nodes. float32 convolutions are compared to rtol 1e-5, atol 1e-6 (as in
``test_conv_pool``); pooling and dropout bit for bit.
"""

import os

os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")

import warnings

import numpy as np
import pytest
import torch

import autogradviz
from autogradviz.autograd import gradcheck

LIBS = (torch, autogradviz)


def _arr(shape, seed, dtype="float32"):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _close(ours, theirs, exact=False, scaled=False):
    """Equal values, shapes and dtypes; float32 to rtol 1e-5, atol 1e-6 unless ``exact``
    (``scaled``: atol 1e-6 times the largest magnitude, for gradients summed from many
    terms)."""
    o, t = ours.detach().numpy(), theirs.detach().numpy()
    assert o.shape == t.shape and o.dtype == t.dtype, (o.shape, t.shape, o.dtype, t.dtype)
    if exact or o.dtype.kind != "f":
        np.testing.assert_array_equal(o, t)
    elif o.dtype == np.float32:
        scale = max(1.0, float(np.abs(t).max(initial=0))) if scaled else 1.0
        np.testing.assert_allclose(o, t, rtol=1e-5, atol=1e-6 * scale)
    else:
        np.testing.assert_allclose(o, t, rtol=1e-12, atol=1e-13)


def _saved(node):
    """A node's ``_saved_`` values (tensors: their shape)."""
    out = {}
    for name in dir(node):
        if name.startswith("_saved_"):
            v = getattr(node, name)
            out[name] = tuple(v.shape) if hasattr(v, "shape") else v
    return out


def _graph(t):
    """Each node below ``t`` (depth first, along every edge): its name, saved values and the
    names of its next functions."""
    out, todo, seen = [], [t.grad_fn], set()
    while todo:
        fn = todo.pop()
        if fn is None or id(fn) in seen:
            continue
        seen.add(id(fn))
        nexts = [f for f, _ in fn.next_functions]
        out.append((fn.name(), _saved(fn), [None if f is None else f.name() for f in nexts]))
        todo.extend(reversed(nexts))
    return out


def _run(lib, fn, arrays, args, kw, grad_seed=4):
    """``fn`` of ``lib.nn.functional`` on the arrays (floating ones requiring grad), then
    backward with a random gradient: outputs, input grads, graph, strides and warnings."""
    tensors = [None if a is None else lib.tensor(a, requires_grad=a.dtype.kind == "f")
               for a in arrays]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = getattr(lib.nn.functional, fn)(*tensors, *args, **kw)
    outs = out if isinstance(out, tuple) else (out,)
    y = outs[0]
    if y.requires_grad:
        g = lib.tensor(_arr(tuple(y.shape), grad_seed, str(y.dtype).split(".")[-1]))
        y.backward(g, retain_graph=True)
    return (outs, [None if t is None else t.grad for t in tensors], _graph(y),
            [o.stride() for o in outs], [str(c.message) for c in caught])


def _compare(fn, arrays, args=(), kw=None, exact=False):
    theirs, ours = (_run(lib, fn, arrays, args, kw or {}) for lib in LIBS)
    assert len(ours[0]) == len(theirs[0])
    for o, t in zip(ours[0], theirs[0], strict=True):
        _close(o, t, exact=exact)
    for o, t in zip(ours[1], theirs[1], strict=True):
        assert (o is None) == (t is None)
        if t is not None:
            _close(o, t, exact=exact, scaled=True)
    assert ours[2] == theirs[2]
    assert ours[3] == theirs[3]
    assert ours[4] == theirs[4]


# ---------------------------------------------------------------------- conv1d
CONV1D_CASES = [
    # input shape, weight shape, bias, kwargs
    ((2, 3, 10), (4, 3, 3), True, {}),
    ((2, 3, 10), (4, 3, 3), True, {"stride": 2, "padding": 1}),
    ((2, 3, 11), (4, 3, 2), False, {"stride": (2,), "padding": (2,), "dilation": 3}),
    ((2, 4, 9), (6, 2, 3), True, {"groups": 2}),
    ((2, 6, 9), (6, 1, 4), True, {"groups": 6, "dilation": 2}),
    ((2, 3, 8), (4, 3, 3), True, {"padding": "same"}),
    ((2, 3, 8), (4, 3, 4), True, {"padding": "same"}),
    ((2, 3, 8), (4, 3, 2), True, {"padding": "same", "dilation": 3}),
    ((2, 3, 8), (4, 3, 3), True, {"padding": "valid"}),
    ((3, 8), (4, 3, 3), True, {"padding": 1}),  # unbatched
    ((0, 3, 8), (4, 3, 3), True, {}),
    ((1, 16, 50), (33, 16, 3), True, {"stride": 2}),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", CONV1D_CASES, ids=lambda c: str(c)[:60])
def test_conv1d_values_grads_and_graph(case, dtype):
    xs, ws, has_bias, kw = case
    b = _arr(ws[0], 3, dtype) if has_bias else None
    _compare("conv1d", (_arr(xs, 1, dtype), _arr(ws, 2, dtype), b), kw=kw)


def test_conv1d_top_level_integers_and_saved_tensors():
    rng = np.random.default_rng(0)
    x = rng.integers(-5, 5, (2, 2, 7))
    w = rng.integers(-3, 3, (4, 1, 3))
    theirs, ours = (lib.conv1d(lib.tensor(x), lib.tensor(w), None, 1, 1, 1, 2) for lib in LIBS)
    _close(ours, theirs)
    x = autogradviz.randn(1, 2, 5, requires_grad=True)
    w = autogradviz.randn(3, 2, 3, requires_grad=True)
    node = autogradviz.conv1d(x, w, stride=2).grad_fn
    assert node._saved_input is x and node._saved_weight is w
    assert [fn is None for fn, _ in node.next_functions] == [False, False, True]


@pytest.mark.parametrize("kw", [
    {}, {"stride": 2, "padding": 1}, {"dilation": 2}, {"groups": 2}, {"padding": "same"},
])
def test_conv1d_gradcheck_float64(kw):
    x = autogradviz.randn(2, 4, 7, dtype=autogradviz.float64, requires_grad=True)
    w = autogradviz.randn(4, 2 if kw.get("groups") else 4, 2, dtype=autogradviz.float64,
                          requires_grad=True)
    b = autogradviz.randn(4, dtype=autogradviz.float64, requires_grad=True)
    assert gradcheck(lambda x, w, b: autogradviz.nn.functional.conv1d(x, w, b, **kw),
                     (x, w, b))


# ---------------------------------------------------------------------- conv_transpose2d
CONV_T_CASES = [
    # input shape, weight shape, bias, kwargs
    ((2, 4, 5, 6), (4, 3, 3, 2), True, {}),
    ((2, 4, 5, 6), (4, 3, 3, 2), False, {"stride": 2, "padding": 1, "output_padding": 1}),
    ((2, 4, 5, 6), (4, 3, 3, 3), True, {"stride": (1, 2), "groups": 2, "dilation": 2}),
    ((2, 4, 5, 6), (4, 3, 3, 2), True, {"dilation": 2, "output_padding": (1, 0)}),
    ((4, 5, 6), (4, 3, 3, 3), True, {"padding": 1}),  # unbatched
    ((1, 16, 7, 7), (16, 33, 3, 3), True, {"stride": 2}),
    ((0, 4, 5, 6), (4, 3, 3, 2), True, {}),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", CONV_T_CASES, ids=lambda c: str(c)[:60])
def test_conv_transpose2d_values_grads_and_graph(case, dtype):
    xs, ws, has_bias, kw = case
    b = _arr(ws[1] * kw.get("groups", 1), 3, dtype) if has_bias else None
    _compare("conv_transpose2d", (_arr(xs, 1, dtype), _arr(ws, 2, dtype), b), kw=kw)


CONV_T1D_CASES = [
    ((2, 4, 6), (4, 3, 3), True, {}),
    ((2, 4, 6), (4, 3, 3), False, {"stride": 2, "padding": 1, "output_padding": 1}),
    ((2, 4, 6), (4, 3, 2), True, {"groups": 2, "dilation": 3, "output_padding": (2,)}),
    ((4, 6), (4, 3, 3), True, {"padding": 1}),  # unbatched
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", CONV_T1D_CASES, ids=lambda c: str(c)[:60])
def test_conv_transpose1d_values_grads_and_graph(case, dtype):
    xs, ws, has_bias, kw = case
    b = _arr(ws[1] * kw.get("groups", 1), 3, dtype) if has_bias else None
    _compare("conv_transpose1d", (_arr(xs, 1, dtype), _arr(ws, 2, dtype), b), kw=kw)


def test_conv_transpose1d_gradcheck_float64_and_module_output_size():
    x = autogradviz.randn(2, 4, 5, dtype=autogradviz.float64, requires_grad=True)
    w = autogradviz.randn(4, 3, 3, dtype=autogradviz.float64, requires_grad=True)
    b = autogradviz.randn(3, dtype=autogradviz.float64, requires_grad=True)
    F = autogradviz.nn.functional
    assert gradcheck(lambda x, w, b: F.conv_transpose1d(x, w, b, 2, 1, 1), (x, w, b))
    results = []
    for lib in LIBS:
        lib.manual_seed(0)
        m = lib.nn.ConvTranspose1d(4, 6, 3, stride=2, padding=1)
        x = lib.tensor(_arr((1, 4, 5), 1))
        outs = [m(x, output_size=[10]), m(x, output_size=(1, 6, 9)), m(x[0], output_size=[10])]
        with pytest.raises(ValueError) as info:
            m(x, output_size=[12])
        results.append((outs, str(info.value)))
    (t_outs, t_msg), (o_outs, o_msg) = results
    for o, t in zip(o_outs, t_outs, strict=True):
        _close(o, t)
    assert o_msg == t_msg


def test_conv_transpose2d_top_level_integers_and_module_output_size():
    rng = np.random.default_rng(0)
    x = rng.integers(-5, 5, (2, 4, 4, 5))
    w = rng.integers(-3, 3, (4, 1, 3, 3))
    theirs, ours = (lib.conv_transpose2d(lib.tensor(x), lib.tensor(w), None, 2, 1, 1, 2)
                    for lib in LIBS)
    _close(ours, theirs)
    results = []
    for lib in LIBS:
        lib.manual_seed(0)
        m = lib.nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1)
        x = lib.tensor(_arr((1, 4, 5, 5), 1))
        outs = [m(x, output_size=[10, 10]), m(x), m(x[0], output_size=(6, 9, 9))]
        caught = []
        for size in ([12, 12], [12], [1, 6, 9, 9]):
            with pytest.raises(ValueError) as info:
                m(x if len(size) != 4 else x[0], output_size=size)
            caught.append(str(info.value))
        results.append((outs, caught))
    (t_outs, t_caught), (o_outs, o_caught) = results
    for o, t in zip(o_outs, t_outs, strict=True):
        _close(o, t)
    assert o_caught == t_caught


@pytest.mark.parametrize("kw", [
    {}, {"stride": 2, "padding": 1, "output_padding": 1}, {"dilation": 2, "groups": 2},
    {"stride": (2, 1), "dilation": 2, "output_padding": (1, 1)},
])
def test_conv_transpose2d_gradcheck_float64(kw):
    x = autogradviz.randn(2, 4, 4, 5, dtype=autogradviz.float64, requires_grad=True)
    w = autogradviz.randn(4, 2, 3, 2, dtype=autogradviz.float64, requires_grad=True)
    b = autogradviz.randn(2 * kw.get("groups", 1), dtype=autogradviz.float64,
                          requires_grad=True)
    assert gradcheck(lambda x, w, b: autogradviz.nn.functional.conv_transpose2d(x, w, b, **kw),
                     (x, w, b))


# ---------------------------------------------------------------------- 1-d pooling
MAX1D_CASES = [
    # input shape, args, kwargs
    ((2, 3, 10), (2,), {}),
    ((2, 3, 10), (3,), {"stride": 2, "padding": 1}),
    ((2, 3, 11), ((3,),), {"stride": (2,), "ceil_mode": True}),
    ((2, 3, 13), (3,), {"stride": 2, "dilation": 2, "padding": 1}),
    ((2, 3, 9), (2,), {"stride": 3, "ceil_mode": True}),
    ((3, 9), (2,), {"stride": 1}),  # unbatched
    ((0, 3, 9), (2,), {}),
    ((2, 3, 10), (2,), {"stride": []}),
]


@pytest.mark.parametrize("return_indices", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize("case", MAX1D_CASES, ids=lambda c: str(c)[:60])
def test_max_pool1d_values_indices_grads_and_graph(case, dtype, return_indices):
    xs, args, kw = case
    _compare("max_pool1d", (_arr(xs, 1, dtype),), args,
             {**kw, "return_indices": return_indices}, exact=True)


def test_max_pool1d_without_grad_nan_lowest_and_integers():
    nan, inf = float("nan"), float("inf")
    rows = np.array([[1, nan, 3, nan, 2], [-inf] * 5, [2, 2, 1, 3, 3]], np.float32)
    for kw in ({}, {"return_indices": True}):
        theirs, ours = (lib.nn.functional.max_pool1d(lib.tensor(rows), 3, 1, 1, **kw)
                        for lib in LIBS)
        for o, t in zip(ours if kw else (ours,), theirs if kw else (theirs,), strict=True):
            _close(o, t, exact=True)
    x = np.arange(12).reshape(2, 6) % 5
    theirs, ours = (lib.max_pool1d_with_indices(lib.tensor(x), 2) for lib in LIBS)
    for o, t in zip(ours, theirs, strict=True):
        _close(o, t, exact=True)
    x = _arr((2, 3, 8), 1, "float16")
    theirs, ours = (lib.max_pool1d(lib.tensor(x), 3, 2) for lib in LIBS)
    _close(ours, theirs, exact=True)


AVG1D_CASES = [
    ((2, 3, 10), (2,), {}),
    ((2, 3, 10), (3,), {"stride": 2, "padding": 1}),
    ((2, 3, 10), (3, 2, 1, False, False), {}),
    ((2, 3, 11), ((3,),), {"stride": (2,), "ceil_mode": True}),
    ((2, 3, 11), (3, 2, 1), {"ceil_mode": True, "count_include_pad": False}),
    ((3, 9), (2,), {"stride": 1}),  # unbatched
    ((2, 3, 10), (2,), {"stride": []}),
]


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize("case", AVG1D_CASES, ids=lambda c: str(c)[:60])
def test_avg_pool1d_values_grads_and_graph(case, dtype):
    xs, args, kw = case
    _compare("avg_pool1d", (_arr(xs, 1, dtype),), args, kw, exact=True)


@pytest.mark.parametrize("dtype", ["float16", "float32"])
def test_avg_pool2d_overlapping_windows_sum_in_pytorchs_order(dtype):
    """float16 sums in float32 (op-math) forward; the gradient's shares are added in the
    dtype, output after output: bit for bit."""
    for kw in ({"kernel_size": 3, "stride": 1, "padding": 1},
               {"kernel_size": (3, 2), "stride": 2, "padding": 1, "ceil_mode": True,
                "count_include_pad": False},
               {"kernel_size": 2, "stride": 1, "divisor_override": 3}):
        _compare("avg_pool2d", (_arr((2, 3, 9, 8), 1, dtype) * 4,), kw=kw, exact=True)


def test_avg_pool1d_int64_top_level():
    x = np.arange(-7, 13).reshape(2, 10)
    theirs, ours = (lib.avg_pool1d(lib.tensor(x), 3, 2, 1) for lib in LIBS)
    _close(ours, theirs, exact=True)


ADAPTIVE_AVG1D_CASES = [((2, 3, 10), 4), ((2, 3, 10), 1), ((2, 3, 7), (3,)), ((3, 7), 5),
                        ((2, 3, 5), 9), ((2, 3, 10), 10)]


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize("case", ADAPTIVE_AVG1D_CASES, ids=str)
def test_adaptive_avg_pool1d_values_grads_and_graph(case, dtype):
    xs, size = case
    _compare("adaptive_avg_pool1d", (_arr(xs, 1, dtype),), (size,), exact=True)


ADAPTIVE_MAX_CASES = [
    # function, input shape, output size
    ("adaptive_max_pool2d", (2, 3, 7, 9), (3, 4)),
    ("adaptive_max_pool2d", (2, 3, 7, 9), 1),
    ("adaptive_max_pool2d", (2, 3, 7, 9), (None, 2)),
    ("adaptive_max_pool2d", (2, 3, 5, 4), (7, 9)),
    ("adaptive_max_pool2d", (3, 6, 6), [2, 3]),  # unbatched
    ("adaptive_max_pool2d", (2, 3, 6, 6), (2, 0)),
    ("adaptive_max_pool1d", (2, 3, 9), 4),
    ("adaptive_max_pool1d", (2, 3, 9), (1,)),
    ("adaptive_max_pool1d", (3, 5), 8),  # unbatched
]


@pytest.mark.parametrize("return_indices", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", ADAPTIVE_MAX_CASES, ids=str)
def test_adaptive_max_pool_values_indices_grads_and_graph(case, dtype, return_indices):
    fn, xs, size = case
    if 0 in np.atleast_1d(size):  # PyTorch's strides of an empty output are its own
        for lib in LIBS:
            out = getattr(lib.nn.functional, fn)(lib.ones(xs), size)
            assert tuple(out.shape) == (*xs[:-2], 2, 0)
        return
    _compare(fn, (_arr(xs, 1, dtype),), (size,), {"return_indices": return_indices},
             exact=True)


def test_adaptive_max_pool_nan_lowest_ties_and_half():
    nan, inf = float("nan"), float("inf")
    rows = np.array([[1, nan, 3, nan, 2, 5], [-inf] * 6, [2, 2, 1, 3, 3, 0]], np.float32)
    for lib_pair in ((torch, autogradviz),):
        theirs, ours = (lib.nn.functional.adaptive_max_pool1d(lib.tensor(rows), 2, True)
                        for lib in lib_pair)
        for o, t in zip(ours, theirs, strict=True):
            _close(o, t, exact=True)
    x = _arr((2, 3, 5, 7), 1, "float16")
    theirs, ours = (lib.nn.functional.adaptive_max_pool2d(lib.tensor(x), (2, 3), True)
                    for lib in LIBS)
    for o, t in zip(ours, theirs, strict=True):
        _close(o, t, exact=True)
    x = np.zeros((1, 1, 4, 4), np.float32)  # ties: the first place of each window
    theirs, ours = (lib.nn.functional.adaptive_max_pool2d(lib.tensor(x), 3, True)[1]
                    for lib in LIBS)
    _close(ours, theirs)


def test_pool1d_gradcheck_float64():
    x = autogradviz.randn(2, 3, 11, dtype=autogradviz.float64, requires_grad=True)
    F = autogradviz.nn.functional
    assert gradcheck(lambda x: F.max_pool1d(x, 3, 2, 1, ceil_mode=True), (x,))
    assert gradcheck(lambda x: F.max_pool1d(x, 2, dilation=2), (x,))
    assert gradcheck(lambda x: F.avg_pool1d(x, 3, 2, 1, True, False), (x,))
    assert gradcheck(lambda x: F.adaptive_avg_pool1d(x, 4), (x,))
    assert gradcheck(lambda x: F.adaptive_max_pool1d(x, 4), (x,))
    x2 = autogradviz.randn(2, 3, 7, 5, dtype=autogradviz.float64, requires_grad=True)
    assert gradcheck(lambda x: F.adaptive_max_pool2d(x, (3, 4)), (x2,))


# ---------------------------------------------------------------------- channel dropout
DROPOUT_CASES = [
    # function, input shape, p, training, inplace
    ("dropout2d", (4, 6, 3, 5), 0.4, True, False),
    ("dropout2d", (4, 6, 3, 5), 0.5, True, True),
    ("dropout2d", (4, 6, 5), 0.3, True, False),  # read as (N, C, L), with a warning
    ("dropout2d", (6, 5), 0.3, True, False),  # deprecated rank: a warning
    ("dropout2d", (4, 6, 3, 5), 0.4, False, False),
    ("dropout2d", (4, 6, 3, 5), 0.0, True, False),
    ("dropout2d", (4, 6, 3, 5), 1.0, True, False),
    ("dropout2d", (0, 6, 3, 5), 0.4, True, False),
    ("dropout1d", (4, 6, 5), 0.4, True, False),
    ("dropout1d", (4, 6, 5), 0.4, True, True),
    ("dropout1d", (6, 5), 0.4, True, False),  # unbatched
    ("dropout1d", (6, 5), 0.4, True, True),
    ("dropout1d", (4, 6, 5), 0.4, False, False),
    ("dropout1d", (4, 6, 5), 1.0, True, True),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", DROPOUT_CASES, ids=str)
def test_channel_dropout_draws_values_grads_and_graph(case, dtype):
    fn, shape, p, training, inplace = case
    x = _arr(shape, 1, dtype)
    results = []
    for lib in LIBS:
        lib.manual_seed(7)
        leaf = lib.tensor(x, requires_grad=True)
        t = leaf * 1 if inplace else leaf  # in place on a non-leaf
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            y = getattr(lib.nn.functional, fn)(t, p, training, inplace)
        y.backward(lib.tensor(_arr(tuple(y.shape), 4, dtype)), retain_graph=True)
        strides = y.stride() if y.numel() else None  # an empty tensor's strides: creation's
        results.append((y, leaf.grad, _graph(y), y is t, tuple(t.shape), strides,
                        [str(c.message) for c in caught], lib.rand(3)))
    theirs, ours = results
    _close(ours[0], theirs[0], exact=True)
    _close(ours[1], theirs[1], exact=True)
    assert ours[2:7] == theirs[2:7]
    _close(ours[7], theirs[7], exact=True)  # the generator moved on as PyTorch's


def test_feature_dropout_top_level_and_modules_in_eval():
    x = _arr((3, 4, 5), 2)
    for lib in LIBS:
        lib.manual_seed(1)
    theirs, ours = (lib.feature_dropout(lib.tensor(x), 0.5, True) for lib in LIBS)
    _close(ours, theirs, exact=True)
    for lib in LIBS:
        m = lib.nn.Dropout2d(0.3)
        m.eval()
        t = lib.tensor(x[None])
        assert m(t) is t


# ---------------------------------------------------------------------- modules
MODULES = [
    # class, arguments, keyword arguments, input shape
    ("Conv1d", (16, 33, 3), {"stride": 2}, (2, 16, 20)),
    ("Conv1d", (4, 6, 3), {"padding": 2, "dilation": 2, "groups": 2, "bias": False},
     (2, 4, 9)),
    ("Conv1d", (4, 6, (3,)), {"padding": "same"}, (4, 9)),
    ("Conv1d", (4, 6, 3), {"padding": "valid", "dtype": "float64"}, (1, 4, 5)),
    ("ConvTranspose1d", (16, 33, 3), {"stride": 2}, (2, 16, 5)),
    ("ConvTranspose1d", (4, 6, 3), {"stride": 2, "padding": 1, "output_padding": 1,
                                    "groups": 2, "dilation": 2, "bias": False}, (4, 7)),
    ("ConvTranspose2d", (16, 33, 3), {"stride": 2}, (1, 16, 5, 5)),
    ("ConvTranspose2d", (16, 32, (3, 5)), {"stride": (2, 1), "padding": (4, 2),
                                           "output_padding": 1, "groups": 2, "bias": False,
                                           "dilation": 2}, (1, 16, 6, 6)),
    ("ConvTranspose2d", (4, 6, 3), {"dtype": "float64"}, (4, 5, 5)),
    ("MaxPool1d", (3, 2), {}, (2, 3, 10)),
    ("MaxPool1d", ((2,),), {"padding": 1, "dilation": 2, "return_indices": True,
                            "ceil_mode": True}, (3, 10)),
    ("AvgPool1d", (3, 2), {}, (2, 3, 10)),
    ("AvgPool1d", (3,), {"padding": 1, "ceil_mode": True, "count_include_pad": False},
     (2, 3, 10)),
    ("AdaptiveAvgPool1d", (4,), {}, (2, 3, 10)),
    ("AdaptiveAvgPool1d", ((1,),), {}, (3, 10)),
    ("AdaptiveMaxPool1d", (4,), {}, (2, 3, 10)),
    ("AdaptiveMaxPool1d", (3,), {"return_indices": True}, (3, 10)),
    ("AdaptiveMaxPool2d", ((2, None),), {}, (2, 3, 5, 6)),
    ("AdaptiveMaxPool2d", (3,), {"return_indices": True}, (2, 3, 5, 6)),
    ("Dropout1d", (), {}, (2, 3, 10)),
    ("Dropout1d", (0.2, False), {}, (3, 10)),
    ("Dropout2d", (), {"p": 0.3, "inplace": True}, (2, 3, 4, 5)),
]


@pytest.mark.parametrize("spec", MODULES, ids=lambda s: f"{s[0]}{s[1]}{s[2]}")
def test_module_repr_init_forward_and_attributes(spec):
    cls, args, kw, shape = spec
    made = []
    for lib in LIBS:
        lib.manual_seed(3)
        k = dict(kw)
        if "dtype" in k:
            k["dtype"] = getattr(lib, k["dtype"])
        m = getattr(lib.nn, cls)(*args, **k)
        x = lib.tensor(_arr(shape, 5, kw.get("dtype", "float32")))
        made.append((m, m(x)))
    (theirs, y_theirs), (ours, y_ours) = made
    assert repr(ours) == repr(theirs)
    for (n1, p1), (n2, p2) in zip(ours.named_parameters(), theirs.named_parameters(),
                                  strict=True):
        assert n1 == n2
        _close(p1, p2, exact=True)
    for o, t in zip(y_ours if isinstance(y_ours, tuple) else (y_ours,),
                    y_theirs if isinstance(y_theirs, tuple) else (y_theirs,), strict=True):
        _close(o, t)
    for attr in ("stride", "padding", "dilation", "groups", "kernel_size", "ceil_mode",
                 "_reversed_padding_repeated_twice", "output_padding", "padding_mode",
                 "output_size", "return_indices", "count_include_pad", "p", "inplace"):
        if hasattr(theirs, attr):
            assert getattr(ours, attr) == getattr(theirs, attr), attr



def test_text_cnn_forward_backward_and_sgd_step_match():
    """A learner's 1-d CNN over embeddings: the same init, values, gradients and step."""
    outs = []
    for lib in LIBS:
        lib.manual_seed(0)
        emb = lib.nn.Embedding(50, 8)
        body = lib.nn.Sequential(
            lib.nn.Conv1d(8, 16, 3, padding=1), lib.nn.ReLU(), lib.nn.MaxPool1d(2),
            lib.nn.Dropout1d(0.25), lib.nn.Conv1d(16, 16, 3), lib.nn.ReLU(),
            lib.nn.AvgPool1d(2, ceil_mode=True), lib.nn.AdaptiveMaxPool1d(3),
            lib.nn.Flatten(), lib.nn.Linear(48, 4))
        params = list(emb.parameters()) + list(body.parameters())
        opt = lib.optim.SGD(params, lr=0.1)
        tokens = lib.randint(0, 50, (5, 21))
        y = body(emb(tokens).transpose(1, 2))
        loss = lib.nn.functional.cross_entropy(y, lib.randint(0, 4, (5,)))
        loss.backward(retain_graph=True)
        graph = _graph(loss)
        opt.step()
        outs.append((y, body[0].weight.grad, emb.weight.grad, body[9].weight, str(body),
                     graph))
    theirs, ours = outs
    for o, t in zip(ours[:4], theirs[:4], strict=True):
        np.testing.assert_allclose(o.detach().numpy(), t.detach().numpy(), rtol=1e-4,
                                   atol=1e-5)
    assert ours[4:] == theirs[4:]


def _layout_cases(lib):
    F = lib.nn.functional
    nhwc = lib.tensor(_arr((2, 5, 6, 3), 1)).permute(0, 3, 1, 2)  # strides of channels-last
    nlc = lib.tensor(_arr((2, 10, 3), 2)).transpose(1, 2)
    c1 = lib.tensor(_arr((2, 5, 6, 1), 3)).permute(0, 3, 1, 2)
    w = lib.tensor(_arr((4, 3, 2, 2), 4))
    w_cl = lib.tensor(_arr((4, 2, 2, 3), 4)).permute(0, 3, 1, 2)
    return [
        F.conv2d(nhwc, w), F.conv2d(nhwc.contiguous(), w_cl), F.conv2d(nhwc, w, stride=2),
        F.conv2d(c1, w[:, :1]), F.conv2d(nhwc[:, :, :1, :1], w[:, :, :1, :1]),
        F.conv2d(nhwc[0], w), F.conv_transpose2d(nhwc, w.transpose(0, 1)),
        F.conv_transpose2d(nhwc.contiguous(), w_cl.transpose(0, 1)),
        F.max_pool2d(nhwc, 2), F.max_pool2d(nhwc, 2, return_indices=True)[1],
        F.max_pool2d(c1, 2), F.max_pool2d(nhwc[0], 2), F.avg_pool2d(nhwc, 2),
        F.adaptive_avg_pool2d(nhwc, 2), F.adaptive_max_pool2d(nhwc, 2, True)[1],
        F.conv1d(nlc, w[:, :, 0]), F.conv_transpose1d(nlc, w[:3, :, 0]),
        F.max_pool1d(nlc, 2), F.max_pool1d(nlc.requires_grad_(), 2),
        F.max_pool1d(nlc, 2, return_indices=True)[1], F.avg_pool1d(nlc, 2),
        F.adaptive_avg_pool1d(nlc, 4), F.adaptive_max_pool1d(nlc, 4),
    ]


def test_channels_last_like_inputs_give_pytorchs_output_strides():
    """PyTorch's 2-d kernels write channels-last outputs for inputs whose strides look
    channels-last (a permuted NHWC image, a transposed (N, L, C) sequence pooled in 1-d),
    so ``view`` fails on them as in PyTorch."""
    theirs, ours = (_layout_cases(lib) for lib in LIBS)
    for o, t in zip(ours, theirs, strict=True):
        _close(o, t)
        assert o.stride() == t.stride()
        assert o.is_contiguous() == t.is_contiguous()
    caught = []
    for lib in LIBS:
        pooled = lib.nn.functional.avg_pool1d(lib.ones(2, 10, 3).transpose(1, 2), 2)
        with pytest.raises(RuntimeError) as info:
            pooled.view(2, -1)
        caught.append(str(info.value))
    assert caught[0] == caught[1]


@pytest.mark.parametrize("fn, shape, args", [
    ("conv1d", (1, 2, 6), ("w3",)), ("conv_transpose1d", (1, 2, 6), ("w3",)),
    ("conv_transpose2d", (1, 2, 5, 5), ("w4",)), ("max_pool1d", (1, 2, 6), (2,)),
    ("avg_pool1d", (1, 2, 6), (2,)), ("adaptive_avg_pool1d", (1, 2, 6), (4,)),
    ("adaptive_max_pool1d", (1, 2, 6), (4,)), ("adaptive_max_pool2d", (1, 2, 5, 5), (3,)),
])
def test_create_graph_through_these_is_refused_not_wrong(fn, shape, args):
    weights = {"w3": autogradviz.randn(2, 2, 3), "w4": autogradviz.randn(2, 2, 3, 3)}
    x = autogradviz.randn(*shape, requires_grad=True)
    args = [weights.get(a, a) if isinstance(a, str) else a for a in args]
    y = getattr(autogradviz.nn.functional, fn)(x, *args).pow(2).sum()
    with pytest.raises(NotImplementedError, match="create_graph"):
        autogradviz.autograd.grad(y, x, create_graph=True)


def test_top_level_names():
    for name in ("conv1d", "conv_transpose1d", "conv_transpose2d", "max_pool1d",
                 "max_pool1d_with_indices", "avg_pool1d", "adaptive_avg_pool1d",
                 "adaptive_max_pool1d", "feature_dropout"):
        assert callable(getattr(autogradviz, name)), name
    x = _arr((2, 3, 9), 1)
    for name, args in (("max_pool1d", (3, 2)), ("adaptive_avg_pool1d", (4,)),
                       ("adaptive_max_pool1d", (4,))):
        theirs, ours = (getattr(lib, name)(lib.tensor(x), *args) for lib in LIBS)
        assert isinstance(ours, tuple) == isinstance(theirs, tuple)  # adaptive_max: a pair
        for o, t in zip(ours if isinstance(ours, tuple) else (ours,),
                        theirs if isinstance(theirs, tuple) else (theirs,), strict=True):
            _close(o, t, exact=True)


# ---------------------------------------------------------------------- errors
def _error_cases(lib):
    F = lib.nn.functional
    x = lib.ones(2, 4, 10)
    w = lib.ones(2, 4, 3)
    x4 = lib.ones(2, 4, 5, 6)
    w4 = lib.ones(4, 3, 3, 2)
    return [
        lambda: F.conv1d(lib.ones(10), w),
        lambda: F.conv1d(lib.ones(1, 2, 4, 10), w),
        lambda: F.conv1d(x, lib.ones(2, 4)),
        lambda: F.conv1d(x, w, stride=0),
        lambda: F.conv1d(x, w, stride=(1, 2)),
        lambda: F.conv1d(x, w, padding=(1, 2)),
        lambda: F.conv1d(x, w, padding="foo"),
        lambda: F.conv1d(x, w, padding="same", stride=2),
        lambda: F.conv1d(x, lib.ones(2, 4, 30)),
        lambda: F.conv1d(x, lib.ones(2, 3, 3)),
        lambda: F.conv1d(x, w.double()),
        lambda: F.conv1d(x, w, lib.ones(3)),
        lambda: F.conv1d(x, w, groups=0),
        lambda: F.conv1d(x, w, groups=3),
        lambda: F.conv1d(x.bool(), w.bool()),
        lambda: lib.nn.Conv1d(3, 4, 3, groups=2),
        lambda: lib.nn.Conv1d(4, 4, 3, padding="same", stride=2),
        lambda: lib.nn.Conv1d(4, 4, 3)(lib.ones(4, 4, 4, 4)),
        lambda: F.conv_transpose2d(lib.ones(5, 6), w4),
        lambda: F.conv_transpose2d(lib.ones(1, 2, 4, 5, 6), w4),
        lambda: F.conv_transpose2d(x4, w4[:3]),
        lambda: F.conv_transpose2d(x4, w4, groups=3),
        lambda: F.conv_transpose2d(x4, w4[:1], groups=2),
        lambda: F.conv_transpose2d(x4, w4, groups=0),
        lambda: F.conv_transpose2d(x4, w4, lib.ones(4)),
        lambda: F.conv_transpose2d(x4, w4, padding="same"),
        lambda: F.conv_transpose2d(x4, w4.double()),
        lambda: F.conv_transpose2d(x4, w4.double(), output_padding=3),
        lambda: F.conv_transpose2d(x4, w4, lib.ones(4), output_padding=3),
        lambda: F.conv_transpose2d(x4, w4, stride=0),
        lambda: F.conv_transpose2d(x4, w4, padding=-1, output_padding=-1),
        lambda: F.conv_transpose2d(x4, w4, stride=0, output_padding=-1),
        lambda: F.conv_transpose2d(x4, w4, stride=(1, 1, 1)),
        lambda: F.conv_transpose2d(x4, w4, output_padding=(1, 2, 3)),
        lambda: F.conv_transpose2d(x4, w4, output_padding=2, stride=2),
        lambda: F.conv_transpose2d(x4, w4, output_padding=(0, 2), dilation=2),
        lambda: F.conv_transpose2d(x4, w4, padding=5),
        lambda: F.conv_transpose2d(x4.double(), w4.double(), padding=5),
        lambda: F.conv_transpose2d(x4.bool(), w4.bool()),
        lambda: F.conv_transpose2d(x4, w4[0]),
        lambda: F.conv_transpose2d(lib.ones(1, 4, 5, 6), w4, padding=5),
        lambda: F.conv_transpose2d(x4, w4, padding=5, groups=2),
        lambda: F.conv_transpose1d(lib.ones(10), w),
        lambda: F.conv_transpose1d(x4, w),
        lambda: F.conv_transpose1d(x, w, padding="same"),
        lambda: F.conv_transpose1d(x, lib.ones(4, 3, 3), output_padding=2, stride=2),
        lambda: F.conv_transpose1d(x, lib.ones(4, 3, 3), padding=9),
        lambda: F.conv_transpose1d(lib.ones(1, 4, 5), lib.ones(4, 3, 3), padding=9),
        lambda: F.conv_transpose1d(x.double(), lib.ones(4, 3, 3).double(), padding=9),
        lambda: F.conv_transpose1d(x, lib.ones(3, 3, 3)),
        lambda: lib.nn.ConvTranspose1d(4, 6, 3, padding_mode="circular"),
        lambda: lib.nn.ConvTranspose2d(4, 6, 3, padding_mode="reflect"),
        lambda: lib.nn.ConvTranspose2d(3, 6, 3, groups=2),
        lambda: F.max_pool1d(lib.ones(10), 2),
        lambda: F.max_pool1d(lib.ones(1, 2, 3, 10), 2, return_indices=True),
        lambda: F.max_pool1d(x, (2, 2)),
        lambda: F.max_pool1d(x, []),
        lambda: F.max_pool1d(x, 2, stride=(1, 2)),
        lambda: F.max_pool1d(x, 2, padding=(1, 1)),
        lambda: F.max_pool1d(x, 2, dilation=[]),
        lambda: F.max_pool1d(x, 0, stride=0),
        lambda: F.max_pool1d(x, 2, stride=-1),
        lambda: F.max_pool1d(x, 2, padding=-1, dilation=0),
        lambda: F.max_pool1d(x, 3, padding=2, dilation=3),
        lambda: F.max_pool1d(x, 2, dilation=0),
        lambda: F.max_pool1d(x, 20),
        lambda: F.max_pool1d(x, 4, dilation=4),
        lambda: F.max_pool1d(lib.ones(2, 0, 10), 2),
        lambda: F.max_pool1d(lib.ones(0, 10), 2),
        lambda: F.max_pool1d(x.long(), 2),
        lambda: F.max_pool1d(x.bool(), 2),
        lambda: F.max_pool1d(x.requires_grad_(), 20),
        lambda: F.max_pool1d(x, 0, return_indices=True),
        lambda: F.max_pool1d(x, 0, 1, return_indices=True),
        lambda: F.max_pool1d(x, 2, -1, return_indices=True),
        lambda: F.max_pool1d(x, 2, 1, -1, return_indices=True),
        lambda: F.max_pool1d(x, 2, 1, 2, return_indices=True),
        lambda: F.max_pool1d(x, 3, 1, 2, dilation=3, return_indices=True),
        lambda: F.max_pool1d(x, 2, 1, 0, dilation=0, return_indices=True),
        lambda: F.max_pool1d(x, 20, return_indices=True),
        lambda: F.max_pool1d(x, (2, 2), return_indices=True),
        lambda: F.max_pool1d(x, 2, padding=[], return_indices=True),
        lambda: F.max_pool1d(lib.ones(2, 0, 10), 2, return_indices=True),
        lambda: F.max_pool1d(lib.ones(0, 10), 2, return_indices=True),
        lambda: F.max_pool1d(x.bool(), 2, return_indices=True),
        lambda: F.max_pool2d(lib.ones(1, 2, 4, 4).bool(), 2),
        lambda: F.avg_pool1d(lib.ones(10), 2),
        lambda: F.avg_pool1d(lib.ones(1, 2, 3, 10), 2),
        lambda: F.avg_pool1d(x, (2, 2)),
        lambda: F.avg_pool1d(x, []),
        lambda: F.avg_pool1d(x, 2, stride=(1, 1)),
        lambda: F.avg_pool1d(x, 2, padding=[]),
        lambda: F.avg_pool1d(x, 0),
        lambda: F.avg_pool1d(x, 0, 1),
        lambda: F.avg_pool1d(x, -1, 1),
        lambda: F.avg_pool1d(x, 2, -1),
        lambda: F.avg_pool1d(x, 3, 1, -1),
        lambda: F.avg_pool1d(x, 2, padding=2),
        lambda: F.avg_pool1d(x, 20),
        lambda: F.avg_pool1d(lib.ones(2, 0, 10), 20),
        lambda: F.avg_pool1d(lib.ones(0, 10), 2),
        lambda: F.avg_pool1d(x.int(), 2),
        lambda: F.adaptive_avg_pool1d(lib.ones(10), 2),
        lambda: F.adaptive_avg_pool1d(lib.ones(1, 2, 3, 10), 2),
        lambda: F.adaptive_avg_pool1d(x, (2, 2)),
        lambda: F.adaptive_avg_pool1d(x, -1),
        lambda: F.adaptive_avg_pool1d(x, None),
        lambda: F.adaptive_avg_pool1d(lib.ones(2, 3, 0), 2),
        lambda: F.adaptive_avg_pool1d(x.long(), 2),
        lambda: F.adaptive_avg_pool1d(x.long(), 1),
        lambda: F.adaptive_max_pool2d(lib.ones(7, 9), 2),
        lambda: F.adaptive_max_pool2d(lib.ones(1, 2, 3, 7, 9), 2),
        lambda: F.adaptive_max_pool2d(lib.ones(2, 3, 7, 9), (2, 2, 2)),
        lambda: F.adaptive_max_pool2d(lib.ones(2, 3, 7, 9), (2,)),
        lambda: F.adaptive_max_pool2d(lib.ones(2, 3, 7, 9), -1),
        lambda: F.adaptive_max_pool2d(lib.ones(3, 7, 9), (2, -3)),
        lambda: F.adaptive_max_pool2d(lib.ones(2, 0, 7, 9), 2),
        lambda: F.adaptive_max_pool2d(lib.ones(2, 3, 0, 9), 2),
        lambda: F.adaptive_max_pool2d(lib.ones(2, 3, 7, 9).long(), 2),
        lambda: F.adaptive_max_pool2d(lib.ones(2, 3, 7, 9).bool(), 2, True),
        lambda: F.adaptive_max_pool1d(lib.ones(10), 2),
        lambda: F.adaptive_max_pool1d(lib.ones(1, 2, 3, 10), 2),
        lambda: F.adaptive_max_pool1d(x, (2, 2)),
        lambda: F.adaptive_max_pool1d(x, -1),
        lambda: F.adaptive_max_pool1d(x, None),
        lambda: F.adaptive_max_pool1d(lib.ones(2, 0, 9), 2),
        lambda: F.adaptive_max_pool1d(lib.ones(2, 3, 0), 2),
        lambda: F.adaptive_max_pool1d(lib.ones(3, 0), 2),
        lambda: F.adaptive_max_pool1d(x.long(), 2),
        lambda: lib.nn.AdaptiveMaxPool2d(2)(lib.ones(10)),
        lambda: F.dropout1d(lib.ones(2, 3, 4, 5)),
        lambda: F.dropout1d(lib.ones(5)),
        lambda: F.dropout1d(x, 1.5),
        lambda: F.dropout2d(x, -0.1),
        lambda: F.dropout2d(lib.ones(5)),
        lambda: lib.feature_dropout(lib.ones(5), 0.5, True),
        lambda: lib.feature_dropout(x, 1.5, True),
        lambda: lib.nn.Dropout2d(2.0),
        lambda: lib.nn.Dropout1d(-1),
        lambda: lib.nn.Dropout1d()(lib.ones(5)),
        lambda: lib.nn.MaxPool1d(2)(lib.ones(10)),
        lambda: lib.nn.AvgPool1d(2)(lib.ones(10)),
        lambda: lib.nn.AdaptiveAvgPool1d(2)(lib.ones(10)),
    ]


@pytest.mark.parametrize("i", range(len(_error_cases(torch))))
def test_errors_as_pytorch(i):
    caught = []
    for lib in LIBS:
        with pytest.raises(Exception) as info, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # dropout2d's rank warning before its error
            _error_cases(lib)[i]()
        caught.append(info.value)
    theirs, ours = caught
    assert type(ours) is type(theirs)
    assert str(ours) == str(theirs)
