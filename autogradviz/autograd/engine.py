"""The backward engine: one generator of steps, in PyTorch's execution order.

``backward_steps`` yields a ``Step`` for every node it executes: the node, the gradients it
received, the gradients it produced, and the leaf whose ``.grad`` it accumulated. ``backward()``
and ``autograd.grad()`` simply drain it; the stepper widget pulls one step at a time.

Order: like PyTorch's engine on the CPU, a node becomes ready once every edge into it has
delivered its gradient, and among ready nodes the most recently created runs first
(AccumulateGrad nodes before anything else). The walks are iterative, so deep graphs work.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import dtypes as _dt
from .._tensor import Tensor, _wrap
from . import anomaly, grad_mode
from .graph import GraphRoot, Node, gradient_edge


@dataclass(slots=True)
class Step:
    """One executed node."""

    index: int
    node: Node
    received: tuple  # gradient(s) flowing into the node (w.r.t. its forward outputs)
    produced: tuple  # gradient(s) it sends along next_functions (None where none flows)
    leaf: object = None  # for AccumulateGrad: the tensor whose .grad was accumulated
    grad_before: object = None  # that tensor's .grad before this step (None if it had none)
    extra: dict = field(default_factory=dict)


# PyTorch's ready queue is a binary max-heap on sequence number, sifted exactly as the C++
# standard library's push_heap/pop_heap do, so that ties (AccumulateGrad nodes all share the
# top priority) come out in PyTorch's order too. The engine keeps it as a plain list and
# handles the one-node heap (every step of a chain) inline; these do the rest.
def _heap_push(heap, node):
    heap.append(node)
    _sift_up(heap, len(heap) - 1, node)


def _sift_up(heap, hole, node):
    key = node._sequence_nr
    parent = (hole - 1) // 2
    while hole > 0 and heap[parent]._sequence_nr < key:
        heap[hole] = heap[parent]
        hole = parent
        parent = (hole - 1) // 2
    heap[hole] = node


def _heap_pop(heap):
    first = heap[0]
    last = heap.pop()
    n = len(heap)
    if n:
        # libstdc++'s __adjust_heap: move the hole to a leaf, then sift ``last`` up.
        hole = 0
        child = 0
        while child < (n - 1) // 2:
            child = 2 * (child + 1)
            if heap[child]._sequence_nr < heap[child - 1]._sequence_nr:
                child -= 1
            heap[hole] = heap[child]
            hole = child
        if n % 2 == 0 and child == (n - 2) // 2:
            child = 2 * (child + 1)
            heap[hole] = heap[child - 1]
            hole = child - 1
        _sift_up(heap, hole, last)
    return first


def _as_tuple(x):
    if x is None:
        return ()
    if isinstance(x, list | tuple):
        return tuple(x)
    return (x,)


def make_grads(outputs, grad_outputs, *, is_grads_batched=False):
    """The starting gradients: given ones checked, implicit ones only for scalar outputs."""
    grads = []
    for i, out in enumerate(outputs):
        g = grad_outputs[i] if i < len(grad_outputs) else None
        if g is None:
            if out._requires_grad and out._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if out._dtype.category != 2:
                raise RuntimeError(
                    "grad can be implicitly created only for real scalar outputs but got "
                    f"{out._dtype}"
                )
            grads.append(_wrap(np.ones(out._data.shape, out._dtype.np), out._dtype))
            continue
        if not isinstance(g, Tensor):
            from .. import _creation

            g = _creation.tensor(g, dtype=out._dtype)
        if g.shape != out.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and output[{i}] "
                f"has a shape of {out.shape}."
            )
        if g._dtype.category != out._dtype.category:
            raise RuntimeError(
                f"For complex Tensors, both grad_output and output are required to have the "
                f"same dtype. Mismatch in dtype: grad_output[{i}] has a dtype of {g._dtype} and "
                f"output[{i}] has a dtype of {out._dtype}."
            )
        grads.append(g)
    return tuple(grads)


def _dependencies(root):
    """How many edges lead into each node reachable from ``root`` (iterative walk)."""
    deps = {}
    seen = {root}
    stack = [root]
    while stack:
        node = stack.pop()
        for fn, _ in node.next_functions:
            if fn is None:
                continue
            deps[fn] = deps.get(fn, 0) + 1
            if fn not in seen:
                seen.add(fn)
                stack.append(fn)
    return deps


def _needed(root, targets):
    """Nodes lying on a path from ``root`` to any of ``targets`` (PyTorch's exec_info)."""
    order = []
    seen = {root}
    stack = [root]
    while stack:
        node = stack.pop()
        order.append(node)
        for fn, _ in node.next_functions:
            if fn is not None and fn not in seen:
                seen.add(fn)
                stack.append(fn)
    needed = set(targets)
    # Children before parents: walk the discovery order backwards until nothing changes.
    changed = True
    while changed:
        changed = False
        for node in reversed(order):
            if node in needed:
                continue
            if any(fn in needed for fn, _ in node.next_functions if fn is not None):
                needed.add(node)
                changed = True
    return needed


def _validate(node, produced):
    """Each gradient made to fit its input, as PyTorch's validate_outputs does: a broadcast one
    summed back to the input's shape, one of another dtype cast. ``produced`` itself (as a
    tuple) when every gradient already fits, the common case."""
    metas = node._input_meta
    if len(metas) >= len(produced):
        for g, meta in zip(produced, metas, strict=False):
            if g is not None and meta is not None and (
                    g._data.shape != meta[0] or g._dtype is not meta[1]):
                break
        else:
            return produced if type(produced) is tuple else tuple(produced)
    out = []
    metas = metas or (None,) * len(produced)
    for i, (g, meta) in enumerate(zip(produced, metas, strict=False)):
        if g is None or meta is None:
            out.append(g)
            continue
        shape, dtype = meta
        if g._data.shape != shape:
            try:
                np.broadcast_shapes(shape, g._data.shape)
                expandable = np.broadcast_shapes(shape, g._data.shape) == g._data.shape
            except ValueError:
                expandable = False
            if not expandable:
                raise RuntimeError(
                    f"Function {node.name()} returned an invalid gradient at index {i} - got "
                    f"{list(g._data.shape)} but expected shape compatible with {list(shape)}"
                )
            g = _sum_to()(g, shape)
        if g._dtype is not dtype:
            if grad_mode.STATE.grad_enabled:
                g = g.to(dtype)  # records the cast (create_graph)
            elif dtype in _FLOAT_TYPES and g._dtype in _FLOAT_TYPES:
                # A plain rounding, as ``to`` does it, without np.errstate's cost.
                g = _wrap(_ops_module("elementwise").quiet.run(g._data.astype, dtype.np), dtype)
            else:
                g = _wrap(_dt.cast(g._data, dtype), dtype)  # what ``to`` computes, unrecorded
        out.append(g)
    return tuple(out)


_FLOAT_TYPES = (_dt.float32, _dt.float64)
_OPS = {}


def _ops_module(name):
    """``ops.<name>``, imported on first use (the ops import this package)."""
    module = _OPS.get(name)
    if module is None:
        import importlib

        module = _OPS[name] = importlib.import_module(f"..ops.{name}", __package__)
    return module


def _sum_to():
    return _ops_module("_backward").sum_to


def _call_tensor_hooks(node, grads):
    if not node._tensor_pre_hooks and not node._retains_grad_hooks:
        return grads
    grads = list(grads)
    for nr, hooks in node._tensor_pre_hooks.items():
        for hook in list(hooks.values()):
            if grads[nr] is None:
                break
            result = hook(grads[nr])
            if result is not None:
                grads[nr] = result
    for nr, ref in node._retains_grad_hooks.items():
        t = ref()
        if t is not None and grads[nr] is not None:
            g = grads[nr]
            if t._grad is None:
                t._grad = g.detach().clone() if not grad_mode.STATE.grad_enabled else g.clone()
            else:
                t._grad = t._grad + g
    return tuple(grads)


def _call_pre_hooks(node, grads):
    for hook in list(node._pre_hooks.values()):
        result = hook(grads)
        if result is not None:
            grads = tuple(result)
    return grads


def _call_post_hooks(node, produced, received):
    for hook in list(node._post_hooks.values()):
        result = hook(produced, received)
        if result is not None:
            produced = tuple(result)
    return produced


def _accumulate(node, grad, create_graph):
    """AccumulateGrad: add ``grad`` into the leaf's ``.grad`` (in place unless building a graph)."""
    t = node.variable
    before = t._grad
    if before is None:
        fresh = _empty_laid_out_as(t._data, grad._data.dtype)
        if create_graph:
            # A recorded copy (CopyBackwards when grad has history), as PyTorch's
            # clone_obey_contract makes it when building the derivative's graph
            t._grad = _ops_module("elementwise").copy_(_wrap(fresh, grad._dtype), grad)
        else:
            fresh[...] = grad._data
            t._grad = _wrap(fresh, grad._dtype)
    elif create_graph or grad_mode.STATE.grad_enabled:
        t._grad = before + grad
    else:
        before._data[...] = before._data + grad._data.astype(before._data.dtype, copy=False)
        before._bump_version()
    hooks = t._post_accumulate_grad_hooks
    if hooks:
        for hook in list(hooks.values()):
            hook(t)
    return before


def _empty_laid_out_as(variable, dtype):
    """A new array for a leaf's first ``.grad``: ``variable``'s memory layout when that is
    dense (no gaps, no overlap), else C-contiguous (PyTorch's gradient layout contract)."""
    if variable.flags.c_contiguous or variable.ndim < 2:
        return np.empty(variable.shape, dtype)
    item = variable.itemsize
    dims = sorted((abs(st), n) for st, n in zip(variable.strides, variable.shape, strict=True)
                  if n != 1)
    expected = item
    for st, n in dims:
        if st != expected:
            return np.empty(variable.shape, dtype)  # gaps or overlap: not dense
        expected *= n
    return np.empty_like(variable, dtype=dtype, order="K")


def backward_steps(tensors, grad_tensors=None, retain_graph=None, create_graph=False,
                   inputs=None, *, _capture=None, _observe=True):
    """Run the backward pass, yielding one ``Step`` per executed node.

    ``_capture`` (used by ``autograd.grad``) maps edges ``(node, input_nr)`` to slots: their
    gradients are captured instead of accumulated into ``.grad``. With ``_observe=False``
    (``backward()``, ``autograd.grad()``: nobody looks at the steps) the same engine runs
    without building ``Step`` records, and the generator yields nothing.
    """
    return _engine(tensors, grad_tensors, retain_graph, create_graph, inputs, _capture,
                   _observe)


def _engine(tensors, grad_tensors, retain_graph, create_graph, inputs, capture, observe):
    """The engine: runs the graph, yielding a ``Step`` per executed node if ``observe``."""
    outputs = _as_tuple(tensors)
    grads = make_grads(outputs, _as_tuple(grad_tensors))
    if retain_graph is None:
        retain_graph = create_graph
    edges = []
    for i, out in enumerate(outputs):
        if not out._requires_grad:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn"
            )
        edges.append(gradient_edge(out))

    if len(edges) == 1:
        root, root_nr = edges[0]
        buffers = {root: [None] * root._num_outputs}
        buffers[root][root_nr] = grads[0]
        graph_root = root
    else:
        graph_root = GraphRoot(edges, grads)
        buffers = {graph_root: [None]}

    deps = _dependencies(graph_root)
    targets = None
    if inputs is not None or capture is not None:
        target_nodes = {fn for fn, _ in (capture or {})} | {
            gradient_edge(t)[0] for t in _as_tuple(inputs)
        }
        target_nodes.discard(None)
        targets = _needed(graph_root, target_nodes)
        accumulate_into = {gradient_edge(t)[0] for t in _as_tuple(inputs)} if inputs else None
    else:
        accumulate_into = None

    ready = [graph_root]  # a heap, see _heap_push
    mode = grad_mode.STATE
    anomaly_state = anomaly.STATE
    previous_mode = mode.grad_enabled
    step_index = 0
    try:
        while ready:
            node = ready.pop() if len(ready) == 1 else _heap_pop(ready)
            received = tuple(buffers.pop(node))
            # Nodes run with grad mode on only when building the graph of the derivative.
            mode.grad_enabled = create_graph
            try:
                if (len(received) == 1 and received[0] is not None and not node._hooked
                        and not node._is_accumulator and not node._is_graph_root
                        and capture is None):
                    # The usual node (one gradient in, no hooks): _execute's rule call inlined.
                    produced = _validate(node, node.apply(received))
                    if anomaly_state.enabled:
                        anomaly.check_nan(node, produced)
                    leaf = before = None
                else:
                    produced, leaf, before = _execute(
                        node, received, create_graph, capture, accumulate_into
                    )
            except Exception as err:
                anomaly.report(node, err)
                raise
            finally:
                mode.grad_enabled = previous_mode
            node._runs += 1  # drawings say "after backward n"
            if not retain_graph:
                node._release()
            if observe and not node._is_graph_root:
                yield Step(step_index, node, received, produced, leaf, before)
                step_index += 1
            for (fn, nr), g in zip(node.next_functions, produced, strict=False):
                if fn is None:
                    continue
                if targets is not None and fn not in targets:
                    continue
                buf = buffers.get(fn)
                if buf is None:
                    buf = buffers[fn] = [None] * fn._num_outputs
                if g is not None:
                    buf[nr] = g if buf[nr] is None else _add(buf[nr], g, create_graph)
                waiting = deps[fn] - 1
                deps[fn] = waiting
                if not waiting:
                    if ready:
                        _heap_push(ready, fn)
                    else:
                        ready.append(fn)
    finally:
        mode.grad_enabled = previous_mode


