"""Normalisation (``F.batch_norm``, ``F.layer_norm``, ``nn.BatchNorm1d``, ``nn.BatchNorm2d``,
``nn.LayerNorm``) against real PyTorch: outputs, running statistics over several steps,
gradients, backward nodes and their saved values, reprs, state_dict, train/eval switching,
error messages; float64 gradchecks and double backward.

float32 values are compared to rtol 1e-5, atol 1e-6 (gradients summed over a batch: atol 1e-6
times the largest magnitude), float64 to rtol 1e-12: PyTorch's kernels sum in their own order.
"""

import os

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


def _close(ours, theirs, scaled=False, rtol64=1e-12):
    o, t = _np(ours), _np(theirs)
    assert o.shape == t.shape and o.dtype == t.dtype, (o.shape, t.shape, o.dtype, t.dtype)
    if o.dtype.kind != "f":
        np.testing.assert_array_equal(o, t)
    elif o.dtype == np.float32:
        scale = max(1.0, float(np.abs(t).max(initial=0))) if scaled else 1.0
        np.testing.assert_allclose(o, t, rtol=1e-5, atol=1e-6 * scale)
    else:
        scale = max(1.0, float(np.abs(t).max(initial=0))) if scaled else 1.0
        np.testing.assert_allclose(o, t, rtol=rtol64, atol=rtol64 * 0.1 * scale)


def _bn_cls(lib, shape):
    return lib.nn.BatchNorm2d if len(shape) == 4 else lib.nn.BatchNorm1d


# ---------------------------------------------------------------------- BatchNorm layers
@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 5), (2, 4, 5, 6), (3, 16, 4, 4)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("settings", [
    {},
    {"momentum": 0.3, "eps": 1e-3},
    {"momentum": None},
    {"affine": False},
    {"bias": False},
    {"track_running_stats": False},
    {"affine": False, "track_running_stats": False, "eps": 0.1},
])
def test_batchnorm_layer_matches_torch(shape, dtype, settings):
    """Several training steps (outputs, running statistics, counts, accumulated gradients),
    then eval mode (running statistics used) and back."""
    mods, xs = [], []
    for lib in LIBS:
        mods.append(_bn_cls(lib, shape)(shape[1], dtype=getattr(lib, dtype), **settings))
    grads = {}
    for step in range(3):
        x = _arr(shape, step, dtype, scale=1 + step, shift=step - 0.5)
        g = _arr(shape, 10 + step, dtype)
        outs = []
        xs = []
        for lib, m in zip(LIBS, mods, strict=True):
            xt = lib.tensor(x, requires_grad=True)
            y = m(xt)
            y.backward(lib.tensor(g))
            outs.append(y)
            xs.append(xt)
        _close(outs[1], outs[0])
        _close(xs[1].grad, xs[0].grad, scaled=True)
        for name in ("running_mean", "running_var", "num_batches_tracked"):
            theirs, ours = getattr(mods[0], name), getattr(mods[1], name)
            assert (theirs is None) == (ours is None)
            if theirs is not None:
                _close(ours, theirs)
        for name in ("weight", "bias"):
            theirs, ours = getattr(mods[0], name), getattr(mods[1], name)
            assert (theirs is None) == (ours is None)
            if theirs is not None:
                _close(ours.grad, theirs.grad, scaled=True)
        grads[step] = xs
    for m in mods:
        m.eval()
    x = _arr(shape, 7, dtype, scale=2.0)
    g = _arr(shape, 8, dtype)
    outs = []
    for lib, m in zip(LIBS, mods, strict=True):
        m.zero_grad()
        xt = lib.tensor(x, requires_grad=True)
        y = m(xt)
        y.backward(lib.tensor(g))
        outs.append((y, xt.grad, m.weight, m.bias))
        assert not m.training
    for ours, theirs in zip(outs[1], outs[0], strict=True):
        if theirs is None:
            assert ours is None
        elif isinstance(theirs, torch.nn.Parameter):
            _close(ours.grad, theirs.grad, scaled=True)
        else:
            _close(ours, theirs, scaled=True)
    if mods[0].num_batches_tracked is not None:
        assert int(mods[1].num_batches_tracked) == int(mods[0].num_batches_tracked) == 3
    for m in mods:
        m.train()
        assert m.training


