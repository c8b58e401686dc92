"""autogradviz: a PyTorch-compatible tensor and autograd library on NumPy, built to be seen.

``import autogradviz as torch`` gives the names of PyTorch's top-level namespace that lessons
use: dtypes, tensor creation, random numbers, the operations, and the grad modes.
"""

from __future__ import annotations

from . import _methods
from . import dtypes as _dtypes_module
from ._backends import accelerator, backends, cuda
from ._creation import (
    arange,
    as_tensor,
    asarray,
    bernoulli,
    empty,
    empty_like,
    empty_strided,
    eye,
    from_numpy,
    full,
    full_like,
    get_num_threads,
    get_rng_state,
    initial_seed,
    linspace,
    logspace,
    manual_seed,
    multinomial,
    normal,
    ones,
    ones_like,
    poisson,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    scalar_tensor,
    seed,
    set_num_threads,
    set_rng_state,
    tensor,
    zeros,
    zeros_like,
)
from ._creation import range as range  # noqa: A004 - PyTorch's deprecated torch.range
from ._generator import Generator, default_generator
from ._printing import get_printoptions, printoptions, set_printoptions
from ._tensor import (
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
    Size,
    Tensor,
    device,
)
from .autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .dtypes import (
    bool,  # noqa: A004
    can_cast,
    dtype,
    finfo,
    float16,
    float32,
    float64,
    get_default_dtype,
    iinfo,
    int8,
    int16,
    int32,
    int64,
    promote_types,
    set_default_dtype,
    uint8,
)
from .ops.conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d, max_pool2d
from .ops.elementwise import *
from .ops.elementwise import INPLACE as _EW_INPLACE
from .ops.extra import *  # the functions beyond the core families
from .ops.indexing import (
    argwhere,
    gather,
    index_add,
    index_fill,
    index_put,
    index_put_,
    index_select,
    masked_fill,
    masked_select,
    nonzero,
    scatter,
    scatter_add,
    take,
    take_along_dim,
)
from .ops.lapack import det, inverse
from .ops.linalg import (
    addmm,
    bmm,
    cross,
    dot,
    einsum,
    ger,
    matmul,
    mm,
    mv,
    outer,
    svd,
    tensordot,
    trace,
)
from .ops.pooling import (
    adaptive_avg_pool1d,
    avg_pool1d,
    max_pool1d,
    max_pool1d_with_indices,
)
from .ops.pooling import (
    aten_adaptive_max_pool1d as adaptive_max_pool1d,
)
from .ops.reduction import (
    all,  # noqa: A004
    amax,
    amin,
    aminmax,
    any,  # noqa: A004
    argmax,
    argmin,
    argsort,
    count_nonzero,
    cummax,
    cummin,
    cumprod,
    cumsum,
    kthvalue,
    log_softmax,
    logsumexp,
    max,  # noqa: A004
    mean,
    median,
    min,  # noqa: A004
    mode,
    msort,
    nanmean,
    nanmedian,
    nansum,
    norm,
    prod,
    return_types,
    softmax,
    sort,
    std,
    std_mean,
    sum,  # noqa: A004
    topk,
    unique,
    unique_consecutive,
    var,
    var_mean,
)
from .ops.shape import (
    adjoint,
    atleast_1d,
    atleast_2d,
    atleast_3d,
    broadcast_shapes,
    broadcast_tensors,
    broadcast_to,
    cat,
    chunk,
    column_stack,
    concat,
    concatenate,
    diag,
    diag_embed,
    diagonal,
    dstack,
    flatten,
    flip,
    fliplr,
    flipud,
    hstack,
    moveaxis,
    movedim,
    narrow,
    permute,
    ravel,
    repeat_interleave,
    reshape,
    roll,
    rot90,
    row_stack,
    select,
    split,
    squeeze,
    stack,
    swapaxes,
    swapdims,
    t,
    tensor_split,
    tile,
    transpose,
    tril,
    triu,
    unbind,
    unflatten,
    unsqueeze,
    vstack,
)

_methods.attach()

from . import (  # noqa: E402 - built on the namespace above
    functional,
    linalg,
    nn,
    optim,
    serialization,
    utils,
)

# PyTorch's torch.save / torch.load.
save = serialization.save
load = serialization.load

# The activations, normalisations, distances and kl_div PyTorch also has at the top level
# (torch.selu, torch.group_norm ...).
from .nn.activations import (  # noqa: E402
    celu,
    celu_,
    hardshrink,
    prelu,
    rrelu_,
    selu,
    selu_,
    threshold,
    threshold_,
)
from .nn.activations import torch_rrelu as rrelu  # noqa: E402
from .nn.channel_dropout import feature_dropout  # noqa: E402
from .nn.distance import cosine_similarity, pairwise_distance  # noqa: E402
from .nn.normalization import aten_group_norm as group_norm  # noqa: E402
from .nn.normalization import aten_instance_norm as instance_norm  # noqa: E402
from .nn.normalization import rms_norm  # noqa: E402
from .nn.pointwise_losses import aten_kl_div as kl_div  # noqa: E402

