"""Shared checks for the gradient parity tests.

``check_graph(fn, shapes, dtype)`` (test_grad_views/indexing/linalg/inplace_views) runs
``fn(lib, *leaves)`` with ``lib`` = torch and with ``lib`` = autogradviz on leaves built from the
same NumPy arrays, then compares

- the grad_fn tree: node names, ``next_functions`` (with ``(None, 0)`` edges and input
  numbers), AccumulateGrad nodes and which leaf each one feeds;
- every ``_saved_*`` value: plain data (dims, sizes, indices, flags) exactly, index and mask
  tensors by value, float tensors by shape, dtype and (closely) value;
- the outputs (values, ``output_nr``) and, after ``backward`` from every output with random
  gradients, the ``.grad`` of every leaf (float32: rtol 1e-5; float64: rtol 1e-12).

``check_gradcheck`` runs autogradviz's float64 gradcheck (and gradgradcheck) on the same fn;
``check_graph_case``/``check_gradcheck_case`` take a table's ``(fn, shapes[, options])`` case.
``assert_out_refuses_grad`` checks PyTorch's refusal of ``out=`` with inputs requiring grad.

``check_parity(prog, specs, dtype)`` (test_grad_elementwise/reduction) runs ``prog(lib, *leaves)``
on leaves given as ``Leaf``/arrays/numbers and compares the backward graph as data (node class
names and ``name()``, ``next_functions``, every ``_saved_*`` value, saved tensors with their own
``grad_fn`` name), the output and the leaves' gradients after ``.backward(g)`` (float32: rtol
1e-5, float64: rtol 1e-10); ``check_gradcheck_values`` gradchecks a function of given float64
values. ``outcome(fn)`` is ``fn(lib)``'s result or error in each library.
"""

import os

os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")

import numpy as np
import pytest
import torch
from _parity import as_list

import autogradviz as avz

TOLERANCE = {"float32": {"rtol": 1e-5, "atol": 1e-6}, "float64": {"rtol": 1e-12, "atol": 1e-12}}
DTYPES = ["float32", "float64"]


def arrays(shapes, dtype, seed=0):
    rng = np.random.default_rng(seed)
    return [np.asarray(rng.standard_normal(s), dtype) for s in shapes]


def _leaves(lib, arrs, requires):
    return [lib.from_numpy(a.copy()).requires_grad_(r) for a, r in zip(arrs, requires, strict=True)]


def _is_tensor(v):
    return isinstance(v, torch.Tensor | avz.Tensor)


def _saved_names(node):
    return sorted(a for a in dir(node) if a.startswith("_saved_"))


def _compare_value(vt, va, where, tol):
    if isinstance(vt, tuple | list):
        assert isinstance(va, tuple | list) and len(va) == len(vt), (where, vt, va)
        for i, (a, b) in enumerate(zip(vt, va, strict=True)):
            _compare_value(a, b, f"{where}[{i}]", tol)
    elif _is_tensor(vt):
        assert _is_tensor(va), (where, vt, va)
        assert tuple(va.shape) == tuple(vt.shape), (where, vt.shape, va.shape)
        assert str(va.dtype) == str(vt.dtype), (where, vt.dtype, va.dtype)
        expected, got = vt.detach().numpy(), va.detach().numpy()
        if vt.dtype.is_floating_point:
            np.testing.assert_allclose(got, expected, **tol, err_msg=where)
        else:
            np.testing.assert_array_equal(got, expected, err_msg=where)
    else:
        assert type(va) is type(vt) and va == vt, (where, vt, va)


