"""``nn.LSTM``, ``nn.GRU``, ``nn.RNN`` and their cells against real PyTorch, and a float64
gradient check.

Each case is one program written against a library argument ``lib`` (``torch`` or
``autogradviz``), run on both from the same seed. It records parameters (names, shapes, values:
the initial random draws must be equal bit for bit), reprs, outputs and final states, the
``grad_fn`` names and the graph below them, gradients after ``backward``, warnings and error
messages. Text must be identical. Values must agree to rtol 1e-5 in float32 (PyTorch runs a
float32 LSTM with oneDNN, which sums the gates in its own order and approximates sigmoid and
tanh; measured: 4.5e-7 of the tensor's largest value at most) and to rtol 1e-12 in float64
(PyTorch's step-by-step CPU kernel, which autogradviz follows operation for operation).
"""

import os

os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")

import warnings

import numpy as np
import pytest
import torch

import autogradviz
from autogradviz.nn import rnn as avz_rnn

RTOL = {"torch.float32": 1e-5, "torch.float64": 1e-12}


class Exact:
    """A tensor whose values must match bit for bit (random draws)."""

    def __init__(self, tensor):
        self.tensor = tensor


def _is_tensor(x):
    return isinstance(x, torch.Tensor | autogradviz.Tensor)


def graph(t):
    """The names of the graph below ``t``, depth first, as (depth, name) pairs."""
    out, stack, seen = [], [(t.grad_fn, 0)], set()
    while stack:
        fn, depth = stack.pop()
        out.append((depth, None if fn is None else fn.name()))
        if fn is None or id(fn) in seen:
            continue
        seen.add(id(fn))
        stack.extend((nxt, depth + 1) for nxt, _ in reversed(fn.next_functions))
    return out


def run(program, lib):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = program(lib)
        except Exception as e:
            result = [("raised", type(e).__name__, str(e))]
    return result, [(w.category.__name__, str(w.message)) for w in caught]


def compare(ours, theirs, path="result"):
    if isinstance(theirs, Exact):
        assert isinstance(ours, Exact), path
        compare_tensor(ours.tensor, theirs.tensor, path, exact=True)
    elif _is_tensor(theirs):
        compare_tensor(ours, theirs, path)
    elif isinstance(theirs, dict):
        assert isinstance(ours, dict) and list(ours) == list(theirs), (path, ours, theirs)
        for k in theirs:
            compare(ours[k], theirs[k], f"{path}[{k!r}]")
    elif isinstance(theirs, list | tuple) and not isinstance(theirs, torch.Size):
        assert isinstance(ours, list | tuple) and len(ours) == len(theirs), (path, ours, theirs)
        for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            compare(a, b, f"{path}[{i}]")
    elif isinstance(theirs, torch.Size):
        assert tuple(ours) == tuple(theirs), path
    elif isinstance(theirs, torch.dtype):
        assert str(ours) == str(theirs), path
    else:
        assert ours == theirs, (path, ours, theirs)


def compare_tensor(ours, theirs, path, exact=False):
    assert _is_tensor(ours), (path, ours)

    def summary(t):
        return (str(t.dtype), tuple(t.shape), t.requires_grad,
                None if t.grad_fn is None else t.grad_fn.name())

    assert summary(ours) == summary(theirs), path
    got, expected = ours.detach().numpy(), theirs.detach().numpy()
    if exact:
        np.testing.assert_array_equal(got, expected, err_msg=path)
    else:
        rtol = RTOL[str(theirs.dtype)]
        scale = max(float(np.abs(expected).max(initial=0)), 1e-3)
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=rtol * scale, err_msg=path)


def assert_same(program):
    (theirs, warned_theirs), (ours, warned_ours) = run(program, torch), run(program, autogradviz)
    compare(ours, theirs)
    assert warned_ours == warned_theirs


CASES = {}


