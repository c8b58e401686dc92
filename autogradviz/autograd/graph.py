"""The backward graph: nodes, saved tensors, and how an operation declares its derivative.

An operation declares its derivative once, beside its forward, with ``derivative(...)``:

    MulBackward0 = derivative("MulBackward0", inputs=("self", "other"),
                              saves=("self", "other"),
                              self="grad * other", other="grad * self")

The rule texts are the formulas themselves: each is compiled once and evaluated with ``grad``
and the saved values bound to their names, using autogradviz's own (differentiable) operations,
so ``create_graph=True`` builds the graph of the derivative for free. The same declaration gives
the node class its PyTorch name, its ``_saved_<name>`` attributes and the rule a stepper shows.
Gradients that come out broadcast are summed back to the input's shape by the engine, as
PyTorch's engine does, so rules stay as short as the maths.
"""

from __future__ import annotations

import itertools
import re
import sys
import types
import weakref

from .._tensor import Tensor
from .._tensor import _wrap as _new_tensor
from . import anomaly, grad_mode

_sequence = itertools.count()
# AccumulateGrad runs as soon as it is ready: PyTorch gives it the largest sequence number.
ACCUMULATE_PRIORITY = sys.maxsize

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you "
    "call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward "
    "through the graph a second time or if you need to access saved tensors after calling "
    "backward."
)


class RemovableHandle:
    """What ``register_hook`` returns: ``remove()`` takes the hook out again."""

    _next_id = itertools.count()

    def __init__(self, hooks):
        self.id = next(RemovableHandle._next_id)
        self._hooks = weakref.ref(hooks) if hasattr(hooks, "__weakref__") else (lambda: hooks)

    def remove(self):
        hooks = self._hooks()
        if hooks is not None:
            hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class _HookDict(dict):
    """A dict that a weak reference can point at (handles must not keep hooks alive)."""

    __slots__ = ("__weakref__",)


def _add_hook(hooks, fn):
    handle = RemovableHandle(hooks)
    hooks[handle.id] = fn
    return handle


class SavedTensor:
    """A tensor saved for backward, with the version it had (in-place changes are detected)."""

    __slots__ = ("_weak_output", "is_output", "producer", "tensor", "version")

    def __init__(self, tensor, is_output=False, producer=None):
        self.tensor = tensor
        self.version = tensor._version
        self.is_output = is_output
        self.producer = producer  # an output's producer when not the node (in place on a view)
        self._weak_output = None

    @classmethod
    def of_output(cls, out):
        """An output saved by its own node. An output owning its storage is held weakly, with
        its values held strongly, so that output -> node -> saved output is no reference
        cycle: the output is freed when the program drops it, as in PyTorch."""
        if out._base is not None or out._storage_owner is not None:
            return cls(out, is_output=True)  # its version counter lives in another tensor
        saved = cls.__new__(cls)
        saved.tensor = None
        saved.version = out._version
        saved.is_output = True
        saved.producer = None
        # Whether it has this node's history (a saved ``indices`` of max(dim) has none).
        with_history = out.grad_fn is not None
        saved._weak_output = (weakref.ref(out), out._data, out._dtype, out._output_nr,
                              with_history)
        return saved

    def refers_to(self, t):
        """Whether ``t`` is the saved tensor."""
        if self.tensor is None:
            return self._weak_output[0]() is t
        return self.tensor is t

    def unpack(self, node, name):
        t = self.tensor
        if t is None:
            ref, data, dtype, output_nr, with_history = self._weak_output
            t = ref()
            if t is None:
                # The output is gone, and every tensor sharing its version counter with it:
                # nothing can have changed it. A new tensor over the values, with the node as
                # its history (PyTorch also hands out a new tensor for a saved output).
                t = _new_tensor(data, dtype)
                if with_history:
                    t.grad_fn = node
                    t._requires_grad = True
                    if output_nr:
                        t._output_nr = output_nr
                return t
        if t._version != self.version:
            if self.is_output:
                producer = node if self.producer is None else self.producer
            else:
                producer = t.grad_fn if t._base is None else _refresh_view(t)
            which = "" if producer is None else (
                f", which is output {0 if self.is_output else t._output_nr} of "
                f"{_op_name(producer)},"
            )
            raise RuntimeError(
                "one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: [{_legacy_name(t)} {list(t._data.shape)}]{which} is at "
                f"version {t._version}; expected version {self.version} instead. Hint: enable "
                "anomaly detection to find the operation that failed to compute its gradient, "
                "with torch.autograd.set_detect_anomaly(True, check_nan=False)."
            )
        return t


