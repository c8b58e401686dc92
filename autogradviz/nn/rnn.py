"""Recurrent layers: ``LSTM``, ``GRU`` and ``RNN`` and their cells, with PyTorch's parameters
(names, shapes, registration order and initial random numbers), checks, messages and reprs.

PyTorch's CPU LSTM runs two kernels, and so builds two different graphs:

- float32 goes to oneDNN: each layer and direction is one ``mkldnn_rnn_layer`` call, whose
  outputs (the sequence, ``h`` and ``c`` at the end) share one ``MkldnnRnnLayerBackward0`` node,
  which saves what PyTorch's saves (but oneDNN's opaque workspace, ``result3``). Here the layer
  runs in NumPy and its node's backward is backpropagation through time written out
  (``_lstm_layer_backward``; with ``create_graph=True`` from differentiable operations, so
  double backward works, though not through PyTorch's nodes). oneDNN sums and
  approximates in its own way, so float32 results agree with PyTorch's to a few units in the
  last place, not bit for bit.
- other dtypes (float64) run ``at::native``'s step by step, from differentiable operations:
  the input projection of the whole sequence at once (``linear`` on the 3-D input), then per
  step ``linear(h, w_hh, b_hh).add_(projection[t])``, ``unsafe_chunk`` into the gates i, f, g,
  o (``sigmoid_``/``tanh_`` in place), ``c = f * c + i * g`` and ``h = o * tanh(c)``; the
  outputs are stacked (``StackBackward0``), the directions concatenated (``CatBackward0``).

GRU, RNN and the cells always take the second way, as PyTorch's CPU kernels do.
"""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from .. import _creation
from .. import dtypes as _dt
from .._tensor import _wrap
from ..autograd.grad_mode import STATE as _GRAD_MODE
from ..autograd.graph import derivative, rule_helper
from ..ops._common import tracked
from ..ops.linalg import matmul
from ..ops.shape import cat, stack
from . import functional as F  # noqa: N812 - PyTorch's spelling
from . import init
from .module import Module
from .parameter import Parameter

__all__ = ["GRU", "LSTM", "RNN", "GRUCell", "LSTMCell", "RNNBase", "RNNCell", "RNNCellBase"]

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


# ---------------------------------------------------------------------- the gates' split
# ``unsafe_chunk``: the gates are written in place by sigmoid_/tanh_, so PyTorch splits them
# without view tracking; the pieces' node is UnsafeSplitBackward0.
UnsafeSplitBackward0 = derivative(
    "UnsafeSplitBackward0", inputs=("self",), saves=("dim", "self_sym_sizes", "split_size"),
    int64=("dim",), self="split_backward(grads, dim)",
)


def _unsafe_chunk(gates, chunks):
    """``gates.unsafe_chunk(chunks, 1)`` for a 2-D ``gates`` whose width divides evenly."""
    width = gates._data.shape[1] // chunks
    pieces = tuple(_wrap(gates._data[:, k * width:(k + 1) * width], gates._dtype)
                   for k in range(chunks))
    saved = {"dim": 1, "self_sym_sizes": gates._data.shape, "split_size": width}
    return tracked(pieces, UnsafeSplitBackward0, (gates,), saved)


# ---------------------------------------------------------------------- at::native's steps
def _lstm_step(x_projected, h, c, w_hh, b_hh, w_hr=None):
    """One LSTM step given the input's projection ``x W_ih^T + b_ih`` (and ``h``'s projection
    by ``w_hr`` when the LSTM has ``proj_size``)."""
    gates = F.linear(h, w_hh, b_hh).add_(x_projected)
    i, f, g, o = _unsafe_chunk(gates, 4)
    i, f, g, o = i.sigmoid_(), f.sigmoid_(), g.tanh_(), o.sigmoid_()
    c = f.mul(c).add_(i.mul(g))
    h = o.mul(c.tanh())
    return (h if w_hr is None else matmul(h, w_hr.t())), c


def _gru_step(x_projected, h, w_hh, b_hh):
    """One GRU step given ``x W_ih^T + b_ih`` (gates r, z, n as in PyTorch)."""
    xr, xz, xn = _unsafe_chunk(x_projected, 3)
    hr, hz, hn = _unsafe_chunk(F.linear(h, w_hh, b_hh), 3)
    r = hr.add_(xr).sigmoid_()
    z = hz.add_(xz).sigmoid_()
    n = xn.add(hn.mul_(r)).tanh_()
    return h.sub(n).mul_(z).add_(n)