def case(*params):
    """Register ``fn(lib, *param)`` as one case per parameter (or one case without)."""

    def register(fn):
        if not params:
            CASES[fn.__name__] = fn
        for p in params:
            args = p if isinstance(p, tuple) else (p,)
            CASES[f"{fn.__name__}[{'-'.join(map(str, args))}]"] = (
                lambda f, a: lambda lib: f(lib, *a))(fn, args)
        return fn

    return register


def named(module):
    return [(name, Exact(p.detach())) for name, p in module.named_parameters()]


# ---------------------------------------------------------------------- construction
_MODULES = {
    "lstm": lambda nn: nn.LSTM(3, 3),
    "lstm_bi": lambda nn: nn.LSTM(5, 2, bidirectional=True),
    "lstm_2_layers": lambda nn: nn.LSTM(4, 3, 2, bias=False, batch_first=True),
    "lstm_dropout": lambda nn: nn.LSTM(4, 3, num_layers=3, dropout=0.25, bidirectional=True),
    "gru": lambda nn: nn.GRU(3, 4, 2),
    "rnn_relu": lambda nn: nn.RNN(3, 4, nonlinearity="relu", bidirectional=True),
    "rnn_positional": lambda nn: nn.RNN(3, 4, 1, "relu", False),
    "lstm_cell": lambda nn: nn.LSTMCell(3, 4),
    "gru_cell": lambda nn: nn.GRUCell(2, 3, bias=False),
    "rnn_cell": lambda nn: nn.RNNCell(3, 4, nonlinearity="relu"),
    "lstm_float64": lambda nn: nn.LSTM(3, 2).double(),
    "lstm_projections": lambda nn: nn.LSTM(3, 4, 2, proj_size=2, bidirectional=True),
}


@case(*_MODULES)
def parameters_and_repr(lib, kind):
    lib.manual_seed(1)
    module = _MODULES[kind](lib.nn)
    return [repr(module), named(module), [list(p.shape) for p in module.parameters()],
            getattr(module, "_flat_weights_names", None)]


@case()
def all_weights(lib):
    lib.manual_seed(0)
    lstm = lib.nn.LSTM(2, 3, bidirectional=True, num_layers=2)
    return [[[tuple(w.shape) for w in ws] for ws in lstm.all_weights],
            [Exact(w.detach()) for ws in lstm.all_weights for w in ws]]


# ---------------------------------------------------------------------- forward and backward
_CONFIGS = {
    "plain": dict(args=(3, 3), input=(5, 1, 3)),
    "batch": dict(args=(3, 4), input=(6, 3, 3), hidden=True),
    "bidirectional": dict(args=(5, 2), kwargs=dict(bidirectional=True), input=(4, 1, 5),
                          hidden=True),
    "two_layers": dict(args=(4, 3, 2), input=(5, 2, 4)),
    "two_layers_bi": dict(args=(4, 3, 2), kwargs=dict(bidirectional=True), input=(3, 2, 4),
                          hidden=True),
    "batch_first": dict(args=(3, 2), kwargs=dict(batch_first=True), input=(2, 5, 3),
                        hidden=True),
    "no_bias": dict(args=(3, 2), kwargs=dict(bias=False), input=(4, 2, 3)),
    "projections": dict(args=(3, 4, 2), kwargs=dict(proj_size=2, bidirectional=True),
                        input=(4, 2, 3), hidden=True),
    "projections_no_bias": dict(args=(3, 3), kwargs=dict(proj_size=1, bias=False),
                                input=(4, 2, 3)),
    "unbatched": dict(args=(3, 2), input=(4, 3)),
    "dropout": dict(args=(3, 4, 3), kwargs=dict(dropout=0.5, bidirectional=True),
                    input=(5, 2, 3)),
    "unbatched_hidden": dict(args=(3, 2), kwargs=dict(bidirectional=True), input=(4, 3),
                             hidden=True),
}