def _legacy_name(t):
    from .. import dtypes

    # PyTorch's legacy type string has no torch.BoolTensor here: it names the CPU type
    return "CPUBoolType" if t._dtype is dtypes.bool else dtypes.LEGACY_TYPE_NAMES[t._dtype]


def _op_name(node):
    """PyTorch names the op in this message without ``Backward`` and a ``0`` suffix:
    ExpBackward0 -> Exp, SumBackward1 -> Sum1 (a leaf has no producer to name)."""
    return re.sub(r"Backward(\d*)$", lambda m: "" if m[1] == "0" else m[1], node.name())


_EMPTY = types.MappingProxyType({})
# Per-node fields made on first use: _pre_hooks/_post_hooks (Node.register_prehook/hook),
# _tensor_pre_hooks (output_nr -> Tensor.register_hook hooks), _retains_grad_hooks
# (output_nr -> weakref of the non-leaf that retains its grad), metadata.
_LAZY_FIELDS = {
    "_pre_hooks": _HookDict,
    "_post_hooks": _HookDict,
    "_tensor_pre_hooks": dict,
    "_retains_grad_hooks": dict,
    "metadata": dict,
}


class Node:
    """A node of the backward graph (``grad_fn``), named like PyTorch's for the same call."""

    _rules = {}
    _input_names = ()
    _saved_names = ()
    _private_names = frozenset()
    _int64_names = frozenset()

    # Defaults kept on the class, so that making a node (once per recorded op) stays cheap.
    next_functions = ()
    _input_meta = ()  # (shape, dtype) of each input, to shape incoming gradients
    _saved = _EMPTY
    _freed = False
    _runs = 0  # backward passes that ran this node (a drawing's "after backward n")
    _hooked = False  # set once any hook dict exists: the engine's fast path skips hooks
    _num_outputs = 1
    _creation = None  # where the forward call was made: (file, line, text)
    _anomaly_trace = None
    _is_accumulator = False  # AccumulateGrad, which the engine runs itself
    _is_graph_root = False

    def __init__(self):
        self._sequence_nr = next(_sequence)

    # PyTorch's public Node API
    def name(self):
        return type(self).__name__

    def register_hook(self, fn):
        """``fn(grad_inputs, grad_outputs)`` after this node ran; may return new grad_inputs."""
        return _add_hook(self._post_hooks, fn)

    def register_prehook(self, fn):
        """``fn(grad_outputs)`` before this node runs; may return new grad_outputs."""
        return _add_hook(self._pre_hooks, fn)

    def __call__(self, *grads):
        return self.apply(grads)

    # The rule text shown to learners, one line per input: "grad_self = grad * other".
    @classmethod
    def rule_lines(cls):
        return [f"grad_{name} = {text}" for name, text in cls._rules.items()]

    def _read_saved(self, name):
        value = self._saved[name]
        if value is _FREED:
            raise RuntimeError(FREED_MESSAGE)
        if isinstance(value, SavedTensor):
            return value.unpack(self, name)
        return value

    def __getattr__(self, attr):
        # Hook dicts and ``metadata`` are made on first use (most nodes never have any).
        factory = _LAZY_FIELDS.get(attr)
        if factory is not None:
            value = self.__dict__[attr] = factory()
            if attr != "metadata":
                self._hooked = True
            return value
        if attr.startswith("_saved_"):
            name = attr[len("_saved_"):]
            saved = self.__dict__.get("_saved", {})
            if name in saved and name not in self._private_names:
                value = self._read_saved(name)
                return _as_unsigned(value) if name in self._int64_names else value
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{attr}'")

    def __dir__(self):
        """Lists the ``_saved_<name>`` values as PyTorch does (not our own bookkeeping)."""
        shown = (k for k in self.__dict__.get("_saved", {}) if k not in self._private_names)
        own = {"_saved", "_saved_names", "_read_saved"}
        return sorted({*(n for n in super().__dir__() if n not in own),
                       *(f"_saved_{k}" for k in shown)})

    def _release(self):
        """Free the saved tensors (after a backward without ``retain_graph``)."""
        self._freed = True
        saved = self._saved
        if saved:
            for k, v in saved.items():
                if isinstance(v, SavedTensor):
                    saved[k] = _FREED

    def apply(self, grads):
        raise NotImplementedError

    def __repr__(self):
        return f"<{type(self).__name__} object at {hex(id(self))}>"


