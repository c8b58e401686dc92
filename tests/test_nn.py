"""``autogradviz.nn`` and ``autogradviz.optim`` against real PyTorch.

Each case is one program written once against a library argument ``lib`` (``torch`` or
``autogradviz``), run on both from the same seed. A program records what a lesson would look
at: printed reprs (modules, parameters with their values, optimizers), outputs and losses,
``grad_fn`` names and the graph below them, saved values of the loss nodes, parameter
gradients after ``backward``, warnings and error messages. Text must be identical. Tensors
must have the same dtype, shape, ``requires_grad`` and ``grad_fn`` name, and values equal to
float32 rounding (rtol 1e-5): matrix products and sums may add in another order than
PyTorch's BLAS. Random draws (initialisation, dropout masks) are compared bit for bit.
"""

import os

os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")

import math
import warnings
from collections import OrderedDict

import numpy as np
import pytest
import torch

import autogradviz

LIBS = (torch, autogradviz)
RTOL = {"torch.float32": 1e-5, "torch.float64": 1e-12}


# ---------------------------------------------------------------------- observation
class Exact:
    """A tensor whose values must match bit for bit (random draws, gathers, copies)."""

    def __init__(self, tensor):
        self.tensor = tensor


def _is_tensor(x):
    return isinstance(x, torch.Tensor | autogradviz.Tensor)


def _tensor_summary(t):
    fn = t.grad_fn
    return ("tensor", type(t).__name__, str(t.dtype), tuple(t.shape), t.requires_grad,
            None if fn is None else fn.name())


def graph(t):
    """The graph below ``t`` as nested (name, children) tuples."""
    out, stack, seen = [], [(t.grad_fn, 0)], set()
    while stack:
        fn, depth = stack.pop()
        if fn is None:
            out.append((depth, None))
            continue
        out.append((depth, fn.name()))
        if id(fn) in seen:
            continue
        seen.add(id(fn))
        stack.extend((nxt, depth + 1) for nxt, _ in reversed(fn.next_functions))
    return out


def saved(fn):
    """A node's ``_saved_*`` values (tensors as Exact values, others as they are)."""
    names = sorted(n for n in dir(fn) if n.startswith("_saved_"))
    return {n: (Exact(getattr(fn, n)) if _is_tensor(getattr(fn, n)) else getattr(fn, n))
            for n in names}


