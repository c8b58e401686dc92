"""Elementwise parity: operators, promotion, in-place forms, math functions and their errors.

Every case runs one expression ``fn(m, *tensors)`` twice, with ``m`` = autogradviz and with
``m`` = torch, on tensors built from the same NumPy arrays, then compares dtype, shape, values
(signed zeros and NaN positions included), ``repr``, the warnings a user would see, the inputs
afterwards (in-place forms), and, when torch raises, the exception's type and message (the
failed call must change nothing).

Tolerances (``rtol``, ``atol``) by operation family and result dtype:

===========  =====================================================  ==========================
family       operations                                             float16 / float32 / float64
===========  =====================================================  ==========================
exact        + - * / // % fmod, comparisons, bitwise and logical    bit-identical
             ops, abs neg sign floor ceil round trunc frac sqrt
             rsqrt reciprocal square relu clamp where maximum
             minimum nan_to_num isnan isinf isfinite, integer pow,
             float pow by 2, 3, 0.5, -0.5, -1, -2, integer results
ulp          exp exp2 log log2 log10 log1p expm1 sin cos tan asin   (1e-3, 1e-5) / (1e-6, 1e-7)
             acos atan atan2 sinh cosh tanh sigmoid erf, float pow  / (1e-12, 1e-14)
             by other exponents, add/sub with a float ``alpha``
             (PyTorch fuses ``a + alpha * b``), lerp
===========  =====================================================  ==========================

The ``ulp`` family cannot match bit for bit: PyTorch evaluates these functions with SLEEF's
vectorised kernels on long tensors and libm on short ones (and fuses ``a + alpha * b`` and lerp
with FMA on long tensors), so its own last bit depends on the tensor's length. autogradviz
evaluates float32 functions in float64 and rounds once, which gives PyTorch's float32 result for
~95-99% of inputs (see ``ops/elementwise.py``). The ``repr`` is compared whenever the values are
identical (an ulp can move the fourth printed decimal).
"""

import os

os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")

import functools
import math
import operator
import warnings

import numpy as np
import pytest
import torch
from _parity import (
    DTYPES,
    FLOATS,
    INTS,
    assert_parity,
    assert_same,
    assert_same_exception,
    parity,
    raised,
)
from _parity import make as make_array

import autogradviz

NUMERIC = INTS + FLOATS
SPECIAL = [np.nan, np.inf, -np.inf, -0.0, 0.0, 1.0, -1.0, 0.5, -2.5, 1e-3, 100.0]
SHAPES = [(), (0,), (7,), (2, 3), (3, 1, 4)]

# The parity harness is _parity's; arrays of floats get NaN, infinities and signed zeros mixed
# in (``special=()``: none).
make = functools.partial(make_array, special=SPECIAL, shuffle=True)


def pairs(dtypes_a, dtypes_b):
    return [(a, b) for a in dtypes_a for b in dtypes_b]


# ---------------------------------------------------------------------- binary operators
OPERATORS = {
    "add": (operator.add, "exact"),
    "sub": (operator.sub, "exact"),
    "mul": (operator.mul, "exact"),
    "truediv": (operator.truediv, "exact"),
    "floordiv": (operator.floordiv, "exact"),
    "mod": (operator.mod, "exact"),
    "pow": (operator.pow, "ulp"),
    "and": (operator.and_, "exact"),
    "or": (operator.or_, "exact"),
    "xor": (operator.xor, "exact"),
    "eq": (operator.eq, "exact"),
    "ne": (operator.ne, "exact"),
    "lt": (operator.lt, "exact"),
    "le": (operator.le, "exact"),
    "gt": (operator.gt, "exact"),
    "ge": (operator.ge, "exact"),
}
DIVISIONS = ("truediv", "floordiv", "mod")


@pytest.mark.parametrize(("da", "db"), pairs(DTYPES, DTYPES))
@pytest.mark.parametrize("name", list(OPERATORS))
def test_operator_dtype_pairs(name, da, db):
    op, tol = OPERATORS[name]
    a = make(da, (2, 3), seed=1)
    b = make(db, (3,), seed=2, nonzero=name in DIVISIONS, positive=name == "pow")
    parity(lambda m, x, y: op(x, y), a, b, tol=tol)


SCALARS = [2, -3, 0, 2.5, -0.5, True, False]


@pytest.mark.parametrize("scalar", SCALARS, ids=repr)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(OPERATORS))
def test_operator_with_python_scalar(name, dtype, scalar):
    op, tol = OPERATORS[name]
    a = make(dtype, (2, 3), seed=3, nonzero=True)
    parity(lambda m, x: op(x, scalar), a, tol=tol)
    parity(lambda m, x: op(scalar, x), a, tol=tol)  # reflected: 2 - t, 2 ** t


@pytest.mark.parametrize(("da", "db"), pairs(DTYPES, DTYPES))
@pytest.mark.parametrize("name", ["add", "sub", "mul", "truediv", "lt"])
def test_operator_with_zero_dim_tensor(name, da, db):
    """Dimensioned tensors outrank 0-d tensors of the same category in promotion."""
    op, tol = OPERATORS[name]
    a = make(da, (4,), seed=4)
    b = make(db, (), seed=5, nonzero=True, special=())
    parity(lambda m, x, y: op(x, y), a, b, tol=tol)
    parity(lambda m, x, y: op(y, x), a, b, tol=tol)
    parity(lambda m, x, y: op(y, y * 3), a, b, tol=tol)