def _rnn_step(x_projected, h, w_hh, b_hh, relu):
    pre = F.linear(h, w_hh, b_hh).add_(x_projected)
    return pre.relu() if relu else pre.tanh()


def _native_layer(mode, layer_input, h, c, weights, reverse):
    """One layer and direction over the (time, batch, feature) ``layer_input``, step by step
    from differentiable operations: (output, h at the end, c at the end or None)."""
    w_ih, w_hh, b_ih, b_hh, *w_hr = weights
    w_hr = w_hr[0] if w_hr else None
    projected = F.linear(layer_input, w_ih, b_ih).unbind(0)
    steps = range(len(projected) - 1, -1, -1) if reverse else range(len(projected))
    outputs = [None] * len(projected)
    for t in steps:
        if mode == "LSTM":
            h, c = _lstm_step(projected[t], h, c, w_hh, b_hh, w_hr)
        elif mode == "GRU":
            h = _gru_step(projected[t], h, w_hh, b_hh)
        else:
            h = _rnn_step(projected[t], h, w_hh, b_hh, mode == "RNN_RELU")
        outputs[t] = h
    return stack(outputs, 0), h, c


# ---------------------------------------------------------------------- oneDNN's LSTM layer
_SAVED_INPUTS = "(input, weight0, weight1, weight2, weight3, hx_, cx_)"
MkldnnRnnLayerBackward0 = derivative(
    "MkldnnRnnLayerBackward0",
    inputs=("input", "weight0", "weight1", "weight2", "weight3", "hx_", "cx_"),
    saves=("input", "weight0", "weight1", "weight2", "weight3", "hx_", "cx_", "reverse",
           "batch_sizes", "mode", "hidden_size", "num_layers", "has_biases", "bidirectional",
           "batch_first", "train", "result0", "result1", "result2", "_layer"),
    private=("_layer",),
    order=("input", "weight0", "weight1", "weight2", "weight3", "hx_", "cx_"),
    input=f"_lstm_layer_backward(_layer, grads, 0, {_SAVED_INPUTS})",
    weight0=f"_lstm_layer_backward(_layer, grads, 1, {_SAVED_INPUTS})",
    weight1=f"_lstm_layer_backward(_layer, grads, 2, {_SAVED_INPUTS})",
    weight2=f"_lstm_layer_backward(_layer, grads, 3, {_SAVED_INPUTS})",
    weight3=f"_lstm_layer_backward(_layer, grads, 4, {_SAVED_INPUTS})",
    hx_=f"_lstm_layer_backward(_layer, grads, 5, {_SAVED_INPUTS})",
    cx_=f"_lstm_layer_backward(_layer, grads, 6, {_SAVED_INPUTS})",
)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


class _LstmLayer:
    """What a float32 LSTM layer's backward needs: the forward's activations per step."""

    def __init__(self, x, h0, c0, w_ih, w_hh, has_bias, reverse, dtype):
        self.x, self.h0, self.c0, self.w_ih, self.w_hh = x, h0, c0, w_ih, w_hh
        self.has_bias, self.reverse, self.dtype = has_bias, reverse, dtype
        self.steps = []  # per step in the order run: (t, h_prev, c_prev, i, f, g, o, tanh_c)
        self.pending = 0  # rules still to read ``grads`` of the current backward
        self.needed = 0
        self.results = self.results_grads = self.results_key = None


def _lstm_layer_forward(x, h, c, w_ih, w_hh, b_ih, b_hh, reverse, dtype):
    """The layer in NumPy: (output, h, c, the record a backward needs)."""
    layer = _LstmLayer(x, h, c, w_ih, w_hh, b_ih is not None, reverse, dtype)
    projected = x @ w_ih.T
    bias = None
    if b_ih is not None:
        bias = b_ih + b_hh
    hidden = h.shape[-1]
    out = np.empty((x.shape[0], x.shape[1], hidden), dtype=x.dtype)
    order = range(x.shape[0] - 1, -1, -1) if reverse else range(x.shape[0])
    for t in order:
        gates = projected[t] + h @ w_hh.T
        if bias is not None:
            gates += bias
        i = _sigmoid(gates[:, :hidden])
        f = _sigmoid(gates[:, hidden:2 * hidden])
        g = np.tanh(gates[:, 2 * hidden:3 * hidden])
        o = _sigmoid(gates[:, 3 * hidden:])
        c_next = f * c + i * g
        tanh_c = np.tanh(c_next)
        layer.steps.append((t, h, c, i, f, g, o, tanh_c))
        h, c = o * tanh_c, c_next
        out[t] = h
    return out, h, c, layer


