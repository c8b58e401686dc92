"""``torch.save`` and ``torch.load`` in PyTorch's file format.

A file is PyTorch's zip archive: ``<name>/data.pkl`` (a protocol-2 pickle), one record
``<name>/data/<key>`` of raw little-endian bytes per storage, and the ``version``/``byteorder``
records. In the pickle a tensor is ``torch._utils._rebuild_tensor_v2(storage, offset, size,
stride, requires_grad, OrderedDict())`` and a parameter ``torch._utils._rebuild_parameter(
tensor, requires_grad, OrderedDict())``, the storage a persistent id ``("storage",
torch.FloatStorage, key, "cpu", numel)``; dtypes, ``torch.Size`` and ``torch.device`` are
globals of the ``torch`` namespace. Those names are written as text (nothing imports PyTorch),
so autogradviz and PyTorch read each other's files. Tensors sharing storage (a parameter and
its ``state_dict()`` entry) share one storage record, and share storage again when loaded.

``load`` defaults to ``weights_only=True`` like PyTorch 2.6 and later: only tensors, the
built-in containers and numbers, ``OrderedDict``, dtypes, sizes, devices and what
``add_safe_globals`` allows are unpickled; anything else raises PyTorch's ``UnpicklingError``.
"""

from __future__ import annotations

import collections
import contextlib
import io
import os
import pickle
import sys
import zipfile

import numpy as np

from . import dtypes as _dt
from ._tensor import Size, Tensor, _contiguous_strides, _new, _owner, _wrap, device

__all__ = ["add_safe_globals", "clear_safe_globals", "get_safe_globals", "load",
           "safe_globals", "save"]

_STORAGE_NAMES = {d: f"{name}Storage" for d, name in _dt.SCALAR_TYPE_NAMES.items()}
_STORAGE_DTYPES = {name: d for d, name in _STORAGE_NAMES.items()}
_DTYPES_BY_NAME = {d.name: d for d in _dt.SCALAR_TYPE_NAMES}
# PyTorch's other spellings of the same dtypes (torch.float is torch.float32 ...).
_DTYPES_BY_NAME.update({"float": _dt.float32, "double": _dt.float64, "half": _dt.float16,
                        "long": _dt.int64, "int": _dt.int32, "short": _dt.int16})


# ---------------------------------------------------------------------- writing
class _Global:
    """A name in PyTorch's namespace, written into the pickle as a GLOBAL opcode."""

    __slots__ = ("module", "name")

    def __init__(self, module, name):
        self.module, self.name = module, name

    def __call__(self, *args):  # the pickler requires a callable; only its name is written
        raise TypeError(f"{self.module}.{self.name} is a name in a file, not a function")


_GLOBALS = {}


def _global(module, name):
    """One marker object per name, so that the pickler's memo refers back to it."""
    key = (module, name)
    if key not in _GLOBALS:
        _GLOBALS[key] = _Global(module, name)
    return _GLOBALS[key]


class _StorageRef:
    """A storage to be written as its own record (saved by persistent id)."""

    __slots__ = ("array", "dtype", "key")

    def __init__(self, key, array, dtype):
        self.key, self.array, self.dtype = key, array, dtype


class _Writer(pickle._Pickler):
    """The pure-Python pickler, with PyTorch's names for tensors, parameters, dtypes, sizes
    and devices, and storages as persistent ids."""

    dispatch = dict(pickle._Pickler.dispatch)

    def __init__(self, file, protocol):
        super().__init__(file, protocol)
        self.storages = {}  # id of the storage's owner -> _StorageRef

    def _save_global_marker(self, marker):
        self.write(pickle.GLOBAL + f"{marker.module}\n{marker.name}\n".encode())
        self.memoize(marker)

    dispatch[_Global] = _save_global_marker

    def _save_dtype(self, dtype):
        self.save(_global("torch", dtype.name))

    dispatch[_dt.dtype] = _save_dtype

    def persistent_id(self, obj):
        if isinstance(obj, _StorageRef):
            return ("storage", _global("torch", _STORAGE_NAMES[obj.dtype]), obj.key, "cpu",
                    int(obj.array.size))
        return None

    def _storage_of(self, t):
        """The storage record of ``t`` and where ``t`` lies in it (offset, strides): the
        owner's array when it is contiguous, else a contiguous copy of ``t`` alone."""
        owner = _owner(t)
        root = owner._data
        if root.flags.c_contiguous and np.may_share_memory(root, t._data):
            ref = self.storages.get(id(owner))
            if ref is None:
                ref = _StorageRef(str(len(self.storages)), root.reshape(-1), t._dtype)
                self.storages[id(owner)] = ref
            return ref, t.storage_offset(), tuple(t.stride())
        data = np.ascontiguousarray(t._data)
        ref = _StorageRef(str(len(self.storages)), data.reshape(-1), t._dtype)
        self.storages[("copy", id(t))] = ref
        return ref, 0, _contiguous_strides(data.shape)

    def reducer_override(self, obj):
        from .nn.parameter import Parameter

        if isinstance(obj, Parameter):
            plain = _new(Tensor)
            plain._data, plain._dtype = obj._data, obj._dtype
            plain._storage_owner = _owner(obj)
            return (_global("torch._utils", "_rebuild_parameter"),
                    (plain, obj.requires_grad, collections.OrderedDict()))
        if isinstance(obj, Tensor):
            ref, offset, stride = self._storage_of(obj)
            return (_global("torch._utils", "_rebuild_tensor_v2"),
                    (ref, offset, tuple(obj._data.shape), stride, obj.requires_grad,
                     collections.OrderedDict()))
        if isinstance(obj, Size):
            return (_global("torch", "Size"), (tuple(obj),))
        if isinstance(obj, device):
            return (_global("torch", "device"), (str(obj),))
        return NotImplemented


