"""Tensor repr parity: ``autogradviz._printing`` must print exactly what PyTorch prints."""

import os

os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autogradviz import _printing, dtypes

nan, inf = math.nan, math.inf
f16, f32, f64 = torch.float16, torch.float32, torch.float64
i8, i16, i32, i64, u8 = torch.int8, torch.int16, torch.int32, torch.int64, torch.uint8


def our_dtype(t):
    return getattr(dtypes, str(t.dtype).removeprefix("torch."))


def ours(t):
    """Our repr of torch tensor ``t``, built from its values and autograd state only."""
    grad_fn = type(t.grad_fn).__name__ if t.grad_fn is not None else None
    return _printing.format_tensor(
        t.detach().numpy(),
        our_dtype(t),
        grad_fn_name=grad_fn,
        requires_grad=t.requires_grad and t.grad_fn is None,
    )


def assert_same(t):
    assert ours(t) == repr(t)


@pytest.fixture(autouse=True)
def default_options():
    """Every test starts and ends with default print options and default dtype."""
    yield
    torch.set_printoptions(profile="default")
    _printing.set_printoptions(profile="default")
    torch.set_default_dtype(torch.float32)
    dtypes.set_default_dtype(dtypes.float32)


def randn(*shape, seed=0, scale=1.0, dtype=f32):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(shape, generator=g, dtype=torch.float64) * scale).to(dtype)


def randint(lo, hi, *shape, seed=0, dtype=i64):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(lo, hi, shape, generator=g, dtype=dtype)


def t(values, dtype=None):
    return torch.tensor(values, dtype=dtype)


# --------------------------------------------------------------------------- repr cases
# Each case is a zero-argument factory, so seeds and graphs are built inside the test.

CASES = {}


def case(name, factory):
    assert name not in CASES
    CASES[name] = factory


# 0-d tensors of every dtype and awkward values.
for _name, _value, _dtype in [
    ("f32_zero", 0.0, f32),
    ("f32_negzero", -0.0, f32),
    ("f32_half", 1.5, f32),
    ("f32_int", 3.0, f32),
    ("f32_big", 1e10, f32),
    ("f32_tiny", 1e-10, f32),
    ("f32_nan", nan, f32),
    ("f32_inf", inf, f32),
    ("f32_neginf", -inf, f32),
    ("f32_neg", -2.71828, f32),
    ("f32_1e8", 1e8, f32),
    ("f32_123456789", 123456789.0, f32),
    ("f64_pi", math.pi, f64),
    ("f64_tiny", 1e-300, f64),
    ("f64_huge", 1e300, f64),
    ("f16_tenth", 0.1, f16),
    ("f16_max", 65504.0, f16),
    ("f16_subnormal", 6e-8, f16),
    ("i64", 3, i64),
    ("i64_neg", -7, i64),
    ("i64_max", 2**63 - 1, i64),
    ("i32", 123456, i32),
    ("i16", -32768, i16),
    ("i8", -128, i8),
    ("u8", 255, u8),
    ("bool_true", True, torch.bool),
    ("bool_false", False, torch.bool),
]:
    case(f"scalar_{_name}", lambda v=_value, d=_dtype: t(v, d))

# Random floats: every dtype x several scales (chooses fixed vs. scientific notation).
for _scale in (1.0, 1e-5, 1e5, 1e10, 1e-10, 1e3, 1e-3, 1e8, 1e-4, 1e-2):
    for _dtype in (f32, f64):
        case(
            f"randn_{_dtype}_{_scale:g}",
            lambda s=_scale, d=_dtype: randn(7, seed=int(math.log10(s) + 20), scale=s, dtype=d),
        )
for _scale in (1.0, 1e-3, 1e3, 1e-5):
    case(f"randn_f16_{_scale:g}", lambda s=_scale: randn(9, seed=3, scale=s, dtype=f16))
for _seed in range(8):
    case(f"randn_2d_seed{_seed}", lambda s=_seed: randn(3, 4, seed=s, scale=10.0 ** (s - 4)))
    case(f"randn_3d_seed{_seed}", lambda s=_seed: randn(2, 3, 4, seed=s, dtype=f64))

