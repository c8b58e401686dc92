"""``jacobian``, ``hessian`` and the vector products (``vjp``, ``jvp``, ``vhp``, ``hvp``) built from
``autograd.grad``."""

from __future__ import annotations

from .api import grad


def _as_tuple(x):
    return (tuple(x), True) if isinstance(x, tuple | list) else ((x,), False)


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """d func(inputs) / d inputs, shaped ``output.shape + input.shape`` (tuples for tuples)."""
    from .. import _creation
    from ..ops.shape import stack
    from .grad_mode import enable_grad

    inputs_t, inputs_tuple = _as_tuple(inputs)
    with enable_grad():
        inputs_t = tuple(
            t.detach().requires_grad_(True) if not create_graph or not t.requires_grad
            else t.view_as(t) for t in inputs_t
        )
        outputs = func(*inputs_t)
    outputs_t, outputs_tuple = _as_tuple(outputs)
    jac = []
    for out in outputs_t:
        rows = [[] for _ in inputs_t]
        flat = out.reshape(-1)
        for k in range(flat.numel()):
            if out.requires_grad:
                gs = grad(flat[k], inputs_t, retain_graph=True, create_graph=create_graph,
                          allow_unused=True)
            else:
                gs = (None,) * len(inputs_t)
            for j, (g, x) in enumerate(zip(gs, inputs_t, strict=True)):
                if g is None:
                    if strict:
                        raise RuntimeError(
                            f"Output {len(jac)} of the user-provided function is independent of "
                            f"input {j}. This is not allowed in strict mode."
                        )
                    g = _creation.zeros_like(x)
                rows[j].append(g)
        blocks = []
        for j, x in enumerate(inputs_t):
            if rows[j]:
                block = stack(rows[j]).reshape(tuple(out.shape) + tuple(x.shape))
            else:
                block = _creation.zeros(tuple(out.shape) + tuple(x.shape), dtype=x.dtype)
            blocks.append(block if create_graph else block.detach())
        jac.append(tuple(blocks))
    if not outputs_tuple and not inputs_tuple:
        return jac[0][0]
    if not outputs_tuple:
        return jac[0]
    if not inputs_tuple:
        return tuple(j[0] for j in jac)
    return tuple(jac)


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """The Jacobian of the gradient of a scalar function."""
    inputs_t, inputs_tuple = _as_tuple(inputs)

    def gradient(*xs):
        out = func(*xs)
        if out.numel() != 1:
            raise RuntimeError(
                "The function given to hessian should return a single element Tensor, "
                f"but got a Tensor with {out.numel()} elements"
            )
        gs = grad(out, xs, create_graph=True, allow_unused=True)
        from .. import _creation

        gs = tuple(g if g is not None else _creation.zeros_like(x) for g, x in zip(gs, xs,
                                                                                     strict=True))
        return gs if inputs_tuple else gs[0]

    return jacobian(gradient, inputs_t if inputs_tuple else inputs_t[0], create_graph=create_graph,
                    strict=strict)


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    from .grad_mode import enable_grad

    inputs_t, inputs_tuple = _as_tuple(inputs)
    with enable_grad():
        xs = tuple(t.detach().requires_grad_(True) for t in inputs_t)
        out = func(*xs)
    outputs_t, outputs_tuple = _as_tuple(out)
    if v is not None:
        _validate_v(_as_tuple(v)[0], outputs_t, outputs_tuple)
    elif len(outputs_t) != 1 or outputs_t[0].numel() != 1:
        raise RuntimeError("The vector v can only be None if the user-provided function returns "
                           "a single Tensor with a single element.")
    gs = grad(out, xs, v, create_graph=create_graph, allow_unused=True)
    gs = tuple(g.detach() if g is not None and not create_graph else g for g in gs)
    return out.detach(), gs if inputs_tuple else gs[0]


def _autograd_grad(outputs, inputs, grad_outputs, create_graph):
    """``grad`` of the outputs that require grad (None for every input if none does), as
    PyTorch's functional API takes them."""
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs, strict=True) if o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    return grad(tuple(o for o, _ in pairs), inputs, tuple(g for _, g in pairs),
                create_graph=create_graph, allow_unused=True)