def _as_unsigned(value):
    """PyTorch shows a saved int64 (a dim, an index, a size) as unsigned: -1 reads 2**64 - 1."""
    if isinstance(value, tuple):
        return tuple(_as_unsigned(v) for v in value)
    if isinstance(value, int) and not isinstance(value, bool) and value < 0:
        return value + 2**64
    return value


class _Freed:
    """Stands in for a saved tensor after backward freed it."""

    __slots__ = ()


_FREED = _Freed()


class OpNode(Node):
    """A node made by a declared derivative: evaluates the rule of each input that needs grad."""

    _compiled = {}
    _rule_codes = ()  # the compiled rules in the inputs' order

    _variadic = False
    _eval_order = None  # the inputs' indices in the order their rules run, when not 0, 1, ...

    def apply(self, grads):
        # Rules see ``grad``/``grads`` and the saved values as locals (so a saved name such as
        # ``index`` wins over a helper of that name) and the helpers as globals.
        grads = tuple(grads)
        env = {"grad": grads[0], "grads": grads}
        saved = self._saved
        if saved:
            # _read_saved, inlined: this runs for every node of every backward.
            for name, value in saved.items():
                if type(value) is SavedTensor:
                    t = value.tensor
                    value = (t if t is not None and t._version == value.version
                             else value.unpack(self, name))
                elif value is _FREED:
                    raise RuntimeError(FREED_MESSAGE)
                env[name] = value
        if len(grads) > 1:
            for i, g in enumerate(grads):
                env[f"grads_{i}"] = g
        if self._variadic:
            # One input name for a list of tensors (cat, stack): its rule gives one per tensor.
            produced = eval(self._rule_codes[0], _RULE_HELPERS, env)
            return tuple(None if fn is None else g
                         for (fn, _), g in zip(self.next_functions, produced, strict=True))
        edges = self.next_functions
        if self._eval_order is None:
            return tuple([None if next_fn is None else eval(code, _RULE_HELPERS, env)
                          for (next_fn, _), code in zip(edges, self._rule_codes, strict=True)])
        # PyTorch's generated backward computes the inputs' gradients in the order of their
        # names (derivatives.yaml's entries, sorted): ``other`` before ``self``. With
        # ``create_graph=True`` that is the order the gradient's nodes are made in.
        out = [None] * len(edges)
        codes = self._rule_codes
        for i in self._eval_order:
            if edges[i][0] is not None:
                out[i] = eval(codes[i], _RULE_HELPERS, env)
        return tuple(out)


class AccumulateGrad(Node):
    """The node that adds a gradient into a leaf's ``.grad``."""

    _is_accumulator = True

    def __init__(self, variable):
        super().__init__()
        self._sequence_nr = ACCUMULATE_PRIORITY
        self.variable = variable

    def name(self):
        return "torch::autograd::AccumulateGrad"

    def apply(self, grads):
        return ()


