"""The neutral graph model: what a drawing shows, built from tensors or ``grad_fn`` nodes.

The builder only uses the public autograd API that autogradviz and PyTorch share (``name()``,
``next_functions``, ``variable``, ``_saved_<name>``, ``_sequence_nr``, tensor attributes), so
graphs built by real PyTorch give the same model. Nodes are numbered in creation order, never
by memory address, so the same code gives the same model (and the same drawing) byte for byte.

Edges point the way the forward pass went (input -> consumer); gradients travel them backwards.
"""

from __future__ import annotations

import contextlib
import gc
import sys
import weakref
from dataclasses import dataclass, field

import numpy as np

# How many elements a node shows in full; larger tensors are summarised (min / mean / max).
SMALL_NUMEL = 6
# How many ops nearest the roots are read to tell whether backward freed the saved tensors.
FREED_PROBE = 64
ACCUMULATE_NAMES = ("torch::autograd::AccumulateGrad", "AccumulateGrad")


@dataclass
class VizNode:
    """One box of the drawing."""

    id: str  # stable: "n0", "n1", ... in creation order
    kind: str  # "op", "leaf", "const", "saved" or "group" (a collapsed run / summary)
    title: str  # "MulBackward0", "AccumulateGrad", ...
    name: str | None = None  # the variable the learner bound to it
    rule: tuple[str, ...] = ()  # the local derivative rule, one line per input
    shape: tuple[int, ...] | None = None
    dtype: str | None = None
    value: str | None = None  # formatted data (small) or summary (large)
    grad: str | None = None
    flags: tuple[str, ...] = ()  # "requires_grad", "retains_grad", "version 2", ...
    saved: tuple[tuple[str, str], ...] = ()  # (name, description) of saved values
    freed: bool = False  # backward freed its saved tensors
    scope: str | None = None  # "model/0" for grouping into clusters
    count: int = 1  # nodes stood for (collapsed runs, summaries)
    source: object = field(default=None, repr=False, compare=False)  # the autograd node
    copy_of: str | None = None  # a repeated drawing of a much-used node (see summary.py)
    # For a constant: (consuming node, input name, names) to describe it once it is kept.
    origin: tuple | None = field(default=None, repr=False, compare=False)


@dataclass
class VizEdge:
    src: str
    dst: str
    label: str | None = None  # the input's name when a node has several inputs
    kind: str = "grad"  # "grad" (gradient path), "const" (no gradient), "view", "saved"
    count: int = 1


@dataclass
class GraphModel:
    nodes: list[VizNode]
    edges: list[VizEdge]
    roots: list[str]
    state: str  # "before backward", "after backward", "after backward 2", "freed"
    notice: str | None = None  # why the drawing is a summary, when it is one
    total_nodes: int = 0  # nodes of the whole graph (before any summarising)

    def node(self, node_id):
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise KeyError(node_id)

    def summary_text(self):
        """Deterministic plain-text form (the drawing's ``text/plain``)."""
        lines = [f"autograd graph: {len(self.nodes)} nodes, {len(self.edges)} edges, {self.state}"]
        if self.notice:
            lines.append(self.notice)
        inputs = {}
        for e in self.edges:
            inputs.setdefault(e.dst, []).append(e)
        for n in self.nodes:
            head = f"{n.name} = {n.title}" if n.name else n.title
            if n.count > 1:
                head += f" x{n.count}"
            detail = []
            if n.shape is not None:
                detail.append(f"{_shape_text(n.shape)} {n.dtype}")
            if n.grad is not None:
                detail.append(f"grad {n.grad}")
            ins = ", ".join(e.src for e in inputs.get(n.id, ()))
            line = f"  {n.id:>4} {head}"
            if detail:
                line += "  " + "  ".join(detail)
            if ins:
                line += f"  <- {ins}"
            lines.append(line)
        return "\n".join(lines)


