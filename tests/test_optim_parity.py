"""Every optimizer against PyTorch's, step by step.

Both libraries start from the same parameters and are given the same gradients (seeded NumPy
arrays, set as ``.grad`` before each ``step``), so the comparison sees the optimizer's arithmetic
alone. PyTorch's CPU ``sqrt`` is MKL's vector kernel, which is not correctly rounded (NumPy's
is); with that one function swapped for PyTorch's (``optimizer.sqrt``, monkeypatched), parameters
and every state tensor must match bit for bit, float32 and float64, which pins down PyTorch's
order of operations and fused roundings. Unpatched, they must match to the last bits.
"""

import os

os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")

import numpy as np
import pytest
import torch

import autogradviz
from autogradviz.optim import adagrad, adam, rmsprop

CONFIGS = {
    "SGD": {"lr": 0.1},
    "SGD-momentum": {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01},
    "Adam": {"lr": 0.1},
    "Adam-amsgrad": {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1, "maximize": True},
    "AdamW": {"lr": 0.01},
    "AdamW-amsgrad": {"lr": 0.01, "amsgrad": True, "weight_decay": 0.5, "betas": (0.8, 0.9)},
    "RMSprop": {},
    "RMSprop-tutorial": {"lr": 1e-3},
    "RMSprop-centered": {"lr": 0.01, "centered": True},
    "RMSprop-momentum": {"lr": 0.01, "momentum": 0.9},
    "RMSprop-all": {"lr": 0.01, "momentum": 0.5, "centered": True, "weight_decay": 0.1,
                    "alpha": 0.9, "eps": 1e-6},
    "RMSprop-maximize": {"lr": 0.01, "maximize": True},
    "Adagrad": {"lr": 0.1},
    "Adagrad-all": {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.1,
                    "initial_accumulator_value": 0.5, "eps": 1e-6},
    "Adagrad-maximize": {"maximize": True},
}
DTYPES = ["float32", "float64"]


def _torch_sqrt(arr):
    return torch.from_numpy(np.ascontiguousarray(arr)).sqrt().numpy()


@pytest.fixture
def torch_sqrt(monkeypatch):
    for module in (adam, rmsprop, adagrad):
        monkeypatch.setattr(module, "sqrt", _torch_sqrt)


def _train(lib, config, dtype, steps=20, n=500):
    """Two parameter groups (the second with its own lr), one parameter that never gets a
    gradient; the same gradients on both libraries."""
    name = config.split("-")[0]
    rng = np.random.default_rng(0)
    w = lib.nn.Parameter(lib.tensor(rng.standard_normal(n).astype(dtype)))
    v = lib.nn.Parameter(lib.tensor(rng.standard_normal((3, 4)).astype(dtype)))
    idle = lib.nn.Parameter(lib.tensor(rng.standard_normal(2).astype(dtype)))
    opt = getattr(lib.optim, name)([{"params": [w, idle]}, {"params": [v], "lr": 0.003}],
                                   **CONFIGS[config])
    for _ in range(steps):
        w.grad = lib.tensor(rng.standard_normal(n).astype(dtype))
        v.grad = lib.tensor(rng.standard_normal((3, 4)).astype(dtype))
        opt.step()
    params = [p.detach().numpy().copy() for p in (w, v, idle)]
    states = [{k: (s.numpy().copy(), str(s.dtype)) for k, s in opt.state[p].items()}
              for p in (w, v, idle)]
    return params, states, repr(opt)


def _compare(config, dtype, same):
    theirs, ours = _train(torch, config, dtype), _train(autogradviz, config, dtype)
    assert ours[2] == theirs[2]
    for a, b in zip(ours[0], theirs[0], strict=True):
        assert a.dtype == b.dtype
        same(a, b)
    for sa, sb in zip(ours[1], theirs[1], strict=True):
        assert list(sa) == list(sb)
        for key in sa:
            assert sa[key][1] == sb[key][1], key
            same(sa[key][0], sb[key][0])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("config", list(CONFIGS))
def test_bit_identical_given_pytorchs_sqrt(config, dtype, torch_sqrt):
    _compare(config, dtype, np.testing.assert_array_equal)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("config", list(CONFIGS))