def _run_lstm(lib, kind, config, dtype):
    lib.manual_seed(3)
    spec = _CONFIGS[config]
    dt = getattr(lib, dtype)
    layer = getattr(lib.nn, kind)(*spec["args"], **spec.get("kwargs", {})).to(dt)
    x = lib.randn(*spec["input"], dtype=dt, requires_grad=True)
    leaves = [x]
    if spec.get("hidden"):
        num_directions = 2 if layer.bidirectional else 1
        batch = () if x.dim() == 2 else (x.shape[0] if layer.batch_first else x.shape[1],)
        shape = (layer.num_layers * num_directions, *batch, layer.hidden_size)
        h_shape = (*shape[:-1], getattr(layer, "proj_size", 0) or layer.hidden_size)
        h0 = lib.randn(*h_shape, dtype=dt, requires_grad=True)
        leaves.append(h0)
        if kind == "LSTM":
            c0 = lib.randn(*shape, dtype=dt, requires_grad=True)
            leaves.append(c0)
            out, (h_n, c_n) = layer(x, (h0, c0))
        else:
            out, h_n = layer(x, h0)
    elif kind == "LSTM":
        out, (h_n, c_n) = layer(x)
    else:
        out, h_n = layer(x)
    finals = [h_n, c_n] if kind == "LSTM" else [h_n]
    loss = (out * lib.linspace(-1, 1, out.numel(), dtype=dt).view(out.shape)).sum()
    for k, final in enumerate(finals):
        loss = loss + final.sum() * (k + 2)
    loss.backward()
    record = [out, finals, graph(out), [graph(f) for f in finals], loss, lib.is_grad_enabled()]
    record.append([(name, p.grad) for name, p in layer.named_parameters()])
    record.append([leaf.grad for leaf in leaves])
    return record


@case(*[(c, d) for c in _CONFIGS for d in ("float32", "float64")])
def lstm_forward_backward(lib, config, dtype):
    return _run_lstm(lib, "LSTM", config, dtype)


@case(*[(k, c, d) for k in ("GRU", "RNN") for c in ("plain", "bidirectional", "two_layers_bi",
                                                     "batch_first", "unbatched_hidden",
                                                     "dropout")
        for d in ("float32", "float64")])
def gru_rnn_forward_backward(lib, kind, config, dtype):
    return _run_lstm(lib, kind, config, dtype)


@case("float32", "float64")
def lstm_stepwise_equals_sequence(lib, dtype):
    """The tutorial's two ways: one step at a time, and the sequence at once."""
    lib.manual_seed(1)
    dt = getattr(lib, dtype)
    lstm = lib.nn.LSTM(3, 3).to(dt)
    inputs = [lib.randn(1, 3, dtype=dt) for _ in range(5)]
    hidden = (lib.randn(1, 1, 3, dtype=dt), lib.randn(1, 1, 3, dtype=dt))
    first = hidden
    for i in inputs:
        out, hidden = lstm(i.view(1, 1, -1), hidden)
    whole, whole_hidden = lstm(lib.cat(inputs).view(len(inputs), 1, -1), first)
    return [out, hidden, whole, whole_hidden, repr(whole[-1]), repr(out)]


@case()
def lstm_no_grad(lib):
    lib.manual_seed(0)
    lstm = lib.nn.LSTM(2, 3, bidirectional=True)
    with lib.no_grad():
        out, (h, c) = lstm(lib.randn(4, 1, 2))
    return [out, h, c]


@case()
def lstm_retain_graph_twice(lib):
    lib.manual_seed(0)
    lstm = lib.nn.LSTM(2, 3)
    out, _ = lstm(lib.randn(4, 2, 2))
    loss = out.pow(2).sum()
    loss.backward(retain_graph=True)
    first = [p.grad.clone() for p in lstm.parameters()]
    loss.backward()
    return [first, [p.grad for p in lstm.parameters()]]


