"""Parity of tensor creation with PyTorch: ``tensor``'s dtype inference, conversions and errors,
memory shared with NumPy, the filled factories and the legacy constructors, and ``arange``,
``linspace`` and ``logspace`` bit for bit over many random arguments."""

import os
import warnings

os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")

import numpy as np
import pytest
import torch
from _parity import DTYPES, FLOATS, INTS, assert_parity, evaluate

import autogradviz
from autogradviz import _creation

# ---------------------------------------------------------------------- tensor() from data
TENSOR_CASES = [
    # dtype inference from Python data
    "torch.tensor(3)",
    "torch.tensor(3.5)",
    "torch.tensor(True)",
    "torch.tensor([1, 2, 3])",
    "torch.tensor([1.5, 2, 3])",
    "torch.tensor([True, False])",
    "torch.tensor([True, 1])",
    "torch.tensor([True, 1.5])",
    "torch.tensor([[1, 2], [3, 4.5]])",
    "torch.tensor(((1, 2), [3, 4]))",
    "torch.tensor([[[1], [2]], [[3], [4]]])",
    "torch.tensor(range(4))",
    "torch.tensor([])",
    "torch.tensor([[]])",
    "torch.tensor([[], []])",
    "torch.tensor([[], [1]])",
    "torch.tensor([-2**63, 2**63 - 1])",
    "torch.tensor(1e400)",
    "torch.tensor(torch.Size([2, 3]))",
    # tensors and NumPy values inside lists keep their dtype in the promotion
    "torch.tensor([torch.tensor(1.), torch.tensor(2.)])",
    "torch.tensor([torch.tensor(1), 2.5])",
    "torch.tensor([torch.tensor(1.5, dtype=torch.float64), 2])",
    "torch.tensor([torch.tensor(1, dtype=torch.int32), 2])",
    "torch.tensor([torch.tensor(1, dtype=torch.int32), torch.tensor(2, dtype=torch.int8)])",
    "torch.tensor([torch.tensor(True), 2])",
    "torch.tensor([[1, 2], torch.tensor([3, 4])])",
    "torch.tensor([np.float32(2.5), 1])",
    "torch.tensor([np.float64(2.5), 1])",
    "torch.tensor([np.int8(2), np.int16(1)])",
    "torch.tensor([np.uint8(2), np.int8(1)])",
    "torch.tensor([np.int8(2), 2.5])",
    "torch.tensor([np.float16(2), 2.5])",
    "torch.tensor([np.bool_(True), False])",
    "torch.tensor(np.bool_(True))",
    # dtype= conversions (floats truncate toward zero, checked ranges)
    "torch.tensor(3.7, dtype=torch.int64)",
    "torch.tensor([-3.7, 2.9, -0.5], dtype=torch.int32)",
    "torch.tensor([1, 2], dtype=torch.float64)",
    "torch.tensor([1, 2], dtype=float)",
    "torch.tensor([1, 2], dtype=int)",
    "torch.tensor([1, 0, 2], dtype=bool)",
    "torch.tensor([0.5, 0.0, float('nan')], dtype=torch.bool)",
    "torch.tensor([-1, 255], dtype=torch.uint8)",
    "torch.tensor([-255], dtype=torch.uint8)",
    "torch.tensor([1e10], dtype=torch.float16)",
    "torch.tensor([1e300], dtype=torch.float32)",
    "torch.tensor([2**62 + 1], dtype=torch.float32)",
    "torch.tensor([2**64], dtype=torch.float64)",
    "torch.tensor([1, 2.5, True], dtype=torch.int16)",
    "torch.tensor([np.int32(3)], dtype=torch.float32)",
    # errors
    "torch.tensor([[1, 2], [3]])",
    "torch.tensor([[1, 2], [3, 4, 5]])",
    "torch.tensor([[1], []])",
    "torch.tensor([[[1], [2]], [[3], [4, 5]]])",
    "torch.tensor([[1, 2], 3])",
    "torch.tensor([1, [2, 3]])",
    "torch.tensor([1, [2, 3]], dtype=torch.float32)",
    "torch.tensor([[1, 2], [3, [4]]])",
    "torch.tensor('a')",
    "torch.tensor(b'ab')",
    "torch.tensor(['a'])",
    "torch.tensor([1, 'a'])",
    "torch.tensor([[1], ['a']])",
    "torch.tensor(None)",
    "torch.tensor([1, None])",
    "torch.tensor([1, None], dtype=torch.float32)",
    "torch.tensor({1: 2})",
    "torch.tensor({1, 2})",
    "torch.tensor(2**63)",
    "torch.tensor([-2**63 - 1])",
    "torch.tensor([2**64], dtype=torch.int64)",
    "torch.tensor([300, -1], dtype=torch.uint8)",
    "torch.tensor([-256], dtype=torch.uint8)",
    "torch.tensor([-0.5], dtype=torch.uint8)",
    "torch.tensor([127.5], dtype=torch.int8)",
    "torch.tensor([1e10], dtype=torch.int32)",
    "torch.tensor([float('nan')], dtype=torch.int64)",
    "torch.tensor([float('inf')], dtype=torch.int16)",
    "torch.tensor([torch.tensor(1.5)], dtype=torch.int64)",
    "torch.tensor([np.float32(1.5)], dtype=torch.int64)",
    "torch.tensor([torch.tensor([1, 2]), torch.tensor([3, 4])])",
    "torch.tensor([torch.tensor([1., 2.])])",
    "torch.tensor([np.array(1.5, dtype=np.float32)])",
    "torch.tensor([1, 2], dtype=np.float32)",
    "torch.tensor([1, 2], dtype='float32')",
    "torch.tensor([1], requires_grad=True)",
    "torch.tensor([1.], requires_grad=True)",
    # from a tensor: a warning, a detached copy
    "torch.tensor(torch.tensor([1, 2]))",
    "torch.tensor(torch.tensor([1., 2.], requires_grad=True))",
    "torch.tensor(torch.tensor([1.5, -2.5]), dtype=torch.int32)",
    "torch.tensor(torch.ones(2, 3).t()).stride()",
    # as_tensor
    "torch.as_tensor([1, 2], dtype=torch.float64)",
    "torch.as_tensor(3.5)",
    "torch.as_tensor(np.float32(3.5))",
    "torch.as_tensor([[1, 2], [3]])",
    "torch.asarray([1, 2.5])",
    "torch.as_tensor(torch.tensor([1, 2]), dtype=torch.float32)",
    "torch.as_tensor(np.arange(4)[::-1])",
]


