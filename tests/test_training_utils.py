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


# ---------------------------------------------------------------------- nn.utils
def _clip_case(lib, seed, dtype, norm_type, max_norm=None):
    """Parameters of random shapes (sizes with every remainder modulo 8, up to 20 tensors so
    that the norm of the norms has whole vectors too), gradients scaled at random."""
    rng = np.random.default_rng(seed)
    count = int(rng.integers(1, 21))
    params = []
    for _ in range(count):
        shape = tuple(int(v) for v in rng.integers(1, 40, size=rng.integers(0, 3)))
        p = lib.nn.Parameter(lib.tensor(rng.standard_normal(shape).astype(dtype)))
        p.grad = lib.tensor((rng.standard_normal(shape) * rng.uniform(0.01, 5)).astype(dtype))
        params.append(p)
    if max_norm is None:
        max_norm = float(rng.uniform(0.1, 30))
    total = lib.nn.utils.clip_grad_norm_((p for p in params), max_norm, norm_type=norm_type)
    return (total.numpy().copy(), str(total.dtype), total.requires_grad, tuple(total.shape),
            [p.grad.numpy().copy() for p in params])


@pytest.mark.parametrize("norm_type", [2.0, 2, float("inf"), 1.0, "inf"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_clip_grad_norm_bit_identical(dtype, norm_type):
    """The returned norm and every clipped gradient, bit for bit, over 60 random models."""
    for seed in range(60):
        ours = _clip_case(autogradviz, seed, dtype, norm_type)
        theirs = _clip_case(torch, seed, dtype, norm_type)
        assert ours[1:4] == theirs[1:4]
        np.testing.assert_array_equal(ours[0], theirs[0], err_msg=f"seed {seed}")
        for a, b in zip(ours[4], theirs[4], strict=True):
            np.testing.assert_array_equal(a, b, err_msg=f"seed {seed}")


def test_clip_grad_norm_other_orders_close():
    """Orders other than 0, 1, 2 and inf: PyTorch's generic reduction, matched to the last
    bits (its rounding of ``|x| ** p`` is not reproduced exactly)."""
    for seed in range(20):
        ours = _clip_case(autogradviz, seed, "float32", 3.0)
        theirs = _clip_case(torch, seed, "float32", 3.0)
        np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-6)
        for a, b in zip(ours[4], theirs[4], strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("max_norm", [1e9, 0.0, 1])
def test_clip_grad_norm_no_clip_and_zero(max_norm):
    ours = _clip_case(autogradviz, 3, "float32", 2.0, max_norm)
    theirs = _clip_case(torch, 3, "float32", 2.0, max_norm)
    np.testing.assert_array_equal(ours[0], theirs[0])
    for a, b in zip(ours[4], theirs[4], strict=True):
        np.testing.assert_array_equal(a, b)


def test_clip_grad_norm_mixed_dtypes():
    """float32 and float64 gradients: PyTorch takes the norms grouped by dtype, stacks them
    (float64) and scales each gradient by the coefficient in its own dtype."""
    def run(lib):
        rng = np.random.default_rng(3)
        params = []
        for i, dtype in enumerate(["float32", "float64", "float32", "float64", "float32"] * 3):
            p = lib.nn.Parameter(lib.tensor(rng.standard_normal(13 + i).astype(dtype)))
            p.grad = lib.tensor(rng.standard_normal(13 + i).astype(dtype))
            params.append(p)
        total = lib.nn.utils.clip_grad_norm_(params, 2.0)
        return total.numpy().copy(), str(total.dtype), [p.grad.numpy().copy() for p in params]

    ours, theirs = run(autogradviz), run(torch)
    assert ours[1] == theirs[1]
    np.testing.assert_array_equal(ours[0], theirs[0])
    for a, b in zip(ours[2], theirs[2], strict=True):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)


def _clip_programs(lib):
    utils = lib.nn.utils

    def params(*values):
        out = []
        for v in values:
            p = lib.nn.Parameter(lib.ones(3))
            p.grad = None if v is None else lib.tensor(v)
            out.append(p)
        return out

    def result(total, ps):
        return (total.tolist(), str(total.dtype), [None if p.grad is None else p.grad.tolist()
                                                   for p in ps])

    def nonfinite():
        ps = params([1.0, float("inf"), 2.0])
        utils.clip_grad_norm_(ps, 1.0, error_if_nonfinite=True)

    def nonfinite_allowed():
        ps = params([1.0, float("nan"), 2.0])
        return repr(result(utils.clip_grad_norm_(ps, 1.0), ps))  # nan != nan: compare text

    def no_grads():
        ps = params(None, None)
        return result(utils.clip_grad_norm_(ps, 1.0), ps)

    def one_tensor():
        p = params([3.0, 4.0, 12.0])[0]
        return result(utils.clip_grad_norm_(p, 6.5), [p])

    def some_without_grad():
        ps = params([3.0, 4.0, 0.0], None, [1.0, -2.0, 0.5])
        return result(utils.clip_grad_norm_(ps, max_norm=2, norm_type=1), ps)

    def empty_generator():
        return utils.clip_grad_norm_((p for p in []), 1.0).tolist()

    def deprecated():
        ps = params([3.0, 4.0, 0.0])
        return result(utils.clip_grad_norm(ps, 1.0), ps)

    def value():
        ps = params([3.0, -4.0, 0.25], None, [-0.5, 10.0, 1.0])
        utils.clip_grad_value_(ps, clip_value=0.75)
        utils.clip_grad_value_(ps[0], 0.5)
        return [None if p.grad is None else p.grad.tolist() for p in ps]

    def to_vector():
        lib.manual_seed(0)
        model = lib.nn.Sequential(lib.nn.Linear(3, 2), lib.nn.Linear(2, 1))
        vec = utils.parameters_to_vector(model.parameters())
        out = [vec.tolist(), tuple(vec.shape), vec.requires_grad, type(vec.grad_fn).__name__]
        utils.vector_to_parameters(lib.arange(11.0), model.parameters())
        out.append([(p.tolist(), p.requires_grad, type(p).__name__)
                    for p in model.parameters()])
        return out

    def to_parameters_type_error():
        utils.vector_to_parameters([1.0, 2.0], [lib.nn.Parameter(lib.ones(2))])

    return {"nonfinite": nonfinite, "nonfinite_allowed": nonfinite_allowed,
            "no_grads": no_grads, "one_tensor": one_tensor,
            "some_without_grad": some_without_grad, "empty_generator": empty_generator,
            "deprecated": deprecated, "value": value, "to_vector": to_vector,
            "to_parameters_type_error": to_parameters_type_error}


@pytest.mark.parametrize("name", list(_clip_programs(torch)))
def test_nn_utils_programs_as_pytorch(name):
    import warnings

    def run(lib):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                result = ("ok", _clip_programs(lib)[name]())
            except Exception as error:  # the error is the result compared
                result = ("error", type(error).__name__, str(error))
        return result, [(w.category.__name__, str(w.message)) for w in caught]

    assert run(autogradviz) == run(torch)


def test_nn_utils_namespace():
    import autogradviz.nn.utils as utils_module

    assert autogradviz.nn.utils is utils_module
    for name in ("clip_grad_norm_", "clip_grad_norm", "clip_grad_value_",
                 "parameters_to_vector", "vector_to_parameters"):
        assert callable(getattr(autogradviz.nn.utils, name)), name
    assert autogradviz.nn.utils.clip_grad.clip_grad_norm_ is autogradviz.nn.utils.clip_grad_norm_


# ---------------------------------------------------------------------- torch.save / torch.load
class Checkpoint:
    """A user class in a saved object (not allowed by ``weights_only=True``)."""

    def __init__(self, epoch):
        self.epoch = epoch

    def __eq__(self, other):
        return isinstance(other, Checkpoint) and other.epoch == self.epoch


def _described(x):
    """Everything a program can observe of a loaded object, in plain Python."""
    if isinstance(x, torch.Tensor | autogradviz.Tensor):
        kind = "parameter" if isinstance(x, torch.nn.Parameter | autogradviz.nn.Parameter) \
            else "tensor"
        return (kind, str(x.dtype), tuple(x.shape), x.requires_grad, x.is_leaf,
                x.detach().numpy().tolist())
    if isinstance(x, dict):
        return (type(x).__name__, [(k, _described(v)) for k, v in x.items()],
                getattr(x, "_metadata", None))
    if isinstance(x, list | tuple):
        return (type(x).__name__, [_described(v) for v in x])
    if isinstance(x, torch.dtype | autogradviz.dtype):
        return ("dtype", str(x))
    return x


def _checkpoint(lib):
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 2),
                              lib.nn.BatchNorm1d(2))
    opt = lib.optim.Adam(model.parameters(), lr=0.01, amsgrad=True)
    for _ in range(2):
        opt.zero_grad()
        model(lib.ones(5, 3)).pow(2).sum().backward()
        opt.step()
    base = lib.arange(12.0).reshape(3, 4)
    return {
        "epoch": 3,
        "model": model.state_dict(),
        "optimizer": opt.state_dict(),
        "weight": model[0].weight,
        "dtypes": [lib.tensor([1, -2], dtype=d) for d in
                   (lib.float32, lib.float64, lib.float16, lib.int64, lib.int32, lib.int16,
                    lib.int8, lib.uint8, lib.bool)],
        "scalar": lib.tensor(2.5),
        "empty": lib.zeros(0, 3),
        "view": base[:, 1::2],
        "transposed": base.t(),
        "leaf": lib.ones(2, requires_grad=True),
        "dtype": lib.float64,
        "size": lib.Size([2, 3]),
        "plain": [1, 2.5, "text", None, (True, b"bytes"), {"nested": {1, 2}}, 3 + 4j],
    }


