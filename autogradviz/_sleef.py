"""PyTorch's float32 SLEEF kernels (AVX2 build, with FMA), reproduced bit for bit in NumPy.

PyTorch 2.13's CPU kernels compute some float32 functions with SLEEF's vector routines
(``Sleef_<name>f8_u10``: 8 lanes, AVX2 with fused multiply-add), which are accurate to 1 ulp
but not correctly rounded, so a correctly rounded NumPy result differs from PyTorch's in the
last bit for a few percent of inputs. This module evaluates the same algorithms lane-wise on
NumPy arrays, with the same float32 operations in the same order (fused multiply-adds by
``_fma.fma32``), so the results are PyTorch's bit for bit:

* ``expf_u10``: ``Sleef_expf8_u10``, used by ``Vectorized<float>::exp`` (so by sigmoid; note
  that ``torch.exp`` itself goes through MKL's VML, not SLEEF).
* ``powf_u10``: ``Sleef_powf8_u10`` (``Vectorized<float>::pow``), by ``pow``.

Both run in C when the native kernels are there (``autogradviz/_native``, checked against these
NumPy versions, which remain the fallback).

Which elements take the vector routine. Kernels built on ``cpu_kernel_vec`` (pow, sigmoid) run
the vector code on whole blocks of 16 floats (two 8-lane vectors) and the scalar C++ function
(glibc's ``powf``/``pow``/``expf`` here) on the 0 to 15 elements left over at the end of each
range; a tensor of at least 32768 elements (ATen's GRAIN_SIZE) is split first into one range a
thread (``get_num_threads()``), so every range has its own leftover. ``kernel_vec`` reproduces
that split; the scalar tail calls the C library itself (through ctypes), as PyTorch does.

Not here: float32 ``sin``/``cos``/``tan``/``exp``/``log``/``tanh``/``atan``/``erf``. PyTorch 2.13
(built with MKL) computes those with MKL's VML (``vmsSin`` and so on, in high-accuracy mode),
whose algorithms are not public; checked by calling ``vmsSin`` from libtorch_cpu.so directly,
which agrees with ``torch.sin`` on every input tried while SLEEF's ``Sleef_sinf8_u10`` differs
for 1.5-5% of them.

The algorithms are those of SLEEF 3.x (Naoki Shibata and contributors, Boost Software License;
``src/libm/sleefsimdsp.c`` and ``df.h``), re-expressed here on NumPy arrays. Their constants
are data taken from there.
"""

from __future__ import annotations

import ctypes
import ctypes.util

import numpy as np

from . import _native
from ._fma import _fma32

_F = np.float32
_I = np.int32
_U = np.uint32

_R_LN2F = _F(1.442695040888963407359924681001892137426645954152985934135449406931)
_L2UF = _F(0.693145751953125)
_L2LF = _F(1.428606765330187045e-06)
_FLT_MIN = _F(1.17549435e-38)
_INF = _F(np.inf)
_NAN = _F(np.nan)
_ONE = _F(1)


def _fma(a, b, c):
    return _fma32(a, b, c)


def _fmapn(a, b, c):  # a*b - c, one rounding
    return _fma32(a, b, -c)


def _fmanp(a, b, c):  # -(a*b) + c, one rounding
    return _fma32(-a, b, c)


def _f(x):
    return np.asarray(x, _F)


# ------------------------------------------------------------------ integer helpers (AVX2 ops)
def _rint_i(x):
    """cvtps2dq: round half to even; NaN and out-of-range give INT_MIN."""
    r = np.rint(x)
    ok = np.abs(r) < _F(2147483648.0)
    return np.where(ok, np.where(ok, r, 0).astype(_I), _I(-2147483648))


def _trunc_i(x):
    """cvttps2dq: truncate; NaN and out-of-range give INT_MIN."""
    r = np.trunc(x)
    ok = np.abs(r) < _F(2147483648.0)
    return np.where(ok, np.where(ok, r, 0).astype(_I), _I(-2147483648))


def _bits_f(i):
    return np.asarray(i, _I).view(_F)


def _pow2i(q):
    return _bits_f((q + _I(0x7F)) << _I(23))


def _ldexp2(d, e):
    h = e >> _I(1)
    return d * _pow2i(h) * _pow2i(e - h)


def _ldexp3(d, q):
    return _bits_f(np.asarray(d, _F).view(_I) + (q << _I(23)))