# ---------------------------------------------------------------------- duck typing
def is_tensor(obj):
    """A tensor of autogradviz or of PyTorch (both have grad_fn / requires_grad / is_leaf)."""
    return hasattr(obj, "grad_fn") and hasattr(obj, "requires_grad") and hasattr(obj, "is_leaf")


def is_node(obj):
    return hasattr(obj, "next_functions") and callable(getattr(obj, "name", None))


def sequence_nr(node):
    """Creation order (ours is an attribute, PyTorch's a method)."""
    nr = getattr(node, "_sequence_nr", 0)
    return nr() if callable(nr) else nr


def is_accumulate(node):
    return node.name() in ACCUMULATE_NAMES


def node_title(node):
    return "AccumulateGrad" if is_accumulate(node) else node.name()


def _our_rule_classes():
    from ..autograd.graph import OpNode

    found, todo = {}, [OpNode]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            found.setdefault(sub.__name__, sub)
            todo.append(sub)
    return found


_RULES_BY_NAME: dict | None = None


def rule_of(node):
    """The node's input names and local rule lines; PyTorch nodes borrow ours by name."""
    cls = type(node)
    found = _RULE_CACHE.get(cls)
    if found is None:
        found = _RULE_CACHE[cls] = _rule_of_class(cls, node)
    return found


_RULE_CACHE: dict = {}  # node class -> (input names, rule lines): big graphs repeat classes


def _rule_of_class(cls, node):
    global _RULES_BY_NAME
    if not hasattr(cls, "rule_lines"):
        if _RULES_BY_NAME is None:
            _RULES_BY_NAME = _our_rule_classes()
        cls = _RULES_BY_NAME.get(node.name())
        if cls is None:
            return (), ()
    return tuple(getattr(cls, "_input_names", ())), tuple(cls.rule_lines())


# ---------------------------------------------------------------------- values
def _as_array(t):
    try:
        data = t.detach()
        if hasattr(data, "cpu"):
            data = data.cpu()
        try:
            return np.asarray(data.numpy())
        except (TypeError, RuntimeError):  # e.g. PyTorch's bfloat16
            return np.asarray(data.float().numpy())
    except Exception:  # a tensor we cannot read (meta, sparse...): show no values
        return None


def format_values(t):
    """Small tensors in full (4 significant digits), large ones as min / mean / max."""
    a = _as_array(t)
    if a is None:
        return None
    if a.size <= SMALL_NUMEL:
        if a.ndim == 0:
            return _number(a.item())
        return "[" + ", ".join(_number(v) for v in a.reshape(-1).tolist()) + "]"
    if a.dtype.kind == "b":
        a = a.astype(np.int64)
    a = a.astype(np.float64)
    return f"min {_number(a.min())}  mean {_number(a.mean())}  max {_number(a.max())}"


def _number(v):
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int):
        return str(v)
    return f"{float(v):.4g}"


def _shape_text(shape):
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def _dtype_text(dtype):
    return str(dtype).replace("torch.", "")


def _version(t):
    try:
        return int(t._version)
    except Exception:
        return 0


# autogradviz's own bookkeeping that looks like a saved value (a custom Function's saved list).
_NOT_SAVED_VALUES = ("_saved_list",)


def _saved_items(node):
    """The node's ``_saved_<name>`` values described, whether backward freed them, and whether
    any of them is a tensor (only tensors are freed: saved sizes and dims stay readable).

    Freed is seen the way PyTorch shows it, by reading a saved tensor raising ``RuntimeError``
    (autogradviz marks every node backward ran, even one that saved no tensor). A custom
    Function's node keeps its tensors in ``saved_tensors`` instead.
    """
    items, freed, tensors = [], False, False
    attrs = sorted(a for a in dir(node) if a.startswith("_saved_") and a not in _NOT_SAVED_VALUES)
    values = [(attr[len("_saved_"):], attr) for attr in attrs]
    if "saved_tensors" in dir(node):
        values.append(("saved_tensors", "saved_tensors"))
    for name, attr in values:
        try:
            value = getattr(node, attr)
        except RuntimeError:  # freed by backward
            freed = tensors = True
            items.append((name, "freed"))
            continue
        except Exception:
            continue
        if is_tensor(value):
            tensors = True
            desc = f"{_shape_text(tuple(value.shape))} {_dtype_text(value.dtype)}"
        elif name == "saved_tensors":
            if not value:
                continue
            tensors = True
            desc = ", ".join(f"{_shape_text(tuple(v.shape))} {_dtype_text(v.dtype)}"
                             if is_tensor(v) else repr(v) for v in value)
        else:
            desc = repr(value)
            if len(desc) > 40:
                desc = desc[:37] + "..."
        items.append((name, desc))
    return tuple(items), freed, tensors


