"""The Tensor: NumPy storage plus dtype and the autograd fields, with PyTorch's core behaviour.

A tensor owns ``_data``, a NumPy array (never a NumPy scalar: 0-d tensors hold 0-d arrays),
and ``_dtype``, the autogradviz dtype of that array. Views are NumPy views, so storage is shared
exactly as in PyTorch; a view remembers its base (``_base``) and shares the base's version
counter. Operations live in ``autogradviz.ops``; they are attached to the class as methods by
``autogradviz._methods``. Class-level defaults keep new tensors cheap to create: an operation on
small tensors only pays for NumPy's kernel and two attribute stores.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from . import dtypes as _dt
from .dtypes import SCALAR_TYPE_NAMES

_new = object.__new__
_BY_NP = _dt._BY_NP
_ndarray = np.ndarray


# C++ type names PyTorch uses in some messages ("dtype 'double'").
_C_TYPE_NAMES = {
    _dt.bool: "bool", _dt.uint8: "unsigned char", _dt.int8: "signed char", _dt.int16: "short",
    _dt.int32: "int", _dt.int64: "long int", _dt.float16: "c10::Half", _dt.float32: "float",
    _dt.float64: "double",
}


_WARNED_ONCE = set()  # the warnings PyTorch gives only once per process, once given


class Size(tuple):
    """A tensor's shape: a tuple of ints that prints as ``torch.Size([2, 3])``."""

    __module__ = "torch"
    __slots__ = ()

    def __repr__(self):
        return f"torch.Size([{', '.join(str(s) for s in self)}])"

    __str__ = __repr__

    def __reduce__(self):  # by a function: the class's name is PyTorch's, not its place here
        return (_rebuild_size, (tuple(self),))

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, item):
        r = tuple.__getitem__(self, item)
        return Size(r) if isinstance(item, slice) else r

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))

    def __radd__(self, other):
        return Size(tuple(other) + tuple(self))

    def __mul__(self, n):
        return Size(tuple.__mul__(self, n))

    __rmul__ = __mul__


def _rebuild_size(sizes):
    return Size(sizes)


def _rebuild_device(text):
    return device(text)


# The device types PyTorch's parser knows, in the order its message lists them.
_DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve",
                 "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
                 "privateuseone")


class device:  # noqa: N801 - PyTorch's spelling
    """A device; only the CPU exists here."""

    __module__ = "torch"
    __slots__ = ("index", "type")

    def __init__(self, type="cpu", index=None):
        if isinstance(type, device):
            type, index = type.type, type.index  # noqa: A001
        if ":" in type:
            type, idx = type.split(":", 1)  # noqa: A001
            index = int(idx)
        if type not in _DEVICE_TYPES:
            raise RuntimeError(f"Expected one of {', '.join(_DEVICE_TYPES)} device type at start "
                               f"of device string: {type}")
        if type != "cpu":
            raise RuntimeError(
                f"autogradviz runs on the CPU only; device {type!r} is not available"
            )
        self.type = type
        self.index = index

    def __repr__(self):
        return f"device(type='{self.type}')" if self.index is None else (
            f"device(type='{self.type}', index={self.index})"
        )

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __reduce__(self):
        return (_rebuild_device, (str(self),))

    def __eq__(self, other):
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))


CPU = device("cpu")


