"""Anomaly mode: remember where each node was made, and name it when its backward fails."""

from __future__ import annotations

import os
import traceback
import warnings

import numpy as np


class _State:
    enabled = False
    check_nan = True


STATE = _State()


_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def capture():
    """The forward call's stack, as PyTorch prints it in anomaly mode: the learner's frames,
    not autogradviz's own."""
    frames = [f for f in traceback.extract_stack()
              if not os.path.abspath(f.filename).startswith(_PACKAGE + os.sep)]
    return "".join(traceback.format_list(frames))


def report(node, err):
    if STATE.enabled and node._anomaly_trace is not None:
        warnings.warn(
            f"Error detected in {node.name()}. Traceback of forward call that caused the error:\n"
            f"{node._anomaly_trace}",
            UserWarning,
            stacklevel=4,
        )


def check_nan(node, produced):
    if not STATE.check_nan:
        return
    for i, g in enumerate(produced):
        if g is not None and g._dtype.category == 2 and np.isnan(g._data).any():
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")


def is_anomaly_enabled():
    return STATE.enabled


def is_anomaly_check_nan_enabled():
    return STATE.check_nan


class set_detect_anomaly:  # noqa: N801 - PyTorch's spelling
    """Switch anomaly detection on or off (at once, and as a context manager)."""

    def __init__(self, mode, check_nan=True):
        self._prev = (STATE.enabled, STATE.check_nan)
        STATE.enabled = bool(mode)
        STATE.check_nan = bool(check_nan)

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        STATE.enabled, STATE.check_nan = self._prev
        return False


class detect_anomaly:  # noqa: N801
    """Context manager (and decorator) enabling anomaly detection."""

    def __init__(self, check_nan=True):
        self._check_nan = check_nan
        warnings.warn(
            "Anomaly Detection has been enabled. This mode will increase the runtime and should "
            "only be enabled for debugging.",
            UserWarning,
            stacklevel=2,
        )

    def __enter__(self):
        self._prev = (STATE.enabled, STATE.check_nan)
        STATE.enabled = True
        STATE.check_nan = self._check_nan

    def __exit__(self, *exc):
        STATE.enabled, STATE.check_nan = self._prev
        return False

    def __call__(self, func):
        import functools

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.__class__(self._check_nan):
                return func(*args, **kwargs)

        return wrapper