@pytest.mark.parametrize("expr", TENSOR_CASES)
def test_tensor_from_data(expr):
    assert_parity(evaluate(expr))


@pytest.mark.parametrize("expr", [
    "torch.tensor([np.array(1.5), np.array(2.5)])",
    "torch.tensor([[1, 2], np.array([3, 4])])",
    "torch.tensor([np.array([1, 2], dtype=np.int8), np.array([3, 4], dtype=np.int16)])",
])
def test_tensor_from_list_of_arrays(expr):
    """Values only: PyTorch's "extremely slow" warning is given once per process."""
    assert_parity(evaluate(expr), check_warnings=False)


@pytest.mark.parametrize("np_dtype", DTYPES)
@pytest.mark.parametrize("form", ["array", "scalar", "0-d array", "list of scalars", "2-d"])
def test_tensor_from_numpy_values(np_dtype, form):
    values = np.random.default_rng(0).normal(0, 40, size=6).astype(np_dtype)
    data = {
        "array": values,
        "scalar": values[0],
        "0-d array": np.array(values[1]),
        "list of scalars": list(values),
        "2-d": values.reshape(2, 3).T,
    }[form]
    assert_parity(lambda lib: lib.tensor(data))


@pytest.mark.parametrize("target", DTYPES)
@pytest.mark.parametrize("source", ["python floats", "python ints", "float64 array"])
def test_tensor_dtype_conversion(source, target):
    rng = np.random.default_rng(1)
    values = np.concatenate([rng.uniform(-3, 3, 6), rng.uniform(0, 120, 6), [0.0, -0.0]])
    data = {
        "python floats": values.tolist(),
        "python ints": np.trunc(values).astype(int).tolist(),
        # NumPy arrays are cast like tensors: no range checks, C conversions
        "float64 array": np.concatenate([values * 1e9, [np.nan, np.inf, 300.7, -1.5]]),
    }[source]
    assert_parity(lambda lib: lib.tensor(data, dtype=getattr(lib, target)))


def test_tensor_from_unsupported_numpy_dtypes():
    for arr in (np.array(["a"]), np.array([1, 2], dtype=object), np.zeros(2, "f4,f4")):
        assert_parity(lambda lib, arr=arr: lib.tensor(arr))


def test_tensor_errors_for_numpy_layouts():
    assert_parity(lambda lib: lib.tensor(np.arange(6).reshape(2, 3)[:, ::-1]))
    assert_parity(lambda lib: lib.from_numpy(np.array([1, 2], ">i4")))