class GraphRoot(Node):
    """The engine's starting point when several roots are given (PyTorch's GraphRoot)."""

    _is_graph_root = True

    def __init__(self, roots, grads):
        super().__init__()
        self.next_functions = tuple(roots)
        self._grads = grads

    def name(self):
        return "torch::autograd::GraphRoot"

    def apply(self, grads):
        return tuple(self._grads)


# Helpers the rule texts may call (kept short: rules read like the maths).
_RULE_HELPERS = {}


def rule_helper(fn):
    """Make ``fn`` callable by name inside rule texts."""
    _RULE_HELPERS[fn.__name__] = fn
    return fn


def _eval_order(inputs, order):
    """The indices of ``inputs`` in the order their rules run (None: their own order)."""
    names = tuple(order) if order is not None else tuple(sorted(inputs))
    indices = tuple(inputs.index(n) for n in names)
    return None if indices == tuple(range(len(inputs))) else indices


def derivative(name, *, inputs, saves=(), outputs=1, variadic=False, private=(), int64=(),
               order=None, **rules):
    """Declare an operation's backward node: its PyTorch name, saved values and rules.

    ``inputs`` names the differentiable inputs in PyTorch's order (the order of
    ``next_functions``); each rule is an expression in ``grad`` and the saved names
    (``grads`` holds every output's gradient, for nodes with several outputs).
    ``variadic``: the one input is a list of tensors (``cat``'s ``tensors``), one edge each;
    its rule returns one gradient per tensor.
    ``private``: saved names the rules read but PyTorch does not show as ``_saved_<name>``.
    ``int64``: saved names PyTorch types as int64 (dims, indices): shown unsigned, as PyTorch
    shows them, while the rules read the plain (possibly negative) value.
    ``order``: the input names in the order their rules run, when not sorted by name (PyTorch
    runs derivatives.yaml's entries sorted by their names: ``other`` before ``self``).
    """
    compiled = {}
    for input_name in inputs:
        text = rules.get(input_name)
        if text is None:
            raise TypeError(f"{name}: no rule for input {input_name!r}")
        compiled[input_name] = compile(text, f"<{name}: grad_{input_name}>", "eval")
    return type(
        name,
        (OpNode,),
        {
            "_input_names": tuple(inputs),
            "_saved_names": tuple(saves),
            "_private_names": frozenset(private),
            "_int64_names": frozenset(int64),
            "_variadic": variadic,
            "_rules": {k: rules[k] for k in inputs},
            "_compiled": compiled,
            "_rule_codes": tuple(compiled[k] for k in inputs),
            "_eval_order": _eval_order(inputs, order),
            "_num_outputs": outputs,
            "__module__": "torch.autograd.graph",
        },
    )


# ---------------------------------------------------------------------- recording
def gradient_edge(t):
    """The (node, input_nr) a gradient for tensor ``t`` flows into, or (None, 0)."""
    if t is None or not getattr(t, "_requires_grad", False):
        return (None, 0)
    fn = t.grad_fn if t._base is None else _refresh_view(t)  # a view's may be out of date
    if fn is not None:
        return (fn, getattr(t, "_output_nr", 0))
    acc = t._accumulator() if t._accumulator is not None else None
    if acc is None:
        acc = AccumulateGrad(t)
        t._accumulator = weakref.ref(acc)
    return (acc, 0)


def needs_grad(*tensors):
    if not grad_mode.STATE.grad_enabled:
        return False
    return any(getattr(t, "_requires_grad", False) for t in tensors)


