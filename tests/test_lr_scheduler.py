"""``optim.lr_scheduler`` against PyTorch's: the learning rates of every step (Python floats,
compared with ``==``), ``get_last_lr()``, ``last_epoch``, the optimizer's groups (``initial_lr``,
cycled momentum and betas), ``state_dict()`` and ``load_state_dict()``, the warnings and the
errors.

Each schedule runs the same program on both libraries: an optimizer with two parameter groups
(different lrs), ``optimizer.step()`` then ``scheduler.step()`` for many steps; the record is
everything a program could print.
"""

import warnings

import pytest
import torch

import autogradviz


def _is_function(value):
    return callable(value) and not isinstance(value, type)


def _comparable(value):
    """A state dict (or any value in it) with callables and tensors made comparable."""
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_comparable(v) for v in value)
    if isinstance(value, torch.Tensor | autogradviz.Tensor):
        return ("tensor", value.tolist())
    if _is_function(value):
        return "callable"
    return value


def _groups(opt):
    return [{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups]


SCHEDULES = {
    "StepLR": (lambda s, o: s.StepLR(o, step_size=3, gamma=0.7), 40),
    "StepLR-default": (lambda s, o: s.StepLR(o, 5), 30),
    "MultiStepLR": (lambda s, o: s.MultiStepLR(o, milestones=[3, 7, 7, 20], gamma=0.3), 30),
    "ExponentialLR": (lambda s, o: s.ExponentialLR(o, gamma=0.93), 100),
    "CosineAnnealingLR": (lambda s, o: s.CosineAnnealingLR(o, T_max=10), 45),
    "CosineAnnealingLR-eta": (lambda s, o: s.CosineAnnealingLR(o, T_max=7, eta_min=0.001), 40),
    "LambdaLR": (lambda s, o: s.LambdaLR(o, lambda epoch: 0.95**epoch), 30),
    "LambdaLR-list": (lambda s, o: s.LambdaLR(o, [lambda e: 1 / (e + 1), lambda e: 0.9**e]),
                      25),
    "MultiplicativeLR": (lambda s, o: s.MultiplicativeLR(o, lambda epoch: 0.95), 40),
    "LinearLR": (lambda s, o: s.LinearLR(o, start_factor=0.1, total_iters=12), 20),
    "LinearLR-default": (lambda s, o: s.LinearLR(o), 10),
    "LinearLR-down": (lambda s, o: s.LinearLR(o, start_factor=1.0, end_factor=0.2,
                                              total_iters=9), 15),
    "ConstantLR": (lambda s, o: s.ConstantLR(o, factor=0.5, total_iters=4), 10),
    "ConstantLR-default": (lambda s, o: s.ConstantLR(o), 10),
    "PolynomialLR": (lambda s, o: s.PolynomialLR(o, total_iters=8, power=2.0), 12),
    "OneCycleLR": (lambda s, o: s.OneCycleLR(o, max_lr=0.1, total_steps=50), 50),
    "OneCycleLR-linear": (lambda s, o: s.OneCycleLR(o, max_lr=[0.1, 0.2], epochs=4,
                                                    steps_per_epoch=10,
                                                    anneal_strategy="linear"), 40),
    "OneCycleLR-three": (lambda s, o: s.OneCycleLR(o, max_lr=0.05, total_steps=30,
                                                   three_phase=True, pct_start=0.25), 30),
    "CosineAnnealingWarmRestarts": (lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=5),
                                    40),
    "CosineAnnealingWarmRestarts-mult": (
        lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=1e-4), 50),
    "CyclicLR": (lambda s, o: s.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=4), 30),
    "CyclicLR-tri2": (lambda s, o: s.CyclicLR(o, 0.001, 0.01, step_size_up=3,
                                              step_size_down=5, mode="triangular2"), 40),
    "CyclicLR-exp": (lambda s, o: s.CyclicLR(o, 0.001, 0.01, step_size_up=3,
                                             mode="exp_range", gamma=0.97), 30),
    "SequentialLR": (lambda s, o: s.SequentialLR(
        o, [s.LinearLR(o, start_factor=0.2, total_iters=4), s.ExponentialLR(o, gamma=0.9)],
        milestones=[5]), 30),
    "SequentialLR-three": (lambda s, o: s.SequentialLR(
        o, [s.ConstantLR(o, factor=0.5, total_iters=2), s.StepLR(o, 3, gamma=0.5),
            s.CosineAnnealingLR(o, T_max=6)], milestones=[4, 12]), 30),
    "ChainedScheduler": (lambda s, o: s.ChainedScheduler(
        [s.ConstantLR(o, factor=0.1, total_iters=2), s.ExponentialLR(o, gamma=0.9)]), 20),
    "ChainedScheduler-opt": (lambda s, o: s.ChainedScheduler(
        [s.LinearLR(o, total_iters=4), s.StepLR(o, 2, gamma=0.8)], optimizer=o), 20),
}
OPTIMIZERS = {
    "SGD": lambda lib, groups: lib.optim.SGD(groups, lr=0.05, momentum=0.9),
    "Adam": lambda lib, groups: lib.optim.Adam(groups, lr=0.01),
}