# Mixed magnitudes around the scientific-notation thresholds (ratio 1000, 1e8, 1e-4).
for _name, _values in [
    ("ratio_1000", [1.0, 1000.0]),
    ("ratio_1001", [1.0, 1001.0]),
    ("ratio_frac", [0.5, 500.25]),
    ("ratio_frac_over", [0.5, 500.75]),
    ("exact_1e8", [1e8, 2e8 / 2]),
    ("over_1e8", [1.5e8, 1.2e8]),
    ("exact_1e-4", [1e-4, 2e-4]),
    ("under_1e-4", [9e-5, 1e-4]),
    ("mixed_1e-5_1", [1e-5, 1.0]),
    ("mixed_1e10_1", [1e10, 1.0]),
    ("neg_mixed", [-1e6, 0.5, 3.0]),
    ("rounding_9999", [9.99996, 1.0]),
    ("rounding_sci", [9.99996e9, 1.0]),
    ("sci_3digit_exp", [1e-200, 1e200]),
]:
    case(f"mixed_{_name}", lambda v=_values: t(v, f64 if "e-200" in str(v) else f32))

# Integer-valued floats ("1." style) incl. widths and the switch to scientific notation.
for _name, _factory in [
    ("arange", lambda: torch.arange(10.0)),
    ("neg", lambda: t([-1.0, 2.0, -300.0])),
    ("big", lambda: t([1e8, 1.0])),
    ("over_1e8", lambda: t([1e9, 2.0])),
    ("ratio", lambda: t([1.0, 5000.0])),
    ("f64", lambda: t([12345678.0, -3.0], f64)),
    ("f16", lambda: t([2048.0, -1.0, 3.0], f16)),
    ("with_nan", lambda: t([1.0, nan, 3.0])),
    ("with_inf", lambda: t([1.0, -inf, inf])),
    ("with_negzero", lambda: t([-0.0, 5.0])),
    ("2d", lambda: torch.arange(12.0).reshape(3, 4) * 7 - 30),
    ("big_vals", lambda: t([2.0**60, 3.0], f64)),
]:
    case(f"intfloat_{_name}", _factory)

# nan / inf / zero, with and without finite values.
for _name, _values in [
    ("nan", [nan]),
    ("nans", [nan, nan]),
    ("infs", [inf, -inf]),
    ("nan_inf_zero", [nan, inf, 0.0]),
    ("nan_frac", [1.5, nan]),
    ("inf_frac", [-inf, 0.25, 2.0]),
    ("nan_sci", [nan, 1e10, 1.0]),
    ("inf_small", [inf, 1e-6]),
    ("zeros", [0.0, 0.0]),
    ("zero_nan", [0.0, nan]),
    ("negzero_only", [-0.0]),
    ("negzero_pair", [-0.0, 0.0]),
    ("negzero_frac", [-0.0, 1.5]),
    ("negzero_sci", [-0.0, 1e-9]),
    ("tiny_neg", [-1e-5, 0.5]),
    ("neg_rounds_to_zero", [-0.00001, 1.25, 3.5]),
]:
    case(f"special_{_name}", lambda v=_values: t(v))
case("special_2d", lambda: t([[nan, 1.0], [inf, -2.5]]))
case("special_f16", lambda: t([nan, inf, 1.5], f16))
case("special_f64_nan_only", lambda: t([nan, -inf], f64))

# Integer and bool tensors of every dtype.
for _dtype, _lo, _hi in [
    (i64, -1000, 1000),
    (i32, -(2**31), 2**31 - 1),
    (i16, -(2**15), 2**15 - 1),
    (i8, -128, 127),
    (u8, 0, 255),
]:
    for _shape in ((6,), (3, 5), (2, 2, 3)):
        case(
            f"int_{_dtype}_{'x'.join(map(str, _shape))}",
            lambda d=_dtype, lo=_lo, hi=_hi, s=_shape: randint(lo, hi, *s, dtype=d),
        )
case("int_i64_huge", lambda: t([2**62, -(2**63), 5]))
case("int_i64_single_digit", lambda: t([1, 2, 3]))
case("int_i64_neg", lambda: t([-1, -22, -333]))
case("int_u8_zeros", lambda: torch.zeros(4, dtype=u8))
case("bool_1d", lambda: t([True, False, True]))
case("bool_all_true", lambda: t([True, True]))
case("bool_2d", lambda: randint(0, 2, 3, 4).bool())
case("bool_wide", lambda: randint(0, 2, 40, seed=1).bool())

# n-d shapes, including size-1 dims, and non-contiguous views.
for _shape in ((2, 3), (2, 1, 3), (1, 1, 1), (3, 1), (1, 5), (2, 2, 2, 2), (1, 2, 1, 2, 1)):
    case(f"nd_{'x'.join(map(str, _shape))}", lambda s=_shape: randn(*s, seed=len(s)))