def _ldexp(x, q):
    m = q >> _I(31)
    m = (((m + q) >> _I(6)) - m) << _I(4)
    q = q - (m << _I(2))
    m = m + _I(0x7F)
    m = np.where(m > 0, m, _I(0))
    m = np.where(m > 0xFF, _I(0xFF), m)
    u = _bits_f(m << _I(23))
    x = x * u * u * u * u
    return x * _bits_f((q + _I(0x7F)) << _I(23))


def _ilogb2k(d):
    return ((np.asarray(d, _F).view(_U) >> _U(23)) & _U(0xFF)).astype(_I) - _I(0x7F)


# ------------------------------------------------------------------ double-float arithmetic
# A double-float is a pair (hi, lo) of float32 arrays; these are df.h's FMA variants.
def _df_add2_f_f(x, y):
    rx = x + y
    v = rx - x
    return rx, (x - (rx - v)) + (y - v)


def _df_add2_df_f(x, y):
    rx = x[0] + y
    v = rx - x[0]
    return rx, ((x[0] - (rx - v)) + (y - v)) + x[1]


def _df_add2_df_df(x, y):
    rx = x[0] + y[0]
    v = rx - x[0]
    return rx, ((x[0] - (rx - v)) + (y[0] - v)) + (x[1] + y[1])


def _df_add_df_df(x, y):  # |x| >= |y|
    rx = x[0] + y[0]
    return rx, (((x[0] - rx) + y[0]) + x[1]) + y[1]


def _df_add_f_df(x, y):
    rx = x + y[0]
    return rx, ((x - rx) + y[0]) + y[1]


def _df_normalize(t):
    sx = t[0] + t[1]
    return sx, (t[0] - sx) + t[1]


def _df_scale(x, s):
    return x[0] * s, x[1] * s


def _df_mul_df_f(x, y):
    rx = x[0] * y
    return rx, _fma(x[1], y, _fmapn(x[0], y, rx))


def _df_mul_df_df(x, y):
    rx = x[0] * y[0]
    return rx, _fma(x[0], y[1], _fma(x[1], y[0], _fmapn(x[0], y[0], rx)))


def _df_squ(x):
    rx = x[0] * x[0]
    return rx, _fma(x[0] + x[0], x[1], _fmapn(x[0], x[0], rx))


def _df_div(n, d):
    t = _ONE / d[0]
    qx = n[0] * t
    u = _fmapn(t, n[0], qx)
    qy = _fmanp(d[1], t, _fmanp(d[0], t, _ONE))
    return qx, _fma(qx, qy, _fma(n[1], t, u))


# ------------------------------------------------------------------ the functions
def expf_u10(d):
    """``Sleef_expf8_u10`` on a float32 array (by the native kernel when there is one)."""
    d = _f(d)
    if d.flags.c_contiguous:
        lib = _native.kernels()
        if lib is not None:
            return _native.sleef_expf(lib, d)
    return _expf_u10_numpy(d)


def _expf_u10_numpy(d):
    d = _f(d)
    with np.errstate(all="ignore"):
        q = _rint_i(d * _R_LN2F)
        qf = q.astype(_F)
        s = _fma(qf, -_L2UF, d)
        s = _fma(qf, -_L2LF, s)
        u = _F(0.000198527617612853646278381)
        u = _fma(u, s, _F(0.00139304355252534151077271))
        u = _fma(u, s, _F(0.00833336077630519866943359))
        u = _fma(u, s, _F(0.0416664853692054748535156))
        u = _fma(u, s, _F(0.166666671633720397949219))
        u = _fma(u, s, _F(0.5))
        u = _ONE + _fma(s * s, u, s)
        u = _ldexp2(u, q)
        u = np.where(d < _F(-104), _F(0), u)
        u = np.where(_F(100) < d, _INF, u)
    return u.astype(_F, copy=False)


