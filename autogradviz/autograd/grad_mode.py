"""Grad modes: whether operations record history (``no_grad``, ``enable_grad``, ...)."""

from __future__ import annotations

import functools

__all__ = [
    "enable_grad",
    "inference_mode",
    "is_grad_enabled",
    "is_inference_mode_enabled",
    "no_grad",
    "set_grad_enabled",
]


class _State:
    grad_enabled = True
    inference = False


STATE = _State()


def is_grad_enabled():
    return STATE.grad_enabled


def is_inference_mode_enabled():
    return STATE.inference


class _GradModeContext:
    """Base of the grad-mode context managers; each also works as a decorator."""

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.__class__(*self._args):
                return func(*args, **kwargs)

        return wrapper

    _args = ()

    def __enter__(self):
        self._prev = STATE.grad_enabled
        STATE.grad_enabled = self._enabled
        return None

    def __exit__(self, *exc):
        STATE.grad_enabled = self._prev
        return False

    def clone(self):
        return self.__class__(*self._args)


class no_grad(_GradModeContext):  # noqa: N801 - PyTorch's spelling
    """Operations inside record no history."""

    _enabled = False

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)  # used bare, as @no_grad


class enable_grad(_GradModeContext):  # noqa: N801
    """Operations inside record history even within ``no_grad``."""

    _enabled = True


class set_grad_enabled(_GradModeContext):  # noqa: N801
    """Switch recording on or off; takes effect at once, and works as a context manager."""

    def __init__(self, mode):
        self._args = (mode,)
        self._enabled = bool(mode)
        self._prev = STATE.grad_enabled
        STATE.grad_enabled = self._enabled

    def __enter__(self):
        return None


class inference_mode(_GradModeContext):  # noqa: N801
    """Like ``no_grad``; tensors made inside are inference tensors in PyTorch."""

    def __init__(self, mode=True):
        self._args = (mode,)
        self._enabled = not mode
        self._mode = bool(mode)

    def __enter__(self):
        self._prev_inf = STATE.inference
        STATE.inference = self._mode
        return super().__enter__()

    def __exit__(self, *exc):
        STATE.inference = self._prev_inf
        return super().__exit__(*exc)