# ---------------------------------------------------------------------- names
def caller_namespace(depth=1):
    """The variables visible where our caller was called from (``depth`` frames above it):
    its globals, overridden by its locals."""
    frame = sys._getframe(depth + 1)
    return {**frame.f_globals, **frame.f_locals}


def names_from_namespace(namespace):
    """Map tensors found in a namespace (and modules' parameters) to their names.

    Returns ``{key: name}`` where key is ``("node", id(grad_fn), output_nr)`` for a non-leaf
    and ``("leaf", id(tensor))`` for a leaf. Names starting with ``_`` (IPython's history) are
    skipped; a given name wins over one found.
    """
    found = {}
    for var, value in list(namespace.items()):
        if not isinstance(var, str) or var.startswith("_"):
            continue
        if is_tensor(value):
            found.setdefault(tensor_key(value), (var, value))
        elif hasattr(value, "named_parameters") and callable(value.named_parameters):
            try:
                params = list(value.named_parameters())
            except Exception:
                continue
            for pname, p in params:
                found.setdefault(tensor_key(p), (f"{var}.{pname}", p))
    return found


def tensor_key(t):
    fn = t.grad_fn
    if fn is not None:
        return ("node", id(fn), int(getattr(t, "output_nr", 0) or 0))
    return ("leaf", id(t))


