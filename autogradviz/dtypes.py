"""Dtype objects (``autogradviz.float32`` ...) and PyTorch's type-promotion rules.

Each dtype wraps the NumPy dtype that stores its values. Promotion follows PyTorch, not NumPy:
a float beats any integer whatever the sizes (``int64 + float16 -> float16``), and in an
operation dimensioned tensors outrank zero-dim tensors, which outrank Python scalars, unless a
lower-ranked operand belongs to a higher category (bool < integer < floating).
"""

from __future__ import annotations

import builtins

import numpy as np

__all__ = [
    "bool",
    "can_cast",
    "dtype",
    "float16",
    "float32",
    "float64",
    "get_default_dtype",
    "int8",
    "int16",
    "int32",
    "int64",
    "promote_types",
    "result_type",
    "set_default_dtype",
    "uint8",
]

_builtin_bool = bool
_BOOL, _INT, _FLOAT = 0, 1, 2  # promotion categories


class dtype:  # noqa: N801 - PyTorch's spelling
    """A tensor element type, printed as ``torch.float32`` like PyTorch's."""

    __module__ = "torch"
    __slots__ = ("_rank", "category", "is_signed", "itemsize", "name", "np")

    def __init__(self, name, np_dtype, category, rank):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.category = category
        self.itemsize = self.np.itemsize
        self.is_signed = name not in ("uint8", "bool")
        self._rank = rank

    @property
    def is_floating_point(self):
        return self.category == _FLOAT

    @property
    def is_complex(self):
        return False

    def to_real(self):
        return self

    def __repr__(self):
        return "torch." + self.name

    __str__ = __repr__

    def __reduce__(self):
        return (_by_name, (self.name,))


bool = dtype("bool", np.bool_, _BOOL, 0)  # noqa: A001 - PyTorch's name
uint8 = dtype("uint8", np.uint8, _INT, 1)
int8 = dtype("int8", np.int8, _INT, 2)
int16 = dtype("int16", np.int16, _INT, 3)
int32 = dtype("int32", np.int32, _INT, 4)
int64 = dtype("int64", np.int64, _INT, 5)
float16 = dtype("float16", np.float16, _FLOAT, 6)
float32 = dtype("float32", np.float32, _FLOAT, 7)
float64 = dtype("float64", np.float64, _FLOAT, 8)

ALL = (bool, uint8, int8, int16, int32, int64, float16, float32, float64)
_BY_NAME = {d.name: d for d in ALL}
_BY_NP = {d.np: d for d in ALL}
_BY_NP_TYPE = {d.np.type: d for d in ALL}
# PyTorch's aliases are the same objects (torch.float is torch.float32).
ALIASES = {
    "float": float32,
    "double": float64,
    "half": float16,
    "long": int64,
    "int": int32,
    "short": int16,
}


def _by_name(name):
    return _BY_NAME[name]


def from_numpy_dtype(np_dtype):
    """The dtype storing NumPy's ``np_dtype``; TypeError for types autogradviz has no tensor for."""
    np_dtype = np.dtype(np_dtype)
    try:
        return _BY_NP[np_dtype]
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np_dtype.type.__name__}. The only "
            "supported types are: float64, float32, float16, complex64, complex128, int64, "
            "int32, int16, int8, uint64, uint32, uint16, uint8, and bool."
        ) from None


def to_dtype(obj):
    """Accept an autogradviz dtype, a NumPy dtype or a Python type (float, int, bool)."""
    if isinstance(obj, dtype):
        return obj
    if obj is float:
        return float64
    if obj is int:
        return int64
    if obj is _builtin_bool:
        return bool
    return from_numpy_dtype(obj)


_default_float = float32


def get_default_dtype():
    return _default_float


def set_default_dtype(d):
    global _default_float
    if not isinstance(d, dtype) or d.category != _FLOAT:
        raise TypeError(
            ("" if isinstance(d, dtype) else "invalid dtype object: ")
            + "only floating-point types are supported as the default type"
        )
    _default_float = d


def _promote_table():
    table = {}
    for a in ALL:
        for b in ALL:
            if a.category != b.category:
                r = a if a.category > b.category else b
            elif a.category == _INT:
                r = _BY_NP[np.promote_types(a.np, b.np)]
            else:
                r = a if a._rank >= b._rank else b
            table[a, b] = r
    return table


_PROMOTE = _promote_table()


def _dtype_param(value, name, arg, pos):
    """A ``torch.dtype`` argument: a dtype, or Python's float, int or bool."""
    if isinstance(value, dtype):
        return value
    if value is float or value is int or value is _builtin_bool:
        return to_dtype(value)
    raise TypeError(f"{name}(): argument '{arg}' (position {pos}) must be torch.dtype, not "
                    f"{type(value).__name__}")


def promote_types(type1, type2):
    """PyTorch's ``promote_types``: the smallest dtype both can be cast to safely."""
    return _PROMOTE[_dtype_param(type1, "promote_types", "type1", 1),
                    _dtype_param(type2, "promote_types", "type2", 2)]