case("noncontig_transpose", lambda: randn(3, 4, seed=2).T)
case("noncontig_step", lambda: randn(20, seed=2)[::3])
case("noncontig_permute", lambda: randn(2, 3, 4, seed=2).permute(2, 0, 1))
case("noncontig_expand", lambda: t([1.5, 2.0]).expand(3, 2))

# Empty tensors: size= suffix unless 1-d, dtype= suffix unless the default float dtype.
for _shape in ((0,), (0, 3), (3, 0), (2, 0, 4), (0, 0)):
    for _dtype in (f32, f64, f16, i64, i32, u8, torch.bool):
        case(
            f"empty_{'x'.join(map(str, _shape))}_{_dtype}",
            lambda s=_shape, d=_dtype: torch.zeros(s, dtype=d),
        )

# Summarised tensors (more than 1000 elements), in 1-d and n-d.
for _name, _factory in [
    ("arange_f32", lambda: torch.arange(2000.0)),
    ("arange_i64", lambda: torch.arange(10000)),
    ("randn_1001", lambda: randn(1001, seed=4)),
    ("randn_40x40", lambda: randn(40, 40, seed=5)),
    ("randn_10x10x11", lambda: randn(10, 10, 11, seed=6, dtype=f64)),
    ("randn_2x3000", lambda: randn(2, 3000, seed=7)),
    ("randn_3000x2", lambda: randn(3000, 2, seed=8)),
    ("int_100x100", lambda: torch.arange(10000).reshape(100, 100)),
    ("bool_50x50", lambda: randint(0, 2, 50, 50, seed=9).bool()),
    ("huge_1000x1000", lambda: randn(1000, 1000, seed=10)),
    ("huge_u8", lambda: randint(0, 256, 1000, 1000, dtype=u8)),
    ("sci_tail", lambda: torch.cat([torch.ones(1500), t([1e12])])),
    ("hidden_middle", lambda: torch.cat([torch.ones(3), t([1e12] * 1000), torch.ones(3)])),
    ("f16_4d", lambda: randn(7, 8, 9, 10, seed=11, dtype=f16)),
    ("int_5d", lambda: randint(-99, 99, 7, 2, 7, 2, 7, seed=12)),
]:
    case(f"summary_{_name}", _factory)

# Rows wider than the line width wrap with the right indentation.
for _name, _factory in [
    ("f32_30", lambda: randn(30, seed=13)),
    ("f64_50", lambda: randn(50, seed=14, dtype=f64)),
    ("sci_2x40", lambda: randn(2, 40, seed=15, scale=1e5)),
    ("intfloat_100", lambda: torch.arange(100.0) * 1e12),
    ("int_large", lambda: randint(-(2**62), 2**62, 30, seed=16)),
    ("i8_200", lambda: randint(-128, 127, 200, seed=17, dtype=i8)),
    ("3d_wide", lambda: randn(2, 2, 25, seed=18)),
    ("4d_wide", lambda: randn(2, 2, 2, 15, seed=19, scale=1e-7)),
    ("f16_40", lambda: randn(40, seed=20, dtype=f16)),
]:
    case(f"wrap_{_name}", _factory)


# Autograd suffixes: grad_fn=<...> for results, requires_grad=True for leaves.
def _leaf(*shape, dtype=f32, seed=21):
    return randn(*shape, seed=seed, dtype=dtype).requires_grad_()


for _name, _factory in [
    ("leaf", lambda: _leaf(3)),
    ("leaf_0d", lambda: _leaf()),
    ("leaf_f64", lambda: _leaf(3, dtype=f64)),
    ("leaf_f16", lambda: _leaf(4, dtype=f16)),
    ("leaf_empty", lambda: torch.zeros(0, requires_grad=True)),
    ("leaf_empty_2d_f64", lambda: torch.zeros(0, 2, dtype=f64, requires_grad=True)),
    ("mul", lambda: _leaf(3) * 2),
    ("add", lambda: _leaf(2, 2) + 1),
    ("sum", lambda: _leaf(5).sum()),
    ("mean_f64", lambda: _leaf(5, dtype=f64).mean()),
    ("exp_f64", lambda: _leaf(4, dtype=f64).exp()),
    ("select", lambda: _leaf(3, 2)[0]),
    ("matmul", lambda: _leaf(3, 4) @ _leaf(4, 2, seed=22)),
    ("wide_leaf", lambda: _leaf(4, 25)),
    ("wide_mul_f64", lambda: _leaf(30, dtype=f64) * 3),
    ("leaf_summary", lambda: _leaf(2000)),
    ("grad_summary_f64", lambda: _leaf(40, 40, dtype=f64).tanh()),
    ("empty_grad", lambda: torch.zeros(0, 3, dtype=f64, requires_grad=True) * 2),
]:
    case(f"grad_{_name}", _factory)