def compare_trees(ft, fa, leaves_t, leaves_a, tol, where="grad_fn"):
    """The same node names, edges, saved values and leaves, walking both graphs together."""
    if ft is None:
        assert fa is None, (where, fa)
        return
    assert fa is not None, (where, type(ft).__name__)
    name = type(ft).__name__
    assert type(fa).__name__ == name, (where, name, type(fa).__name__)
    where = f"{where}/{name}"
    if name == "AccumulateGrad":
        it = next(i for i, t in enumerate(leaves_t) if t is ft.variable)
        ia = next(i for i, t in enumerate(leaves_a) if t is fa.variable)
        assert ia == it, (where, "leaf", it, ia)
        return
    names = _saved_names(ft)
    assert _saved_names(fa) == names, (where, names, _saved_names(fa))
    for attr in names:
        _compare_value(getattr(ft, attr), getattr(fa, attr), f"{where}.{attr}", tol)
    nt, na = ft.next_functions, fa.next_functions
    assert len(na) == len(nt), (where, len(nt), len(na))
    for k, ((ct, it), (ca, ia)) in enumerate(zip(nt, na, strict=True)):
        assert ia == it, (where, k, "input_nr", it, ia)
        compare_trees(ct, ca, leaves_t, leaves_a, tol, f"{where}[{k}]")


def check_graph(fn, shapes, dtype="float32", *, requires=None, seed=0):
    """Same graph, saved values, outputs and leaf gradients in torch and autogradviz."""
    arrs = arrays(shapes, dtype, seed)
    requires = [True] * len(arrs) if requires is None else requires
    leaves_t, leaves_a = _leaves(torch, arrs, requires), _leaves(avz, arrs, requires)
    outs_t, outs_a = as_list(fn(torch, *leaves_t)), as_list(fn(avz, *leaves_a))
    tol = TOLERANCE[dtype]
    assert len(outs_a) == len(outs_t)
    for i, (ot, oa) in enumerate(zip(outs_t, outs_a, strict=True)):
        _compare_value(ot, oa, f"output {i}", tol)
        assert oa.requires_grad == ot.requires_grad, i
        assert getattr(oa, "_output_nr", 0) == ot.output_nr, (i, ot.output_nr)
        compare_trees(ot.grad_fn, oa.grad_fn, leaves_t, leaves_a, tol, f"output {i}")
    roots = [i for i, o in enumerate(outs_t) if o.requires_grad]
    if not roots:
        return
    rng = np.random.default_rng(seed + 1)
    grads = [np.asarray(rng.standard_normal(outs_t[i].shape), dtype) for i in roots]
    torch.autograd.backward([outs_t[i] for i in roots], [torch.from_numpy(g) for g in grads])
    avz.autograd.backward([outs_a[i] for i in roots], [avz.from_numpy(g) for g in grads])
    for i, (lt, la) in enumerate(zip(leaves_t, leaves_a, strict=True)):
        if lt.grad is None:
            assert la.grad is None, f"leaf {i} got a gradient"
        else:
            assert la.grad is not None, f"leaf {i} got no gradient"
            _compare_value(lt.grad, la.grad, f"leaf {i}.grad", tol)


def check_gradcheck(fn, shapes, *, requires=None, seed=0, second_order=False):
    """autogradviz's float64 gradcheck (and gradgradcheck) of ``fn(avz, *leaves)``."""
    arrs = arrays(shapes, "float64", seed)
    requires = [True] * len(arrs) if requires is None else requires
    leaves = _leaves(avz, arrs, requires)

    def f(*xs):
        return fn(avz, *xs)

    assert any(o.requires_grad for o in as_list(f(*leaves))), "no output requires grad"
    assert avz.autograd.gradcheck(f, tuple(leaves))
    if second_order:
        assert avz.autograd.gradgradcheck(f, tuple(leaves))


def _unpack(case):
    fn, shapes, *rest = case
    return fn, shapes, rest[0] if rest else {}


def check_graph_case(case, dtype):
    """``check_graph`` of a table's case ``(fn, shapes[, options])``."""
    fn, shapes, options = _unpack(case)
    check_graph(fn, shapes, dtype, **options)


def check_gradcheck_case(case, second_order):
    """``check_gradcheck`` of a table's case ``(fn, shapes[, options])``."""
    fn, shapes, options = _unpack(case)
    check_gradcheck(fn, shapes, second_order=second_order, **options)


def assert_out_refuses_grad(call, make_args, *, then_no_grad=True):
    """With ``out=``, PyTorch refuses inputs that require grad (but not under no_grad):
    ``call(lib, *make_args(lib))`` raises the same RuntimeError in both libraries and (if
    ``then_no_grad``) runs under ``no_grad``."""
    messages = []
    for lib in (torch, avz):
        args = make_args(lib)
        with pytest.raises(RuntimeError) as err:
            call(lib, *args)
        messages.append(str(err.value))
        if then_no_grad:
            with lib.no_grad():
                call(lib, *args)
    assert messages[1] == messages[0]