def _optimizer(lib, name):
    w = lib.nn.Parameter(lib.ones(3))
    b = lib.nn.Parameter(lib.zeros(2))
    return OPTIMIZERS[name](lib, [{"params": [w]}, {"params": [b], "lr": 0.2}]), (w, b)


def _run(lib, name, optimizer_name, epoch_form=False):
    opt, params = _optimizer(lib, optimizer_name)
    make, steps = SCHEDULES[name]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scheduler = make(lib.optim.lr_scheduler, opt)
        record = [("init", scheduler.get_last_lr(), getattr(scheduler, "last_epoch", None),
                   _groups(opt))]
        for step in range(1, steps + 1):
            for p in params:
                p.grad = lib.ones_like(p)
            opt.step()
            if epoch_form:
                scheduler.step(step)
            else:
                scheduler.step()
            record.append((step, scheduler.get_last_lr(), getattr(scheduler, "last_epoch", None),
                           _groups(opt)))
        record.append(("state", _comparable(scheduler.state_dict())))
    record.append(("warnings", [(w.category, str(w.message)) for w in caught]))
    record.append(("params", [p.detach().tolist() for p in params]))
    return record


def _assert_same(ours, theirs):
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs, strict=True):
        assert a == b


@pytest.mark.parametrize("optimizer_name", list(OPTIMIZERS))
@pytest.mark.parametrize("name", list(SCHEDULES))
def test_learning_rates_bit_identical(name, optimizer_name):
    _assert_same(_run(autogradviz, name, optimizer_name), _run(torch, name, optimizer_name))


CLOSED_FORM = ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR-eta", "LinearLR",
               "ConstantLR", "PolynomialLR", "CosineAnnealingWarmRestarts",
               "CosineAnnealingWarmRestarts-mult", "LambdaLR"]


@pytest.mark.parametrize("name", CLOSED_FORM)
def test_step_with_epoch_uses_the_closed_form_and_warns(name):
    """``scheduler.step(epoch)`` (deprecated): the closed form, and the deprecation warning."""
    ours = _run(autogradviz, name, "SGD", epoch_form=True)
    theirs = _run(torch, name, "SGD", epoch_form=True)
    _assert_same(ours, theirs)
    assert any("epoch parameter" in message for _, message in ours[-2][1]) or \
        name.startswith("CosineAnnealingWarmRestarts")


def test_chained_and_closed_forms_round_differently_as_in_pytorch():
    """The chained form accumulates products: after 100 steps ExponentialLR's lr is not
    ``base_lr * gamma ** 100``, in PyTorch as here."""
    ours = _run(autogradviz, "ExponentialLR", "SGD")[100][1][0]
    assert ours == _run(torch, "ExponentialLR", "SGD")[100][1][0]
    assert ours != 0.05 * 0.93**100


def _plateau(lib, mode, threshold_mode, metrics, **kwargs):
    opt, _ = _optimizer(lib, "SGD")
    scheduler = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, mode=mode,
                                                         threshold_mode=threshold_mode,
                                                         **kwargs)
    record = [scheduler.get_last_lr()]
    for metric in metrics:
        opt.step()
        scheduler.step(metric)
        record.append((scheduler.get_last_lr(), scheduler.last_epoch, scheduler.best,
                       scheduler.num_bad_epochs, scheduler.cooldown_counter,
                       _groups(opt)))
    record.append(_comparable(scheduler.state_dict()))
    return record


PLATEAU_METRICS = [1.0, 0.9, 0.95, 0.95, 0.95, 0.89999, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.7,
                   0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7]


@pytest.mark.parametrize("threshold_mode", ["rel", "abs"])
@pytest.mark.parametrize("mode", ["min", "max"])
@pytest.mark.parametrize("kwargs", [{}, {"patience": 2, "factor": 0.5, "cooldown": 2},
                                    {"patience": 0, "min_lr": [0.01, 0.05], "eps": 1e-3}])