def _save_load(save_lib, load_lib, obj, **load_kwargs):
    import io

    buffer = io.BytesIO()
    save_lib.save(obj, buffer)
    buffer.seek(0)
    return load_lib.load(buffer, **load_kwargs)


@pytest.mark.parametrize("loader", ["autogradviz", "torch"])
def test_save_load_round_trip(loader):
    """What autogradviz saves loads back (in autogradviz and in PyTorch) as PyTorch's own
    checkpoint loads in PyTorch: values, dtypes, shapes, requires_grad, parameters, key order
    and ``state_dict``'s ``_metadata``."""
    load_lib = autogradviz if loader == "autogradviz" else torch
    ours = _save_load(autogradviz, load_lib, _checkpoint(autogradviz))
    theirs = _save_load(torch, torch, _checkpoint(torch))
    assert _described(ours) == _described(theirs)


def test_load_pytorchs_file():
    ours = _save_load(torch, autogradviz, _checkpoint(torch), map_location="cpu")
    theirs = _save_load(torch, torch, _checkpoint(torch), map_location="cpu")
    assert _described(ours) == _described(theirs)


@pytest.mark.parametrize("save_lib", ["autogradviz", "torch"])
def test_loaded_tensors_share_storage_as_saved(save_lib):
    """A parameter and its ``state_dict()`` entry are one storage in the file; loaded, writing
    one changes the other (as in PyTorch); the non-contiguous view keeps its layout."""
    lib = autogradviz if save_lib == "autogradviz" else torch
    loaded = _save_load(lib, autogradviz, _checkpoint(lib))
    assert loaded["view"].stride() == (4, 2) and loaded["view"].storage_offset() == 1
    assert loaded["transposed"].stride() == (1, 4)
    with autogradviz.no_grad():
        loaded["weight"].mul_(0)
    assert loaded["model"]["0.weight"].abs().sum().item() == 0