# PyTorch's dtype aliases are the same objects.
float = float32  # noqa: A001
double = float64
half = float16
long = int64
int = int32  # noqa: A001
short = int16

__version__ = "0.1.0"


# PyTorch's top-level in-place functions (``torch.sin_(t)``) are the in-place methods.
_TOP_LEVEL_INPLACE = (
    "abs_", "acos_", "acosh_", "arccos_", "arccosh_", "arcsin_", "arcsinh_", "arctan_",
    "arctanh_", "asin_", "asinh_", "atan_", "atanh_", "ceil_", "clamp_", "clamp_max_",
    "clamp_min_", "clip_", "cos_", "cosh_", "erf_", "erfc_", "exp_", "exp2_", "expm1_", "fill_",
    "fix_", "floor_", "frac_", "log_", "log10_", "log1p_", "log2_", "nan_to_num_", "neg_",
    "negative_", "reciprocal_", "relu_", "round_", "rsqrt_", "sigmoid_", "sin_", "sinh_",
    "sqrt_", "square_", "tan_", "tanh_", "trunc_", "zero_",
)
globals().update({name: _EW_INPLACE[name] for name in _TOP_LEVEL_INPLACE})


def detach_(input):
    return input.detach_()


def is_nonzero(input):
    if not isinstance(input, Tensor):
        raise TypeError(f"is_nonzero(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    return input.is_nonzero()


def typename(obj):
    """``torch.FloatTensor`` for a tensor, the qualified class name otherwise."""
    from .nn.module import _typename

    return _typename(obj)


# Deterministic algorithms: autogradviz's are all deterministic; the flags are kept to be read.
_DETERMINISTIC = {"mode": False, "warn_only": False}


def use_deterministic_algorithms(mode, *, warn_only=False):  # noqa: F811 - PyTorch's name
    for name, value, where in (("mode", mode, " (position 1)"), ("warn_only", warn_only, "")):
        if value is not True and value is not False:
            raise TypeError(f"_set_deterministic_algorithms(): argument '{name}'{where} must be "
                            f"bool, not {type(value).__name__}")
    _DETERMINISTIC.update(mode=mode, warn_only=warn_only)


def are_deterministic_algorithms_enabled():
    return _DETERMINISTIC["mode"]


def is_deterministic_algorithms_warn_only_enabled():
    return _DETERMINISTIC["warn_only"]


def is_tensor(obj):
    return isinstance(obj, Tensor)


def numel(input):
    return input.numel()


def clone(input, *, memory_format=None):
    return input.clone()


def detach(input):
    return input.detach()


def result_type(tensor1, tensor2):
    return _dtypes_module.result_type(tensor1, tensor2)


def is_floating_point(input):
    return input.is_floating_point()


def equal(input, other):
    import numpy as np

    return input.shape == other.shape and np.array_equal(input._data, other._data)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return isclose(input, other, rtol, atol, equal_nan).all().item()


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """PyTorch's ``|input - other| <= atol + |rtol * other|`` (or equal), in PyTorch's operations
    and so in its dtypes: ``rtol * other`` of integers is in the default float dtype."""
    from .ops import elementwise as ew

    for position, (name, arg) in enumerate((("input", input), ("other", other)), 1):
        if not isinstance(arg, Tensor):
            raise TypeError(f"isclose(): argument '{name}' (position {position}) must be Tensor, "
                            f"not {type(arg).__name__}")
    if input.dtype is not other.dtype:
        raise RuntimeError(f"{_dtypes_module.SCALAR_TYPE_NAMES[input.dtype]} did not match "
                           f"{_dtypes_module.SCALAR_TYPE_NAMES[other.dtype]}")
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol}")
    with no_grad():
        close = ew.eq(input, other)
        if equal_nan and input.is_floating_point():
            close = close | (ew.isnan(input) & ew.isnan(other))
        if rtol == 0 and atol == 0:
            return close
        a, b = ((arg.to(get_default_dtype()) if arg.dtype is bool else arg)  # (torch.bool)
                for arg in (input, other))
        allowed = atol + ew.abs(rtol * b)
        actual = ew.abs(a - b)
        return close | (ew.isfinite(actual) & (actual <= allowed))


# The methods (t.allclose(u) ...) are these functions, defined after the others were attached.
Tensor.allclose, Tensor.isclose, Tensor.equal = allclose, isclose, equal


# Memory formats: autogradviz keeps PyTorch's layouts for copies; these name the two choices.
contiguous_format = "contiguous"
preserve_format = "preserve"


def get_default_device():
    return device("cpu")


def set_default_device(device_):
    """Only the CPU (or ``None``, PyTorch's default) can be the default device."""
    if device_ is not None:
        device(device_)


def load_ipython_extension(ip):
    """``%load_ext autogradviz``: draw graphs in Jupyter (needs the ``jupyter`` extra)."""
    from .viz.ipython import load_ipython_extension as load

    load(ip)


def unload_ipython_extension(ip):
    from .viz.ipython import unload_ipython_extension as unload

    unload(ip)