def test_tensor_copies_its_data():
    for lib in (torch, autogradviz):
        arr = np.arange(3.0)
        t = lib.tensor(arr)
        arr[0] = 7.0
        assert t[0].item() == 0.0


# ---------------------------------------------------------------------- sharing with NumPy
@pytest.mark.parametrize("np_dtype", DTYPES)
@pytest.mark.parametrize("make", ["from_numpy", "as_tensor", "asarray"])
def test_numpy_memory_is_shared_both_ways(make, np_dtype):
    arr = np.arange(6).reshape(2, 3).astype(np_dtype)
    ours = getattr(autogradviz, make)(arr)
    theirs = getattr(torch, make)(arr.copy())
    assert str(ours.dtype) == str(theirs.dtype)
    assert ours.stride() == theirs.stride()
    arr[0, 1] = 1  # NumPy -> tensor
    assert ours[0, 1].item() == 1
    ours[1, 2] = 0  # tensor -> NumPy
    assert arr[1, 2] == 0
    assert ours.numpy() is arr or np.shares_memory(ours.numpy(), arr)  # .numpy() shares too


def test_numpy_of_a_tensor_shares_memory():
    for lib in (torch, autogradviz):
        t = lib.zeros(3)
        a = t.numpy()
        a[1] = 5.0
        assert t[1].item() == 5.0
        t[2] = 4.0
        assert a[2] == 4.0


def test_as_tensor_with_another_dtype_copies():
    for lib in (torch, autogradviz):
        arr = np.zeros(3)
        t = lib.as_tensor(arr, dtype=lib.float32)
        arr[0] = 1.0
        assert t[0].item() == 0.0


def test_from_numpy_keeps_strides():
    arr = np.arange(12.0).reshape(3, 4)
    broadcast = np.lib.stride_tricks.as_strided(arr[0], (2, 4), (0, 8))
    for view in (arr.T, arr[:, ::2], broadcast):
        assert autogradviz.from_numpy(view).stride() == torch.from_numpy(view).stride()


def test_from_numpy_rejects_other_objects():
    assert_parity(lambda lib: lib.from_numpy([1, 2]))
    assert_parity(lambda lib: lib.from_numpy(np.float64(1.0)))