def _add(a, b, create_graph):
    from ..ops.elementwise import add

    return add(a, b)


def _execute(node, received, create_graph, capture, accumulate_into):
    """Run one node: its hooks, then its rule (or the accumulation into a leaf's ``.grad``).
    Returns the gradients it produced, and for AccumulateGrad the leaf and its previous
    ``.grad``."""
    if node._is_graph_root:  # it holds the starting gradients itself
        return node.apply(received), None, None
    hooked = node._hooked
    if hooked:
        received = _call_tensor_hooks(node, received)
        received = _call_pre_hooks(node, received)
    some_missing = False
    for g in received:
        if g is None:
            some_missing = True
            break
    if not received or (some_missing and all(g is None for g in received)):
        # Nothing flowed in: like PyTorch, the node is visited but sends nothing on.
        return (None,) * len(node.next_functions), None, None
    if node._is_accumulator:
        if capture is not None and (node, 0) in capture:
            capture[(node, 0)] = received[0]
            return (), None, None
        if accumulate_into is not None and node not in accumulate_into:
            return (), None, None
        before = _accumulate(node, received[0], create_graph)
        if hooked:
            _call_post_hooks(node, (), received)
        return (), node.variable, before
    if capture is not None:
        for nr in range(len(received)):
            if (node, nr) in capture:
                capture[(node, nr)] = received[nr]
    if some_missing:
        received = tuple(
            g if g is not None else _zeros_for(node, i) for i, g in enumerate(received)
        )
    produced = _validate(node, node.apply(received))
    if hooked:
        produced = _call_post_hooks(node, produced, received)
    if anomaly.STATE.enabled:
        anomaly.check_nan(node, produced)
    return produced, None, None


def _zeros_for(node, i):
    from .. import _creation

    shape, dtype = node._output_meta[i]
    return _creation.zeros(shape, dtype=dtype)


def run_backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False,
                 inputs=None):
    """``backward()``: drain the engine."""
    for _ in backward_steps(tensors, grad_tensors, retain_graph, create_graph, inputs,
                            _observe=False):
        pass