# Suffix wrapping: last lines of every length near the line width.
for _n in range(8, 16):
    case(f"suffix_len_f64_{_n}", lambda n=_n: torch.arange(n, dtype=f64) * 1.5 + 100)
    case(f"suffix_len_grad_{_n}", lambda n=_n: (torch.arange(n, dtype=f64) + 0.5).requires_grad_())
for _n in range(10, 14):
    case(f"suffix_len_i8_{_n}", lambda n=_n: torch.arange(n, dtype=i8) * 9)
    case(
        f"suffix_len_f16_grad_{_n}",
        lambda n=_n: (torch.arange(n, dtype=f16) - 3.25).requires_grad_() * 1,
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_repr_matches_torch(name):
    tensor = CASES[name]()
    assert_same(tensor)
    assert ours(tensor) == str(tensor)


def test_case_count():
    assert len(CASES) >= 160


# --------------------------------------------------------------------------- default dtype


@pytest.mark.parametrize("default", [f64, f16])
@pytest.mark.parametrize(
    "factory",
    [
        lambda: t([1.5, 2.0], f64),
        lambda: t([1.5, 2.0], f32),
        lambda: t([1.5, 2.0], f16),
        lambda: torch.zeros(0, dtype=f64),
        lambda: torch.zeros(0, 2, dtype=f32),
        lambda: torch.zeros(0, dtype=i64),
        lambda: t(2.5, f64).requires_grad_(),
        lambda: t([1, 2]),
        lambda: t([True]),
    ],
)
def test_default_dtype_changes_suffix(default, factory):
    torch.set_default_dtype(default)
    dtypes.set_default_dtype(our_dtype(torch.empty(0, dtype=default)))
    assert_same(factory())


# --------------------------------------------------------------------------- print options

OPTION_SETS = [
    dict(precision=0),
    dict(precision=1),
    dict(precision=2),
    dict(precision=8),
    dict(precision=10),
    dict(threshold=5),
    dict(threshold=0),
    dict(threshold=5, edgeitems=1),
    dict(threshold=5, edgeitems=0),
    dict(edgeitems=0),
    dict(threshold=10, edgeitems=5),
    dict(linewidth=20),
    dict(linewidth=40),
    dict(linewidth=120),
    dict(linewidth=5),
    dict(sci_mode=True),
    dict(sci_mode=False),
    dict(sci_mode=True, precision=2),
    dict(sci_mode=False, precision=6),
    dict(profile="short"),
    dict(profile="full"),
    dict(profile="short", precision=6),
    dict(profile="default"),
]

OPTION_TENSORS = {
    "small": lambda: randn(5, seed=30),
    "sci": lambda: t([1e-7, 1.0, 1e7]),
    "intfloat": lambda: t([1.0, -20.0, 300.0]),
    "zeros_nan": lambda: t([0.0, -0.0, nan]),
    "matrix": lambda: randn(6, 12, seed=31, dtype=f64),
    "cube": lambda: randn(4, 5, 6, seed=32, scale=1e4),
    "ints": lambda: torch.arange(-20, 20),
    "bools": lambda: randint(0, 2, 12, seed=33).bool(),
    "scalar": lambda: t(3.14159),
    "empty": lambda: torch.zeros(0, 4),
    "long": lambda: torch.arange(3000.0).reshape(30, 100),
    "grad": lambda: _leaf(12, dtype=f64) * 2,
}


def _option_id(opts):
    return ",".join(f"{k}={v}" for k, v in opts.items())


@pytest.mark.parametrize("opts", OPTION_SETS, ids=_option_id)
@pytest.mark.parametrize("name", sorted(OPTION_TENSORS))
def test_printoptions_match_torch(opts, name):
    torch.set_printoptions(**opts)
    _printing.set_printoptions(**opts)
    assert _printing.get_printoptions() == torch._tensor_str.get_printoptions()
    assert_same(OPTION_TENSORS[name]())


def test_get_printoptions_default_matches_torch():
    assert _printing.get_printoptions() == torch._tensor_str.get_printoptions()


def test_set_printoptions_resets_sci_mode_like_torch():
    for module in (torch, _printing):
        module.set_printoptions(sci_mode=True)
        module.set_printoptions(precision=3)  # sci_mode omitted: back to automatic
    assert _printing.get_printoptions() == torch._tensor_str.get_printoptions()
    assert _printing.get_printoptions()["sci_mode"] is None


def test_printoptions_context_manager_restores():
    before = _printing.get_printoptions()
    with (
        _printing.printoptions(precision=2, sci_mode=True),
        torch._tensor_str.printoptions(precision=2, sci_mode=True),
    ):
        assert _printing.get_printoptions()["precision"] == 2
        assert_same(t([1.23456, 2.0]))
    assert _printing.get_printoptions() == before
    assert_same(t([1.23456, 2.0]))


def test_printoptions_restores_after_error():
    before = _printing.get_printoptions()
    with pytest.raises(ValueError), _printing.printoptions(linewidth=10):
        raise ValueError
    assert _printing.get_printoptions() == before


# --------------------------------------------------------------------------- Parameter, Size


@pytest.mark.parametrize("requires_grad", [True, False])
@pytest.mark.parametrize(
    "factory", [lambda: randn(3, 4, seed=40), lambda: randn(2, seed=41, dtype=f64), lambda: t(1.0)]
)
def test_format_parameter(factory, requires_grad):
    param = torch.nn.Parameter(factory(), requires_grad=requires_grad)
    text = _printing.format_parameter(param.detach().numpy(), our_dtype(param), requires_grad)
    assert text == repr(param)


@pytest.mark.parametrize("shape", [(), (0,), (3,), (2, 3), (1, 0, 5), (7, 1, 2, 3)])
def test_format_size(shape):
    assert _printing.format_size(shape) == repr(torch.Size(shape)) == str(torch.Size(shape))


def test_custom_prefix_indent():
    text = _printing.format_tensor(np.arange(30.0), dtypes.float64, prefix="Tensor(")
    expected = repr(torch.arange(30.0, dtype=f64)).replace("tensor(", "Tensor(", 1)
    assert text == expected


# --------------------------------------------------------------------------- summarising


def test_huge_tensor_prints_only_the_summary():
    data = np.ones((3000, 3000), dtype=np.float32)
    data[-1, -1] = 0.5
    text = _printing.format_tensor(data, dtypes.float32)
    assert text == repr(torch.from_numpy(data))
    assert text.count("\n") == 6


# --------------------------------------------------------------------------- properties

_DTYPES = [f16, f32, f64, i8, i16, i32, i64, u8, torch.bool]
_NP = {d: torch.empty(0, dtype=d).numpy().dtype for d in _DTYPES}


@st.composite
def tensors(draw):
    dtype = draw(st.sampled_from(_DTYPES))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=7))
    np_dtype = _NP[dtype]
    if not dtype.is_floating_point:
        return torch.from_numpy(draw(hnp.arrays(np_dtype, shape)))
    # Draw in double, then round to the dtype (overflow to inf is a fine case too).
    style = draw(st.sampled_from(["any", "int", "scaled"]))
    if style == "int":
        elements = st.integers(-3000, 3000).map(float)
    elif style == "scaled":
        exponent = draw(st.integers(-12, 12))
        elements = st.floats(-10.0, 10.0).map(lambda v: v * 10.0**exponent)
    else:
        elements = st.floats(width=np_dtype.itemsize * 8)
    elements = st.one_of(elements, st.sampled_from([0.0, -0.0, nan, inf, -inf]))
    data = draw(hnp.arrays(np.float64, shape, elements=elements))
    with np.errstate(over="ignore"):
        data = data.astype(np_dtype)
    return torch.from_numpy(data.copy())


@settings(max_examples=200, deadline=None)
@given(tensors())
def test_property_default_options(tensor):
    assert_same(tensor)


@settings(max_examples=120, deadline=None)
@given(
    tensors(),
    st.fixed_dictionaries(
        {
            "precision": st.integers(0, 8),
            "threshold": st.integers(0, 60),
            "edgeitems": st.integers(0, 4),
            "linewidth": st.integers(1, 150),
            "sci_mode": st.sampled_from([None, True, False]),
        }
    ),
    st.booleans(),
)
def test_property_with_options(tensor, opts, requires_grad):
    if requires_grad and tensor.dtype.is_floating_point:
        tensor.requires_grad_()
    torch.set_printoptions(**opts)
    _printing.set_printoptions(**opts)
    try:
        assert_same(tensor)
    finally:
        torch.set_printoptions(profile="default")
        _printing.set_printoptions(profile="default")
