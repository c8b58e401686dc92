"""The engine's two ways of running: stepped (``backward_steps`` yields a ``Step`` per node) and
unobserved (``backward()``/``autograd.grad()``, no ``Step`` records). They are one engine, so
the same graph must give the same gradients, bit for bit, in the same node order either way."""

import os

os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")

import gc
import warnings
import weakref

import numpy as np
import pytest
import torch as real_torch

import autogradviz as torch
from autogradviz.autograd import backward_steps

ACC = "torch::autograd::AccumulateGrad"


def _mlp(x, w1, b1, w2, b2, target):
    h = (x @ w1 + b1).relu()
    logits = h @ w2 + b2
    logp = logits - logits.logsumexp(1, keepdim=True)
    return -logp[torch.arange(x.shape[0]), target].mean()


def _leaves(seed):
    rng = np.random.default_rng(seed)
    x = torch.from_numpy(rng.standard_normal((6, 5)).astype(np.float32))
    params = [torch.from_numpy(a.astype(np.float32)).requires_grad_() for a in (
        rng.standard_normal((5, 4)), rng.standard_normal(4), rng.standard_normal((4, 3)),
        rng.standard_normal(3))]
    target = torch.from_numpy(rng.integers(0, 3, 6))
    return x, params, target


# Each builds a graph from fresh leaves and returns (roots, grad_tensors, leaves).
def _graph_mlp():
    x, params, target = _leaves(0)
    return [_mlp(x, *params, target)], None, params


def _graph_diamond():
    a = torch.tensor([0.5, -1.5, 2.0], requires_grad=True)
    b = torch.tensor([1.0, 3.0, -0.25], requires_grad=True)
    u = a * b
    v = u.exp() + u.sin() * a
    w = torch.cat([v[1:], v[:1]]) * u
    return [w.sum()], None, [a, b]


def _graph_several_roots():
    a = torch.tensor([[0.5, -1.5], [2.0, 0.75]], requires_grad=True)
    b = torch.tensor([[1.0, 3.0], [-0.25, 0.5]], requires_grad=True)
    y = a @ b
    z = (a * 2).tanh()
    return [y, z.sum()], [torch.ones(2, 2) * 0.5, None], [a, b]


def _graph_chain():
    x = torch.tensor(0.5, requires_grad=True)
    y = x
    for i in range(300):
        y = y * 1.0001 if i % 2 else y + 0.001
    return [y], None, [x]


def _graph_partial_grads():
    """A node one of whose outputs gets no gradient (the other is filled with zeros)."""
    a = torch.tensor([3.0, 1.0, 2.0, 5.0], requires_grad=True)
    values, _ = a.sort()
    first = values.split(2)[0]
    return [(first * 3).sum()], None, [a]


GRAPHS = [_graph_mlp, _graph_diamond, _graph_several_roots, _graph_chain, _graph_partial_grads]


def _record_order(roots):
    """A prehook on every node records the order the engine reaches them."""
    order, seen, stack = [], set(), [r.grad_fn for r in roots]
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        node.register_prehook(lambda grads, node=node: order.append(node.name()))
        stack.extend(fn for fn, _ in node.next_functions)
    return order


def _bits(t):
    return None if t is None else (t.dtype, t.shape, t.numpy().tobytes())


@pytest.mark.parametrize("build", GRAPHS, ids=lambda f: f.__name__[len("_graph_"):])
@pytest.mark.parametrize("hooked", [False, True], ids=["plain", "hooked"])
def test_stepped_and_unobserved_backward_agree(build, hooked):
    roots, grads, leaves = build()
    order = _record_order(roots) if hooked else None
    torch.autograd.backward(roots, grads)
    unobserved = [_bits(t.grad) for t in leaves]
    unobserved_order = list(order) if hooked else None

    roots, grads, leaves = build()
    order = _record_order(roots) if hooked else None
    steps = list(backward_steps(roots, grads))
    assert [_bits(t.grad) for t in leaves] == unobserved
    if hooked:
        assert order == unobserved_order
        assert [s.node.name() for s in steps] == order
    assert [s.index for s in steps] == list(range(len(steps)))
    accumulated = [s.leaf for s in steps if s.node.name() == ACC]
    assert {id(t) for t in accumulated} == {id(t) for t in leaves}


@pytest.mark.parametrize("build", GRAPHS, ids=lambda f: f.__name__[len("_graph_"):])
def test_autograd_grad_matches_the_steps(build):
    roots, grads, leaves = build()
    got = torch.autograd.grad(roots, leaves, grads, allow_unused=True)
    roots, grads, leaves = build()
    list(backward_steps(roots, grads))
    assert [_bits(g) for g in got] == [_bits(t.grad) for t in leaves]
    assert all(t.grad is None for t in build()[2])  # grad() does not accumulate


def test_create_graph_gives_the_same_second_derivative_either_way():
    def second(run):
        x = torch.tensor([0.5, 1.5, -2.0], requires_grad=True)
        y = (x.sin() * x * x).sum()
        run(y)
        g = x.grad
        x.grad = None
        g.sum().backward()
        return _bits(g.detach()), _bits(x.grad)

    assert second(lambda y: y.backward(create_graph=True)) == second(
        lambda y: list(backward_steps(y, create_graph=True)))


def test_retained_graph_runs_again_on_either_path():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    once = _bits(x.grad)
    list(backward_steps(y, retain_graph=True))
    y.backward()
    assert _bits(x.grad) == _bits(torch.tensor(np.frombuffer(once[2], np.float32) * 3))
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        list(backward_steps(y))


