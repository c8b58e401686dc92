"""PyTorch 2.13's CPU random number generator, bit for bit, on NumPy arrays.

The engine is mt19937: NumPy's ``MT19937`` bit generator produces the same 32-bit words as
PyTorch's engine once given the same key, so it runs the stream; this module keeps PyTorch's seed,
state layout and cached normal sample around it. The samplers reproduce ATen's CPU kernels: which
words each one draws, in which order, and the floating-point arithmetic that turns them into
values (a float32 ``fma`` is computed in float64 and rounded once; a float64 ``fma`` uses the
round-to-odd emulation; the C library's ``log``/``log1p``/``sin``/``cos`` are called where ATen
calls them, see ``_libm``).

Bit-exact against torch 2.13 (tests/test_generator.py compares raw bit patterns):
seeding, ``initial_seed``, ``get_state`` bytes, ``set_state``; ``uniform`` (float16/32/64, any
range); ``normal`` in all three paths (the scalar path with its cached sample, the float64 block
kernel, and the float32 AVX2 block kernel with its Cephes ``log256_ps``/``sincos256_ps``
polynomials), float16 included; ``randint``/``random_`` for every dtype and range (with
PyTorch's warnings and errors); ``randperm``; ``bernoulli`` (scalar and tensor ``p``);
``exponential``; ``multinomial`` with and without replacement, including the order in which
``topk`` returns tied candidates (libstdc++'s selection and sorting algorithms are replayed,
by ``_stdlib_sort``, when and only when values tie).

Not bit-exact, by design or because it cannot be established here:
- torch picks its float32 normal kernel by CPU: on CPUs without AVX2, or under the AVX-512
  kernel that torch uses by default on AVX-512 machines, about 40% of ``randn`` values (n >= 16,
  float32/float16) differ from these in the last bits. This module reproduces the AVX2 kernel
  (run torch with ``ATEN_CPU_CAPABILITY=avx2`` to compare).
- ``bernoulli_(p)`` with a float ``p`` on an Intel CPU in an MKL build of torch uses MKL's own
  stream; this is the non-MKL/AMD kernel (one float64 uniform per element).
- ``randperm(n)`` for n >= 2**32 / 20 follows ATen's source (untestable at that size here).
- A state written by hand whose ``next`` and ``left`` fields disagree is replayed exactly while
  it stays inside the 624-word key; torch reads past its key there, which is refused.
"""

from __future__ import annotations

import math
import os
import threading
import warnings

import numpy as np

from . import _native
from . import _stdlib_sort as _cxx
from ._fma import _fma32, _fma64

__all__ = [
    "Generator",
    "bernoulli_scalar",
    "bernoulli_tensor",
    "default_generator",
    "exponential",
    "multinomial",
    "normal",
    "randint",
    "random_",
    "randperm",
    "uniform",
]

_DEFAULT_SEED = 67280421310721  # torch.Generator().initial_seed()
_MT_N = 624
_U64 = 2**64
_I64_MIN, _I64_MAX = -(2**63), 2**63 - 1

# torch.Generator().get_state(): CPUGeneratorImplState, a C struct copied byte for byte.
_STATE_DTYPE = np.dtype(
    {
        "names": ["seed", "left", "seeded", "next", "key", "normal_x", "normal_y",
                  "normal_rho", "normal_valid", "float_normal", "float_valid"],
        "formats": ["<u8", "<i4", "<i4", "<u8", ("<u8", _MT_N), "<f8", "<f8", "<f8", "<i4",
                    "<f4", "u1"],
        "offsets": [0, 8, 12, 16, 24, 5016, 5024, 5032, 5040, 5048, 5052],
        "itemsize": 5056,
    }
)
_STATE_SIZE = _STATE_DTYPE.itemsize

_F32, _F64, _F16 = np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.float16)
_FLOAT_DTYPES = (_F16, _F32, _F64)
_M24 = np.uint64(0xFFFFFF)
# From this many words on the native generator pays for moving NumPy's state in and out.
_NATIVE_MIN_WORDS = 1 << 15
_M53 = np.uint64(2**53 - 1)
_SHIFT32 = np.uint64(32)

# Names ATen uses for dtypes in its messages (c10's ScalarType names and C++ type names).
_SCALAR_NAME = {"float16": "Half", "float32": "Float", "float64": "Double", "int64": "Long",
                "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
                "bool": "Bool"}
_CXX_NAME = {"float16": "c10::Half", "float32": "float", "float64": "double",
             "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
             "uint8": "unsigned char", "bool": "bool"}
_DIGITS = {"float16": 11, "float32": 24, "float64": 53}


def _fmt(x):
    """A double as C++'s ``ostream << double`` prints it (6 significant digits)."""
    return format(float(x), "g") if isinstance(x, float) else str(x)


# ----------------------------------------------------------------------------------------------
# Generator
# ----------------------------------------------------------------------------------------------


def _temper(y):
    """mt19937's output tempering of raw key words (uint64 arrays holding 32-bit values)."""
    y = y ^ (y >> np.uint64(11))
    y = y ^ ((y << np.uint64(7)) & np.uint64(0x9D2C5680))
    y = y ^ ((y << np.uint64(15)) & np.uint64(0xEFC60000))
    return y ^ (y >> np.uint64(18))