@contextlib.contextmanager
def gc_paused():
    """Building a model makes one object per node and edge; the cyclic collector would scan
    the whole (large) autograd graph again and again meanwhile, for nothing to free."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# ---------------------------------------------------------------------- building
class _Walk:
    """The nodes reachable from the roots, iteratively (deep graphs must work)."""

    def __init__(self, start_nodes):
        self.nodes = []  # autograd nodes, in discovery order
        seen = {}
        stack = list(reversed(start_nodes))
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen[id(node)] = node
            self.nodes.append(node)
            for fn, _ in reversed(tuple(node.next_functions)):
                if fn is not None and id(fn) not in seen:
                    stack.append(fn)


def build_model(roots, *, names=None, namespace=None, saved=False, scopes=None, modules=None):
    """The graph model of ``roots`` (tensors and/or nodes, one or a list).

    ``names`` maps a name to a tensor or node (it wins over names found in ``namespace``);
    ``saved`` adds the saved tensors and attributes as nodes of their own; ``scopes`` maps an
    autograd node to a scope name; ``modules`` (a module or a dict name -> module) groups the
    nodes that use a module's parameters.
    """
    if is_tensor(roots) or is_node(roots):
        roots = [roots]
    roots = list(roots)
    if not roots:
        raise ValueError("draw() needs at least one tensor or grad_fn node")
    known = names_from_namespace(namespace or {})
    for name, obj in (names or {}).items():
        if is_tensor(obj):
            known[tensor_key(obj)] = (str(name), obj)
        elif is_node(obj):
            known[("node", id(obj), 0)] = (str(name), None)
        else:
            raise TypeError(f"names[{name!r}] must be a tensor or a grad_fn node, "
                            f"not {type(obj).__name__}")

    start, root_tensors = [], []
    for r in roots:
        if is_tensor(r):
            root_tensors.append(r)
            if r.grad_fn is not None:
                start.append(r.grad_fn)
        elif is_node(r):
            start.append(r)
        else:
            raise TypeError(f"draw() takes tensors or grad_fn nodes, not {type(r).__name__}")
    for r in root_tensors:  # roots are named by the caller's binding, else shown as tensors
        known.setdefault(tensor_key(r), (None, r))

    storage_index = _StorageIndex(known)
    walk = _Walk(start)
    ops = [n for n in walk.nodes if not is_accumulate(n)]
    ops.sort(key=sequence_nr)
    by_id = {}
    nodes, edges = [], []

    def new_id():
        return f"n{len(nodes)}"

    def add_leaf(acc):
        var = acc.variable
        entry = known.get(("leaf", id(var)))
        viz = VizNode(id=new_id(), kind="leaf", title="AccumulateGrad",
                      name=entry[0] if entry else None, source=acc)
        _describe_tensor(viz, var, leaf=True, known=known)
        viz.rule = (f"{viz.name or 'variable'}.grad += grad",)
        nodes.append(viz)
        by_id[id(acc)] = viz
        return viz

    # Leaf tensors drawn as roots without any node (a leaf root that requires grad); a leaf
    # root that other roots use is their AccumulateGrad node, drawn once.
    accumulators = {id(fn.variable): fn for fn in walk.nodes if is_accumulate(fn)}
    for t in root_tensors:
        if t.grad_fn is None and id(t) in accumulators:
            by_id[id(t)] = by_id.get(id(accumulators[id(t)])) or add_leaf(accumulators[id(t)])
        elif t.grad_fn is None:
            entry = known.get(("leaf", id(t)))
            viz = VizNode(id=new_id(), kind="leaf", title="tensor",
                          name=entry[0] if entry else None, source=t)
            _describe_tensor(viz, t, leaf=True, known=known)
            nodes.append(viz)
            by_id[id(t)] = viz

    for op in ops:
        input_names, rule = rule_of(op)
        # Inputs first, so numbering follows creation (a leaf exists before its first use).
        for fn, _ in op.next_functions:
            if fn is not None and is_accumulate(fn) and id(fn) not in by_id:
                add_leaf(fn)
        viz = VizNode(id=new_id(), kind="op", title=node_title(op), rule=rule, source=op)
        entry = known.get(("node", id(op), 0))
        if entry is not None:
            viz.name = entry[0]
            if entry[1] is not None:
                _describe_tensor(viz, entry[1], leaf=False, known=known)
        nodes.append(viz)
        by_id[id(op)] = viz
        several = len(op.next_functions) > 1
        for i, (fn, _nr) in enumerate(op.next_functions):
            label = None
            if several:
                label = input_names[i] if i < len(input_names) else str(i)
            if fn is None:
                const = VizNode(id=new_id(), kind="const", title="constant",
                                rule=(), flags=("no grad",))
                if i < len(input_names):  # often saved: described once the drawing keeps it
                    const.origin = (op, input_names[i], storage_index)
                nodes.append(const)
                edges.append(VizEdge(const.id, viz.id, label, kind="const"))
            else:
                edges.append(VizEdge(None, viz.id, label, kind="grad"))
                edges[-1]._source_node = fn  # resolved below (inputs may come later: cycles none)

    for e in edges:
        fn = getattr(e, "_source_node", None)
        if fn is not None:
            src = by_id.get(id(fn))
            if src is None:  # an AccumulateGrad reached only as a root
                src = add_leaf(fn) if is_accumulate(fn) else None
            e.src = src.id
            del e._source_node

    # Root nodes given directly that are AccumulateGrad (rare): make sure they are drawn.
    for n in start:
        if id(n) not in by_id and is_accumulate(n):
            add_leaf(n)

    if saved:
        add_saved_details(nodes)
        _add_saved_nodes(nodes, edges)
    scopes = SCOPES if scopes is None else scopes
    if scopes:
        for viz in nodes:
            if viz.source is not None and viz.kind == "op":
                viz.scope = _scope_of(scopes, viz.source)
    if modules is not None:
        _group_by_modules(nodes, edges, modules)

    root_ids = [by_id[id(n)].id for n in start if id(n) in by_id]
    root_ids += [by_id[id(t)].id for t in root_tensors if id(t) in by_id]
    # Whether backward freed the saved tensors: one backward frees every node it ran, so the
    # nodes nearest the roots tell (reading every node's saved values would make big graphs
    # slow): the first of them that saved a tensor, looked for among the last FREED_PROBE ops.
    root_ops = [n for n in nodes if n.kind == "op" and n.id in root_ids]
    later_first = [n for n in reversed(nodes) if n.kind == "op" and n.id not in root_ids]
    for viz in root_ops + later_first[:FREED_PROBE]:
        if _read_saved(viz):
            break
    model = GraphModel(nodes=nodes, edges=edges, roots=root_ids,
                       state=_graph_state(nodes), total_nodes=len(nodes))
    return model


def add_saved_details(nodes):
    """Fill in the saved values of op nodes, and what constants were (for the nodes a drawing
    keeps: reading them for every node of a big graph would be slow)."""
    for viz in nodes:
        if viz.kind == "const" and viz.origin is not None:
            op, input_name, storage_index = viz.origin
            viz.origin = None
            _describe_constant(viz, op, input_name, storage_index)
        if viz.kind == "op" and viz.source is not None and not viz.saved:
            _read_saved(viz)


def _read_saved(viz):
    """Fill in one op node's saved values; whether it saved a tensor (freed or not)."""
    viz.saved, viz.freed, tensors = _saved_items(viz.source)
    return tensors