def test_save_to_a_path_and_resume_training(tmp_path):
    """Save model and optimizer mid-training, load into fresh objects, continue: the same
    parameters as the uninterrupted run, bit for bit."""
    lib = autogradviz

    def make():
        lib.manual_seed(0)
        model = lib.nn.Linear(4, 3)
        return model, lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

    def train(model, opt, steps, seed):
        gen = lib.Generator().manual_seed(seed)
        for _ in range(steps):
            opt.zero_grad()
            model(lib.randn(8, 4, generator=gen)).pow(2).mean().backward()
            opt.step()

    model, opt = make()
    train(model, opt, 3, 1)
    path = tmp_path / "checkpoint.pt"
    lib.save({"model": model.state_dict(), "optimizer": opt.state_dict()}, path)
    train(model, opt, 3, 2)
    resumed_model, resumed_opt = make()
    checkpoint = lib.load(str(path), weights_only=True)
    assert repr(resumed_model.load_state_dict(checkpoint["model"])) == \
        "<All keys matched successfully>"
    resumed_opt.load_state_dict(checkpoint["optimizer"])
    train(resumed_model, resumed_opt, 3, 2)
    for a, b in zip(model.parameters(), resumed_model.parameters(), strict=True):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    assert torch.load(path)["model"]["weight"].shape == (3, 4)


