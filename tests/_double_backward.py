"""Double-backward graphs of autogradviz against PyTorch's: the graph of a gradient built with
``create_graph=True`` (node names, edges, creation order, saved numbers) and the values of the
gradient and of the second derivative.

``CASES`` maps a name to a function ``case(lib, leaf)`` returning ``(outputs, inputs)``: the
outputs are summed, differentiated with respect to the inputs with ``create_graph=True``, and
the gradients' graphs compared; ``compare(name)`` returns the list of differences (empty when
the two libraries agree). Run ``python tests/_double_backward.py`` for the survey table.
"""

import os

os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")

import numpy as np
import torch

import autogradviz

_RNG_SHAPES = {}


def _leaf_maker(lib, dtype="float32"):
    count = iter(range(1000))

    def leaf(shape, *, low=-2.0, high=2.0, positive=False, requires_grad=True, dt=dtype):
        seed = next(count)
        rng = np.random.default_rng(seed)
        a = rng.uniform(0.2 if positive else low, high, shape).astype(dt)
        if not positive:
            a = np.where(np.abs(a) < 0.05, 0.3, a).astype(dt)
        t = lib.tensor(a)
        if requires_grad:
            t.requires_grad_(True)
        return t

    return leaf


def _f(lib):
    return lib.nn.functional


CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


def _unary(name, positive=False, method=None):
    def fn(lib, leaf):
        x = leaf((3,), positive=positive)
        return [getattr(x, method or name)()], [x]

    fn.__name__ = name
    CASES[name] = fn


for _name in ["exp", "exp2", "expm1", "sin", "cos", "tan", "atan", "sinh", "cosh", "tanh",
              "asinh", "erf", "erfc", "sigmoid", "neg", "abs", "relu", "square", "sgn",
              "floor", "frac", "nan_to_num"]:
    _unary(_name)
for _name in ["log", "log2", "log10", "log1p", "sqrt", "rsqrt", "reciprocal", "acosh"]:
    _unary(_name, positive=True)


@case
def asin(lib, leaf):
    x = leaf((3,), low=-0.9, high=0.9)
    return [x.asin(), x.acos(), x.atanh()], [x]


@case
def pow_int3(lib, leaf):
    x = leaf((3,))
    return [x ** 3], [x]


@case
def pow_2(lib, leaf):
    x = leaf((3,))
    return [x ** 2], [x]


@case
def pow_float(lib, leaf):
    x = leaf((3,), positive=True)
    return [x ** 2.5], [x]


@case
def pow_half(lib, leaf):
    x = leaf((3,), positive=True)
    return [x.pow(0.5)], [x]


@case
def pow_neg(lib, leaf):
    x = leaf((3,), positive=True)
    return [x ** -2], [x]


@case
def pow_tensor(lib, leaf):
    x, e = leaf((3,), positive=True), leaf((3,))
    return [x ** e], [x, e]


@case
def rpow(lib, leaf):
    e = leaf((3,))
    return [2.0 ** e], [e]


@case
def add(lib, leaf):
    x, y = leaf((3,)), leaf((3,))
    return [x + y, x.add(y, alpha=2)], [x, y]


@case
def sub(lib, leaf):
    x, y = leaf((3,)), leaf((3,))
    return [x - y, 2 - x], [x, y]


@case
def mul(lib, leaf):
    x, y = leaf((3,)), leaf((3,))
    return [x * y], [x, y]


@case
def mul_self(lib, leaf):
    x = leaf((3,))
    return [x.sin() * x], [x]


@case
def mul_scalar(lib, leaf):
    x = leaf((3,))
    return [x * 3], [x]


@case
def div(lib, leaf):
    x, y = leaf((3,)), leaf((3,), positive=True)
    return [x / y], [x, y]


@case
def div_scalar(lib, leaf):
    x = leaf((3,))
    return [x / 3, 2 / x], [x]


@case
def atan2(lib, leaf):
    x, y = leaf((3,)), leaf((3,))
    return [lib.atan2(x, y)], [x, y]


@case
def maximum(lib, leaf):
    x, y = leaf((3,)), leaf((3,))
    return [lib.maximum(x, y), lib.minimum(x, y)], [x, y]


@case
def hypot(lib, leaf):
    x, y = leaf((3,)), leaf((3,))
    return [lib.hypot(x, y)], [x, y]


@case
def logaddexp(lib, leaf):
    x, y = leaf((3,)), leaf((3,))
    return [lib.logaddexp(x, y)], [x, y]


@case
def lerp(lib, leaf):
    x, y, w = leaf((3,)), leaf((3,)), leaf((3,))
    return [lib.lerp(x, y, 0.3), lib.lerp(x, y, w)], [x, y, w]


@case
def where(lib, leaf):
    x, y = leaf((3,)), leaf((3,))
    return [lib.where(x > 0, x * x, y * y)], [x, y]


@case
def clamp(lib, leaf):
    x = leaf((4,))
    return [(x * x).clamp(-1, 1), x.clamp(min=0.5) * x], [x]


