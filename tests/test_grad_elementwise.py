"""Autograd parity of the elementwise operations against real PyTorch.

Every case runs one program ``prog(lib, *leaves)`` with ``lib`` = torch and ``lib`` =
autogradviz on leaves built from the same NumPy data, and compares:

- the backward graph: node class names and ``name()``, the ``next_functions`` structure
  (``(None, 0)`` included), and every ``_saved_<name>`` value (plain values exactly; saved tensors
  by dtype, shape, values and their own ``grad_fn`` name);
- the output's dtype, shape, values and ``requires_grad``;
- the gradient of every leaf after ``.backward(g)`` with a random ``g`` (float32: rtol 1e-5,
  float64: rtol 1e-10).

Then ``gradcheck`` (float64, against finite differences) for every operation given a derivative,
and ``gradgradcheck`` (second derivatives through ``create_graph=True``) for most; and the
in-place semantics: history rewritten onto the modified tensor, saved copies of the original,
the error for a saved tensor modified in place, leaves and ``out=``.

The harness (``check_parity``, ``outcome``, the gradcheck helpers) is ``_grad_harness``'s.
"""

import os

os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")

import numpy as np
import pytest
from _grad_harness import (
    DTYPES,
    Leaf,
    away_from_zero,
    check_gradcheck_values,
    check_parity,
    node_names_reached,
    nograd,
    normal,
    outcome,
    positive,
    unit,
)

import autogradviz

# ---------------------------------------------------------------------- binary operations
# (name, prog, the other operand's data maker, grads for (self, other))
BINARY = {
    "add": (lambda m, x, y: x + y, normal),
    "add_alpha": (lambda m, x, y: m.add(x, y, alpha=2.5), normal),
    "sub": (lambda m, x, y: x - y, normal),
    "sub_alpha": (lambda m, x, y: x.sub(y, alpha=3), normal),
    "rsub": (lambda m, x, y: m.rsub(x, y), normal),
    "mul": (lambda m, x, y: x * y, normal),
    "div": (lambda m, x, y: x / y, positive),
    "div_floor": (lambda m, x, y: x.div(y, rounding_mode="floor"), positive),
    "div_trunc": (lambda m, x, y: m.div(x, y, rounding_mode="trunc"), positive),
    "pow": (lambda m, x, y: x.abs() ** y, normal),
    "atan2": (lambda m, x, y: m.atan2(x, y), normal),
    "hypot": (lambda m, x, y: m.hypot(x, y), normal),
    "copysign": (lambda m, x, y: m.copysign(x, y), normal),
    "logaddexp": (lambda m, x, y: m.logaddexp(x, y), normal),
    "maximum": (lambda m, x, y: m.maximum(x, y), normal),
    "minimum": (lambda m, x, y: m.minimum(x, y), normal),
    "fmax": (lambda m, x, y: m.fmax(x, y), normal),
    "fmin": (lambda m, x, y: m.fmin(x, y), normal),
    "fmod": (lambda m, x, y: m.fmod(x, y), positive),
    "remainder": (lambda m, x, y: m.remainder(x, y), positive),
    "lerp": (lambda m, x, y: m.lerp(x, y, 0.3), normal),
    "where": (lambda m, x, y: m.where(x > 0, x, y), normal),
    "clamp_min": (lambda m, x, y: x.clamp_min(y), normal),
    "clamp_max": (lambda m, x, y: m.clamp_max(x, y), normal),
}
SHAPES = {"same": ((2, 3), (2, 3)), "row": ((2, 3), (3,)), "outer": ((2, 1), (1, 3)),
          "scalar": ((), (2, 3))}
GRADS = {"both": (True, True), "self": (True, False), "other": (False, True)}


def binary_cases():
    for name, (prog, other) in BINARY.items():
        for shape_id, (sa, sb) in SHAPES.items():
            for grad_id, (ga, gb) in GRADS.items():
                if shape_id in ("outer", "scalar") and grad_id != "both":
                    continue
                specs = [Leaf(normal(*sa, seed=1), grad=ga), Leaf(other(*sb, seed=2), grad=gb)]
                yield pytest.param(prog, specs, id=f"{name}-{shape_id}-{grad_id}")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("prog", "specs"), list(binary_cases()))
def test_binary(prog, specs, dtype):
    check_parity(prog, specs, dtype)