def test_weights_only_rejects_other_classes_as_pytorch():
    def attempt(lib):
        with pytest.raises(Exception) as error:
            _save_load(lib, lib, {"meta": Checkpoint(3)})
        return type(error.value).__name__, str(error.value)

    assert attempt(autogradviz) == attempt(torch)
    for lib in (autogradviz, torch):
        assert _save_load(lib, lib, {"meta": Checkpoint(3)}, weights_only=False) == \
            {"meta": Checkpoint(3)}
        with lib.serialization.safe_globals([Checkpoint]):
            assert _save_load(lib, lib, [Checkpoint(4)]) == [Checkpoint(4)]


def test_whole_module_with_weights_only_false():
    lib = autogradviz
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.ReLU())
    loaded = _save_load(lib, lib, model, weights_only=False)
    assert repr(loaded) == repr(model)
    assert isinstance(loaded[0].weight, lib.nn.Parameter)
    assert loaded[0].weight.detach().numpy().tolist() == model[0].weight.detach().numpy().tolist()
    assert lib.save is lib.serialization.save and lib.load is lib.serialization.load


# ---------------------------------------------------------------------- containers and padding
def _module_programs(lib):
    nn = lib.nn

    def containers():
        lib.manual_seed(0)
        heads = nn.ModuleDict({"conv": nn.Conv2d(1, 2, 3), "act": nn.ReLU()})
        heads["lin"] = nn.Linear(2, 2)
        heads.update([("tanh", nn.Tanh())])
        weights = nn.ParameterList([nn.Parameter(lib.ones(2, 3)), lib.zeros(4), 5])
        weights.append(lib.ones(1, dtype=lib.float64))
        table = nn.ParameterDict({"b": lib.ones(2), "a": nn.Parameter(lib.zeros(3))})
        table["c"] = lib.ones(2, 2, requires_grad=False)
        model = nn.Module()
        model.heads, model.weights, model.table = heads, weights, table
        return [repr(model), list(model.state_dict()),
                [(n, p.requires_grad, type(p).__name__) for n, p in model.named_parameters()],
                list(heads), list(heads.keys()), "conv" in heads, len(heads),
                repr(heads.pop("act")), list(heads), repr(weights[1:3]), len(weights),
                repr(weights[-1]), list(table), list(table.keys()), table.get("zz", 7),
                "a" in table, repr(table.pop("a")), list(table), repr(table.copy()),
                repr(table | nn.ParameterDict({"z": lib.ones(1)})),
                table.setdefault("d", lib.zeros(1)).shape, repr(table.popitem()),
                list(reversed(table)), repr(nn.ParameterDict().fromkeys(["x", "y"]))]

    def container_errors():
        out = []
        for make in (lambda: nn.ModuleDict(5), lambda: nn.ModuleDict([("a",)]),
                     lambda: nn.ModuleDict([5]), lambda: nn.ParameterList(lib.ones(2)),
                     lambda: nn.ParameterList([lib.ones(1)])[3],
                     lambda: nn.ParameterList()(1), lambda: nn.ParameterDict()(1),
                     lambda: nn.ParameterDict()[1], lambda: nn.ParameterDict(3),
                     lambda: nn.ParameterDict([("a", lib.ones(1), 2)]),
                     lambda: nn.ModuleDict({"a.b": nn.ReLU()})):
            try:
                make()
                out.append("no error")
            except Exception as error:  # the error is the result compared
                out.append((type(error).__name__, str(error)))
        return out

    def unflatten_and_padding():
        x = lib.arange(24.0).reshape(2, 12).requires_grad_()
        unflatten = nn.Unflatten(1, (2, 3, 2))
        pads = [nn.ZeroPad2d(2), nn.ZeroPad2d((1, 1, 2, 0)), nn.ConstantPad1d(2, 3.5),
                nn.ConstantPad1d((0, 1), -1.0), nn.ConstantPad2d((1, 0, 0, 2), 0.25),
                nn.ConstantPad3d(1, 2.0), nn.ZeroPad1d((2, 1)), nn.ZeroPad3d((1, 0, 0, 1, 1, 0))]
        y = unflatten(x)
        out = [repr(unflatten), repr(y), repr(nn.Unflatten(-1, [3, 4])), repr(pads)]
        for pad in pads:
            z = pad(y)
            z.sum().backward()
            out += [repr(z), type(z.grad_fn).__name__]
        out.append(repr(x.grad))
        model = nn.Sequential(nn.Flatten(), nn.Unflatten(1, (4, 3)), nn.ZeroPad2d(1))
        out += [repr(model), repr(model(lib.ones(2, 12)).shape)]
        return out

    def unflatten_errors():
        out = []
        for make in (lambda: nn.Unflatten(1, 5), lambda: nn.Unflatten(1, (2, "3"))):
            try:
                make()
            except TypeError as error:
                out.append(str(error))
        return out

    return {"containers": containers, "container_errors": container_errors,
            "unflatten_and_padding": unflatten_and_padding,
            "unflatten_errors": unflatten_errors}