class Tensor:
    """A multi-dimensional array with PyTorch's semantics, stored in a NumPy array."""

    __module__ = "torch"  # ``type(x)`` prints ``<class 'torch.Tensor'>``, as PyTorch's does
    # Class-level defaults: most tensors never set these, so creating one stays cheap.
    _base = None  # the tensor this one is a view of (PyTorch's ``_base``)
    _storage_owner = None  # the tensor whose storage (and version counter) this one shares
    _version_count = 0
    grad_fn = None
    _requires_grad = False
    _grad = None
    _retains_grad = False
    _is_wrapped_number = False  # a saved number operand (promotes as the number it was)
    _backward_hooks = None
    _post_accumulate_grad_hooks = None
    _viz_name = None
    __array_priority__ = 1000  # NumPy defers to our reflected operators

    def __new__(cls, *args, **kwargs):
        # Tensor(...) is the legacy constructor: Tensor(2, 3) or Tensor([1., 2.]) -> default dtype.
        if cls is not Tensor:
            return _new(cls)
        return _legacy_new(None, args, kwargs)

    # ------------------------------------------------------------------ basic attributes
    @property
    def data(self):
        # Like detach(), but with a version counter of its own: changes through ``.data`` are
        # hidden from autograd's in-place checks, as in PyTorch.
        alias = _new(Tensor)
        alias._data = self._data.view()
        alias._dtype = self._dtype
        return alias

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, not {type(value).__name__}")
        self._data = value._data
        self._dtype = value._dtype

    @property
    def dtype(self):
        return self._dtype

    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._data.shape)
        if not isinstance(dim, int | np.integer):
            raise TypeError(f"size(): argument 'dim' (position 1) must be int, not "
                            f"{type(dim).__name__}")
        return self._data.shape[_wrap_attribute_dim(dim, self._data.ndim)]

    def dim(self):
        return self._data.ndim

    @property
    def ndim(self):
        return self._data.ndim

    def ndimension(self):
        return self._data.ndim

    def numel(self):
        return self._data.size

    nelement = numel

    def element_size(self):
        return self._data.itemsize

    @property
    def itemsize(self):
        return self._data.itemsize

    @property
    def nbytes(self):
        return self._data.nbytes

    @property
    def device(self):
        return CPU

    @property
    def is_cuda(self):
        return False

    @property
    def is_cpu(self):
        return True

    @property
    def layout(self):
        return "torch.strided"

    def is_floating_point(self):
        return self._dtype.category == _dt._FLOAT

    def is_complex(self):
        return False

    def is_signed(self):
        return self._dtype.is_signed

    def stride(self, dim=None):
        item = self._data.itemsize
        strides = tuple(s // item for s in self._data.strides)
        if self._data.size == 0:
            # NumPy zeroes an empty array's strides; PyTorch's empty tensors keep contiguous ones.
            strides = _contiguous_strides(self._data.shape)
        if dim is None:
            return strides
        return strides[_wrap_attribute_dim(dim, self._data.ndim)]

    def storage_offset(self):
        root = _owner(self)._data
        if root.size == 0 or self._data.size == 0:
            return 0
        addr = self._data.__array_interface__["data"][0]
        root_addr = root.__array_interface__["data"][0]
        return (addr - root_addr) // self._data.itemsize

    def data_ptr(self):
        return self._data.__array_interface__["data"][0]

    def is_contiguous(self, memory_format=None):
        return _is_contiguous(self._data.shape, self.stride())

    def untyped_storage(self):
        return _owner(self)._data

    # ------------------------------------------------------------------ autograd fields
    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        _set_requires_grad(self, value)

    def requires_grad_(self, requires_grad=True):
        _set_requires_grad(self, requires_grad)
        return self

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def grad(self):
        if self.grad_fn is not None and not self._retains_grad and self._requires_grad:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. "
                "Its .grad attribute won't be populated during autograd.backward(). If you "
                "indeed want the .grad field to be populated for a non-leaf Tensor, use "
                ".retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor by "
                "mistake, make sure you access the leaf Tensor instead. See "
                "github.com/pytorch/pytorch/pull/30531 for more information. (Triggered "
                "internally at /__w/pytorch/pytorch/build/aten/src/ATen/core/TensorBody.h:493.)",
                UserWarning,
                stacklevel=2,
            )
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad expected to be a Tensor or None but got grad of type "
                    f"{type(value).__name__}"
                )
            if value._dtype is not self._dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{_C_TYPE_NAMES[value._dtype]}' "
                    f"to a tensor with grad_dtype '{SCALAR_TYPE_NAMES[self._dtype]}'. The "
                    "gradient must match the tensor's grad_dtype (defaults to the tensor's "
                    "dtype). You can set the tensor's grad_dtype attribute with a specific dtype, "
                    "or None to allow any dtype. Set grad_dtype with caution. Diverging the "
                    "dtypes of a tensor and its gradient may break downstream systems that "
                    "assume they match."
                )
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value._data.shape)}' to a "
                    f"tensor of size '{list(self._data.shape)}'. Please ensure that the gradient "
                    "and the tensor are the same size"
                )
        self._grad = value

    @property
    def retains_grad(self):
        return self._retains_grad

    @property
    def _version(self):
        return _owner(self)._version_count

    def _bump_version(self):
        _owner(self)._version_count += 1

    def detach(self):
        return _detached_alias(self)

    def detach_(self):
        if self._base is not None and self._base.requires_grad:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using "
                "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set "
                "as True, gradients are views of DDP buckets, and hence detach_() cannot be "
                "called on these gradients. To fix this error, please refer to the "
                "Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution."
            )
        self.grad_fn = None
        self._requires_grad = False
        return self

    # ------------------------------------------------------------------ conversion
    def item(self):
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        return self._data.reshape(()).item()

    def tolist(self):
        return self._data.tolist()

    def numpy(self, *, force=False):
        if self._requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        return self._data

    def __array__(self, dtype=None, copy=None):
        if dtype is None:
            return self._data
        return self._data.astype(dtype, copy=False)

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(
                "Boolean value of Tensor with more than one value is ambiguous"
                if self._data.size > 1
                else "Boolean value of Tensor with no values is ambiguous"
            )
        return bool(self._data.reshape(()).item())

    def is_nonzero(self):
        return self.__bool__()

    def get_device(self):
        return -1  # PyTorch's answer for a CPU tensor

    def is_same_size(self, other):
        return self._data.shape == other._data.shape

    def __float__(self):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return float(self.item())

    def __int__(self):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return int(self.item())

    def __index__(self):
        if self._dtype.category == _dt._FLOAT or self._data.size != 1:
            raise TypeError(
                "only integer tensors of a single element can be converted to an index"
            )
        return int(self._data.reshape(()).item())

    def __complex__(self):
        return complex(self.item())

    def __hash__(self):
        return id(self)

    def __format__(self, format_spec):
        if self._data.ndim == 0:
            return self.item().__format__(format_spec)
        return object.__format__(self, format_spec)

    def __repr__(self, *, tensor_contents=None):
        from ._printing import format_tensor

        grad_fn = self.grad_fn
        return format_tensor(
            self._data,
            self._dtype,
            grad_fn_name=None if grad_fn is None else type(grad_fn).__name__,
            requires_grad=self._requires_grad and grad_fn is None,
        )

    def __str__(self):
        return self.__repr__()

    def __reduce_ex__(self, proto):
        return (_rebuild, (self._data.copy(), self._dtype.name, self._requires_grad))

    def __deepcopy__(self, memo):
        if not self.is_leaf:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                "protocol at the moment.  If you were attempting to deepcopy a module, this may "
                "be because of a torch.nn.utils.weight_norm usage, see "
                "https://github.com/pytorch/pytorch/pull/103001"
            )
        new = type(self).__new__(type(self))
        new._data = self._data.copy()
        new._dtype = self._dtype
        new._requires_grad = self._requires_grad
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = new
        return new

    def type(self, dtype=None, non_blocking=False, **kwargs):
        if dtype is None:
            return _dt.LEGACY_TYPE_NAMES[self._dtype]
        if isinstance(dtype, str):
            for d, n in _dt.LEGACY_TYPE_NAMES.items():
                if n == dtype:
                    dtype = d
                    break
            else:
                raise ValueError(f"invalid type: '{dtype}'")
        elif not isinstance(dtype, _dt.dtype):
            legacy = getattr(dtype, "_dtype", None)  # FloatTensor and the other legacy types
            if not isinstance(dtype, type) or legacy is None:
                name = getattr(dtype, "__qualname__", type(dtype).__qualname__)
                module = getattr(dtype, "__module__", "builtins")
                raise ValueError(
                    f"invalid type: '{name if module == 'builtins' else f'{module}.{name}'}'"
                )
            dtype = legacy
        return self.to(dtype)

    def type_as(self, other):
        return self.to(other._dtype)

    def to(self, *args, **kwargs):
        dtype = kwargs.pop("dtype", None)
        copy = kwargs.pop("copy", False)
        kwargs.pop("non_blocking", None)
        kwargs.pop("device", None)
        kwargs.pop("memory_format", None)
        for a in args:
            if isinstance(a, _dt.dtype):
                dtype = a
            elif a is float or a is int or a is bool:
                dtype = _dt.to_dtype(a)
            elif isinstance(a, Tensor):
                dtype = a._dtype
            elif isinstance(a, str | device):
                device(a)  # validates: only the CPU exists
            elif isinstance(a, bool):
                pass
            else:
                raise TypeError(f"to() received an invalid combination of arguments - got ({a!r})")
        if dtype is None or dtype is self._dtype:
            if copy:
                return self.clone()
            return self
        return _convert(self, dtype)

    def cpu(self):
        return self

    def cuda(self, *args, **kwargs):
        raise AssertionError("Torch not compiled with CUDA enabled")

    def float(self):
        return self.to(_dt.float32)

    def double(self):
        return self.to(_dt.float64)

    def half(self):
        return self.to(_dt.float16)

    def long(self):
        return self.to(_dt.int64)

    def int(self):
        return self.to(_dt.int32)

    def short(self):
        return self.to(_dt.int16)

    def char(self):
        return self.to(_dt.int8)

    def byte(self):
        return self.to(_dt.uint8)

    def bool(self):
        return self.to(_dt.bool)

    @property
    def T(self):
        # PyTorch gives each of these deprecation warnings once per process (TORCH_WARN_ONCE).
        kind = "0-d" if self._data.ndim == 0 else "n-d" if self._data.ndim != 2 else None
        if kind is None or kind in _WARNED_ONCE:
            return self.permute(tuple(range(self._data.ndim - 1, -1, -1)))
        _WARNED_ONCE.add(kind)
        if self._data.ndim == 0:
            warnings.warn(
                "Tensor.T is deprecated on 0-D tensors. This function is the identity in these "
                "cases. (Triggered internally at "
                "/__w/pytorch/pytorch/aten/src/ATen/native/TensorShape.cpp:4321.)",
                UserWarning,
                stacklevel=2,
            )
        elif self._data.ndim != 2:
            warnings.warn(
                "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
                "deprecated and it will throw an error in a future release. Consider `x.mT` to "
                "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` "
                "to reverse the dimensions of a tensor. (Triggered internally at "
                "/__w/pytorch/pytorch/aten/src/ATen/native/TensorShape.cpp:4314.)",
                UserWarning,
                stacklevel=2,
            )
        return self.permute(tuple(range(self._data.ndim - 1, -1, -1)))

    @property
    def mT(self):
        if self._data.ndim == 0:  # the identity, deprecated (TORCH_WARN_ONCE)
            if "mT 0-d" not in _WARNED_ONCE:
                _WARNED_ONCE.add("mT 0-d")
                warnings.warn(
                    "Tensor.mT is deprecated on 0-D tensors. This function is the identity in "
                    "these cases. (Triggered internally at "
                    "/__w/pytorch/pytorch/aten/src/ATen/native/TensorShape.cpp:4373.)",
                    UserWarning,
                    stacklevel=2,
                )
            return self
        if self._data.ndim < 2:
            raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. "
                               f"Got {self._data.ndim}-D tensor.")
        return self.transpose(-2, -1)

    @property
    def H(self):
        return self.T

    @property
    def mH(self):
        return self.mT

    @property
    def real(self):
        return self

    @property
    def names(self):
        return (None,) * self._data.ndim