# ---------------------------------------------------------------------- filled factories
FACTORY_CASES = [
    "torch.zeros(2, 3)",
    "torch.zeros((2, 3))",
    "torch.zeros([2, 3])",
    "torch.zeros(torch.Size([2, 3]))",
    "torch.zeros(np.int64(2))",
    "torch.zeros(())",
    "torch.zeros(0, 3)",
    "torch.zeros(2, dtype=torch.int32)",
    "torch.zeros(2, dtype=float)",
    "torch.zeros(2, dtype=bool)",
    "torch.zeros(2, requires_grad=True)",
    "torch.zeros(2, dtype=torch.int64, requires_grad=True)",
    "torch.zeros(2, out=torch.empty(3, dtype=torch.int64))",
    "torch.zeros(-1)",
    "torch.zeros(2, -3)",
    "torch.zeros(2.5)",
    "torch.zeros(2, 2.5)",
    "torch.zeros((2, 2.5))",
    "torch.zeros('a')",
    "torch.zeros(True)",
    "torch.zeros((2,), 3)",
    "torch.zeros(2, dtype=np.float32)",
    "torch.ones(2, 3)",
    "torch.ones((2,), dtype=torch.uint8)",
    "torch.ones(2, 2, dtype=torch.bool)",
    "torch.ones(-1)",
    "torch.ones(2, -1)",
    "torch.empty(2, 3).shape",
    "torch.empty((2, 3), dtype=torch.int64).dtype",
    "torch.empty(2, -1)",
    "torch.full((2, 3), 1.5)",
    "torch.full((2,), 1)",
    "torch.full((2,), True)",
    "torch.full([2], 1.5)",
    "torch.full(torch.Size([2]), -7)",
    "torch.full((2,), 2.7, dtype=torch.int64)",
    "torch.full((2,), -1, dtype=torch.uint8)",
    "torch.full((2,), 0.25, dtype=torch.bool)",
    "torch.full((2,), np.float64(1.5))",
    "torch.full((2,), np.int32(1))",
    "torch.full((2,), torch.tensor(1.5, dtype=torch.float64))",
    "torch.full((2,), torch.tensor(3))",
    "torch.full((2,), 300, dtype=torch.uint8)",
    "torch.full((2,), 1e10, dtype=torch.int32)",
    "torch.full((2,), float('nan'), dtype=torch.int32)",
    "torch.full((2,), 1e300, dtype=torch.float32)",
    "torch.full((2,), 1e10, dtype=torch.float16)",
    "torch.full((2,), 2**63)",
    "torch.full((2,), torch.tensor([1]))",
    "torch.full((2,), 'a')",
    "torch.full(2, 1.5)",
    "torch.full((-2,), 1.)",
    "torch.eye(3)",
    "torch.eye(2, 3)",
    "torch.eye(3, 2, dtype=torch.int64)",
    "torch.eye(3, dtype=torch.bool)",
    "torch.eye(0)",
    "torch.eye(n=2, m=3)",
    "torch.eye(-1)",
    "torch.eye(2, -1)",
    "torch.eye(2.5)",
    "torch.scalar_tensor(3)",
    "torch.scalar_tensor(True)",
    "torch.scalar_tensor(3, dtype=torch.int64)",
    "torch.zeros_like(torch.ones(2, 3, dtype=torch.int32))",
    "torch.ones_like(torch.ones(2, 3), dtype=torch.float64)",
    "torch.ones_like(torch.ones(2), requires_grad=True)",
    "torch.empty_like(torch.ones(2, 3)).shape",
    "torch.full_like(torch.ones(2, dtype=torch.int64), 2.7)",
    "torch.full_like(torch.ones(2), 7)",
    "torch.full_like(torch.ones(2, dtype=torch.uint8), -1)",
    "torch.full_like(torch.ones(2, dtype=torch.uint8), 300)",
    "torch.full_like(torch.ones(2, dtype=torch.bool), 2)",
    "torch.zeros_like([1, 2])",
    # *_like keeps a dense layout (memory_format=torch.preserve_format)
    "torch.zeros_like(torch.ones(2, 3).t()).stride()",
    "torch.zeros_like(torch.ones(2, 3, 4).permute(2, 0, 1)).stride()",
    "torch.zeros_like(torch.ones(2, 3)[:, ::2]).stride()",
    "torch.ones_like(torch.ones(3, 1).t()).stride()",
    "torch.full_like(torch.ones(2, 3).t(), 2).is_contiguous()",
    "torch.empty_strided((2, 3), (1, 2)).stride()",
]


@pytest.mark.parametrize("expr", FACTORY_CASES)
def test_filled_factories(expr):
    assert_parity(evaluate(expr))


# ---------------------------------------------------------------------- legacy constructors
LEGACY_CASES = [
    "torch.FloatTensor(2, 3).shape",
    "torch.FloatTensor((2, 3))",
    "torch.FloatTensor([[1, 2], [3, 4]])",
    "torch.FloatTensor(torch.Size([2, 3])).shape",
    "torch.FloatTensor()",
    "torch.FloatTensor([2.5, 1])",
    "torch.FloatTensor(np.array([1, 2]))",
    "torch.FloatTensor(torch.tensor([1., 2.]))",
    "torch.LongTensor([2.7, -1.2])",
    "torch.LongTensor(2).shape",
    "torch.DoubleTensor([1, 2])",
    "torch.HalfTensor([1, 2])",
    "torch.IntTensor([1, 2])",
    "torch.ShortTensor([1, 2])",
    "torch.CharTensor([1, -2])",
    "torch.ByteTensor([1, 255])",
    "torch.BoolTensor([1, 0, 2])",
    "torch.ByteTensor([1, 300])",
    "torch.IntTensor([1e10])",
    "torch.FloatTensor(2.5)",
    "torch.FloatTensor(None)",
    "torch.FloatTensor(-1)",
    "torch.FloatTensor([[1, 2], [3]])",
    "torch.FloatTensor(torch.tensor([1, 2]))",
    "torch.LongTensor(torch.tensor([1., 2.]))",
    "torch.FloatTensor.dtype",
    "torch.LongTensor.dtype",
    "torch.FloatTensor.is_cuda",
    "isinstance(torch.tensor([1.]), torch.FloatTensor)",
    "isinstance(torch.tensor([1]), torch.FloatTensor)",
    "isinstance(torch.tensor([1]), torch.LongTensor)",
    "isinstance(torch.tensor(True), torch.BoolTensor)",
    "isinstance(torch.FloatTensor(2), torch.Tensor)",
    "torch.Tensor(2, 3).shape",
    "torch.Tensor([1, 2])",
    "torch.Tensor()",
    "torch.Tensor(torch.Size([2, 2])).shape",
    "torch.Tensor([True])",
    "torch.Tensor(np.array([1, 2]))",
    "torch.Tensor(torch.tensor([1, 2]))",
    "torch.Tensor(2.5)",
    "torch.Tensor(2, 3.5)",
    "torch.Tensor(-1)",
]