def test_reduce_lr_on_plateau(mode, threshold_mode, kwargs):
    metrics = PLATEAU_METRICS if mode == "min" else [-m for m in PLATEAU_METRICS]
    ours = _plateau(autogradviz, mode, threshold_mode, metrics, **kwargs)
    theirs = _plateau(torch, mode, threshold_mode, metrics, **kwargs)
    assert ours == theirs


def test_reduce_lr_on_plateau_takes_a_tensor_metric():
    opt, _ = _optimizer(autogradviz, "SGD")
    scheduler = autogradviz.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0)
    scheduler.step(autogradviz.tensor(1.0))
    scheduler.step(autogradviz.tensor(2.0))
    assert scheduler.get_last_lr() == [0.005000000000000001, 0.020000000000000004]
    assert scheduler.best == 1.0


def _warning_programs(lib):
    def scheduler_first():
        opt, _ = _optimizer(lib, "SGD")
        scheduler = lib.optim.lr_scheduler.StepLR(opt, 2)
        scheduler.step()
        opt.step()
        scheduler.step()

    def overridden():
        opt, _ = _optimizer(lib, "SGD")
        scheduler = lib.optim.lr_scheduler.ExponentialLR(opt, 0.5)
        opt.step = lambda: None
        scheduler.step()

    def get_lr_outside():
        opt, _ = _optimizer(lib, "SGD")
        scheduler = lib.optim.lr_scheduler.ExponentialLR(opt, 0.5)
        return scheduler.get_lr()

    def right_order():
        opt, _ = _optimizer(lib, "SGD")
        scheduler = lib.optim.lr_scheduler.StepLR(opt, 2)
        for _ in range(3):
            opt.step()
            scheduler.step()

    def epoch_argument():
        opt, _ = _optimizer(lib, "SGD")
        scheduler = lib.optim.lr_scheduler.ReduceLROnPlateau(opt)
        scheduler.step(1.0, 3)
        return scheduler.last_epoch

    return {"scheduler_first": scheduler_first, "overridden": overridden,
            "get_lr_outside": get_lr_outside, "right_order": right_order,
            "epoch_argument": epoch_argument}


@pytest.mark.parametrize("name", list(_warning_programs(torch)))
def test_warnings_as_pytorch(name):
    def caught(lib):
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            result = _warning_programs(lib)[name]()
        return result, [(w.category, str(w.message)) for w in record]

    ours, theirs = caught(autogradviz), caught(torch)
    assert ours == theirs
    if name != "right_order":
        assert ours[1]


def _error_programs(lib):
    s = lib.optim.lr_scheduler

    def opt():
        return _optimizer(lib, "SGD")[0]

    def adagrad():
        return lib.optim.Adagrad([lib.nn.Parameter(lib.ones(2))])

    return {
        "not-an-optimizer": lambda: s.StepLR([1, 2], 3),
        "resume-without-initial-lr": lambda: s.StepLR(opt(), 3, last_epoch=4),
        "lambdas-count": lambda: s.LambdaLR(opt(), [lambda e: 1.0]),
        "multiplicative-not-callable": lambda: s.MultiplicativeLR(opt(), [1, 2]),
        "constant-factor": lambda: s.ConstantLR(opt(), factor=2),
        "linear-start": lambda: s.LinearLR(opt(), start_factor=0),
        "linear-end": lambda: s.LinearLR(opt(), end_factor=1.5),
        "plateau-factor": lambda: s.ReduceLROnPlateau(opt(), factor=1.0),
        "plateau-mode": lambda: s.ReduceLROnPlateau(opt(), mode="lowest"),
        "plateau-threshold-mode": lambda: s.ReduceLROnPlateau(opt(), threshold_mode="x"),
        "plateau-min-lrs": lambda: s.ReduceLROnPlateau(opt(), min_lr=[0.1]),
        "warm-restarts-t0": lambda: s.CosineAnnealingWarmRestarts(opt(), T_0=0),
        "warm-restarts-tmult": lambda: s.CosineAnnealingWarmRestarts(opt(), 2, T_mult=0),
        "warm-restarts-eta": lambda: s.CosineAnnealingWarmRestarts(opt(), 2, eta_min="0"),
        "one-cycle-steps": lambda: s.OneCycleLR(opt(), 0.1),
        "one-cycle-total": lambda: s.OneCycleLR(opt(), 0.1, total_steps=0),
        "one-cycle-epochs": lambda: s.OneCycleLR(opt(), 0.1, epochs=0, steps_per_epoch=2),
        "one-cycle-pct": lambda: s.OneCycleLR(opt(), 0.1, total_steps=5, pct_start=1),
        "one-cycle-anneal": lambda: s.OneCycleLR(opt(), 0.1, total_steps=5,
                                                 anneal_strategy="x"),
        "one-cycle-max-lr": lambda: s.OneCycleLR(opt(), [0.1], total_steps=5),
        "one-cycle-momentum": lambda: s.OneCycleLR(adagrad(), 0.1, total_steps=5),
        "one-cycle-too-many": lambda: [sch.step() for sch in
                                       [s.OneCycleLR(opt(), 0.1, total_steps=2)] * 3],
        "sequential-empty": lambda: s.SequentialLR(opt(), [], []),
        "sequential-milestones": lambda: s.SequentialLR(
            o := opt(), [s.StepLR(o, 2), s.StepLR(o, 3)], milestones=[]),
        "sequential-plateau": lambda: s.SequentialLR(
            o := opt(), [s.StepLR(o, 2), s.ReduceLROnPlateau(o)], milestones=[3]),
        "chained-empty": lambda: s.ChainedScheduler([]),
        "cyclic-mode": lambda: s.CyclicLR(opt(), 0.1, 1.0, mode="x"),
    }


