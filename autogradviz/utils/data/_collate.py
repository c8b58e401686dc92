"""``default_collate`` (a list of samples -> one batch) and ``default_convert`` (one sample,
NumPy -> tensors), with PyTorch's rules: tensors are stacked along a new first dimension, Python
floats become float64, ints int64, bools bool, NumPy arrays and scalars become tensors of their
dtype, strings and bytes stay a list, and mappings, named tuples and sequences are collated
field by field (a tuple of fields comes back as a list, as in PyTorch)."""

from __future__ import annotations

import collections.abc
import copy
import re
from collections.abc import Callable

import numpy as np

from ..._creation import as_tensor, tensor
from ..._tensor import Tensor
from ...dtypes import float64
from ...ops.shape import stack

__all__ = ["collate", "default_collate", "default_collate_fn_map", "default_convert"]

# NumPy dtypes that hold bytes, strings or objects: they stay as they are.
np_str_obj_array_pattern = re.compile(r"[SaUO]")

default_collate_err_msg_format = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
    "found {}"
)


def _rebuild_mapping(template, values: dict):
    """A mapping of ``template``'s type holding ``values`` (a plain dict if that type cannot be
    built so)."""
    try:
        if isinstance(template, collections.abc.MutableMapping):
            out = copy.copy(template)
            out.update(values)
            return out
        return type(template)(values)
    except TypeError:
        return values


def _rebuild_sequence(template, values: list):
    try:
        if isinstance(template, collections.abc.MutableSequence):
            out = copy.copy(template)
            for i, value in enumerate(values):
                out[i] = value
            return out
        return type(template)(values)
    except TypeError:
        return values


def _is_numpy_value(data) -> bool:
    kind = type(data)
    return kind.__module__ == "numpy" and kind.__name__ not in ("str_", "string_")


def default_convert(data):
    """Turn the NumPy arrays and scalars inside ``data`` into tensors (what a DataLoader does to
    each sample when it does not batch)."""
    if isinstance(data, Tensor):
        return data
    if _is_numpy_value(data):
        if isinstance(data, np.ndarray) and np_str_obj_array_pattern.search(data.dtype.str):
            return data
        return as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return _rebuild_mapping(data, {key: default_convert(data[key]) for key in data})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(item) for item in data))
    if isinstance(data, tuple):
        return [default_convert(item) for item in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, str | bytes):
        return _rebuild_sequence(data, [default_convert(item) for item in data])
    return data


def collate(batch, *, collate_fn_map: dict[type | tuple[type, ...], Callable] | None = None):
    """Collate ``batch`` (a list of samples of the same structure): the first sample's type picks
    a function from ``collate_fn_map`` (exact type first, then ``isinstance`` in the map's
    order); containers are collated field by field."""
    first = batch[0]
    kind = type(first)
    if collate_fn_map is not None:
        if kind in collate_fn_map:
            return collate_fn_map[kind](batch, collate_fn_map=collate_fn_map)
        for types, fn in collate_fn_map.items():
            if isinstance(first, types):
                return fn(batch, collate_fn_map=collate_fn_map)

    def again(samples):
        return collate(samples, collate_fn_map=collate_fn_map)

    if isinstance(first, collections.abc.Mapping):
        return _rebuild_mapping(first, {key: again([d[key] for d in batch]) for key in first})
    if isinstance(first, tuple) and hasattr(first, "_fields"):
        return kind(*(again(field) for field in zip(*batch, strict=False)))
    if isinstance(first, collections.abc.Sequence):
        size = len(first)
        if any(len(sample) != size for sample in batch[1:]):
            raise RuntimeError("each element in list of batch should be of equal size")
        fields = [again(field) for field in zip(*batch, strict=False)]
        if isinstance(first, tuple):
            return fields
        return _rebuild_sequence(first, fields)
    raise TypeError(default_collate_err_msg_format.format(kind))


def collate_tensor_fn(batch, *, collate_fn_map=None):
    return stack(batch, 0)


def collate_numpy_array_fn(batch, *, collate_fn_map=None):
    dtype = batch[0].dtype
    if np_str_obj_array_pattern.search(dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(dtype))
    return collate([as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None):
    return as_tensor(batch)


def collate_float_fn(batch, *, collate_fn_map=None):
    return tensor(batch, dtype=float64)


def collate_int_fn(batch, *, collate_fn_map=None):
    return tensor(batch)  # int64, or bool for Python bools


def collate_str_fn(batch, *, collate_fn_map=None):
    return batch


default_collate_fn_map: dict[type | tuple[type, ...], Callable] = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch):
    """Put a list of samples together into a batch (the DataLoader's default ``collate_fn``)."""
    return collate(batch, collate_fn_map=default_collate_fn_map)