def _archive_name(f):
    if isinstance(f, str | os.PathLike):
        return os.path.splitext(os.path.basename(os.fspath(f)))[0] or "archive"
    return "archive"


def save(obj, f, pickle_module=pickle, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Write ``obj`` (tensors, state dicts, optimizer state, containers, ...) to ``f`` (a path
    or a binary file object) in PyTorch's zip format."""
    buffer = io.BytesIO()
    writer = _Writer(buffer, pickle_protocol)
    writer.dump(obj)
    name = _archive_name(f)
    opened = isinstance(f, str | os.PathLike)
    target = open(f, "wb") if opened else f  # noqa: SIM115 - closed below
    try:
        with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as archive:
            archive.writestr(f"{name}/data.pkl", buffer.getvalue())
            archive.writestr(f"{name}/.format_version", "1")
            archive.writestr(f"{name}/.storage_alignment", "64")
            if not _disable_byteorder_record:
                archive.writestr(f"{name}/byteorder", sys.byteorder)
            for ref in writer.storages.values():
                data = ref.array.astype(ref.array.dtype.newbyteorder("<"), copy=False)
                archive.writestr(f"{name}/data/{ref.key}", data.tobytes())
            archive.writestr(f"{name}/version", "3\n")
    finally:
        if opened:
            target.close()


# ---------------------------------------------------------------------- reading
_SAFE_GLOBALS = []

_WEIGHTS_ONLY_MESSAGE = (
    "Weights only load failed. This file can still be loaded, to do so you have two options, "
    "\x1b[1mdo those steps only if you trust the source of the checkpoint\x1b[0m. \n\t(1) In "
    "PyTorch 2.6, we changed the default value of the `weights_only` argument in `torch.load` "
    "from `False` to `True`. Re-running `torch.load` with `weights_only` set to `False` will "
    "likely succeed, but it can result in arbitrary code execution. Do it only if you got the "
    "file from a trusted source.\n\t(2) Alternatively, to load with `weights_only=True` please "
    "check the recommended steps in the following error message.\n\tWeightsUnpickler error: "
    "{error}\n\nCheck the documentation of torch.load to learn more about types accepted by "
    "default with weights_only https://pytorch.org/docs/stable/generated/torch.load.html."
)


def add_safe_globals(safe_globals):
    """Allow these classes/functions in ``load(..., weights_only=True)``."""
    _SAFE_GLOBALS.extend(safe_globals)


def clear_safe_globals():
    _SAFE_GLOBALS.clear()


def get_safe_globals():
    return list(_SAFE_GLOBALS)


@contextlib.contextmanager
def safe_globals(safe_globals):
    """``add_safe_globals`` for the duration of a ``with`` block."""
    before = list(_SAFE_GLOBALS)
    _SAFE_GLOBALS.extend(safe_globals)
    try:
        yield
    finally:
        _SAFE_GLOBALS[:] = before


def _qualified(obj):
    module = getattr(obj, "__module__", None)
    name = getattr(obj, "__qualname__", getattr(obj, "__name__", repr(obj)))
    return f"{module}.{name}" if module and module != "builtins" else name


def _rebuild_tensor(storage, storage_offset, size, stride, requires_grad=False,
                    backward_hooks=None, metadata=None):
    """A tensor viewing ``storage`` (an owner tensor) at ``storage_offset`` with ``stride``."""
    root = storage._data
    item = root.itemsize
    t = _new(Tensor)
    t._data = np.lib.stride_tricks.as_strided(
        root[storage_offset:] if root.size else root, shape=tuple(size),
        strides=tuple(s * item for s in stride))
    t._dtype = storage._dtype
    t._storage_owner = storage
    if requires_grad:
        t.requires_grad_(True)
    return t


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                       dtype, metadata=None):
    if storage._dtype is not dtype:
        storage = _wrap(storage._data.view(dtype.np), dtype)
    return _rebuild_tensor(storage, storage_offset, size, stride, requires_grad)


def _rebuild_parameter(data, requires_grad, backward_hooks):
    from .nn.parameter import Parameter

    return Parameter(data, requires_grad)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    param = _rebuild_parameter(data, requires_grad, backward_hooks)
    if state:
        param.__dict__.update(state)
    return param