@pytest.mark.parametrize("expr", LEGACY_CASES)
def test_legacy_constructors(expr):
    assert_parity(evaluate(expr))


def test_legacy_constructor_rejects_dtype():
    """PyTorch's message then lists the signatures; the first line names what was given."""
    msgs = []
    for lib in (autogradviz, torch):
        with pytest.raises(TypeError) as info:
            lib.FloatTensor(2, 3, dtype=lib.float64)
        msgs.append(str(info.value).split(", but expected")[0])
    assert msgs[0] == msgs[1]


# ---------------------------------------------------------------------- default dtype
@pytest.fixture
def default_float64():
    for lib in (torch, autogradviz):
        lib.set_default_dtype(lib.float64)
    yield
    for lib in (torch, autogradviz):
        lib.set_default_dtype(lib.float32)


@pytest.mark.parametrize("expr", [
    "torch.tensor([1.5, 2])",
    "torch.tensor([1, 2])",
    "torch.tensor([])",
    "torch.tensor([np.float32(1.5)])",
    "torch.arange(0.5, 3)",
    "torch.arange(3)",
    "torch.linspace(0, 1, 4)",
    "torch.logspace(0, 1, 3)",
    "torch.zeros(2)",
    "torch.full((2,), 1.5)",
    "torch.eye(2)",
    "torch.Tensor([1, 2])",
    "torch.get_default_dtype()",
])
def test_default_dtype_float64(default_float64, expr):
    assert_parity(evaluate(expr))