def run(program, lib):
    """The program's records, or the type and message of what it raised, and its warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = program(lib)
        except Exception as e:
            result = [("raised", type(e).__name__, str(e))]
    return result, [(w.category.__name__, str(w.message)) for w in caught]


def compare(a, b, path="result"):
    """``a`` (autogradviz's record) equals ``b`` (PyTorch's)."""
    if isinstance(b, Exact):
        assert isinstance(a, Exact), path
        compare_tensor(a.tensor, b.tensor, path, exact=True)
    elif _is_tensor(b):
        compare_tensor(a, b, path)
    elif isinstance(b, dict):
        assert isinstance(a, dict) and list(a) == list(b), (path, a, b)
        for k in b:
            compare(a[k], b[k], f"{path}[{k!r}]")
    elif isinstance(b, list | tuple) and not isinstance(b, torch.Size):
        assert isinstance(a, list | tuple) and len(a) == len(b), (path, a, b)
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            compare(x, y, f"{path}[{i}]")
    elif isinstance(b, float) and isinstance(a, float):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7, err_msg=path)
    elif isinstance(b, torch.dtype):
        assert str(a) == str(b), path
    elif isinstance(b, torch.Size):
        assert tuple(a) == tuple(b), path
    else:
        assert a == b, (path, a, b)


def compare_tensor(a, b, path, exact=False):
    assert _is_tensor(a), (path, a)
    assert _tensor_summary(a) == _tensor_summary(b), path
    got, expected = a.detach().numpy(), b.detach().numpy()
    name = str(b.dtype)
    if exact or name not in RTOL:
        np.testing.assert_array_equal(got, expected, err_msg=path)
    else:
        scale = max(float(np.abs(expected).max(initial=0)), 1e-3)
        np.testing.assert_allclose(got, expected, rtol=RTOL[name], atol=RTOL[name] * scale,
                                   err_msg=path)


def assert_same(program):
    (rt, wt), (ra, wa) = run(program, torch), run(program, autogradviz)
    compare(ra, rt)
    assert wa == wt


CASES = {}


def case(*params, ids=None):
    """Register ``fn(lib, *param)`` as one case per parameter (or one case without)."""

    def register(fn):
        if not params:
            CASES[fn.__name__] = fn
        for i, p in enumerate(params):
            args = p if isinstance(p, tuple) else (p,)
            name = f"{fn.__name__}[{ids[i] if ids else '-'.join(map(str, args))}]"
            CASES[name] = (lambda f, a: lambda lib: f(lib, *a))(fn, args)
        return fn

    return register


def grads(model):
    return [(name, p.grad) for name, p in model.named_parameters()]


# ---------------------------------------------------------------------- Parameter
@case()
def parameter_basics(lib):
    p = lib.nn.Parameter(lib.tensor([[1.0, 2.0], [3.0, 4.0]]))
    q = lib.nn.Parameter(lib.tensor([1.0, -2.5]), requires_grad=False)
    y = p * 2
    return [repr(p), str(p), repr(q), type(p).__name__, type(y).__name__, repr(y),
            p.requires_grad, p.is_leaf, q.requires_grad, isinstance(p, lib.Tensor),
            repr(p.data), type(p.detach()).__name__, repr(p[0]), repr(p.sum()),
            repr(lib.nn.Parameter(lib.tensor([1.0], dtype=lib.float64)))]


@case()
def parameter_op_results(lib):
    """Operations on a Parameter give plain tensors, except those returning ``self``."""
    lib.manual_seed(0)
    p = lib.nn.Parameter(lib.randn(2, 3))
    ops = (lambda p: p.clone(), lambda p: p.view(3, 2), lambda p: p.t(), lambda p: p[0],
           lambda p: p.double(), lambda p: p.to(lib.float32), lambda p: p.reshape(6),
           lambda p: p.contiguous(), lambda p: p.expand(2, 3), lambda p: p + 0,
           lambda p: p.data, lambda p: p.detach(), lambda p: p.float(),
           lambda p: p.requires_grad_())
    kinds = [type(op(p)).__name__ for op in ops]
    with lib.no_grad():
        q = p
        q -= 1
    return [kinds, q is p, repr(p)]


@case()
def parameter_shares_storage(lib):
    t = lib.zeros(3)
    p = lib.nn.Parameter(t)
    t[1] = 5.0
    with lib.no_grad():
        p.add_(1)
    return [repr(p), repr(t)]


@case()
def parameter_deepcopy(lib):
    import copy

    p = lib.nn.Parameter(lib.tensor([1.0, 2.0]))
    q = copy.deepcopy(p)
    with lib.no_grad():
        q.mul_(3)
    return [repr(p), repr(q), type(q).__name__]


@case()
def parameter_integer_error(lib):
    return [lib.nn.Parameter(lib.tensor([1, 2]))]


# ---------------------------------------------------------------------- nn.Linear
@case((0, 3, 2), (1, 4, 3), (2, 20, 10), (3, 1, 1), (42, 5, 7), (7, 40, 1))
def linear_init(lib, seed, fan_in, fan_out):
    lib.manual_seed(seed)
    layer = lib.nn.Linear(fan_in, fan_out)
    return [repr(layer), repr(layer.weight), repr(layer.bias), Exact(layer.weight),
            Exact(layer.bias), Exact(lib.rand(3))]


@case()
def linear_without_bias(lib):
    lib.manual_seed(0)
    layer = lib.nn.Linear(4, 3, bias=False)
    return [repr(layer), repr(layer.weight), layer.bias, [n for n, _ in layer.named_parameters()]]


@case()
def linear_float64(lib):
    lib.manual_seed(0)
    layer = lib.nn.Linear(3, 2, dtype=lib.float64)
    return [repr(layer.weight), repr(layer.bias)]


@case(((3,), True), ((4, 3), True), ((2, 4, 3), True), ((2, 2, 2, 3), True), ((3,), False),
      ((4, 3), False), ((2, 4, 3), False), ((5, 3), "transposed"), ((2, 3, 4), "permuted"),
      ids=["1d", "2d", "3d", "4d", "1d-nobias", "2d-nobias", "3d-nobias", "2d-noncontig",
           "3d-noncontig"])
def linear_forward_backward(lib, shape, bias):
    lib.manual_seed(0)
    layer = lib.nn.Linear(3, 2, bias=bias is not False)
    if bias == "transposed":
        x = lib.randn(shape[::-1]).t().requires_grad_()
        x_leaf = x
        x = x * 1
    elif bias == "permuted":
        x_leaf = lib.randn(4, 2, 3).requires_grad_()
        x = x_leaf.transpose(0, 1)
    else:
        x_leaf = x = lib.randn(shape, requires_grad=True)
    y = layer(x)
    y.pow(2).sum().backward()
    return [y, graph(y), x_leaf.grad, grads(layer)]


@case()
def linear_saved_values(lib):
    lib.manual_seed(0)
    layer = lib.nn.Linear(3, 2)
    y = layer(lib.randn(4, 3))
    fn = y.grad_fn
    return [fn.name(), saved(fn)]


@case()
def functional_linear(lib):
    lib.manual_seed(1)
    w, b = lib.randn(2, 3, requires_grad=True), lib.randn(2, requires_grad=True)
    x = lib.randn(5, 3)
    y = lib.nn.functional.linear(x, w, b)
    z = lib.nn.functional.linear(x, w)
    (y.sum() + z.sum()).backward()
    return [y, z, graph(y), graph(z), w.grad, b.grad]


@case(lambda lib: lib.nn.Linear(3, 2)(lib.randn(4, 4)),
      lambda lib: lib.nn.Linear(3, 2)(lib.randn(4, 3, dtype=lib.float64)),
      lambda lib: lib.nn.Linear(3, 2)(lib.randn(2, 4, 4)),
      lambda lib: lib.nn.functional.linear(lib.randn(4, 3), lib.randn(2, 3), lib.randn(5)),
      ids=["shape", "dtype", "shape-3d", "bias-shape"])
def linear_errors(lib, make):
    lib.manual_seed(0)
    return [make(lib)]


# ---------------------------------------------------------------------- Module
def _make_net(lib):
    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = lib.nn.Linear(4, 5)
            self.act = lib.nn.ReLU()
            self.fc2 = lib.nn.Linear(5, 3)
            self.scale = lib.nn.Parameter(lib.ones(1))
            self.register_buffer("running", lib.zeros(3))
            self.note = "plain attribute"

        def forward(self, x):
            return self.fc2(self.act(self.fc1(x))) * self.scale + self.running

    return Net()


@case()
def module_registration(lib):
    lib.manual_seed(0)
    net = _make_net(lib)
    return [repr(net), [(n, tuple(p.shape)) for n, p in net.named_parameters()],
            [type(m).__name__ for m in net.children()], [n for n, _ in net.named_modules()],
            [n for n, _ in net.named_buffers()], len(list(net.parameters())), net.note,
            sorted(net.state_dict().keys()) == list(sorted(net.state_dict())),
            list(net.state_dict().keys()), repr(net.fc1.weight), net.training]


@case()
def module_forward_and_grads(lib):
    lib.manual_seed(0)
    net = _make_net(lib)
    x = lib.randn(6, 4)
    out = net(x)
    out.sum().backward()
    return [out, graph(out), grads(net)]


@case()
def module_attribute_errors(lib):
    net = _make_net(lib)
    records = []
    for action in (lambda: setattr(net, "fc1", lib.zeros(2)),
                   lambda: setattr(net, "scale", lib.zeros(2)),
                   lambda: net.register_parameter("w", lib.zeros(2)),
                   lambda: net.register_buffer("fc1", lib.zeros(2)),
                   lambda: net.missing,
                   lambda: net.register_parameter("a.b", None),
                   lambda: lib.nn.Module()(lib.zeros(1))):
        try:
            action()
            records.append("ok")
        except Exception as e:
            records.append((type(e).__name__, str(e)))
    del net.note
    net.fc2 = None
    return [records, repr(net), hasattr(net, "note")]


@case()
def module_state_dict_roundtrip(lib):
    lib.manual_seed(0)
    a, b = _make_net(lib), _make_net(lib)
    sd = a.state_dict()
    result = b.load_state_dict(sd)
    return [repr(result), str(result), [(k, Exact(v)) for k, v in sd.items()],
            [Exact(p) for p in b.parameters()], type(sd).__name__,
            all(not v.requires_grad for v in sd.values()), repr(sd["fc1.bias"]), repr(sd)]


@case()
def module_load_state_dict_errors(lib):
    lib.manual_seed(0)
    net = _make_net(lib)
    sd = net.state_dict()
    del sd["fc1.bias"]
    sd["extra"] = lib.zeros(1)
    loose = net.load_state_dict(sd, strict=False)
    records = [repr(loose), loose.missing_keys, loose.unexpected_keys]
    try:
        net.load_state_dict(sd)
    except RuntimeError as e:
        records.append(str(e))
    sd = net.state_dict()
    sd["fc2.weight"] = lib.zeros(2, 2)
    try:
        net.load_state_dict(sd)
    except RuntimeError as e:
        records.append(str(e))
    return records


@case()
def module_train_eval(lib):
    model = lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.Dropout(),
                              lib.nn.Sequential(lib.nn.Dropout(0.1)))
    flags = [[m.training for m in model.modules()]]
    model.eval()
    flags.append([m.training for m in model.modules()])
    model.train()
    flags.append([m.training for m in model.modules()])
    model[2].train(False)
    flags.append([m.training for m in model.modules()])
    return flags


@case(True, False)
def module_zero_grad(lib, set_to_none):
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(3, 2), lib.nn.Tanh(), lib.nn.Linear(2, 1))
    model(lib.randn(4, 3)).sum().backward()
    before = grads(model)
    model.zero_grad(set_to_none=set_to_none)
    return [before, grads(model)]


@case("double", "float", "to64", "to32", "half")
def module_dtype_conversion(lib, how):
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(3, 2), lib.nn.ReLU())
    model(lib.randn(2, 3)).sum().backward()
    weight = model[0].weight
    if how == "double":
        out = model.double()
    elif how == "float":
        out = model.double().float()
    elif how == "to64":
        out = model.to(lib.float64)
    elif how == "to32":
        out = model.to(lib.float64).to(dtype=lib.float32)
    else:
        out = model.half()
    return [out is model, model[0].weight is weight, repr(model[0].weight),
            str(model[0].bias.dtype), str(model[0].weight.grad.dtype), model[0].weight.is_leaf,
            model[0].weight.requires_grad]


@case()
def module_to_integer_error(lib):
    return [lib.nn.Linear(3, 2).to(lib.int64)]


@case()
def module_requires_grad_and_apply(lib):
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.Linear(3, 1))
    model.requires_grad_(False)
    flags = [p.requires_grad for p in model.parameters()]
    names = []
    model.apply(lambda m: names.append(type(m).__name__))

    def init_weights(m):
        if isinstance(m, lib.nn.Linear):
            lib.nn.init.constant_(m.weight, 0.5)
            lib.nn.init.zeros_(m.bias)

    model.apply(init_weights)
    return [flags, names, repr(model[0].weight), repr(model[1].bias)]


@case()
def module_forward_hooks(lib):
    lib.manual_seed(0)
    layer = lib.nn.Linear(2, 2)
    seen = []
    h1 = layer.register_forward_pre_hook(lambda m, args: seen.append(("pre", args[0].shape)))
    h2 = layer.register_forward_hook(lambda m, args, out: out * 0)
    out = layer(lib.ones(1, 2))
    h1.remove()
    h2.remove()
    return [seen, out, layer(lib.ones(1, 2))]


@case()
def module_shared_parameters(lib):
    lib.manual_seed(0)
    shared = lib.nn.Linear(2, 2)
    model = lib.nn.Sequential(shared, lib.nn.ReLU(), shared)
    return [repr(model), [n for n, _ in model.named_parameters()], len(list(model.modules())),
            list(model.state_dict().keys())]


# ---------------------------------------------------------------------- containers
@case()
def sequential_nested_repr(lib):
    model = lib.nn.Sequential(
        lib.nn.Flatten(),
        lib.nn.Linear(784, 512),
        lib.nn.ReLU(),
        lib.nn.Sequential(lib.nn.Linear(512, 64, bias=False), lib.nn.Sigmoid(),
                          lib.nn.Sequential(lib.nn.Tanh())),
        lib.nn.Dropout(p=0.25),
        lib.nn.Identity(),
        lib.nn.Softmax(dim=1),
        lib.nn.LogSoftmax(dim=-1),
        lib.nn.Embedding(10, 3, padding_idx=0),
        lib.nn.ReLU(inplace=True),
        lib.nn.Flatten(0, 2),
        lib.nn.CrossEntropyLoss(),
        lib.nn.Softmax(),
    )
    return [repr(model), str(model), len(model)]


@case()
def sequential_indexing(lib):
    lib.manual_seed(0)
    model = lib.nn.Sequential(OrderedDict([("hidden", lib.nn.Linear(3, 4)),
                                           ("act", lib.nn.ReLU()),
                                           ("out", lib.nn.Linear(4, 1))]))
    records = [repr(model), repr(model[0]), repr(model[-1]), repr(model[1:]),
               repr(model.hidden.bias), len(model), [type(m).__name__ for m in model]]
    model.append(lib.nn.Sigmoid())
    model.insert(0, lib.nn.Identity())
    del model[1]
    records += [repr(model), repr(model + lib.nn.Sequential(lib.nn.Tanh()))]
    return records


@case()
def sequential_forward(lib):
    lib.manual_seed(3)
    model = lib.nn.Sequential(lib.nn.Linear(4, 6), lib.nn.ReLU(), lib.nn.Linear(6, 6),
                              lib.nn.Tanh(), lib.nn.Linear(6, 2), lib.nn.Sigmoid())
    x = lib.randn(5, 4)
    y = model(x)
    y.mean().backward()
    return [y, graph(y), grads(model)]


@case()
def modulelist(lib):
    lib.manual_seed(0)
    layers = lib.nn.ModuleList([lib.nn.Linear(2, 2) for _ in range(3)])
    layers.append(lib.nn.ReLU())
    layers.extend([lib.nn.ReLU(), lib.nn.Linear(2, 1)])
    records = [repr(layers), len(layers), repr(layers[-1]), repr(layers[1:3]),
               [n for n, _ in layers.named_parameters()]]

    class Stack(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = lib.nn.ModuleList([lib.nn.Linear(2, 2), lib.nn.Linear(2, 2)])

        def forward(self, x):
            for block in self.blocks:
                x = block(x).relu()
            return x

    stack = Stack()
    out = stack(lib.ones(3, 2))
    out.sum().backward()
    return [*records, repr(stack), out, grads(stack), repr(lib.nn.ModuleList())]


# ---------------------------------------------------------------------- activations
@case("ReLU", "Sigmoid", "Tanh", "Softmax", "LogSoftmax", "Identity", "Flatten", "Flatten02")
def activation_modules(lib, name):
    lib.manual_seed(0)
    module = {
        "ReLU": lambda: lib.nn.ReLU(),
        "Sigmoid": lambda: lib.nn.Sigmoid(),
        "Tanh": lambda: lib.nn.Tanh(),
        "Softmax": lambda: lib.nn.Softmax(dim=1),
        "LogSoftmax": lambda: lib.nn.LogSoftmax(dim=0),
        "Identity": lambda: lib.nn.Identity(54, unused="x"),
        "Flatten": lambda: lib.nn.Flatten(),
        "Flatten02": lambda: lib.nn.Flatten(0, 1),
    }[name]()
    x = lib.randn(2, 3, 2, requires_grad=True)
    y = module(x)
    (y * lib.arange(y.numel()).reshape(y.shape)).sum().backward()
    return [repr(module), y, graph(y), x.grad, y is x]


@case("relu", "relu_inplace", "sigmoid", "tanh", "softmax", "log_softmax", "softmax_f64")
def functional_activations(lib, name):
    lib.manual_seed(1)
    F = lib.nn.functional
    x = lib.randn(3, 4, requires_grad=True)
    h = x * 1
    y = {
        "relu": lambda: F.relu(h),
        "relu_inplace": lambda: F.relu(h, inplace=True),
        "sigmoid": lambda: F.sigmoid(h),
        "tanh": lambda: F.tanh(h),
        "softmax": lambda: F.softmax(h, dim=-1),
        "log_softmax": lambda: F.log_softmax(h, 1),
        "softmax_f64": lambda: F.softmax(h, 0, dtype=lib.float64),
    }[name]()
    (y * lib.linspace(-1, 1, 12).reshape(3, 4)).sum().backward()
    return [y, graph(y), x.grad, y is h]


@case(2, 3)
def softmax_implicit_dim(lib, ndim):
    lib.manual_seed(0)
    x = lib.randn(*(2,) * ndim)
    return [lib.nn.functional.softmax(x), lib.nn.Softmax()(x), lib.nn.LogSoftmax()(x)]


# ---------------------------------------------------------------------- dropout
@case((0, 0.5, (4, 5)), (1, 0.2, (3, 7)), (2, 0.9, (50,)), (3, 0.5, (2, 3, 40)),
      (4, 0.0, (3, 3)), (5, 1.0, (3, 3)))
def dropout_train(lib, seed, p, shape):
    lib.manual_seed(seed)
    x = lib.randn(shape, requires_grad=True)
    layer = lib.nn.Dropout(p)
    y = layer(x)
    y.sum().backward()
    return [repr(layer), Exact(y), graph(y), Exact(x.grad), y is x, Exact(lib.rand(2))]


@case()
def dropout_eval_and_functional(lib):
    lib.manual_seed(0)
    x = lib.randn(3, 4)
    layer = lib.nn.Dropout(0.3).eval()
    same = layer(x) is x
    F = lib.nn.functional
    y = F.dropout(x, 0.3, training=False)
    z = F.dropout(x, p=0.4)
    w = x.clone()
    F.dropout(w, 0.5, True, True)
    return [same, y is x, Exact(z), Exact(w), Exact(lib.rand(2))]


@case(-0.1, 1.5)
def dropout_bad_p(lib, p):
    return [lib.nn.Dropout(p)]


# ---------------------------------------------------------------------- losses
def _loss_program(lib, make_loss, input_fn, target_fn, seed=0):
    lib.manual_seed(seed)
    x = input_fn(lib).requires_grad_()
    target = target_fn(lib)
    loss_fn = make_loss(lib)
    loss = loss_fn(x, target)
    loss.backward(lib.ones_like(loss))
    fn = loss.grad_fn
    return [repr(loss_fn), loss, graph(loss), fn.name(), saved(fn), x.grad]


_logits = lambda lib: lib.randn(6, 5)  # noqa: E731
_classes = lambda lib: lib.tensor([1, 0, 4, 2, 2, 3])  # noqa: E731


@case("mean", "sum", "none")
def mse_loss_module(lib, reduction):
    lib.manual_seed(0)
    x = lib.randn(4, 3, requires_grad=True)
    t = lib.randn(4, 3, requires_grad=True)
    loss_fn = lib.nn.MSELoss(reduction=reduction)
    loss = loss_fn(x, t)
    loss.backward(lib.ones_like(loss))
    return [repr(loss_fn), loss, graph(loss), saved(loss.grad_fn), x.grad, t.grad]


@case()
def mse_loss_broadcast_warning(lib):
    lib.manual_seed(0)
    x = lib.randn(4, 3, requires_grad=True)
    t = lib.randn(3)
    loss = lib.nn.functional.mse_loss(x, t)
    loss.backward()
    return [loss, graph(loss), x.grad]


@case()
def mse_loss_legacy_args(lib):
    lib.manual_seed(0)
    x, t = lib.randn(3, 2), lib.randn(3, 2)
    return [lib.nn.functional.mse_loss(x, t, size_average=False),
            lib.nn.MSELoss(reduce=False)(x, t).shape]


@case({}, {"reduction": "sum"}, {"reduction": "none"}, {"ignore_index": 2},
      {"weight": "w"}, {"weight": "w", "ignore_index": 4}, {"weight": "w", "reduction": "none"},
      ids=["mean", "sum", "none", "ignore", "weight", "weight-ignore", "weight-none"])
def cross_entropy_module(lib, kwargs):
    kwargs = dict(kwargs)
    if kwargs.get("weight") == "w":
        kwargs["weight"] = lib.tensor([1.0, 2.0, 0.5, 3.0, 1.5])
    return _loss_program(lib, lambda lib: lib.nn.CrossEntropyLoss(**kwargs), _logits, _classes)


@case({}, {"reduction": "sum"}, {"reduction": "none"}, {"ignore_index": 0},
      {"weight": "w"}, {"weight": "w", "reduction": "sum"},
      ids=["mean", "sum", "none", "ignore", "weight", "weight-sum"])
def nll_loss_module(lib, kwargs):
    kwargs = dict(kwargs)
    if kwargs.get("weight") == "w":
        kwargs["weight"] = lib.tensor([1.0, 2.0, 0.5, 3.0, 1.5])
    return _loss_program(lib, lambda lib: lib.nn.NLLLoss(**kwargs),
                         lambda lib: lib.randn(6, 5).log_softmax(1), _classes)


@case(({}, 0.1), ({"reduction": "sum"}, 0.2), ({"reduction": "none"}, 0.1),
      ({"weight": "w"}, 0.3), ({"ignore_index": 2}, 0.1),
      ids=["mean", "sum", "none", "weight", "ignore"])
def cross_entropy_label_smoothing(lib, kwargs, smoothing):
    kwargs = dict(kwargs)
    if kwargs.get("weight") == "w":
        kwargs["weight"] = lib.tensor([1.0, 2.0, 0.5, 3.0, 1.5])
    return _loss_program(
        lib, lambda lib: lib.nn.CrossEntropyLoss(label_smoothing=smoothing, **kwargs),
        _logits, _classes)


@case("mean", "sum", "none", "weight", "smoothing")
def cross_entropy_probabilities(lib, how):
    kwargs = {"reduction": how} if how in ("mean", "sum", "none") else {}
    if how == "weight":
        kwargs["weight"] = lib.tensor([1.0, 2.0, 0.5, 3.0, 1.5])
    if how == "smoothing":
        kwargs["label_smoothing"] = 0.25
    return _loss_program(lib, lambda lib: lib.nn.CrossEntropyLoss(**kwargs), _logits,
                         lambda lib: lib.randn(6, 5).softmax(1))


@case("1d", "3d", "3d-none", "4d", "4d-none", "5d")
def cross_entropy_shapes(lib, how):
    shapes = {"1d": ((5,), ()), "3d": ((2, 5, 3), (2, 3)), "3d-none": ((2, 5, 3), (2, 3)),
              "4d": ((2, 5, 3, 2), (2, 3, 2)), "4d-none": ((2, 5, 3, 2), (2, 3, 2)),
              "5d": ((2, 5, 2, 2, 2), (2, 2, 2, 2))}
    xs, ts = shapes[how]
    reduction = "none" if how.endswith("none") else "mean"
    return _loss_program(lib, lambda lib: lib.nn.CrossEntropyLoss(reduction=reduction),
                         lambda lib: lib.randn(xs), lambda lib: lib.randint(0, 5, ts))


@case()
def cross_entropy_long_batch(lib):
    """More than 16 samples: the kernel's cascade of partial sums is exercised."""
    return _loss_program(lib, lambda lib: lib.nn.CrossEntropyLoss(),
                         lambda lib: lib.randn(300, 7) * 3, lambda lib: lib.randint(0, 7, (300,)),
                         seed=5)


