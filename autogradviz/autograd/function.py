"""Custom differentiable operations: ``autograd.Function`` with ``ctx`` as in PyTorch."""

from __future__ import annotations

from . import anomaly, grad_mode
from .graph import Node, gradient_edge
from .inplace import rebase_history


class FunctionCtx:
    """The ``ctx`` of ``forward``/``backward``: what to save, which inputs need gradients."""

    def save_for_backward(self, *tensors):
        self._to_save = tensors

    def save_for_forward(self, *tensors):
        self._to_save_forward = tensors

    def mark_dirty(self, *tensors):
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors):
        self._non_differentiable = tensors

    def set_materialize_grads(self, value):
        self.materialize_grads = bool(value)


class BackwardCFunction(Node, FunctionCtx):
    """The node of a custom Function, named ``<Function name>Backward`` like PyTorch's."""

    _forward_cls = None
    materialize_grads = True
    _to_save = ()
    _dirty = ()
    _non_differentiable = ()

    @property
    def saved_tensors(self):
        from .graph import FREED_MESSAGE

        if self._freed:
            raise RuntimeError(FREED_MESSAGE)
        return tuple(s.unpack(self, "saved") if s is not None else None for s in self._saved_list)

    @property
    def saved_variables(self):
        return self.saved_tensors

    def apply(self, grads):
        grads = list(grads)
        if self.materialize_grads:
            from .. import _creation

            for i, g in enumerate(grads):
                if g is None:
                    shape, dtype = self._output_meta[i]
                    grads[i] = _creation.zeros(shape, dtype=dtype)
        result = self._forward_cls.backward(self, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        n = len(self._arg_is_tensor)
        if len(result) < n:
            raise RuntimeError(
                f"function {self.name()} returned an incorrect number of gradients (expected {n}, "
                f"got {len(result)})"
            )
        # Gradients of non-tensor arguments are dropped; extra trailing Nones are allowed.
        return tuple(g for g, is_t in zip(result, self._arg_is_tensor, strict=False) if is_t)

    def __repr__(self):
        # PyTorch makes this class in torch/autograd/function.py and prints Python's default
        # repr: <torch.autograd.function.LegendrePolynomial3Backward object at 0x...>
        cls = type(self)
        return f"<{cls.__module__}.{cls.__qualname__} object at {hex(id(self))}>"

    def _release(self):
        self._freed = bool(self._saved_list)
        self._saved_list = ()


class _FunctionMeta(type):
    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        cls._backward_cls = type(
            name + "Backward", (BackwardCFunction,),
            {"_forward_cls": cls, "__module__": "torch.autograd.function"},
        )


class Function(metaclass=_FunctionMeta):
    """Define ``forward(ctx, ...)`` and ``backward(ctx, *grads)``; call ``MyFunction.apply``."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function."
        )

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom "
            "autograd.Function to use it with backward mode AD."
        )

    vjp = backward

    @classmethod
    def apply(cls, *args, **kwargs):
        from .._tensor import Tensor
        from .graph import SavedTensor

        node = cls._backward_cls()
        is_tensor = tuple(isinstance(a, Tensor) for a in args)
        node._arg_is_tensor = is_tensor
        node.needs_input_grad = tuple(
            isinstance(a, Tensor) and a._requires_grad for a in args
        )
        with grad_mode.no_grad():
            outputs = cls.forward(node, *args, **kwargs)
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        tensor_inputs = [a for a in args if isinstance(a, Tensor)]
        record_graph = grad_mode.is_grad_enabled() and any(t._requires_grad for t in tensor_inputs)
        node._saved_list = tuple(
            SavedTensor(t) if t is not None else None for t in getattr(node, "_to_save", ())
        )
        if not record_graph:
            return outputs
        if anomaly.STATE.enabled:
            node._anomaly_trace = anomaly.capture()
        node.next_functions = tuple(gradient_edge(t) for t in tensor_inputs)
        node._input_meta = tuple((t._data.shape, t._dtype) for t in tensor_inputs)
        node._num_outputs = len(outs)
        node._output_meta = tuple(
            (o._data.shape, o._dtype) if isinstance(o, Tensor) else None for o in outs
        )
        non_diff = {id(t) for t in node._non_differentiable}
        wrapped = []
        for i, o in enumerate(outs):
            if not isinstance(o, Tensor):
                wrapped.append(o)
                continue
            dirty = any(o is d for d in node._dirty)
            if any(o is a for a in tensor_inputs) and not dirty:
                o = o.view_as(o)  # an input returned as is gets a new identity, like PyTorch
            if id(o) in non_diff or o._dtype.category != 2:
                wrapped.append(o)
                continue
            if dirty:
                if o._requires_grad and o.grad_fn is None:
                    raise RuntimeError(
                        "a leaf Variable that requires grad has been used in an in-place "
                        "operation."
                    )
                rebase_history(o, node)  # modified in place: a view's base gets CopySlices
            else:
                o.grad_fn = node
                o._requires_grad = True
            if i:
                o._output_nr = i
            wrapped.append(o)
        return wrapped[0] if single else tuple(wrapped)


class once_differentiable:  # noqa: N801 - PyTorch's decorator name
    """Accepted for compatibility: the backward runs without building a graph."""

    def __new__(cls, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(ctx, *args):
            with grad_mode.no_grad():
                return fn(ctx, *args)

        return wrapper