@pytest.mark.parametrize("scalar", [2, -3, 2.5, True], ids=repr)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["add", "sub", "mul", "truediv", "floordiv", "pow", "lt"])
def test_number_first_with_zero_dim_tensor(name, dtype, scalar):
    """A number never outranks a 0-d tensor of its category (``2.5 - t`` keeps float16)."""
    op, tol = OPERATORS[name]
    parity(lambda m, x: op(scalar, x), make(dtype, (), 57, nonzero=True, special=()), tol=tol)


FLOAT16_NUMBER_OPS = {
    "mul": lambda m, x: x * 0.1,
    "rmul": lambda m, x: 0.1 * x,
    "div": lambda m, x: x / 0.3,
    "rdiv": lambda m, x: 0.3 / x,
    "floordiv": lambda m, x: x // 0.03,
    "add": lambda m, x: x + 0.1,
    "sub": lambda m, x: x - 0.1,
    "rsub": lambda m, x: 0.1 - x,
    "mod": lambda m, x: x % 0.03,
    "mul_0d": lambda m, x: x * m.tensor(0.1),
    "mul_0d_double": lambda m, x: x * m.tensor(0.1, dtype=m.float64),
    "0d_mul": lambda m, x: m.mul(m.tensor(0.1, dtype=m.float16), x),
    "div_trunc": lambda m, x: m.div(x, 0.3, rounding_mode="trunc"),
    "pow": lambda m, x: x ** 1.3,
    "rpow": lambda m, x: 1.3 ** x,
    "int_mul": lambda m, x: x.int() * m.tensor(0.1, dtype=m.float16),
}


@pytest.mark.parametrize("name", list(FLOAT16_NUMBER_OPS))
def test_float16_arithmetic_with_numbers(name):
    """float16 ``*``, ``/``, ``//`` by a number run in float32 and round once (PyTorch's
    opmath); ``+``, ``-``, ``%`` round the number to float16 first. 1000 values show it."""
    tol = "ulp" if "pow" in name else "exact"
    parity(FLOAT16_NUMBER_OPS[name], make("float16", (1000,), 58), tol=tol, check_repr=False)


@pytest.mark.parametrize(
    ("sa", "sb"),
    [((2, 3), (3,)), ((3, 1), (1, 4)), ((), (2, 3)), ((0, 3), (1, 3)), ((2, 1, 3), (4, 1)),
     ((5,), (5,)), ((0,), ()), ((1,), (0,))],
)
@pytest.mark.parametrize("name", ["add", "sub", "mul", "truediv", "pow", "eq"])
def test_broadcasting(name, sa, sb):
    op, tol = OPERATORS[name]
    parity(lambda m, x, y: op(x, y), make("float32", sa, 6), make("float32", sb, 7), tol=tol)


@pytest.mark.parametrize(
    ("sa", "sb"), [((2, 3), (2,)), ((3, 4), (4, 3)), ((2, 3, 4), (3, 3, 4)), ((0,), (2,))]
)
@pytest.mark.parametrize("name", ["add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "and",
                                  "eq", "lt"])
def test_broadcast_mismatch_errors(name, sa, sb):
    op, _ = OPERATORS[name]
    parity(lambda m, x, y: op(x, y), make("int64", sa, 8, nonzero=True),
           make("int64", sb, 9, nonzero=True, positive=True))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "unary", ["neg", "invert", "abs", "pos"],
)
def test_unary_operators(unary, dtype):
    op = {"neg": operator.neg, "invert": operator.invert, "abs": abs, "pos": operator.pos}[unary]
    parity(lambda m, x: op(x), make(dtype, (2, 3), 10))


# ---------------------------------------------------------------------- alpha= and out=
@pytest.mark.parametrize("alpha", [2, -1, 0, 0.5, True])
@pytest.mark.parametrize(("da", "db"), [("float32", "float32"), ("int64", "int64"),
                                        ("int32", "float64"), ("bool", "bool"),
                                        ("float16", "float16"), ("uint8", "int8")])
@pytest.mark.parametrize("name", ["add", "sub"])
def test_alpha(name, da, db, alpha):
    a, b = make(da, (2, 3), 11), make(db, (2, 3), 12)
    tol = "ulp" if isinstance(alpha, float) else "exact"
    parity(lambda m, x, y: getattr(m, name)(x, y, alpha=alpha), a, b, tol=tol)
    parity(lambda m, x, y: getattr(x, name)(y, alpha=alpha), a, b, tol=tol)
    parity(lambda m, x, y: getattr(x, name + "_")(y, alpha=alpha), a, b, tol=tol)
    parity(lambda m, x, y: getattr(m, name)(x, 3, alpha=alpha), a, b, tol=tol)


@pytest.mark.parametrize(("da", "db", "dout", "out_shape"), [
    ("float32", "float32", "float32", (2, 3)),
    ("int64", "int64", "float64", (2, 3)),
    ("float32", "float32", "float64", (2, 3)),
    ("float32", "float32", "int64", (2, 3)),  # result Float can't be cast to Long
    ("int32", "int32", "int64", (0,)),        # an empty out is resized without a warning
    ("float64", "float64", "float64", (1,)),  # a non-empty out is resized with a warning
    ("bool", "bool", "bool", (2, 3)),
])
@pytest.mark.parametrize("name", ["add", "mul", "sub", "div"])
def test_out(name, da, db, dout, out_shape):
    a, b, o = make(da, (2, 3), 13), make(db, (3,), 14, nonzero=True), make(dout, out_shape, 15)

    def fn(m, x, y, out):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            r = getattr(m, name)(x, y, out=out)
        return r, [str(w.message) for w in caught]

    theirs = [torch.from_numpy(v).clone() for v in (a, b, o)]  # clone: resizable storage
    ours = [autogradviz.from_numpy(v.copy()) for v in (a, b, o)]
    try:
        expected, expected_warnings = fn(torch, *theirs)
    except RuntimeError as error:
        assert_same_exception(error, raised(fn, autogradviz, *ours))
        return
    result, result_warnings = fn(autogradviz, *ours)
    assert result is ours[2]
    assert_same(result, expected)
    assert result_warnings == expected_warnings