@case(lambda lib, nnf: nnf.nll_loss(lib.randn(4, 5), lib.tensor([1, 0, 9, 2])),
      lambda lib, nnf: nnf.nll_loss(lib.randn(4, 5), lib.tensor([1.0, 0.0, 3.0, 2.0])),
      lambda lib, nnf: nnf.nll_loss(lib.randn(4, 5), lib.tensor([1, 0, 2])),
      lambda lib, nnf: nnf.nll_loss(lib.randn(4, 5), lib.tensor([1, 0, 2, 1]), reduction="avg"),
      lambda lib, nnf: nnf.nll_loss(lib.randn(4, 5), lib.tensor([1, 0, 2, 1]),
                                weight=lib.ones(3)),
      lambda lib, nnf: nnf.cross_entropy(lib.randn(4, 5), lib.rand(4, 5), ignore_index=3),
      lambda lib, nnf: nnf.cross_entropy(lib.randn(4, 5), lib.tensor([1, 0, 2, 1]),
                                     label_smoothing=1.5),
      lambda lib, nnf: nnf.cross_entropy(lib.randn(4, 5), lib.tensor([1, -100, 2, 1])),
      lambda lib, nnf: nnf.cross_entropy(lib.randn(2, 5), lib.tensor([-100, -100])),
      ids=["out-of-bounds", "float-target", "batch", "reduction", "weight-size", "prob-ignore",
           "smoothing-range", "ignored-default", "all-ignored"])
