"""The native kernels (``autogradviz/_native``): built here, and bit for bit the NumPy code they
stand in for, which stays the fallback.

The rest of the suite runs with the kernels (sums and random numbers against PyTorch); these
tests pin the kernels and the fallback to each other over inputs chosen to reach every branch
(cascade levels, tails, signed zeros, infinities, NaN; generator positions across the state's
regeneration; standard and scaled normals), and check the loader: compiled into an empty cache,
switched off by ``AUTOGRADVIZ_NATIVE=0``, and a fallback with the same results when no compiler
can be found.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from autogradviz import _generator as gen_module
from autogradviz import _native
from autogradviz.ops import _cascade_sum

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def lib():
    lib = _native.kernels()
    assert lib is not None, "the native kernels did not build (is a C compiler installed?)"
    return lib


@pytest.fixture
def numpy_only(monkeypatch):
    """Within the test, every caller takes the NumPy code."""
    monkeypatch.setitem(_native._state, "lib", None)


def _same_or_both_nan(a, b):
    """Equal bits, or NaN in both: NumPy's own loops give a NaN's sign differently by array
    length, so the kernels' NaNs are held to being NaN."""
    a, b = np.ascontiguousarray(a), np.ascontiguousarray(b)
    return bool(np.all((_bits(a) == _bits(b)) | (np.isnan(a) & np.isnan(b))))


def _bits(a):
    a = np.ascontiguousarray(a)
    return a.view({1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}[a.itemsize])