def _combine(higher, lower):
    """Combine two priority classes' results (PyTorch's ``combine_categories``)."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.category == _FLOAT:
        return higher
    if higher is bool or lower.category == _FLOAT:
        return _PROMOTE[higher, lower]
    return higher


def scalar_dtype(value):
    """The dtype a Python number takes in promotion (a float takes the default dtype)."""
    if isinstance(value, _builtin_bool):
        return bool
    if isinstance(value, int):
        return int64
    return _default_float


def result_type(*operands):
    """The dtype of an operation on ``operands`` (tensors, NumPy scalars or Python numbers)."""
    dim_r = zero_r = scalar_r = None
    for op in operands:
        d = getattr(op, "dtype", None)
        if isinstance(d, dtype):
            if op.ndim > 0:
                dim_r = d if dim_r is None else _PROMOTE[dim_r, d]
            else:
                zero_r = d if zero_r is None else _PROMOTE[zero_r, d]
        else:
            if isinstance(op, np.bool_):
                op = float(op)  # PyTorch's argument parser reads a NumPy bool as a float
            elif isinstance(op, np.generic):
                op = op.item()
            d = scalar_dtype(op)
            scalar_r = d if scalar_r is None else _PROMOTE[scalar_r, d]
    return _combine(dim_r, _combine(zero_r, scalar_r))


def can_cast(from_, to):
    """PyTorch's ``can_cast``: no cast from a higher category to a lower one."""
    from_ = _dtype_param(from_, "can_cast", "from_", 1)
    return from_.category <= _dtype_param(to, "can_cast", "to", 2).category


def cast(arr, to):
    """``arr`` converted as PyTorch's CPU copy kernel converts tensors to ``to``, as a new array.

    NumPy's casts are the x86 C conversions ATen's mostly are (float to int truncates; NaN and
    out-of-range values give the lowest int32/int64), except in two places: ATen converts a
    float64 to float16 through float32 (rounding twice), and a float64 to uint8 through int64
    (NumPy goes through int32).
    """
    if to is bool:
        return arr != 0
    src = arr.dtype
    with np.errstate(invalid="ignore", over="ignore"):
        if src == np.float64 and to is float16:
            return arr.astype(np.float32).astype(np.float16)
        if src == np.float64 and to is uint8:
            return arr.astype(np.int64).astype(np.uint8)
        return arr.astype(to.np)


# The names PyTorch's C++ messages use ("result type Float can't be cast to ... Long").
SCALAR_TYPE_NAMES = {
    bool: "Bool",
    uint8: "Byte",
    int8: "Char",
    int16: "Short",
    int32: "Int",
    int64: "Long",
    float16: "Half",
    float32: "Float",
    float64: "Double",
}
# Legacy tensor type names (Tensor.type(), FloatTensor ...).
LEGACY_TYPE_NAMES = {d: f"torch.{n}Tensor" for d, n in SCALAR_TYPE_NAMES.items()}


# ---------------------------------------------------------------------- finfo / iinfo
class finfo:  # noqa: N801 - PyTorch's spelling
    """``torch.finfo(dtype)``: a floating-point dtype's limits, printed as PyTorch prints them."""

    __module__ = "torch"
    __hash__ = None  # PyTorch's are unhashable

    def __init__(self, type=None):  # PyTorch's argument name
        if type is None:
            type = get_default_dtype()  # noqa: A001
        if not isinstance(type, dtype):
            raise TypeError(f"finfo(): argument 'type' (position 1) must be torch.dtype, not "
                            f"{builtins.type(type).__name__}")
        if type.category != _FLOAT:
            raise TypeError("torch.finfo() requires a floating point input type. Use "
                            "torch.iinfo to handle 'torch.finfo'")
        info = np.finfo(type.np)
        self.bits = int(info.bits)
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = float(10.0 ** -int(info.precision))
        self.dtype = type.name

    def __eq__(self, other):
        return isinstance(other, finfo) and vars(self) == vars(other)

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, "
                f"tiny={self.tiny:g}, dtype={self.dtype})")

    __str__ = __repr__


class iinfo:  # noqa: N801 - PyTorch's spelling
    """``torch.iinfo(dtype)``: an integer dtype's limits."""

    __module__ = "torch"
    __hash__ = None

    def __init__(self, type):  # PyTorch's argument name
        if not isinstance(type, dtype):
            raise TypeError(f"iinfo(): argument 'type' (position 1) must be torch.dtype, not "
                            f"{builtins.type(type).__name__}")
        if type.category == _BOOL:
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if type.category != _INT:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to "
                            "handle 'torch.iinfo'")
        info = np.iinfo(type.np)
        self.bits = int(info.bits)
        self.max = int(info.max)
        self.min = int(info.min)
        self.dtype = type.name

    def __eq__(self, other):
        return isinstance(other, iinfo) and vars(self) == vars(other)

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"

    __str__ = __repr__