# ---------------------------------------------------------------------- ranges
RANGE_CASES = [
    "torch.arange(5)",
    "torch.arange(1, 4)",
    "torch.arange(1, 2.5, 0.5)",
    "torch.arange(0, 1, 0.1)",
    "torch.arange(5, 2, -1)",
    "torch.arange(3, 3)",
    "torch.arange(end=5)",
    "torch.arange(1, end=5, step=2)",
    "torch.arange(True)",
    "torch.arange(np.float32(2.5))",
    "torch.arange(torch.tensor(5))",
    "torch.arange(torch.tensor(5.))",
    "torch.arange(0.5, 5.5, dtype=torch.int64)",
    "torch.arange(-0.5, 5.7, 1.5, dtype=torch.int32)",
    "torch.arange(0, 3, 1.5, dtype=torch.int64)",
    "torch.arange(0, 3, 1.5, dtype=torch.int16)",
    "torch.arange(0, 3, 0.5, dtype=torch.int32)",
    "torch.arange(0.9, dtype=torch.int64)",
    "torch.arange(0.9, dtype=torch.int32)",
    "torch.arange(-1.5, 3, dtype=torch.uint8)",
    "torch.arange(300, 303, dtype=torch.uint8)",
    "torch.arange(200., 205, dtype=torch.int8)",
    "torch.arange(0, 1e10, 1e9, dtype=torch.int16)",
    "torch.arange(0, 2**62, 2**61)",
    "torch.arange(-2**63, 2**63 - 1, 2**62)",
    "torch.arange(2**63 - 3, 2**63 - 1, 2)",
    "torch.arange(0, 10, float('inf'))",
    "torch.arange(0, 1.5e20, 1e19)",
    "torch.arange(0, 1, 0.1, dtype=torch.float16)",
    "torch.arange(70000., 70001., dtype=torch.float16)",
    "torch.arange(5, dtype=torch.float64, requires_grad=True)",
    "torch.arange(3, out=torch.empty(3, dtype=torch.int32))",
    "torch.arange(0, 5, out=torch.empty(2))",
    # errors
    "torch.arange(5, dtype=torch.bool)",
    "torch.arange(0, 10, 0)",
    "torch.arange(0, 10, float('nan'))",
    "torch.arange(0, 10, -1)",
    "torch.arange(-0.9)",
    "torch.arange(0, float('inf'))",
    "torch.arange(float('nan'), 5)",
    "torch.arange(0.123456789, float('inf'))",
    "torch.arange(123456789.5, float('inf'))",
    "torch.arange(1e-7, float('-inf'))",
    "torch.arange(0, 1e300, 1e-300)",
    "torch.arange(0, 1, 1e-20)",
    "torch.arange(0, 2**63 - 1, 2**62)",
    "torch.arange(-2**63, 0, 2**62)",
    "torch.arange(0, 3, 0.5, dtype=torch.int64)",
    "torch.arange(0, -10, -0.99, dtype=torch.int64)",
    "torch.arange(0, 3, -0.5, dtype=torch.int64)",
    "torch.arange(0, 1e19, dtype=torch.int64)",
    "torch.arange(0, 10, 1e19, dtype=torch.int32)",
    "torch.arange(0, 2**63)",
    "torch.arange(1e300, 1e300 + 1, dtype=torch.float16)",
    "torch.arange(5, requires_grad=True)",
    "torch.arange('a')",
    "torch.arange(torch.tensor([5.]))",
    "torch.linspace(0, 1, 5)",
    "torch.linspace(-3, 3, 4, dtype=torch.uint8)",
    "torch.linspace(-255, 3, 3, dtype=torch.uint8)",
    "torch.linspace(0, 3.7, 5, dtype=torch.int64)",
    "torch.linspace(0, 2, 1, dtype=torch.bool)",
    "torch.linspace(5, 2, 1, dtype=torch.bool)",
    "torch.linspace(0.7, 2, 1, dtype=torch.int64)",
    "torch.linspace(0, 1, 0)",
    "torch.linspace(0, float('inf'), 4)",
    "torch.linspace(0, float('nan'), 3)",
    "torch.linspace(0, 1e300, 5, dtype=torch.float64)",
    "torch.linspace(torch.tensor(0), torch.tensor(2), 3)",
    "torch.linspace(0, 2, torch.tensor(3))",
    "torch.linspace(0, 2, 3, requires_grad=True)",
    "torch.linspace(0, 1, 3, out=torch.empty(3, dtype=torch.float64))",
    "torch.linspace(0, 2, -1)",
    "torch.linspace(0, 2, 3, dtype=torch.bool)",
    "torch.linspace(0, 1e300, 5)",
    "torch.linspace(0, 1e6, 3, dtype=torch.float16)",
    "torch.linspace(0, 1e6, 3, dtype=torch.int16)",
    "torch.linspace(0, 1e10, 3, dtype=torch.int32)",
    "torch.linspace(0, 1e19, 3, dtype=torch.int64)",
    "torch.linspace(-1., 3, 3, dtype=torch.uint8)",
    "torch.linspace(-256, 3, 3, dtype=torch.uint8)",
    "torch.linspace(127.5, 3, 3, dtype=torch.int8)",
    "torch.linspace(0, float('nan'), 3, dtype=torch.int32)",
    "torch.linspace(300, 2, 1, dtype=torch.uint8)",
    "torch.logspace(0, 2, 3)",
    "torch.logspace(0, 2, 3, base=2)",
    "torch.logspace(-1, 1, 3, base=-2.)",
    "torch.logspace(0, 400, 3)",
    "torch.logspace(1e300, 1e300, 1)",
    "torch.logspace(0, 5, 6, dtype=torch.float16)",
    "torch.logspace(0, 400, 3, dtype=torch.int64)",
    "torch.logspace(0, 40, 2, dtype=torch.int32)",
    "torch.logspace(0, 40, 2, dtype=torch.uint8)",
    "torch.logspace(0, 10, 2, dtype=torch.int8)",
    "torch.logspace(0, 2.5, 2, dtype=torch.int16)",
    "torch.logspace(2.5, 2.5, 1, dtype=torch.int16)",
    "torch.logspace(2.5, 2.5, 1, dtype=torch.int8)",
    "torch.logspace(0, 2, 3, dtype=torch.bool)",
    "torch.logspace(0, 2, -1)",
    # extremes: overflow, subnormals, infinities and NaNs
    "torch.linspace(0, 1e308, 5, dtype=torch.float64)",
    "torch.linspace(-1.7e308, 1.7e308, 5, dtype=torch.float64)",
    "torch.linspace(1e300, 1e301, 7, dtype=torch.float64)",
    "torch.linspace(-3e38, 3e38, 5)",
    "torch.linspace(5e-324, 1e-323, 5, dtype=torch.float64)",
    "torch.linspace(0, 1e-310, 7, dtype=torch.float64)",
    "torch.linspace(0, 1e-40, 7)",
    "torch.linspace(-float('inf'), float('inf'), 5, dtype=torch.float64)",
    "torch.linspace(float('nan'), 1, 5, dtype=torch.float64)",
    "torch.linspace(float('nan'), 1, 5, dtype=torch.float16)",
    "torch.linspace(-float('inf'), 1, 5, dtype=torch.float16)",
    "torch.arange(-1e308, 1e308, 1e307, dtype=torch.float64)",
    "torch.arange(0, 3e38, 1e37)",
    "torch.arange(0, 1e-310, 1e-311, dtype=torch.float64)",
    "torch.arange(0, 1e-40, 1e-41)",
    "torch.logspace(float('nan'), 1, 5, dtype=torch.float64)",
    "torch.logspace(-400, 400, 5, dtype=torch.float64)",
    "torch.logspace(-1, 1, 5, base=0.0)",
    "torch.logspace(-1, 1, 4, base=-2.0)",
    "torch.logspace(0, 1, 5, base=float('inf'))",
    "torch.logspace(0, 2, 5, base=float('nan'), dtype=torch.int32)",
]