# ---------------------------------------------------------------------- in-place forms
INPLACE_OPERATORS = {
    "iadd": operator.iadd, "isub": operator.isub, "imul": operator.imul,
    "itruediv": operator.itruediv, "ifloordiv": operator.ifloordiv, "imod": operator.imod,
    "ipow": operator.ipow, "iand": operator.iand, "ior": operator.ior, "ixor": operator.ixor,
}


@pytest.mark.parametrize(("da", "db"), pairs(DTYPES, DTYPES))
@pytest.mark.parametrize("name", ["iadd", "isub", "imul", "itruediv", "ifloordiv", "iand"])
def test_inplace_operator_dtype_pairs(name, da, db):
    """``x op= y`` keeps x's dtype; a result that can't be cast back raises, x unchanged."""
    op = INPLACE_OPERATORS[name]
    parity(lambda m, x, y: op(x, y), make(da, (2, 3), 16),
           make(db, (3,), 17, nonzero=name in ("itruediv", "ifloordiv")))


@pytest.mark.parametrize("scalar", [1, 1.5, -2, True], ids=repr)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(INPLACE_OPERATORS))
def test_inplace_operator_scalar(name, dtype, scalar):
    op = INPLACE_OPERATORS[name]
    tol = "ulp" if name == "ipow" else "exact"
    parity(lambda m, x: op(x, scalar), make(dtype, (2, 3), 18, nonzero=True), tol=tol)


@pytest.mark.parametrize(("sa", "sb"), [((3,), (2, 3)), ((2, 1), (2, 3)), ((), (3,)),
                                        ((2, 3), (3,)), ((2, 3), (1, 1)), ((2, 3), (4,))])
@pytest.mark.parametrize("name", ["iadd", "imul", "isub"])
def test_inplace_broadcast(name, sa, sb):
    """The destination must already have the broadcast shape."""
    op = INPLACE_OPERATORS[name]
    parity(lambda m, x, y: op(x, y), make("float32", sa, 19), make("float32", sb, 20))


INPLACE_METHODS = {
    "add_": (lambda m, x, y: x.add_(y), "exact"),
    "sub_": (lambda m, x, y: x.sub_(y), "exact"),
    "mul_": (lambda m, x, y: x.mul_(y), "exact"),
    "div_": (lambda m, x, y: x.div_(y), "exact"),
    "div_floor": (lambda m, x, y: x.div_(y, rounding_mode="floor"), "exact"),
    "div_trunc": (lambda m, x, y: x.div_(y, rounding_mode="trunc"), "exact"),
    "pow_": (lambda m, x, y: x.pow_(2), "exact"),
    "clamp_": (lambda m, x, y: x.clamp_(-1, 1), "exact"),
    "clamp_min_": (lambda m, x, y: x.clamp_(min=0), "exact"),
    "clamp_t": (lambda m, x, y: x.clamp_(max=y), "exact"),
    "zero_": (lambda m, x, y: x.zero_(), "exact"),
    "fill_": (lambda m, x, y: x.fill_(2.5), "exact"),
    "fill_t": (lambda m, x, y: x.fill_(y.sum()), "exact"),
    "copy_": (lambda m, x, y: x.copy_(y), "exact"),
    "neg_": (lambda m, x, y: x.neg_(), "exact"),
    "abs_": (lambda m, x, y: x.abs_(), "exact"),
    "exp_": (lambda m, x, y: x.exp_(), "ulp"),
    "sqrt_": (lambda m, x, y: x.sqrt_(), "exact"),
    "floor_": (lambda m, x, y: x.floor_(), "exact"),
    "round_": (lambda m, x, y: x.round_(), "exact"),
    "sigmoid_": (lambda m, x, y: x.sigmoid_(), "ulp"),
    "relu_": (lambda m, x, y: x.relu_(), "exact"),
    "maximum_": (lambda m, x, y: x.copy_(m.maximum(x, y)), "exact"),
    "lerp_": (lambda m, x, y: x.lerp_(y, 0.25), "ulp"),
    "remainder_": (lambda m, x, y: x.remainder_(3), "exact"),
    "eq_": (lambda m, x, y: x.eq_(y), "exact"),
    "logical_not_": (lambda m, x, y: x.logical_not_(), "exact"),
}


@pytest.mark.parametrize("dtype", ["float32", "int64", "bool", "float64", "uint8", "float16"])
@pytest.mark.parametrize("name", list(INPLACE_METHODS))
def test_inplace_methods(name, dtype):
    fn, tol = INPLACE_METHODS[name]
    other = "float64" if dtype == "bool" else dtype
    parity(fn, make(dtype, (2, 3), 21), make(other, (3,), 22, nonzero=True), tol=tol)