@rule_helper
def _lstm_layer_backward(layer, grads, which, inputs):
    """The gradient of input ``which`` (input, w_ih, w_hh, b_ih, b_hh, h0, c0): all are
    computed by the first rule that runs in a backward, the others read them. With
    ``create_graph=True`` they are computed from differentiable operations on ``inputs`` (the
    saved input, weights and initial state), so that they can be differentiated again."""
    # The same ``grads`` (kept alive with the results, so their ids stay theirs) are one call.
    key = tuple(map(id, grads))
    if layer.results is None or layer.results_key != key:
        layer.results_key, layer.results_grads = key, grads
        if _GRAD_MODE.grad_enabled:
            layer.results = _lstm_layer_gradients_differentiable(layer, grads, inputs)
        else:
            layer.results = [_wrap(g, layer.dtype) for g in
                             _lstm_layer_gradients(layer, [g._data for g in grads])]
        layer.pending = layer.needed
    result = layer.results[which]
    layer.pending -= 1
    if layer.pending <= 0:
        layer.results = layer.results_grads = layer.results_key = None
    return result


def _lstm_layer_gradients_differentiable(layer, grads, inputs):
    """``_lstm_layer_gradients`` from autogradviz's operations: the forward's activations
    recomputed from the (saved) inputs, then backpropagation through time."""
    x, w_ih, w_hh, b_ih, b_hh, h, c = inputs
    if not layer.has_bias:  # the saved biases are PyTorch's stand-in zeros
        b_ih = b_hh = None
    grad_out, grad_h, grad_c = grads
    hidden = h.shape[-1]
    projected = x.matmul(w_ih.t())
    if b_ih is not None:
        projected = projected + (b_ih + b_hh)
    steps = []
    for t in (range(x.shape[0] - 1, -1, -1) if layer.reverse else range(x.shape[0])):
        gates = projected[t] + h.mm(w_hh.t())
        i, f, o = (gates[:, k * hidden:(k + 1) * hidden].sigmoid() for k in (0, 1, 3))
        g = gates[:, 2 * hidden:3 * hidden].tanh()
        c_next = f * c + i * g
        tanh_c = c_next.tanh()
        steps.append((t, h, c, i, f, g, o, tanh_c))
        h, c = o * tanh_c, c_next
    grad_x = [None] * x.shape[0]
    grad_w_ih = grad_w_hh = grad_bias = None
    dh, dc = grad_h, grad_c
    for t, h_prev, c_prev, i, f, g, o, tanh_c in reversed(steps):
        dh = dh + grad_out[t]
        dc = dc + dh * o * (1 - tanh_c * tanh_c)
        grad_gates = cat([dc * g * i * (1 - i), dc * c_prev * f * (1 - f),
                           dc * i * (1 - g * g), dh * tanh_c * o * (1 - o)], 1)
        step = (grad_gates.t().mm(x[t]), grad_gates.t().mm(h_prev), grad_gates.sum(0))
        if grad_w_ih is None:
            grad_w_ih, grad_w_hh, grad_bias = step
        else:
            grad_w_ih, grad_w_hh, grad_bias = (grad_w_ih + step[0], grad_w_hh + step[1],
                                               grad_bias + step[2])
        grad_x[t] = grad_gates.mm(w_ih)
        dh = grad_gates.mm(w_hh)
        dc = dc * f
    return [stack(grad_x, 0), grad_w_ih, grad_w_hh, grad_bias, grad_bias, dh, dc]


