"""The training utilities around a model, against PyTorch: the optimizers Adadelta, Adamax,
NAdam and RAdam (trajectories and state, bit for bit), ``nn.utils`` (gradient clipping and the
parameter/vector conversions), ``torch.save``/``torch.load``, and the containers and padding
layers of ``nn``.

Optimizers are compared as in ``test_optim_parity``: the same gradients (seeded NumPy arrays)
on both libraries, and PyTorch's ``sqrt`` swapped in (its CPU kernel is MKL's, not correctly
rounded), so that parameters and every state tensor must match bit for bit.
"""

import os

os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")

import numpy as np
import pytest
import torch

import autogradviz
from autogradviz.optim import adadelta, nadam, radam

OPTIMIZER_CONFIGS = {
    "Adadelta": {},
    "Adadelta-all": {"lr": 0.5, "rho": 0.8, "eps": 1e-5, "weight_decay": 0.1,
                     "maximize": True},
    "Adamax": {},
    "Adamax-all": {"lr": 0.01, "betas": (0.8, 0.99), "weight_decay": 0.1, "maximize": True},
    "NAdam": {},
    "NAdam-all": {"lr": 0.01, "weight_decay": 0.1, "momentum_decay": 0.01, "eps": 1e-6},
    "NAdam-decoupled": {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True,
                        "maximize": True},
    "RAdam": {},
    "RAdam-all": {"lr": 0.01, "weight_decay": 0.1, "betas": (0.8, 0.9)},
    "RAdam-decoupled": {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True,
                        "maximize": True},
}


def _torch_sqrt(arr):
    return torch.from_numpy(np.ascontiguousarray(arr)).sqrt().numpy()


@pytest.fixture
def torch_sqrt(monkeypatch):
    for module in (adadelta, nadam, radam):
        monkeypatch.setattr(module, "sqrt", _torch_sqrt)


def _train(lib, config, dtype, steps=25, n=500):
    """Two parameter groups (the second with its own lr) and a parameter without gradient."""
    name = config.split("-")[0]
    rng = np.random.default_rng(1)
    w = lib.nn.Parameter(lib.tensor(rng.standard_normal(n).astype(dtype)))
    v = lib.nn.Parameter(lib.tensor(rng.standard_normal((3, 4)).astype(dtype)))
    idle = lib.nn.Parameter(lib.tensor(rng.standard_normal(2).astype(dtype)))
    opt = getattr(lib.optim, name)([{"params": [w, idle]}, {"params": [v], "lr": 0.003}],
                                   **OPTIMIZER_CONFIGS[config])
    trajectory = []
    for _ in range(steps):
        w.grad = lib.tensor(rng.standard_normal(n).astype(dtype))
        v.grad = lib.tensor(rng.standard_normal((3, 4)).astype(dtype))
        opt.step()
        trajectory.append(w.detach().numpy().copy())
    params = [p.detach().numpy().copy() for p in (w, v, idle)]
    states = [{k: (s.numpy().copy(), str(s.dtype)) for k, s in opt.state[p].items()}
              for p in (w, v, idle)]
    return trajectory, params, states, repr(opt)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("config", list(OPTIMIZER_CONFIGS))
def test_optimizers_bit_identical_given_pytorchs_sqrt(config, dtype, torch_sqrt):
    ours, theirs = _train(autogradviz, config, dtype), _train(torch, config, dtype)
    assert ours[3] == theirs[3]
    for a, b in zip(ours[0] + ours[1], theirs[0] + theirs[1], strict=True):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    for sa, sb in zip(ours[2], theirs[2], strict=True):
        assert list(sa) == list(sb)
        for key in sa:
            assert sa[key][1] == sb[key][1], key
            np.testing.assert_array_equal(sa[key][0], sb[key][0])


@pytest.mark.parametrize("config", list(OPTIMIZER_CONFIGS))
def test_optimizers_close_with_numpys_sqrt(config):
    ours, theirs = _train(autogradviz, config, "float32"), _train(torch, config, "float32")
    for a, b in zip(ours[1], theirs[1], strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-4 * float(np.abs(b).max()))


def _optimizer_errors(lib):
    p = [lib.nn.Parameter(lib.ones(2))]
    return {
        "adadelta-lr": lambda: lib.optim.Adadelta(p, lr=-1),
        "adadelta-rho": lambda: lib.optim.Adadelta(p, rho=1.5),
        "adadelta-eps": lambda: lib.optim.Adadelta(p, eps=-1),
        "adadelta-wd": lambda: lib.optim.Adadelta(p, weight_decay=-1),
        "adamax-beta0": lambda: lib.optim.Adamax(p, betas=(1.0, 0.9)),
        "adamax-beta1": lambda: lib.optim.Adamax(p, betas=(0.9, -0.1)),
        "adamax-eps": lambda: lib.optim.Adamax(p, eps=-1),
        "nadam-momentum-decay": lambda: lib.optim.NAdam(p, momentum_decay=-1),
        "nadam-wd": lambda: lib.optim.NAdam(p, weight_decay=-1),
        "radam-lr": lambda: lib.optim.RAdam(p, lr=-0.1),
        "radam-beta": lambda: lib.optim.RAdam(p, betas=(0.9, 1.0)),
        "radam-empty": lambda: lib.optim.RAdam([]),
    }


@pytest.mark.parametrize("name", list(_optimizer_errors(torch)))
def test_optimizer_errors_as_pytorch(name):
    with pytest.raises(Exception) as theirs:
        _optimizer_errors(torch)[name]()
    with pytest.raises(Exception) as ours:
        _optimizer_errors(autogradviz)[name]()
    assert (type(ours.value), str(ours.value)) == (type(theirs.value), str(theirs.value))