@pytest.mark.parametrize("training, with_stats", [(True, True), (True, False), (False, True)])
@pytest.mark.parametrize("affine", [True, False])
def test_functional_batch_norm(training, with_stats, affine):
    shape = (5, 3, 4)
    x, w, b = _arr(shape, 0), _arr(3, 1), _arr(3, 2)
    rm, rv = _arr(3, 3), np.abs(_arr(3, 4)) + 0.5
    res = []
    for lib in LIBS:
        xt = lib.tensor(x, requires_grad=True)
        wt = lib.tensor(w, requires_grad=True) if affine else None
        bt = lib.tensor(b, requires_grad=True) if affine else None
        rmt = lib.tensor(rm) if with_stats else None
        rvt = lib.tensor(rv) if with_stats else None
        y = lib.nn.functional.batch_norm(xt, rmt, rvt, wt, bt, training=training,
                                         momentum=0.2, eps=1e-4)
        (y * y).sum().backward()
        res.append((y, xt.grad, rmt, rvt, wt if wt is None else wt.grad,
                    bt if bt is None else bt.grad))
    for ours, theirs in zip(res[1], res[0], strict=True):
        if theirs is None:
            assert ours is None
        else:
            _close(ours, theirs, scaled=True)


@pytest.mark.parametrize("shape", [(1, 4, 4), (3, 4, 5), (2, 3, 4, 5), (4, 2, 40)])
@pytest.mark.parametrize("dtype, training", [("float32", True), ("float32", False),
                                             ("float64", False)])
def test_batch_norm_output_is_bit_identical(shape, dtype, training):
    """With spatial dims the kernel's output is ``fma(x, alpha, fma(-mean, alpha, bias))``: the
    same bits (the intro tutorial prints the mean of its normalised output, about 1e-8). (float64
    batch statistics may still differ in the last bit.)"""
    c = shape[1]
    x = _arr(shape, 5, dtype, scale=20.0, shift=15.0)
    w, b = _arr(c, 6, dtype), _arr(c, 7, dtype)
    rm, rv = _arr(c, 8, dtype), np.abs(_arr(c, 9, dtype)) + 0.5
    outs = [lib.nn.functional.batch_norm(lib.tensor(x), lib.tensor(rm), lib.tensor(rv),
                                         lib.tensor(w), lib.tensor(b), training=training)
            for lib in LIBS]
    np.testing.assert_array_equal(_np(outs[1]), _np(outs[0]))
    means = [lib.nn.BatchNorm1d(4)(lib.tensor(_arr((1, 4, 4), 0, "float32", 20.0, 15.0))).mean()
             for lib in LIBS]
    assert repr(means[1]) == repr(means[0])


# ---------------------------------------------------------------------- LayerNorm
@pytest.mark.parametrize("shape, normalized", [
    ((4, 10), (10,)), ((2, 3, 5), (5,)), ((2, 3, 5), (3, 5)), ((2, 3, 4, 5), (4, 5)),
    ((7,), (7,)), ((3, 64), [64]),
])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("settings", [
    {}, {"eps": 1e-2}, {"elementwise_affine": False}, {"bias": False},
])
def test_layernorm_layer_matches_torch(shape, normalized, dtype, settings):
    x = _arr(shape, 0, dtype, scale=3.0, shift=1.0)
    g = _arr(shape, 1, dtype)
    res = []
    for lib in LIBS:
        m = lib.nn.LayerNorm(normalized, dtype=getattr(lib, dtype), **settings)
        if m.weight is not None:  # weights other than ones, so that their gradients matter
            with lib.no_grad():
                m.weight.copy_(lib.tensor(_arr(m.weight.shape, 2, dtype)))
                if m.bias is not None:
                    m.bias.copy_(lib.tensor(_arr(m.bias.shape, 3, dtype)))
        xt = lib.tensor(x, requires_grad=True)
        y = m(xt)
        y.backward(lib.tensor(g))
        res.append((y, xt.grad, m.weight, m.bias))
    for ours, theirs in zip(res[1], res[0], strict=True):
        if theirs is None:
            assert ours is None
        elif isinstance(theirs, torch.nn.Parameter):
            _close(ours, theirs)
            _close(ours.grad, theirs.grad, scaled=True)
        else:
            _close(ours, theirs, scaled=True)


