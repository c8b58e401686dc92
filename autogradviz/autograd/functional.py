"""``jacobian`` and ``hessian`` built from ``autograd.grad``, one output element at a time."""

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
    gs = grad(out, xs, v, create_graph=create_graph, allow_unused=True)
    gs = tuple(g.detach() if g is not None and not create_graph else g for g in gs)
    return out.detach(), gs if inputs_tuple else gs[0]
