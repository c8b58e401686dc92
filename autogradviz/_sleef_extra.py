"""SLEEF's float32 ``expm1f``, ``log1pf`` and ``tanhf`` (``Sleef_expm1f8_u10``,
``Sleef_log1pf8_u10``, ``Sleef_tanhf8_u10``), as PyTorch 2.13's AVX2 kernels call them through
``Vectorized<float>::expm1``/``log1p``/``tanh`` (elu, celu, selu; softplus, log_sigmoid; mish,
gelu's tanh form), reproduced on NumPy arrays with the same float32 operations in the same
order (the double-float helpers and fused multiply-adds are ``_sleef``'s); and the C library's
``expm1f``/``log1pf``/``tanhf``, which ATen's scalar loops call on the elements left over after
the vector blocks. The SLEEF functions run in C when the native kernels are there
(``autogradviz/_native``, checked against these NumPy versions, which remain the fallback).

The algorithms are SLEEF 3.x's (``src/libm/sleefsimdsp.c``: ``expk2f``, ``xexpm1f``,
``xlog1pf``, ``xtanhf``; Naoki Shibata and contributors, Boost Software License), re-expressed
here; their constants are data taken from there.
"""

from __future__ import annotations

import ctypes

import numpy as np

from . import _native, _sleef

_F = np.float32
_I = np.int32
_LN2 = (_F(0.69314718246459960938), _F(-1.904654323148236017e-09))  # ln 2 as a double-float


def _df_add_f_f(x, y):
    s = x + y
    return s, (x - s) + y


def _df_add_df_f(x, y):
    s = x[0] + y
    return s, ((x[0] - s) + y) + x[1]


def _expk2f(dx, dy):
    """exp of the double-float (dx, dy), as a double-float (SLEEF's ``expk2f``)."""
    u = (dx + dy) * _sleef._R_LN2F
    q = _sleef._rint_i(u)
    qf = q.astype(_F)
    s = _sleef._df_add2_df_f((dx, dy), qf * -_sleef._L2UF)
    s = _sleef._df_add2_df_f(s, qf * -_sleef._L2LF)
    u = _F(0.1980960224e-3)
    u = _sleef._fma(u, s[0], _F(0.1394256484e-2))
    u = _sleef._fma(u, s[0], _F(0.8333456703e-2))
    u = _sleef._fma(u, s[0], _F(0.4166637361e-1))
    t = _sleef._df_add2_df_f(_sleef._df_mul_df_f(s, u), _F(0.166666659414234244790680580464))
    t = _sleef._df_add2_df_f(_sleef._df_mul_df_df(s, t), _F(0.5))
    t = _sleef._df_add2_df_df(s, _sleef._df_mul_df_df(_sleef._df_squ(s), t))
    t = _sleef._df_add_f_df(_F(1), t)
    tx, ty = _sleef._ldexp2(t[0], q), _sleef._ldexp2(t[1], q)
    underflow = dx < _F(-104)
    return np.where(underflow, _F(0), tx), np.where(underflow, _F(0), ty)


def _by_kernel_or_numpy(name, x, numpy_version):
    """SLEEF's ``name`` of ``x`` by the native kernel when there is one (a contiguous array),
    else by ``numpy_version``: the same values."""
    x = np.asarray(x, _F)
    if x.flags.c_contiguous:
        lib = _native.kernels()
        if lib is not None:
            return _native.sleef_unary(lib, name, x)
    return numpy_version(x)


def expm1f_u10(a):
    """``Sleef_expm1f8_u10`` on a float32 array."""
    return _by_kernel_or_numpy("expm1f", a, _expm1f_u10_numpy)


def _expm1f_u10_numpy(a):
    a = np.asarray(a, _F)
    with np.errstate(all="ignore"):
        d = _sleef._df_add2_df_f(_expk2f(a, np.zeros_like(a)), _F(-1.0))
        x = d[0] + d[1]
        x = np.where(a > _F(88.72283172607421875), _F(np.inf), x)
        x = np.where(a < _F(-16.635532333438687426013570), _F(-1), x)
        x = np.where((a == 0) & np.signbit(a), _F(-0.0), x)
    return x.astype(_F, copy=False)