@pytest.mark.parametrize("name", list(_error_programs(torch)))
def test_errors_as_pytorch(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as theirs:
            _error_programs(torch)[name]()
        with pytest.raises(Exception) as ours:
            _error_programs(autogradviz)[name]()
    assert (type(ours.value).__name__, str(ours.value)) == \
        (type(theirs.value).__name__, str(theirs.value))


@pytest.mark.parametrize("name", ["StepLR", "CosineAnnealingLR", "OneCycleLR", "LambdaLR",
                                  "SequentialLR", "ChainedScheduler", "CyclicLR",
                                  "CosineAnnealingWarmRestarts-mult"])
def test_state_dict_round_trip_resumes_the_schedule(name):
    """A scheduler loaded from another's state dict continues the same sequence."""
    make, steps = SCHEDULES[name]
    lib = autogradviz
    opt, _ = _optimizer(lib, "SGD")
    first = make(lib.optim.lr_scheduler, opt)
    for _ in range(steps // 2):
        opt.step()
        first.step()
    saved_opt, saved = opt.state_dict(), first.state_dict()
    expected = []
    for _ in range(steps - steps // 2):
        opt.step()
        first.step()
        expected.append(first.get_last_lr())
    opt2, _ = _optimizer(lib, "SGD")
    second = make(lib.optim.lr_scheduler, opt2)
    opt2.load_state_dict(saved_opt)
    second.load_state_dict(saved)
    resumed = []
    for _ in range(steps - steps // 2):
        opt2.step()
        second.step()
        resumed.append(second.get_last_lr())
    assert resumed == expected


def test_resume_with_last_epoch():
    """``last_epoch`` given: ``initial_lr`` must be in the groups (as after loading an
    optimizer's state dict), and the schedule continues from there."""
    def run(lib):
        opt, _ = _optimizer(lib, "SGD")
        for group in opt.param_groups:
            group["initial_lr"] = group["lr"]
        scheduler = lib.optim.lr_scheduler.StepLR(opt, 2, gamma=0.5, last_epoch=5)
        out = [scheduler.get_last_lr(), scheduler.last_epoch]
        for _ in range(4):
            opt.step()
            scheduler.step()
            out.append(scheduler.get_last_lr())
        return out

    assert run(autogradviz) == run(torch)


def test_names_and_base_class():
    s = autogradviz.optim.lr_scheduler
    for name in ("StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LambdaLR",
                 "MultiplicativeLR", "LinearLR", "ConstantLR", "ReduceLROnPlateau",
                 "OneCycleLR", "CosineAnnealingWarmRestarts", "SequentialLR",
                 "ChainedScheduler", "PolynomialLR", "CyclicLR", "LRScheduler"):
        assert issubclass(getattr(s, name), s.LRScheduler), name
    assert issubclass(s._LRScheduler, s.LRScheduler)
    assert s.EPOCH_DEPRECATION_WARNING == torch.optim.lr_scheduler.EPOCH_DEPRECATION_WARNING