def test_close_with_numpys_sqrt(config, dtype):
    """Last-bit differences of ``sqrt`` carried through 20 steps: relative 1e-4 (float32),
    1e-11 (float64), measured against each tensor's largest value."""
    rtol = {"float32": 1e-4, "float64": 1e-11}[dtype]

    def same(a, b):
        scale = max(float(np.abs(b).max()), 1e-30) if b.size else 1.0
        np.testing.assert_allclose(a, b, rtol=0, atol=rtol * scale)

    _compare(config, dtype, same)


def _programs(lib):
    p = [lib.nn.Parameter(lib.ones(2))]
    return {
        "rmsprop-lr": lambda: lib.optim.RMSprop(p, lr=-1),
        "rmsprop-eps": lambda: lib.optim.RMSprop(p, eps=-1),
        "rmsprop-momentum": lambda: lib.optim.RMSprop(p, momentum=-0.5),
        "rmsprop-wd": lambda: lib.optim.RMSprop(p, weight_decay=-1),
        "rmsprop-alpha": lambda: lib.optim.RMSprop(p, alpha=-1),
        "adagrad-lr": lambda: lib.optim.Adagrad(p, lr=-1),
        "adagrad-decay": lambda: lib.optim.Adagrad(p, lr_decay=-1),
        "adagrad-wd": lambda: lib.optim.Adagrad(p, weight_decay=-1),
        "adagrad-acc": lambda: lib.optim.Adagrad(p, initial_accumulator_value=-1),
        "adagrad-eps": lambda: lib.optim.Adagrad(p, eps=-1),
        "adamw-betas": lambda: lib.optim.AdamW(p, betas=(0.9, 1.0)),
        "adamw-empty": lambda: lib.optim.AdamW([]),
    }


@pytest.mark.parametrize("name", list(_programs(torch)))
def test_invalid_arguments_raise_as_pytorch(name):
    with pytest.raises(Exception) as theirs:
        _programs(torch)[name]()
    with pytest.raises(Exception) as ours:
        _programs(autogradviz)[name]()
    assert (type(ours.value), str(ours.value)) == (type(theirs.value), str(theirs.value))


def _state_dicts(lib):
    lib.manual_seed(0)
    model = lib.nn.Linear(3, 2)
    out = []
    for make in (lambda p: lib.optim.Adagrad(p, initial_accumulator_value=0.25),
                 lambda p: lib.optim.RMSprop(p, momentum=0.9, centered=True),
                 lambda p: lib.optim.AdamW(p, amsgrad=True)):
        opt = make(model.parameters())
        before = opt.state_dict()
        model(lib.ones(4, 3)).sum().backward()
        opt.step()
        after = opt.state_dict()
        out.append((before, after, isinstance(opt, lib.optim.Optimizer),
                    isinstance(opt, lib.optim.Adam)))
    return out


def _plain(x):
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return type(x)(_plain(v) for v in x)
    if isinstance(x, torch.Tensor | autogradviz.Tensor):
        return ("tensor", str(x.dtype), tuple(x.shape), x.detach().numpy().tolist())
    return x


def test_state_dicts_as_pytorch():
    """Adagrad's state exists from construction (PyTorch makes it in ``__init__``); RMSprop's
    and AdamW's from the first step. Values match to float32 rounding (one matrix product)."""
    theirs, ours = _plain(_state_dicts(torch)), _plain(_state_dicts(autogradviz))
    assert repr(ours).count("tensor") == repr(theirs).count("tensor")
    flat_t, flat_o = [], []

    def walk(x, into):
        if isinstance(x, dict):
            for k in x:
                into.append(("key", k))
                walk(x[k], into)
        elif isinstance(x, list | tuple) and x and x[0] == "tensor":
            into.append(x[:3])
            into.append(("values", np.asarray(x[3], dtype=float)))
        elif isinstance(x, list | tuple):
            for v in x:
                walk(v, into)
        else:
            into.append(x)

    walk(theirs, flat_t)
    walk(ours, flat_o)
    assert len(flat_o) == len(flat_t)
    for a, b in zip(flat_o, flat_t, strict=True):
        if isinstance(b, tuple) and b and b[0] == "values":
            np.testing.assert_allclose(a[1], b[1], rtol=1e-5, atol=1e-7)
        else:
            assert a == b
