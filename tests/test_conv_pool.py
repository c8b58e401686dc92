"""Convolution and pooling (``F.conv2d``, ``F.max_pool2d``, ``F.avg_pool2d``,
``F.adaptive_avg_pool2d``, ``nn.Conv2d``, ``nn.MaxPool2d``, ``nn.AvgPool2d``,
``nn.AdaptiveAvgPool2d``) against real PyTorch: values, gradients, backward nodes and their
saved values, module reprs and initialisation, error messages; float64 gradchecks.

float32 convolutions add in another order than PyTorch's oneDNN: compared to rtol 1e-5,
atol 1e-6. Pooling picks or sums in PyTorch's order: compared bit for bit.
"""

import os

os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")

import ast
import math
import re
import warnings

import numpy as np
import pytest
import torch

import autogradviz
from autogradviz.autograd import gradcheck

LIBS = (torch, autogradviz)


def _arr(shape, seed, dtype="float32"):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _both(*arrays, requires_grad=True):
    """The arrays as tensors of each library (floating ones requiring grad)."""
    out = []
    for lib in LIBS:
        out.append([lib.tensor(a, requires_grad=requires_grad and a.dtype.kind == "f")
                    if a is not None else None for a in arrays])
    return out


def _close(ours, theirs, exact=False, scaled=False):
    """Equal values; float32 to rtol 1e-5, atol 1e-6 (``scaled``: atol 1e-6 times the largest
    magnitude, for gradients summed from terms much larger than some of the sums)."""
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
    """A node's non-tensor ``_saved_`` values (tensors: their shape)."""
    out = {}
    for name in dir(node):
        if name.startswith("_saved_"):
            v = getattr(node, name)
            out[name] = tuple(v.shape) if hasattr(v, "shape") else v
    return out


def _chain(t):
    """The node names down the first edges below ``t``."""
    names, fn = [], t.grad_fn
    while fn is not None:
        names.append(fn.name())
        fn = fn.next_functions[0][0] if fn.next_functions else None
    return names