# ``torch.sin_(t)`` and the other in-place functions of PyTorch's top-level namespace.
TOP_LEVEL_INPLACE = ["abs_", "acos_", "acosh_", "arccos_", "arccosh_", "arcsin_", "arcsinh_",
                     "arctan_", "arctanh_", "asin_", "asinh_", "atan_", "atanh_", "ceil_", "cos_",
                     "cosh_", "erf_", "erfc_", "exp_", "exp2_", "expm1_", "fix_", "floor_",
                     "frac_", "log_", "log10_", "log1p_", "log2_", "nan_to_num_", "neg_",
                     "negative_", "reciprocal_", "relu_", "round_", "rsqrt_", "sigmoid_", "sin_",
                     "sinh_", "sqrt_", "square_", "tan_", "tanh_", "trunc_", "zero_"]


@pytest.mark.parametrize("dtype", ["float32", "int64"])
@pytest.mark.parametrize("name", TOP_LEVEL_INPLACE)
def test_top_level_inplace_functions(name, dtype):
    """The function form writes into its argument and returns it, as the method does (values
    within the elementwise functions' ulp tolerance; errors for integer inputs the same)."""
    parity(lambda m, x: getattr(m, name)(x), make(dtype, (2, 3), 24), tol="ulp")
    parity(lambda m, x: getattr(m, name.removesuffix("_"))(x) if name != "zero_" else x,
           make(dtype, (2, 3), 24), tol="ulp")


@pytest.mark.parametrize("name", ["clamp_", "clip_", "clamp_min_", "clamp_max_", "fill_"])
def test_top_level_inplace_functions_with_arguments(name):
    parity(lambda m, x: getattr(m, name)(x, 0.5), make("float32", (2, 3), 25))


def test_namespaces_have_pytorchs_inplace_names():
    """The in-place names autogradviz has are PyTorch's (no ``maximum_``, which PyTorch lacks)."""
    for ours, theirs in ((autogradviz, torch), (autogradviz.Tensor, torch.Tensor)):
        extra = [n for n in dir(ours) if n.endswith("_") and not n.startswith("_")
                 and not hasattr(theirs, n)]
        assert extra == []


def test_inplace_on_view_writes_base():
    def fn(m, x):
        v = x[1]
        v += 10
        v.mul_(2)
        return x

    parity(fn, make("float32", (2, 3), 23))


# ---------------------------------------------------------------------- functions
def _no_special(dtype, shape, seed):
    return make(dtype, shape, seed, special=())


UNARY = {
    "abs": "exact", "neg": "exact", "exp": "ulp", "exp2": "ulp", "log": "ulp", "log2": "ulp",
    "log10": "ulp", "log1p": "ulp", "expm1": "ulp", "sqrt": "exact", "rsqrt": "exact",
    "sin": "ulp", "cos": "ulp", "tan": "ulp", "asin": "ulp", "acos": "ulp", "atan": "ulp",
    "sinh": "ulp", "cosh": "ulp", "tanh": "ulp", "sigmoid": "ulp", "relu": "exact",
    "square": "exact", "sign": "exact", "floor": "exact", "ceil": "exact", "round": "exact",
    "trunc": "exact", "frac": "exact", "reciprocal": "exact", "erf": "ulp", "isnan": "exact",
    "isinf": "exact", "isfinite": "exact", "nan_to_num": "exact", "logical_not": "exact",
    "bitwise_not": "exact", "signbit": "exact",
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(UNARY))
def test_unary_functions(name, dtype):
    a = make(dtype, (3, 4), 24)
    parity(lambda m, x: getattr(m, name)(x), a, tol=UNARY[name])
    parity(lambda m, x: getattr(x, name)(), a, tol=UNARY[name])


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", ["exp", "sqrt", "sin", "tanh", "abs", "floor", "sigmoid", "neg"])
def test_unary_shapes(name, shape):
    parity(lambda m, x: getattr(m, name)(x), make("float32", shape, 25), tol=UNARY[name])


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
@pytest.mark.parametrize("name", ["exp", "sin", "sqrt", "neg", "abs", "tanh"])
def test_unary_out(name, dtype):
    def fn(m, x, o):
        return getattr(m, name)(x, out=o)

    parity(fn, make(dtype, (2, 3), 26), make(dtype, (2, 3), 27), tol=UNARY[name])


@pytest.mark.parametrize("decimals", [-2, -1, 0, 1, 2, 3])
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "int64"])
def test_round_decimals(dtype, decimals):
    a = make(dtype, (4, 5), 28)
    if dtype in FLOATS:
        a = (a * 37).astype(dtype)
        a.flat[:6] = [0.5, 1.5, 2.5, -0.5, -2.5, 0.125]
    parity(lambda m, x: m.round(x, decimals=decimals), a)


def test_round_half_to_even():
    parity(lambda m, x: m.round(x), np.arange(-5.5, 6, 1.0))


BINARY_FUNCTIONS = {
    "atan2": ("ulp", False), "maximum": ("exact", False), "minimum": ("exact", False),
    "fmod": ("exact", True), "remainder": ("exact", True), "pow": ("ulp", False),
    "floor_divide": ("exact", True), "logical_and": ("exact", False),
    "logical_or": ("exact", False), "logical_xor": ("exact", False), "eq": ("exact", False),
    "fmax": ("exact", False), "fmin": ("exact", False), "hypot": ("ulp", False),
}


@pytest.mark.parametrize(("da", "db"), [("float32", "float32"), ("float64", "float64"),
                                        ("float16", "float16"), ("int64", "int64"),
                                        ("int32", "int8"), ("uint8", "uint8"), ("bool", "bool"),
                                        ("int64", "float32"), ("float16", "float64")])
