"""Parity of Tensor attributes and conversions with PyTorch: shape and ``Size``, strides, dtypes
and devices, ``item``/``tolist``/``numpy``, dtype conversions bit for bit, Python protocols
(``bool``, ``int``, ``len``, ``__index__``, ``format``), and the promotion functions."""

import os

os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")

import itertools

import numpy as np
import pytest
import torch
from _parity import DTYPES, assert_parity, evaluate

import autogradviz

# ---------------------------------------------------------------------- attributes
ATTRIBUTE_CASES = [
    # shape and Size
    "torch.ones(2, 3).shape",
    "str(torch.ones(2, 3).shape)",
    "torch.tensor(5).shape",
    "torch.ones(2, 3).size()",
    "torch.ones(2, 3, 4).size(1)",
    "torch.ones(2, 3, 4).size(-1)",
    "torch.ones(2, 3, 4).size(-3)",
    "torch.tensor(5).size(0)",
    "torch.ones(2, 3, 4).size(3)",
    "torch.ones(2, 3, 4).size(-4)",
    "torch.ones(2, 3, 4).size(1.0)",
    "torch.Size([2, 3])",
    "torch.Size([])",
    "torch.Size((2, 3))",
    "torch.Size([2, 3, 4])[1:]",
    "torch.Size([2, 3, 4])[::-1]",
    "torch.Size([2, 3, 4])[0]",
    "torch.Size([2, 3, 4])[-1]",
    "torch.Size([2, 3]) == (2, 3)",
    "(2, 3) == torch.Size([2, 3])",
    "torch.Size([2, 3]) == [2, 3]",
    "torch.Size([2, 3]) != (3, 2)",
    "torch.ones(2, 3).shape == torch.Size([2, 3])",
    "torch.Size([2, 3]) + (4,)",
    "(1,) + torch.Size([2, 3])",
    "torch.Size([2, 3]) + torch.Size([4])",
    "torch.Size([2, 3]) * 2",
    "torch.Size([2, 3]).numel()",
    "torch.Size([]).numel()",
    "torch.Size([2, 3]).count(2)",
    "torch.Size([2, 3]).index(3)",
    "hash(torch.Size([2, 3])) == hash((2, 3))",
    "isinstance(torch.Size([2]), tuple)",
    "list(torch.Size([2, 3]))",
    "len(torch.ones(2, 3, 4).shape)",
    # dims and sizes
    "torch.ones(2, 3).dim()",
    "torch.ones(2, 3).ndim",
    "torch.tensor(1).ndim",
    "torch.ones(2, 3).ndimension()",
    "torch.ones(2, 3).numel()",
    "torch.ones(0, 3).numel()",
    "torch.tensor(1).numel()",
    "torch.ones(2, 3).nelement()",
    "torch.numel(torch.ones(4, 5))",
    "torch.ones(2, dtype=torch.float16).element_size()",
    "torch.ones(2, dtype=torch.int64).element_size()",
    "torch.ones(3, dtype=torch.float64).itemsize",
    "torch.ones(3, dtype=torch.float64).nbytes",
    # dtypes
    "torch.ones(2).dtype",
    "str(torch.ones(2, dtype=torch.float64).dtype)",
    "torch.float is torch.float32",
    "torch.double is torch.float64",
    "torch.half is torch.float16",
    "torch.long is torch.int64",
    "torch.int is torch.int32",
    "torch.short is torch.int16",
    "[torch.bool, torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64]",
    "[torch.float16, torch.float32, torch.float64]",
    "str(torch.float)",
    "torch.float32.is_floating_point",
    "torch.int32.is_floating_point",
    "torch.int32.is_signed",
    "torch.uint8.is_signed",
    "torch.bool.is_signed",
    "torch.float32.itemsize",
    "torch.float16.is_complex",
    "torch.ones(2).is_floating_point()",
    "torch.ones(2, dtype=torch.int64).is_floating_point()",
    "torch.is_floating_point(torch.ones(2))",
    "torch.ones(2, dtype=torch.uint8).is_signed()",
    "torch.ones(2).is_complex()",
    "torch.is_tensor(torch.ones(2))",
    "torch.is_tensor([1])",
    # devices
    "torch.ones(2).device",
    "str(torch.ones(2).device)",
    "torch.ones(2).device.type",
    "torch.ones(2).device.index",
    "torch.device('cpu')",
    "torch.device('cpu', 0)",
    "torch.device('cpu:0')",
    "str(torch.device('cpu:0'))",
    "torch.device('cpu') == torch.device('cpu')",
    "torch.device('cpu') == torch.device('cpu', 0)",
    "torch.device('cpu') == 'cpu'",
    "torch.ones(2).device == torch.device('cpu')",
    "torch.ones(2).is_cuda",
    "torch.ones(2).is_cpu",
    "torch.ones(2).cpu().dtype",
    # transposes (x.T's deprecation warnings are PyTorch's once-per-process ones: see below)
    "torch.arange(6).reshape(2, 3).T",
    "torch.arange(24).reshape(2, 3, 4).mT.shape",
    "torch.arange(6).reshape(2, 3).mT",
    "torch.arange(3).mT",
    "torch.arange(6).reshape(2, 3).H.shape",
    "torch.arange(24).reshape(2, 3, 4).mH.shape",
    # strides and contiguity
    "torch.ones(2, 3, 4).stride()",
    "torch.ones(2, 3, 4).stride(0)",
    "torch.ones(2, 3, 4).stride(-1)",
    "torch.ones(2, 3, 4).stride(3)",
    "torch.tensor(1).stride()",
    "torch.ones(2, 3).t().stride()",
    "torch.ones(4, 6)[::2, 1::3].stride()",
    "torch.ones(3, 1).expand(3, 4).stride()",
    "torch.ones(2, 3).is_contiguous()",
    "torch.ones(2, 3).t().is_contiguous()",
    "torch.ones(2, 3)[:, 1].is_contiguous()",
    "torch.ones(2, 3)[:, 1:2].is_contiguous()",
    "torch.ones(2, 3)[1].is_contiguous()",
    "torch.ones(3, 1).t().is_contiguous()",
    "torch.ones(0, 3).t().is_contiguous()",
    "torch.ones(3, 1).expand(3, 4).is_contiguous()",
    "torch.ones(2, 3).t().contiguous().stride()",
    "torch.ones(4, 6)[1:, 2:].storage_offset()",
    # item, tolist, numpy
    "torch.tensor(3.5).item()",
    "torch.tensor([[3.5]]).item()",
    "torch.tensor(3).item()",
    "torch.tensor(True).item()",
    "torch.tensor(3, dtype=torch.uint8).item()",
    "torch.tensor(0.1, dtype=torch.float16).item()",
    "torch.tensor(0.1).item()",
    "torch.tensor(0.1, dtype=torch.float64).item()",
    "torch.tensor(-2**63).item()",
    "torch.tensor([1, 2]).item()",
    "torch.tensor([]).item()",
    "torch.tensor([[1, 2], [3, 4]], dtype=torch.int8).tolist()",
    "torch.tensor([[0.1, 2.5]]).tolist()",
    "torch.tensor([True, False]).tolist()",
    "torch.tensor(2.5).tolist()",
    "torch.ones(2, 0).tolist()",
    "torch.tensor([1.5, 2.5]).numpy()",
    "torch.tensor(3.5).numpy()",
    "torch.tensor([1, 2], dtype=torch.int16).numpy()",
    "torch.tensor([True]).numpy()",
    "torch.ones(2, 3).t().numpy().strides",
    "torch.tensor([1.], requires_grad=True).numpy()",
    "torch.tensor([1.], requires_grad=True).numpy(force=True)",
    "torch.tensor([1.], requires_grad=True).detach().numpy()",
    # type() and to()
    "torch.tensor([1, 2]).type()",
    "torch.tensor([1., 2.]).type()",
    "[torch.ones(1, dtype=getattr(torch, d)).type() for d in ['bool', 'uint8', 'int8', "
    "'int16', 'int32', 'int64', 'float16', 'float32', 'float64']]",
    "torch.tensor([1.5, 2.]).type(torch.int32)",
    "torch.tensor([1.5, 2.]).type('torch.IntTensor')",
    "torch.tensor([1.5, 2.]).type('torch.DoubleTensor')",
    "torch.tensor([1.5, 2.]).type(torch.LongTensor)",
    "torch.tensor([1, 2]).type(torch.FloatTensor)",
    "torch.tensor([1., 2.]).type('int')",
    "torch.tensor([1., 2.]).type('torch.Float')",
    "torch.tensor([1., 2.]).type(np.int32)",
    "torch.tensor([1., 2.]).type(float)",
    "torch.tensor([1.5, 2.]).to(torch.float64)",
    "torch.tensor([1.5, 2.]).to(dtype=torch.int16)",
    "torch.tensor([1.5, 2.]).to('cpu', torch.float64)",
    "torch.tensor([1.5, 2.]).to(torch.device('cpu'), dtype=torch.int8)",
    "torch.tensor([1.5, 2.]).to(torch.tensor([1]))",
    "torch.tensor([1.5, 2.]).to(float)",
    "torch.tensor([1.5, 2.]).to(int)",
    "torch.tensor([1.5, 2.]).to(bool)",
    "torch.tensor([1.5, 2.]).to(torch.float64, copy=True)",
    "torch.tensor([1.5, 2.]).type_as(torch.tensor([1]))",
    "(lambda t: t.to(torch.float32) is t)(torch.ones(2))",
    "(lambda t: t.to(torch.float32, copy=True) is t)(torch.ones(2))",
    "(lambda t: t.float() is t)(torch.ones(2))",
    "(lambda t: t.to(torch.float64) is t)(torch.ones(2))",
    "torch.ones(2, 3).t().to(torch.float64).stride()",
    "torch.ones(2, 3)[:, ::2].to(torch.float64).stride()",
    # Python protocols
    "bool(torch.tensor([0.]))",
    "bool(torch.tensor(3))",
    "bool(torch.tensor([[True]]))",
    "bool(torch.tensor(float('nan')))",
    "bool(torch.tensor([1, 2]))",
    "bool(torch.tensor([]))",
    "int(torch.tensor(2.7))",
    "int(torch.tensor(-2.7))",
    "int(torch.tensor([[7]]))",
    "int(torch.tensor(True))",
    "int(torch.tensor([1, 2]))",
    "int(torch.tensor(float('nan')))",
    "int(torch.tensor(float('inf')))",
    "float(torch.tensor(3))",
    "float(torch.tensor([2.5]))",
    "float(torch.tensor(0.1))",
    "float(torch.tensor([1., 2.]))",
    "float(torch.tensor([]))",
    "complex(torch.tensor(1.5))",
    "len(torch.ones(3, 2))",
    "len(torch.ones(0))",
    "len(torch.tensor(1))",
    "list(torch.tensor([1, 2]))",
    "[t.shape for t in torch.ones(2, 3)]",
    "iter(torch.tensor(1))",
    "operator.index(torch.tensor(2))",
    "operator.index(torch.tensor([2]))",
    "operator.index(torch.tensor(True))",
    "operator.index(torch.tensor(2, dtype=torch.uint8))",
    "operator.index(torch.tensor(2.))",
    "operator.index(torch.tensor([1, 2]))",
    "[10, 20, 30][torch.tensor(1)]",
    "[10, 20, 30][torch.tensor([-1])]",
    "list(range(torch.tensor(3)))",
    "hex(torch.tensor(255))",
    "format(torch.tensor(2.5), '.2f')",
    "format(torch.tensor(2.5, dtype=torch.float64), '.3e')",
    "format(torch.tensor(2), '05d')",
    "format(torch.tensor(True))",
    "format(torch.tensor(2.5))",
    "format(torch.tensor(0.1))",
    "f'{torch.tensor(7):>4}'",
    "format(torch.tensor([2.5]), '.2f')",
    "format(torch.tensor([2.5]))",
    "'{}'.format(torch.tensor([1, 2]))",
    # the classes' names, as print(type(x)) shows them
    "repr(type(torch.ones(2)))",
    "repr(type(torch.ones(2).shape))",
    "repr(type(torch.float32))",
    "repr(type(torch.device('cpu')))",
    "repr(type(torch.nn.Parameter(torch.ones(1))))",
    "torch.Tensor.__module__",
    # and pickling still finds them
    "__import__('pickle').loads(__import__('pickle').dumps(torch.ones(2, 3).shape))",
    "__import__('pickle').loads(__import__('pickle').dumps(torch.device('cpu')))",
    "__import__('pickle').loads(__import__('pickle').dumps(torch.ones(2)))",
    # closeness: PyTorch's formula in its dtypes, and its checks
    "torch.allclose(torch.tensor([1.0]), torch.tensor([1.0 + 1e-9]))",
    "torch.allclose(torch.tensor([1.0]), torch.tensor([1.0], dtype=torch.float64))",
    "torch.allclose(torch.tensor([1, 2]), torch.tensor([1, 2]))",
    "torch.allclose(torch.ones(2, 3), torch.ones(3))",
    "torch.allclose(torch.ones(2, 3), torch.ones(2))",
    "torch.allclose(torch.tensor([True]), torch.tensor([True]))",
    "torch.allclose(torch.tensor([float('nan')]), torch.tensor([float('nan')]))",
    "torch.allclose(torch.tensor([float('nan')]), torch.tensor([float('nan')]), equal_nan=True)",
    "torch.isclose(torch.tensor([1., 2., float('inf')]), torch.tensor([1., 2.1, float('inf')]))",
    "torch.isclose(torch.tensor([1, 2]), torch.tensor([1., 2.]))",
    "torch.isclose(torch.tensor([1., 2.]), 2.)",
    "torch.isclose(torch.tensor([1, 2]), torch.tensor([1, 3]), rtol=0.5)",
    "torch.isclose(torch.tensor([1, 2]), torch.tensor([1, 3]), rtol=0, atol=0)",
    "torch.isclose(torch.tensor([1.]), torch.tensor([1.]), rtol=-1)",
    "torch.isclose(torch.tensor([1.]), torch.tensor([1.]), atol=-1)",
    "torch.isclose(torch.tensor([1e-3, 1.], dtype=torch.float16),"
    " torch.tensor([1.001e-3, 1.001], dtype=torch.float16))",
    "torch.equal(torch.tensor([1, 2]), torch.tensor([1., 2.]))",
    "torch.equal(torch.tensor([1, 2]), torch.tensor([[1, 2]]))",
    "torch.tensor([1., 2.]).allclose(torch.tensor([1., 2.]))",
    "torch.tensor([1., 2.]).isclose(torch.tensor([1., 2.5]), atol=0.6)",
    "torch.tensor([1, 2]).equal(torch.tensor([1, 2]))",
    "torch.tensor([0.]).is_nonzero()",
    "torch.tensor([]).is_nonzero()",
    "torch.tensor([1, 2]).is_nonzero()",
    "torch.tensor(3).is_nonzero()",
    "torch.ones(2).get_device()",
    "torch.ones(2).is_same_size(torch.ones(2))",
    "torch.ones(2).is_same_size(torch.ones(1, 2))",
    # finfo / iinfo
    *[f"(repr(torch.finfo(torch.{d})), torch.finfo(torch.{d}).eps, torch.finfo(torch.{d}).max, "
      f"torch.finfo(torch.{d}).tiny, torch.finfo(torch.{d}).resolution, "
      f"torch.finfo(torch.{d}).bits, torch.finfo(torch.{d}).dtype)"
      for d in ("float16", "float32", "float64")],
    *[f"(repr(torch.iinfo(torch.{d})), torch.iinfo(torch.{d}).min, torch.iinfo(torch.{d}).max, "
      f"torch.iinfo(torch.{d}).bits, torch.iinfo(torch.{d}).dtype)"
      for d in ("uint8", "int8", "int16", "int32", "int64")],
    "torch.finfo() == torch.finfo(torch.float32)",
    "repr(type(torch.finfo()))",
    "torch.finfo(torch.int32)",
    "torch.finfo(3)",
    "torch.iinfo(torch.float32)",
    "torch.iinfo(torch.bool)",
    "torch.is_nonzero(torch.tensor([2]))",
    "torch.is_nonzero(torch.tensor([1, 2]))",
    "torch.is_nonzero(3)",
    "torch.typename(torch.ones(2))",
    "torch.typename(torch.ones(2, dtype=torch.int64))",
    "torch.typename(3.5)",
    "torch.typename(torch.float32)",
    "(torch.use_deterministic_algorithms(True, warn_only=True),"
    " torch.are_deterministic_algorithms_enabled(),"
    " torch.is_deterministic_algorithms_warn_only_enabled(),"
    " torch.use_deterministic_algorithms(False), torch.are_deterministic_algorithms_enabled())",
    "torch.use_deterministic_algorithms(1)",
    "torch.use_deterministic_algorithms(True, warn_only=1)",
    # a device type PyTorch does not know
    "torch.device('gpu')",
    "torch.rand(2, device='gpu:0')",
]


