"""GroupNorm, PReLU, RMSNorm, InstanceNorm1d/2d and LocalResponseNorm (modules and functional
forms) against real PyTorch: values, dtypes, reprs, state_dict, running statistics, backward
nodes (names, edges, saved values), gradients, error messages; float64 gradchecks.

Tolerances: group norm's statistics replay ATen's Welford cascade (``nn._moments``), so its
float32/float64 outputs are compared bit for bit on rows of up to one cascade chunk (128 float32
or 64 float64 values per group) and to rtol 1e-6 (float32) / 1e-14 (float64) on longer rows,
where an rstd may differ in the last bit. Gradients are the closed forms in autogradviz's
operations (PyTorch sums in its own order): float32 to rtol 1e-5 with atol 1e-6 times the largest
magnitude, float64 to rtol 1e-12.
"""

import os
import warnings

os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")

import numpy as np
import pytest
import torch

import autogradviz
from autogradviz.autograd import gradcheck, gradgradcheck

LIBS = (torch, autogradviz)


def _arr(shape, seed, dtype="float32", scale=1.0, shift=0.0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(shape) * scale + shift).astype(dtype)


def _np(t):
    return t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)


def _close(ours, theirs, scaled=False, rtol32=1e-5, rtol64=1e-12, scale=1.0):
    o, t = _np(ours), _np(theirs)
    assert o.shape == t.shape and o.dtype == t.dtype, (o.shape, t.shape, o.dtype, t.dtype)
    if o.dtype.kind != "f":
        np.testing.assert_array_equal(o, t)
        return
    rtol = rtol64 if o.dtype == np.float64 else rtol32  # (float16 takes rtol32)
    scale = max(scale, float(np.abs(t).max(initial=0))) if scaled else scale
    np.testing.assert_allclose(o, t, rtol=rtol, atol=rtol * 0.1 * scale)


def _same(ours, theirs):
    o, t = _np(ours), _np(theirs)
    assert o.shape == t.shape and o.dtype == t.dtype, (o.shape, t.shape, o.dtype, t.dtype)
    np.testing.assert_array_equal(o, t)


def _saved(node):
    out = {}
    for name in dir(node):
        if name.startswith("_saved_"):
            v = getattr(node, name)
            if hasattr(v, "detach"):
                out[name] = ("tensor", tuple(v.shape), str(v.dtype).split(".")[-1],
                             np.round(_np(v).astype(np.float64), 5).tolist())
            else:
                out[name] = v
    return out


def _edges(node):
    return [(None if fn is None else fn.name(), nr) for fn, nr in node.next_functions]


def _graph(node, depth=0, out=None):
    """Every node below ``node``: (depth, name, saved values), depth first."""
    out = [] if out is None else out
    if node is None:
        out.append((depth, None))
        return out
    out.append((depth, node.name(), _saved(node)))
    for fn, _ in node.next_functions:
        _graph(fn, depth + 1, out)
    return out


def _structure(graph):
    """``_graph``'s records with each saved tensor's values left out."""
    return [(entry[0], entry[1], {k: v[:3] if isinstance(v, tuple) and v and v[0] == "tensor"
                                  else v for k, v in entry[2].items()}) if len(entry) == 3
            else entry for entry in graph]


def _raised(fn):
    caught = []
    for lib in LIBS:
        with pytest.raises(Exception) as info:
            fn(lib)
        caught.append(info.value)
    theirs, ours = caught
    assert type(ours) is type(theirs), (ours, theirs)
    assert str(ours) == str(theirs)


def _reprs_and_state(make):
    torch.manual_seed(0)
    autogradviz.manual_seed(0)
    theirs, ours = make(torch.nn), make(autogradviz.nn)
    assert repr(ours) == repr(theirs)
    st, so = theirs.state_dict(), ours.state_dict()
    assert list(so) == list(st)
    for k in st:
        _same(so[k], st[k])
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]


def _t(shape, seed, requires_grad=True):
    return autogradviz.tensor(_arr(shape, seed, "float64"), requires_grad=requires_grad)


# ---------------------------------------------------------------------- GroupNorm
GN_SHAPES = [((2, 6, 5), 3), ((3, 4), 2), ((2, 6, 3, 4), 6), ((2, 4, 7, 9), 1), ((1, 8, 300), 2),
             ((3, 2, 1000), 2), ((4, 3), 3)]