@pytest.mark.parametrize("name", list(BINARY_FUNCTIONS))
def test_binary_functions(name, da, db):
    tol, nonzero = BINARY_FUNCTIONS[name]
    a, b = make(da, (3, 4), 29), make(db, (4,), 30, nonzero=nonzero)
    parity(lambda m, x, y: getattr(m, name)(x, y), a, b, tol=tol)


@pytest.mark.parametrize("divisor", [3, -3, 2.5, -2.5, 0.0, -0.0])
@pytest.mark.parametrize("name", ["fmod", "remainder", "floor_divide", "div_trunc", "div_floor"])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int8"])
def test_division_signs(dtype, name, divisor):
    """Signs of quotients and remainders with negative operands, zeros and infinities."""
    if dtype in FLOATS:
        a = np.array([-7, -6, -1.5, -0.0, 0.0, 1.5, 6, 7, np.inf, -np.inf, np.nan], dtype)
    else:
        a = np.array([-7, -6, -1, 0, 1, 6, 7, -128 if dtype == "int8" else -9], dtype)
    fns = {
        "div_trunc": lambda m, x: m.div(x, divisor, rounding_mode="trunc"),
        "div_floor": lambda m, x: m.div(x, divisor, rounding_mode="floor"),
    }
    fn = fns.get(name, lambda m, x: getattr(m, name)(x, divisor))
    parity(fn, a)
    parity(lambda m, x: getattr(m, "remainder" if name == "remainder" else "fmod")(
        x, m.flip(x, [0])), a)


@pytest.mark.parametrize("name", ["floordiv", "mod", "fmod", "div_trunc", "div_floor"])
@pytest.mark.parametrize("dtype", ["int64", "uint8", "int16"])
def test_integer_division_by_zero(name, dtype):
    fns = {
        "floordiv": lambda m, x, y: x // y, "mod": lambda m, x, y: x % y,
        "fmod": lambda m, x, y: m.fmod(x, y),
        "div_trunc": lambda m, x, y: m.div(x, y, rounding_mode="trunc"),
        "div_floor": lambda m, x, y: m.div(x, y, rounding_mode="floor"),
    }
    a, b = make(dtype, (4,), 31), np.array([1, 0, 2, 3], dtype)
    parity(fns[name], a, b)
    parity(lambda m, x, y: fns[name](m, x, 0), a, b)
    parity(lambda m, x, y: x / y, a, b)  # true division gives inf, no error


@pytest.mark.parametrize("dtype", [*INTS, "bool"])
@pytest.mark.parametrize("exponent", [-1, -2, 0, 1, 2, 3, 5, 0.5, -1.5])
def test_integer_pow(dtype, exponent):
    a = make(dtype, (2, 3), 32)
    parity(lambda m, x: x ** exponent, a, tol="ulp")
    parity(lambda m, x: m.pow(x, exponent), a, tol="ulp")
    parity(lambda m, x: exponent ** m.abs(x) if dtype != "bool" else exponent ** x, a, tol="ulp")


def test_integer_tensor_negative_exponents():
    a, b = np.array([2, 1, -1, 0, -2, 3]), np.array([-1, -3, -3, 2, -2, 0])
    parity(lambda m, x, y: x ** y, a, b)
    parity(lambda m, x, y: 2 ** y, a, b)
    parity(lambda m, x, y: x.pow_(y), a, b)


@pytest.mark.parametrize("exponent", [2, 3, 0.5, -0.5, -1, -2, 0, 1, 4, 1.5, -3, 2.0])
@pytest.mark.parametrize("dtype", FLOATS)
def test_float_pow_scalar(dtype, exponent):
    tol = "exact" if exponent in (2, 3, 0.5, -0.5, -1, -2, 0, 1) else "ulp"
    parity(lambda m, x: x ** exponent, make(dtype, (3, 4), 33), tol=tol)
    parity(lambda m, x: exponent ** x, make(dtype, (3, 4), 34), tol="ulp")


CLAMPS = {
    "both": lambda m, x, lo, hi: m.clamp(x, -1, 2),
    "min": lambda m, x, lo, hi: m.clamp(x, min=0.5),
    "max": lambda m, x, lo, hi: x.clamp(max=1),
    "inverted": lambda m, x, lo, hi: m.clamp(x, 2, -1),
    "tensors": lambda m, x, lo, hi: m.clamp(x, lo, hi),
    "tensor_min": lambda m, x, lo, hi: m.clamp(x, min=lo),
    "clip": lambda m, x, lo, hi: m.clip(x, -2, 2),
    "nan_bound": lambda m, x, lo, hi: m.clamp(x, min=math.nan),
    "none": lambda m, x, lo, hi: m.clamp(x),
    "clamp_min": lambda m, x, lo, hi: x.clamp_min(1),
    "float_bound_int": lambda m, x, lo, hi: m.clamp(x, 0.5, 3.5),
}


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64", "uint8", "bool"])
@pytest.mark.parametrize("name", list(CLAMPS))
def test_clamp(name, dtype):
    lo_dtype = "float32" if dtype == "bool" else dtype
    parity(CLAMPS[name], make(dtype, (3, 4), 35), make(lo_dtype, (4,), 36) - 1,
           make(lo_dtype, (3, 1), 37))