def _lstm_layer_gradients(layer, grads):
    grad_out, grad_h, grad_c = grads
    hidden = layer.h0.shape[-1]
    grad_x = np.zeros_like(layer.x)
    grad_w_ih = np.zeros_like(layer.w_ih)
    grad_w_hh = np.zeros_like(layer.w_hh)
    grad_bias = np.zeros(4 * hidden, dtype=layer.x.dtype)
    grad_gates = np.empty((layer.x.shape[1], 4 * hidden), dtype=layer.x.dtype)
    dh, dc = grad_h.copy(), grad_c.copy()
    for t, h_prev, c_prev, i, f, g, o, tanh_c in reversed(layer.steps):
        dh = dh + grad_out[t]
        dc = dc + dh * o * (1 - tanh_c * tanh_c)
        grad_gates[:, :hidden] = dc * g * i * (1 - i)
        grad_gates[:, hidden:2 * hidden] = dc * c_prev * f * (1 - f)
        grad_gates[:, 2 * hidden:3 * hidden] = dc * i * (1 - g * g)
        grad_gates[:, 3 * hidden:] = dh * tanh_c * o * (1 - o)
        grad_w_ih += grad_gates.T @ layer.x[t]
        grad_w_hh += grad_gates.T @ h_prev
        grad_bias += grad_gates.sum(0)
        grad_x[t] = grad_gates @ layer.w_ih
        dh = grad_gates @ layer.w_hh
        dc = dc * f
    return grad_x, grad_w_ih, grad_w_hh, grad_bias, grad_bias, dh, dc


def _mkldnn_layer(layer_input, h, c, weights, reverse, bidirectional=False, train=True,
                  num_layers=1):
    """One float32 layer and direction as oneDNN's: three outputs of one node, which saves
    what PyTorch's does (but oneDNN's workspace, ``result3``)."""
    w_ih, w_hh, b_ih, b_hh = weights
    dtype = layer_input._dtype
    out, hy, cy, layer = _lstm_layer_forward(
        layer_input._data, h._data, c._data, w_ih._data, w_hh._data,
        None if b_ih is None else b_ih._data, None if b_hh is None else b_hh._data,
        reverse, dtype)
    outputs = (_wrap(out, dtype), _wrap(hy, dtype), _wrap(cy, dtype))
    inputs = (layer_input, w_ih, w_hh, b_ih, b_hh, h, c)
    if not _GRAD_MODE.grad_enabled or not any(t is not None and t.requires_grad
                                              for t in inputs):
        return outputs
    # Without biases PyTorch hands oneDNN zeros shaped like the weights, and saves those.
    saved = {"input": layer_input, "weight0": w_ih, "weight1": w_hh,
             "weight2": b_ih if b_ih is not None else _creation.zeros(w_ih.shape, dtype=dtype),
             "weight3": b_hh if b_hh is not None else _creation.zeros(w_hh.shape, dtype=dtype),
             "hx_": h, "cx_": c, "reverse": reverse, "batch_sizes": (), "mode": 2,
             "hidden_size": h.shape[-1], "num_layers": num_layers, "has_biases": b_ih is not None,
             "bidirectional": bidirectional, "batch_first": False, "train": train,
             "_layer": layer}
    results = dict(zip(("result0", "result1", "result2"), outputs, strict=True))
    tracked(outputs, MkldnnRnnLayerBackward0, inputs, saved, results)
    layer.needed = sum(fn is not None for fn, _ in outputs[0].grad_fn.next_functions)
    return outputs


_projections_warned = False


def _warn_projections_once():
    """PyTorch's TORCH_WARN_ONCE when a float32 LSTM with projections cannot use oneDNN."""
    global _projections_warned
    if not _projections_warned:
        _projections_warned = True
        warnings.warn("LSTM with projections is not supported with oneDNN. Using default "
                      "implementation. (Triggered internally at "
                      "/__w/pytorch/pytorch/aten/src/ATen/native/RNN.cpp:1512.)", UserWarning,
                      stacklevel=4)