# ---------------------------------------------------------------------- conv2d
CONV_CASES = [
    # input shape, weight shape, bias, kwargs
    ((1, 1, 32, 32), (6, 1, 5, 5), True, {}),
    ((2, 3, 9, 8), (4, 3, 3, 3), True, {"stride": 2}),
    ((2, 3, 9, 8), (4, 3, 3, 2), False, {"stride": (2, 1), "padding": (1, 2)}),
    ((1, 2, 10, 11), (3, 2, 3, 3), True, {"dilation": 2, "padding": 1}),
    ((2, 4, 7, 7), (6, 2, 3, 3), True, {"groups": 2}),
    ((2, 6, 7, 6), (6, 1, 2, 3), True, {"groups": 6, "stride": (1, 2), "dilation": (2, 1)}),
    ((3, 2, 5, 5), (2, 2, 5, 5), True, {}),
    ((1, 3, 6, 6), (2, 3, 1, 1), True, {"padding": 2}),
    ((2, 3, 8, 8), (4, 3, 3, 3), True, {"padding": "same"}),
    ((2, 3, 8, 8), (4, 3, 4, 2), True, {"padding": "same"}),
    ((2, 3, 8, 8), (4, 3, 2, 2), True, {"padding": "same", "dilation": (1, 3)}),
    ((2, 3, 8, 8), (4, 3, 3, 3), True, {"padding": "valid"}),
    ((3, 8, 8), (4, 3, 3, 3), True, {"padding": 1}),  # unbatched
    ((0, 3, 8, 8), (4, 3, 3, 3), True, {}),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", CONV_CASES, ids=lambda c: str(c)[:60])
def test_conv2d_values_grads_and_node(case, dtype):
    xs, ws, has_bias, kw = case
    x, w = _arr(xs, 1, dtype), _arr(ws, 2, dtype)
    b = _arr(ws[0], 3, dtype) if has_bias else None
    results = []
    for lib, (tx, tw, tb) in zip(LIBS, _both(x, w, b), strict=True):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            y = lib.nn.functional.conv2d(tx, tw, tb, **kw)
        g = lib.tensor(_arr(tuple(y.shape), 4, dtype))
        y.backward(g, retain_graph=True)
        results.append((y, tx.grad, tw.grad, None if tb is None else tb.grad,
                        _chain(y), _saved(y.grad_fn) if y.grad_fn.name().startswith("Conv")
                        else _saved(y.grad_fn.next_functions[0][0]),
                        [str(c.message) for c in caught]))
    theirs, ours = results
    _close(ours[0], theirs[0])
    for o, t in zip(ours[1:4], theirs[1:4], strict=True):
        if t is None:
            assert o is None
        else:
            _close(o, t, scaled=True)
    assert ours[4] == theirs[4]
    assert ours[5] == theirs[5]
    assert ours[6] == theirs[6]


def test_conv2d_node_edges_and_saved_tensors():
    x = autogradviz.randn(1, 2, 5, 5, requires_grad=True)
    w = autogradviz.randn(3, 2, 3, 3, requires_grad=True)
    y = autogradviz.conv2d(x, w, stride=2)
    node = y.grad_fn
    assert type(node).__name__ == "ConvolutionBackward0"
    assert node._saved_input is x and node._saved_weight is w
    assert node._saved_bias_sym_sizes_opt == (0,)
    assert node._saved_transposed is False
    assert [fn is None for fn, _ in node.next_functions] == [False, False, True]
    y2 = autogradviz.nn.functional.conv2d(x.detach(), w, autogradviz.zeros(3))
    assert [fn is None for fn, _ in y2.grad_fn.next_functions] == [True, False, True]
    with autogradviz.no_grad():
        assert autogradviz.conv2d(x, w).grad_fn is None


@pytest.mark.parametrize("dtype", ["int64", "int32"])
def test_conv2d_integers(dtype):
    rng = np.random.default_rng(0)
    x = rng.integers(-5, 5, (2, 2, 6, 6)).astype(dtype)
    w = rng.integers(-3, 3, (4, 1, 3, 3)).astype(dtype)
    theirs, ours = (lib.conv2d(lib.tensor(x), lib.tensor(w), stride=1, padding=1, groups=2)
                    for lib in LIBS)
    _close(ours, theirs)


def test_conv2d_create_graph_is_refused():
    x = autogradviz.randn(1, 1, 4, 4, requires_grad=True)
    w = autogradviz.randn(1, 1, 2, 2, requires_grad=True)
    y = autogradviz.conv2d(x, w).sum()
    with pytest.raises(NotImplementedError, match="create_graph"):
        autogradviz.autograd.grad(y, x, create_graph=True)


@pytest.mark.parametrize("kw", [
    {}, {"stride": 2, "padding": 1}, {"dilation": 2}, {"groups": 2}, {"padding": "same"},
])
def test_conv2d_gradcheck_float64(kw):
    x = autogradviz.randn(2, 4, 6, 5, dtype=autogradviz.float64, requires_grad=True)
    w = autogradviz.randn(4, 2 if kw.get("groups") else 4, 3, 2, dtype=autogradviz.float64,
                          requires_grad=True)
    b = autogradviz.randn(4, dtype=autogradviz.float64, requires_grad=True)
    assert gradcheck(lambda x, w, b: autogradviz.nn.functional.conv2d(x, w, b, **kw),
                     (x, w, b))


# ---------------------------------------------------------------------- max_pool2d
POOL_CASES = [
    ((1, 6, 28, 28), ((2, 2),), {}),
    ((1, 16, 10, 10), (2,), {}),
    ((2, 3, 9, 8), (3,), {"stride": 2, "padding": 1}),
    ((2, 3, 9, 8), ((3, 2),), {"stride": (2, 1), "ceil_mode": True}),
    ((2, 3, 11, 10), (3,), {"stride": 2, "dilation": 2, "padding": 1}),
    ((2, 3, 7, 7), (2,), {"stride": 3, "ceil_mode": True}),
    ((3, 7, 7), (2,), {"stride": 1}),  # unbatched
    ((2, 3, 7, 7), (2,), {"stride": 2}),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", POOL_CASES, ids=lambda c: str(c)[:60])
def test_max_pool2d_values_indices_grads_and_node(case, dtype):
    xs, args, kw = case
    x = _arr(xs, 5, dtype)
    x.reshape(-1)[::7] = x.reshape(-1)[1::7][:x.reshape(-1)[::7].size]  # ties
    results = []
    for lib, (tx,) in zip(LIBS, _both(x), strict=True):
        y, idx = lib.nn.functional.max_pool2d(tx, *args, **kw, return_indices=True)
        y.backward(lib.tensor(_arr(tuple(y.shape), 6, dtype)), retain_graph=True)
        results.append((y, idx, tx.grad, _chain(y), _saved(y.grad_fn), idx.requires_grad))
    theirs, ours = results
    for o, t in zip(ours[:3], theirs[:3], strict=True):
        _close(o, t, exact=True)
    assert ours[3:] == theirs[3:]


def test_max_pool2d_nan_and_lowest_values():
    x = np.full((1, 1, 4, 4), -np.inf, np.float32)
    x[0, 0, 1, 1] = np.nan
    x[0, 0, 1, 0] = np.nan
    x[0, 0, 3, 3] = 2.0
    for kw in ({"kernel_size": 2}, {"kernel_size": 3, "stride": 1, "padding": 1}):
        theirs, ours = (lib.nn.functional.max_pool2d(lib.tensor(x), return_indices=True, **kw)
                        for lib in LIBS)
        _close(ours[0], theirs[0], exact=True)
        _close(ours[1], theirs[1], exact=True)
    xi = np.array([[[[-(2**63), 5], [-(2**63), -(2**63)]]]], np.int64)
    theirs, ours = (lib.nn.functional.max_pool2d(lib.tensor(xi), 2, 1, 1, return_indices=True)
                    for lib in LIBS)
    _close(ours[0], theirs[0], exact=True)
    _close(ours[1], theirs[1], exact=True)


def test_max_pool2d_gradcheck_float64():
    x = autogradviz.randn(2, 2, 7, 6, dtype=autogradviz.float64, requires_grad=True)
    assert gradcheck(lambda x: autogradviz.nn.functional.max_pool2d(x, 3, 2, 1), (x,))


# ---------------------------------------------------------------------- avg_pool2d
AVG_CASES = [
    ((1, 6, 28, 28), (2,), {}),
    ((2, 3, 9, 8), (3,), {"stride": 2, "padding": 1}),
    ((2, 3, 9, 8), (3,), {"stride": 2, "padding": 1, "count_include_pad": False}),
    ((2, 3, 9, 8), ((3, 2),), {"stride": (2, 1), "ceil_mode": True, "padding": 1}),
    ((2, 3, 7, 7), (2,), {"stride": 3, "ceil_mode": True, "count_include_pad": False}),
    ((2, 3, 7, 7), (3,), {"divisor_override": 5}),
    ((3, 7, 7), (2,), {"stride": 1}),  # unbatched
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", AVG_CASES, ids=lambda c: str(c)[:60])
def test_avg_pool2d_values_grads_and_node(case, dtype):
    xs, args, kw = case
    x = _arr(xs, 7, dtype)
    results = []
    for lib, (tx,) in zip(LIBS, _both(x), strict=True):
        y = lib.nn.functional.avg_pool2d(tx, *args, **kw)
        y.backward(lib.tensor(_arr(tuple(y.shape), 8, dtype)), retain_graph=True)
        results.append((y, tx.grad, _chain(y), _saved(y.grad_fn)))
    theirs, ours = results
    _close(ours[0], theirs[0], exact=True)
    _close(ours[1], theirs[1], scaled=True)
    assert ours[2:] == theirs[2:]


def test_avg_pool2d_int64_and_gradcheck():
    xi = np.arange(-20, 29, dtype=np.int64).reshape(1, 1, 7, 7)
    theirs, ours = (lib.nn.functional.avg_pool2d(lib.tensor(xi), 3, 2, 1) for lib in LIBS)
    _close(ours, theirs, exact=True)
    x = autogradviz.randn(2, 2, 7, 6, dtype=autogradviz.float64, requires_grad=True)
    assert gradcheck(lambda x: autogradviz.nn.functional.avg_pool2d(x, 3, 2, 1, True, False),
                     (x,))


# ---------------------------------------------------------------------- adaptive_avg_pool2d
ADAPTIVE_CASES = [
    # input shape, output_size
    ((2, 3, 5, 7), 1),  # a mean over the last two dims (MeanBackward1), as in ATen
    ((2, 3, 5, 7), (1, 1)),
    ((2, 3, 5, 7), [1, 1]),
    ((2, 3, 5, 7), 2),  # overlapping windows
    ((2, 3, 5, 7), (2, 3)),
    ((2, 3, 5, 7), (3, None)),  # None: the input's size
    ((2, 3, 5, 7), (None, 1)),
    ((2, 3, 5, 7), (5, 7)),
    ((2, 3, 5, 7), (7, 9)),  # larger than the input: windows repeat
    ((2, 3, 5, 7), (0, 2)),
    ((2, 3, 28, 28), 7),
    ((3, 5, 7), 2),  # unbatched
    ((5, 7), 1),  # the mean path takes any tensor of two dims or more
    ((1, 2, 3, 5, 7), 1),
    ((2, 0, 4, 4), 2),
]


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize("case", ADAPTIVE_CASES, ids=lambda c: str(c))
def test_adaptive_avg_pool2d_values_grads_and_node(case, dtype):
    """Bit for bit: PyTorch's kernel sums each window in order (float16 in float32) and divides
    by its height, then its width; the backward adds each output's share in order."""
    xs, size = case
    x = _arr(xs, 11, dtype) * 10
    results = []
    for lib, (tx,) in zip(LIBS, _both(x), strict=True):
        y = lib.nn.functional.adaptive_avg_pool2d(tx, size)
        try:
            y.backward(lib.tensor(_arr(tuple(y.shape), 12, dtype)), retain_graph=True)
            grad = tx.grad
        except RuntimeError as e:  # an empty gradient is refused by PyTorch's backward kernel
            grad = str(e)
        results.append((y, _chain(y), _saved(y.grad_fn), grad))
    theirs, ours = results
    _close(ours[0], theirs[0], exact=True)
    assert ours[1:3] == theirs[1:3]
    if isinstance(theirs[3], str):
        assert ours[3] == theirs[3]
    else:
        _close(ours[3], theirs[3], exact=True)


def test_adaptive_avg_pool2d_non_contiguous_input_and_module():
    x = _arr((2, 3, 9, 6), 13)
    outs = []
    for lib, (tx,) in zip(LIBS, _both(x), strict=True):
        m = lib.nn.AdaptiveAvgPool2d((4, 5))
        y = m(tx.transpose(2, 3))
        y.sum().backward()
        outs.append((y, tx.grad, _chain(y)))
    theirs, ours = outs
    _close(ours[0], theirs[0], exact=True)
    _close(ours[1], theirs[1], exact=True)
    assert ours[2] == theirs[2]


def test_adaptive_avg_pool2d_gradcheck_and_create_graph():
    F = autogradviz.nn.functional
    x = autogradviz.randn(2, 2, 7, 5, dtype=autogradviz.float64, requires_grad=True)
    for size in (1, (3, 2), (4, None), (9, 6)):
        assert gradcheck(lambda x, size=size: F.adaptive_avg_pool2d(x, size), (x,))
    y = F.adaptive_avg_pool2d(x, 3)
    with pytest.raises(NotImplementedError, match="adaptive_avg_pool2d"):
        autogradviz.autograd.grad(y.sum(), x, create_graph=True)


# ---------------------------------------------------------------------- modules
MODULES = [
    ("Conv2d", (1, 6, 5), {}),
    ("Conv2d", (6, 16, 5), {}),
    ("Conv2d", (4, 6, (3, 2)), {"stride": 2, "padding": 1, "dilation": 2, "groups": 2,
                                "bias": False}),
    ("Conv2d", (2, 4, 3), {"padding": "same"}),
    ("Conv2d", (2, 4, 3), {"padding": "valid", "padding_mode": "reflect"}),
    ("Conv2d", (3, 3, 3), {"dtype": "float64"}),
    ("MaxPool2d", (2,), {}),
    ("MaxPool2d", ((2, 3),), {"stride": 1, "padding": 1, "ceil_mode": True,
                              "return_indices": True}),
    ("AvgPool2d", (2,), {}),
    ("AvgPool2d", (3, 1, 1, True, False, 2), {}),
    ("AdaptiveAvgPool2d", (1,), {}),
    ("AdaptiveAvgPool2d", ((2, 3),), {}),
    ("AdaptiveAvgPool2d", ((None, 3),), {}),
    ("AdaptiveAvgPool2d", ([2, 2],), {}),
]


@pytest.mark.parametrize("spec", MODULES, ids=lambda s: f"{s[0]}{s[1]}{s[2]}")
def test_module_repr_init_and_attributes(spec):
    cls, args, kw = spec
    made = []
    for lib in LIBS:
        lib.manual_seed(3)
        k = dict(kw)
        if "dtype" in k:
            k["dtype"] = getattr(lib, k["dtype"])
        m = getattr(lib.nn, cls)(*args, **k)
        made.append(m)
    theirs, ours = made
    assert repr(ours) == repr(theirs)
    for (n1, p1), (n2, p2) in zip(ours.named_parameters(), theirs.named_parameters(),
                                  strict=True):
        assert n1 == n2
        _close(p1, p2, exact=True)
    for attr in ("stride", "padding", "dilation", "groups", "kernel_size", "ceil_mode",
                 "_reversed_padding_repeated_twice", "output_padding", "padding_mode",
                 "output_size"):
        if hasattr(theirs, attr):
            assert getattr(ours, attr) == getattr(theirs, attr), attr


def test_lenet_forward_and_backward_match():
    outs = []
    for lib in LIBS:
        lib.manual_seed(0)
        net = lib.nn.Sequential(
            lib.nn.Conv2d(1, 6, 5), lib.nn.ReLU(), lib.nn.MaxPool2d(2),
            lib.nn.Conv2d(6, 16, 5, padding=2), lib.nn.ReLU(), lib.nn.AvgPool2d(2),
            lib.nn.Flatten(), lib.nn.Linear(16 * 6 * 6, 10))
        x = lib.randn(3, 1, 28, 28)
        y = net(x)
        y.sum().backward()
        outs.append((y, net[0].weight.grad, net[3].bias.grad, str(net)))
    theirs, ours = outs
    for o, t in zip(ours[:3], theirs[:3], strict=True):
        np.testing.assert_allclose(o.detach().numpy(), t.detach().numpy(), rtol=1e-4,
                                   atol=1e-5)
    assert ours[3] == theirs[3]


def test_top_level_names():
    for name in ("conv2d", "max_pool2d"):
        assert callable(getattr(autogradviz, name))
    x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    _close(autogradviz.max_pool2d(autogradviz.tensor(x), 2),
           torch.max_pool2d(torch.tensor(x), 2), exact=True)


# ---------------------------------------------------------------------- errors
def _error_cases(lib):
    F = lib.nn.functional
    x = lib.ones(1, 4, 8, 8)
    w = lib.ones(2, 4, 4, 4)
    return [
        lambda: F.conv2d(lib.ones(2, 3), w),
        lambda: F.conv2d(lib.ones(2, 3, 3, 3, 3), w),
        lambda: F.conv2d(lib.ones(1, 3, 8, 8), w),
        lambda: F.conv2d(lib.ones(1, 4, 2, 2), w),
        lambda: F.conv2d(x.double(), w),
        lambda: F.conv2d(x, w.double()),
        lambda: F.conv2d(x, w, lib.ones(3)),
        lambda: F.conv2d(x.double(), w.double(), lib.ones(2)),
        lambda: F.conv2d(x, w, stride=2, padding="same"),
        lambda: F.conv2d(x, w, padding="foo"),
        lambda: F.conv2d(x, w, groups=3),
        lambda: F.conv2d(x, lib.ones(3, 2, 4, 4), groups=3),
        lambda: F.conv2d(x, w, stride=0),
        lambda: F.conv2d(x, w, padding=-1),
        lambda: F.conv2d(x, w, dilation=0),
        lambda: F.conv2d(x, w, stride=(1, 1, 1)),
        lambda: F.conv2d(x, lib.ones(0, 4, 4, 4)),
        lambda: F.max_pool2d(x, 2, padding=2),
        lambda: F.max_pool2d(lib.ones(1, 1, 1, 1), 2),
        lambda: F.max_pool2d(lib.ones(3, 3), 2),
        lambda: F.max_pool2d(x, 2, stride=0),
        lambda: F.max_pool2d(x, (2, 2, 2)),
        lambda: F.avg_pool2d(x, 2, padding=2),
        lambda: F.avg_pool2d(x.int(), 2),
        lambda: F.adaptive_avg_pool2d(x, (1,)),
        lambda: F.adaptive_avg_pool2d(x, [1, 2, 3]),
        lambda: F.adaptive_avg_pool2d(x, -1),
        lambda: F.adaptive_avg_pool2d(x, (2, -1)),
        lambda: F.adaptive_avg_pool2d(lib.ones(5, 7), 2),
        lambda: F.adaptive_avg_pool2d(lib.ones(5, 7), (None, 2)),
        lambda: F.adaptive_avg_pool2d(lib.ones(1, 2, 3, 5, 7), 2),
        lambda: F.adaptive_avg_pool2d(lib.ones(7), 1),
        lambda: F.adaptive_avg_pool2d(lib.ones(7), (2, 2)),
        lambda: F.adaptive_avg_pool2d(lib.ones(2, 3, 0, 4), 2),
        lambda: F.adaptive_avg_pool2d(lib.ones(2, 3, 4, 0), (2, 2)),
        lambda: F.adaptive_avg_pool2d(x.long(), 1),
        lambda: F.adaptive_avg_pool2d(x.long(), 2),
        lambda: F.adaptive_avg_pool2d(x.bool(), 2),
        lambda: lib.nn.AdaptiveAvgPool2d(2)(lib.ones(4, 4)),
        lambda: lib.nn.Conv2d(3, 4, 3, groups=2),
        lambda: lib.nn.Conv2d(4, 3, 3, groups=2),
        lambda: lib.nn.Conv2d(4, 4, 3, groups=0),
        lambda: lib.nn.Conv2d(4, 4, 3, padding="same", stride=2),
    ]


@pytest.mark.parametrize("i", range(len(_error_cases(torch))))
def test_errors_as_pytorch(i):
    caught = []
    for lib in LIBS:
        with pytest.raises(Exception) as info:
            _error_cases(lib)[i]()
        caught.append(info.value)
    theirs, ours = caught
    assert type(ours) is type(theirs)
    assert str(ours) == str(theirs)


def test_module_padding_errors():
    for kw in ({"padding_mode": "foo"}, {"padding": "foo"}):
        caught = []
        for lib in LIBS:
            with pytest.raises(ValueError) as info:
                lib.nn.Conv2d(4, 4, 3, **kw)
            caught.append(str(info.value))
        # The message shows a set: compare its members, not their order.
        sets = [re.search(r"\{.*\}", m)[0] for m in caught]
        assert ast.literal_eval(sets[0]) == ast.literal_eval(sets[1])
        assert caught[0].replace(sets[0], "") == caught[1].replace(sets[1], "")


def test_padding_modes_other_than_zeros_are_not_supported_yet():
    m = autogradviz.nn.Conv2d(1, 1, 3, padding=1, padding_mode="reflect")
    with pytest.raises(NotImplementedError, match="reflect"):
        m(autogradviz.ones(1, 1, 4, 4))


def test_fan_in_bound_matches():
    """The bias bound is 1/sqrt(in_channels/groups * kh * kw)."""
    m = autogradviz.nn.Conv2d(4, 6, (3, 2), groups=2)
    assert float(m.bias.abs().max()) <= 1 / math.sqrt(2 * 3 * 2)