SIZES = [1, 2, 15, 16, 17, 63, 64, 255, 256, 257, 4095, 4096, 4097, 65535, 65536, 70001]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("size", SIZES)
def test_multi_row_sum_matches_numpy(lib, dtype, size):
    rng = np.random.default_rng(size)
    lanes = int(rng.integers(1, 40))
    a = rng.standard_normal((size, lanes)) * 10.0 ** rng.integers(-6, 7, (size, lanes))
    a = a.astype(dtype)
    assert np.array_equal(_bits(_native.multi_row_sum(lib, a)),
                          _bits(_cascade_sum._multi_row_sum_numpy(a)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_multi_row_sum_special_values(lib, dtype):
    a = np.zeros((300, 6), dtype)
    a[:, 0] = -0.0  # stays -0 only if never added to +0
    a[5, 1], a[7, 1] = np.inf, -np.inf  # nan
    a[9, 2] = np.nan
    a[:, 3] = np.finfo(dtype).max / 4  # overflows to inf part-way
    a[::2, 4], a[1::2, 4] = 1e8, 1.0  # ones lost against the big values, or not
    a[:, 5] = np.finfo(dtype).tiny / 3  # subnormals
    ours = _native.multi_row_sum(lib, a)
    with np.errstate(over="ignore", invalid="ignore"):
        ref = _cascade_sum._multi_row_sum_numpy(a)
    assert np.array_equal(_bits(ours)[[0, 3, 4, 5]], _bits(ref)[[0, 3, 4, 5]])
    assert np.isnan(ours[1]) and np.isnan(ref[1]) and np.isnan(ours[2]) and np.isnan(ref[2])


SUM_CASES = [((10**6,), None), ((1000, 1000), (0,)), ((1000, 1000), (1,)),
             ((64, 128), (0,)), ((64, 784), (1,)), ((7, 33, 65), (0, 2)), ((40000,), None),
             ((3, 5000, 8), (1,)), ((300, 300), None)]


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize(("shape", "axes"), SUM_CASES)
@pytest.mark.parametrize("threads", [1, 2])
def test_cascade_sum_same_with_and_without_kernels(lib, monkeypatch, dtype, shape, axes,
                                                   threads):
    x = np.random.default_rng(len(shape)).standard_normal(shape).astype(dtype)
    with_kernels = _cascade_sum.cascade_sum(x, axes, threads=threads)
    monkeypatch.setitem(_native._state, "lib", None)
    without = _cascade_sum.cascade_sum(x, axes, threads=threads)
    assert with_kernels.dtype == without.dtype and with_kernels.shape == without.shape
    assert np.array_equal(_bits(with_kernels), _bits(without))


@pytest.mark.parametrize("start", [0, 1, 396, 623, 624])
@pytest.mark.parametrize("n", [0, 1, 227, 624, 625, 1248, 5000])
def test_mt19937_words_match_numpy(lib, start, n):
    mt = np.random.MT19937(start + 17)
    mt.random_raw(start)  # moves the read position (624: the state is due for regeneration)
    state = mt.state["state"]
    words, key, pos = _native.mt19937_words(lib, state["key"], state["pos"], n)
    assert np.array_equal(words, mt.random_raw(n))
    after = mt.state["state"]
    assert pos == after["pos"] and np.array_equal(key, after["key"])


@pytest.mark.parametrize(("mean", "std"), [(0.0, 1.0), (-0.0, 1.0), (0.5, 3.0), (-2.0, 0.0),
                                           (1e30, 1e-3), (0.0, 1e38)])
def test_normal_blocks_match_numpy(lib, mean, std):
    words = np.random.default_rng(3).integers(0, 2**32, (777, 16), dtype=np.uint64)
    words[0, :] = [0, 1, 2, 2**24 - 1, 2**24, 2**32 - 1, 2**23, 2**22] * 2  # edges of u
    ours, ref = np.empty((777, 16), np.float32), np.empty((777, 16), np.float32)
    _native.normal_blocks(lib, words, mean, std, ours)
    with np.errstate(over="ignore"):  # std=1e38 overflows some values to inf
        gen_module._avx2_blocks_numpy(words.copy(), mean, std, ref)
    assert np.array_equal(_bits(ours), _bits(ref))


@pytest.mark.parametrize("n", [16, 17, 1000, 65536, 65551, 300007])
@pytest.mark.parametrize("dtype", ["float32", "float16", "float64"])
def test_random_calls_same_with_and_without_kernels(lib, monkeypatch, n, dtype):
    import autogradviz as agv

    def draws():
        g = agv.Generator().manual_seed(n)
        dt = getattr(agv, dtype)
        return [agv.randn(n, dtype=dt, generator=g), agv.rand(n, dtype=dt, generator=g),
                agv.randn(5, generator=g), agv.empty(n).normal_(2.0, 0.5, generator=g),
                g.get_state()]

    with_kernels = draws()
    monkeypatch.setitem(_native._state, "lib", None)
    without = draws()
    for a, b in zip(with_kernels, without, strict=True):
        assert np.array_equal(_bits(a.numpy()), _bits(b.numpy()))


def _child(env_changes, tmp_path):
    """``kernels()`` in a fresh process with an empty cache: whether it loaded, the files in
    the cache, and a sum and draws that must not depend on it."""
    code = (
        "import json, numpy as np, autogradviz as agv\n"
        "from autogradviz import _native\n"
        "agv.manual_seed(5)\n"
        "x = agv.randn(100000)\n"
        "print(json.dumps({'loaded': _native.kernels() is not None,\n"
        "                  'sum': float(x.sum()), 'head': x[:4].tolist(),\n"
        "                  'mean': float(x.mean())}))\n"
    )
    env = dict(os.environ, AUTOGRADVIZ_CACHE_DIR=str(tmp_path / "cache"), PYTHONPATH=str(ROOT))
    env.pop(_native.ENV_SWITCH, None)
    env.update(env_changes)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=300, check=True)
    files = sorted(p.name for p in (tmp_path / "cache").glob("*")) if (
        tmp_path / "cache").exists() else []
    return json.loads(done.stdout), files


def test_compiled_into_an_empty_cache_and_reused(tmp_path):
    first, files = _child({}, tmp_path)
    assert first["loaded"]
    assert len(files) == 1 and files[0].startswith("kernels-") and files[0].endswith(".so")
    again, files_again = _child({"CC": "/nonexistent/cc"}, tmp_path)  # cached: no compiler
    assert again == first and files_again == files


def test_switched_off_and_no_compiler_give_the_same_numbers(tmp_path):
    native, _ = _child({}, tmp_path / "a")
    off, files_off = _child({_native.ENV_SWITCH: "0"}, tmp_path / "b")
    no_cc, files_no_cc = _child({"CC": "/nonexistent/cc"}, tmp_path / "c")
    assert native["loaded"] and not off["loaded"] and not no_cc["loaded"]
    assert files_off == [] and files_no_cc == []
    assert off == no_cc == dict(native, loaded=False)


def _sleef_inputs():
    rng = np.random.default_rng(11)
    specials = [0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, 1e-40, -1e-40, 1e-45, 88.72,
                88.73, -103.9, -104.1, 100.1, 3.4e38, -3.4e38, 0.5, 2.0, 16777217.0]
    parts = [rng.standard_normal(3000) * 10.0 ** rng.integers(-8, 9, 3000), specials,
             rng.uniform(-110, 110, 2000)]
    return np.concatenate(parts).astype(np.float32)


def test_sleef_expf_matches_numpy(lib):
    from autogradviz import _sleef

    x = _sleef_inputs()
    assert _same_or_both_nan(_native.sleef_expf(lib, x), _sleef._expf_u10_numpy(x))


@pytest.mark.parametrize("y", [1.5, -0.7, 4.0, 3.0, -3.0, 0.0, -0.0, 1e-3, 7.25, 40.0, -40.0,
                               16777216.0, 3e38, np.inf, -np.inf, np.nan])
def test_sleef_powf_matches_numpy(lib, y):
    from autogradviz import _sleef

    x = _sleef_inputs()
    ours = _native.sleef_powf(lib, x, y)
    assert _same_or_both_nan(ours, _sleef._powf_u10_numpy(x, np.float32(y)))


@pytest.mark.parametrize("n", [1, 15, 16, 17, 47, 32768, 65551, 100003])
@pytest.mark.parametrize("threads", [1, 2, 3])
def test_sigmoid_and_pow_kernels_match_numpy(lib, monkeypatch, n, threads):
    """The whole cpu_kernel_vec layouts (vector blocks per thread range, scalar rest)."""
    from autogradviz import _sleef

    x = np.random.default_rng(n).standard_normal(n).astype(np.float32) * 8
    specials = np.array([np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0, 100.0], np.float32)
    x[::7] = np.resize(specials, x[::7].size)
    with_kernels = [_sleef.sigmoid(x, threads), _sleef.pow_number(x, 1.5, threads),
                    _sleef.pow_number(np.abs(x), -0.7, threads)]
    monkeypatch.setitem(_native._state, "lib", None)
    without = [_sleef.sigmoid(x, threads), _sleef.pow_number(x, 1.5, threads),
               _sleef.pow_number(np.abs(x), -0.7, threads)]
    for a, b in zip(with_kernels, without, strict=True):
        assert np.array_equal(_bits(a), _bits(b))


@pytest.mark.parametrize("name", ["expm1f", "log1pf", "tanhf"])
def test_sleef_extra_functions_match_numpy(lib, name):
    from autogradviz import _sleef_extra

    x = np.concatenate([_sleef_inputs(), [-0.999999, -1.0000001, 1e38, 2e38, -16.6, -16.7,
                                          8.66, 8.67]]).astype(np.float32)
    ours = _native.sleef_unary(lib, name, x)
    assert _same_or_both_nan(ours, getattr(_sleef_extra, f"_{name}_u10_numpy")(x))
