"""Shared checks for the gradient parity tests (test_grad_views/indexing/linalg).

``check_graph(fn, shapes, dtype)`` runs ``fn(lib, *leaves)`` with ``lib`` = torch and with
``lib`` = autogradviz on leaves built from the same NumPy arrays, then compares

- the grad_fn tree: node names, ``next_functions`` (with ``(None, 0)`` edges and input
  numbers), AccumulateGrad nodes and which leaf each one feeds;
- every ``_saved_*`` value: plain data (dims, sizes, indices, flags) exactly, index and mask
  tensors by value, float tensors by shape, dtype and (closely) value;
- the outputs (values, ``output_nr``) and, after ``backward`` from every output with random
  gradients, the ``.grad`` of every leaf (float32: rtol 1e-5; float64: rtol 1e-12).

``check_gradcheck`` runs autogradviz's float64 gradcheck (and gradgradcheck) on the same fn.
"""

import os

os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")

import numpy as np
import torch

import autogradviz as avz

TOLERANCE = {"float32": {"rtol": 1e-5, "atol": 1e-6}, "float64": {"rtol": 1e-12, "atol": 1e-12}}


def arrays(shapes, dtype, seed=0):
    rng = np.random.default_rng(seed)
    return [np.asarray(rng.standard_normal(s), dtype) for s in shapes]


def _leaves(lib, arrs, requires):
    return [lib.from_numpy(a.copy()).requires_grad_(r) for a, r in zip(arrs, requires, strict=True)]


def _outputs(out):
    return list(out) if isinstance(out, tuple | list) else [out]


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
    outs_t, outs_a = _outputs(fn(torch, *leaves_t)), _outputs(fn(avz, *leaves_a))
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

    assert any(o.requires_grad for o in _outputs(f(*leaves))), "no output requires grad"
    assert avz.autograd.gradcheck(f, tuple(leaves))
    if second_order:
        assert avz.autograd.gradgradcheck(f, tuple(leaves))