@pytest.mark.parametrize("shape, groups", GN_SHAPES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("settings", [{}, {"eps": 1e-2}, {"affine": False}, {"bias": False}])
def test_groupnorm_layer_matches_torch(shape, groups, dtype, settings):
    x = _arr(shape, 0, dtype, scale=3.0, shift=1.0)
    g = _arr(shape, 1, dtype)
    res = []
    for lib in LIBS:
        m = lib.nn.GroupNorm(groups, shape[1], dtype=getattr(lib, dtype), **settings)
        if m.weight is not None:  # not ones and zeros, so that their gradients matter
            with lib.no_grad():
                m.weight.copy_(lib.tensor(_arr(m.weight.shape, 2, dtype)))
                if m.bias is not None:
                    m.bias.copy_(lib.tensor(_arr(m.bias.shape, 3, dtype)))
        xt = lib.tensor(x, requires_grad=True)
        y = m(xt)
        stats = (y.grad_fn._saved_result1, y.grad_fn._saved_result2)  # freed by backward
        y.backward(lib.tensor(g))
        res.append((y, xt.grad, m.weight, m.bias, stats))
    (y0, gx0, w0, b0, stats0), (y1, gx1, w1, b1, stats1) = res
    row = x.size // (shape[0] * groups)
    if row <= (128 if dtype == "float32" else 64):  # one cascade chunk: the kernel's bits
        _same(y1, y0)
        _same(stats1[0], stats0[0])
        _same(stats1[1], stats0[1])
    else:
        _close(y1, y0, rtol32=1e-6, rtol64=1e-14)
        _same(stats1[0], stats0[0])
        _close(stats1[1], stats0[1], rtol32=1e-6, rtol64=1e-14)
    # The input's gradient is of the size of grad * rstd * weight; small groups cancel to ~0.
    gscale = float(np.abs(g).max() * _np(stats0[1]).max()) * (1 if w0 is None else float(
        np.abs(_np(w0)).max()))
    _close(gx1, gx0, scaled=True, scale=gscale)
    # PyTorch's weight gradient is (sum(g * x) - sum(g) * mean) * rstd: it cancels to ~0 where
    # xhat is 0 (groups of one value), at the size of the sums.
    wscale = float(np.abs(g).max() * np.abs(x).max() * _np(stats0[1]).max()) * (x.size // shape[1])
    for ours, theirs in ((w1, w0), (b1, b0)):
        assert (ours is None) == (theirs is None)
        if theirs is not None:
            _close(ours.grad, theirs.grad, scaled=True, scale=wscale)


@pytest.mark.parametrize("weight, bias", [(True, True), (True, False), (False, True),
                                          (False, False)])
def test_group_norm_nodes_match_torch(weight, bias):
    x = _arr((2, 6, 3), 0)
    nodes = []
    for lib in LIBS:
        xt = lib.tensor(x, requires_grad=True)
        wt = lib.tensor(_arr(6, 1), requires_grad=True) if weight else None
        bt = lib.tensor(_arr(6, 2), requires_grad=True) if bias else None
        nodes.append(lib.nn.functional.group_norm(xt, 2, wt, bt, eps=1e-3).grad_fn)
    theirs, ours = nodes
    assert ours.name() == theirs.name() == "NativeGroupNormBackward0"
    assert _edges(ours) == _edges(theirs)
    assert _saved(ours) == _saved(theirs)


@pytest.mark.parametrize("param_dtype", ["float16", "float32"])
def test_group_norm_half_and_empty(param_dtype):
    """float16 inputs (statistics in float32, ATen's accumulation type; float32 parameters are
    PyTorch's mixed-type case), to float16's tolerance; an empty batch gives an empty result
    and gradient."""
    x = _arr((2, 6, 5), 0, "float16")
    res = []
    for lib in LIBS:
        w = lib.tensor(_arr(6, 1, param_dtype))
        b = lib.tensor(_arr(6, 2, param_dtype))
        y = lib.nn.functional.group_norm(lib.tensor(x), 3, w, b)
        empty = lib.zeros(0, 6, 3, requires_grad=True)
        out = lib.nn.functional.group_norm(empty, 2, lib.ones(6, requires_grad=True))
        out.sum().backward()
        res.append((y, out, empty.grad))
    _close(res[1][0], res[0][0], rtol32=1e-3)
    for ours, theirs in zip(res[1][1:], res[0][1:], strict=True):
        _same(ours, theirs)


def test_group_norm_no_node_without_grad():
    for lib in LIBS:
        x = lib.tensor(_arr((2, 4, 3), 0))
        assert lib.nn.functional.group_norm(x, 2).grad_fn is None
        with lib.no_grad():
            assert lib.nn.GroupNorm(2, 4)(x).grad_fn is None


@pytest.mark.parametrize("make", [
    lambda nn: nn.GroupNorm(2, 6),
    lambda nn: nn.GroupNorm(1, 4, eps=1e-3, affine=False),
    lambda nn: nn.GroupNorm(3, 3, bias=False),
    lambda nn: nn.Sequential(nn.Linear(3, 4), nn.GroupNorm(2, 4)),
])
def test_group_norm_reprs_and_state(make):
    _reprs_and_state(make)


GN_ERRORS = [
    lambda lib: lib.nn.functional.group_norm(lib.randn(6), 2),
    lambda lib: lib.nn.functional.group_norm(lib.randn(2, 6, 3), 4),
    lambda lib: lib.nn.functional.group_norm(lib.randn(2, 6, 3), 2, weight=lib.ones(4)),
    lambda lib: lib.nn.functional.group_norm(lib.randn(2, 6, 3), 2, bias=lib.ones(4)),
    lambda lib: lib.nn.functional.group_norm(lib.randn(2, 6, 3), 2, weight=lib.ones(6),
                                             bias=lib.ones(5)),
    lambda lib: lib.nn.functional.group_norm(lib.randn(2, 6, 3), 2, weight=lib.ones(2, 3)),
    lambda lib: lib.nn.functional.group_norm(lib.randn(1, 2), 2),
    lambda lib: lib.nn.functional.group_norm(lib.ones(2, 6, 3, dtype=lib.long), 2),
    lambda lib: lib.nn.functional.group_norm(lib.randn(2, 6, 3), 0),
    lambda lib: lib.nn.functional.group_norm(lib.randn(2, 6, 3), -2),
    lambda lib: lib.nn.functional.group_norm(lib.randn(2, 6, 3), 2.0),
    lambda lib: lib.nn.functional.group_norm(lib.randn(2, 6, 3).double(), 2,
                                             weight=lib.ones(6)),
    lambda lib: lib.nn.functional.group_norm(lib.randn(2, 6, 3), 2,
                                             weight=lib.ones(6, dtype=lib.float64)),
    lambda lib: lib.nn.functional.group_norm(lib.randn(2, 6, 3), 2, weight=lib.ones(6),
                                             bias=lib.ones(6, dtype=lib.float64)),
    lambda lib: lib.nn.functional.group_norm(lib.randn(2, 6, 3).half(), 2,
                                             weight=lib.ones(6, dtype=lib.float64)),
    lambda lib: lib.nn.functional.group_norm(lib.randn(2, 6, 3).half(), 2, weight=lib.ones(6),
                                             bias=lib.ones(6).half()),
    lambda lib: lib.nn.GroupNorm(4, 6),
    lambda lib: lib.nn.GroupNorm(2, 6)(lib.randn(2, 4, 3)),
]


@pytest.mark.parametrize("fn", GN_ERRORS)
def test_group_norm_errors(fn):
    _raised(fn)


@pytest.mark.parametrize("shape, groups", [((3, 4, 2), 2), ((2, 6), 3), ((2, 4, 2, 2), 1)])
@pytest.mark.parametrize("affine", [True, False])
def test_group_norm_gradcheck(shape, groups, affine):
    F = autogradviz.nn.functional
    x = _t(shape, 0)
    params = (_t(shape[1], 1), _t(shape[1], 2)) if affine else ()

    def fn(x, *wb):
        return F.group_norm(x, groups, *wb, eps=1e-3)

    assert gradcheck(fn, (x, *params))
    assert gradgradcheck(fn, (x, *params))


def test_group_norm_double_backward_matches_torch():
    x, w, b = _arr((3, 4, 2), 0, "float64"), _arr(4, 1, "float64"), _arr(4, 2, "float64")
    res = []
    for lib in LIBS:
        xt, wt, bt = (lib.tensor(a, requires_grad=True) for a in (x, w, b))
        y = lib.nn.functional.group_norm(xt, 2, wt, bt)
        gx, gw = lib.autograd.grad((y ** 3).sum(), (xt, wt), create_graph=True)
        (gx.sin().sum() + (gw * gw).sum()).backward()
        res.append((gx, gw, xt.grad, wt.grad))
    for ours, theirs in zip(res[1], res[0], strict=True):
        _close(ours, theirs, scaled=True, rtol64=1e-10)


# ---------------------------------------------------------------------- PReLU
@pytest.mark.parametrize("shape, num_parameters", [((2, 3, 4), 1), ((2, 3, 4), 3), ((5, 4), 4),
                                                   ((2, 2, 3, 3), 2), ((6,), 1), ((1,), 1),
                                                   ((), 1), ((3, 1), 1)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_prelu_layer_matches_torch(shape, num_parameters, dtype):
    """Outputs bit for bit (one product per element); gradients, nodes and the weight's view."""
    x = _arr(shape, 0, dtype)
    g = _arr(shape, 1, dtype)
    res = []
    for lib in LIBS:
        torch.manual_seed(0)
        m = lib.nn.PReLU(num_parameters, init=0.3, dtype=getattr(lib, dtype))
        with lib.no_grad():
            m.weight.copy_(lib.tensor(_arr(num_parameters, 2, dtype)))
        xt = lib.tensor(x, requires_grad=True)
        y = m(xt)
        graph = _graph(y.grad_fn)
        y.backward(lib.tensor(g))
        res.append((y, xt.grad, m.weight.grad, graph))
    (y0, gx0, gw0, graph0), (y1, gx1, gw1, graph1) = res
    _same(y1, y0)
    _same(gx1, gx0)
    _close(gw1, gw0, scaled=True)
    assert graph1 == graph0


def test_prelu_init_repr_state():
    _reprs_and_state(lambda nn: nn.PReLU())
    _reprs_and_state(lambda nn: nn.PReLU(num_parameters=4, init=0.1))
    _reprs_and_state(lambda nn: nn.Sequential(nn.Linear(2, 3), nn.PReLU(3)))
    for lib in LIBS:
        m = lib.nn.PReLU(2, dtype=lib.float64)
        assert m.weight.dtype == lib.float64 and m.init == 0.25 and m.num_parameters == 2


def test_functional_prelu_and_grad_modes():
    x, w = _arr((3, 2), 0), _arr(2, 1)
    res = []
    for lib in LIBS:
        xt, wt = lib.tensor(x), lib.tensor(w, requires_grad=True)
        y = lib.nn.functional.prelu(xt, wt)  # only the weight requires grad
        graph = _graph(y.grad_fn)
        y.sum().backward()
        with lib.no_grad():
            assert lib.nn.functional.prelu(xt, wt).grad_fn is None
        res.append((y, wt.grad, graph))
    assert res[1][2] == res[0][2]
    _same(res[1][0], res[0][0])
    _close(res[1][1], res[0][1])


PRELU_ERRORS = [
    lambda lib: lib.nn.functional.prelu(lib.randn(2, 6, 3), lib.ones(4)),
    lambda lib: lib.nn.functional.prelu(lib.randn(2, 6, 3), lib.ones(2, 3)),
    lambda lib: lib.nn.functional.prelu(lib.randn(2, 6, 3), 0.25),
    lambda lib: lib.nn.functional.prelu(lib.ones(2, 6, 3, dtype=lib.long),
                                        lib.ones(1, dtype=lib.long)),
    lambda lib: lib.nn.functional.prelu(lib.randn(2, 6, 3), lib.ones(1, dtype=lib.float64)),
    lambda lib: lib.nn.functional.prelu(lib.tensor(2.0), lib.ones(2)),
    lambda lib: lib.nn.PReLU(3)(lib.randn(2, 4)),
    lambda lib: lib.randn(2, 4).prelu(0.25),
    lambda lib: lib.randn(2, 4).prelu(lib.ones(3)),
]


@pytest.mark.parametrize("fn", PRELU_ERRORS)
def test_prelu_errors(fn):
    _raised(fn)


@pytest.mark.parametrize("shape, n", [((3, 2, 2), 2), ((4, 3), 1), ((5,), 1)])
def test_prelu_gradcheck(shape, n):
    F = autogradviz.nn.functional
    # Values away from 0, where the function has a kink.
    x = autogradviz.tensor(_arr(shape, 0, "float64") + np.sign(_arr(shape, 0, "float64")) * 0.1,
                           requires_grad=True)
    w = _t(n, 1)
    assert gradcheck(F.prelu, (x, w))
    assert gradgradcheck(F.prelu, (x, w))


@pytest.mark.parametrize("weight_grad", [True, False])
def test_prelu_double_backward_matches_torch(weight_grad):
    """create_graph=True records PreluKernelBackwardBackward0 (one node for both gradients, its
    second output summed to the weight's shape) with PyTorch's saved values; second-order
    values agree, exact zeros in the input included (PyTorch's formulas count 0 as positive
    there). Two PReLUs in one graph each get their own node."""
    x, w = _arr((3, 2, 2), 0, "float64"), _arr(2, 1, "float64")
    x[0, 0] = 0.0
    res = []
    for lib in LIBS:
        xt, wt = lib.tensor(x, requires_grad=True), lib.tensor(w, requires_grad=weight_grad)
        w2 = lib.tensor(_arr(1, 3, "float64"), requires_grad=True)
        y = lib.nn.functional.prelu(lib.nn.functional.prelu(xt, wt) * 1.5, w2)
        wanted = (xt, wt, w2) if weight_grad else (xt, w2)
        grads = lib.autograd.grad((y ** 3).sum(), wanted, create_graph=True)
        graphs = [_graph(g.grad_fn) for g in grads]
        sum(g.sin().sum() for g in grads).backward()
        res.append((graphs, *grads, xt.grad, w2.grad, wt.grad))
    assert res[1][0] == res[0][0]
    for ours, theirs in zip(res[1][1:], res[0][1:], strict=True):
        if theirs is None:
            assert ours is None
        else:
            _close(ours, theirs, scaled=True)


# ---------------------------------------------------------------------- RMSNorm
@pytest.mark.parametrize("shape, normalized", [((4, 7), (7,)), ((2, 3, 5), (3, 5)), ((6,), [6]),
                                               ((3, 300), (300,)), ((2, 5, 64), (5, 64))])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("settings", [{}, {"eps": 1e-3}, {"elementwise_affine": False}])
def test_rmsnorm_layer_matches_torch(shape, normalized, dtype, settings):
    """PyTorch's composite graph (same nodes and saved values); values bit for bit, as the
    operations (pow, mean, add, rsqrt, mul) are autogradviz's PyTorch-identical ones."""
    x = _arr(shape, 0, dtype, scale=3.0, shift=0.5)
    g = _arr(shape, 1, dtype)
    res = []
    for lib in LIBS:
        m = lib.nn.RMSNorm(normalized, dtype=getattr(lib, dtype), **settings)
        if m.weight is not None:
            with lib.no_grad():
                m.weight.copy_(lib.tensor(_arr(m.weight.shape, 2, dtype)))
        xt = lib.tensor(x, requires_grad=True)
        y = m(xt)
        graph = _graph(y.grad_fn)
        y.backward(lib.tensor(g))
        res.append((y, xt.grad, None if m.weight is None else m.weight.grad, graph))
    (y0, gx0, gw0, graph0), (y1, gx1, gw1, graph1) = res
    assert graph1 == graph0
    _same(y1, y0)
    _close(gx1, gx0, scaled=True)
    assert (gw0 is None) == (gw1 is None)
    if gw0 is not None:
        _close(gw1, gw0, scaled=True)


def test_rms_norm_half_and_mixed_dtypes():
    """float16 is computed in float32 and cast back (ToCopyBackward0 at both ends); a float64
    weight on a float32 input promotes, then the result is cast to the input's dtype."""
    x = _arr((3, 4), 0)
    res = []
    for lib in LIBS:
        xh = lib.tensor(x.astype("float16"), requires_grad=True)
        wh = lib.tensor(_arr(4, 1, "float16"), requires_grad=True)
        y = lib.nn.functional.rms_norm(xh, (4,), wh)
        xf = lib.tensor(x, requires_grad=True)
        wd = lib.tensor(_arr(4, 1, "float64"), requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # PyTorch's "Cannot dispatch to fused" warning
            z = lib.nn.functional.rms_norm(xf, (4,), wd)
        res.append((y, _graph(y.grad_fn), z, _graph(z.grad_fn)))
    (y0, gy0, z0, gz0), (y1, gy1, z1, gz1) = res
    assert gy1 == gy0 and gz1 == gz0
    _close(y1, y0, rtol32=1e-3)
    _same(z1, z0)


_RMS_WARNING_PROGRAM = """
import sys, warnings
lib = __import__(sys.argv[1])
F = lib.nn.functional
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    F.rms_norm(lib.ones(2, 3, dtype=lib.float64), (3,), weight=lib.ones(3))
    F.rms_norm(lib.ones(2, 3), (3,), weight=lib.ones(3, dtype=lib.float64))
    print(repr([(w.category.__name__, str(w.message)) for w in caught]))
"""


def test_rms_norm_dtype_mismatch_warns_once_per_process():
    """PyTorch's TORCH_WARN_ONCE: the first input/weight dtype mismatch of a process warns."""
    import subprocess
    import sys

    outs = [subprocess.run([sys.executable, "-c", _RMS_WARNING_PROGRAM, lib.__name__],
                           capture_output=True, text=True, check=True).stdout
            for lib in LIBS]
    assert outs[1] == outs[0]
    assert "Mismatch dtype between input and weight" in outs[0]


def test_rmsnorm_reprs_and_state():
    _reprs_and_state(lambda nn: nn.RMSNorm(4))
    _reprs_and_state(lambda nn: nn.RMSNorm([3, 4], eps=1e-6, elementwise_affine=False))
    _reprs_and_state(lambda nn: nn.Sequential(nn.Linear(2, 4), nn.RMSNorm((4,))))


RMS_ERRORS = [
    lambda lib: lib.nn.functional.rms_norm(lib.randn(2, 3), (4,)),
    lambda lib: lib.nn.functional.rms_norm(lib.randn(2, 3), (2, 4)),
    lambda lib: lib.nn.functional.rms_norm(lib.randn(2, 3), (2, 3, 4)),
    lambda lib: lib.nn.functional.rms_norm(lib.randn(2, 3), (3,), weight=lib.ones(4)),
    lambda lib: lib.nn.functional.rms_norm(lib.randn(2, 3), (3,), weight=lib.ones(2, 3)),
    lambda lib: lib.nn.functional.rms_norm(lib.randn(2, 3), 3),
    lambda lib: lib.nn.functional.rms_norm(lib.randn(2, 3), []),
    lambda lib: lib.nn.functional.rms_norm(lib.ones(2, 3, dtype=lib.long), (3,)),
    lambda lib: lib.nn.RMSNorm(4)(lib.randn(2, 3)),
]


@pytest.mark.parametrize("fn", RMS_ERRORS)
def test_rms_norm_errors(fn):
    _raised(fn)


@pytest.mark.parametrize("shape, normalized", [((4, 5), (5,)), ((2, 3, 4), (3, 4))])
@pytest.mark.parametrize("affine", [True, False])
def test_rms_norm_gradcheck(shape, normalized, affine):
    F = autogradviz.nn.functional
    x = _t(shape, 0)
    params = (_t(normalized, 1),) if affine else ()

    def fn(x, *w):
        return F.rms_norm(x, normalized, *w, eps=1e-3)

    assert gradcheck(fn, (x, *params))
    assert gradgradcheck(fn, (x, *params))


# ---------------------------------------------------------------------- InstanceNorm
def _in_cls(lib, shape):
    return {4: lib.nn.InstanceNorm2d, 5: lib.nn.InstanceNorm3d}.get(len(shape),
                                                                    lib.nn.InstanceNorm1d)


@pytest.mark.parametrize("shape", [(2, 3, 5), (4, 2, 7), (2, 3, 4, 4), (1, 4, 3, 5), (3, 6),
                                   (2, 3, 2, 3, 2)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("settings", [
    {}, {"affine": True}, {"affine": True, "bias": False}, {"track_running_stats": True},
    {"affine": True, "track_running_stats": True, "momentum": 0.3, "eps": 1e-3},
    {"track_running_stats": True, "momentum": None},
])
def test_instancenorm_layer_matches_torch(shape, dtype, settings):
    """Training steps (float32 outputs bit for bit: batch norm's kernel on the (1, N*C, *)
    view; the graph; running statistics, their versions; gradients), then eval mode."""
    channels = shape[1] if len(shape) > 2 else shape[0]
    mods = []
    for lib in LIBS:
        m = _in_cls(lib, shape)(channels, dtype=getattr(lib, dtype), **settings)
        if m.weight is not None:
            with lib.no_grad():
                m.weight.copy_(lib.tensor(_arr(channels, 2, dtype)))
                if m.bias is not None:
                    m.bias.copy_(lib.tensor(_arr(channels, 3, dtype)))
        mods.append(m)
    for step in range(3):
        if step == 2:
            for m in mods:
                m.eval()
        x = _arr(shape, step, dtype, scale=1 + step, shift=step - 0.5)
        g = _arr(shape, 10 + step, dtype)
        res = []
        for lib, m in zip(LIBS, mods, strict=True):
            xt = lib.tensor(x, requires_grad=True)
            y = m(xt)
            graph = _graph(y.grad_fn)
            y.backward(lib.tensor(g))
            res.append((y, xt.grad, graph))
        (y0, gx0, graph0), (y1, gx1, graph1) = res
        assert graph1 == graph0
        if dtype == "float32":
            _same(y1, y0)
        else:  # batch norm's float64 statistics may differ in the last bit
            _close(y1, y0, rtol64=1e-14)
        _close(gx1, gx0, scaled=True)
        for name in ("running_mean", "running_var", "num_batches_tracked"):
            theirs, ours = getattr(mods[0], name), getattr(mods[1], name)
            assert (theirs is None) == (ours is None)
            if theirs is not None:
                _close(ours, theirs)
                assert ours._version == theirs._version
        for name in ("weight", "bias"):
            theirs, ours = getattr(mods[0], name), getattr(mods[1], name)
            assert (theirs is None) == (ours is None)
            if theirs is not None:
                _close(ours.grad, theirs.grad, scaled=True)


@pytest.mark.parametrize("use_input_stats", [True, False])
def test_functional_instance_norm(use_input_stats):
    x, w, b = _arr((3, 2, 6), 0), _arr(2, 1), _arr(2, 2)
    rm, rv = _arr(2, 3), np.abs(_arr(2, 4)) + 0.5
    res = []
    for lib in LIBS:
        xt, wt, bt = (lib.tensor(a, requires_grad=True) for a in (x, w, b))
        rmt, rvt = lib.tensor(rm), lib.tensor(rv)
        y = lib.nn.functional.instance_norm(xt, rmt, rvt, wt, bt, use_input_stats, 0.2, 1e-4)
        node = _graph(y.grad_fn)
        (y * y).sum().backward()
        res.append((y, xt.grad, wt.grad, bt.grad, rmt, rvt, node))
    assert res[1][6] == res[0][6]
    for ours, theirs in zip(res[1][:6], res[0][:6], strict=True):
        _close(ours, theirs, scaled=True)


@pytest.mark.parametrize("make", [
    lambda nn: nn.InstanceNorm1d(3),
    lambda nn: nn.InstanceNorm2d(3, affine=True),
    lambda nn: nn.InstanceNorm2d(4, eps=1e-3, momentum=None, track_running_stats=True),
    lambda nn: nn.InstanceNorm1d(2, affine=True, bias=False, track_running_stats=True),
])
def test_instance_norm_reprs_and_state(make):
    _reprs_and_state(make)
    torch.manual_seed(0)
    assert make(autogradviz.nn).state_dict()._metadata == make(torch.nn).state_dict()._metadata


def test_instance_norm_feature_warning():
    caught = []
    for lib in LIBS:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            y = lib.nn.InstanceNorm1d(3)(lib.tensor(_arr((2, 4, 5), 0)))
        caught.append(([str(m.message) for m in w], y))
    assert caught[1][0] == caught[0][0] and len(caught[0][0]) == 1
    _same(caught[1][1], caught[0][1])


IN_ERRORS = [
    lambda lib: lib.nn.InstanceNorm1d(3)(lib.randn(2, 3, 1)),
    lambda lib: lib.nn.InstanceNorm1d(3)(lib.randn(2, 3, 4, 4)),
    lambda lib: lib.nn.InstanceNorm2d(3)(lib.randn(2, 3)),
    lambda lib: lib.nn.InstanceNorm2d(3)(lib.randn(2, 3, 1, 1)),
    lambda lib: lib.nn.InstanceNorm3d(3)(lib.randn(2, 3, 4)),
    lambda lib: lib.nn.InstanceNorm1d(3, affine=True)(lib.randn(2, 4, 5)),
    lambda lib: lib.nn.functional.instance_norm(lib.randn(2, 3, 5), lib.zeros(3), None),
    lambda lib: lib.nn.functional.instance_norm(lib.randn(2, 3, 5), use_input_stats=False),
    lambda lib: lib.nn.functional.instance_norm(lib.randn(2, 3, 5), weight=lib.ones(4)),
    lambda lib: lib.nn.functional.instance_norm(lib.ones(2, 3, 5, dtype=lib.long)),
]


@pytest.mark.parametrize("fn", IN_ERRORS)
def test_instance_norm_errors(fn):
    _raised(fn)


@pytest.mark.parametrize("shape", [(2, 3, 4), (2, 2, 2, 3)])
@pytest.mark.parametrize("affine", [True, False])
def test_instance_norm_gradcheck(shape, affine):
    F = autogradviz.nn.functional
    x = _t(shape, 0)
    params = (_t(shape[1], 1), _t(shape[1], 2)) if affine else (None, None)

    def fn(x, *wb):
        return F.instance_norm(x, None, None, *wb, eps=1e-3)

    args = (x, *params) if affine else (x,)
    assert gradcheck(fn, args)
    assert gradgradcheck(fn, args)


# ---------------------------------------------------------------------- LocalResponseNorm
@pytest.mark.parametrize("shape", [(2, 5, 7), (2, 5, 3, 4), (2, 5, 3, 4, 2), (1, 3, 4)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("settings", [{"size": 2}, {"size": 3, "alpha": 1e-2, "beta": 0.5,
                                                    "k": 2.0}, {"size": 1}, {"size": 7}])
def test_local_response_norm_matches_torch(shape, dtype, settings):
    """PyTorch's composite graph with its saved values (avg_pool3d's node for 4-d and larger
    inputs); float32 outputs and gradients bit for bit with beta 0.75. autogradviz's ``pow``
    differs from PyTorch's in the last bit for float32 ``pow(x, 0.5)`` and for some float64
    exponents, so those compare to rtol 1e-6 (float32) and 1e-14 (float64)."""
    x = _arr(shape, 0, dtype, scale=3.0)
    g = _arr(shape, 1, dtype)
    res = []
    for lib in LIBS:
        xt = lib.tensor(x, requires_grad=True)
        y = lib.nn.LocalResponseNorm(**settings)(xt)
        graph = _graph(y.grad_fn)
        y.backward(lib.tensor(g))
        res.append((y, xt.grad, graph))
    (y0, gx0, graph0), (y1, gx1, graph1) = res
    if dtype == "float32" and settings.get("beta", 0.75) == 0.75:
        assert graph1 == graph0
        _same(y1, y0)
        _same(gx1, gx0)
    else:  # saved tensors compared by shape and dtype (their rounded values may straddle)
        assert _structure(graph1) == _structure(graph0)
        _close(y1, y0, rtol32=1e-6, rtol64=1e-14)
        _close(gx1, gx0, scaled=True, rtol32=1e-6, rtol64=1e-14)


def test_local_response_norm_repr_empty_and_errors():
    _reprs_and_state(lambda nn: nn.LocalResponseNorm(2))
    _reprs_and_state(lambda nn: nn.LocalResponseNorm(3, alpha=1e-3, beta=0.5, k=2))
    for lib in LIBS:
        x = lib.randn(0, 3, 4)
        assert lib.nn.functional.local_response_norm(x, 2) is x
    _raised(lambda lib: lib.nn.LocalResponseNorm(2)(lib.randn(2, 3)))


@pytest.mark.parametrize("shape", [(2, 4, 3), (1, 4, 2, 3)])
def test_local_response_norm_gradcheck(shape):
    F = autogradviz.nn.functional
    x = _t(shape, 0)

    def fn(x):
        return F.local_response_norm(x, 3, alpha=0.5, beta=0.75, k=1.5)

    assert gradcheck(fn, (x,))
    if len(shape) > 3:  # (avg_pool2d's backward, used for 3-d inputs, is first order only)
        assert gradgradcheck(fn, (x,))


# ---------------------------------------------------------------------- top-level functions
def test_top_level_functions_match_torch():
    """torch.group_norm / torch.instance_norm take ATen's arguments (without F.'s Python
    checks); torch.rms_norm and torch.prelu are F.'s; Tensor.prelu is the method."""
    x, w, b = _arr((2, 4, 3), 0), _arr(4, 1), _arr(4, 2)
    res = []
    for lib in LIBS:
        xt, wt, bt = (lib.tensor(a, requires_grad=True) for a in (x, w, b))
        outs = [lib.group_norm(xt, 2, wt, bt, 1e-3, False), lib.group_norm(xt[:1, :2, :1], 2),
                lib.instance_norm(xt, wt, bt, None, None, True, 0.1, 1e-5, False),
                lib.rms_norm(xt, [3], None, 1e-4), lib.prelu(xt, wt), xt.prelu(wt)]
        res.append([(y, _graph(y.grad_fn)) for y in outs])
    for (y1, g1), (y0, g0) in zip(res[1], res[0], strict=True):
        _same(y1, y0)
        assert g1 == g0

