"""Channel-wise dropout: ``dropout1d``, ``dropout2d`` and ATen's ``feature_dropout`` under
them, zeroing whole channels: one ``bernoulli_(1 - p)`` draw per (sample, channel) into a
noise tensor of shape (N, C, 1, ...), divided by ``1 - p`` and multiplied in (broadcast, so
the node is ``MulBackward0``), drawing the random numbers PyTorch draws."""

from __future__ import annotations

import warnings

import numpy as np

from .._tensor import _wrap

__all__ = ["dropout1d", "dropout2d", "feature_dropout"]


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def feature_dropout(input, p, train, inplace=False):
    """ATen's ``feature_dropout`` (``inplace``: ``feature_dropout_``)."""
    if p < 0 or p > 1:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p}")
    if p == 0 or not train or input.numel() == 0:
        return input
    if p == 1:
        zero = _wrap(np.zeros((), input._dtype.np), input._dtype)
        return input.mul_(zero) if inplace else input * zero
    if input.dim() < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    shape = (*input.shape[:2], *(1,) * (input.dim() - 2))
    noise = _wrap(np.empty(shape, input._dtype.np), input._dtype)
    noise.bernoulli_(1 - p)
    noise.div_(1 - p)
    return input.mul_(noise) if inplace else input * noise


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zeroes whole channels of an (N, C, L) or unbatched (C, L) input."""
    _check_p(p)
    inp_dim = input.dim()
    if inp_dim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {inp_dim}D input. "
            "Note that dropout1d exists to provide channel-wise dropout on inputs with 1 "
            "spatial dimension, a channel dimension, and an optional batch dimension "
            "(i.e. 2D or 3D inputs).")
    is_batched = inp_dim == 3
    batched = input
    if not is_batched:
        batched = input.unsqueeze_(0) if inplace else input.unsqueeze(0)
    result = feature_dropout(batched, p, training, inplace)
    if not is_batched:
        result = result.squeeze_(0) if inplace else result.squeeze(0)
    return result


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zeroes whole channels of an (N, C, H, W) input; a 3-d input is taken as (N, C, L), with
    PyTorch's warnings (and its warning for inputs of other ranks)."""
    _check_p(p)
    inp_dim = input.dim()
    if inp_dim not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {inp_dim}-D input to dropout2d, which is deprecated "
            "and will result in an error in a future release. To retain the behavior "
            "and silence this warning, please use dropout instead. Note that dropout2d "
            "exists to provide channel-wise dropout on inputs with 2 spatial dimensions, "
            "a channel dimension, and an optional batch dimension (i.e. 3D or 4D inputs).",
            stacklevel=2)
    if inp_dim == 3:  # PyTorch keeps its historical reading of a 3-d input: (N, C, L)
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise "
            "1D dropout behavior is desired - input is interpreted as shape (N, C, L), where C "
            "is the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2)
    return feature_dropout(input, p, training, inplace)