def _describe_constant(viz, op, input_name, storage_index):
    """Name and values of a constant input, when the node saved it under the input's name."""
    try:
        value = getattr(op, f"_saved_{input_name}", None)
    except Exception:  # freed by backward
        return
    if not is_tensor(value):
        return
    entry = storage_index.lookup(value)
    if entry is not None:
        viz.name = entry[0]
    viz.shape = tuple(int(s) for s in value.shape)
    viz.dtype = _dtype_text(value.dtype)
    viz.value = format_values(value)


class _StorageIndex:
    """Finds the name of a constant: by identity, or (PyTorch hands out a new object for a
    saved tensor) by the same data pointer, shape, strides and dtype as a named tensor that
    needs no grad. Built on first use, once per model."""

    def __init__(self, known):
        self.known = known
        self.by_storage = None

    def lookup(self, t):
        entry = self.known.get(tensor_key(t))
        if entry is not None:
            return entry
        if self.by_storage is None:
            self.by_storage = {}
            for entry in self.known.values():
                other = entry[1]
                if other is None or other.requires_grad:  # a constant never needs grad
                    continue
                key = _storage_key(other)
                if key is not None:
                    self.by_storage.setdefault(key, entry)
        key = _storage_key(t)
        return None if key is None else self.by_storage.get(key)


def _storage_key(t):
    try:
        return (t.data_ptr(), tuple(t.shape), tuple(t.stride()), str(t.dtype))
    except Exception:
        return None


def _describe_tensor(viz, t, *, leaf, known=None):
    viz.shape = tuple(int(s) for s in t.shape)
    viz.dtype = _dtype_text(t.dtype)
    viz.value = format_values(t)
    flags = []
    if leaf:
        flags.append("leaf")
    if t.requires_grad:
        flags.append("requires_grad")
    if not leaf and getattr(t, "retains_grad", False):
        flags.append("retains_grad")
    version = _version(t)
    if version:
        flags.append(f"version {version}")
    base = getattr(t, "_base", None)
    if base is not None:  # a view shares its base's storage (and version counter)
        entry = (known or {}).get(tensor_key(base))
        flags.append(f"view of {entry[0]}" if entry and entry[0] else "view")
    viz.flags = tuple(flags)
    grad = t.grad if (leaf or getattr(t, "retains_grad", False)) else None
    if grad is not None:
        viz.grad = format_values(grad)


