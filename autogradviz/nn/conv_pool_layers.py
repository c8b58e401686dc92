"""The 1-d convolution and pooling layers (``Conv1d``, ``MaxPool1d``, ``AvgPool1d``,
``AdaptiveAvgPool1d``), ``ConvTranspose1d/2d``, adaptive max pooling and the channel dropouts,
each a thin module over its ``nn.functional`` form, initialised and printed as PyTorch's."""

from __future__ import annotations

from collections.abc import Iterable

from . import functional as F  # noqa: N812 - PyTorch's spelling
from .layers import Conv2d, _AdaptiveAvgPoolNd, _MaxPoolNd, _setup_conv
from .module import Module

__all__ = ["AdaptiveAvgPool1d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AvgPool1d", "Conv1d",
           "ConvTranspose1d", "ConvTranspose2d", "Dropout1d", "Dropout2d", "MaxPool1d"]


def _single(x):
    return tuple(x) if isinstance(x, Iterable) else (x,)


def _pair(x):
    return tuple(x) if isinstance(x, Iterable) else (x, x)


class Conv1d(Module):
    """A 1-d convolution (``F.conv1d``); weight and bias start as ``Conv2d``'s do, drawing the
    same random numbers as PyTorch's ``_ConvNd.reset_parameters``."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__()
        _setup_conv(self, _single, in_channels, out_channels, kernel_size, stride, padding,
                    dilation, False, 0, groups, bias, padding_mode, device, dtype)

    reset_parameters = Conv2d.reset_parameters
    extra_repr = Conv2d.extra_repr

    def _conv_forward(self, input, weight, bias):
        if self.padding_mode != "zeros":
            return F.conv1d(F.pad(input, self._reversed_padding_repeated_twice,
                                  mode=self.padding_mode),
                            weight, bias, self.stride, _single(0), self.dilation, self.groups)
        return F.conv1d(input, weight, bias, self.stride, self.padding, self.dilation,
                        self.groups)

    def forward(self, input):
        return self._conv_forward(input, self.weight, self.bias)


class _ConvTransposeNd(Module):
    """What ``ConvTranspose1d`` and ``ConvTranspose2d`` share: the weight (in, out / groups,
    ...) and bias drawn as PyTorch's, and ``forward(input, output_size)`` picking the output
    padding that gives ``output_size``, as PyTorch's does."""

    _ntuple = staticmethod(_pair)
    _spatial_dims = 2

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1, padding_mode="zeros",
                 device=None, dtype=None):
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for '
                             f"{self.__class__.__name__}")
        super().__init__()
        ntuple = self._ntuple
        _setup_conv(self, ntuple, in_channels, out_channels, kernel_size, stride,
                    ntuple(padding), dilation, True, output_padding, groups, bias,
                    padding_mode, device, dtype)

    reset_parameters = Conv2d.reset_parameters
    extra_repr = Conv2d.extra_repr

    def _output_padding(self, input, output_size, stride, padding, kernel_size,
                        num_spatial_dims, dilation=None):
        if output_size is None:
            return _single(self.output_padding)
        has_batch_dim = input.dim() == num_spatial_dims + 2
        num_non_spatial_dims = 2 if has_batch_dim else 1
        if len(output_size) == num_non_spatial_dims + num_spatial_dims:
            output_size = output_size[num_non_spatial_dims:]
        if len(output_size) != num_spatial_dims:
            raise ValueError(
                f"ConvTranspose{num_spatial_dims}D: for {input.dim()}D input, output_size must "
                f"have {num_spatial_dims} or {num_non_spatial_dims + num_spatial_dims} "
                f"elements (got {len(output_size)})")
        min_sizes, max_sizes = [], []
        for d in range(num_spatial_dims):
            dim_size = ((input.size(d + num_non_spatial_dims) - 1) * stride[d] - 2 * padding[d]
                        + (dilation[d] if dilation is not None else 1) * (kernel_size[d] - 1)
                        + 1)
            min_sizes.append(dim_size)
            max_sizes.append(dim_size + stride[d] - 1)
        for size, low, high in zip(output_size, min_sizes, max_sizes, strict=True):
            if size < low or size > high:
                raise ValueError(
                    f"requested an output size of {output_size}, but valid sizes range from "
                    f"{min_sizes} to {max_sizes} (for an input of {input.size()[2:]})")
        return [output_size[d] - min_sizes[d] for d in range(num_spatial_dims)]

    def forward(self, input, output_size=None):
        output_padding = self._output_padding(input, output_size, self.stride, self.padding,
                                              self.kernel_size, self._spatial_dims,
                                              self.dilation)
        function = F.conv_transpose1d if self._spatial_dims == 1 else F.conv_transpose2d
        return function(input, self.weight, self.bias, self.stride, self.padding,
                        output_padding, self.groups, self.dilation)


class ConvTranspose1d(_ConvTransposeNd):
    """A 1-d transposed convolution (``F.conv_transpose1d``)."""

    _ntuple = staticmethod(_single)
    _spatial_dims = 1


class ConvTranspose2d(_ConvTransposeNd):
    """A 2-d transposed convolution (``F.conv_transpose2d``)."""


# ---------------------------------------------------------------------- 1-d pooling
class MaxPool1d(_MaxPoolNd):
    """The maximum of each window along the length (``F.max_pool1d``); ``stride`` defaults to
    the kernel."""

    _pool = staticmethod(F.max_pool1d)


class AvgPool1d(Module):
    """The mean of each window along the length (``F.avg_pool1d``); its sizes kept as
    1-tuples, as PyTorch keeps them."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True):
        super().__init__()
        self.kernel_size = _single(kernel_size)
        self.stride = _single(stride if stride is not None else kernel_size)
        self.padding = _single(padding)
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input):
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool1d(_AdaptiveAvgPoolNd):
    """The mean over windows that divide the length into ``output_size``
    (``F.adaptive_avg_pool1d``)."""

    _pool = staticmethod(F.adaptive_avg_pool1d)


class AdaptiveMaxPool1d(Module):
    """The maximum over windows that divide the length into ``output_size``
    (``F.adaptive_max_pool1d``)."""

    def __init__(self, output_size, return_indices=False):
        super().__init__()
        self.output_size = output_size
        self.return_indices = return_indices

    def forward(self, input):
        return F.adaptive_max_pool1d(input, self.output_size, self.return_indices)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveMaxPool2d(Module):
    """The maximum over windows that divide the last two dims into ``output_size``
    (``F.adaptive_max_pool2d``)."""

    def __init__(self, output_size, return_indices=False):
        super().__init__()
        self.output_size = output_size
        self.return_indices = return_indices

    def forward(self, input):
        return F.adaptive_max_pool2d(input, self.output_size, self.return_indices)

    def extra_repr(self):
        return f"output_size={self.output_size}"


# ---------------------------------------------------------------------- channel dropout
class _ChannelDropout(Module):
    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout1d(_ChannelDropout):
    """Zeroes whole channels in training mode (``F.dropout1d``)."""

    def forward(self, input):
        return F.dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(_ChannelDropout):
    """Zeroes whole channels in training mode (``F.dropout2d``)."""

    def forward(self, input):
        return F.dropout2d(input, self.p, self.training, self.inplace)