@case
def sum_dim(lib, leaf):
    x = leaf((2, 3))
    return [(x * x).sum(1)], [x]


@case
def mean(lib, leaf):
    x = leaf((2, 3))
    return [(x * x).mean(), (x * x).mean(0)], [x]


@case
def prod(lib, leaf):
    x = leaf((2, 3))
    return [x.prod(), x.prod(1)], [x]


@case
def max_min(lib, leaf):
    x = leaf((2, 3))
    return [(x * x).max(), (x * x).amax(1), (x * x).max(1).values], [x]


@case
def var_std(lib, leaf):
    x = leaf((2, 3))
    return [x.var(), x.std(1)], [x]


@case
def norm(lib, leaf):
    x = leaf((2, 3))
    return [x.norm(), lib.linalg.vector_norm(x, 3)], [x]


@case
def logsumexp(lib, leaf):
    x = leaf((2, 3))
    return [x.logsumexp(1)], [x]


@case
def cumsum(lib, leaf):
    x = leaf((2, 3))
    return [(x * x).cumsum(1), x.cumprod(1)], [x]


@case
def softmax(lib, leaf):
    x = leaf((2, 3))
    w = leaf((2, 3), requires_grad=False)
    return [x.softmax(1) * w], [x]


@case
def log_softmax(lib, leaf):
    x = leaf((2, 3))
    w = leaf((2, 3), requires_grad=False)
    return [x.log_softmax(1) * w], [x]


@case
def shapes(lib, leaf):
    x = leaf((2, 3))
    y = (x * x)
    return [y.t().reshape(6) * x.view(6), y.unsqueeze(0).expand(2, 2, 3),
            y.permute(1, 0)[1:], y[0] * y[:, 1].sum()], [x]


@case
def cat_stack(lib, leaf):
    x, y = leaf((2, 3)), leaf((2, 3))
    return [lib.cat([x * x, y], 0), lib.stack([x, y * x], 1)], [x, y]


@case
def indexing(lib, leaf):
    x = leaf((4, 3))
    i = lib.tensor([0, 2, 2])
    return [(x * x)[i], x.gather(1, lib.tensor([[0], [1], [2], [0]])) ** 2,
            x.index_select(0, i) * x[:3]], [x]


@case
def mm(lib, leaf):
    a, b = leaf((2, 3)), leaf((3, 4))
    return [a.mm(b) ** 2], [a, b]


@case
def matmul(lib, leaf):
    a, b = leaf((2, 3)), leaf((3,))
    return [(a @ b).exp(), a @ a.t()], [a, b]


@case
def linear(lib, leaf):
    x, w, b = leaf((2, 3)), leaf((4, 3)), leaf((4,))
    return [_f(lib).linear(x, w, b).tanh()], [x, w, b]


@case
def relu_net(lib, leaf):
    x, w = leaf((2, 3)), leaf((4, 3))
    return [_f(lib).relu(x @ w.t()) ** 2], [x, w]


@case
def gelu_silu(lib, leaf):
    x = leaf((3,))
    F = _f(lib)
    return [F.gelu(x), F.silu(x), F.softplus(x), F.elu(x), F.leaky_relu(x, 0.1)], [x]


@case
def mse_loss(lib, leaf):
    x, t = leaf((2, 3)), leaf((2, 3))
    return [_f(lib).mse_loss(x, t), _f(lib).mse_loss(x, t, reduction="sum")], [x, t]


@case
def nll_loss(lib, leaf):
    x = leaf((3, 4))
    t = lib.tensor([0, 3, 1])
    return [_f(lib).nll_loss(x.log_softmax(1), t)], [x]


@case
def cross_entropy(lib, leaf):
    x = leaf((3, 4))
    t = lib.tensor([0, 3, 1])
    return [_f(lib).cross_entropy(x, t)], [x]


@case
def bce(lib, leaf):
    x = leaf((3,))
    t = leaf((3,), positive=True, high=0.9, requires_grad=False)
    F = _f(lib)
    return [F.binary_cross_entropy(x.sigmoid(), t),
            F.binary_cross_entropy_with_logits(x, t)], [x]


@case
def hvp(lib, leaf):
    # a Hessian-vector product: the gradient, dotted with v, differentiated again
    x = leaf((3,))
    v = leaf((3,), requires_grad=False)
    y = (x ** 3 + x.tanh() * x).sum()
    (g,) = lib.autograd.grad(y, x, create_graph=True)
    return [g * v], [x]


@case
def gradient_penalty(lib, leaf):
    x, w = leaf((2, 3)), leaf((3,))
    out = (x @ w).sigmoid().sum()
    (g,) = lib.autograd.grad(out, x, create_graph=True)
    return [g.pow(2).sum()], [x, w]


@case
def mlp_tanh(lib, leaf):
    x, w1, w2 = leaf((2, 3)), leaf((4, 3)), leaf((1, 4))
    F = _f(lib)
    return [F.linear(F.linear(x, w1).tanh(), w2)], [x, w1, w2]


