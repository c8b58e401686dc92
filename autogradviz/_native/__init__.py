"""Optional native kernels: the loops NumPy cannot run fast in PyTorch's order.

``kernels.c`` holds C versions of ``_cascade_sum._multi_row_sum`` (PyTorch's float sum of a
long row, added in its cascade order), ``_generator._avx2_blocks`` (PyTorch's float32 normal
sampler), NumPy's ``MT19937.random_raw`` (the words both samplers start from), and of
``_sleef.expf_u10``/``powf_u10`` and ``_sleef_extra``'s ``expm1f``/``log1pf``/``tanhf``
(SLEEF's float32 functions inside PyTorch's sigmoid, pow and activation kernels), with the
whole sigmoid and pow kernels. They compute exactly the bits of the NumPy code, which stays
the reference and the fallback: without a C compiler, or with ``AUTOGRADVIZ_NATIVE=0``,
results are the same, only slower.

The source is compiled on first use with the system's C compiler (``$CC``, else ``cc`` or
``gcc``), into the cache directory shared with the drawing renderer, keyed by a hash of the
source and the flags, and loaded with ctypes: the package stays pure Python, with NumPy its
only runtime dependency. Once loaded, the kernels are checked against the NumPy code on a
few inputs; any difference disables them for the process.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import subprocess
import sysconfig
import tempfile
import threading
from pathlib import Path

from .._cache import cache_dir

ENV_SWITCH = "AUTOGRADVIZ_NATIVE"  # "0" keeps to the NumPy code
SOURCE = Path(__file__).with_name("kernels.c")
# No contraction into fmas and no fast-math: every rounding must be the NumPy code's.
CFLAGS = ("-O3", "-std=c99", "-fPIC", "-shared", "-ffp-contract=off", "-fno-math-errno")

_P, _I64 = ctypes.c_void_p, ctypes.c_int64  # arrays are passed by address
_SIGNATURES = {  # kernels.c's functions: argument types, return type
    "agv_multi_row_sum_f32": ([_P, _I64, _I64, _P], ctypes.c_int),
    "agv_multi_row_sum_f64": ([_P, _I64, _I64, _P], ctypes.c_int),
    "agv_mt19937_words": ([_P, _P, _P, _I64], None),
    "agv_normal_blocks_f32": ([_P, _I64, ctypes.c_float, ctypes.c_float, ctypes.c_int, _P],
                              None),
    "agv_sleef_expf_u10": ([_P, _P, _I64], None),
    "agv_sleef_powf_u10": ([_P, ctypes.c_float, _P, _I64], None),
    "agv_sleef_expm1f_u10": ([_P, _P, _I64], None),
    "agv_sleef_log1pf_u10": ([_P, _P, _I64], None),
    "agv_sleef_tanhf_u10": ([_P, _P, _I64], None),
    "agv_sigmoid_f32": ([_P, _P, _I64, _I64], None),
    "agv_pow_number_f32": ([_P, ctypes.c_double, _P, _I64, _I64], None),
}

_lock = threading.Lock()
_state = {}  # "lib": the loaded library or None, once decided


def kernels():
    """The loaded kernels (a ``ctypes.CDLL``), or None when they are switched off or cannot
    be built here. Decided once per process."""
    try:
        return _state["lib"]
    except KeyError:
        pass
    with _lock:
        if "lib" not in _state:
            lib = None
            if os.environ.get(ENV_SWITCH, "1") != "0":
                lib = _load()
                if lib is not None and not _agrees_with_numpy(lib):
                    lib = None
            _state["lib"] = lib
    return _state["lib"]


def compiler():
    """The C compiler to use, or None."""
    cc = os.environ.get("CC")
    if cc:
        return shutil.which(cc.split()[0]) and cc
    return shutil.which("cc") or shutil.which("gcc")


def library_path():
    """Where the compiled kernels live for this source, these flags and this platform."""
    key = SOURCE.read_bytes() + repr((CFLAGS, sysconfig.get_platform())).encode()
    digest = hashlib.sha256(key).hexdigest()[:24]
    return cache_dir() / f"kernels-{digest}.so"


def _load():
    path = library_path()
    if not path.exists():
        cc = compiler()
        if cc is None:
            return None
        try:
            path = _compile(cc, path)
        except (OSError, subprocess.SubprocessError):
            return None
    try:
        lib = ctypes.CDLL(str(path))
    except OSError:  # damaged or foreign: built again next time
        path.unlink(missing_ok=True)
        return None
    try:
        for name, (argtypes, restype) in _SIGNATURES.items():
            fn = getattr(lib, name)
            fn.argtypes, fn.restype = argtypes, restype
    except AttributeError:  # a library of another build under this name
        return None
    return lib


def _compile(cc, path):
    """Build the library into ``path`` (atomically: concurrent processes never load half a
    file); into a temporary directory when the cache is not writable."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        folder = path.parent
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".so")
    except OSError:
        folder = Path(tempfile.mkdtemp(prefix="autogradviz-"))
        path = folder / path.name
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".so")
    os.close(fd)
    try:
        subprocess.run([*cc.split(), *CFLAGS, "-o", tmp, str(SOURCE), "-lm"], check=True,
                       capture_output=True, timeout=120)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def _agrees_with_numpy(lib):
    """The kernels give the NumPy code's bits on a few inputs (a compiler that contracted or
    widened an operation would show here)."""
    import numpy as np

    from .._generator import _avx2_blocks_numpy
    from ..ops._cascade_sum import _multi_row_sum_numpy

    rng = np.random.default_rng(12345)
    for dtype in (np.float32, np.float64):
        for size, lanes in ((300, 32), (4100, 3), (17, 8)):
            a = (rng.standard_normal((size, lanes)) * 10.0 ** rng.integers(-3, 4, lanes))
            a = a.astype(dtype)
            if not np.array_equal(multi_row_sum(lib, a).view(np.uint8),
                                  _multi_row_sum_numpy(a).view(np.uint8)):
                return False
    mt = np.random.MT19937(7)
    for n in (5, 700, 2000):
        key, pos = mt.state["state"]["key"], mt.state["state"]["pos"]
        if not np.array_equal(mt19937_words(lib, key, pos, n)[0], mt.random_raw(n)):
            return False
    from .. import _sleef

    x = np.concatenate([rng.standard_normal(500) * 30, [0.0, -0.0, 1.0, -1.0, np.inf, -np.inf,
                                                        np.nan, 1e-40, -104.5, 88.7]])
    x = x.astype(np.float32)
    pairs = [(sleef_expf(lib, x), _sleef._expf_u10_numpy(x))]
    for y in (1.5, -2.25, 0.0, 3.0, np.inf, -np.inf, np.nan, 1e-3):
        pairs.append((sleef_powf(lib, np.abs(x), y), _sleef._powf_u10_numpy(np.abs(x), y)))
        pairs.append((sleef_powf(lib, x, y), _sleef._powf_u10_numpy(x, y)))
    from .. import _sleef_extra

    for name in ("expm1f", "log1pf", "tanhf"):
        pairs.append((sleef_unary(lib, name, x), getattr(_sleef_extra, f"_{name}_u10_numpy")(x)))
    for ours, ref in pairs:
        # NaN results need only be NaN: NumPy's own loops disagree on a NaN's sign
        same = (ours.view(np.uint32) == ref.view(np.uint32)) | (np.isnan(ours) & np.isnan(ref))
        if not same.all():
            return False
    words = rng.integers(0, 2**32, (64, 16), dtype=np.uint64)
    for mean, std in ((0.0, 1.0), (0.5, 3.0)):
        ours, ref = np.empty((64, 16), np.float32), np.empty((64, 16), np.float32)
        normal_blocks(lib, words, mean, std, ours)
        _avx2_blocks_numpy(words.copy(), mean, std, ref)
        if not np.array_equal(ours.view(np.uint32), ref.view(np.uint32)):
            return False
    return True