class _StorageType:
    """What ``torch.FloatStorage`` & co. stand for in a file: the storage's dtype."""

    def __init__(self, dtype):
        self.dtype = dtype


def _torch_global(module, name):
    """The autogradviz object for a name of PyTorch's namespace a file refers to, or None."""
    if module == "torch._utils":
        return {"_rebuild_tensor_v2": _rebuild_tensor, "_rebuild_tensor_v3": _rebuild_tensor_v3,
                "_rebuild_parameter": _rebuild_parameter,
                "_rebuild_parameter_with_state": _rebuild_parameter_with_state}.get(name)
    if module == "torch":
        if name in _STORAGE_DTYPES:
            return _StorageType(_STORAGE_DTYPES[name])
        if name == "UntypedStorage":
            return _StorageType(_dt.uint8)
        if name in _DTYPES_BY_NAME:
            return _DTYPES_BY_NAME[name]
        if name == "Size":
            return Size
        if name == "device":
            return device
    if module == "torch.nn.parameter" and name == "Parameter":
        from .nn.parameter import Parameter

        return Parameter
    return None


_ALLOWED_BUILTINS = {("collections", "OrderedDict"): collections.OrderedDict,
                     ("collections", "Counter"): collections.Counter,
                     ("builtins", "set"): set, ("builtins", "frozenset"): frozenset,
                     ("builtins", "complex"): complex, ("builtins", "bytearray"): bytearray}


class _Reader(pickle.Unpickler):
    def __init__(self, file, archive, prefix, weights_only, big_endian):
        super().__init__(file)
        self.archive, self.prefix = archive, prefix
        self.weights_only, self.big_endian = weights_only, big_endian
        self.storages = {}

    def find_class(self, module, name):
        if module == "__builtin__":  # protocol 2 writes Python 2's name
            module = "builtins"
        found = _torch_global(module, name)
        if found is not None:
            return found
        if (module, name) in _ALLOWED_BUILTINS:
            return _ALLOWED_BUILTINS[(module, name)]
        if module == "_codecs" and name == "encode":  # protocol 2's bytes
            import codecs

            return codecs.encode
        if self.weights_only:
            for allowed in _SAFE_GLOBALS:
                if (getattr(allowed, "__module__", None) == module
                        and getattr(allowed, "__qualname__", None) == name):
                    return allowed
            shown = name if module == "builtins" else f"{module}.{name}"
            error = (f"Unsupported global: GLOBAL {shown} was not an allowed global by "
                     "default. Please use `torch.serialization.add_safe_globals([" + shown
                     + "])` or the `torch.serialization.safe_globals([" + shown + "])` "
                     "context manager to allowlist this global if you trust this "
                     "class/function.")
            raise pickle.UnpicklingError(_WEIGHTS_ONLY_MESSAGE.format(error=error))
        if module == "torch" or module.startswith("torch."):
            raise pickle.UnpicklingError(
                f"autogradviz cannot load {module}.{name} (a PyTorch object it does not have)")
        return super().find_class(module, name)

    def persistent_load(self, pid):
        kind, storage_type, key = pid[:3]
        if kind != "storage":
            raise pickle.UnpicklingError(f"unknown persistent id {kind!r}")
        if key not in self.storages:
            dtype = storage_type.dtype
            raw = self.archive.read(f"{self.prefix}data/{key}")
            order = ">" if self.big_endian else "<"
            array = np.frombuffer(raw, dtype=dtype.np.newbyteorder(order))
            self.storages[key] = _wrap(array.astype(dtype.np), dtype)
        return self.storages[key]


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None,
         **pickle_load_args):
    """Read what ``save`` (this library's or PyTorch's) wrote to ``f`` (a path or a binary
    file object). Only the CPU exists, so ``map_location`` is accepted and the tensors stay
    on the CPU."""
    if weights_only is None:
        weights_only = os.environ.get("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "0") in ("0", "")
    opened = isinstance(f, str | os.PathLike)
    source = open(f, "rb") if opened else f  # noqa: SIM115 - closed below
    try:
        if not zipfile.is_zipfile(source):
            raise RuntimeError("autogradviz reads PyTorch's zip file format (torch.save's "
                               "default since PyTorch 1.6); this file is not one")
        if hasattr(source, "seek"):
            source.seek(0)
        with zipfile.ZipFile(source) as archive:
            pickles = [n for n in archive.namelist() if n.endswith("data.pkl")]
            if not pickles:
                raise RuntimeError("PytorchStreamReader failed locating file data.pkl: "
                                   "file not found")
            prefix = pickles[0][:-len("data.pkl")]
            names = set(archive.namelist())
            big_endian = (f"{prefix}byteorder" in names
                          and archive.read(f"{prefix}byteorder").strip() == b"big")
            data = io.BytesIO(archive.read(pickles[0]))
            return _Reader(data, archive, prefix, weights_only, big_endian).load()
    finally:
        if opened:
            source.close()