def test_functional_layer_norm_weight_only():
    x, w = _arr((3, 4), 0), _arr(4, 1)
    res = []
    for lib in LIBS:
        xt, wt = lib.tensor(x, requires_grad=True), lib.tensor(w, requires_grad=True)
        y = lib.nn.functional.layer_norm(xt, (4,), weight=wt, eps=1e-3)
        y.sum().backward()  # the sum of a normalised row's gradient is ~0: scaled
        res.append((y, xt.grad, wt.grad))
    for ours, theirs in zip(res[1], res[0], strict=True):
        _close(ours, theirs, scaled=True)


# ---------------------------------------------------------------------- nodes
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


@pytest.mark.parametrize("case", ["bn_train", "bn_eval", "bn_plain", "bn_input_only",
                                  "ln", "ln_plain", "ln_input_only"])
def test_nodes_match_torch(case):
    x = _arr((4, 3), 0)
    nodes = []
    for lib in LIBS:
        xt = lib.tensor(x, requires_grad=True)
        if case.startswith("bn"):
            m = lib.nn.BatchNorm1d(3, affine=case != "bn_input_only",
                                   track_running_stats=case != "bn_plain")
            if case == "bn_eval":
                m.eval()
            y = m(xt)
        elif case == "ln_input_only":
            xt = lib.tensor(x, requires_grad=True)
            y = lib.nn.functional.layer_norm(xt, [3])
        else:
            y = lib.nn.LayerNorm(3, elementwise_affine=case == "ln")(xt)
        nodes.append(y.grad_fn)
    theirs, ours = nodes
    assert ours.name() == theirs.name()
    assert type(ours).__name__ == type(theirs).__name__
    assert _edges(ours) == _edges(theirs)
    assert _saved(ours) == _saved(theirs)


def test_no_node_without_grad():
    for lib in LIBS:
        x = lib.tensor(_arr((4, 3), 0))
        assert lib.nn.BatchNorm1d(3, affine=False)(x).grad_fn is None
        assert lib.nn.functional.layer_norm(x, (3,)).grad_fn is None
        with lib.no_grad():
            assert lib.nn.BatchNorm1d(3)(x).grad_fn is None
            assert lib.nn.LayerNorm(3)(x).grad_fn is None


def test_running_stats_not_version_bumped():
    """The kernel writes the running statistics in place without a version bump (so the
    node's saved running_mean stays usable); num_batches_tracked is add_(1)-ed."""
    versions = []
    for lib in LIBS:
        m = lib.nn.BatchNorm1d(3)
        x = lib.tensor(_arr((4, 3), 0), requires_grad=True)
        m(x).sum().backward()
        m(x).sum().backward()
        versions.append([getattr(m, n)._version
                         for n in ("running_mean", "running_var", "num_batches_tracked")])
    assert versions[1] == versions[0]


