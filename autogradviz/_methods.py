"""Attach the operations to ``Tensor`` as methods and Python operators.

PyTorch's tensor methods take the tensor as their first argument, exactly like the functions in
``autogradviz.ops``, so most methods are the functions themselves.
"""

from __future__ import annotations

import numpy as np

from . import _creation
from ._tensor import Tensor, is_scalar
from .ops import elementwise as ew
from .ops import extra as ex
from .ops import indexing as ix
from .ops import lapack
from .ops import linalg as la
from .ops import reduction as rd
from .ops import shape as sh

_FUNCTIONS = {
    # elementwise
    **{n: getattr(ew, n) for n in (
        "add", "sub", "mul", "div", "true_divide", "divide", "floor_divide", "remainder",
        "fmod", "pow", "float_power", "atan2", "arctan2", "hypot", "copysign", "logaddexp",
        "maximum", "minimum", "fmax", "fmin", "bitwise_and", "bitwise_or", "bitwise_xor",
        "bitwise_not", "eq", "ne", "lt", "le", "gt", "ge", "less", "less_equal", "greater",
        "greater_equal", "not_equal", "logical_and", "logical_or", "logical_xor",
        "logical_not", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt",
        "rsqrt", "sin", "cos", "tan", "asin", "acos", "atan", "arcsin", "arccos", "arctan",
        "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "arcsinh", "arccosh", "arctanh",
        "sigmoid", "erf", "erfc", "reciprocal", "abs", "absolute", "neg", "negative", "floor",
        "ceil", "trunc", "fix", "frac", "square", "sign", "sgn", "signbit", "round", "relu",
        "isnan", "isinf", "isposinf", "isneginf", "isfinite", "isreal", "nan_to_num", "clamp",
        "clip", "clamp_min", "clamp_max", "lerp", "positive",
    )},
    "where": ew._where_method,
    # reductions and sorting
    **{n: getattr(rd, n) for n in (
        "sum", "nansum", "mean", "nanmean", "prod", "max", "min", "amax", "amin", "aminmax",
        "argmax", "argmin", "var", "std", "norm", "logsumexp", "cumsum", "cumprod", "all",
        "any", "count_nonzero", "median", "nanmedian", "cummax", "cummin", "mode", "sort",
        "argsort", "msort", "topk", "kthvalue", "unique", "unique_consecutive", "softmax",
        "log_softmax",
    )},
    # views and shapes
    **{n: getattr(sh, n) for n in (
        "view", "view_as", "reshape", "reshape_as", "permute", "transpose", "swapaxes",
        "swapdims", "t", "adjoint", "squeeze", "unsqueeze", "flatten", "ravel", "unflatten",
        "expand", "expand_as", "broadcast_to", "narrow", "select", "unbind", "split",
        "tensor_split", "chunk", "movedim", "moveaxis", "contiguous", "clone", "diagonal",
        "flip", "fliplr", "flipud", "roll", "rot90", "tril", "triu", "diag", "diag_embed",
        "repeat", "tile", "repeat_interleave", "as_strided", "unsqueeze_", "squeeze_",
        "transpose_", "t_", "unfold", "tril_", "triu_",
    )},
    "cumsum_": rd.cumsum_,
    "swapaxes_": sh.transpose_,
    "swapdims_": sh.transpose_,
    # indexing
    **{n: getattr(ix, n) for n in (
        "index_select", "gather", "scatter", "scatter_", "scatter_add", "scatter_add_",
        "masked_fill", "masked_fill_", "masked_select", "masked_scatter_", "index_put_",
        "index_put", "index_add_", "index_add", "index_fill_", "index_fill", "take",
        "take_along_dim", "nonzero", "argwhere",
    )},
    # linear algebra
    **{n: getattr(la, n) for n in (
        "matmul", "mm", "bmm", "mv", "dot", "inner_dot", "outer", "ger", "addmm", "trace",
        "cross", "svd",
    )},
    "inverse": lapack.inverse,
    "det": lapack.det,
    # functions beyond the core families (ops/extra.py)
    **{n: getattr(ex, n) for n in ex.METHODS},
    **ex.INPLACE,
    "bernoulli": _creation.bernoulli,
    **{n: getattr(_creation, n) for n in (
        "new_ones", "new_zeros", "new_empty", "new_full", "new_tensor",
    )},
    "multinomial": _creation.multinomial,
    **ew.INPLACE,
    **_creation.RANDOM_INPLACE,
}


# Binary functions whose other operand must be a tensor: the method form counts ``other`` as
# PyTorch's position 1 (the function form as 2) and says the method's own name.
_TENSOR_OTHER = ("atan2", "arctan2", "hypot", "logaddexp", "maximum", "minimum", "fmax", "fmin",
                 "logical_and", "logical_or", "logical_xor")