# ---------------------------------------------------------------------- the layers
class RNNBase(Module):
    """What LSTM, GRU and RNN share: the parameters, their checks and the multi-layer run."""

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, proj_size=0,
                 device=None, dtype=None):
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        num_directions = 2 if bidirectional else 1

        if (not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1
                or isinstance(dropout, bool)):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                          "non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}", stacklevel=2)
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: "
                            f"{type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable "
                             "projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError(f"Unrecognized RNN mode: {mode}")
        if proj_size > 0 and mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        gate_size = _GATES[mode] * hidden_size
        real_hidden_size = proj_size if proj_size > 0 else hidden_size

        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(num_directions):
                layer_input_size = (input_size if layer == 0
                                    else real_hidden_size * num_directions)
                suffix = "_reverse" if direction == 1 else ""
                shapes = [("weight_ih", (gate_size, layer_input_size)),
                          ("weight_hh", (gate_size, real_hidden_size))]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                if proj_size > 0:
                    shapes.append(("weight_hr", (proj_size, hidden_size)))
                names = []
                for kind, shape in shapes:
                    name = f"{kind}_l{layer}{suffix}"
                    setattr(self, name, Parameter(_creation.empty(shape, dtype=dtype,
                                                                  device=device)))
                    names.append(name)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _flat_weights(self):
        return [getattr(self, name) for name in self._flat_weights_names]

    @property
    def all_weights(self):
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def flatten_parameters(self):
        """Nothing to do: there is no cuDNN buffer to pack the weights into."""

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)

    # PyTorch's checks, with its messages
    def check_input(self, input, batch_sizes=None):
        weight_dtype = self._flat_weights[0].dtype
        if input.dtype != weight_dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype "
                             f"({weight_dtype}). Convert input: input.to({weight_dtype}), or "
                             f"convert model: model.to({input.dtype})")
        expected_input_dim = 2 if batch_sizes is not None else 3
        if input.dim() != expected_input_dim:
            raise RuntimeError(f"input must have {expected_input_dim} dimensions, got "
                               f"{input.dim()}")
        if self.input_size != input.size(-1):
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.size(-1)}")

    def get_expected_hidden_size(self, input, batch_sizes=None):
        mini_batch = input.size(0) if self.batch_first else input.size(1)
        num_directions = 2 if self.bidirectional else 1
        return (self.num_layers * num_directions, mini_batch,
                self.proj_size if self.proj_size > 0 else self.hidden_size)

    def check_hidden_size(self, hx, expected_hidden_size, msg="Expected hidden size {}, got {}"):
        if tuple(hx.size()) != tuple(expected_hidden_size):
            raise RuntimeError(msg.format(expected_hidden_size, list(hx.size())))

    def check_forward_args(self, input, hidden, batch_sizes=None):
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden, self.get_expected_hidden_size(input, batch_sizes))

    def permute_hidden(self, hx, permutation):
        return hx

    def _run(self, input, hx, cx):
        """The layers over a checked 3-D ``input``: (output, h_n, c_n or None)."""
        if input.size(1 if self.batch_first else 0) == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        layer_input = input.transpose(0, 1) if self.batch_first else input
        num_directions = 2 if self.bidirectional else 1
        weights = self._flat_weights
        per_direction = (4 if self.bias else 2) + (self.proj_size > 0)
        # PyTorch hands oneDNN float32 LSTMs without projections only.
        oneDNN = (self.mode == "LSTM" and layer_input.dtype == _dt.float32  # noqa: N806
                  and self.proj_size == 0)
        if self.mode == "LSTM" and layer_input.dtype == _dt.float32 and self.proj_size:
            _warn_projections_once()
        if oneDNN and self.batch_first:
            layer_input = layer_input.contiguous()  # as PyTorch hands it to oneDNN
        if not oneDNN:
            hx_list = hx.unbind(0)
            cx_list = cx.unbind(0) if cx is not None else None
        final_h, final_c = [], []
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(num_directions):
                index = layer * num_directions + direction
                w = weights[index * per_direction:(index + 1) * per_direction]
                if not self.bias:
                    w = [w[0], w[1], None, None, *w[2:]]
                reverse = direction == 1
                if oneDNN:
                    out, h, c = _mkldnn_layer(layer_input, hx.select(0, index),
                                              cx.select(0, index), w, reverse,
                                              self.bidirectional, self.training,
                                              self.num_layers)
                else:
                    c0 = cx_list[index] if cx_list is not None else None
                    out, h, c = _native_layer(self.mode, layer_input, hx_list[index], c0, w,
                                              reverse)
                outputs.append(out)
                final_h.append(h)
                final_c.append(c)
            layer_output = outputs[0] if num_directions == 1 else cat(outputs,
                                                                     outputs[0].dim() - 1)
            if self.dropout != 0 and self.training and layer < self.num_layers - 1:
                layer_output = F.dropout(layer_output, self.dropout, True)
            layer_input = layer_output
        output = layer_input
        if self.batch_first and self.mode == "LSTM":
            output = output.transpose(0, 1)
        elif self.batch_first:  # at::native's GRU and RNN transpose their result in place
            output.transpose_(0, 1)
        h_n = stack(final_h, 0)
        c_n = stack(final_c, 0) if cx is not None else None
        return output, h_n, c_n