@case()
def lstm_train_step(lib):
    """A few SGD steps of the tutorial's tagger shape."""
    lib.manual_seed(1)
    lstm = lib.nn.LSTM(6, 6)
    head = lib.nn.Linear(6, 3)
    params = list(lstm.parameters()) + list(head.parameters())
    optimizer = lib.optim.SGD(params, lr=0.1)
    x = lib.randn(5, 1, 6)
    target = lib.tensor([0, 1, 2, 0, 1])
    losses = []
    for _ in range(5):
        optimizer.zero_grad()
        out, _ = lstm(x)
        loss = lib.nn.functional.nll_loss(
            lib.nn.functional.log_softmax(head(out.view(5, -1)), dim=1), target)
        loss.backward()
        optimizer.step()
        losses.append(loss)
    return [losses, [p.detach() for p in params]]


@case(dict(), dict(bias=False, bidirectional=True), dict(num_layers=2))
def lstm_saved_values(lib, kwargs):
    """The float32 layer node's saved values (but oneDNN's workspace, ``result3``)."""
    lib.manual_seed(0)
    lstm = lib.nn.LSTM(3, 2, **kwargs)
    out, _ = lstm(lib.randn(4, 2, 3))
    nodes = [out.grad_fn] if out.grad_fn.name() != "CatBackward0" else [
        fn for fn, _ in out.grad_fn.next_functions]
    records = []
    for node in nodes:
        names = [n for n in dir(node) if n.startswith("_saved_") and n != "_saved_result3"]
        records.append({n: getattr(node, n) for n in names})
    return records


@case("float32", "float64")
def lstm_second_backward_fails(lib, dtype):
    lib.manual_seed(0)
    lstm = lib.nn.LSTM(3, 2).to(getattr(lib, dtype))
    out, _ = lstm(lib.randn(4, 1, 3, dtype=getattr(lib, dtype)))
    out.sum().backward()
    out.sum().backward()


@case("float32", "float64")
def lstm_double_backward(lib, dtype):
    """A gradient made with ``create_graph=True``, differentiated again."""
    lib.manual_seed(0)
    dt = getattr(lib, dtype)
    lstm = lib.nn.LSTM(3, 2, bidirectional=True).to(dt)
    h0 = lib.randn(2, 2, 2, dtype=dt, requires_grad=True)
    out, (h, c) = lstm(lib.randn(4, 2, 3, dtype=dt), (h0, lib.zeros(2, 2, 2, dtype=dt)))
    loss = out.pow(2).sum() + h.sum() * c.sum()
    first = lib.autograd.grad(loss, [lstm.weight_ih_l0, lstm.weight_hh_l0_reverse, h0],
                              create_graph=True)
    sum(g.pow(2).sum() for g in first).backward()
    return [[g.detach() for g in first], [g.requires_grad for g in first],
            [(name, p.grad) for name, p in lstm.named_parameters()], h0.grad]


@case(*[(k, d) for k in ("LSTMCell", "GRUCell", "RNNCell") for d in ("float32", "float64")])
def cells(lib, kind, dtype):
    lib.manual_seed(2)
    cell = getattr(lib.nn, kind)(3, 4).to(getattr(lib, dtype))
    x = lib.randn(2, 3, dtype=getattr(lib, dtype), requires_grad=True)
    result = cell(x)
    outs = list(result) if isinstance(result, tuple) else [result]
    outs = outs + list(cell(x[0], None) if kind != "LSTMCell" else cell(x[0]))
    loss = sum((o * (k + 1)).sum() for k, o in enumerate(outs))
    loss.backward()
    return [outs, [graph(o) for o in outs], x.grad, [p.grad for p in cell.parameters()]]