@pytest.mark.parametrize("expr", ATTRIBUTE_CASES)
def test_attributes(expr):
    assert_parity(evaluate(expr))


@pytest.mark.parametrize("expr", [
    "torch.tensor(5).T",
    "torch.arange(3).T",
    "torch.arange(24).reshape(2, 3, 4).T",
])
def test_transpose_of_other_than_2d(expr):
    """Values only: PyTorch warns once per process (TORCH_WARN_ONCE), so whether it warns here
    depends on what ran before."""
    assert_parity(evaluate(expr), check_warnings=False)


# ---------------------------------------------------------------------- conversions
CONVERSIONS = ["float", "double", "half", "long", "int", "short", "char", "byte", "bool"]


def conversion_source(dtype):
    """Seeded values for a ``dtype``: random ones across magnitudes plus the awkward ones (NaN,
    infinities, -0.0, values beyond the smaller integer types, fractions to truncate)."""
    rng = np.random.default_rng(DTYPES.index(dtype))
    values = rng.normal(size=40) * 10.0 ** rng.integers(-3, 12, 40)
    special = [np.nan, np.inf, -np.inf, -0.0, 0.5, -0.5, -1.7, 2.9, 127.5, 128, 255.9, 256,
               300.7, -129, 32768, 65504, 65520, 2.0**31, -(2.0**31) - 1, 1e10, 2.0**63, 1e300]
    values = np.concatenate([values, special])
    if dtype in ("bool", "uint8", "int8", "int16", "int32", "int64"):
        values = np.concatenate([rng.integers(-(2**63), 2**63 - 1, 40, dtype=np.int64),
                                 [0, 1, -1, 127, 128, 255, 256, -129, 2**31, -(2**63)]])
    with np.errstate(all="ignore"):
        return values.astype(dtype)