@pytest.mark.parametrize("expr", RANGE_CASES)
def test_range_cases(expr):
    assert_parity(evaluate(expr))


def random_range_args(rng, dtype):
    """(start, end, step) for arange and (start, end) for linspace, suited to ``dtype``."""
    if dtype in FLOATS:
        scale = 50.0 if dtype == "float16" else 10.0 ** rng.integers(-3, 4)
        start = float(rng.uniform(-1, 1) * scale)
        step = float(rng.uniform(1e-3, 2) * rng.choice([-1, 1]) * scale / 10)
        count = int(rng.integers(0, 300))
        end = start + step * count * float(rng.uniform(0.95, 1.05))
        return start, end, step
    lo, hi = (0, 256) if dtype == "uint8" else (-128, 128) if dtype == "int8" else (-3e4, 3e4)
    start, end = int(rng.integers(lo, hi)), int(rng.integers(lo, hi))
    step = int(rng.integers(1, 9)) * (1 if end >= start else -1)
    if rng.random() < 0.3:  # fractional bounds and steps for an integer dtype
        start, step = start + 0.5, step * 1.25
    return start, end, step


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("dtype", FLOATS + INTS)
def test_arange_is_bit_identical(dtype, seed):
    rng = np.random.default_rng(seed)
    for _ in range(25):
        start, end, step = random_range_args(rng, dtype)
        assert_parity(lambda lib, a=(start, end, step): lib.arange(*a, dtype=getattr(lib, dtype)))


@pytest.mark.parametrize("n", [32769, 40001, 65537, 100003])
@pytest.mark.parametrize("dtype", FLOATS)
def test_arange_split_over_threads_is_bit_identical(dtype, n):
    """Above ATen's grain size the range is split over threads; each chunk restarts the vector
    loop, and that shows in the last bits."""
    assert torch.get_num_threads() == _creation._NUM_THREADS
    rng = np.random.default_rng(n)
    start, step = float(rng.uniform(-10, 10)), float(rng.uniform(1e-4, 1e-2))
    assert_parity(lambda lib: lib.arange(start, start + step * n, step, dtype=getattr(lib, dtype)))


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("dtype", FLOATS + INTS)
def test_linspace_is_bit_identical(dtype, seed):
    rng = np.random.default_rng(100 + seed)
    for _ in range(25):
        start, end, _ = random_range_args(rng, dtype)
        if dtype in INTS:
            start = int(start)
        steps = int(rng.integers(0, 400))
        assert_parity(lambda lib, a=(start, end, steps): lib.linspace(*a,
                                                                      dtype=getattr(lib, dtype)))


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("dtype", FLOATS + INTS)
def test_logspace_is_bit_identical(dtype, seed):
    rng = np.random.default_rng(200 + seed)
    for _ in range(25):
        if dtype in FLOATS:
            start, end = (float(v) for v in rng.uniform(-4, 4, 2))
        else:
            start, end = (int(v) for v in rng.integers(0, 4, 2))
        steps = int(rng.integers(0, 100))
        base = float(rng.choice([10.0, 2.0, np.e, rng.uniform(0.1, 5)]))
        assert_parity(lambda lib, a=(start, end, steps), b=base: lib.logspace(
            *a, base=b, dtype=getattr(lib, dtype)))


RANDINT_CALLS = [
    "randint(high=10, size=(3,))",
    "randint(low=2, high=10, size=(3,))",
    "randint(2, high=10, size=(2, 2))",
    "randint(10, size=(3,))",
    "randint(2, 10, size=(3,))",
    "randint(-5, 5, (4,), dtype=lib.int32)",
    "randint(low=2, size=(3,))",
]