# ---------------------------------------------------------------------- reprs, state
@pytest.mark.parametrize("make", [
    lambda nn: nn.BatchNorm2d(16),
    lambda nn: nn.BatchNorm1d(4, eps=1e-3, momentum=None),
    lambda nn: nn.BatchNorm1d(4, affine=False, track_running_stats=False),
    lambda nn: nn.BatchNorm2d(2, bias=False),
    lambda nn: nn.LayerNorm(10),
    lambda nn: nn.LayerNorm([3, 4], eps=1e-6, elementwise_affine=False),
    lambda nn: nn.LayerNorm((5,), bias=False),
    lambda nn: nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.LayerNorm(4)),
])
def test_reprs_and_state(make):
    torch.manual_seed(0)
    autogradviz.manual_seed(0)
    theirs, ours = make(torch.nn), make(autogradviz.nn)
    assert repr(ours) == repr(theirs)
    st, so = theirs.state_dict(), ours.state_dict()
    assert list(so) == list(st)
    for k in st:
        _close(so[k], st[k])
        assert str(so[k].dtype) == str(st[k].dtype)
    assert so._metadata == st._metadata
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]


def test_load_state_dict_and_train_eval():
    """A trained torch BatchNorm's state loads into ours; eval outputs then agree."""
    x = _arr((6, 3, 2, 2), 0, scale=2.0)
    t = torch.nn.BatchNorm2d(3)
    for _ in range(2):
        t(torch.tensor(x))
    ours = autogradviz.nn.BatchNorm2d(3)
    ours.load_state_dict({k: autogradviz.tensor(v.numpy()) for k, v in t.state_dict().items()})
    assert int(ours.num_batches_tracked) == 2
    assert ours.num_batches_tracked.dtype == autogradviz.int64
    t.eval()
    ours.eval()
    _close(ours(autogradviz.tensor(x)), t(torch.tensor(x)))
    seq = autogradviz.nn.Sequential(autogradviz.nn.BatchNorm1d(2), autogradviz.nn.LayerNorm(2))
    seq.eval()
    assert not seq[0].training and not seq[1].training
    seq.train()
    assert seq[0].training and seq[1].training


# ---------------------------------------------------------------------- errors
ERRORS = [
    lambda lib: lib.nn.BatchNorm1d(4)(lib.randn(1, 4)),
    lambda lib: lib.nn.BatchNorm2d(4)(lib.randn(1, 4, 1, 1)),
    lambda lib: lib.nn.BatchNorm1d(4)(lib.randn(2, 3)),
    lambda lib: lib.nn.BatchNorm1d(4)(lib.randn(2, 4, 2, 2)),
    lambda lib: lib.nn.BatchNorm2d(4)(lib.randn(2, 4)),
    lambda lib: lib.nn.functional.batch_norm(lib.randn(4, 3), None, None, training=False),
    lambda lib: lib.nn.functional.batch_norm(lib.randn(4, 3), lib.zeros(3), None,
                                             training=True),
    lambda lib: lib.nn.functional.batch_norm(lib.randn(4, 3), lib.zeros(3), lib.ones(3),
                                             weight=lib.ones(4), training=True),
    lambda lib: lib.nn.functional.batch_norm(lib.randn(4, 3), lib.zeros(3), lib.ones(3),
                                             bias=lib.ones(2), training=False),
    lambda lib: lib.nn.functional.batch_norm(lib.randn(4, 3), lib.zeros(3), lib.ones(3),
                                             training=True, eps=0),
    lambda lib: lib.nn.functional.batch_norm(lib.randn(4, 3), lib.zeros(3), lib.ones(3),
                                             eps=-1.0),
    lambda lib: lib.nn.functional.batch_norm(lib.ones(4, 3, dtype=lib.long), None, None,
                                             training=True),
    lambda lib: lib.nn.LayerNorm(4)(lib.randn(2, 3)),
    lambda lib: lib.nn.LayerNorm([2, 4])(lib.randn(2, 3)),
    lambda lib: lib.nn.functional.layer_norm(lib.randn(2, 3), (3,), weight=lib.ones(4)),
    lambda lib: lib.nn.functional.layer_norm(lib.randn(2, 3), (3,), bias=lib.ones(2, 3)),
    lambda lib: lib.nn.functional.layer_norm(lib.randn(2, 3), 3),
    lambda lib: lib.nn.functional.layer_norm(lib.ones(2, 3, dtype=lib.int32), (3,)),
]