def loss_errors(lib, make):
    lib.manual_seed(0)
    return [make(lib, lib.nn.functional)]


@case(lambda lib, nnf: nnf.mse_loss(lib.ones(3), lib.tensor([1, 2, 3])),
      lambda lib, nnf: nnf.mse_loss(lib.ones(3, requires_grad=True),
                                    lib.ones(3, dtype=lib.float64)),
      lambda lib, nnf: nnf.binary_cross_entropy(lib.ones(3) * 0.5,
                                                lib.ones(3, dtype=lib.float64)),
      lambda lib, nnf: nnf.binary_cross_entropy_with_logits(lib.ones(3),
                                                            lib.ones(3, dtype=lib.float64)),
      lambda lib, nnf: nnf.binary_cross_entropy_with_logits(lib.ones(3), lib.tensor([1, 0, 1])),
      lambda lib, nnf: nnf.cross_entropy(lib.ones(2, 3), lib.tensor([1, 0], dtype=lib.int32)),
      lambda lib, nnf: nnf.cross_entropy(lib.ones(2, 3), lib.tensor([1, 0], dtype=lib.uint8)),
      lambda lib, nnf: nnf.nll_loss(lib.ones(2, 3), lib.tensor([1, 0]),
                                    weight=lib.ones(3, dtype=lib.float64)),
      lambda lib, nnf: nnf.nll_loss(lib.tensor([0.5, 1.0, 2.0]), lib.tensor([1]),
                                    reduction="none"),
      lambda lib, nnf: nnf.nll_loss(lib.ones(3), lib.tensor([1, 2])),
      lambda lib, nnf: nnf.nll_loss(lib.ones(3), lib.tensor([[1]])),
      lambda lib, nnf: nnf.nll_loss(lib.tensor(1.0), lib.tensor(0)),
      lambda lib, nnf: nnf.nll_loss(lib.ones(2, 3, 4), lib.zeros(2, 5, dtype=lib.long)),
      lambda lib, nnf: nnf.nll_loss(lib.ones(2, 3), lib.zeros(2, 5, dtype=lib.long)),
      lambda lib, nnf: nnf.linear(lib.tensor(1.0), lib.ones(2, 1), lib.ones(2)),
      lambda lib, nnf: lib.nn.Linear(2, 2)(lib.tensor([[1, 2]])),
      lambda lib, nnf: nnf.embedding(lib.tensor([0, 1]), lib.ones(3)),
      lambda lib, nnf: nnf.pad(lib.tensor([1, 2]), (1, 1), value=2.7),
      lambda lib, nnf: nnf.dropout(lib.tensor([1, 2]), 0.5),
      lambda lib, nnf: nnf.relu(lib.ones(2, requires_grad=True), inplace=True),
      ids=["mse-long", "mse-double", "bce-double", "bcel-double", "bcel-long", "ce-int32",
           "ce-uint8", "nll-weight-double", "nll-1d-target1", "nll-1d-target2",
           "nll-1d-target2d", "nll-0d", "nll-3d-target", "nll-2d-target2d", "linear-0d",
           "linear-int", "embedding-1d-weight", "pad-int", "dropout-int", "relu-leaf"])