@pytest.mark.parametrize("call", RANDINT_CALLS)
def test_randint_argument_forms(call):
    """Positional and keyword ``low``/``high`` draw the same numbers (or fail the same way)."""
    results = []
    for lib in (torch, autogradviz):
        lib.manual_seed(3)
        try:
            results.append(repr(eval("lib." + call, {"lib": lib})))
        except TypeError as err:
            results.append(f"TypeError: {err}")
    assert results[0] == results[1]


RANDOM_OUT_CALLS = [
    "rand(2, 2, out=out)",  # the intro tutorial's "works for creation too!"
    "rand(3, out=out)",  # resized, without a warning
    "rand(2, 2, out=out.double())",
    "randn(2, 3, out=out)",
    "randint(0, 10, (4,), out=out.long())",
    "rand(2, 2, out=out, dtype=lib.float64)",
    "rand(2, 2, out=out.long())",
    "rand(2, 2, out=out.requires_grad_())",
    "randn(2, out=out.requires_grad_())",
    "randint(3, (2, 2), out=out.requires_grad_())",
]


@pytest.mark.parametrize("call", RANDOM_OUT_CALLS)
def test_random_factories_into_out(call):
    """``out=`` receives the numbers (in its dtype) and is returned, or PyTorch's error."""
    results = []
    for lib in (torch, autogradviz):
        lib.manual_seed(5)
        out = lib.zeros(2, 2)
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                result = eval("lib." + call, {"lib": lib, "out": out})
            results.append((repr(result), result._version, [str(w.message) for w in caught]))
        except (RuntimeError, NotImplementedError) as err:
            results.append(f"{type(err).__name__}: {err}")
    assert results[0] == results[1]


NEW_FACTORY_CASES = [
    "torch.tensor([1, 2]).new_ones(2, 3)",
    "torch.tensor([1, 2]).new_ones((2,))",
    "torch.tensor([5.5, 3]).new_ones(5, 3, dtype=torch.double)",  # the blitz tutorial's
    "torch.tensor([1, 2]).new_zeros([1, 2], dtype=torch.float64)",
    "torch.ones(2, dtype=torch.float64).new_zeros(())",
    "torch.tensor([1, 2]).new_full((2,), 3.5)",
    "torch.tensor([1., 2.]).new_full((2, 1), 7)",
    "torch.tensor([1, 2]).new_full(2, 3)",
    "torch.tensor([1, 2]).new_empty(2).shape",
    "torch.tensor([1, 2]).new_tensor([1.5, 2])",
    "torch.ones(2).new_tensor([1, 2])",
    "torch.tensor([1, 2]).new_tensor(torch.tensor([1., 2.]))",
    "torch.tensor([1, 2]).new_ones(2, requires_grad=True)",
    "torch.ones(2).new_ones(2, requires_grad=True)",
    "torch.ones(2, requires_grad=True).new_ones(2)",
    "torch.ones(2, requires_grad=True).new_tensor([3.])",
]


@pytest.mark.parametrize("expr", NEW_FACTORY_CASES)
def test_new_factories(expr):
    """``t.new_ones`` & co: ``t``'s dtype unless one is given; ``new_tensor`` of a tensor warns."""
    assert_parity(evaluate(expr))


# Found by random programs (tests/test_random_programs.py): random numbers fill a
# non-contiguous tensor in memory order, and *_like keep the input's layout (empty_like).
RANDOM_LAYOUT_CASES = [
    f"(lambda x: ({fill}, x)[1])(torch.zeros(3, 4){view})"
    for fill in ("x.uniform_()", "x.normal_()", "x.exponential_()")
    for view in ("", ".mT", "[:, ::2]", ".permute(1, 0)[1:]")
] + [
    f"torch.{like}(torch.zeros(2, 3, 4){view})"
    for like in ("rand_like", "randn_like", "zeros_like")
    for view in (".permute(2, 0, 1)", ".permute(1, 0, 2)[::2]", "[:, :1].mT", ".mT[..., 1:]")
] + [
    "torch.zeros(1, 5, 4, dtype=torch.float64).expand(3, 5, 4).float()",
    "torch.zeros(3, 4).mT.double()",
    "torch.zeros(3, dtype=torch.float64).copy_(1e-3)",
    "torch.zeros(3, dtype=torch.float16).copy_(0.1)",
]


@pytest.mark.parametrize("expr", RANDOM_LAYOUT_CASES)
def test_random_fill_order_and_layout(expr):
    assert_parity(lambda lib: (lib.manual_seed(5), evaluate(expr)(lib))[1])