@pytest.mark.parametrize("fn", ERRORS)
def test_errors(fn):
    caught = []
    for lib in LIBS:
        with pytest.raises(Exception) as info:
            fn(lib)
        caught.append(info.value)
    theirs, ours = caught
    assert type(ours) is type(theirs)
    assert str(ours) == str(theirs)


def test_single_value_message():
    with pytest.raises(ValueError) as info:
        autogradviz.nn.BatchNorm1d(4)(autogradviz.randn(1, 4))
    assert str(info.value) == ("Expected more than 1 value per channel when training, got "
                               "input size torch.Size([1, 4])")


# ---------------------------------------------------------------------- gradchecks
def _t(shape, seed, requires_grad=True):
    return autogradviz.tensor(_arr(shape, seed, "float64"), requires_grad=requires_grad)


@pytest.mark.parametrize("shape", [(5, 3), (3, 2, 4), (2, 3, 2, 3)])
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_gradcheck(shape, training):
    F = autogradviz.nn.functional
    x, w, b = _t(shape, 0), _t(shape[1], 1), _t(shape[1], 2)
    rv = autogradviz.tensor(np.abs(_arr(shape[1], 3, "float64")) + 0.5)
    rm = autogradviz.tensor(_arr(shape[1], 4, "float64"))

    def fn(x, w, b):
        # Fresh running statistics each call (training updates them in place).
        return F.batch_norm(x, rm.clone(), rv.clone(), w, b, training=training, eps=1e-3)

    assert gradcheck(fn, (x, w, b))
    assert gradgradcheck(fn, (x, w, b))


@pytest.mark.parametrize("shape, normalized", [((4, 5), (5,)), ((2, 3, 4), (3, 4))])
@pytest.mark.parametrize("affine", [True, False])
def test_layer_norm_gradcheck(shape, normalized, affine):
    F = autogradviz.nn.functional
    x = _t(shape, 0)
    params = (_t(normalized, 1), _t(normalized, 2)) if affine else ()

    def fn(x, *wb):
        return F.layer_norm(x, normalized, *wb, eps=1e-3)

    assert gradcheck(fn, (x, *params))
    assert gradgradcheck(fn, (x, *params))


@pytest.mark.parametrize("which", ["bn", "bn_eval", "ln"])
def test_double_backward_matches_torch(which):
    """The gradient of a gradient (create_graph=True through the node) has torch's values
    (to rtol 1e-10: our second derivative is another formula than PyTorch's
    ``NativeBatchNormBackwardBackward0``, and a 2-element layer norm cancels a lot)."""
    x, w, b = _arr((4, 3, 2), 0, "float64"), _arr(3, 1, "float64"), _arr(3, 2, "float64")
    res = []
    for lib in LIBS:
        F = lib.nn.functional
        xt, wt, bt = (lib.tensor(a, requires_grad=True) for a in (x, w, b))
        if which == "ln":
            wt = lib.tensor(_arr(2, 1, "float64"), requires_grad=True)
            bt = lib.tensor(_arr(2, 2, "float64"), requires_grad=True)
            y = F.layer_norm(xt, (2,), wt, bt)
        else:
            y = F.batch_norm(xt, lib.zeros(3, dtype=lib.float64), lib.ones(3, dtype=lib.float64),
                             wt, bt, training=which == "bn")
        gx, gw = lib.autograd.grad((y ** 3).sum(), (xt, wt), create_graph=True)
        (gx.sin().sum() + (gw * gw).sum()).backward()
        res.append((gx, gw, xt.grad, wt.grad))
    for ours, theirs in zip(res[1], res[0], strict=True):
        _close(ours, theirs, scaled=True, rtol64=1e-10)