def dtype_and_shape_edges(lib, make):
    lib.manual_seed(0)
    out = make(lib, lib.nn.functional)
    if getattr(out, "requires_grad", False):
        leaves = []
        out.sum().backward()
        return [out, graph(out), leaves]
    return [out]


@case("mean", "sum", "none", "weight")
def bce_loss(lib, how):
    kwargs = {"reduction": how} if how != "weight" else {"weight": lib.tensor([0.5, 2.0, 1.0])}
    return _loss_program(lib, lambda lib: lib.nn.BCELoss(**kwargs),
                         lambda lib: lib.rand(4, 3) * 0.98 + 0.01,
                         lambda lib: lib.tensor([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0],
                                                 [1.0, 1.0, 0.0], [0.3, 0.7, 0.5]]))


@case()
def bce_target_grad_and_errors(lib):
    lib.manual_seed(0)
    F = lib.nn.functional
    x = (lib.rand(5) * 0.9 + 0.05).requires_grad_()
    t = lib.rand(5).requires_grad_()
    loss = F.binary_cross_entropy(x, t)
    loss.backward()
    records = [loss, x.grad, t.grad]
    for bad in (lambda: F.binary_cross_entropy(lib.tensor([1.5]), lib.tensor([1.0])),
                lambda: F.binary_cross_entropy(lib.tensor([0.5]), lib.tensor([-1.0])),
                lambda: F.binary_cross_entropy(lib.rand(3), lib.rand(4))):
        try:
            bad()
        except Exception as e:
            records.append((type(e).__name__, str(e)))
    records.append(F.binary_cross_entropy(lib.tensor([0.0, 1.0]), lib.tensor([1.0, 0.0])))
    return records