# ---------------------------------------------------------------------- numbers and mixed operands
X = normal(2, 3, seed=3)
P = positive(2, 3, seed=4)
NUMBER_CASES = {
    "x+2": (lambda m, x: x + 2, [X]),
    "2+x": (lambda m, x: 2 + x, [X]),
    "torch.add(2,x)": (lambda m, x: m.add(2, x), [X]),
    "x+2.5": (lambda m, x: x + 2.5, [X]),
    "x-2": (lambda m, x: x - 2, [X]),
    "2-x": (lambda m, x: 2 - x, [X]),
    "2.5-x": (lambda m, x: 2.5 - x, [X]),
    "torch.sub(2,x)": (lambda m, x: m.sub(2, x), [X]),
    "rsub(x,2,alpha)": (lambda m, x: m.rsub(x, 2, alpha=3), [X]),
    "x*2": (lambda m, x: x * 2, [X]),
    "2*x": (lambda m, x: 2 * x, [X]),
    "x*2.5": (lambda m, x: x * 2.5, [X]),
    "x*True": (lambda m, x: x * True, [X]),
    "torch.mul(2,x)": (lambda m, x: m.mul(2, x), [X]),
    "x/2": (lambda m, x: x / 2, [X]),
    "2/x": (lambda m, x: 2 / x, [P]),
    "x/0.5": (lambda m, x: x / 0.5, [X]),
    "x.div(2,floor)": (lambda m, x: x.div(2, rounding_mode="floor"), [X]),
    "x**2": (lambda m, x: x**2, [X]),
    "x**3": (lambda m, x: x**3, [X]),
    "x**0": (lambda m, x: x**0, [X]),
    "x**1": (lambda m, x: x**1, [X]),
    "x**-1": (lambda m, x: x**-1, [P]),
    "x**2.5": (lambda m, x: x**2.5, [P]),
    "x.pow(0.5)": (lambda m, x: x.pow(0.5), [P]),
    "x.square()": (lambda m, x: x.square(), [X]),
    "2**x": (lambda m, x: 2**x, [X]),
    "2.5**x": (lambda m, x: 2.5**x, [X]),
    "1**x": (lambda m, x: 1**x, [X]),
    "0**x": (lambda m, x: 0**x, [X]),
    "(-2)**x": (lambda m, x: (-2) ** x, [X]),
    "pow(x,int tensor)": (lambda m, x, e: m.pow(x, e), [X, np.array(2)]),
    "pow(0-d base,x)": (lambda m, b, x: m.pow(b, x), [nograd(np.array(2.0)), X]),
    "pow zeros": (lambda m, b, x: b**x, [np.array([0.0, 0.0, 2.0]), np.array([2.0, 0.0, 1.0])]),
    "float_power(x,2)": (lambda m, x: m.float_power(x, 2), [X]),
    "float_power(x,y)": (lambda m, x, y: m.float_power(x, y), [P, X]),
    "float_power(2,x)": (lambda m, x: m.float_power(2, x), [X]),
    "float_power f64": (lambda m, x: m.float_power(x, 3), [Leaf(X, "float64")]),
    "x%0.7": (lambda m, x: x % 0.7, [X]),
    "fmod(x,2)": (lambda m, x: m.fmod(x, 2), [X]),
    "2%x": (lambda m, x: 2 % x, [P]),
    "x//2": (lambda m, x: x // 2, [X]),
    "x//y": (lambda m, x, y: x // y, [X, P]),
    "copysign(x,-2)": (lambda m, x: m.copysign(x, -2), [X]),
    "lerp(x,c,0.3)": (lambda m, x, c: m.lerp(x, c, 0.3), [X, nograd(P)]),
    "lerp w tensor": (lambda m, x, y, w: m.lerp(x, y, w), [X, P, nograd(P * 0.3)]),
    "lerp w grad": (lambda m, x, y, w: m.lerp(x, y, w), [X, P, P * 0.3]),
    "lerp only w": (lambda m, x, y, w: m.lerp(x, y, w), [nograd(X), nograd(P), P * 0.3]),
    "where scalar": (lambda m, x: m.where(x > 0, x, 2.0), [X]),
    "where scalar first": (lambda m, x: m.where(x > 0, 0.5, x), [X]),
    "where broadcast cond": (lambda m, x, y: m.where(y > 0, x, y), [normal(3, seed=5), X]),
    "x.where": (lambda m, x, y: x.where(x > y, y), [X, P]),
    "mixed dtypes": (lambda m, x, y: x * y + y, [Leaf(X, "float32"), Leaf(P, "float64")]),
    "int other": (lambda m, x, i: x * i + i, [X, np.array([1, 2, 3])]),
    "int tensor div": (lambda m, x, i: i / x, [P, np.array([1, 2, 3])]),
    "0-d grads": (lambda m, x, y: x * y, [np.array(1.5), np.array(-2.0)]),
    "0-d times 2.5": (lambda m, x: x * 2.5, [np.array(1.5)]),
    "chain": (lambda m, x, y: ((x * y).exp() - x / y).sin() + (x - 1) ** 2, [X, P]),
    "shared leaf": (lambda m, x: x * x + x, [X]),
    "maximum ties": (lambda m, x, y: m.maximum(x, y),
                     [np.array([1.0, 2.0, 3.0]), np.array([1.0, 5.0, 3.0])]),
    "minimum ties": (lambda m, x, y: m.minimum(x, y),
                     [np.array([1.0, 2.0, 3.0]), np.array([1.0, 5.0, 3.0])]),
    "max(x,y)": (lambda m, x, y: m.max(x, y), [X, P]),
    "fmax nan": (lambda m, x, y: m.fmax(x, y),
                 [np.array([np.nan, 1.0, 2.0]), np.array([1.0, np.nan, 0.0])]),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("prog", "specs"), [pytest.param(p, s, id=k)
                                             for k, (p, s) in NUMBER_CASES.items()])
def test_numbers_and_mixed(prog, specs, dtype):
    check_parity(prog, specs, dtype)


# ---------------------------------------------------------------------- clamp
CLAMP_CASES = {
    "clamp(-0.5,0.5)": (lambda m, x: x.clamp(-0.5, 0.5), [X]),
    "clamp(min)": (lambda m, x: x.clamp(min=-0.5), [X]),
    "clamp(max)": (lambda m, x: m.clamp(x, max=0.5), [X]),
    "clamp ints": (lambda m, x: x.clamp(0, 1), [X]),
    "clip": (lambda m, x: x.clip(-0.5, 0.5), [X]),
    "clamp_min(0.1)": (lambda m, x: x.clamp_min(0.1), [X]),
    "clamp_max(0.1)": (lambda m, x: m.clamp_max(x, 0.1), [X]),
    "clamp tensors": (lambda m, x, lo, hi: x.clamp(lo, hi), [X, nograd(X - 0.5), X + 0.3]),
    "clamp tensors all": (lambda m, x, lo, hi: x.clamp(lo, hi), [X, normal(2, 3, seed=6), P]),
    "clamp crossed": (lambda m, x, lo, hi: x.clamp(lo, hi), [X, P, -P]),
    "clamp tensor min": (lambda m, x, lo: x.clamp(min=lo), [X, normal(3, seed=7)]),
    "clamp tensor max": (lambda m, x, hi: x.clamp(max=hi), [nograd(X), normal(3, seed=7)]),
    "clamp 0-d tensors": (lambda m, x, lo, hi: x.clamp(lo, hi),
                          [X, nograd(np.array(-0.5), "float32"), nograd(np.array(0.5), "float32")]),
    "clamp on bounds": (lambda m, x: x.clamp(-1.0, 1.0), [np.array([-1.0, 0.0, 1.0, 2.0])]),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("prog", "specs"), [pytest.param(p, s, id=k)
                                             for k, (p, s) in CLAMP_CASES.items()])
def test_clamp(prog, specs, dtype):
    check_parity(prog, specs, dtype)


# ---------------------------------------------------------------------- unary functions
UNARY = {
    "abs": (lambda m, x: x.abs(), away_from_zero),
    "abs()": (lambda m, x: abs(x), away_from_zero),
    "absolute": (lambda m, x: m.absolute(x), away_from_zero),
    "neg": (lambda m, x: -x, normal),
    "negative": (lambda m, x: x.negative(), normal),
    "exp": (lambda m, x: x.exp(), normal),
    "exp2": (lambda m, x: m.exp2(x), normal),
    "expm1": (lambda m, x: x.expm1(), normal),
    "log": (lambda m, x: x.log(), positive),
    "log2": (lambda m, x: x.log2(), positive),
    "log10": (lambda m, x: m.log10(x), positive),
    "log1p": (lambda m, x: x.log1p(), positive),
    "sqrt": (lambda m, x: x.sqrt(), positive),
    "rsqrt": (lambda m, x: x.rsqrt(), positive),
    "sin": (lambda m, x: x.sin(), normal),
    "cos": (lambda m, x: m.cos(x), normal),
    "tan": (lambda m, x: x.tan(), unit),
    "asin": (lambda m, x: x.asin(), unit),
    "acos": (lambda m, x: x.acos(), unit),
    "atan": (lambda m, x: x.atan(), normal),
    "arctan": (lambda m, x: m.arctan(x), normal),
    "sinh": (lambda m, x: x.sinh(), normal),
    "cosh": (lambda m, x: x.cosh(), normal),
    "tanh": (lambda m, x: x.tanh(), normal),
    "asinh": (lambda m, x: x.asinh(), normal),
    "acosh": (lambda m, x: (x + 1).acosh(), positive),
    "atanh": (lambda m, x: x.atanh(), unit),
    "sigmoid": (lambda m, x: x.sigmoid(), normal),
    "relu": (lambda m, x: x.relu(), normal),
    "torch.relu": (lambda m, x: m.relu(x), normal),
    "erf": (lambda m, x: x.erf(), normal),
    "erfc": (lambda m, x: m.erfc(x), normal),
    "reciprocal": (lambda m, x: x.reciprocal(), positive),
    "sign": (lambda m, x: x.sign(), normal),
    "sgn": (lambda m, x: x.sgn(), normal),
    "floor": (lambda m, x: x.floor(), normal),
    "ceil": (lambda m, x: x.ceil(), normal),
    "round": (lambda m, x: x.round(), normal),
    "round(decimals)": (lambda m, x: x.round(decimals=1), normal),
    "trunc": (lambda m, x: x.trunc(), normal),
    "fix": (lambda m, x: x.fix(), normal),
    "frac": (lambda m, x: x.frac(), normal),
    "positive": (lambda m, x: (+x) * 2, normal),
    "square": (lambda m, x: m.square(x), normal),
    "nan_to_num": (lambda m, x: x.nan_to_num(), normal),
}


def unary_cases():
    for name, (prog, data) in UNARY.items():
        for shape in ((2, 3), (), (5,)):
            yield pytest.param(prog, [data(*shape, seed=8)], id=f"{name}-{shape}")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("prog", "specs"), list(unary_cases()))
def test_unary(prog, specs, dtype):
    check_parity(prog, specs, dtype)


SPECIAL_CASES = {
    "nan_to_num specials": (lambda m, x: x.nan_to_num(posinf=5.0) * 2,
                            [np.array([np.nan, np.inf, -np.inf, 1.0])]),
    "relu at zero": (lambda m, x: x.relu(), [np.array([-1.0, 0.0, 2.0])]),
    "abs at zero": (lambda m, x: x.abs(), [np.array([-1.0, 0.0, 2.0])]),
    "sqrt at zero": (lambda m, x: x.sqrt(), [np.array([0.0, 4.0])]),
    "log at zero": (lambda m, x: x.log(), [np.array([0.0, 4.0])]),
    "copysign zero": (lambda m, x, y: m.copysign(x, y),
                      [np.array([0.0, -1.0, 2.0]), np.array([-1.0, 1.0, -0.0])]),
    "hypot zeros": (lambda m, x, y: m.hypot(x, y), [np.array([0.0, 3.0]), np.array([0.0, 4.0])]),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("prog", "specs"), [pytest.param(p, s, id=k)
                                             for k, (p, s) in SPECIAL_CASES.items()])
def test_special_values(prog, specs, dtype):
    check_parity(prog, specs, dtype)


# ---------------------------------------------------------------------- in-place forms
def fresh(x):
    """A non-leaf copy of ``x`` (in place on a leaf that requires grad is an error)."""
    return x * 1


INPLACE_CASES = {
    "add_": (lambda m, x, y: fresh(x).add_(y), [X, P]),
    "add_ number": (lambda m, x: fresh(x).add_(2), [X]),
    "add_ alpha": (lambda m, x, y: fresh(x).add_(y, alpha=2), [X, P]),
    "iadd": (lambda m, x, y: fresh(x).__iadd__(y), [X, P]),
    "sub_": (lambda m, x, y: fresh(x).sub_(y), [X, P]),
    "mul_": (lambda m, x, y: fresh(x).mul_(y), [X, P]),
    "mul_ number": (lambda m, x: fresh(x).mul_(2), [X]),
    "imul no-grad other": (lambda m, x, c: fresh(x).__imul__(c), [X, nograd(P)]),
    "mul_ broadcast": (lambda m, x, y: fresh(x).mul_(y), [X, normal(3, seed=9)]),
    "div_": (lambda m, x, y: fresh(x).div_(y), [X, P]),
    "div_ number": (lambda m, x: fresh(x).div_(2), [X]),
    "div_ floor": (lambda m, x, y: fresh(x).div_(y, rounding_mode="floor"), [X, P]),
    "pow_": (lambda m, x: fresh(x).pow_(2), [X]),
    "pow_ tensor": (lambda m, x, y: fresh(x).pow_(y), [P, X]),
    "square_": (lambda m, x: fresh(x).square_(), [X]),
    "exp_": (lambda m, x: fresh(x).exp_(), [X]),
    "log_": (lambda m, x: fresh(x).log_(), [P]),
    "sqrt_": (lambda m, x: fresh(x).sqrt_(), [P]),
    "sin_": (lambda m, x: fresh(x).sin_(), [X]),
    "tanh_": (lambda m, x: fresh(x).tanh_(), [X]),
    "sigmoid_": (lambda m, x: fresh(x).sigmoid_(), [X]),
    "relu_": (lambda m, x: fresh(x).relu_(), [X]),
    "abs_": (lambda m, x: fresh(x).abs_(), [X]),
    "neg_": (lambda m, x: fresh(x).neg_(), [X]),
    "reciprocal_": (lambda m, x: fresh(x).reciprocal_(), [P]),
    "floor_": (lambda m, x: fresh(x).floor_(), [X]),
    "round_": (lambda m, x: fresh(x).round_(), [X]),
    "frac_": (lambda m, x: fresh(x).frac_(), [X]),
    "sign_": (lambda m, x: fresh(x).sign_(), [X]),
    "sgn_": (lambda m, x: fresh(x).sgn_(), [X]),
    "nan_to_num_": (lambda m, x: fresh(x).nan_to_num_(), [X]),
    "clamp_": (lambda m, x: fresh(x).clamp_(-0.5, 0.5), [X]),
    "clamp_ tensors": (lambda m, x, lo, hi: fresh(x).clamp_(lo, hi), [X, nograd(X - 0.5), P]),
    "clamp_min_": (lambda m, x: fresh(x).clamp_min_(0), [X]),
    "clamp_max_ tensor": (lambda m, x, y: fresh(x).clamp_max_(y), [X, P]),
    "lerp_": (lambda m, x, y: fresh(x).lerp_(y, 0.5), [X, P]),
    "atan2_": (lambda m, x, y: fresh(x).atan2_(y), [X, P]),
    "hypot_": (lambda m, x, y: fresh(x).hypot_(y), [X, P]),
    "copysign_": (lambda m, x, y: fresh(x).copysign_(y), [X, P]),
    "fmod_": (lambda m, x: fresh(x).fmod_(0.7), [X]),
    "remainder_": (lambda m, x, y: fresh(x).remainder_(y), [X, P]),
    "floor_divide_": (lambda m, x, y: fresh(x).floor_divide_(y), [X, P]),
    "eq_": (lambda m, x, y: fresh(x).eq_(y), [X, P]),
    "eq_ number": (lambda m, x: fresh(x).eq_(2), [X]),
    "lt_": (lambda m, x, y: fresh(x).lt_(y), [X, P]),
    "ge_ number": (lambda m, x: fresh(x).ge_(0), [X]),
    "zero_": (lambda m, x: fresh(x).zero_() + x, [X]),
    "fill_": (lambda m, x: fresh(x).fill_(2) * x, [X]),
    "fill_ tensor": (lambda m, x, v: fresh(x).fill_(v[0, 0]) * x, [X, P]),
    "copy_": (lambda m, x, y: fresh(x).copy_(y), [X, P]),
    "copy_ no-grad src": (lambda m, x, c: fresh(x).copy_(c), [X, nograd(P)]),
    "copy_ broadcast": (lambda m, x, y: fresh(x).copy_(y), [X, normal(3, seed=9)]),
    "copy_ into plain": (lambda m, x, c: c.clone().copy_(x), [X, nograd(P)]),
    "add_ into plain": (lambda m, x, c: c.clone().add_(x), [X, nograd(P)]),
    "chain": (lambda m, x, y: fresh(x).mul_(y).add_(x).pow_(2).sigmoid_(), [X, P]),
    "no_grad then grad": (lambda m, x: no_grad_then_grad(m, fresh(x)), [X]),
}


def no_grad_then_grad(lib, z):
    with lib.no_grad():
        z.add_(1)  # not recorded: z keeps its history
    return z.mul_(2)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("prog", "specs"), [pytest.param(p, s, id=k)
                                             for k, (p, s) in INPLACE_CASES.items()])