def log1pf_u10(d):
    """``Sleef_log1pf8_u10`` on a float32 array."""
    return _by_kernel_or_numpy("log1pf", d, _log1pf_u10_numpy)


def _log1pf_u10_numpy(d):
    d = np.asarray(d, _F)
    with np.errstate(all="ignore"):
        dp1 = d + _F(1)
        tiny = dp1 < _sleef._FLT_MIN
        dp1 = np.where(tiny, dp1 * _F(float(1 << 32) * float(1 << 32)), dp1)
        e = _sleef._ilogb2k(dp1 * _F(1.0 / 0.75))
        t = _sleef._ldexp3(np.ones_like(d), -e)
        m = _sleef._fma(d, t, t - _F(1))
        e = np.where(tiny, e - _I(64), e)
        s = _sleef._df_mul_df_f(_LN2, e.astype(_F))
        x = _sleef._df_div((m, np.zeros_like(m)), _df_add_f_f(_F(2), m))
        x2 = x[0] * x[0]
        t = _F(0.3027294874)
        t = _sleef._fma(t, x2, _F(0.3996108174))
        t = _sleef._fma(t, x2, _F(0.6666694880))
        s = _sleef._df_add_df_df(s, _sleef._df_scale(x, _F(2)))
        s = _df_add_df_f(s, x2 * x[0] * t)
        r = s[0] + s[1]
        r = np.where(d > _F(1e38), _F(np.inf), r)
        r = np.where(_F(-1) > d, _F(np.nan), r)
        r = np.where(d == _F(-1), _F(-np.inf), r)
        r = np.where((d == 0) & np.signbit(d), _F(-0.0), r)
    return r.astype(_F, copy=False)


def tanhf_u10(x):
    """``Sleef_tanhf8_u10`` on a float32 array: ``(d - 1/d) / (d + 1/d)``, ``d = exp(|x|)`` in
    double-float, with x's sign."""
    return _by_kernel_or_numpy("tanhf", x, _tanhf_u10_numpy)


def _tanhf_u10_numpy(x):
    x = np.asarray(x, _F)
    with np.errstate(all="ignore"):
        y = np.abs(x)
        d = _expk2f(y, np.zeros_like(y))
        rx = _F(1) / d[0]  # dfrec: 1/d as a double-float
        e = (rx, rx * _sleef._fmanp(d[1], rx, _sleef._fmanp(d[0], rx, _F(1))))
        d = _sleef._df_div(_sleef._df_add_df_df(d, (-e[0], -e[1])), _sleef._df_add_df_df(d, e))
        y = d[0] + d[1]
        y = np.where((np.abs(x) > _F(8.664339742)) | np.isnan(y), _F(1), y)
        y = np.where(np.signbit(x), -y, y)
        y = np.where(np.isnan(x), _F(np.nan), y)
    return y.astype(_F, copy=False)


# ------------------------------------------------------------------ the C library, for tails
_c_expm1f = _sleef._libm.expm1f
_c_expm1f.restype, _c_expm1f.argtypes = ctypes.c_float, [ctypes.c_float]
_c_log1pf = _sleef._libm.log1pf
_c_log1pf.restype, _c_log1pf.argtypes = ctypes.c_float, [ctypes.c_float]
_c_tanhf = _sleef._libm.tanhf
_c_tanhf.restype, _c_tanhf.argtypes = ctypes.c_float, [ctypes.c_float]


def c_expm1f(x):
    """glibc's ``expm1f`` on each element of a (short) float32 array."""
    return np.array([_c_expm1f(v) for v in np.asarray(x, _F).tolist()], _F)


def c_log1pf(x):
    """glibc's ``log1pf`` on each element of a (short) float32 array."""
    return np.array([_c_log1pf(v) for v in np.asarray(x, _F).tolist()], _F)


def c_tanhf(x):
    """glibc's ``tanhf`` on each element of a (short) float32 array."""
    return np.array([_c_tanhf(v) for v in np.asarray(x, _F).tolist()], _F)