def _logkf(d):
    """log(d) as a double-float, for d > 0 (SLEEF's logkf)."""
    o = d < _FLT_MIN
    d = np.where(o, d * _F(18446744073709551616.0), d)
    e = _ilogb2k(d * (_ONE / _F(0.75)))
    m = _ldexp3(d, -e)
    e = np.where(o, e - _I(64), e)
    x = _df_div(_df_add2_f_f(_F(-1), m), _df_add2_f_f(_ONE, m))
    x2 = _df_squ(x)
    t = _F(0.240320354700088500976562)
    t = _fma(t, x2[0], _F(0.285112679004669189453125))
    t = _fma(t, x2[0], _F(0.400007992982864379882812))
    c = (_F(0.66666662693023681640625), _F(3.69183861259614332084311e-09))
    s = _df_mul_df_f((_F(0.69314718246459960938), _F(-1.904654323148236017e-09)), e.astype(_F))
    s = _df_add_df_df(s, _df_scale(x, _F(2)))
    return _df_add_df_df(s, _df_mul_df_df(_df_mul_df_df(x2, x),
                                          _df_add2_df_df(_df_mul_df_f(x2, t), c)))


def _expkf(d):
    """exp of a double-float, as a float (SLEEF's expkf)."""
    u = (d[0] + d[1]) * _R_LN2F
    q = _rint_i(u)
    qf = q.astype(_F)
    s = _df_add2_df_f(d, qf * -_L2UF)
    s = _df_add2_df_f(s, qf * -_L2LF)
    s = _df_normalize(s)
    u = _F(0.00136324646882712841033936)
    u = _fma(u, s[0], _F(0.00836596917361021041870117))
    u = _fma(u, s[0], _F(0.0416710823774337768554688))
    u = _fma(u, s[0], _F(0.166665524244308471679688))
    u = _fma(u, s[0], _F(0.499999850988388061523438))
    t = _df_add_df_df(s, _df_mul_df_f(_df_squ(s), u))
    t = _df_add_f_df(_ONE, t)
    u = _ldexp(t[0] + t[1], q)
    return np.where(d[0] < _F(-104), _F(0), u)


def powf_u10(x, y):
    """``Sleef_powf8_u10`` on float32 arrays (broadcast together); by the native kernel when
    there is one and ``y`` is a single value."""
    x, y = _f(x), _f(y)
    if y.ndim == 0 and x.flags.c_contiguous:
        lib = _native.kernels()
        if lib is not None:
            return _native.sleef_powf(lib, x, y)
    return _powf_u10_numpy(x, y)


def _powf_u10_numpy(x, y):
    x, y = np.broadcast_arrays(_f(x), _f(y))
    with np.errstate(all="ignore"):
        ay = np.abs(y)
        yisint = (np.trunc(y) == y) | (ay > _F(1 << 24))
        yisodd = ((_trunc_i(y) & _I(1)) == 1) & yisint & (ay < _F(1 << 24))
        ax = np.abs(x)
        r = _expkf(_df_mul_df_f(_logkf(ax), y))
        r = np.where(np.isnan(r), _INF, r)
        r = r * np.where(x > 0, _ONE, np.where(yisint, np.where(yisodd, _F(-1), _ONE), _NAN))
        efx = ((ax - _ONE).view(_U) ^ (y.view(_U) & _U(0x80000000))).view(_F)
        r = np.where(np.isinf(y), np.where(efx < 0, _F(0), np.where(efx == 0, _ONE, _INF)), r)
        sign_x = np.where(np.signbit(x), _F(-1), _ONE)
        big = np.where(np.where(x == 0, -y, y) < 0, _F(0), _INF)
        r = np.where(np.isinf(x) | (x == 0), np.where(yisodd, sign_x, _ONE) * big, r)
        r = np.where(np.isnan(x) | np.isnan(y), _U(0xFFFFFFFF).view(_F), r)
        r = np.where((y == 0) | (x == 1), _ONE, r)
    return r.astype(_F, copy=False)


# ------------------------------------------------------------------ the C library, for tails
try:  # by name: find_library would run ldconfig in a subprocess
    _libm = ctypes.CDLL("libm.so.6")
except OSError:  # pragma: no cover - not glibc
    _libm = ctypes.CDLL(ctypes.util.find_library("m"))
_c_expf = _libm.expf
_c_expf.restype, _c_expf.argtypes = ctypes.c_float, [ctypes.c_float]
_c_powf = _libm.powf
_c_powf.restype, _c_powf.argtypes = ctypes.c_float, [ctypes.c_float, ctypes.c_float]
_c_pow = _libm.pow
_c_pow.restype, _c_pow.argtypes = ctypes.c_double, [ctypes.c_double, ctypes.c_double]


def c_expf(x):
    """glibc's ``expf`` on each element of a (short) float32 array."""
    return np.array([_c_expf(v) for v in np.asarray(x, _F).tolist()], _F)