# ---------------------------------------------------------------------- checks and messages
_ERRORS = {
    "input_1d": lambda lib, m: m(lib.randn(3)),
    "input_4d": lambda lib, m: m(lib.randn(1, 2, 3, 3)),
    "input_size": lambda lib, m: m(lib.randn(5, 1, 4)),
    "hidden_shape": lambda lib, m: m(lib.randn(5, 2, 3), (lib.zeros(1, 1, 3),
                                                          lib.zeros(1, 2, 3))),
    "cell_shape": lambda lib, m: m(lib.randn(5, 2, 3), (lib.zeros(1, 2, 3),
                                                        lib.zeros(2, 2, 3))),
    "hidden_2d_for_3d": lambda lib, m: m(lib.randn(5, 2, 3), (lib.zeros(2, 3),
                                                              lib.zeros(2, 3))),
    "hidden_3d_for_2d": lambda lib, m: m(lib.randn(5, 3), (lib.zeros(1, 1, 3),
                                                           lib.zeros(1, 1, 3))),
    "dtype": lambda lib, m: m(lib.randn(5, 1, 3, dtype=lib.float64)),
    "empty_sequence": lambda lib, m: m(lib.randn(0, 1, 3)),
    "empty_sequence_float64": lambda lib, m: m.double()(lib.randn(0, 1, 3, dtype=lib.float64)),
}


@case(*_ERRORS)
def lstm_errors(lib, kind):
    lib.manual_seed(0)
    return _ERRORS[kind](lib, lib.nn.LSTM(3, 3))


@case()
def gru_rnn_errors(lib):
    messages = []
    for build, call in [
        (lambda: lib.nn.GRU(3, 3), lambda m: m(lib.randn(3))),
        (lambda: lib.nn.RNN(3, 3), lambda m: m(lib.randn(3))),
        (lambda: lib.nn.RNN(3, 3), lambda m: m(lib.randn(4, 2, 3), lib.zeros(2, 3))),
        (lambda: lib.nn.GRU(3, 3), lambda m: m(lib.randn(4, 3), lib.zeros(1, 1, 3))),
        (lambda: lib.nn.GRU(3, 3), lambda m: m(lib.randn(4, 2, 3), lib.zeros(1, 1, 3))),
        (lambda: lib.nn.LSTMCell(3, 3), lambda m: m(lib.randn(1, 2, 3))),
        (lambda: lib.nn.RNN(3, 3, nonlinearity="sigmoid"), None),
        (lambda: lib.nn.GRU(3, 3, proj_size=2), None),
        (lambda: lib.nn.RNN(3, 3, proj_size=2), None),
        (lambda: lib.nn.LSTM(3, 3, proj_size=3), None),
        (lambda: lib.nn.LSTM(3, 3, proj_size=-1), None),
        (lambda: lib.nn.LSTM(3, 4, proj_size=2),
         lambda m: m(lib.randn(4, 2, 3), (lib.zeros(1, 2, 4), lib.zeros(1, 2, 4)))),
    ]:
        try:
            module = build()
            call(module)
            messages.append("no error")
        except Exception as e:
            messages.append((type(e).__name__, str(e)))
    return messages


@case(dict(hidden_size=0), dict(num_layers=0), dict(dropout=1.5), dict(dropout=True),
      dict(hidden_size=2.0), dict(dropout=0.5))
def constructor_checks(lib, kwargs):
    arguments = dict(input_size=3, hidden_size=4)
    arguments.update(kwargs)
    return [repr(lib.nn.LSTM(**arguments))]


def test_case_count():
    assert len(CASES) >= 60


@pytest.mark.parametrize("name", sorted(CASES))
def test_rnn(name):
    assert_same(CASES[name])


# ---------------------------------------------------------------------- gradient checks
def _double(shape, seed):
    return autogradviz.tensor(np.random.default_rng(seed).standard_normal(shape),
                              dtype=autogradviz.float64, requires_grad=True)


def test_forward_cases_run():
    """The forward/backward cases compare results, not an error both libraries raise."""
    for name, program in CASES.items():
        if "forward_backward" in name:
            result, _ = run(program, autogradviz)
            raised = isinstance(result[0], tuple) and result[0][0] == "raised"
            assert not raised, (name, result)


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN", "LSTM_projections"])
def test_gradcheck_float64(kind):
    """Step by step (float64): every input and parameter, through two bidirectional layers."""
    autogradviz.manual_seed(0)
    kwargs = dict(bidirectional=True)
    h_size = 2
    if kind == "LSTM_projections":
        kind, kwargs["proj_size"], h_size = "LSTM", 1, 1
    layer = getattr(autogradviz.nn, kind)(3, 2, 2, **kwargs).double()
    x, h0, c0 = _double((3, 2, 3), 1), _double((4, 2, h_size), 2), _double((4, 2, 2), 3)
    weights = tuple(p.detach().clone().requires_grad_() for p in layer.parameters())
    assert autogradviz.autograd.gradcheck(_functional(layer, kind), (x, h0, c0, *weights))