WHERES = {
    "tensors": lambda m, c, x, y: m.where(c, x, y),
    "scalar_other": lambda m, c, x, y: m.where(c, x, 0.0),
    "scalar_input": lambda m, c, x, y: m.where(c, 2, y),
    "scalars": lambda m, c, x, y: m.where(c, 1.5, 0),
    "int_scalars": lambda m, c, x, y: m.where(c, 1, 0),
    "method": lambda m, c, x, y: x.where(c, y),
    "one_arg": lambda m, c, x, y: m.where(c),
}


@pytest.mark.parametrize(("dx", "dy"), [("float32", "float32"), ("int64", "float16"),
                                        ("bool", "int8"), ("float64", "int32"),
                                        ("uint8", "uint8")])
@pytest.mark.parametrize("name", list(WHERES))
def test_where(name, dx, dy):
    parity(WHERES[name], make("bool", (3, 4), 38), make(dx, (3, 4), 39), make(dy, (4,), 40))


def test_where_errors():
    c, x = make("bool", (3, 4), 41), make("float32", (3, 4), 42)
    parity(lambda m, c, x: m.where(c.int(), x, x), c, x)
    parity(lambda m, c, x: m.where(c, x, x[:2, :3]), c, x)


LERPS = {
    "scalar": lambda m, a, b, w: m.lerp(a, b, 0.3),
    "ends": lambda m, a, b, w: m.lerp(a, b, 1.0),
    "zero": lambda m, a, b, w: a.lerp(b, 0),
    "tensor": lambda m, a, b, w: m.lerp(a, b, w),
    "broadcast": lambda m, a, b, w: m.lerp(a, b[0], w),
    "big": lambda m, a, b, w: m.lerp(a, b, 1.7),
}


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", list(LERPS))
def test_lerp(name, dtype):
    parity(LERPS[name], make(dtype, (3, 4), 43), make(dtype, (3, 4), 44),
           make(dtype, (3, 4), 45, special=()), tol="ulp")


def test_lerp_int_error():
    parity(lambda m, a, b: m.lerp(a, b, 0.5), make("int64", (3,), 46), make("int64", (3,), 47))


NAN_TO_NUM = {
    "default": lambda m, x: m.nan_to_num(x),
    "nan": lambda m, x: m.nan_to_num(x, nan=1.5),
    "all": lambda m, x: m.nan_to_num(x, nan=0.0, posinf=9.0, neginf=-9.0),
    "method": lambda m, x: x.nan_to_num(posinf=1e30),
    "inplace": lambda m, x: x.nan_to_num_(neginf=-1),
}


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "int32", "bool"])
@pytest.mark.parametrize("name", list(NAN_TO_NUM))
def test_nan_to_num(name, dtype):
    parity(NAN_TO_NUM[name], make(dtype, (3, 4), 48))


@pytest.mark.parametrize(("da", "db"), pairs(["bool", "int64", "float32", "uint8"],
                                             ["bool", "int8", "float64"]))
@pytest.mark.parametrize("name", ["logical_and", "logical_or", "logical_xor"])
def test_logical(name, da, db):
    a, b = make(da, (3, 4), 49), make(db, (4,), 50)
    parity(lambda m, x, y: getattr(m, name)(x, y), a, b)
    parity(lambda m, x, y: getattr(x, name + "_")(y), a, b)


@pytest.mark.parametrize("name", ["isnan", "isinf", "isfinite", "isposinf", "isneginf", "signbit"])
def test_special_value_predicates(name):
    parity(lambda m, x: getattr(m, name)(x), np.array([*SPECIAL, -np.nan], np.float32))


@pytest.mark.parametrize("dtype", FLOATS)
def test_signed_zero_arithmetic(dtype):
    a = np.array([-0.0, 0.0, -0.0, 0.0], dtype)
    b = np.array([-0.0, -0.0, 0.0, 0.0], dtype)
    for fn in (operator.add, operator.sub, operator.mul, operator.truediv):
        parity(lambda m, x, y, fn=fn: fn(x, y), a, b)
    for name in ("neg", "abs", "sign", "sqrt", "floor", "ceil", "round", "trunc", "relu",
                 "reciprocal", "square", "frac"):
        parity(lambda m, x, name=name: getattr(m, name)(x), a)
    parity(lambda m, x, y: m.maximum(x, y), a, b)
    parity(lambda m, x, y: m.minimum(x, y), a, b)
    parity(lambda m, x, y: m.clamp(x, min=0.0), a, b)