def test_inplace(prog, specs, dtype):
    check_parity(prog, specs, dtype)


def test_inplace_returns_the_tensor_and_rewrites_its_history():
    def prog(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        before = y.grad_fn
        r = y.mul_(3)
        return (r is y, y.grad_fn is before, type(y.grad_fn).__name__,
                y.grad_fn.next_functions[0][0] is before, y._version, y.is_leaf)

    theirs, ours = outcome(prog)
    assert ours == theirs


def test_inplace_saves_a_copy_of_the_original():
    def prog(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 1
        y.sin_()
        saved = y.grad_fn._saved_self
        y.sum().backward()
        return (saved.tolist(), type(saved.grad_fn).__name__, saved is y, x.grad.tolist())

    theirs, ours = outcome(prog)
    assert ours[0] == "ok"
    assert ours[1][1:3] == theirs[1][1:3]
    np.testing.assert_allclose(ours[1][0], theirs[1][0], rtol=1e-6)
    np.testing.assert_allclose(ours[1][3], theirs[1][3], rtol=1e-6)


def stale_saved_input(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = y * y
    y.add_(1)
    z.sum().backward()


def stale_saved_result(lib):
    y = lib.tensor([1.0, 2.0, 3.0], requires_grad=True).exp()
    y.mul_(2)
    y.sum().backward()


def stale_saved_tanh(lib):
    y = lib.tensor([1.0, 2.0, 3.0], requires_grad=True).tanh()
    y.sub_(1)
    y.sum().backward()


def stale_saved_leaf(lib):
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    w = x * x
    with lib.no_grad():
        x.add_(1)
    w.sum().backward()


def stale_sum_output(lib):
    y = lib.tensor([[1.0, 2.0, 3.0]], requires_grad=True).sum(1)
    z = y * y
    with lib.no_grad():
        y.add_(1)
    z.sum().backward()


def stale_float64(lib):
    y = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True) * 1
    z = y.sin()
    y.add_(1)
    z.sum().backward()


def stale_pow_base(lib):
    y = lib.tensor([1.0, 2.0], requires_grad=True) * 1
    z = y**2
    y.add_(1)
    z.sum().backward()


def stale_max(lib):
    y = lib.tensor([1.0, 2.0], requires_grad=True) * 1
    z = y.max()
    y.add_(1)
    z.backward()


def stale_after_inplace(lib):
    y = (lib.tensor([1.0, 2.0], requires_grad=True) * 1).mul_(2)
    z = y * y
    y.add_(1)
    z.sum().backward()


def stale_after_copy(lib):
    y = (lib.tensor([1.0, 2.0], requires_grad=True) * 1).copy_(lib.ones(2))
    z = y * y
    y.add_(1)
    z.sum().backward()


def stale_retain_graph(lib):
    y = lib.tensor([1.0, 2.0], requires_grad=True) * 1
    z = y * y
    z.sum().backward(retain_graph=True)
    y.add_(1)
    z.sum().backward()


def stale_same_tensor_twice(lib):
    y = lib.tensor([1.0, 2.0], requires_grad=True) * 1
    y.mul_(y)
    y.sum().backward()


def stale_result_then_inplace(lib):
    y = (lib.tensor([1.0, 2.0], requires_grad=True) * 1).exp_()
    y.sigmoid_()
    y.sum().backward()


STALE = {f.__name__: f for f in (
    stale_saved_input, stale_saved_result, stale_saved_tanh, stale_saved_leaf, stale_sum_output,
    stale_float64, stale_pow_base, stale_max, stale_after_inplace, stale_after_copy,
    stale_retain_graph, stale_same_tensor_twice, stale_result_then_inplace,
)}


@pytest.mark.parametrize("prog", STALE.values(), ids=STALE.keys())
def test_modified_saved_tensor_error(prog):
    theirs, ours = outcome(prog)
    assert theirs[0] == "error"
    assert ours == theirs


ERRORS = {
    "leaf in place": lambda lib: lib.tensor([1.0, 2.0], requires_grad=True).mul_(2),
    "leaf in place, number first": lambda lib: lib.tensor([1.0], requires_grad=True).add_(1),
    "leaf unary in place": lambda lib: lib.tensor([1.0], requires_grad=True).exp_(),
    "leaf zero_": lambda lib: lib.tensor([1.0], requires_grad=True).zero_(),
    "out= with grad": lambda lib: lib.add(lib.ones(2, requires_grad=True), 1, out=lib.zeros(2)),
    "out= requires grad": lambda lib: lib.mul(lib.ones(2), 2, out=lib.zeros(2,
                                                                         requires_grad=True)),
    "unary out= with grad": lambda lib: lib.exp(lib.ones(2, requires_grad=True),
                                                out=lib.zeros(2)),
    "clamp out= with grad": lambda lib: lib.clamp(lib.ones(2, requires_grad=True), 0, 1,
                                                  out=lib.zeros(2)),
    "floor_divide backward": lambda lib: (lib.ones(2, requires_grad=True) // 2).sum().backward(),
    "floor_divide tensors": lambda lib: (lambda x: (x // x).sum().backward())(
        lib.ones(2, requires_grad=True)),
    "remainder number first": lambda lib: (2 % lib.ones(2, requires_grad=True)).sum().backward(),
}


@pytest.mark.parametrize("prog", ERRORS.values(), ids=ERRORS.keys())
def test_errors(prog):
    theirs, ours = outcome(prog)
    assert theirs[0] == "error"
    assert ours == theirs


def test_inplace_keeps_retain_grad():
    def prog(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 1
        y.retain_grad()
        y.mul_(3)
        y.sum().backward()
        return x.grad.tolist(), y.grad.tolist(), y.retains_grad

    theirs, ours = outcome(prog)
    assert ours == theirs


def test_inplace_on_leaf_allowed_under_no_grad():
    def prog(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        with lib.no_grad():
            x.mul_(2).add_(1)
        y = (x * x).sum()
        y.backward()
        return x.tolist(), x.is_leaf, x.grad_fn, x.requires_grad, x.grad.tolist()

    theirs, ours = outcome(prog)
    assert ours == theirs


def test_no_graph_without_grad():
    def prog(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        with lib.no_grad():
            ys = [x + 1, x * 2, x.exp(), x.clamp(0, 1), x.pow(2), lib.where(x > 1, x, 0.0)]
        plain = lib.tensor([1.0, 2.0])
        zs = [plain * 2, plain.exp(), plain.sin_()]
        return [(y.grad_fn, y.requires_grad) for y in ys + zs]

    theirs, ours = outcome(prog)
    assert ours == theirs


def test_grad_mode_off_in_place_keeps_history():
    def prog(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        with lib.no_grad():
            y.add_(1)
        y.sum().backward()
        return type(y.grad_fn).__name__, y._version, x.grad.tolist(), y.tolist()

    theirs, ours = outcome(prog)
    assert ours == theirs


def test_in_place_on_a_view_of_a_graph_tensor_rewrites_the_base():
    """PyTorch rewrites the base's history with CopySlices (tests/test_grad_inplace_views.py
    has the cases); without a graph to record, it is an ordinary write."""

    def prog(lib):
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        y = x * 1
        y[0].mul_(2)
        names = (y.grad_fn.name(), type(y.grad_fn).__name__)
        y.backward(lib.tensor([[1.0, 10.0], [100.0, 1000.0]]))
        z = x.detach().clone()
        with lib.no_grad():
            z[0].mul_(2)
        return names, x.grad.tolist(), y.tolist(), z.tolist()

    theirs, ours = outcome(prog)
    assert ours == theirs
    assert ours[1][1] == [[2.0, 20.0], [100.0, 1000.0]]


def test_rule_text_is_the_formula():
    from autogradviz.ops import elementwise as ew

    assert ew.MulBackward0.rule_lines() == ["grad_self = grad * other", "grad_other = grad * self"]
    assert ew.ExpBackward0.rule_lines() == ["grad_self = grad * result"]
    x = autogradviz.tensor([1.0, 2.0], requires_grad=True)
    assert (x * 3).grad_fn.rule_lines() == ["grad_self = grad * other", "grad_other = grad * self"]


def test_second_derivative_values_match():
    def prog(lib):
        x = lib.tensor([0.3, -1.2, 2.0], dtype=lib.float64, requires_grad=True)
        y = (x.sin() * x.exp() + x**3 / (1 + x * x) + lib.maximum(x, x.tanh())).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (h,) = lib.autograd.grad(g.sum(), x)
        return g.detach().numpy().tolist(), h.numpy().tolist()

    theirs, ours = outcome(prog)
    np.testing.assert_allclose(ours[1][0], theirs[1][0], rtol=1e-12)
    np.testing.assert_allclose(ours[1][1], theirs[1][1], rtol=1e-12)


# ---------------------------------------------------------------------- gradcheck
A = normal(2, 3, seed=11)
B = normal(2, 3, seed=12)
C = positive(2, 3, seed=13)
U = unit(2, 3, seed=14)
N = away_from_zero(2, 3, seed=15)
R = normal(3, seed=16)
m = autogradviz
# name: (function, inputs, also gradgradcheck)
GRADCHECK = {
    "add": (lambda x, y: m.add(x, y, alpha=2), [A, R], True),
    "add number": (lambda x: x + 2, [A], True),
    "sub": (lambda x, y: x - y, [A, B], True),
    "rsub": (lambda x: 2 - x, [A], True),
    "rsub tensors": (lambda x, y: m.rsub(x, y, alpha=2), [A, B], True),
    "mul": (lambda x, y: x * y, [A, R], True),
    "div": (lambda x, y: x / y, [A, C], True),
    "rdiv": (lambda x: 2 / x, [C], True),
    "div floor": (lambda x, y: x.div(y, rounding_mode="floor"), [A, C], True),
    "div trunc": (lambda x, y: x.div(y, rounding_mode="trunc"), [A, C], True),
    "pow number": (lambda x: x**3, [A], True),
    "pow 0.5": (lambda x: x.pow(0.5), [C], True),
    "pow 0": (lambda x: x**0, [A], True),
    "pow tensors": (lambda x, y: x**y, [C, A], True),
    "rpow": (lambda x: 2.5**x, [A], True),
    "rpow zero base": (lambda x: 0**x, [C], False),  # 0 * log(0) = NaN in both libraries
    "square": (lambda x: x.square(), [A], True),
    "float_power": (lambda x, y: m.float_power(x, y), [C, A], True),
    "float_power number": (lambda x: m.float_power(x, 2), [A], True),
    "atan2": (lambda x, y: m.atan2(x, y), [A, B], True),
    "hypot": (lambda x, y: m.hypot(x, y), [A, B], True),
    "copysign": (lambda x, y: m.copysign(x, y), [N, B], True),
    "copysign number": (lambda x: m.copysign(x, -1.0), [N], True),
    "logaddexp": (lambda x, y: m.logaddexp(x, y), [A, B], True),
    "maximum": (lambda x, y: m.maximum(x, y), [A, B], True),
    "minimum": (lambda x, y: m.minimum(x, y), [A, B], True),
    "fmax": (lambda x, y: m.fmax(x, y), [A, B], True),
    "fmin": (lambda x, y: m.fmin(x, y), [A, B], True),
    "fmod": (lambda x, y: m.fmod(x, y), [A, C], True),
    "fmod number": (lambda x: m.fmod(x, 0.7), [A], True),
    "remainder": (lambda x, y: m.remainder(x, y), [A, C], True),
    "remainder number": (lambda x: x % 0.7, [A], True),
    "lerp": (lambda x, y: m.lerp(x, y, 0.3), [A, B], True),
    "lerp tensor weight": (lambda x, y, w: m.lerp(x, y, w), [A, B, C], True),
    "where": (lambda x, y: m.where(x > 0, x, y), [A, B], True),
    "clamp": (lambda x: x.clamp(-0.5, 0.5), [A], True),
    "clamp tensors": (lambda x, lo, hi: x.clamp(lo, hi), [A, B - 1.5, B + 1.5], True),
    "clamp_min": (lambda x: x.clamp_min(0.1), [A], True),
    "clamp_min tensor": (lambda x, y: x.clamp_min(y), [A, B], True),
    "clamp_max": (lambda x: x.clamp_max(0.1), [A], True),
    "clamp_max tensor": (lambda x, y: x.clamp_max(y), [A, B], True),
    "abs": (lambda x: x.abs(), [N], True),
    "neg": (lambda x: -x, [A], True),
    "exp": (lambda x: x.exp(), [A], True),
    "exp2": (lambda x: x.exp2(), [A], True),
    "expm1": (lambda x: x.expm1(), [A], True),
    "log": (lambda x: x.log(), [C], True),
    "log2": (lambda x: x.log2(), [C], True),
    "log10": (lambda x: x.log10(), [C], True),
    "log1p": (lambda x: x.log1p(), [C], True),
    "sqrt": (lambda x: x.sqrt(), [C], True),
    "rsqrt": (lambda x: x.rsqrt(), [C], True),
    "sin": (lambda x: x.sin(), [A], True),
    "cos": (lambda x: x.cos(), [A], True),
    "tan": (lambda x: x.tan(), [U], True),
    "asin": (lambda x: x.asin(), [U], True),
    "acos": (lambda x: x.acos(), [U], True),
    "atan": (lambda x: x.atan(), [A], True),
    "sinh": (lambda x: x.sinh(), [A], True),
    "cosh": (lambda x: x.cosh(), [A], True),
    "tanh": (lambda x: x.tanh(), [A], True),
    "asinh": (lambda x: x.asinh(), [A], True),
    "acosh": (lambda x: x.acosh(), [C + 1], True),
    "atanh": (lambda x: x.atanh(), [U], True),
    "sigmoid": (lambda x: x.sigmoid(), [A], True),
    "relu": (lambda x: x.relu(), [N], True),
    "erf": (lambda x: x.erf(), [A], True),
    "erfc": (lambda x: x.erfc(), [A], True),
    "reciprocal": (lambda x: x.reciprocal(), [C], True),
    "sign": (lambda x: x.sign(), [N], True),
    "sgn": (lambda x: x.sgn(), [N], True),
    "floor": (lambda x: x.floor(), [A], True),
    "ceil": (lambda x: x.ceil(), [A], True),
    "round": (lambda x: x.round(), [A], True),
    "round decimals": (lambda x: x.round(decimals=1), [A], True),
    "trunc": (lambda x: x.trunc(), [A], True),
    "frac": (lambda x: x.frac(), [A], True),
    "nan_to_num": (lambda x: x.nan_to_num(), [A], True),
    "in place chain": (lambda x, y: (x * 1).mul_(y).sin_().add_(y).pow_(2), [A, B], True),
    "in place result": (lambda x: (x * 1).exp_() * 2, [A], True),
    "in place chain of results": (lambda x: (x * 1).sin_().mul_(2).tanh_(), [A], True),
    "zero_": (lambda x: (x * 1).zero_() + x, [A], True),
    "fill_ tensor": (lambda x, v: (x * 1).fill_(v) * x, [A, np.array(0.7)], True),
    "copy_": (lambda x, y: (x * 1).copy_(y) * x, [A, R], True),
    "eq_": (lambda x, y: (x * 1).eq_(y) + x, [A, B], True),
    "eq_ number": (lambda x: (x * 1).eq_(0) + x, [A], True),
    "ne_": (lambda x, y: (x * 1).ne_(y) + x, [A, B], True),
    "lt_": (lambda x: (x * 1).lt_(0) + x, [A], True),
    "le_": (lambda x, y: (x * 1).le_(y) + x, [A, B], True),
    "gt_": (lambda x: (x * 1).gt_(0) + x, [A], True),
    "ge_": (lambda x, y: (x * 1).ge_(y) + x, [A, B], True),
    "fill_ number": (lambda x: (x * 1).fill_(2) * x, [A], True),
}


@pytest.mark.parametrize(("fn", "inputs", "second"), GRADCHECK.values(), ids=GRADCHECK.keys())
def test_gradcheck(fn, inputs, second):
    check_gradcheck_values(fn, inputs, second)


def test_gradcheck_covers_every_differentiable_elementwise_op():
    """Every backward node this module declares is exercised by a gradcheck above."""
    from autogradviz.autograd.graph import OpNode
    from autogradviz.ops import elementwise as ew

    declared = {v.__name__ for v in vars(ew).values()
                if isinstance(v, type) and issubclass(v, OpNode) and v.__name__ != "NotImplemented"}
    assert declared - node_names_reached(GRADCHECK.values()) == set()