@case("mean", "sum", "none", "weight", "pos_weight", "both")
def bce_with_logits_loss(lib, how):
    kwargs = {"reduction": how} if how in ("mean", "sum", "none") else {}
    if how in ("weight", "both"):
        kwargs["weight"] = lib.tensor([0.5, 2.0, 1.0])
    if how in ("pos_weight", "both"):
        kwargs["pos_weight"] = lib.tensor([3.0, 1.0, 0.25])
    return _loss_program(lib, lambda lib: lib.nn.BCEWithLogitsLoss(**kwargs),
                         lambda lib: lib.randn(4, 3) * 4,
                         lambda lib: lib.tensor([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0],
                                                 [1.0, 1.0, 0.0], [0.3, 0.7, 0.5]]))


@case()
def bce_with_logits_target_grad(lib):
    lib.manual_seed(0)
    x = lib.randn(5, requires_grad=True)
    t = lib.rand(5, requires_grad=True)
    F = lib.nn.functional
    loss = F.binary_cross_entropy_with_logits(x, t, pos_weight=lib.tensor(2.0))
    loss2 = F.binary_cross_entropy_with_logits(x, t, reduction="sum")
    (loss + loss2).backward()
    return [loss, loss2, x.grad, t.grad]


# ---------------------------------------------------------------------- embedding
@case((0, 10, 3), (1, 5, 4), (2, 100, 8))
def embedding_init_and_lookup(lib, seed, num, dim):
    lib.manual_seed(seed)
    emb = lib.nn.Embedding(num, dim)
    idx = lib.tensor([[0, 2, 1], [1, 1, num - 1]])
    y = emb(idx)
    (y * lib.arange(y.numel()).reshape(y.shape)).sum().backward()
    return [repr(emb), repr(emb.weight) if num <= 10 else Exact(emb.weight), Exact(y),
            graph(y), saved(y.grad_fn), emb.weight.grad]


@case()
def embedding_options(lib):
    lib.manual_seed(0)
    emb = lib.nn.Embedding(6, 2, padding_idx=-2, scale_grad_by_freq=True, max_norm=1.0)
    idx = lib.tensor([4, 1, 1, 3, 4, 4])
    y = emb(idx)
    y.sum().backward()
    pre = lib.nn.Embedding.from_pretrained(lib.tensor([[1.0, 2.0], [3.0, 4.0]]))
    records = [repr(emb), repr(emb.weight), y, emb.weight.grad, saved(y.grad_fn),
               repr(pre), repr(pre.weight), pre(lib.tensor([1]))]
    for bad in (lambda: emb(lib.tensor([6])), lambda: emb(lib.tensor([1.0]))):
        try:
            bad()
        except Exception as e:
            records.append((type(e).__name__, str(e)))
    return records


# ---------------------------------------------------------------------- one_hot, pad
@case(lambda lib, nnf: nnf.one_hot(lib.tensor([0, 2, 1])),
      lambda lib, nnf: nnf.one_hot(lib.tensor([[0, 2], [1, 3]]), 5),
      lambda lib, nnf: nnf.one_hot(lib.arange(4) % 3, num_classes=3).float(),
      lambda lib, nnf: nnf.one_hot(lib.tensor([1.0, 2.0])),
      lambda lib, nnf: nnf.one_hot(lib.tensor([1, 5]), 3),
      lambda lib, nnf: nnf.one_hot(lib.tensor([1, -1])),
      lambda lib, nnf: nnf.one_hot(lib.tensor([], dtype=lib.int64)),
      lambda lib, nnf: nnf.one_hot(lib.tensor([], dtype=lib.int64), 4),
      ids=["infer", "2d", "float", "float-error", "too-big", "negative", "empty",
           "empty-classes"])