# ---------------------------------------------------------------------- errors
ERRORS = {
    "bool_sub": (lambda m, b, i, f: b - b, ),
    "bool_sub_scalar": (lambda m, b, i, f: b - 1, ),
    "bool_rsub": (lambda m, b, i, f: 1 - b, ),
    "bool_neg": (lambda m, b, i, f: -b, ),
    "bool_neg_fn": (lambda m, b, i, f: m.neg(b), ),
    "int_iadd_float": (lambda m, b, i, f: operator.iadd(i, 1.5), ),
    "int_iadd_float_tensor": (lambda m, b, i, f: operator.iadd(i, f), ),
    "int_idiv": (lambda m, b, i, f: operator.itruediv(i, 2), ),
    "int_mul_float_": (lambda m, b, i, f: i.mul_(f), ),
    "bool_iadd_int": (lambda m, b, i, f: operator.iadd(b, i), ),
    "int_sqrt_": (lambda m, b, i, f: i.sqrt_(), ),
    "int_pow_neg": (lambda m, b, i, f: i ** -1, ),
    "int_pow_neg_": (lambda m, b, i, f: i.pow_(-2), ),
    "float_and": (lambda m, b, i, f: f & f, ),
    "float_invert": (lambda m, b, i, f: ~f, ),
    "float_xor_int": (lambda m, b, i, f: i ^ f, ),
    "int_or_float_scalar": (lambda m, b, i, f: i | 1.5, ),
    "bool_floordiv": (lambda m, b, i, f: b // b, ),
    "broadcast": (lambda m, b, i, f: f + f[:, :2], ),
    "broadcast_where": (lambda m, b, i, f: m.where(b, f, f[:, :2]), ),
    "inplace_shape": (lambda m, b, i, f: operator.iadd(f[0].clone(), f), ),
    "inplace_shape_before_dtype": (lambda m, b, i, f: operator.iadd(i[0].clone(), f), ),
    "inplace_partial_overlap": (lambda m, b, i, f: operator.iadd(f[0], f), ),
    "inplace_transposed_overlap": (lambda m, b, i, f: f[:, :2].mul_(f[:, :2].t()), ),
    "copy_partial_overlap": (lambda m, b, i, f: f[0].copy_(f[1:, :].flatten()), ),
    "inplace_expanded": (lambda m, b, i, f: f[0].expand(4, 3).add_(1), ),
    "copy_broadcast_output": (lambda m, b, i, f: f[0].clone().copy_(f), ),
    "alpha_float_int": (lambda m, b, i, f: m.add(i, i, alpha=0.5), ),
    "alpha_int_bool": (lambda m, b, i, f: m.add(b, b, alpha=2), ),
    "clamp_none": (lambda m, b, i, f: m.clamp(f), ),
    "clamp_bool": (lambda m, b, i, f: m.clamp(b, 0, 1), ),
    "div_mode": (lambda m, b, i, f: m.div(f, f, rounding_mode="round"), ),
    "fill_dim": (lambda m, b, i, f: f.fill_(f), ),
    "copy_shape": (lambda m, b, i, f: f.copy_(i[0, :2].clone()), ),
    "copy_scalar": (lambda m, b, i, f: f.copy_(3), ),
    "copy_dtypes": (lambda m, b, i, f: (i.copy_(f), b.copy_(f)), ),
    "copy_row": (lambda m, b, i, f: f.copy_(i[0]), ),
    "fill_overflow": (lambda m, b, i, f: i.to(m.uint8).fill_(300), ),
    "fill_float_to_uint8": (lambda m, b, i, f: i.to(m.uint8).fill_(-0.5), ),
    "fill_negative_uint8": (lambda m, b, i, f: i.to(m.uint8).fill_(-1), ),
    "fill_half_overflow": (lambda m, b, i, f: f.half().fill_(1e6), ),
    "fill_int_truncates": (lambda m, b, i, f: i.fill_(-2.7), ),
    "fill_bool": (lambda m, b, i, f: b.fill_(5), ),
    "clamp_overflow": (lambda m, b, i, f: m.clamp(i.to(m.uint8), 0, 300), ),
    "clamp_inplace_promote": (lambda m, b, i, f: i.clamp_(0.5), ),
    "clamp_inplace_promote_int8": (lambda m, b, i, f: i.to(m.int8).clamp_(max=1.5), ),
    "clamp_inplace_bool": (lambda m, b, i, f: b.clamp_(0, 1), ),
    "clamp_inplace_tensor": (lambda m, b, i, f: i.clamp_(f), ),
    "where_overflow": (lambda m, b, i, f: m.where(b, i.to(m.uint8), 300), ),
    "where_float_overflow": (lambda m, b, i, f: m.where(b, f, 1e40), ),
    "alpha_overflow": (lambda m, b, i, f: m.add(i.to(m.int8), 1, alpha=200), ),
    "pow_exponent_overflow": (lambda m, b, i, f: i.to(m.int8) ** 200, ),
    "add_two_numbers": (lambda m, b, i, f: m.add(2, 3), ),
    "pos_bool": (lambda m, b, i, f: +b, ),
    "pos_identity": (lambda m, b, i, f: (+f) is f, ),
    "atan2_scalar": (lambda m, b, i, f: m.atan2(f, 1.0), ),
    "hypot_scalar": (lambda m, b, i, f: m.hypot(f, 1.0), ),
    "logical_and_scalar": (lambda m, b, i, f: m.logical_and(f, 1), ),
    "lerp_weight_dtype": (lambda m, b, i, f: m.lerp(f, f, f.double()), ),
    "lerp_inplace_dtype": (lambda m, b, i, f: b.lerp_(f, 0.25), ),
    "sub_two_bools": (lambda m, b, i, f: m.sub(True, b), ),
    "isub_bool_before_dtype": (lambda m, b, i, f: operator.isub(b, f), ),
    "div_trunc_bool": (lambda m, b, i, f: m.div(b, b, rounding_mode="trunc"), ),
    "square_bool_inplace": (lambda m, b, i, f: b.square_(), ),
    "pow_bool_bool": (lambda m, b, i, f: m.pow(True, b), ),
    "round_int_decimals": (lambda m, b, i, f: m.round(i, decimals=1), ),
    "round_bool": (lambda m, b, i, f: m.round(b), ),
    "float_unary_inplace_int": (lambda m, b, i, f: i.exp_(), ),
    "atan2_inplace_int": (lambda m, b, i, f: i.atan2_(i), ),
    "comparison_inplace_any_dtype": (lambda m, b, i, f: (i.eq_(f), f.logical_and_(i)), ),
    "lerp_dtype": (lambda m, b, i, f: m.lerp(f, f.double(), 0.5), ),
    "relu_bool": (lambda m, b, i, f: m.relu(b), ),
    "frac_int": (lambda m, b, i, f: m.frac(i), ),
    "maximum_scalar": (lambda m, b, i, f: m.maximum(f, 1.0), ),
    "where_cond": (lambda m, b, i, f: m.where(i, f, f), ),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors(name):
    """PyTorch's exception type and message; a failed in-place call changes nothing."""
    (fn,) = ERRORS[name]
    parity(fn, make("bool", (2, 3), 51), make("int64", (2, 3), 52), make("float32", (2, 3), 53))


def test_failed_inplace_leaves_tensor_unchanged():
    x = autogradviz.tensor([1, 2, 3])
    version = x._version
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired "
                                           "output type Long"):
        x += 1.5
    assert x.tolist() == [1, 2, 3] and x.dtype is autogradviz.int64
    assert x._version == version
    with pytest.raises(RuntimeError, match="doesn't match the broadcast shape"):
        x.add_(autogradviz.ones(2, 3, dtype=autogradviz.int64))
    assert x.tolist() == [1, 2, 3]


# ---------------------------------------------------------------------- promotion table
@pytest.mark.parametrize(("da", "db"), pairs(DTYPES, DTYPES))
def test_promote_types_and_result_type(da, db):
    ta, tb = getattr(torch, da), getattr(torch, db)
    oa, ob = getattr(autogradviz, da), getattr(autogradviz, db)
    assert str(autogradviz.promote_types(oa, ob)) == str(torch.promote_types(ta, tb))
    a, b = make(da, (2,), 54), make(db, (), 55)
    ours = autogradviz.result_type(autogradviz.from_numpy(a), autogradviz.from_numpy(b))
    assert str(ours) == str(torch.result_type(torch.from_numpy(a), torch.from_numpy(b)))
    for s in (1, 1.0, True):
        ours = autogradviz.result_type(autogradviz.from_numpy(a), s)
        assert str(ours) == str(torch.result_type(torch.from_numpy(a), s))


@pytest.mark.parametrize("default", ["float64", "float16"])
def test_default_dtype_in_promotion(default):
    autogradviz.set_default_dtype(getattr(autogradviz, default))
    torch.set_default_dtype(getattr(torch, default))
    try:
        a = make("int32", (2, 3), 56)
        parity(lambda m, x: x * 1.5, a)
        parity(lambda m, x: x / 2, a)
        parity(lambda m, x: m.sqrt(x.abs()), a)
        parity(lambda m, x: x.float() + 0.1, a)
    finally:
        autogradviz.set_default_dtype(autogradviz.float32)
        torch.set_default_dtype(torch.float32)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("alpha", [0.3, -1.7, 2])
@pytest.mark.parametrize("op", ["add", "sub"])
def test_alpha_is_one_fused_multiply_add_bit_for_bit(op, alpha, dtype):
    rng = np.random.default_rng(7)
    a = rng.standard_normal(20000).astype(dtype)
    b = rng.standard_normal(20000).astype(dtype)
    theirs = getattr(torch, op)(torch.from_numpy(a), torch.from_numpy(b), alpha=alpha).numpy()
    ours = getattr(autogradviz, op)(autogradviz.from_numpy(a), autogradviz.from_numpy(b),
                                    alpha=alpha).numpy()
    assert np.array_equal(ours, theirs)


def test_out_resize_warning_names_the_callers_line():
    """PyTorch's resize warning for a mis-shaped ``out=`` points at the line of the call."""
    import warnings

    for lib in (torch, autogradviz):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.add(lib.ones(3), lib.ones(3), out=lib.zeros(5))
            lib.mul(lib.ones(3), lib.ones(3), out=lib.zeros(2))
            lib.matmul(lib.ones(2, 2), lib.ones(2, 2), out=lib.zeros(1))
            lib.cat([lib.ones(2), lib.ones(2)], out=lib.zeros(1))
        assert [w.filename for w in caught] == [__file__] * 4, lib.__name__


HUGE_INT_CASES = {
    "float32 * 2**64": lambda lib: lib.ones(2) * 2**64,
    "float32 + 2**63": lambda lib: lib.ones(2) + 2**63,
    "float32 + 10**400": lambda lib: lib.ones(2) + 10**400,
    "float32 - 2**64": lambda lib: lib.ones(2) - 2**64,
    "int64 + 2**64": lambda lib: lib.ones(2, dtype=lib.int64) + 2**64,
    "int64 + 2**63 (wraps)": lambda lib: lib.ones(2, dtype=lib.int64) + 2**63,
    "int64 * (2**64 - 1)": lambda lib: lib.ones(2, dtype=lib.int64) * (2**64 - 1),
    "uint8 + (2**63 + 5)": lambda lib: lib.ones(2, dtype=lib.uint8) + (2**63 + 5),
    "float64 * -2**63": lambda lib: lib.ones(2, dtype=lib.float64) * -(2**63),
}


@pytest.mark.parametrize("case", list(HUGE_INT_CASES))
def test_python_ints_beyond_64_bits(case):
    """A Python int must fit in 64 bits (int64, or uint64 above 2**63, whose bits an integer
    tensor takes as int64); beyond, PyTorch's OverflowError."""
    assert_parity(HUGE_INT_CASES[case])