@pytest.mark.parametrize("name", list(_module_programs(torch)))
def test_modules_as_pytorch(name):
    assert _module_programs(autogradviz)[name]() == _module_programs(torch)[name]()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", ["Adadelta", "Adamax", "NAdam", "RAdam"])
def test_optimizers_resume_from_a_saved_state_dict(name, dtype, torch_sqrt):
    """Five steps, the state dict through ``save``/``load`` into a new optimizer, five more
    steps: as in PyTorch, bit for bit (``load_state_dict`` casts the state to the parameter's
    dtype, NAdam's ``mu_product`` included)."""
    import io

    def run(lib):
        rng = np.random.default_rng(7)
        w = lib.nn.Parameter(lib.tensor(rng.standard_normal(50).astype(dtype)))
        opt = getattr(lib.optim, name)([w], lr=0.01, weight_decay=0.01)
        for step in range(10):
            if step == 5:
                buffer = io.BytesIO()
                lib.save(opt.state_dict(), buffer)
                buffer.seek(0)
                opt = getattr(lib.optim, name)([w], lr=0.5)
                opt.load_state_dict(lib.load(buffer))
            w.grad = lib.tensor(rng.standard_normal(50).astype(dtype))
            opt.step()
        return w.detach().numpy().copy(), {k: (str(v.dtype), v.numpy().copy())
                                           for k, v in opt.state[w].items()}

    ours, theirs = run(autogradviz), run(torch)
    np.testing.assert_array_equal(ours[0], theirs[0])
    assert list(ours[1]) == list(theirs[1])
    for key in ours[1]:
        assert ours[1][key][0] == theirs[1][key][0]
        np.testing.assert_array_equal(ours[1][key][1], theirs[1][key][1])
