"""``autograd.Variable`` (the pre-0.4 wrapper old tutorials use) against real PyTorch: what
calling it returns, ``isinstance``, its repr, its warning and its errors."""

import warnings

import pytest
import torch

import autogradviz


def _program(lib):
    from_lib = lib.autograd.Variable
    a = lib.tensor([1.0, -2.0], requires_grad=True)
    b = a * 2
    records = []
    for make in (lambda: from_lib(b), lambda: from_lib(b, requires_grad=True),
                 lambda: from_lib(lib.tensor([3.0]), volatile=True), lambda: from_lib(),
                 lambda: from_lib([1, 2]),
                 lambda: from_lib(lib.tensor([1, 2]), requires_grad=True)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                v = make()
                records.append((repr(v), type(v).__name__, v.requires_grad, v.is_leaf,
                                v.grad_fn is None))
            except Exception as e:
                records.append((type(e).__name__, str(e)))
        records.append([str(w.message) for w in caught])
    shares = from_lib(b).data_ptr() == b.data_ptr()
    return [records, shares, isinstance(lib.zeros(1), from_lib), isinstance(1.0, from_lib),
            repr(from_lib)]


def test_variable_as_pytorch():
    assert _program(autogradviz) == _program(torch)


def test_variable_gradient_flows_to_it():
    v = autogradviz.autograd.Variable(autogradviz.ones(2), requires_grad=True)
    (v * 3).sum().backward()
    assert v.grad.tolist() == [3.0, 3.0]


@pytest.mark.parametrize("lib", [torch, autogradviz])
def test_variable_is_exported(lib):
    assert "Variable" in dir(lib.autograd)