# ---------------------------------------------------------------------- check_parity's leaves
class Leaf:
    """An input: ``arr`` as a tensor of ``dtype`` (None: the case's float dtype)."""

    def __init__(self, arr, dtype=None, grad=True):
        self.arr, self.dtype, self.grad = np.asarray(arr), dtype, grad


def nograd(arr, dtype=None):
    return Leaf(arr, dtype, grad=False)


def rng(seed):
    return np.random.default_rng(seed)


def normal(*shape, seed=0):
    return np.asarray(rng(seed).standard_normal(shape))


def positive(*shape, seed=0):
    return np.asarray(rng(seed).uniform(0.5, 2.0, shape))


def unit(*shape, seed=0):
    """Inside (-1, 1), away from the ends (asin, atanh)."""
    return np.asarray(rng(seed).uniform(-0.8, 0.8, shape))


def away_from_zero(*shape, seed=0):
    x = rng(seed).uniform(0.3, 2.0, shape)
    return np.asarray(x * np.where(rng(seed + 1).random(shape) < 0.5, -1, 1))


def make_leaf(lib, spec, dtype):
    if isinstance(spec, np.ndarray):
        spec = Leaf(spec, grad=spec.dtype.kind == "f")
    if not isinstance(spec, Leaf):
        return spec  # a number, None, a dtype ...
    arr = spec.arr
    dt = spec.dtype or (dtype if arr.dtype.kind == "f" else str(arr.dtype))
    t = lib.tensor(arr.copy(), dtype=getattr(lib, dt))
    if spec.grad:
        t.requires_grad_()
    return t


# ---------------------------------------------------------------------- the graph, as data
def saved_values(fn):
    out = {}
    for attr in dir(fn):
        if attr.startswith("_saved_"):
            try:
                out[attr[len("_saved_"):]] = getattr(fn, attr)
            except Exception as err:  # the failure itself is compared
                out[attr[len("_saved_"):]] = ("error", type(err).__name__, str(err))
    return out


def plain(value, lib):
    """A saved value as comparable data (tensors by dtype, shape, values, producer)."""
    if isinstance(value, lib.Tensor):
        fn = value.grad_fn
        return ("tensor", str(value.dtype).replace("torch.", ""), tuple(value.shape),
                value.detach().numpy().astype(np.float64),
                None if fn is None else type(fn).__name__)
    if isinstance(value, tuple | list):
        return tuple(plain(v, lib) for v in value)
    return value


def graph_data(fn, lib):
    """The backward graph below ``fn``: (class name, name(), saved values, children)."""
    if fn is None:
        return None
    name = type(fn).__name__
    if name == "AccumulateGrad":
        return (name,)
    saved = {k: plain(v, lib) for k, v in sorted(saved_values(fn).items())}
    children = tuple((graph_data(f, lib), n) for f, n in fn.next_functions)
    return (name, fn.name(), saved, children)


