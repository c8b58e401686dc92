"""Autograd semantics against real PyTorch: leaves, hooks, errors, modes, memory, deep graphs."""

import os

os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")

import gc
import subprocess
import sys
import warnings
import weakref

import numpy as np
import pytest
import torch
from _grad_harness import outcome

import autogradviz
from autogradviz.autograd import backward_steps

LIBS = pytest.mark.parametrize("lib", [torch, autogradviz], ids=["torch", "autogradviz"])


def assert_same(fn):
    """``fn(lib)`` gives the same result, or raises the same error, in both libraries."""
    theirs, ours = outcome(fn)
    assert ours == theirs


# ---------------------------------------------------------------------- leaves and flags
def test_requires_grad_propagates_and_leaves():
    def prog(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = lib.tensor([4.0, 5.0, 6.0])
        z = x * y
        w = y * 2
        return (x.is_leaf, y.is_leaf, z.is_leaf, w.is_leaf, z.requires_grad, w.requires_grad,
                x.grad, z.grad_fn.name(), w.grad_fn, repr(z), repr(x))

    assert_same(prog)


def test_tutorial_flags():
    def prog(lib):
        x = lib.randn(2, 2)
        x.requires_grad_()
        z = x + x
        new_z = z.detach()
        with lib.no_grad():
            inner = (x**2).requires_grad
        return (z.requires_grad, new_z.grad_fn, new_z.requires_grad, inner,
                (x**2).requires_grad)

    assert_same(prog)


@pytest.mark.parametrize("case", ["int", "set_false_nonleaf", "grad_wrong_shape",
                                  "grad_wrong_type"])
def test_flag_errors(case):
    def prog(lib):
        if case == "int":
            lib.tensor([1, 2]).requires_grad_()
        elif case == "set_false_nonleaf":
            x = lib.tensor([1.0], requires_grad=True)
            (x * 2).requires_grad_(False)
        elif case == "grad_wrong_shape":
            x = lib.tensor([1.0, 2.0], requires_grad=True)
            x.grad = lib.tensor([1.0])
        else:
            x = lib.tensor([1.0, 2.0], requires_grad=True)
            x.grad = lib.tensor([1.0, 2.0], dtype=lib.float64)

    assert_same(prog)


# ---------------------------------------------------------------------- backward
def test_gradients_accumulate():
    def prog(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        for _ in range(3):
            (x * x).sum().backward()
        return x.grad.tolist()

    assert_same(prog)


@pytest.mark.parametrize("case", ["twice", "non_scalar", "no_grad", "wrong_gradient_shape"])
def test_backward_errors(case):
    def prog(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        if case == "twice":
            y = (x * x).sum()
            y.backward()
            y.backward()
        elif case == "non_scalar":
            (x * 2).backward()
        elif case == "no_grad":
            lib.tensor([1.0]).sum().backward()
        else:
            (x * 2).backward(lib.ones(2))
        return x.grad.tolist()

    assert_same(prog)


def test_retain_graph_allows_second_backward():
    def prog(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = (x * x).sum()
        y.backward(retain_graph=True)
        y.backward()
        return x.grad.tolist()

    assert_same(prog)


def test_non_leaf_grad_warns_and_retain_grad_keeps_it():
    def prog(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        z = x * 4
        z.retain_grad()
        (y * z).sum().backward()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            missing = y.grad
        return (missing, [str(w.message)[:60] for w in caught], z.grad.tolist(),
                z.retains_grad, y.retains_grad)

    assert_same(prog)


def test_autograd_grad_and_allow_unused():
    def prog(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        u = lib.tensor([3.0], requires_grad=True)
        y = (x**3).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (g2,) = lib.autograd.grad(g.sum(), x)
        gu = lib.autograd.grad((x * 2).sum(), [x, u], allow_unused=True)
        return g.tolist(), g2.tolist(), gu[1], x.grad

    assert_same(prog)


def test_autograd_grad_unused_error():
    def prog(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        u = lib.tensor([3.0], requires_grad=True)
        lib.autograd.grad((x * 2).sum(), [x, u])

    assert_same(prog)


def test_backward_inputs_restricts_accumulation():
    def prog(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = lib.tensor([3.0, 4.0], requires_grad=True)
        (x * y).sum().backward(inputs=[x])
        return x.grad.tolist(), y.grad

    assert_same(prog)


def test_multiple_roots_and_grad_tensors():
    def prog(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        a = x * 2
        b = x * x
        lib.autograd.backward([a, b], [lib.tensor([1.0, 10.0]), lib.tensor([100.0, 1000.0])])
        return x.grad.tolist()

    assert_same(prog)


# ---------------------------------------------------------------------- hooks
def test_tensor_hooks_change_gradients_and_remove():
    def prog(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        seen = []
        h1 = y.register_hook(lambda g: g * 10)
        h2 = x.register_hook(lambda g: seen.append(g.tolist()))
        y.sum().backward(retain_graph=True)
        first = x.grad.tolist()
        h1.remove()
        h2.remove()
        y.sum().backward()
        return first, x.grad.tolist(), seen

    assert_same(prog)


def test_node_hooks_and_post_accumulate():
    def prog(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = (x * 3).sum()
        log = []
        y.grad_fn.register_prehook(lambda gout: log.append(("pre", [g.tolist() for g in gout])))
        y.grad_fn.register_hook(
            lambda gin, gout: log.append(("post", [g.tolist() for g in gin])))
        x.register_post_accumulate_grad_hook(lambda t: log.append(("acc", t.grad.tolist())))
        y.backward()
        return log

    assert_same(prog)


# ---------------------------------------------------------------------- in-place
def test_inplace_on_leaf_requiring_grad_errors():
    def prog(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        x.add_(1)

    assert_same(prog)


def test_modified_saved_tensor_errors_with_pytorchs_message():
    def prog(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        z = y * y
        y.add_(1)
        z.sum().backward()

    assert_same(prog)


def test_version_counter_shared_by_views():
    def prog(lib):
        x = lib.zeros(2, 3)
        v = x[0]
        v.add_(1)
        x.mul_(2)
        return x._version, v._version, x.tolist()

    assert_same(prog)


# ---------------------------------------------------------------------- grad modes
def test_grad_modes_as_context_managers_and_decorators():
    def prog(lib):
        x = lib.tensor([1.0], requires_grad=True)

        @lib.no_grad()
        def f():
            return (x * 2).requires_grad

        @lib.enable_grad()
        def g():
            return (x * 2).requires_grad

        with lib.no_grad():
            inside = g()
        with lib.set_grad_enabled(False):
            off = (x * 2).requires_grad
        with lib.inference_mode():
            inf = (x * 2).requires_grad
        return f(), inside, off, inf, lib.is_grad_enabled()

    assert_same(prog)


# ---------------------------------------------------------------------- custom functions
def test_custom_function():
    def prog(lib):
        class Cube(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, k):
                ctx.save_for_backward(x)
                ctx.k = k
                return x**3 * k

            @staticmethod
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return g * 3 * x**2 * ctx.k, None

        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = Cube.apply(x, 2.0)
        y.sum().backward()
        return type(y.grad_fn).__name__, x.grad.tolist(), y.tolist()

    assert_same(prog)


def test_jacobian_and_hessian():
    def prog(lib):
        x = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64)
        j = lib.autograd.functional.jacobian(lambda t: t**2 * t.sum(), x)
        h = lib.autograd.functional.hessian(lambda t: (t**3).sum(), x)
        return np.round(j.numpy(), 10).tolist(), np.round(h.numpy(), 10).tolist()

    assert_same(prog)


@pytest.mark.parametrize("name", ["vjp", "jvp", "vhp", "hvp"])
def test_vector_products(name):
    """The intro tutorial's ``vjp``, and ``jvp``/``vhp``/``hvp`` (tuples of inputs too), with
    PyTorch's error when ``v`` is left out for more than one input element."""
    def prog(lib):
        fn = getattr(lib.autograd.functional, name)
        x = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64)
        y = lib.tensor([0.5, -1.0, 2.0], dtype=lib.float64)
        v = lib.tensor([0.1, 1.0, 0.0001], dtype=lib.float64)
        cubes = (lambda t: (t**3).sum()) if name in ("vhp", "hvp") else (lambda t: t**3 * t.sum())
        pair = ((lambda a, b: (a * b.exp()).sum()) if name in ("vhp", "hvp")
                else (lambda a, b: a * b.exp()))
        out, product = fn(cubes, x, v)
        out2, products = fn(pair, (x, y), v if name == "vjp" else (v, v))
        try:  # v of the wrong length
            fn(pair, (x, y), (v, v) if name == "vjp" else (v,))
            length_error = None
        except RuntimeError as e:
            length_error = str(e)
        _, single = fn(lambda t: t * 3, lib.tensor([2.0], dtype=lib.float64))
        try:
            fn(cubes, x)
            error = None
        except RuntimeError as e:
            error = str(e)
        return ([np.round(t.numpy(), 10).tolist() for t in (out, product, out2, *products)],
                single.tolist(), product.requires_grad, error, length_error)

    assert_same(prog)


# ---------------------------------------------------------------------- the engine itself
def test_backward_steps_yields_one_step_per_node_with_numbers():
    x = autogradviz.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = autogradviz.tensor([4.0, 5.0, 6.0], requires_grad=True)
    s = (x * y + x).sum()
    steps = list(backward_steps(s))
    acc = "torch::autograd::AccumulateGrad"
    assert [st.node.name() for st in steps] == [
        "SumBackward0", "AddBackward0", "MulBackward0", acc, acc]
    mul = steps[2]
    assert mul.received[0].tolist() == [1.0, 1.0, 1.0]
    assert [g.tolist() for g in mul.produced] == [[4.0, 5.0, 6.0], [1.0, 2.0, 3.0]]
    # x's two contributions (1 from AddBackward0, y from MulBackward0) arrive summed
    assert steps[3].leaf is x and steps[3].received[0].tolist() == [5.0, 6.0, 7.0]
    assert steps[4].leaf is y and steps[3].grad_before is None
    assert x.grad.tolist() == [5.0, 6.0, 7.0]


def test_saved_tensors_are_released_after_backward():
    x = autogradviz.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    z = y.exp()
    ref = weakref.ref(y)
    s = (z * y).sum()
    del y, z
    gc.collect()
    assert ref() is not None  # kept alive by the graph's saved tensors
    s.backward()
    gc.collect()
    assert ref() is None


def test_saved_tensors_kept_with_retain_graph():
    x = autogradviz.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    ref = weakref.ref(y)
    s = (y * y).sum()
    del y
    s.backward(retain_graph=True)
    gc.collect()
    assert ref() is not None


def test_hundred_thousand_op_chain():
    limit = sys.getrecursionlimit()
    x = autogradviz.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert x.grad.item() == 1.0
    assert sys.getrecursionlimit() == limit


def double_in_place(lib):
    """A custom Function that doubles its input in place (``mark_dirty``)."""

    class Double(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            a.mul_(2)
            ctx.mark_dirty(a)
            return a

        @staticmethod
        def backward(ctx, g):
            return g * 2

    return Double


def test_custom_function_modifying_a_view_in_place():
    def prog(lib):
        Double = double_in_place(lib)
        x = lib.ones(3, requires_grad=True)
        y = x * 1
        z = Double.apply(y[1:])
        y.sum().backward()
        return type(y.grad_fn).__name__, type(z.grad_fn).__name__, x.grad.tolist(), repr(y)

    assert_same(prog)


def test_custom_function_modifying_a_leaf_in_place_errors():
    def prog(lib):
        Double = double_in_place(lib)
        Double.apply(lib.ones(3, requires_grad=True))

    assert_same(prog)


def test_anomaly_mode_names_the_forward_line_of_the_failing_node():
    def prog(lib):
        class Bad(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                return a * 1

            @staticmethod
            def backward(ctx, g):
                raise ValueError("boom")

        x = lib.ones(2, requires_grad=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with lib.autograd.detect_anomaly():
                y = Bad.apply(x * 2)  # the line anomaly mode must name
                try:
                    y.sum().backward()
                except ValueError as err:
                    error = str(err)
        texts = [str(w.message) for w in caught]
        traces = [t for t in texts if t.startswith("Error detected in")]
        return error, texts[0], traces[0].splitlines()[0], "y = Bad.apply(x * 2)" in traces[0]

    assert_same(prog)


def test_anomaly_mode_reports_nan_gradients():
    def prog(lib):
        x = lib.ones(2, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with lib.autograd.set_detect_anomaly(True):
                z = (x * 0).log() * 0
                z.sum().backward()

    assert_same(prog)


def test_backward_with_create_graph_warns_once():
    """``backward(create_graph=True)`` warns about the parameter-gradient reference cycle once
    per process (``autograd.grad`` does not), as PyTorch does."""
    program = (
        "import warnings\nwarnings.simplefilter('always')\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        "    x = torch.ones(2, requires_grad=True)\n"
        "    torch.autograd.grad((x * x).sum(), x, create_graph=True)\n"
        "    print(len(caught))\n"
        "    (x * x).sum().backward(create_graph=True)\n"
        "    (x * x).sum().backward(create_graph=True)\n"
        "print([str(w.message) for w in caught])\n"
    )
    outputs = [subprocess.run([sys.executable, "-c", f"import {lib} as torch\n" + program],
                              capture_output=True, text=True, check=True).stdout
               for lib in ("torch", "autogradviz")]
    assert outputs[0] == outputs[1]
    assert "reference cycle" in outputs[1]


def test_gradcheck_calls_and_message_as_pytorch():
    """gradcheck calls the function (outputs, then the numerical Jacobian, lower point first)
    and the backward (each Jacobian twice) in PyTorch's order, and reports a mismatch in
    PyTorch's words, Jacobians printed as tensors."""
    def prog(lib):
        calls = []

        class Wrong(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, k):
                calls.append(("forward", ctx.needs_input_grad, x.tolist()))
                return x.exp() * k

            @staticmethod
            def backward(ctx, g):
                calls.append(("backward", g.tolist()))
                return g, None

        x = lib.tensor([0.5, 1.0], dtype=lib.float64, requires_grad=True)
        try:
            lib.autograd.gradcheck(lambda t: Wrong.apply(t, 2.0), (x,))
        except RuntimeError as error:
            calls.append((type(error).__module__, type(error).__name__, str(error)))
        calls.append(lib.autograd.gradcheck(lambda t: Wrong.apply(t, 2.0), (x,),
                                            raise_exception=False))

        class Right(lib.autograd.Function):  # passes: then the zero-grad_output checks run
            @staticmethod
            def forward(ctx, x):
                calls.append(("forward", x.tolist()))
                y = x.exp()
                ctx.save_for_backward(y)
                return y

            @staticmethod
            def backward(ctx, g):
                calls.append(("backward", g.tolist()))
                return g * ctx.saved_tensors[0]

        calls.append(lib.autograd.gradcheck(Right.apply, (x,)))
        return calls

    assert_same(prog)
