"""``nn``: modules, layers (recurrent ones included), losses, ``functional`` and ``init``, as in
``torch.nn``.

Everything here is built from autogradviz's tensor operations, so a model's autograd graph has
PyTorch's nodes, and initialisation draws PyTorch's random numbers: ``torch.manual_seed(0);
nn.Linear(3, 2).weight`` prints the same values on either library.
"""

from __future__ import annotations

from . import functional, init, utils
from .activation_layers import (
    CELU,
    ELU,
    GELU,
    GLU,
    SELU,
    CosineSimilarity,
    Hardshrink,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    LeakyReLU,
    LogSigmoid,
    Mish,
    PairwiseDistance,
    PReLU,
    ReLU6,
    RReLU,
    SiLU,
    Softmin,
    Softplus,
    Softshrink,
    Softsign,
    Tanhshrink,
    Threshold,
)
from .container import ModuleDict, ParameterDict, ParameterList
from .conv_pool_layers import (
    AdaptiveAvgPool1d,
    AdaptiveMaxPool1d,
    AdaptiveMaxPool2d,
    AvgPool1d,
    Conv1d,
    ConvTranspose1d,
    ConvTranspose2d,
    Dropout1d,
    Dropout2d,
    MaxPool1d,
)
from .flatten import Unflatten
from .layers import (
    AdaptiveAvgPool2d,
    AvgPool2d,
    Conv2d,
    Dropout,
    Embedding,
    Flatten,
    Identity,
    Linear,
    LogSoftmax,
    MaxPool2d,
    ModuleList,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
)
from .loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
)
from .module import Module
from .normalization import (
    BatchNorm1d,
    BatchNorm2d,
    GroupNorm,
    InstanceNorm1d,
    InstanceNorm2d,
    InstanceNorm3d,
    LayerNorm,
    LocalResponseNorm,
    RMSNorm,
)
from .padding import (
    ConstantPad1d,
    ConstantPad2d,
    ConstantPad3d,
    ZeroPad1d,
    ZeroPad2d,
    ZeroPad3d,
)
from .parameter import Parameter
from .rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell, RNNCellBase

__all__ = [
    "GRU",
    "LSTM",
    "RNN",
    "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d",
    "AdaptiveMaxPool1d",
    "AdaptiveMaxPool2d",
    "AvgPool1d",
    "AvgPool2d",
    "BCELoss",
    "BCEWithLogitsLoss",
    "BatchNorm1d",
    "BatchNorm2d",
    "Conv1d",
    "Conv2d",
    "ConvTranspose1d",
    "ConvTranspose2d",
    "CrossEntropyLoss",
    "Dropout",
    "Dropout1d",
    "Dropout2d",
    "Embedding",
    "Flatten",
    "GRUCell",
    "Identity",
    "LSTMCell",
    "LayerNorm",
    "Linear",
    "LogSoftmax",
    "MSELoss",
    "MaxPool1d",
    "MaxPool2d",
    "Module",
    "ModuleList",
    "NLLLoss",
    "Parameter",
    "RNNBase",
    "RNNCell",
    "RNNCellBase",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "functional",
    "init",
    "utils",
]
__all__ += [
    "ConstantPad1d", "ConstantPad2d", "ConstantPad3d", "ModuleDict", "ParameterDict",
    "ParameterList", "Unflatten", "ZeroPad1d", "ZeroPad2d", "ZeroPad3d",
]
__all__ += [
    "CELU", "ELU", "GELU", "GLU", "SELU", "CosineSimilarity", "Hardshrink", "Hardsigmoid",
    "Hardswish", "Hardtanh", "HuberLoss", "KLDivLoss", "L1Loss", "LeakyReLU", "LogSigmoid",
    "Mish", "PairwiseDistance", "RReLU", "ReLU6", "SiLU", "SmoothL1Loss", "Softmin", "Softplus",
    "Softshrink", "Softsign", "Tanhshrink", "Threshold",
]
__all__ += ["GroupNorm"]
__all__ += ["PReLU"]
__all__ += ["RMSNorm"]
__all__ += ["InstanceNorm1d", "InstanceNorm2d"]
__all__ += ["LocalResponseNorm"]
__all__ += ["InstanceNorm3d"]