def c_powf(x, y):
    """glibc's ``powf`` on each pair of elements (short float32 arrays of one shape)."""
    return np.array([_c_powf(a, b) for a, b in zip(x.tolist(), y.tolist(), strict=True)], _F)


def c_pow_double(x, e):
    """glibc's double ``pow(x, e)`` for each float32 element, rounded to float32 (PyTorch's
    scalar loop for ``float_tensor ** python_number``)."""
    return np.array([_c_pow(a, e) for a in np.asarray(x, _F).tolist()], np.float64).astype(_F)


# ------------------------------------------------------------------ cpu_kernel_vec's layout
_VEC_BLOCK = 16  # two AVX2 vectors of 8 floats
_GRAIN_SIZE = 32768


def scalar_positions(n, num_threads):
    """Index array of the elements that ``cpu_kernel_vec`` computes with the scalar function
    in a contiguous range of ``n`` elements run on ``num_threads`` threads."""
    if n < _GRAIN_SIZE or num_threads <= 1:
        ranges = [(0, n)]
    else:
        threads = min(num_threads, -(-n // _GRAIN_SIZE))
        chunk = -(-n // threads)
        ranges = [(b, min(b + chunk, n)) for b in range(0, n, chunk)]
    idx = [np.arange(b + (e - b) // _VEC_BLOCK * _VEC_BLOCK, e) for b, e in ranges]
    return np.concatenate(idx) if idx else np.zeros(0, np.intp)


def kernel_vec(flat, vec_fn, scalar_fn, num_threads):
    """``cpu_kernel_vec`` on a 1-d contiguous float32 array: ``vec_fn`` (array to array) on
    whole 16-element blocks, ``scalar_fn`` (short array to array) on each range's leftover."""
    out = vec_fn(flat)
    tail = scalar_positions(flat.size, num_threads)
    if tail.size:
        out[tail] = scalar_fn(flat[tail])
    return out


def elementwise(x, vec_fn, scalar_fn, num_threads):
    """A float32 array through ``cpu_kernel_vec`` as TensorIterator lays it out: a C- or
    F-contiguous array as one range in memory order (``kernel_vec``); an array whose rows are
    contiguous row by row, each row a range of its own (no thread split); any other layout
    through the scalar function alone."""
    x = np.asarray(x, _F)
    if x.ndim == 0 or x.flags.c_contiguous:
        return kernel_vec(x.reshape(-1), vec_fn, scalar_fn, num_threads).reshape(x.shape)
    if x.flags.f_contiguous:
        t = x.T
        return kernel_vec(t.reshape(-1), vec_fn, scalar_fn, num_threads).reshape(t.shape).T
    if x.strides[-1] == x.itemsize:
        rows = x.reshape(-1, x.shape[-1])
        out = vec_fn(rows)
        cut = x.shape[-1] // _VEC_BLOCK * _VEC_BLOCK
        if cut < x.shape[-1]:
            tail = rows[:, cut:]
            out[:, cut:] = scalar_fn(tail.reshape(-1)).reshape(tail.shape)
        return out.reshape(x.shape)
    return scalar_fn(x.reshape(-1)).reshape(x.shape)


# ------------------------------------------------------------------ whole kernels
def sigmoid(x, num_threads):
    """PyTorch's float32 sigmoid, ``1 / (1 + exp(-x))`` through ``cpu_kernel_vec``."""
    x = np.asarray(x, _F)
    if x.flags.c_contiguous:
        lib = _native.kernels()
        if lib is not None:
            return _native.sigmoid_f32(lib, x, num_threads)
    one = _F(1)
    return elementwise(x, lambda v: one / (one + expf_u10(-v)),
                       lambda v: one / (one + c_expf(-v)), num_threads)


def pow_number(x, e, num_threads):
    """PyTorch's float32 ``x ** e`` for a number ``e`` without a shortcut: SLEEF's powf on
    the vector blocks, the C library's double ``pow`` on the rest."""
    x = np.asarray(x, _F)
    if x.flags.c_contiguous:
        lib = _native.kernels()
        if lib is not None:
            return _native.pow_number_f32(lib, x, e, num_threads)
    return elementwise(x, lambda v: powf_u10(v, _F(e)), lambda v: c_pow_double(v, e),
                       num_threads)