def _check_seed(seed):
    """PyTorch's checks for ``Generator.manual_seed``: returns the seed as an unsigned 64-bit."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise RuntimeError(f"manual_seed expected a long, but got {type(seed).__name__}")
    if not isinstance(seed, int):
        raise TypeError("an integer is required")  # what torch says for NumPy integers
    if not _I64_MIN <= seed < _U64:
        raise ValueError("Overflow when unpacking long long")
    return seed % _U64


class Generator:
    """A CPU generator with PyTorch's seeding, stream, state bytes and cached normal sample."""

    def __init__(self, device="cpu"):
        if str(device) != "cpu":
            raise RuntimeError(f"autogradviz only has CPU generators, got device {device!r}")
        self._mt = np.random.MT19937(0)
        self.manual_seed(_DEFAULT_SEED)

    @property
    def device(self):
        return "cpu"

    def manual_seed(self, seed) -> Generator:
        seed = _check_seed(seed)
        self._seed = seed
        self._mt._legacy_seeding(seed & 0xFFFFFFFF)  # init_genrand in C: PyTorch's key
        self._normal = None  # cached double normal sample (ATen's next_double_normal_sample)
        self._float_normal = None  # ATen's float cache: unused by its kernels, kept for state
        self._pending = None  # words owed before NumPy's stream (see _set_state_bytes)
        self._stale_next = 0  # ATen's `next` field while no word was drawn since seeding
        return self

    def seed(self) -> int:
        """Seed from the OS's randomness, as ATen does (53 bits), and return the seed."""
        seed = int.from_bytes(os.urandom(8), "little") & (2**53 - 1)
        self.manual_seed(seed)
        return seed

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self):
        from ._tensor import _from_numpy_owned

        return _from_numpy_owned(self._get_state_bytes())

    def set_state(self, new_state):
        self._set_state_bytes(new_state.numpy())
        return self

    # ---- the stream ------------------------------------------------------------------------

    def _words(self, n):
        """The next ``n`` 32-bit words of the stream (uint64 array), as ATen's ``random()``."""
        if self._pending is None:
            if n:
                self._stale_next = None
            if n >= _NATIVE_MIN_WORDS:
                lib = _native.kernels()
                if lib is not None:
                    state = self._mt.state["state"]
                    words, key, pos = _native.mt19937_words(lib, state["key"], state["pos"], n)
                    self._mt.state = {"bit_generator": "MT19937",
                                      "state": {"key": key, "pos": pos}}
                    return words
            return self._mt.random_raw(n)
        return self._words_with_pending(n)

    def _words_with_pending(self, n):
        words, start, taken = self._pending
        k = min(n, len(words) - taken)
        head = words[taken : taken + k]
        if taken + k < len(words):
            self._pending = (words, start, taken + k)
            return head.copy()
        self._pending = None
        self._stale_next = start + len(words)
        if n == k:
            return head.copy()
        return np.concatenate([head, self._words(n - k)])

    def _words64(self, n):
        """``n`` values of ATen's ``random64()``: two words, the first one high."""
        w = self._words(2 * n)
        return (w[0::2] << _SHIFT32) | w[1::2]

    def _uniform_f32(self, n):
        """``n`` float32 uniforms in [0, 1): the low 24 bits of one word each."""
        w = self._words(n)
        np.bitwise_and(w, _M24, out=w)
        out = w.astype(np.float32)
        out *= np.float32(2.0**-24)
        return out

    def _uniform_f64(self, n):
        """``n`` float64 uniforms in [0, 1): the low 53 bits of one ``random64()`` each."""
        r = self._words64(n)
        np.bitwise_and(r, _M53, out=r)
        out = r.astype(np.float64)
        out *= 2.0**-53
        return out

    # ---- state bytes ---------------------------------------------------------------------

    def _get_state_bytes(self) -> np.ndarray:
        st = np.zeros((), _STATE_DTYPE)
        mt = self._mt.state["state"]
        st["seed"] = self._seed
        st["seeded"] = 1
        st["key"] = mt["key"]
        if self._pending is not None:
            words, start, taken = self._pending
            st["left"] = len(words) - taken + 1
            st["next"] = start + taken
        elif self._stale_next is not None:
            st["left"] = 1
            st["next"] = self._stale_next
        else:
            st["left"] = 625 - mt["pos"]
            st["next"] = mt["pos"]
        if self._normal is not None:
            st["normal_valid"] = 1
            st["normal_y"] = self._normal
        if self._float_normal is not None:
            st["float_valid"] = 1
            st["float_normal"] = self._float_normal
        return st.reshape(1).view(np.uint8).copy()

    def _set_state_bytes(self, state: np.ndarray) -> None:
        state = np.asarray(state)
        if state.dtype != np.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        if state.size != _STATE_SIZE:
            raise RuntimeError(
                f"Expected a CPUGeneratorImplState of size {_STATE_SIZE} but found the input "
                f"RNG state size to be {state.size}"
            )
        st = np.ascontiguousarray(state).reshape(-1).view(_STATE_DTYPE)[0]
        left, nxt = int(st["left"]), int(st["next"]) & 0xFFFFFFFF
        if not (st["seeded"] != 0 and 0 < left <= _MT_N and nxt <= _MT_N):
            raise RuntimeError("Invalid mt19937 state")
        key = (st["key"] & np.uint64(0xFFFFFFFF)).astype(np.uint32)
        pending, stale, pos = None, None, _MT_N
        if left == 1:  # the next draw regenerates the key whatever `next` says
            stale = nxt
        elif nxt == 625 - left:  # the consistent case: NumPy's position is `next`
            pos = nxt
        elif nxt + left - 1 <= _MT_N:
            # `next` and `left` disagree: ATen reads key[next:next+left-1], then regenerates
            # the whole key. Serve those words first, then let NumPy regenerate.
            words = _temper(key[nxt : nxt + left - 1].astype(np.uint64))
            pending = (words, nxt, 0)
        else:
            raise RuntimeError("Invalid mt19937 state (it would read past the mt19937 key)")
        self._mt.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": pos}}
        self._seed = int(st["seed"])
        self._pending, self._stale_next = pending, stale
        self._normal = float(st["normal_y"]) if st["normal_valid"] != 0 else None
        self._float_normal = float(st["float_normal"]) if st["float_valid"] != 0 else None

    def __repr__(self):
        return f"<torch._C.Generator object at {id(self):#x}>"


default_generator = Generator()
default_generator.seed()


# ----------------------------------------------------------------------------------------------
# Exact arithmetic helpers
# ----------------------------------------------------------------------------------------------