def _tensor_other_method(name, func):
    def method(self, other, *args, **kwargs):
        if not isinstance(other, Tensor):
            raise TypeError(f"{name}(): argument 'other' (position 1) must be Tensor, not "
                            f"{type(other).__name__}")
        return func(self, other, *args, **kwargs)

    method.__name__ = name
    return method


_FUNCTIONS.update({n: _tensor_other_method(n, _FUNCTIONS[n]) for n in _TENSOR_OTHER})
_FAST_OPERANDS = frozenset({Tensor, int, float, bool})


def _is_operand(x):
    return type(x) in _FAST_OPERANDS or isinstance(x, Tensor) or is_scalar(x)


def _reflected(op):
    def method(self, other):
        return op(self, other) if _is_operand(other) else NotImplemented

    return method


def _forward(op):
    """A binary operator; other types get NotImplemented so Python can try their side."""

    def method(self, other):
        if type(other) in _FAST_OPERANDS or _is_operand(other) or isinstance(other, np.ndarray):
            return op(self, other)
        return NotImplemented

    return method


def _rsub(self, other):
    return ew.rsub(self, other) if _is_operand(other) else NotImplemented


def _rtruediv(self, other):
    return ew._rdiv(self, other) if _is_operand(other) else NotImplemented


def _rfloordiv(self, other):
    return ew.floor_divide(other, self) if _is_operand(other) else NotImplemented


def _rmod(self, other):
    return ew.remainder(other, self) if _is_operand(other) else NotImplemented


def _rpow(self, other):
    return ew.pow(other, self) if _is_operand(other) else NotImplemented


def _rmatmul(self, other):
    return la.matmul(other, self) if isinstance(other, Tensor) else NotImplemented


def _eq(self, other):
    if other is None:
        return False
    return ew.eq(self, other) if _is_operand(other) or hasattr(other, "__array__") else False


def _ne(self, other):
    if other is None:
        return True
    return ew.ne(self, other) if _is_operand(other) or hasattr(other, "__array__") else True


def _iop(inplace):
    def method(self, other):
        return inplace(self, other)

    return method


_OPERATORS = {
    "__add__": _forward(ew.add),
    "__radd__": _reflected(ew.add),
    "__iadd__": _iop(ew.INPLACE["add_"]),
    "__sub__": _forward(ew.sub),
    "__rsub__": _rsub,
    "__isub__": _iop(ew.INPLACE["sub_"]),
    "__mul__": _forward(ew.mul),
    "__rmul__": _reflected(ew.mul),
    "__imul__": _iop(ew.INPLACE["mul_"]),
    "__truediv__": _forward(ew.div),
    "__rtruediv__": _rtruediv,
    "__itruediv__": _iop(ew.INPLACE["div_"]),
    "__floordiv__": _forward(ew.floor_divide),
    "__rfloordiv__": _rfloordiv,
    "__ifloordiv__": _iop(ew.INPLACE["floor_divide_"]),
    "__mod__": _forward(ew.remainder),
    "__rmod__": _rmod,
    "__imod__": _iop(ew.INPLACE["remainder_"]),
    "__pow__": _forward(ew.pow),
    "__rpow__": _rpow,
    "__ipow__": _iop(ew.INPLACE["pow_"]),
    "__matmul__": _forward(la.matmul),
    "__rmatmul__": _rmatmul,
    "__and__": _forward(ew.bitwise_and),
    "__rand__": _reflected(ew.bitwise_and),
    "__iand__": _iop(ew.INPLACE["bitwise_and_"]),
    "__or__": _forward(ew.bitwise_or),
    "__ror__": _reflected(ew.bitwise_or),
    "__ior__": _iop(ew.INPLACE["bitwise_or_"]),
    "__xor__": _forward(ew.bitwise_xor),
    "__rxor__": _reflected(ew.bitwise_xor),
    "__ixor__": _iop(ew.INPLACE["bitwise_xor_"]),
    "__invert__": ew._invert,
    "__neg__": ew.neg,
    "__pos__": ew.positive,
    "__abs__": ew.abs,
    "__eq__": _eq,
    "__ne__": _ne,
    "__lt__": _forward(ew.lt),
    "__le__": _forward(ew.le),
    "__gt__": _forward(ew.gt),
    "__ge__": _forward(ew.ge),
    "__getitem__": ix.getitem,
    "__setitem__": ix.setitem,
}


def attach():
    from .autograd import tensor_methods

    for name, value in tensor_methods.DEFAULTS.items():
        setattr(Tensor, name, value)
    for name, func in tensor_methods.METHODS.items():
        setattr(Tensor, name, func)
    for name, func in _FUNCTIONS.items():
        setattr(Tensor, name, func)
    for name, func in _OPERATORS.items():
        setattr(Tensor, name, func)
    from .nn.activations import hardshrink, tensor_prelu  # activations PyTorch's Tensor has

    Tensor.hardshrink = hardshrink
    Tensor.prelu = tensor_prelu
    Tensor.__hash__ = object.__hash__