# ---------------------------------------------------------------------- construction helpers
def _wrap(arr, dtype):
    """A new tensor over ``arr`` (whose NumPy dtype is ``dtype.np``); no autograd history."""
    if type(arr) is not _ndarray:
        arr = np.asarray(arr)
    t = _new(Tensor)
    t._data = arr
    t._dtype = dtype
    return t


def _wrap_np(arr):
    """A new tensor over ``arr``, its dtype read from the array."""
    if type(arr) is not _ndarray:
        arr = np.asarray(arr)
    t = _new(Tensor)
    t._data = arr
    t._dtype = _BY_NP[arr.dtype]
    return t


def _from_numpy_owned(arr):
    """Wrap an array the caller hands over (used by the generator's get_state)."""
    return _wrap_np(np.ascontiguousarray(arr))


def _owner(t):
    """The tensor holding ``t``'s storage and version counter (``t`` itself unless shared)."""
    owner = t._storage_owner
    return t if owner is None else owner


def _view_of(base, arr):
    """A tensor viewing ``base``'s storage through ``arr``: shares storage and version counter."""
    t = _new(Tensor)
    t._data = arr
    t._dtype = base._dtype
    t._base = base._base if base._base is not None else base
    t._storage_owner = _owner(base)
    return t


def _detached_alias(t):
    """``detach()``: the same storage and version counter, no history, not a view."""
    out = _new(Tensor)
    out._data = t._data.view()
    out._dtype = t._dtype
    out._storage_owner = _owner(t)
    return out