def _functional(layer, kind):
    """``layer`` as a function of its input, initial state and weights (put in place of its
    parameters for the call, so that gradcheck's perturbations reach the layer)."""
    names = [name for name, _ in layer.named_parameters()]

    def f(x, h0, c0, *weights):
        saved = dict(layer._parameters)
        try:
            layer._parameters.update(zip(names, weights, strict=True))
            if kind == "LSTM":
                out, (h, c) = layer(x, (h0, c0))
                return out, h, c
            out, h = layer(x, h0)
            return out, h, c0 * 1
        finally:
            layer._parameters.update(saved)

    return f


@pytest.mark.parametrize("reverse", [False, True])
def test_gradcheck_onednn_layer(reverse):
    """The float32 layer's hand-written backward (``MkldnnRnnLayerBackward0``), checked in
    float64: the same function, run on float64 tensors."""
    hidden = 3
    x = _double((4, 2, 2), 0)
    h0, c0 = _double((2, hidden), 1), _double((2, hidden), 2)
    w_ih, w_hh = _double((4 * hidden, 2), 3), _double((4 * hidden, hidden), 4)
    b_ih, b_hh = _double((4 * hidden,), 5), _double((4 * hidden,), 6)

    def f(x, h0, c0, w_ih, w_hh, b_ih, b_hh):
        return avz_rnn._mkldnn_layer(x, h0, c0, (w_ih, w_hh, b_ih, b_hh), reverse)

    inputs = (x, h0, c0, w_ih, w_hh, b_ih, b_hh)
    assert [t.grad_fn.name() for t in f(*inputs)] == ["MkldnnRnnLayerBackward0"] * 3
    assert autogradviz.autograd.gradcheck(f, inputs)


@pytest.mark.parametrize("bias", [True, False])
def test_gradgradcheck_onednn_layer(bias):
    """Double backward through the one-node layer (its create_graph path), in float64."""
    hidden = 2
    x = _double((3, 2, 2), 0)
    h0, c0 = _double((2, hidden), 1), _double((2, hidden), 2)
    w_ih, w_hh = _double((4 * hidden, 2), 3), _double((4 * hidden, hidden), 4)
    b_ih, b_hh = _double((4 * hidden,), 5), _double((4 * hidden,), 6)
    inputs = (x, h0, c0, w_ih, w_hh, *((b_ih, b_hh) if bias else ()))

    def f(x, h0, c0, w_ih, w_hh, b_ih=None, b_hh=None):
        return avz_rnn._mkldnn_layer(x, h0, c0, (w_ih, w_hh, b_ih, b_hh), True)

    assert autogradviz.autograd.gradgradcheck(f, inputs)


def test_onednn_layer_matches_step_by_step():
    """In float64 the one-node layer and the step-by-step graph give the same values and
    gradients (so the float32 path computes the LSTM the float64 one does)."""
    results = []
    for layer_fn in (avz_rnn._mkldnn_layer,
                     lambda *a: avz_rnn._native_layer("LSTM", *a)):
        x = _double((5, 2, 3), 0)
        h0, c0 = _double((2, 4), 1), _double((2, 4), 2)
        weights = [_double((16, 3), 3), _double((16, 4), 4), _double((16,), 5),
                   _double((16,), 6)]
        out, h, c = layer_fn(x, h0, c0, weights, True)
        (out.sum() + 2 * h.sum() + 3 * c.sum()).backward()
        results.append([t.detach().numpy() for t in (out, h, c, x.grad, h0.grad, c0.grad,
                                                     *(w.grad for w in weights))])
    for ours, theirs in zip(*results, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-13)