def one_hot(lib, make):
    return [make(lib, lib.nn.functional)]


@case(((3, 4), (1, 2), None), ((3, 4), (1, 2, 0, 1), 3.5), ((2, 3, 4), (-1, 1, 2, -1), None),
      ((2, 3), (0, 0), None), ((2, 3), (1,), None), ((2, 3), (1, 1, 1, 1, 1, 1), None),
      ((2, 3), (-2, -2), None), ((4,), (2, 3), -1.0),
      ids=["last", "two-dims", "negative", "zero", "odd", "too-long", "negative-size",
           "1d"])
def pad_constant(lib, shape, pad, value):
    lib.manual_seed(0)
    x = lib.randn(shape, requires_grad=True)
    y = lib.nn.functional.pad(x, pad, value=value) if value is not None else (
        lib.nn.functional.pad(x, pad))
    (y * lib.arange(y.numel()).reshape(y.shape)).sum().backward()
    return [Exact(y), graph(y), saved(y.grad_fn), x.grad]


@case()
def pad_integer_and_modes(lib):
    F = lib.nn.functional
    records = [F.pad(lib.tensor([[1, 2], [3, 4]]), (1, 1), value=7),
               F.pad(lib.tensor([[1, 2], [3, 4]]), (0, 1, 1, 0), mode="constant")]
    return records


# ---------------------------------------------------------------------- nn.init
@case("uniform", "normal_small", "normal_large", "zeros", "ones", "constant",
      "xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal_fan_out",
      "kaiming_uniform_relu", "xavier_uniform_gain", "uniform_f64", "normal_f64")
def init_functions(lib, name):
    lib.manual_seed(0)
    init = lib.nn.init
    shape = (30, 20) if name.endswith(("large", "f64")) else (3, 5)
    dtype = lib.float64 if name.endswith("f64") else lib.float32
    w = lib.nn.Parameter(lib.empty(shape, dtype=dtype))
    out = {
        "uniform": lambda: init.uniform_(w, -2, 3),
        "normal_small": lambda: init.normal_(w, 1.0, 0.5),
        "normal_large": lambda: init.normal_(w, std=0.02),
        "zeros": lambda: init.zeros_(w),
        "ones": lambda: init.ones_(w),
        "constant": lambda: init.constant_(w, 0.3),
        "xavier_uniform": lambda: init.xavier_uniform_(w),
        "xavier_normal": lambda: init.xavier_normal_(w),
        "kaiming_uniform": lambda: init.kaiming_uniform_(w, a=math.sqrt(5)),
        "kaiming_normal_fan_out": lambda: init.kaiming_normal_(w, mode="fan_out",
                                                               nonlinearity="relu"),
        "kaiming_uniform_relu": lambda: init.kaiming_uniform_(w, nonlinearity="relu"),
        "xavier_uniform_gain": lambda: init.xavier_uniform_(w, gain=init.calculate_gain("tanh")),
        "uniform_f64": lambda: init.uniform_(w),
        "normal_f64": lambda: init.normal_(w),
    }[name]()
    return [out is w, Exact(w), w.requires_grad, w.is_leaf, w.grad_fn, Exact(lib.rand(2)),
            repr(w) if w.numel() < 20 else None]


@case()
def init_gains_and_errors(lib):
    init = lib.nn.init
    records = [init.calculate_gain(n) for n in ("linear", "sigmoid", "tanh", "relu", "selu")]
    records.append(init.calculate_gain("leaky_relu", 0.2))
    for bad in (lambda: init.calculate_gain("nope"),
                lambda: init.xavier_uniform_(lib.empty(3)),
                lambda: init.kaiming_uniform_(lib.empty(3, 4), mode="fan_avg")):
        try:
            bad()
        except Exception as e:
            records.append((type(e).__name__, str(e)))
    records.append(repr(init.kaiming_uniform_(lib.empty(0, 3))))
    return records


# ---------------------------------------------------------------------- training
def _train(lib, make_opt, steps=5, seed=0, loss_name="ce"):
    lib.manual_seed(seed)
    model = lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.ReLU(), lib.nn.Linear(8, 8),
                              lib.nn.Tanh(), lib.nn.Linear(8, 3))
    x = lib.randn(16, 4)
    if loss_name == "ce":
        y = lib.randint(0, 3, (16,))
        loss_fn = lib.nn.CrossEntropyLoss()
    else:
        y = lib.randn(16, 3)
        loss_fn = lib.nn.MSELoss()
    opt = make_opt(lib, model.parameters())
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return [repr(opt), losses, [(n, p) for n, p in model.named_parameters()],
            [(n, p.grad) for n, p in model.named_parameters()]]


_SGD = {
    "plain": {"lr": 0.1},
    "momentum": {"lr": 0.05, "momentum": 0.9},
    "nesterov": {"lr": 0.05, "momentum": 0.9, "nesterov": True},
    "weight_decay": {"lr": 0.1, "weight_decay": 0.01},
    "dampening": {"lr": 0.1, "momentum": 0.5, "dampening": 0.3, "weight_decay": 1e-3},
    "maximize": {"lr": 0.01, "maximize": True},
}


@case(*_SGD)
def sgd_training(lib, name):
    return _train(lib, lambda lib, params: lib.optim.SGD(params, **_SGD[name]))


_ADAM = {
    "default": {},
    "lr": {"lr": 0.01},
    "weight_decay": {"lr": 0.01, "weight_decay": 0.1},
    "amsgrad": {"lr": 0.01, "amsgrad": True},
    "betas": {"lr": 0.02, "betas": (0.8, 0.99), "eps": 1e-6},
    "decoupled": {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True},
}


@case(*_ADAM)
def adam_training(lib, name):
    return _train(lib, lambda lib, params: lib.optim.Adam(params, **_ADAM[name]))


@case("sgd", "adam")
def training_mse_long(lib, name):
    make = {"sgd": lambda lib, p: lib.optim.SGD(p, lr=0.05, momentum=0.9),
            "adam": lambda lib, p: lib.optim.Adam(p, lr=0.01)}[name]
    return _train(lib, make, steps=20, seed=3, loss_name="mse")