def multi_row_sum(lib, a):
    """``_multi_row_sum`` of a C-contiguous float32/float64 array ``a`` (rows along axis 0):
    a new array of shape ``a.shape[1:]``, or None if the kernel could not get memory."""
    import numpy as np

    out = np.empty(a.shape[1:], a.dtype)
    fn = lib.agv_multi_row_sum_f32 if a.dtype == np.float32 else lib.agv_multi_row_sum_f64
    size = a.shape[0]
    lanes = a.size // size if size else 0
    if fn(a.ctypes.data, size, lanes, out.ctypes.data) != 0:
        return None
    return out


def mt19937_words(lib, key, pos, n):
    """The next ``n`` outputs of NumPy's ``MT19937`` in state (``key``, ``pos``), as its
    ``random_raw(n)`` gives them, and the state after them: ``(words, key, pos)``."""
    import numpy as np

    key = np.array(key, np.uint32)  # a copy, advanced in place
    position = ctypes.c_int64(pos)
    out = np.empty(n, np.uint64)
    lib.agv_mt19937_words(key.ctypes.data, ctypes.byref(position), out.ctypes.data, n)
    return out, key, position.value


def normal_blocks(lib, words, mean, std, out):
    """``_avx2_blocks`` on C-contiguous (B, 16) uint64 ``words`` into C-contiguous (B, 16)
    float32 ``out``."""
    import numpy as np

    mean32, std32 = np.float32(mean), np.float32(std)
    standard = bool(mean32 == 0 and std32 == 1)
    lib.agv_normal_blocks_f32(words.ctypes.data, words.shape[0], float(mean32), float(std32),
                              int(standard), out.ctypes.data)


def sleef_expf(lib, x):
    """``_sleef.expf_u10`` of a C-contiguous float32 array, as a new array."""
    import numpy as np

    out = np.empty(x.shape, np.float32)
    lib.agv_sleef_expf_u10(x.ctypes.data, out.ctypes.data, x.size)
    return out


def sleef_powf(lib, x, y):
    """``_sleef.powf_u10`` of a C-contiguous float32 array and one float32 exponent."""
    import numpy as np

    out = np.empty(x.shape, np.float32)
    lib.agv_sleef_powf_u10(x.ctypes.data, float(np.float32(y)), out.ctypes.data, x.size)
    return out


def sigmoid_f32(lib, x, threads):
    """PyTorch's float32 sigmoid of a C-contiguous array (``_sleef.elementwise`` with SLEEF's
    expf on vector blocks and the C library's on the rest), as a new array."""
    import numpy as np

    out = np.empty(x.shape, np.float32)
    lib.agv_sigmoid_f32(x.ctypes.data, out.ctypes.data, x.size, threads)
    return out


def pow_number_f32(lib, x, e, threads):
    """PyTorch's float32 ``x ** e`` for a number ``e`` of a C-contiguous array, as a new
    array."""
    import numpy as np

    out = np.empty(x.shape, np.float32)
    lib.agv_pow_number_f32(x.ctypes.data, float(e), out.ctypes.data, x.size, threads)
    return out


def sleef_unary(lib, name, x):
    """SLEEF's float32 ``name`` (``expm1f``, ``log1pf`` or ``tanhf``) of a C-contiguous float32
    array, as ``_sleef_extra`` computes it, as a new array."""
    import numpy as np

    out = np.empty(x.shape, np.float32)
    getattr(lib, f"agv_sleef_{name}_u10")(x.ctypes.data, out.ctypes.data, x.size)
    return out