def _add_saved_nodes(nodes, edges):
    for viz in list(nodes):
        for name, desc in viz.saved:
            node = VizNode(id=f"{viz.id}s{len(edges)}", kind="saved", title=name,
                           value=desc, freed=desc == "freed")
            nodes.append(node)
            edges.append(VizEdge(node.id, viz.id, None, kind="saved"))


def _group_by_modules(nodes, edges, modules):
    """Put each module's parameters, and the ops that use them, into the module's scope."""
    if hasattr(modules, "named_modules"):
        named = list(modules.named_modules())
        root_name = type(modules).__name__
        named = [(f"{n or root_name} ({type(m).__name__})", m) for n, m in named]
    else:
        named = list(modules.items())
    owner = {}
    # Deepest modules last, so a parameter belongs to the module that holds it directly.
    for mod_name, mod in named:
        for p in mod.parameters(recurse=False) if _takes_recurse(mod) else mod.parameters():
            owner[id(p)] = mod_name
    scope_of = {}
    for viz in nodes:
        if viz.kind == "leaf" and viz.source is not None:
            var = getattr(viz.source, "variable", viz.source)
            if id(var) in owner:
                viz.scope = owner[id(var)]
                scope_of[viz.id] = viz.scope
    # An op takes the scope of the parameters it consumes (directly or through a transpose).
    by_id = {n.id: n for n in nodes}
    for _ in range(2):
        for e in edges:
            dst = by_id[e.dst]
            if dst.scope is None and e.src in scope_of:
                src = by_id[e.src]
                if src.kind == "leaf" or src.title in ("TBackward0", "PermuteBackward0"):
                    dst.scope = scope_of[e.src]
                    scope_of[dst.id] = dst.scope


def _takes_recurse(mod):
    try:
        mod.parameters(recurse=False)
        return True
    except TypeError:
        return False


def _graph_state(nodes):
    """"before backward", "after backward n" (n when autogradviz's engine counted the passes),
    with ", saved tensors freed" once a backward without ``retain_graph`` freed them."""
    ops = [n for n in nodes if n.kind == "op"]
    runs = max((_runs(n.source) for n in ops), default=0)
    freed = any(n.freed for n in ops)
    if runs:
        state = f"after backward {runs}"
    elif freed or any(n.grad is not None for n in nodes if n.kind == "leaf"):
        state = "after backward"
    else:
        return "before backward"
    return state + (", saved tensors freed" if freed else "")


def _runs(node):
    """How many backward passes ran through the node (autogradviz's engine counts them)."""
    return int(getattr(node, "_runs", 0) or 0)


# ---------------------------------------------------------------------- scopes
# Scopes recorded while a ``scope(...)`` block runs: node -> "outer/inner".
SCOPES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_scope_stack: list[str] = []
_outer_hook = None  # the creation hook that was set before the outermost scope began


class scope:  # noqa: N801 - used like a function: ``with viz.scope("layer1"):``
    """Group the nodes made inside the block under ``name`` (nested blocks join with "/")."""

    def __init__(self, name):
        self.name = str(name)

    def __enter__(self):
        from ..autograd import graph

        global _outer_hook
        _scope_stack.append(self.name)
        if len(_scope_stack) == 1:
            _outer_hook = graph.set_creation_hook(_record_scope)
        return self

    def __exit__(self, *exc):
        from ..autograd import graph

        _scope_stack.pop()
        if not _scope_stack:
            graph.set_creation_hook(_outer_hook)


def _scope_of(scopes, node):
    try:
        return scopes.get(node)
    except TypeError:  # no weak reference to it (PyTorch's nodes): it was in no scope
        return None


def _record_scope(node):
    SCOPES[node] = "/".join(_scope_stack)
    if _outer_hook is not None:
        _outer_hook(node)
