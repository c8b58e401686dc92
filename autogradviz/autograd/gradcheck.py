"""``gradcheck``/``gradgradcheck``: analytic Jacobians against central finite differences."""

from __future__ import annotations

import numpy as np


class GradcheckError(RuntimeError):
    """Raised when the analytical and numerical gradients disagree."""


GradcheckError.__module__ = "torch.autograd.gradcheck"  # printed as PyTorch's


def _tensor_inputs(inputs):
    from .._tensor import Tensor

    inputs = inputs if isinstance(inputs, tuple | list) else (inputs,)
    return tuple(inputs), [i for i, x in enumerate(inputs) if isinstance(x, Tensor)
                           and x.requires_grad]


def _outputs(func, inputs):
    out = func(*inputs)
    return out if isinstance(out, tuple | list) else (out,)


def _numerical(func, inputs, wrt, eps):
    """d outputs / d inputs[wrt] by central differences, as (n_in, n_out) arrays per output."""
    from .grad_mode import no_grad

    x = inputs[wrt]
    flat = x._data.reshape(-1) if x._data.flags.c_contiguous else None
    if flat is None:
        raise ValueError("gradcheck needs contiguous inputs")
    cols = []
    with no_grad():
        for k in range(flat.size):  # PyTorch's order: the lower point first
            orig = flat[k]
            flat[k] = orig - eps
            minus = [o._data.astype(np.float64).reshape(-1).copy() for o in _outputs(func, inputs)]
            flat[k] = orig + eps
            plus = [o._data.astype(np.float64).reshape(-1).copy() for o in _outputs(func, inputs)]
            flat[k] = orig
            cols.append([(p - m) / (2 * eps) for p, m in zip(plus, minus, strict=True)])
    if not cols:  # an empty input: empty Jacobians
        with no_grad():
            return [np.zeros((0, o.numel())) for o in _outputs(func, inputs)]
    return [np.stack([c[o] for c in cols]) for o in range(len(cols[0]))]


def _analytical_rows(out, inputs, wrt_list):
    """d out / d inputs[w] row by row (one backward per element of ``out``)."""
    from .. import _creation
    from .api import grad

    flat_n = out.numel()
    result = {w: np.zeros((inputs[w].numel(), flat_n)) for w in wrt_list}
    for k in range(flat_n):
        onehot = _creation.zeros_like(out)
        onehot._data[np.unravel_index(k, onehot._data.shape)] = 1  # any layout
        gs = grad(out, [inputs[w] for w in wrt_list], onehot, retain_graph=True,
                  allow_unused=True)
        for w, g in zip(wrt_list, gs, strict=True):
            if g is not None:
                result[w][:, k] = g._data.astype(np.float64).reshape(-1)
    return result


def _analytical(outs, inputs, wrt_list, nondet_tol):
    """The analytical Jacobians of the outputs already computed, each computed twice, as
    PyTorch does, to check that backward is deterministic ("reentrant")."""
    result = {}
    for o_index, out in enumerate(outs):
        if not getattr(out, "requires_grad", False):
            continue
        first = _analytical_rows(out, inputs, wrt_list)
        second = _analytical_rows(out, inputs, wrt_list)
        for w in wrt_list:
            if not np.allclose(first[w], second[w], rtol=0, atol=nondet_tol):
                raise GradcheckError(
                    "Backward is not reentrant, i.e., running backward with same input and "
                    "grad_output multiple times gives different values, although analytical "
                    "gradient matches numerical gradient.The tolerance for nondeterminism was "
                    f"{nondet_tol}.")
            result[(o_index, w)] = first[w]
    return result


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
              check_batched_grad=False, check_batched_forward_grad=False,
              check_forward_ad=False, check_backward_ad=True, fast_mode=False, masked=None):
    """True when ``func``'s backward matches finite differences at ``inputs``."""
    inputs, wrt_list = _tensor_inputs(inputs)
    for i in wrt_list:
        x = inputs[i]
        if x.dtype.name not in ("float64",):
            import warnings

            warnings.warn(
                f"Input #{i} requires gradient and is not a double precision floating point. "
                "This check will likely fail if all the inputs are not of double precision "
                "floating point. ",
                UserWarning,
                stacklevel=2,
            )
    # PyTorch's order: the outputs, the numerical Jacobians, then the analytical ones.
    outs = _outputs(func, inputs)
    numerical = {w: _numerical(func, inputs, w, eps) for w in wrt_list}
    analytical = _analytical(outs, inputs, wrt_list, nondet_tol)
    for o_index in range(len(outs)):
        for j, w in enumerate(wrt_list):  # j counts the inputs that require grad
            a = analytical.get((o_index, w))
            n = numerical[w][o_index]
            if a is None:
                continue
            if not np.allclose(a, n, rtol=rtol, atol=atol):
                if raise_exception:
                    from .._tensor import _wrap

                    dt = inputs[w].dtype
                    raise GradcheckError(
                        f"Jacobian mismatch for output {o_index} with respect to input {j},\n"
                        f"numerical:{_wrap(n.astype(dt.np), dt)}\n"
                        f"analytical:{_wrap(a.astype(dt.np), dt)}\n"
                    )
                return False
    if not check_backward_ad:
        return True
    try:
        _backward_checks(func, inputs, wrt_list, outs, check_undefined_grad)
    except GradcheckError:
        if raise_exception:
            raise
        return False
    return True