_LIBM = {"log": (np.log, math.log), "log1p": (np.log1p, math.log1p),
         "sin": (np.sin, math.sin), "cos": (np.cos, math.cos)}
_LIBM_CHECKED: dict[str, bool] = {}


def _libm(name, x):
    ufunc, scalar = _LIBM[name]
    ok = _LIBM_CHECKED.get(name)
    if ok is None:
        probe = np.random.default_rng(12345).random(4096)
        if name == "log":
            probe = 1.0 - probe
        elif name == "log1p":
            probe = -probe
        else:
            probe = probe * (2 * math.pi)
        ok = _LIBM_CHECKED[name] = bool(
            np.array_equal(ufunc(probe[::-1])[::-1], [scalar(v) for v in probe.tolist()])
        )
    x = np.asarray(x, dtype=np.float64)
    flat = x.reshape(-1)
    if ok:
        return ufunc(flat[::-1])[::-1].reshape(x.shape)
    return np.fromiter(map(scalar, flat.tolist()), np.float64, flat.size).reshape(x.shape)


# ----------------------------------------------------------------------------------------------
# uniform_
# ----------------------------------------------------------------------------------------------


def _check_uniform_bounds(dt, low, high):
    finfo = np.finfo(dt)
    lo, hi = float(finfo.min), float(finfo.max)
    for value, name in ((low, "from"), (high, "to")):
        if not lo <= value <= hi:
            raise RuntimeError(f"{name} is out of bounds for {_CXX_NAME[dt.name]}")
    if not low <= high:
        raise RuntimeError(
            f"uniform_ expects to return a [from, to) range, but found from={_fmt(low)} > "
            f"to={_fmt(high)}"
        )
    if not high - low <= hi:
        raise RuntimeError(
            f"uniform_ expects to-from <= std::numeric_limits<{_SCALAR_NAME[dt.name]}>::max(), "
            f"but found to={_fmt(high)} and from={_fmt(low)} which result in to-from to exceed "
            "the limit"
        )


def uniform(gen, n, np_dtype, low=0.0, high=1.0) -> np.ndarray:
    """``torch.rand`` / ``Tensor.uniform_(low, high)``: ``fma(x, high - low, low)``.

    float32 and float16 draw one word per element (24 bits) and compute in float32 (float16
    rounds the float32 result); float64 draws one ``random64()`` per element (53 bits). A
    result equal to ``high`` in the target dtype is replaced by ``low``, as ATen does.
    """
    dt = np.dtype(np_dtype)
    if dt not in _FLOAT_DTYPES:
        raise NotImplementedError(f'"check_uniform_bounds" not implemented for '
                                  f"'{_SCALAR_NAME.get(dt.name, dt.name)}'")
    low, high = float(low), float(high)
    _check_uniform_bounds(dt, low, high)
    default = low == 0.0 and high == 1.0
    if dt == _F64:
        x = gen._uniform_f64(n)
        if default:
            return x  # below 1 by construction
        x = _fma64(x, high - low, low)
    else:
        x = gen._uniform_f32(n)
        if not default:
            lo32, hi32 = np.float32(low), np.float32(high)
            x = _fma32(x, hi32 - lo32, lo32)
        if dt == _F16:
            x = x.astype(np.float16)
        elif default:
            return x
    # ATen keeps the range half-open: a value that rounded up to `high` becomes `low`
    x[x == dt.type(high)] = dt.type(low)
    return x


# ----------------------------------------------------------------------------------------------
# normal_: the scalar path and the float64 block kernel
# ----------------------------------------------------------------------------------------------


def _normal_scalar(gen, n, mean, std):
    """ATen's ``normal_distribution<double>``, element by element (float64 results).

    Each pair of float64 uniforms (u1, u2) gives ``r*cos(theta)`` and caches ``r*sin(theta)``
    for the next element, with ``r = sqrt(-2*log1p(-u2))`` and ``theta = 2*pi*u1``.
    """
    out = np.empty(n)
    i = 0
    if n and gen._normal is not None:
        out[0] = gen._normal
        gen._normal = None
        i = 1
    m = n - i
    pairs = (m + 1) // 2
    if pairs:
        u = gen._uniform_f64(2 * pairs)
        u1, u2 = u[0::2], u[1::2]
        if pairs <= 8:  # a few values: the C library through Python's math module
            vals = []
            for a, b in zip(u1.tolist(), u2.tolist(), strict=True):
                r = math.sqrt(-2.0 * math.log1p(-b))
                theta = 2.0 * math.pi * a
                vals += (r * math.cos(theta), r * math.sin(theta))
            vals = np.array(vals)
        else:
            r = np.sqrt(-2.0 * _libm("log1p", -u2))
            theta = (2.0 * math.pi) * u1
            vals = np.empty(2 * pairs)
            vals[0::2] = r * _libm("cos", theta)
            vals[1::2] = r * _libm("sin", theta)
        out[i:] = vals[:m]
        if m % 2:
            gen._normal = float(vals[-1])
    if mean == 0.0 and std == 1.0:
        return out + 0.0  # fma(v, 1, 0) only turns -0 into +0
    return _fma64(out, std, mean)


def _normal_blocks_f64(gen, n, mean, std):
    """ATen's ``normal_fill<double>`` for n >= 16: blocks of 16 uniforms, the first 8 becoming
    cosines and the last 8 sines; a partial tail redraws 16 uniforms into the last 16 slots."""
    nb, tail = divmod(n, 16)
    u = gen._uniform_f64(n + (16 if tail else 0))
    blocks = u[: 16 * nb].reshape(nb, 16)
    if tail:
        blocks = np.concatenate([blocks, u[n:].reshape(1, 16)])
    radius = np.sqrt(-2.0 * _libm("log", 1.0 - blocks[:, :8]))
    theta = (2.0 * math.pi) * blocks[:, 8:]
    res = np.empty_like(blocks)
    res[:, :8] = radius * _libm("cos", theta)
    res[:, 8:] = radius * _libm("sin", theta)
    if mean == 0.0 and std == 1.0:
        res += 0.0
    else:
        res = _fma64(res, std, mean)
    out = res[:nb].reshape(-1)
    if tail:
        out = np.concatenate([out, np.empty(tail)])
        out[n - 16 :] = res[nb]
    return out