def record(node_cls, outputs, inputs, saved=None, saved_outputs=None):
    """Attach a new ``node_cls`` node as the ``grad_fn`` of ``outputs``.

    ``inputs`` are the differentiable inputs (tensors or None) in the declaration's order;
    ``saved`` maps saved names to tensors or plain values; ``saved_outputs`` names the saved
    outputs (saved without keeping the output alive through its own node).
    """
    node = node_cls()
    node.next_functions, node._input_meta = _edges_and_metas(inputs)
    if saved or saved_outputs:
        store = node._saved = {}
        if saved:
            for k, v in saved.items():
                store[k] = SavedTensor(v) if type(v) is Tensor or _is_tensor(v) else v
        if saved_outputs:
            for k, v in saved_outputs.items():
                store[k] = v  # saved below, once the outputs' history is set
    if type(outputs) is Tensor and outputs._base is None:
        # _set_history, inlined for the common case: one output, not a view.
        outputs.grad_fn = node
        outputs._requires_grad = True
    elif isinstance(outputs, tuple | list):
        node._num_outputs = len(outputs)
        node._output_meta = tuple((o._data.shape, o._dtype) for o in outputs)
        for i, out in enumerate(outputs):
            _set_history(out, node, i)
            if out._base is not None:  # PyTorch forbids changing these views in place
                out._creation_meta = MULTI_OUTPUT
    else:
        _set_history(outputs, node, 0)
        if outputs._base is not None and inputs:  # a view of a view inherits that
            meta = getattr(inputs[0], "_creation_meta", None)
            if meta is not None:
                outputs._creation_meta = meta
    if saved_outputs:
        for k, v in saved_outputs.items():
            store[k] = SavedTensor.of_output(v)
    if anomaly.STATE.enabled:
        node._anomaly_trace = anomaly.capture()
    if _creation_hook is not None:
        _creation_hook(node)
    return node


_NO_EDGE = (None, 0)


def _edges_and_metas(inputs):
    """``next_functions`` and ``_input_meta`` of a node with these inputs: each input's
    gradient edge and its (shape, dtype) (None for a missing input)."""
    edges = []
    metas = []
    for t in inputs:
        if t is None:
            edges.append(_NO_EDGE)
            metas.append(None)
        elif type(t) is Tensor:  # gradient_edge, inlined for the common cases
            if not t._requires_grad:
                edges.append(_NO_EDGE)
            elif t._base is not None:
                edges.append(gradient_edge(t))
            elif t.grad_fn is not None:
                edges.append((t.grad_fn, t._output_nr))
            else:  # a leaf: its AccumulateGrad node, while alive
                acc = t._accumulator
                acc = acc() if acc is not None else None
                edges.append((acc, 0) if acc is not None else gradient_edge(t))
            metas.append((t._data.shape, t._dtype))
        else:
            edges.append(gradient_edge(t))
            metas.append((t._data.shape, t._dtype) if hasattr(t, "_data") else None)
    return tuple(edges), tuple(metas)


def make_node(node_cls, inputs, saved=None):
    """A new ``node_cls`` node not (yet) attached to any output: an in-place operation makes
    its node before writing, then hands it to ``inplace.rebase_history``."""
    node = node_cls()
    node.next_functions, node._input_meta = _edges_and_metas(inputs)
    if saved:
        node._saved = {k: SavedTensor(v) if _is_tensor(v) else v for k, v in saved.items()}
    announce(node)
    return node


def announce(node):
    """Tell anomaly mode and the creation hook about a new node."""
    if anomaly.STATE.enabled:
        node._anomaly_trace = anomaly.capture()
    if _creation_hook is not None:
        _creation_hook(node)


def _set_history(out, node, nr):
    out.grad_fn = node
    out._requires_grad = True
    if nr:
        out._output_nr = nr
    if out._base is not None:
        out._attr_version = out._version  # the version its history was made at


def _is_tensor(v):
    if type(v) is Tensor:
        return True
    return v is not None and hasattr(v, "_data") and hasattr(v, "_dtype")


# A tool (the drawing, anomaly mode) may ask to hear of every new node.
_creation_hook = None


def set_creation_hook(fn):
    global _creation_hook
    previous = _creation_hook
    _creation_hook = fn
    return previous


# In-place changes of views (CopySlices) need the nodes above.
from .inplace import MULTI_OUTPUT  # noqa: E402
from .inplace import refresh_view as _refresh_view  # noqa: E402
