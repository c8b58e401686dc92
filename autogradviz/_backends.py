"""The device-query namespaces lessons use to pick a device: ``torch.accelerator``,
``torch.cuda`` and ``torch.backends.mps``/``cuda``/``cudnn``. autogradviz runs on the CPU only,
so each answers as a CPU-only PyTorch build does (no accelerator, nothing available), and
``device = "cuda" if torch.cuda.is_available() else "cpu"`` picks the CPU."""

from __future__ import annotations

from types import ModuleType


def _namespace(name, doc, **functions):
    module = ModuleType(name, doc)
    for key, fn in functions.items():
        fn.__qualname__ = fn.__name__ = key
        setattr(module, key, fn)
    return module


def _false():
    return False


def _zero():
    return 0


def _current_accelerator(check_available=False):
    return None


accelerator = _namespace(
    "torch.accelerator", "No accelerator: autogradviz runs on the CPU.",
    is_available=_false, device_count=_zero, current_accelerator=_current_accelerator)

cuda = _namespace("torch.cuda", "CUDA is not available: autogradviz runs on the CPU.",
                  is_available=_false, device_count=_zero, is_initialized=_false)

backends = _namespace("torch.backends", "Backends: none but the CPU's.")
backends.mps = _namespace("torch.backends.mps", "MPS is not available.",
                          is_available=_false, is_built=_false)
backends.cuda = _namespace("torch.backends.cuda", "CUDA is not available.", is_built=_false)
backends.cudnn = _namespace("torch.backends.cudnn", "cuDNN is not available.",
                            is_available=_false)