# ----------------------------------------------------------------------------------------------
# normal_: the float32 AVX2 kernel (avx_mathfun.h's Cephes polynomials, with the compiler's fmas)
# ----------------------------------------------------------------------------------------------

# Constants as 0-d arrays: NumPy handles those fastest as operands of ufuncs on small arrays.
def _c32(v):
    return np.array(v, np.float32)


def _c64(v):
    """A float32 constant (rounded to float32 first), held in float64 for the fma steps."""
    return np.array(np.float32(v), np.float64)


def _ci(v):
    return np.array(v, np.int32)


_ONE, _HALF, _SQRTHF = _c32(1.0), _c32(0.5), np.float32(0.707106781186547524)
_LOG_P = [_c64(v) for v in (
    7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1,
    -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1)]
_LOG_Q1, _LOG_Q2 = _c32(-2.12194440e-4), _c32(0.693359375)
_DP1, _DP2, _DP3 = _c32(-0.78515625), _c32(-2.4187564849853515625e-4), _c64(-3.77489497744594108e-8)
_COS_P = (2.443315711809948e-5, -1.388731625493765e-3, 4.166664568298827e-2)
_SIN_P = (-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1)
_CS_P = [np.array([[np.float32(c)], [np.float32(s)]], np.float64)
         for c, s in zip(_COS_P, _SIN_P, strict=True)]
_FOPI = _c32(1.27323954473516)  # 4 / pi
_TWO_PI32 = _c32(2.0 * math.pi)
_U24, _MINUS2, _ZERO32, _MINUS_HALF64 = _c32(2.0**-24), _c32(-2.0), _c32(0.0), np.array(-0.5)
_MANT, _HALF_EXP, _SQRTHF_BITS = _ci(0x007FFFFF), _ci(0x3F000000), _ci(_SQRTHF.view(np.int32))
_I1, _I2, _I4, _I23, _I29, _I30, _I31, _I126 = (_ci(v) for v in (1, 2, 4, 23, 29, 30, 31, 126))
_NOT1 = _ci(-2)
_M24_0D = np.array(0xFFFFFF, np.uint64)

# The fmas below are float64 products (exact) and sums rounded once to float32, with no
# midpoint correction: over all 2**24 possible inputs of each kernel (x = 1 - k * 2**-24 for the
# logarithm, theta = float32(2*pi) * k * 2**-24 for the sine and cosine) no such sum lands
# exactly on a float32 rounding midpoint, so this is exact there (checked exhaustively).


