"""The optimizer base class and the fused arithmetic PyTorch's update kernels use.

PyTorch's CPU kernels fuse some steps into one rounding (``add(other, alpha=a)`` is
``fma(other, a, self)``, ``lerp_`` and ``addcmul_`` are fmas too); the helpers below reproduce
that in NumPy so that parameters after each step match PyTorch's bit for bit (float32 and
float64). Updates write into the tensors' storage in place and bump their versions, as
PyTorch's in-place operations do.
"""

from __future__ import annotations

import warnings
from collections import defaultdict

import numpy as np

from .. import dtypes as _dt
from .._fma import _fma32, _fma64
from .._tensor import Tensor, _wrap
from ..autograd.grad_mode import enable_grad, no_grad
from ..nn.module import zero_grads

__all__ = ["Optimizer", "required"]


class _RequiredParameter:
    """Marks a hyperparameter a parameter group must give."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


# ---------------------------------------------------------------------- kernels
def check_adam_hyperparameters(lr, eps, betas, weight_decay):
    """The Adam family's argument checks (Adam, AdamW, Adamax, NAdam, RAdam), with PyTorch's
    messages in PyTorch's order."""
    if not lr >= 0.0:
        raise ValueError(f"Invalid learning rate: {lr}")
    if not eps >= 0.0:
        raise ValueError(f"Invalid epsilon value: {eps}")
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
    if not weight_decay >= 0.0:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")


def _scalar(value, arr):
    """A Python number as the array's dtype (PyTorch casts a Scalar to the kernel's type)."""
    return arr.dtype.type(value)


def fma(a, b, c):
    """``a * b + c`` rounded once, in the dtype of the arrays."""
    if np.result_type(a, c) == np.float64:
        return _fma64(a, b, c)
    return _fma32(a, b, c)


def add_scaled(t, other, alpha):
    """``t + alpha * other`` as PyTorch's add kernel computes it: ``fma(other, alpha, t)``."""
    return fma(other, _scalar(alpha, t), t)


def lerp(start, end, weight):
    """``lerp(start, end, weight)`` with a scalar weight (PyTorch's vectorised formula)."""
    w = _scalar(weight, start)
    if abs(w) < 0.5:
        return fma(np.full_like(start, w), end - start, start)
    return fma(np.full_like(start, w - 1), end - start, end)


def addcmul(t, t1, t2, value):
    """``t + value * t1 * t2``: ``fma(value * t1, t2, t)``."""
    return fma(_scalar(value, t) * t1, t2, t)


def addcdiv(t, t1, t2, value):
    """``t + value * t1 / t2``: ``(value * t1) / t2`` added to ``t`` (no fusion possible)."""
    return t + (_scalar(value, t) * t1) / t2


def sqrt(arr):
    """``t.sqrt()``. NumPy's is correctly rounded; PyTorch's CPU kernel is MKL's vector sqrt,
    which is not (about 17% of float32 and 1% of float64 results differ in the last bit), the
    one known difference in the optimizers' arithmetic. The parity tests swap this function
    for PyTorch's to check that everything else matches bit for bit."""
    return np.sqrt(arr)


def store(t, arr):
    """Write ``arr`` into ``t`` in place (a new version, as after an in-place operation)."""
    t._data[...] = arr
    t._bump_version()
    return t


# ---------------------------------------------------------------------- the base class
class Optimizer:
    """Holds parameter groups (dicts with ``params`` and hyperparameters) and per-parameter
    ``state``; subclasses implement ``step``."""

    def __init__(self, params, defaults):
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got " + _typename(params))
        self.state = defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state,
                "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)

    def __repr__(self):
        text = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += "\n"
            text += f"Parameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"

    def add_param_group(self, param_group):
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        else:
            param_group["params"] = list(params)
        tensors, names = [], []
        for param in param_group["params"]:
            if isinstance(param, tuple):
                names.append(param[0])
                tensors.append(param[1])
            else:
                tensors.append(param)
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError("all optimizer params should be with/without names. Some param "
                                 "names are missing")
            param_group["param_names"] = names
        for param in param_group["params"]:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + _typename(param))
            if not self.defaults.get("differentiable", None) and not (
                    param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError("parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)
        params = param_group["params"]
        if len(params) != len({id(p) for p in params}):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in "
                          "future, this will cause an error; see "
                          "github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        seen = {id(p) for group in self.param_groups for p in group["params"]}
        if any(id(p) in seen for p in param_group["params"]):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none=True):
        zero_grads((p for group in self.param_groups for p in group["params"]), set_to_none)

    def state_dict(self):
        mappings = {}
        start = 0

        def pack_group(group):
            nonlocal start
            packed = {k: v for k, v in group.items() if k != "params"}
            mappings.update({id(p): i for i, p in enumerate(group["params"], start)
                             if id(p) not in mappings})
            packed["params"] = [mappings[id(p)] for p in group["params"]]
            start += len(packed["params"])
            return packed

        param_groups = [pack_group(g) for g in self.param_groups]
        packed_state = {(mappings[id(k)] if isinstance(k, Tensor) else k): v
                        for k, v in self.state.items()}
        return {"state": packed_state, "param_groups": param_groups}

    def load_state_dict(self, state_dict):
        groups = self.param_groups
        saved_groups = state_dict["param_groups"]
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"])
               for g, s in zip(groups, saved_groups, strict=True)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")
        id_map = {old: p for g, s in zip(groups, saved_groups, strict=True)
                  for old, p in zip(s["params"], g["params"], strict=True)}
        state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = {
                    key: (value.to(param.dtype) if isinstance(value, Tensor) and key != "step"
                          else (value.clone() if isinstance(value, Tensor) else value))
                    for key, value in v.items()
                }
            else:
                state[k] = v
        self.state = state
        self.param_groups = [{**s, "params": g["params"]}
                             for g, s in zip(groups, saved_groups, strict=True)]

    def step(self, closure=None):
        """One update of every parameter that has a gradient (with grad mode off); returns
        the loss ``closure`` computes first (with grad mode on), if one is given."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            self._update()
        return loss

    def _update(self):
        raise NotImplementedError

    def _params_with_grad(self, group):
        """(parameter, its state) for each parameter of ``group`` that has a gradient."""
        for p in group["params"]:
            if p.grad is not None:
                yield p, self.state[p]


def _typename(obj):
    from ..nn.module import _typename as typename

    return typename(obj)


def _step_counter():
    """A new ``state["step"]``: PyTorch keeps the step count in a float32 0-d tensor."""
    return _wrap(np.zeros((), np.float32), _dt.float32)


def _zeros_like(p):
    return _wrap(np.zeros(p._data.shape, p._dtype.np), p._dtype)