class LSTM(RNNBase):
    """A multi-layer LSTM: gates i, f, g, o in PyTorch's order; returns
    ``(output, (h_n, c_n))``."""

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)

    def get_expected_cell_size(self, input, batch_sizes=None):
        mini_batch = input.size(0) if self.batch_first else input.size(1)
        num_directions = 2 if self.bidirectional else 1
        return (self.num_layers * num_directions, mini_batch, self.hidden_size)

    def check_forward_args(self, input, hidden, batch_sizes=None):
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden[0], self.get_expected_hidden_size(input, batch_sizes),
                               "Expected hidden[0] size {}, got {}")
        self.check_hidden_size(hidden[1], self.get_expected_cell_size(input, batch_sizes),
                               "Expected hidden[1] size {}, got {}")

    def forward(self, input, hx=None):
        if input.dim() not in (2, 3):
            raise ValueError(f"LSTM: Expected input to be 2D or 3D, got {input.dim()}D instead")
        is_batched = input.dim() == 3
        batch_dim = 0 if self.batch_first else 1
        if not is_batched:
            input = input.unsqueeze(batch_dim)  # noqa: A001 - PyTorch's name
        num_directions = 2 if self.bidirectional else 1
        if hx is None:
            max_batch_size = input.size(0) if self.batch_first else input.size(1)
            shape = (self.num_layers * num_directions, max_batch_size, self.hidden_size)
            h_shape = (*shape[:2], self.proj_size) if self.proj_size > 0 else shape
            hx = (_creation.zeros(h_shape, dtype=input.dtype),
                  _creation.zeros(shape, dtype=input.dtype))
            self.check_forward_args(input, hx)
        else:
            if is_batched:
                if hx[0].dim() != 3 or hx[1].dim() != 3:
                    raise RuntimeError(f"For batched 3-D input, hx and cx should also be 3-D "
                                       f"but got ({hx[0].dim()}-D, {hx[1].dim()}-D) tensors")
            else:
                if hx[0].dim() != 2 or hx[1].dim() != 2:
                    raise RuntimeError(f"For unbatched 2-D input, hx and cx should also be 2-D "
                                       f"but got ({hx[0].dim()}-D, {hx[1].dim()}-D) tensors")
                hx = (hx[0].unsqueeze(1), hx[1].unsqueeze(1))
            self.check_forward_args(input, hx)
        output, h_n, c_n = self._run(input, hx[0], hx[1])
        if not is_batched:
            output = output.squeeze(batch_dim)
            h_n, c_n = h_n.squeeze(1), c_n.squeeze(1)
        return output, (h_n, c_n)


class _SingleStateRNN(RNNBase):
    """GRU and RNN: one hidden state ``h``; returns ``(output, h_n)``."""

    _label = "RNN"
    _dim_message = "{label}: Expected input to be 2D or 3D, got {dim}D tensor instead"

    def forward(self, input, hx=None):
        if input.dim() not in (2, 3):
            raise ValueError(self._dim_message.format(label=self._label, dim=input.dim()))
        is_batched = input.dim() == 3
        batch_dim = 0 if self.batch_first else 1
        if not is_batched:
            input = input.unsqueeze(batch_dim)  # noqa: A001 - PyTorch's name
            if hx is not None:
                if hx.dim() != 2:
                    raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got "
                                       f"{hx.dim()}-D tensor")
                hx = hx.unsqueeze(1)
        elif hx is not None and hx.dim() != 3:
            raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got "
                               f"{hx.dim()}-D tensor")
        if hx is None:
            num_directions = 2 if self.bidirectional else 1
            max_batch_size = input.size(0) if self.batch_first else input.size(1)
            hx = _creation.zeros((self.num_layers * num_directions, max_batch_size,
                                  self.hidden_size), dtype=input.dtype)
        self.check_forward_args(input, hx)
        output, h_n, _ = self._run(input, hx, None)
        if not is_batched:
            output = output.squeeze(batch_dim)
            h_n = h_n.squeeze(1)
        return output, h_n