def test_stepping_restores_grad_mode_between_steps():
    """The observer sees its own grad mode between steps, not the engine's."""
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    modes = [torch.is_grad_enabled() for _ in backward_steps(y)]
    assert modes and all(modes)
    z = (x * 3).sum()
    with torch.no_grad():
        modes = [torch.is_grad_enabled() for _ in backward_steps(z, create_graph=True)]
    assert modes and not any(modes)
    assert torch.is_grad_enabled()


def test_unobserved_path_yields_nothing():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    assert list(backward_steps((x * x).sum(), _observe=False)) == []
    assert x.grad.tolist() == [2.0, 4.0]


def test_errors_are_the_same_on_both_paths():
    def failure(run):
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        y = x * x
        with pytest.raises(RuntimeError) as info:
            run(y)
        return str(info.value)

    assert failure(lambda y: y.backward()) == failure(lambda y: list(backward_steps(y)))


# ---------------------------------------------------------------------- saved outputs
# An output its own node saves (exp's ``result``) is held without a reference cycle: the
# program dropping it frees it, as in PyTorch, while backward still reads its values.
LIBS = pytest.mark.parametrize("lib", [real_torch, torch], ids=["torch", "autogradviz"])


@LIBS
def test_dropped_saved_output_is_freed_at_once(lib):
    gc.disable()
    try:
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x.exp()
        ref = weakref.ref(y)
        s = (y * 2).sum()
        del y
        assert ref() is None
    finally:
        gc.enable()
    s.backward()
    assert x.grad.tolist() == pytest.approx([2 * np.e, 2 * np.e**2])


def _after_drop(lib):
    x = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = x.exp()
    exp_node = y.grad_fn
    s = y.sum()
    del y
    saved = exp_node._saved_result
    (g,) = lib.autograd.grad(s, x, create_graph=True)
    g.sum().backward()
    return (saved.requires_grad, saved.grad_fn is exp_node, saved.tolist(), g.tolist(),
            x.grad.tolist())


def test_saved_output_read_after_the_output_is_gone_matches_torch():
    assert _after_drop(torch) == pytest.approx(_after_drop(real_torch))


def _indices_after_drop(lib):
    x = lib.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]], requires_grad=True)
    values, indices = x.max(1)
    node = values.grad_fn
    del indices
    saved = node._saved_indices
    values.sum().backward()
    return saved.requires_grad, saved.grad_fn is None, saved.tolist(), x.grad.tolist()


def test_saved_indices_read_after_they_are_gone_have_no_history():
    assert _indices_after_drop(torch) == _indices_after_drop(real_torch)


@LIBS
def test_live_saved_output_changed_in_place_is_still_detected(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    s = y.sum() * 1.0
    z = y * 3  # y is saved by ExpBackward0 (as its result) only
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        (z.sum() + s).backward()


LAYOUTS = {
    "transposed": lambda lib: lib.randn(3, 4).t(),
    "strided (not dense)": lambda lib: lib.randn(3, 4)[:, ::2],
    "permuted": lambda lib: lib.randn(2, 3, 4).permute(2, 0, 1),
    "size-1 dim moved": lambda lib: lib.randn(4, 1, 3).transpose(0, 2),
    "contiguous": lambda lib: lib.randn(2, 3),
}


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_first_grad_takes_the_leafs_layout(name):
    """AccumulateGrad's first ``.grad`` is laid out as its leaf when the leaf is dense
    (PyTorch's clone_obey_contract), C-contiguous otherwise; a second one adds in place."""
    strides = []
    for lib in (real_torch, torch):
        lib.manual_seed(0)
        w = LAYOUTS[name](lib).requires_grad_()
        (w * 2).sum().backward()
        first = w.grad.stride()
        (w.exp()).sum().backward()
        strides.append((w.stride(), first, w.grad.stride(), w.grad.tolist()))
    theirs, ours = strides
    assert ours[:3] == theirs[:3]
    np.testing.assert_allclose(ours[3], theirs[3], rtol=1e-6)


CREATE_GRAPH_FIRST_GRADS = {
    "two contributions (w @ w).trace()": (lambda lib: lib.randn(3, 3),
                                           lambda w: (w @ w).trace()),
    "a constant gradient": (lambda lib: lib.randn(3, 3), lambda w: (w * 2).sum()),
    "transposed leaf": (lambda lib: lib.randn(3, 4).t(), lambda w: (w * 2).sum()),
    "cube": (lambda lib: lib.randn(3), lambda w: (w ** 3).sum()),
}


@pytest.mark.parametrize("name", list(CREATE_GRAPH_FIRST_GRADS))
def test_first_grad_under_create_graph_is_a_recorded_copy(name):
    """With ``create_graph=True`` PyTorch's AccumulateGrad copies the first gradient into a
    tensor laid out as the leaf, recording the copy (CopyBackwards) when it has history."""
    make, loss = CREATE_GRAPH_FIRST_GRADS[name]
    seen = []
    for lib in (real_torch, torch):
        lib.manual_seed(0)
        w = make(lib).requires_grad_()
        with warnings.catch_warnings():  # the reference-cycle warning (once a process)
            warnings.simplefilter("ignore")
            loss(w).backward(create_graph=True)
        g = w.grad
        fn = g.grad_fn
        seen.append((type(fn).__name__, g.stride(), g.requires_grad,
                     fn and [None if f is None else type(f).__name__
                             for f, _ in fn.next_functions]))
    assert seen[1] == seen[0]