class _Work:
    """Scratch arrays for the AVX2 kernel on ``m`` lanes (8 per block), reused between calls:
    fresh large temporaries would cost page faults, small ones allocation time."""

    def __init__(self, m):
        f32, i32 = np.float32, np.int32
        self.u = np.empty((2, m // 8, 8), f32)  # uniforms: first halves of blocks, then second
        self.res = np.empty((2, m // 8, 8), f32)  # results in the same layout
        self.i1, self.i2, self.i3 = (np.empty(m, i32) for _ in range(3))
        self.a, self.b, self.c, self.d, self.e = (np.empty(m, f32) for _ in range(5))
        self.radius = np.empty(m, f32)
        self.x64, self.z64, self.t = (np.empty(m) for _ in range(3))
        # the cosine and sine polynomials run side by side as two rows
        self.cs = np.empty((2, m), f32)
        self.t2, self.v2, self.w2 = (np.empty((2, m)) for _ in range(3))


_WORK = threading.local()


def _work(m):
    cache = getattr(_WORK, "cache", None)
    if cache is None or len(cache) > 8:
        cache = _WORK.cache = {}
    ws = cache.get(m)
    if ws is None:
        ws = cache[m] = _Work(m)
    return ws


def _cephes_log(x, ws):
    """``log256_ps`` for float32 x in [2**-24, 1] (``m`` lanes), into ``ws.radius``.

    Each fma is ``t = a; t *= b; t += c; out = t`` in float64: the product of two float32
    values is exact there and the single rounding to float32 happens on the store.
    """
    bits = x.view(np.int32)
    mbits, mask, e = ws.i1, ws.i2, ws.i3
    xm, z, ef, y = ws.a, ws.b, ws.c, ws.radius
    x64, z64, t = ws.x64, ws.z64, ws.t
    np.bitwise_and(bits, _MANT, mbits)  # (x > 0: no sign bit)
    np.bitwise_or(mbits, _HALF_EXP, mbits)  # the mantissa m in [0.5, 1)
    np.subtract(mbits, _SQRTHF_BITS, mask)
    np.right_shift(mask, _I31, mask)  # -1 where m < sqrt(1/2) (positive floats order as ints)
    np.right_shift(bits, _I23, e)
    np.add(e, mask, e)  # one less in the exponent there...
    np.subtract(e, _I126, e)
    ef[...] = e
    m = mbits.view(np.float32)
    np.subtract(m, _ONE, xm)
    np.bitwise_and(mbits, mask, mbits)
    np.add(xm, m, xm)  # ...and x = 2m - 1 instead of m - 1 (the AVX code's and/add)
    np.multiply(xm, xm, z)
    x64[...] = xm
    z64[...] = z
    np.multiply(x64, _LOG_P[0], t)
    for p in _LOG_P[1:]:
        np.add(t, p, t)
        y[...] = t  # y = fma(y, x, p)
        t[...] = y
        np.multiply(t, x64, t)
    y[...] = t
    t[...] = y  # y = y * x
    np.multiply(t, z64, t)
    np.multiply(ef, _LOG_Q1, ws.d)
    np.add(t, ws.d, t)
    y[...] = t  # y = fma(y, z, e*Q1)
    np.multiply(z, _HALF, z)
    np.subtract(y, z, y)
    np.add(y, xm, y)
    np.multiply(ef, _LOG_Q2, ef)
    np.add(y, ef, y)
    return y


def _cephes_sincos(theta, ws):
    """``sincos256_ps`` for float32 theta in [0, 2*pi] (``m`` lanes): (sin, cos) as rows of
    ``ws.cs``. The cosine and sine polynomials are evaluated together as the rows of (2, m)
    arrays, with the fma pattern of ``_cephes_log``."""
    j, k, d = ws.i1, ws.i2, ws.i3
    x, jf, z, h = ws.a, ws.b, ws.c, ws.d
    t, cs, t2, v2, w2 = ws.t, ws.cs, ws.t2, ws.v2, ws.w2
    np.multiply(theta, _FOPI, h)
    j[...] = h  # truncation (theta >= 0)
    np.add(j, _I1, j)
    np.bitwise_and(j, _NOT1, j)  # j = (j + 1) & ~1
    jf[...] = j
    np.multiply(jf, _DP1, x)
    np.add(x, theta, x)
    np.add(x, np.multiply(jf, _DP2, h), x)
    t[...] = jf
    np.multiply(t, _DP3, t)
    np.add(t, x, t)
    x[...] = t  # x = fma(j, DP3, x)
    np.multiply(x, x, z)
    z64, x64 = v2  # rows of v2: z and x in float64
    z64[...] = z
    x64[...] = x
    # cos: ((C0 z + C1) z + C2) z, then fma(., z, -z/2) + 1; sin: ((S0 z + S1) z + S2) z,
    # then fma(., x, x)
    np.multiply(z64, _CS_P[0], t2)
    np.add(t2, _CS_P[1], t2)
    cs[...] = t2
    t2[...] = cs
    np.multiply(t2, z64, t2)
    np.add(t2, _CS_P[2], t2)
    cs[...] = t2
    np.multiply(cs, z, cs)
    t2[...] = cs
    np.multiply(t2, v2, t2)
    np.multiply(z64, _MINUS_HALF64, w2[0])
    w2[1] = x64
    np.add(t2, w2, t2)
    cs[...] = t2
    c, s = cs
    np.add(c, _ONE, c)
    # ATen's bit operations: swap the polynomials where j & 2, then flip the signs of sin
    # where j & 4 and of cos where ~(j - 2) & 4 (the same bit as (j + 2) & 4 for even j)
    sb, cb = s.view(np.int32), c.view(np.int32)
    np.bitwise_xor(sb, cb, d)
    np.left_shift(j, _I30, k)
    np.right_shift(k, _I31, k)  # all ones where j & 2
    np.bitwise_and(d, k, d)
    np.bitwise_xor(sb, d, sb)
    np.bitwise_xor(cb, d, cb)
    np.bitwise_and(j, _I4, k)
    np.left_shift(k, _I29, k)
    np.bitwise_xor(sb, k, sb)
    np.add(j, _I2, k)
    np.bitwise_and(k, _I4, k)
    np.left_shift(k, _I29, k)
    np.bitwise_xor(cb, k, cb)
    return s, c


def _avx2_blocks(words, mean, std, out):
    """``normal_fill_16_AVX2`` on rows of 16 words: the native kernel when it is available,
    else ``_avx2_blocks_numpy`` (the same bits)."""
    if out.flags.c_contiguous and words.flags.c_contiguous and words.dtype == np.uint64:
        lib = _native.kernels()
        if lib is not None:
            _native.normal_blocks(lib, words, mean, std, out)
            return
    _avx2_blocks_numpy(words, mean, std, out)


def _avx2_blocks_numpy(words, mean, std, out):
    """``normal_fill_16_AVX2`` on rows of 16 words: (B, 16) uint64 words (overwritten) in,
    (B, 16) float32 ``out``. Block halves are split apart first so that every step runs on
    contiguous arrays."""
    rows = len(words)
    ws = _work(8 * rows)
    u, res, x = ws.u, ws.res, ws.e
    np.bitwise_and(words, _M24_0D, words)
    u.transpose(1, 0, 2)[...] = words.reshape(rows, 2, 8)
    np.multiply(u, _U24, u)
    np.subtract(_ONE, u[0].reshape(-1), x)
    radius = _cephes_log(x, ws)
    np.sqrt(np.multiply(radius, _MINUS2, radius), radius)
    np.multiply(u[1].reshape(-1), _TWO_PI32, x)
    sin, cos = _cephes_sincos(x, ws)
    flat = res.reshape(2, -1)
    np.multiply(radius, cos, flat[0])
    np.multiply(radius, sin, flat[1])
    mean32, std32 = np.float32(mean), np.float32(std)
    if mean32 == 0 and std32 == 1:
        np.add(res, _ZERO32, res)  # fma(v, 1, 0) only turns -0 into +0
    else:
        res[...] = _fma32(res, std32, mean32)
    out.reshape(rows, 2, 8)[...] = res.transpose(1, 0, 2)


_CHUNK_BLOCKS = 4096  # 64K values per pass keeps the temporaries in cache


def _normal_avx2(gen, n, mean, std, half_tail=False):
    """ATen's ``normal_fill_AVX2`` (float32, n >= 16).

    n uniforms fill the output, whole blocks of 16 are transformed in place, and a partial
    tail draws 16 fresh words and transforms them into the last 16 slots. float16 tensors
    (``half_tail``) run the same kernel but their tail block takes the words that follow the
    last whole block, drawing only the 16 - n % 16 it lacks.
    """
    nb, tail = divmod(n, 16)
    extra = (16 - tail if half_tail else 16) if tail else 0
    rows = nb + (tail > 0)
    out = np.empty((rows, 16), np.float32)
    # One pass, the tail block as one more row: always for the native kernel, which needs no
    # cache-sized chunks
    if rows <= _CHUNK_BLOCKS or _native.kernels() is not None:
        words = gen._words(n + extra)
        if tail:
            words = np.concatenate([words[: 16 * nb], words[-16:]])
        _avx2_blocks(words.reshape(rows, 16), mean, std, out)
    else:
        for a in range(0, nb, _CHUNK_BLOCKS):
            b = min(nb, a + _CHUNK_BLOCKS)
            _avx2_blocks(gen._words(16 * (b - a)).reshape(-1, 16), mean, std, out[a:b])
        if tail:
            _avx2_blocks(gen._words(tail + extra)[-16:].reshape(1, 16), mean, std, out[nb:])
    flat = out.reshape(-1)
    if not tail:
        return flat
    flat[n - 16 : n] = flat[16 * nb :]  # the tail block overwrites the last 16 values
    return flat[:n].copy() if rows > 64 else flat[:n]


def normal(gen, n, np_dtype, mean=0.0, std=1.0, contiguous=True) -> np.ndarray:
    """``torch.randn`` / ``Tensor.normal_(mean, std)`` on a tensor of n elements.

    Contiguous targets with n >= 16 use the block kernels (float32 and float16: the AVX2 one);
    smaller or non-contiguous targets use the scalar path and its cached sample.
    """
    dt = np.dtype(np_dtype)
    mean, std = float(mean), float(std)
    if not std >= 0.0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_fmt(std)}")
    if dt not in _FLOAT_DTYPES:
        raise NotImplementedError(f"\"normal_kernel_cpu\" not implemented for "
                                  f"'{_SCALAR_NAME.get(dt.name, dt.name)}'")
    if n >= 16 and contiguous:
        if dt == _F64:
            return _normal_blocks_f64(gen, n, mean, std)
        out = _normal_avx2(gen, n, mean, std, half_tail=dt == _F16)
        return out if dt == _F32 else out.astype(np.float16)
    out = _normal_scalar(gen, n, mean, std)
    if dt == _F64:
        return out
    out = out.astype(np.float32)  # static_cast<float>(double); Half goes through float
    return out if dt == _F32 else out.astype(np.float16)


# ----------------------------------------------------------------------------------------------
# random_ / randint
# ----------------------------------------------------------------------------------------------


def _to_dtype(v_int64, dt):
    """``static_cast<T>(int64)``: floats round (Half through float), integers wrap."""
    if dt == _F16:
        return v_int64.astype(np.float32).astype(np.float16)
    return v_int64.astype(dt)


def _cast_int_to_float(value, dt):
    """``static_cast<int64_t>(static_cast<T>(value))`` for an int64 value and a float dtype,
    as x86 computes it: a float outside int64's range (inf included) converts to int64's min."""
    value = (value + 2**63) % _U64 - 2**63  # int64 arithmetic wraps
    with np.errstate(over="ignore"):
        f = np.array(value, np.int64).astype(np.float32 if dt == _F16 else dt).astype(dt)
    if not (np.isfinite(f) and -(2.0**63) <= float(f) < 2.0**63):
        return _I64_MIN
    return int(f)


def _update_from(frm, dt):
    """ATen's ``update_from<T>``: the smallest ``from`` the dtype represents."""
    plus1 = _cast_int_to_float(frm + 1, dt)
    if plus1 < frm:
        n = max(abs(frm + 1).bit_length() - 1, 0)
        frm = plus1 + (1 << (n - _DIGITS[dt.name] + 1))
    return frm


def _update_to(to, dt):
    """ATen's ``update_to<T>``: the largest ``to`` the dtype represents."""
    minus1 = _cast_int_to_float(to - 1, dt)
    if minus1 >= to:
        n = max(abs(to - 1).bit_length() - 1, 0)
        to = minus1 - (1 << (n - _DIGITS[dt.name] + 1))
    return to


def _dtype_bounds(dt):
    if dt == np.bool_:
        return 0, 1
    if dt.kind == "f":
        m = float(np.finfo(dt).max)
        return -m, m
    info = np.iinfo(dt)
    return int(info.min), int(info.max)


def _check_from_to_in_range(frm, to_inc, dt):
    lo, hi = _dtype_bounds(dt)
    cxx = _CXX_NAME[dt.name]
    for value, name in ((frm, "from"), (to_inc, "to - 1")):
        if not lo <= value <= hi:
            raise RuntimeError(f"{name} is out of bounds for {cxx}")
    if dt.kind == "f":
        d = _DIGITS[dt.name]
        for value, name in ((frm, "from"), (to_inc, "to - 1")):
            if not -(1 << d) <= value <= (1 << d):
                warnings.warn(
                    f"{name} is out of bounds [-(2^{d}), 2^{d}]. Due to precision limitations "
                    f"{cxx} can support discrete uniform distribution only within this range. "
                    "This warning will become an error in version 1.7 release, please fix the "
                    "code in advance",
                    UserWarning,
                    stacklevel=4,
                )


def _random_from_to(gen, n, dt, rng, base):
    """``uniform_int_from_to_distribution``: ``base + random % range``, with ``random64()``
    for ranges of 2**28 and more (torch 2.13's threshold, found by experiment)."""
    if rng >= 2**28:
        v = gen._words64(n)
    else:
        v = gen._words(n)
    v %= np.uint64(rng)
    v += np.uint64(base % _U64)  # wraps like ATen's unsigned arithmetic
    return _to_dtype(v.view(np.int64), dt)


def _random_default(gen, n, dt):
    """``Tensor.random_()``: [0, 2**mantissa] for floats, [0, max] for integers."""
    if dt == np.bool_:
        return (gen._words(n) & np.uint64(1)).astype(np.bool_)
    if dt == np.int64 or dt == _F64:
        v = gen._words64(n)
        mod = 2**63 if dt == np.int64 else 2**53 + 1
    else:
        v = gen._words(n)
        mod = 2 ** _DIGITS[dt.name] + 1 if dt.kind == "f" else int(np.iinfo(dt).max) + 1
    v %= np.uint64(mod)
    return _to_dtype(v.view(np.int64), dt)


def random_(gen, n, np_dtype, low=None, high=None) -> np.ndarray:
    """``Tensor.random_()`` (both None), ``random_(to)`` (``low`` None) and
    ``random_(from, to)`` (``high`` None: up to the dtype's largest integer)."""
    dt = np.dtype(np_dtype)
    if low is None and high is None:
        return _random_default(gen, n, dt)
    frm = 0 if low is None else int(low)
    if high is not None:
        to = int(high)
        if not frm < to:
            raise RuntimeError(
                f"random_ expects 'from' to be less than 'to', but got from={frm} >= to={to}")
        if dt.kind == "f":
            frm, to = _update_from(frm, dt), _update_to(to, dt)
            if not frm < to:
                raise RuntimeError(
                    "random_ expects 'from' casted to dtype to be less than 'to' casted to "
                    f"dtype, but got from={frm} >= to={to}")
        _check_from_to_in_range(frm, to - 1, dt)
        return _random_from_to(gen, n, dt, to - frm, frm)
    if frm != _I64_MIN:
        if dt.kind == "f":
            to_inc = min(1 << _DIGITS[dt.name], _I64_MAX)
            frm = _update_from(frm, dt)
            if not frm < to_inc:
                raise RuntimeError(
                    "random_ expects 'from' casted to dtype to be less than or equal to "
                    f"'to_inc' casted to dtype, but got from={frm} > to_inc={to_inc}")
        else:
            to_inc = _dtype_bounds(dt)[1]
        _check_from_to_in_range(frm, to_inc, dt)
        return _random_from_to(gen, n, dt, to_inc - frm + 1, frm)
    # [int64 min, int64 max]: the whole 64-bit range
    if dt in (_F16, np.dtype(np.bool_)):
        raise NotImplementedError('"random_full_64_bits_range_kernel_cpu" not implemented for '
                                  f"'{_SCALAR_NAME[dt.name]}'")
    if dt not in (np.dtype(np.int64), _F32, _F64):
        raise RuntimeError("random_full_64_bits_range_kernel_cpu handles only int64, double, "
                           "float and bfloat16")
    return _to_dtype(gen._words64(n).view(np.int64), dt)


def randint(gen, n, low, high, np_dtype=np.int64) -> np.ndarray:
    """``torch.randint(low, high, size, dtype=...)``: ``random_(low, high)`` on a new tensor."""
    return random_(gen, n, np_dtype, low, high)


# ----------------------------------------------------------------------------------------------
# randperm, bernoulli, exponential
# ----------------------------------------------------------------------------------------------

_RANDPERM_LIMITS = {"float16": (2**11 + 1, "2049", "Half"),
                    "float32": (2**24 + 1, "2^24+1", "Float"),
                    "float64": (2**53 + 1, "2^53+1", "Double")}


def randperm(gen, n, np_dtype=np.int64) -> np.ndarray:
    """``torch.randperm(n)``: ATen's Fisher-Yates, ``swap(r[i], r[i + random() % (n - i)])``."""
    dt = np.dtype(np_dtype)
    n = int(n)
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    if dt == np.bool_:
        raise NotImplementedError("\"randperm\" not implemented for 'Bool'")
    if dt.kind in "iu" and not np.iinfo(dt).min <= max(n - 1, 0) <= np.iinfo(dt).max:
        cname = {"int8": "int8_t", "int16": "int16_t", "int32": "int32_t",
                 "uint8": "uint8_t"}[dt.name]
        raise RuntimeError(f"value cannot be converted to type {cname} without overflow")
    if dt.name in _RANDPERM_LIMITS:
        limit, text, name = _RANDPERM_LIMITS[dt.name]
        if n > limit:
            raise RuntimeError(f"n cannot be greater than {text} for {name} type.")
    if n < 0xFFFFFFFF // 20:
        perm = list(range(n))
        if n > 1:
            # the swap targets depend only on the words, so compute them all at once
            offsets = gen._words(n - 1) % np.arange(n, 1, -1, dtype=np.uint64)
            for i, z in enumerate(offsets.tolist()):
                j = i + z
                perm[i], perm[j] = perm[j], perm[i]
        return np.array(perm, dtype=np.int64).astype(dt)
    # huge n: ATen's "inside-out" shuffle with random64(), r[i] = r[z]; r[z] = i
    perm = np.empty(n, np.int64)
    step = 1 << 20
    for a in range(0, n, step):
        b = min(n, a + step)
        targets = gen._words64(b - a) % np.arange(a + 1, b + 1, dtype=np.uint64)
        for i, z in zip(range(a, b), targets.tolist(), strict=True):
            perm[i] = perm[z]
            perm[z] = i
    return perm.astype(dt)


def bernoulli_scalar(gen, n, p, np_dtype) -> np.ndarray:
    """``Tensor.bernoulli_(p)``: one float64 uniform per element, ``u < p``."""
    p = float(p)
    if not 0.0 <= p <= 1.0:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_fmt(p)}")
    return (gen._uniform_f64(n) < p).astype(np.dtype(np_dtype))


_BERNOULLI_P_ERROR = ("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this "
                      "error message be improved?  If so, please report an enhancement request "
                      "to PyTorch.)")


def bernoulli_tensor(gen, p: np.ndarray) -> np.ndarray:
    """``torch.bernoulli(p)``: per element, ``u < p`` with a float64 uniform when p is float64
    and a float32 one (24 bits) otherwise. Same shape and dtype as ``p``."""
    p = np.asarray(p)
    if p.dtype not in _FLOAT_DTYPES:
        raise NotImplementedError("\"bernoulli_tensor_cpu_p_\" not implemented for "
                                  f"'{_SCALAR_NAME.get(p.dtype.name, p.dtype.name)}'")
    flat = np.ascontiguousarray(p).reshape(-1)
    bad = np.flatnonzero(~((flat >= 0) & (flat <= 1)))
    if bad.size:  # ATen fails at the first bad element, having drawn for those before it
        (gen._uniform_f64 if p.dtype == _F64 else gen._uniform_f32)(int(bad[0]))
        raise RuntimeError(_BERNOULLI_P_ERROR)
    if p.dtype == _F64:
        u = gen._uniform_f64(flat.size)
        return (u < flat).astype(p.dtype).reshape(p.shape)
    u = gen._uniform_f32(flat.size)
    return (u < flat.astype(np.float32)).astype(p.dtype).reshape(p.shape)


def exponential(gen, n, np_dtype, lambd=1.0) -> np.ndarray:
    """``Tensor.exponential_(lambd)``: ``-1/lambd * log1p(-u)`` in double, one float64 uniform
    per element, then cast (float16 through float32)."""
    lambd = float(lambd)
    if not lambd > 0.0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={_fmt(lambd)}")
    dt = np.dtype(np_dtype)
    if dt not in _FLOAT_DTYPES:
        raise RuntimeError("Exponential distribution is a continuous probability distribution. "
                           "dtype must be a floating point but you specified "
                           f"{_SCALAR_NAME.get(dt.name, dt.name)}")
    u = gen._uniform_f64(n)
    v = (-1.0 / lambd) * _libm("log1p", -u)
    if dt == _F64:
        return v
    v = v.astype(np.float32)
    return v if dt == _F32 else v.astype(np.float16)


# ----------------------------------------------------------------------------------------------
# multinomial
# ----------------------------------------------------------------------------------------------


def multinomial(gen, probs: np.ndarray, num_samples, replacement=False) -> np.ndarray:
    """``torch.multinomial(probs, num_samples, replacement)`` on 1-D or 2-D probabilities.

    Without replacement (or for a single sample) ATen draws ``q ~ Exp(1)`` for every entry and
    takes the largest ``probs / q`` (argmax, or topk for several samples). With replacement it
    walks each row's normalised cumulative sums with one float64 uniform per sample.
    """
    p = np.asarray(probs)
    if p.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if p.dtype not in _FLOAT_DTYPES:
        raise RuntimeError("multinomial only supports floating-point dtypes for input, got: "
                           f"{_SCALAR_NAME.get(p.dtype.name, p.dtype.name)}")
    k = int(num_samples)
    if k <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    cats = p.shape[-1]
    if not (replacement or k <= cats):
        raise RuntimeError(
            "cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    if cats > 2**24:
        raise RuntimeError("number of categories cannot exceed 2^24")
    rows2d = p.reshape(-1, cats) if p.ndim == 2 else p.reshape(1, cats)
    out_shape = (k,) if p.ndim == 1 else (p.shape[0], k)
    if rows2d.shape[0] == 0:
        return np.empty(out_shape, np.int64)
    if not replacement or k == 1:
        result = _multinomial_exponential(gen, rows2d, k)
    else:
        result = _multinomial_with_replacement(gen, rows2d, k)
    return result.reshape(out_shape)


def _multinomial_exponential(gen, p, k):
    if p.size == 0:
        raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the "
                           "operation has no identity.")
    if not (p.max() < np.inf and p.min() >= 0):  # also false when a NaN is present
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if np.any(np.all(p == 0, axis=1)):
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    q = exponential(gen, p.size, p.dtype).reshape(p.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        q = p / q
    if k == 1:
        return np.argmax(q, axis=1).astype(np.int64)[:, None]
    out = np.empty((p.shape[0], k), np.int64)
    for r, row in enumerate(q):
        order = np.argsort(-row, kind="stable")
        lead = row[order[: k + 1]]
        if np.isnan(row).any() or np.any(lead[1:] == lead[:-1]):
            out[r] = _libstdcxx_topk(row.astype(np.float64).tolist(), k)  # ties: replay ATen
        else:  # distinct values: any correct topk gives this order
            out[r] = order[:k]
    return out


def _multinomial_with_replacement(gen, p, k):
    """``multinomial_with_replacement_apply``: cumulative sums in the probabilities' dtype
    (float32 for float16), normalised, then a binary search per float64 uniform."""
    acc = np.float32 if p.dtype == _F16 else p.dtype
    out = np.empty((p.shape[0], k), np.int64)
    for r, row in enumerate(p):
        vals = row.astype(acc)
        bad = np.flatnonzero(~((vals >= 0) & np.isfinite(vals)))
        if bad.size:  # ATen checks each entry in turn: `>= 0` (false for NaN), then finite
            if not vals[bad[0]] >= 0:
                raise RuntimeError(
                    "invalid multinomial distribution (encountering probability entry < 0)")
            raise RuntimeError("invalid multinomial distribution (encountering probability "
                               "entry = infinity or NaN)")
        cum = np.cumsum(vals, dtype=acc)  # sequential, rounded in acc like ATen's loop
        total = cum[-1]
        if not total > 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        cum /= total
        cum[-1] = 1
        u = gen._uniform_f64(k)
        out[r] = np.searchsorted(cum.astype(np.float64), u, side="left")
    return out


def _libstdcxx_topk(values, k):
    """Indices of ``topk(values, k)`` as ATen's CPU kernel returns them, ties included.

    ATen sorts (value, index) pairs with a comparator on values only (NaN largest) via
    libstdc++'s ``partial_sort`` (when k * 64 <= n) or ``nth_element`` followed by ``sort`` of
    the first k - 1; tied values come out in the order those algorithms leave them, replayed by
    ``_stdlib_sort.topk``.
    """
    q = [(v, j) for j, v in enumerate(values)]
    _cxx.topk(q, k, _greater_nan_first)
    return [j for _, j in q[:k]]


def _greater_nan_first(x, y):
    return (math.isnan(x[0]) and not math.isnan(y[0])) or x[0] > y[0]