class GRU(_SingleStateRNN):
    """A multi-layer GRU: gates r, z, n in PyTorch's order."""

    _label = "GRU"
    _dim_message = "{label}: Expected input to be 2D or 3D, got {dim}D instead"

    def __init__(self, *args, **kwargs):
        super().__init__("GRU", *args, **kwargs)


class RNN(_SingleStateRNN):
    """A multi-layer Elman RNN with ``tanh`` or ``relu``."""

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if len(args) > 3:
            nonlinearity = args[3]
            args = args[:3] + args[4:]
        if nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             f"'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__(mode, *args, **kwargs)


# ---------------------------------------------------------------------- the cells
class RNNCellBase(Module):
    """One step of LSTM, GRU or RNN on (batch, input_size) or (input_size,) input."""

    _gates = 1

    def __init__(self, input_size, hidden_size, bias=True, num_chunks=1, device=None,
                 dtype=None):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(_creation.empty((num_chunks * hidden_size, input_size),
                                                   dtype=dtype, device=device))
        self.weight_hh = Parameter(_creation.empty((num_chunks * hidden_size, hidden_size),
                                                   dtype=dtype, device=device))
        if bias:
            self.bias_ih = Parameter(_creation.empty(num_chunks * hidden_size, dtype=dtype,
                                                     device=device))
            self.bias_hh = Parameter(_creation.empty(num_chunks * hidden_size, dtype=dtype,
                                                     device=device))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if "bias" in self.__dict__ and self.bias is not True:
            s += ", bias={bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _batched(self, input, label):
        if input.dim() not in (1, 2):
            raise ValueError(f"{label}: Expected input to be 1D or 2D, got {input.dim()}D "
                             f"instead")
        if input.size(-1) != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.size(-1)} "
                               f"expected {self.input_size}")
        return input.dim() == 2

    def _check_hidden(self, input, hx, name):
        if hx.size(0) != input.size(0):
            raise RuntimeError(f"Input batch size {input.size(0)} doesn't match hidden{name} "
                               f"batch size {hx.size(0)}")
        if hx.size(1) != self.hidden_size:
            raise RuntimeError(f"hidden{name} has inconsistent hidden_size: got {hx.size(1)}, "
                               f"expected {self.hidden_size}")

    def _zeros(self, input):
        return _creation.zeros((input.size(0), self.hidden_size), dtype=input.dtype)


class LSTMCell(RNNCellBase):
    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device,
                         dtype=dtype)

    def forward(self, input, hx=None):
        is_batched = self._batched(input, "LSTMCell")
        if not is_batched:
            input = input.unsqueeze(0)  # noqa: A001 - PyTorch's name
        if hx is None:
            hx = (self._zeros(input), self._zeros(input))
        elif not is_batched:
            hx = (hx[0].unsqueeze(0), hx[1].unsqueeze(0))
        self._check_hidden(input, hx[0], "[0]")
        self._check_hidden(input, hx[1], "[1]")
        h, c = _lstm_step(F.linear(input, self.weight_ih, self.bias_ih), hx[0], hx[1],
                          self.weight_hh, self.bias_hh)
        if not is_batched:
            h, c = h.squeeze(0), c.squeeze(0)
        return h, c


class GRUCell(RNNCellBase):
    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device,
                         dtype=dtype)

    def forward(self, input, hx=None):
        is_batched = self._batched(input, "GRUCell")
        if not is_batched:
            input = input.unsqueeze(0)  # noqa: A001 - PyTorch's name
        if hx is None:
            hx = self._zeros(input)
        elif not is_batched:
            hx = hx.unsqueeze(0)
        self._check_hidden(input, hx, "")
        h = _gru_step(F.linear(input, self.weight_ih, self.bias_ih), hx, self.weight_hh,
                      self.bias_hh)
        return h if is_batched else h.squeeze(0)


class RNNCell(RNNCellBase):
    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None,
                 dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device,
                         dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        is_batched = self._batched(input, "RNNCell")
        if not is_batched:
            input = input.unsqueeze(0)  # noqa: A001 - PyTorch's name
        if hx is None:
            hx = self._zeros(input)
        elif not is_batched:
            hx = hx.unsqueeze(0)
        self._check_hidden(input, hx, "")
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        h = _rnn_step(F.linear(input, self.weight_ih, self.bias_ih), hx, self.weight_hh,
                      self.bias_hh, self.nonlinearity == "relu")
        return h if is_batched else h.squeeze(0)