def assert_same_data(theirs, ours, rtol, atol, path="graph"):
    if isinstance(theirs, tuple) and theirs and theirs[0] == "tensor":
        assert isinstance(ours, tuple) and ours[:1] == ("tensor",), (path, theirs, ours)
        assert ours[1:3] == theirs[1:3] and ours[4] == theirs[4], (path, theirs, ours)
        np.testing.assert_allclose(ours[3], theirs[3], rtol=rtol, atol=atol, equal_nan=True,
                                   err_msg=path)
    elif isinstance(theirs, dict):
        assert isinstance(ours, dict) and sorted(ours) == sorted(theirs), (path, theirs, ours)
        for k in theirs:
            assert_same_data(theirs[k], ours[k], rtol, atol, f"{path}._saved_{k}")
    elif isinstance(theirs, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(theirs), (path, theirs, ours)
        for i, (a, b) in enumerate(zip(theirs, ours, strict=True)):
            assert_same_data(a, b, rtol, atol, f"{path}[{i}]")
    elif isinstance(theirs, float) and np.isnan(theirs):
        assert isinstance(ours, float) and np.isnan(ours), (path, theirs, ours)
    else:
        assert type(ours) is type(theirs) and ours == theirs, (path, theirs, ours)


# ---------------------------------------------------------------------- check_parity
PARITY_TOLERANCES = {"float32": (1e-5, 1e-6), "float64": (1e-10, 1e-12)}


def _run_program(lib, prog, specs, dtype, seed):
    leaves = [make_leaf(lib, s, dtype) for s in specs]
    out = prog(lib, *leaves)
    info = {
        "graph": graph_data(out.grad_fn, lib),
        "dtype": str(out.dtype), "shape": tuple(out.shape),
        "requires_grad": out.requires_grad,
        "value": out.detach().numpy().astype(np.float64),
    }
    if out.requires_grad:
        g = rng(seed + 1000).standard_normal(tuple(out.shape))
        try:
            out.backward(lib.tensor(g, dtype=out.dtype))
        except Exception as err:  # compared (NotImplemented nodes raise)
            info["backward error"] = (type(err).__name__, str(err))
            return info
        info["grads"] = [
            None if not isinstance(t, lib.Tensor) or t.grad is None
            else (str(t.grad.dtype), t.grad.numpy(force=True).astype(np.float64))
            for t in leaves
        ]
    return info


def check_parity(prog, specs, dtype="float64", seed=0):
    """Run ``prog`` in both libraries and compare graph, output and leaf gradients."""
    rtol, atol = PARITY_TOLERANCES[dtype]
    theirs = _run_program(torch, prog, specs, dtype, seed)
    ours = _run_program(avz, prog, specs, dtype, seed)
    assert_same_data(theirs["graph"], ours["graph"], rtol, atol)
    for key in ("dtype", "shape", "requires_grad"):
        assert ours[key] == theirs[key], key
    np.testing.assert_allclose(ours["value"], theirs["value"], rtol=rtol, atol=atol,
                               equal_nan=True, err_msg="value")
    assert ours.get("backward error") == theirs.get("backward error")
    assert ("grads" in ours) == ("grads" in theirs)
    for i, (a, b) in enumerate(zip(theirs.get("grads", []), ours.get("grads", []),
                                   strict=True)):
        assert (a is None) == (b is None), f"leaf {i}: torch {a}, autogradviz {b}"
        if a is not None:
            assert b[0] == a[0], f"leaf {i} grad dtype"
            np.testing.assert_allclose(b[1], a[1], rtol=rtol, atol=atol, equal_nan=True,
                                       err_msg=f"gradient of leaf {i}")


def outcome(fn):
    """``fn(lib)`` for both libraries: its result, or its exception's type and message."""
    out = []
    for lib in (torch, avz):
        try:
            out.append(("ok", fn(lib)))
        except Exception as err:  # the exception itself is compared
            out.append(("error", type(err).__name__, str(err)))
    return out


# ---------------------------------------------------------------------- gradcheck on values
def float64_leaf(arr):
    return avz.tensor(np.asarray(arr, np.float64), dtype=avz.float64, requires_grad=True)


def check_gradcheck_values(fn, arrays, second_order):
    """gradcheck (and gradgradcheck) of ``fn`` at float64 leaves holding ``arrays``."""
    assert avz.autograd.gradcheck(fn, [float64_leaf(a) for a in arrays])
    if second_order:
        assert avz.autograd.gradgradcheck(fn, [float64_leaf(a) for a in arrays])


def node_names_reached(cases):
    """The class names of the nodes in the graphs of ``fn(*leaves)`` for each gradcheck case
    ``(fn, arrays, second_order)``."""
    seen, visited = set(), set()
    for fn, arrays, _ in cases:
        stack = [fn(*[float64_leaf(a) for a in arrays]).grad_fn]
        while stack:
            f = stack.pop()
            if f is None or f in visited:
                continue
            visited.add(f)  # (holding the node keeps its id from being reused)
            seen.add(type(f).__name__)
            stack.extend(g for g, _ in f.next_functions)
    return seen