def _rebuild(data, dtype_name, requires_grad):
    t = _wrap(data, _dt._by_name(dtype_name))
    if requires_grad:
        t._requires_grad = True
    return t


def _convert(t, dtype):
    """``t.to(dtype)``: a copy in another dtype (PyTorch's casts: floats truncate to ints)."""
    from .ops import _record_cast

    arr = _dt.cast(t._data, dtype)
    if t._data.ndim > 1 and (not t._data.flags.c_contiguous or 1 in t._data.shape):
        # NumPy's cast keeps an order of its own; PyTorch's copy is laid out as
        # empty_like(t): t's strides when dense, else dense in t's order
        from ._creation import _empty_like_array

        out = _empty_like_array(t._data, arr.dtype)
        out[...] = arr
        arr = out
    return _record_cast(t, _wrap(arr, dtype))


def _set_requires_grad(t, value):
    value = bool(value)
    if t.grad_fn is not None:
        if not value:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        return
    if value and t._dtype.category != _dt._FLOAT:
        raise RuntimeError("only Tensors of floating point dtype can require gradients")
    t._requires_grad = value


def _contiguous_strides(shape):
    strides, acc = [], 1
    for s in reversed(shape):
        strides.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(strides))


def _is_contiguous(shape, strides):
    if 0 in shape:
        return True
    expected = 1
    for size, stride in zip(reversed(shape), reversed(strides), strict=True):
        if size != 1:
            if stride != expected:
                return False
            expected *= size
    return True