def third_order(name, fn):
    """``fn``'s case, differentiated once more: the graph of the second derivative."""
    def third(lib, leaf):
        return fn(lib, leaf)

    third.extra_levels = 1
    CASES[name + "_3"] = third


for _name in ["tanh", "sigmoid", "relu", "softmax", "log_softmax", "rsqrt", "div", "pow_int3",
              "pow_tensor", "mul", "sqrt", "mse_loss", "reciprocal", "exp", "sin", "cos", "log"]:
    if _name in CASES:
        third_order(_name, CASES[_name])


@case
def atanh(lib, leaf):
    x = leaf((3,), low=-0.9, high=0.9)
    return [x.atanh()], [x]


third_order("atanh", atanh)


# ---------------------------------------------------------------------- comparing
def _graph(roots, seq_of):
    """Nodes in a depth-first order from ``roots``: [(name, [(child index, input_nr)],
    saved numbers)], and the nodes' indices in creation order."""
    index, nodes, order = {}, [], []

    def visit(n):
        if n in index:
            return index[n]
        i = index[n] = len(nodes)
        nodes.append(None)
        edges = []
        for child, nr in n.next_functions:
            edges.append(None if child is None else (visit(child), nr))
        saved = {}
        for attr in dir(n):
            if attr.startswith("_saved_"):
                try:
                    v = getattr(n, attr)
                except Exception as e:
                    v = type(e).__name__
                if isinstance(v, int | float | bool | str) or v is None:
                    saved[attr] = v
                elif isinstance(v, tuple | list) and all(isinstance(e, int) for e in v):
                    saved[attr] = tuple(v)
                else:
                    saved[attr] = "tensor"
        nodes[i] = (n.name(), edges, saved)
        if "AccumulateGrad" not in n.name():
            order.append((seq_of(n), i))
        return i

    for r in roots:
        if r is not None:
            visit(r)
    return nodes, [i for _, i in sorted(order)]


def run(lib, name):
    leaf = _leaf_maker(lib)
    fn = CASES[name]
    outs, inputs = fn(lib, leaf)
    total = sum(o.sum() for o in outs)
    grads = lib.autograd.grad(total, inputs, create_graph=True, allow_unused=True)
    for _ in range(getattr(fn, "extra_levels", 0)):
        total = sum(g.sum() for g in grads if g is not None and g.requires_grad)
        grads = lib.autograd.grad(total, inputs, create_graph=True, allow_unused=True)
    if lib is torch:
        def seq_of(n):
            return n._sequence_nr()
    else:
        def seq_of(n):
            return n._sequence_nr
    graph = _graph([g.grad_fn for g in grads if g is not None], seq_of)
    needing = [g for g in grads if g is not None and g.requires_grad]
    second = []
    if needing:
        s = sum(g.sum() for g in needing)
        second = lib.autograd.grad(s, inputs, allow_unused=True)
    values = [_array(lib, g) for g in grads]
    values2 = [_array(lib, g) for g in second]
    return graph, values, values2


def _array(lib, t):
    if t is None:
        return None
    if lib is torch:
        return t.detach().numpy(force=True).copy()
    return t.detach().numpy().copy()


def _values_differ(a, b, rtol, atol):
    if len(a) != len(b):
        return True
    for x, y in zip(a, b, strict=True):
        if (x is None) != (y is None):
            return True
        if x is not None and (x.dtype != y.dtype or x.shape != y.shape or not np.allclose(
                x, y, rtol=rtol, atol=atol, equal_nan=True)):
            return True
    return False


def compare(name, rtol=0.0, atol=0.0):
    """The differences between the two libraries for case ``name`` (empty: they agree); values
    are compared within ``rtol``/``atol`` (bit for bit by default)."""
    problems = []
    try:
        ours = run(autogradviz, name)
    except Exception as e:
        return [f"autogradviz raised {type(e).__name__}: {e}"]
    theirs = run(torch, name)
    (nodes_o, order_o), (nodes_t, order_t) = ours[0], theirs[0]
    if [n[:2] for n in nodes_o] != [n[:2] for n in nodes_t]:
        problems.append("structure")
    elif [n[2] for n in nodes_o] != [n[2] for n in nodes_t]:
        problems.append("saved")
    if not problems and order_o != order_t:
        problems.append("creation order")
    for what, a, b in (("gradient", ours[1], theirs[1]), ("second derivative", ours[2],
                                                          theirs[2])):
        if _values_differ(a, b, rtol, atol):
            problems.append(f"{what} values")
    return problems


def describe(name):
    """Both graphs, for a reader."""
    lines = []
    for lib in (autogradviz, torch):
        (nodes, order), *_ = run(lib, name)
        lines.append(lib.__name__)
        for i, (n, edges, saved) in enumerate(nodes):
            lines.append(f"  {i}: {n} -> {edges} {saved}")
        lines.append(f"  creation order: {order}")
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    names = sys.argv[1:] or list(CASES)
    for name in names:
        problems = compare(name)
        print(f"{name:20s} {'matches' if not problems else 'DIFFERS: ' + ', '.join(problems)}")
        if problems and len(names) == 1:
            print(describe(name))