def _backward_checks(func, inputs, wrt_list, outs, check_undefined_grad):
    """PyTorch's checks after the Jacobians: a zero grad_output gives zero input gradients of
    the inputs' dtypes and sizes, also for outputs computed again (PyTorch makes their grads
    undefined, which autograd.Function materialises as zeros)."""
    from .. import _creation
    from .api import grad

    diff_inputs = [inputs[w] for w in wrt_list]
    if not diff_inputs:
        raise GradcheckError("no Tensors requiring grad found in input")
    outputs = [o for o in outs if getattr(o, "requires_grad", False)]
    grads = grad(outputs, diff_inputs, [_creation.zeros_like(o) for o in outputs],
                 allow_unused=True) if outputs else [None] * len(diff_inputs)
    for g, x in zip(grads, diff_inputs, strict=True):
        if g is None:
            continue
        if not bool((g == 0).all()):
            raise GradcheckError("backward not multiplied by grad_output")
        if g.dtype is not x.dtype:
            raise GradcheckError("grad is incorrect type")
        if g.shape != x.shape:
            raise GradcheckError("grad is incorrect size")
    if not check_undefined_grad:
        return
    again = [o for o in _outputs(func, inputs) if getattr(o, "requires_grad", False)]
    if not again:
        return
    try:
        grads = grad(again, diff_inputs, [_creation.zeros_like(o) for o in again],
                     allow_unused=True)
    except RuntimeError as error:
        raise GradcheckError(
            "Expected backward function to handle undefined output grads. Please look at "
            '"Notes about undefined output gradients" in "tools/autograd/derivatives.yaml"'
        ) from error
    if any(g is not None and not bool((g == 0).all()) for g in grads):
        raise GradcheckError(
            "Expected all input grads to be undefined or zero when all output grads are "
            'undefined or zero. Please look at "Notes about undefined output gradients" in '
            '"tools/autograd/derivatives.yaml"')


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False,
                  masked=False):
    """gradcheck of the gradient: checks second derivatives (through ``create_graph``)."""
    from .. import _creation
    from .api import grad

    inputs, wrt_list = _tensor_inputs(inputs)
    outs = _outputs(func, inputs)
    if grad_outputs is None:
        grad_outputs = tuple(
            _creation.randn(o.shape, dtype=o.dtype).requires_grad_(True) for o in outs
        )
    grad_outputs = tuple(grad_outputs) if isinstance(grad_outputs, tuple | list) else (
        grad_outputs,)
    n_in = len(inputs)

    def first_derivative(*args):
        from .grad_mode import enable_grad

        xs, gos = args[:n_in], args[n_in:]
        with enable_grad():  # the numerical pass runs this under no_grad
            outputs = _outputs(func, xs)
            diff_xs = [xs[i] for i in wrt_list]
            gs = grad(outputs, diff_xs, gos, create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(first_derivative, tuple(inputs) + grad_outputs, eps=eps, atol=atol,
                     rtol=rtol, raise_exception=raise_exception)