@pytest.mark.parametrize("method", CONVERSIONS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_conversion_methods(dtype, method):
    """``t.float()``, ``t.long()``... agree bit for bit, out-of-range and NaN values included
    (PyTorch's CPU casts are C's conversions, which are deterministic on x86)."""
    values = conversion_source(dtype)
    assert_parity(lambda lib: getattr(lib.from_numpy(values.copy()), method)())


@pytest.mark.parametrize("dtype", DTYPES)
def test_to_every_dtype(dtype):
    values = conversion_source(dtype)
    for target in DTYPES:
        assert_parity(lambda lib, t=target: lib.from_numpy(values.copy()).to(getattr(lib, t)))


# ---------------------------------------------------------------------- default dtype
@pytest.fixture
def restore_default_dtype():
    yield
    for lib in (torch, autogradviz):
        lib.set_default_dtype(lib.float32)


@pytest.mark.parametrize("default", ["float16", "float32", "float64"])
def test_set_default_dtype(restore_default_dtype, default):
    def made(lib):
        lib.set_default_dtype(getattr(lib, default))
        return [lib.get_default_dtype(), lib.tensor([1.5, 2]), lib.tensor([1, 2]),
                lib.arange(0.5, 2), lib.arange(2), lib.ones(2), lib.tensor(2.5) + 1,
                lib.tensor([1, 2]) * 0.5, lib.result_type(lib.tensor([1]), 1.5)]

    assert_parity(made)


@pytest.mark.parametrize("expr", [
    "torch.set_default_dtype(torch.int64)",
    "torch.set_default_dtype(torch.bool)",
    "torch.set_default_dtype(float)",
    "torch.set_default_dtype('float64')",
])
def test_set_default_dtype_errors(restore_default_dtype, expr):
    assert_parity(evaluate(expr))


# ---------------------------------------------------------------------- promotion functions
PAIRS = list(itertools.product(DTYPES, DTYPES))


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_promote_types_and_can_cast(a, b):
    assert_parity(lambda lib: [lib.promote_types(getattr(lib, a), getattr(lib, b)),
                               lib.can_cast(getattr(lib, a), getattr(lib, b))])


SCALARS = ["True", "3", "-3", "1000", "2.5", "1e40", "np.float64(2.5)", "np.float32(2.5)",
           "np.int64(3)", "np.int8(3)", "np.uint8(200)", "np.bool_(True)",
           "torch.tensor(2.5, dtype=torch.float64)", "torch.tensor(3, dtype=torch.int8)",
           "torch.tensor(True)"]


@pytest.mark.parametrize("dtype", DTYPES)
def test_result_type_with_scalars_and_tensors(dtype):
    """Dimensioned tensors outrank zero-dim tensors, which outrank numbers, unless the lower one
    is of a higher category (bool < integer < floating)."""
    def types(lib):
        dim = lib.ones(2, dtype=getattr(lib, dtype))
        zero = lib.ones((), dtype=getattr(lib, dtype))
        out = []
        for s in SCALARS:
            other = eval(s, {"torch": lib, "np": np})
            out += [lib.result_type(dim, other), lib.result_type(other, dim),
                    lib.result_type(zero, other)]
        for d in DTYPES:
            out += [lib.result_type(zero, lib.ones(3, dtype=getattr(lib, d))),
                    lib.result_type(lib.ones(3, dtype=getattr(lib, d)), zero),
                    lib.result_type(zero, lib.ones((), dtype=getattr(lib, d)))]
        return out

    assert_parity(types)


@pytest.mark.parametrize(("a", "b"), list(itertools.combinations_with_replacement(SCALARS[:12],
                                                                                  2)))
def test_result_type_of_two_numbers(a, b):
    assert_parity(evaluate(f"torch.result_type({a}, {b})"))


@pytest.mark.parametrize("expr", [
    "torch.promote_types(torch.int8, float)",
    "torch.promote_types(torch.int8, 1)",
    "torch.can_cast(1, torch.int8)",
])
def test_promotion_argument_errors(expr):
    assert_parity(evaluate(expr))


def test_dot_T_deprecation_warns_once_per_process_like_pytorch():
    import subprocess
    import sys

    script = (
        "import os, warnings, sys\n"
        "os.environ['ATEN_CPU_CAPABILITY'] = 'avx2'\n"
        "lib = __import__(sys.argv[1])\n"
        "with warnings.catch_warnings(record=True) as w:\n"
        "    warnings.simplefilter('always')\n"
        "    x = lib.ones(3); x.T; x.T; lib.ones(2, 2, 2).T; lib.tensor(1.0).T\n"
        "print(len(w))\n"
    )
    counts = [subprocess.run([sys.executable, "-c", script, lib], capture_output=True, text=True,
                             check=True).stdout for lib in ("torch", "autogradviz")]
    assert counts[0] == counts[1]