@case()
def adam_state(lib):
    """Adam's update on a single parameter (no matrix products). Not bit for bit: PyTorch's
    float32 ``sqrt`` (MKL's vector kernel) is not correctly rounded (up to 0.75 ulp off), where
    NumPy's is, so ``exp_avg_sq.sqrt()`` differs in the last bit for about 20% of values."""
    lib.manual_seed(0)
    w = lib.nn.Parameter(lib.randn(50))
    target = lib.randn(50)
    opt = lib.optim.Adam([w], lr=0.1)
    for _ in range(5):
        opt.zero_grad()
        ((w - target) ** 2).sum().backward()
        opt.step()
    state = opt.state[w]
    return [w, sorted(state), Exact(state["step"]), state["exp_avg"],
            state["exp_avg_sq"], opt.state_dict()["param_groups"],
            list(opt.state_dict()["state"])]


@case()
def sgd_momentum_bits(lib):
    lib.manual_seed(0)
    w = lib.nn.Parameter(lib.randn(40))
    target = lib.randn(40)
    opt = lib.optim.SGD([w], lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)
    for _ in range(5):
        opt.zero_grad()
        ((w - target) ** 2).sum().backward()
        opt.step()
    return [Exact(w), Exact(opt.state[w]["momentum_buffer"])]


@case()
def optimizer_groups_and_zero_grad(lib):
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.Linear(2, 1))
    opt = lib.optim.SGD([{"params": model[0].parameters()},
                         {"params": model[1].parameters(), "lr": 0.5}], lr=0.1, momentum=0.9)
    model(lib.ones(3, 2)).sum().backward()
    opt.step()
    opt.zero_grad(set_to_none=False)
    kept = [p.grad for p in model.parameters()]
    opt.zero_grad()
    return [repr(opt), kept, [p.grad for p in model.parameters()], list(model.parameters()),
            opt.state_dict()["param_groups"]]


@case(lambda lib: lib.optim.SGD([], lr=0.1),
      lambda lib: lib.optim.SGD(lib.zeros(2), lr=0.1),
      lambda lib: lib.optim.SGD([lib.zeros(2, requires_grad=True) * 2], lr=0.1),
      lambda lib: lib.optim.SGD([lib.zeros(2, requires_grad=True)], lr=-1),
      lambda lib: lib.optim.SGD([lib.zeros(2, requires_grad=True)], lr=0.1, nesterov=True),
      lambda lib: lib.optim.Adam([lib.zeros(2, requires_grad=True)], betas=(1.0, 0.9)),
      lambda lib: lib.optim.Adam([lib.zeros(2, requires_grad=True)], eps=-1),
      ids=["empty", "tensor", "non-leaf", "lr", "nesterov", "betas", "eps"])
def optimizer_errors(lib, make):
    return [make(lib)]


@case()
def closure_step(lib):
    lib.manual_seed(0)
    w = lib.nn.Parameter(lib.randn(3))
    opt = lib.optim.SGD([w], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (w**2).sum()
        loss.backward()
        return loss

    losses = [opt.step(closure) for _ in range(3)]
    return [losses, Exact(w)]


# ---------------------------------------------------------------------- the tests
@pytest.mark.parametrize("name", list(CASES))
def test_nn(name):
    assert_same(CASES[name])


def test_case_count():
    assert len(CASES) >= 60


def test_functional_namespace():
    """``torch.nn.functional`` works after ``import autogradviz as torch``."""
    import autogradviz as t

    assert t.nn.functional.relu is autogradviz.nn.functional.relu
    assert isinstance(t.nn.Linear(2, 2), t.nn.Module)
    assert t.optim.SGD.__name__ == "SGD"


def test_create_graph_through_losses():
    """The loss nodes' rules are made of differentiable operations: second derivatives of
    the losses agree with PyTorch's."""
    def program(lib):
        lib.manual_seed(0)
        F = lib.nn.functional
        x = lib.randn(4, 5, requires_grad=True)
        t = lib.tensor([1, 0, 4, 2])
        out = []
        for loss in (F.cross_entropy(x, t), F.mse_loss(x, lib.ones(4, 5)),
                     F.binary_cross_entropy_with_logits(x, lib.rand(4, 5)),
                     F.binary_cross_entropy(x.sigmoid(), lib.rand(4, 5))):
            (g,) = lib.autograd.grad(loss, x, create_graph=True)
            (gg,) = lib.autograd.grad(g.pow(2).sum(), x)
            out += [g.detach(), gg]  # values only: the double-backward graphs differ
        return out

    assert_same(program)


def _full_backward_hook_run(lib):
    """What ``register_full_backward_hook`` hooks see and do, in ``lib``."""
    lib.manual_seed(0)
    seen = []
    layer = lib.nn.Linear(3, 2)
    first = layer.register_full_backward_hook(
        lambda mod, gin, gout: seen.append(("first", type(mod).__name__,
                                            [None if g is None else g.tolist() for g in gin],
                                            [g.tolist() for g in gout])))
    layer.register_full_backward_hook(lambda mod, gin, gout: seen.append("prepended"),
                                      prepend=True)
    x = lib.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    out = layer(x)
    seen.append((out.grad_fn.name(), [n.name() if n else None
                                      for n, _ in out.grad_fn.next_functions]))
    (out * lib.tensor([[1.0, -2.0]])).sum().backward()
    seen.append(x.grad.tolist())
    first.remove()
    with warnings.catch_warnings(record=True) as caught:  # no input requires grad
        warnings.simplefilter("always")
        layer(lib.ones(1, 3)).sum().backward()
    seen.append([str(w.message) for w in caught])
    relu = lib.nn.ReLU()
    relu.register_full_backward_hook(lambda mod, gin, gout: (gin[0] * 10,))
    y = lib.tensor([1.0, -1.0, 2.0], requires_grad=True)
    relu(y).sum().backward()
    seen.append(y.grad.tolist())
    return seen


def test_full_backward_hooks():
    """The hooks get (module, grad_input, grad_output) when the input gradients are known, in
    registration order (``prepend`` first), may replace grad_input, and fire with None inputs
    (after PyTorch's warning) when no input requires grad; the output's node is
    ``BackwardHookFunctionBackward``."""
    ours, theirs = _full_backward_hook_run(autogradviz), _full_backward_hook_run(torch)
    assert len(ours) == len(theirs)
    for o, t in zip(ours, theirs, strict=True):
        if isinstance(t, tuple) and t and t[0] == "first":
            assert o[:2] == t[:2]
            np.testing.assert_allclose(o[2], t[2], rtol=1e-6)
            np.testing.assert_allclose(o[3], t[3], rtol=1e-6)
        else:
            assert o == t