def _fill_zeros(grads, like):
    from .. import _creation

    return tuple(_creation.zeros_like(x) if g is None else g
                 for g, x in zip(grads, like, strict=True))


def _detached(grads, create_graph):
    return tuple(g if create_graph else g.detach() for g in grads)


def _validate_v(v, other, other_tuple):
    if len(v) != len(other):
        raise RuntimeError(f"v is a tuple of invalid length: should be {len(other)} but got "
                           f"{len(v)}." if other_tuple else
                           "The given v should contain a single Tensor.")


def _v_or_ones(v, inputs, inputs_tuple):
    """``v`` as a tuple; None is allowed only for one input of one element (``v`` is then 1)."""
    from .. import _creation

    if v is not None:
        v_t = _as_tuple(v)[0]
        _validate_v(v_t, inputs, inputs_tuple)
        return v_t
    if len(inputs) != 1 or inputs[0].numel() != 1:
        raise RuntimeError("The vector v can only be None if the input to the user-provided "
                           "function is a single Tensor with a single element.")
    return (_creation.ones_like(inputs[0]),)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), J v), by PyTorch's double-backward trick: the vector-Jacobian product's
    gradient with respect to the vector."""
    from .. import _creation
    from .grad_mode import enable_grad

    inputs_t, inputs_tuple = _as_tuple(inputs)
    v_t = _v_or_ones(v, inputs_t, inputs_tuple)
    with enable_grad():
        xs = tuple(t.detach().requires_grad_(True) for t in inputs_t)
        outputs = func(*xs)
        outputs_t, outputs_tuple = _as_tuple(outputs)
        dummies = tuple(_creation.zeros_like(o).requires_grad_(True) for o in outputs_t)
        vjps = _fill_zeros(_autograd_grad(outputs_t, xs, dummies, True), xs)
        result = _autograd_grad(vjps, dummies, v_t, create_graph)
    result = _detached(_fill_zeros(result, outputs_t), create_graph)
    outputs_t = tuple(o.detach() for o in outputs_t)
    return ((outputs_t if outputs_tuple else outputs_t[0]),
            (result if outputs_tuple else result[0]))


def _scalar_output(func, xs, name):
    out = func(*xs)
    if out.numel() != 1:
        raise RuntimeError(f"The function given to {name} should return a single element Tensor, "
                           f"but got a Tensor with {out.numel()} elements")
    return out


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T H) for a scalar function."""
    from .grad_mode import enable_grad

    inputs_t, inputs_tuple = _as_tuple(inputs)
    v_t = _v_or_ones(v, inputs_t, inputs_tuple)
    with enable_grad():
        xs = tuple(t.detach().requires_grad_(True) for t in inputs_t)
        out = _scalar_output(func, xs, "vhp")
        jac = _fill_zeros(_autograd_grad((out,), xs, (None,), True), xs)
        result = _autograd_grad(jac, xs, v_t, create_graph)
    result = _detached(_fill_zeros(result, xs), create_graph)
    return out.detach(), (result if inputs_tuple else result[0])


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), H v) for a scalar function, by the double-backward trick."""
    from .. import _creation
    from .grad_mode import enable_grad

    inputs_t, inputs_tuple = _as_tuple(inputs)
    v_t = _v_or_ones(v, inputs_t, inputs_tuple)
    with enable_grad():
        xs = tuple(t.detach().requires_grad_(True) for t in inputs_t)
        out = _scalar_output(func, xs, "hvp")
        jac = _fill_zeros(_autograd_grad((out,), xs, (None,), True), xs)
        dummies = tuple(_creation.zeros_like(x).requires_grad_(True) for x in xs)
        back = _fill_zeros(_autograd_grad(jac, xs, dummies, True), xs)
        result = _autograd_grad(back, dummies, v_t, create_graph)
    result = _detached(_fill_zeros(result, xs), create_graph)
    return out.detach(), (result if inputs_tuple else result[0])