def wrap_dim(dim, ndim):
    """Normalise a possibly negative dim with PyTorch's IndexError (0-d tensors accept -1, 0)."""
    if isinstance(dim, Tensor):
        dim = dim.item()
    n = ndim if ndim > 0 else 1
    if not -n <= dim < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return dim + n if dim < 0 else dim if ndim > 0 else 0


def _wrap_attribute_dim(dim, ndim):
    """``wrap_dim`` for ``size(dim)``/``stride(dim)``, which a 0-d tensor has none of."""
    if ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    return wrap_dim(dim, ndim)


def wrap_dims(dims, ndim):
    """Normalise an int or a sequence of dims; repeated dims are PyTorch's RuntimeError."""
    if isinstance(dims, int | np.integer):
        return (wrap_dim(dims, ndim),)
    out = tuple(wrap_dim(d, ndim) for d in dims)
    if len(set(out)) != len(out):
        for i, d in enumerate(out):
            if d in out[:i]:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return out


def scalar_type_name(dtype):
    return SCALAR_TYPE_NAMES[dtype]


def is_scalar(x):
    return isinstance(x, numbers.Number | np.generic) and not isinstance(x, np.ndarray)


# ---------------------------------------------------------------------- legacy constructors
def _legacy_new(dtype, args, kwargs):
    from ._creation import legacy_new

    return legacy_new(dtype, args, kwargs)


def _legacy_class(dtype):
    class _LegacyTensorType(type):
        def __instancecheck__(cls, obj):
            return isinstance(obj, Tensor) and obj._dtype is dtype

    def __new__(cls, *args, **kwargs):  # noqa: N807 - the class body's constructor
        return _legacy_new(dtype, args, kwargs)

    name = _dt.LEGACY_TYPE_NAMES[dtype].split(".")[1]
    return _LegacyTensorType(name, (), {"__new__": __new__, "_dtype": dtype, "dtype": dtype,
                                        "is_cuda": False, "__module__": "torch"})


FloatTensor = _legacy_class(_dt.float32)
DoubleTensor = _legacy_class(_dt.float64)
HalfTensor = _legacy_class(_dt.float16)
LongTensor = _legacy_class(_dt.int64)
IntTensor = _legacy_class(_dt.int32)
ShortTensor = _legacy_class(_dt.int16)
CharTensor = _legacy_class(_dt.int8)
ByteTensor = _legacy_class(_dt.uint8)
BoolTensor = _legacy_class(_dt.bool)
