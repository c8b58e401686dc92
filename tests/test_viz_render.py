"""Rendering: in-process SVG without system Graphviz, the same bytes in every process, the
compiled-module disk cache, results cached by DOT text, and clear errors without ``dot``."""

import importlib
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import autogradviz
from autogradviz import viz

render_module = importlib.import_module("autogradviz.viz.render")  # viz.render is the function
REPO = Path(__file__).resolve().parent.parent

# A child process that may not start any program (no `dot`, no subprocess at all), draws a small
# graph and prints what it made.
CHILD = r"""
import json, shutil, subprocess, sys

assert shutil.which("dot") is None, shutil.which("dot")


def refuse(*args, **kwargs):
    raise AssertionError(f"a program was started: {args!r}")


subprocess.run = subprocess.Popen = subprocess.call = subprocess.check_output = refuse

import importlib

import autogradviz as torch
from autogradviz import viz

render_module = importlib.import_module("autogradviz.viz.render")
x = torch.tensor([1.0, -2.0, 0.5], requires_grad=True)
w = torch.tensor([[0.5, -1.0], [2.0, 0.25], [1.5, 1.0]], requires_grad=True)
h = (x @ w).relu()
loss = (h * h).sum() + 2 - x.mean()
d = viz.draw(loss)
svg = d.svg()
print(json.dumps({
    "svg": svg,
    "dot": d.source,
    "wasm_backends": render_module._wasm_backend.cache_info().currsize,
    "cache_dir": str(render_module.cache_dir()),
}))
"""


def only_python_path(tmp_path):
    """A PATH holding nothing but python (so neither `dot` nor any other program is found)."""
    bindir = tmp_path / "bin"
    bindir.mkdir(exist_ok=True)
    link = bindir / "python"
    if not link.exists():
        link.symlink_to(sys.executable)
    return str(bindir)


def run_child(tmp_path, cache_dir):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "XDG_CACHE_HOME")}
    env.update(PATH=only_python_path(tmp_path), PYTHONPATH=str(REPO),
               AUTOGRADVIZ_CACHE_DIR=str(cache_dir), PYTHONHASHSEED="random")
    done = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True,
                          text=True, cwd=tmp_path, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


SVG_TEXT = "{http://www.w3.org/2000/svg}text"


def svg_texts(svg):
    """The text lines the SVG shows."""
    return [el.text or "" for el in ET.fromstring(svg).iter(SVG_TEXT)]


def svg_text(svg):
    return "\n".join(svg_texts(svg))


def test_two_processes_same_svg_without_dot(tmp_path):
    cache = tmp_path / "cache"
    first = run_child(tmp_path, cache)
    second = run_child(tmp_path, cache)
    assert first["dot"] == second["dot"]
    assert first["svg"] == second["svg"]  # byte for byte (ids are not addresses)
    # The in-process WebAssembly renderer made it: its backend was created, nothing was run.
    assert first["wasm_backends"] == 1 and second["wasm_backends"] == 1
    assert first["cache_dir"] == str(cache)
    root = ET.fromstring(first["svg"])
    assert root.tag.endswith("svg")
    texts = svg_texts(first["svg"])
    assert any(t.startswith("x ") for t in texts) and any(t.startswith("w ") for t in texts)
    assert any(t.startswith("loss = SubBackward0") for t in texts)


def test_disk_cache_written_reused_and_repaired(tmp_path):
    cache = tmp_path / "cache"
    first = run_child(tmp_path, cache)
    files = sorted(cache.glob("*.cwasm"))
    assert len(files) == 1 and files[0].stat().st_size > 1000
    stamp = files[0].stat().st_mtime_ns
    content = files[0].read_bytes()
    second = run_child(tmp_path, cache)  # reads the compiled module, does not write it again
    assert second["svg"] == first["svg"]
    assert sorted(cache.glob("*.cwasm")) == files
    assert files[0].stat().st_mtime_ns == stamp and files[0].read_bytes() == content
    assert list(cache.iterdir()) == files  # no temporary files left behind

    files[0].write_bytes(b"not a compiled module" * 100)  # damaged: compiled again
    third = run_child(tmp_path, cache)
    assert third["svg"] == first["svg"]
    assert files[0].read_bytes() != b"not a compiled module" * 100  # and the cache repaired

    files[0].write_bytes(content[: len(content) // 2])  # truncated
    fourth = run_child(tmp_path, cache)
    assert fourth["svg"] == first["svg"]


def test_unwritable_cache_dir_still_renders(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache directory should be")
    result = run_child(tmp_path, blocker / "cache")
    assert "<svg" in result["svg"]


def test_cache_dir_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("AUTOGRADVIZ_CACHE_DIR", str(tmp_path / "a"))
    assert render_module.cache_dir() == tmp_path / "a"
    monkeypatch.delenv("AUTOGRADVIZ_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert render_module.cache_dir() == tmp_path / "xdg" / "autogradviz"


def small_drawing(tag="", **kwargs):
    x = autogradviz.tensor([1.0, 2.0], requires_grad=True)
    y = (x * 3).sum()
    return viz.draw(y, names={f"x{tag}": x}, **kwargs)


def no_dot(monkeypatch):
    monkeypatch.setattr(render_module.shutil, "which", lambda name, *a, **k: None)


def test_in_process_renderer_needs_no_program(monkeypatch):
    no_dot(monkeypatch)

    def refuse(*args, **kwargs):
        raise AssertionError("a program was started")

    monkeypatch.setattr(render_module.subprocess, "run", refuse)
    svg = small_drawing("_inproc").svg()
    assert "x_inproc" in svg_text(svg)


def test_renderer_dot_without_dot_is_a_clear_error(monkeypatch):
    no_dot(monkeypatch)
    d = small_drawing("_needs_dot", renderer="dot")
    with pytest.raises(viz.RendererUnavailableError, match="dot"):
        d.svg()
    assert issubclass(viz.RendererUnavailableError, RuntimeError)


def test_unknown_renderer_and_format():
    with pytest.raises(ValueError, match="renderer"):
        render_module.render("digraph { a }", "svg", "cairo")
    with pytest.raises(viz.RendererUnavailableError, match="png"):
        render_module.render("digraph { a }", "png")


def test_save_svg_dot_gv(tmp_path):
    d = small_drawing("_save")
    svg_path = d.save(tmp_path / "g.svg")
    assert svg_path == tmp_path / "g.svg"
    assert svg_path.read_text(encoding="utf-8") == d.svg()
    ET.fromstring(svg_path.read_bytes())
    for suffix in (".dot", ".gv"):
        path = d.save(tmp_path / f"g{suffix}")
        assert path.read_text(encoding="utf-8") == d.source
        assert path.read_text(encoding="utf-8").startswith("digraph autograd {")
    path = d.save(tmp_path / "g.txt", format="svg")
    assert path.read_text(encoding="utf-8") == d.svg()
    with pytest.raises(ValueError, match="suffix"):
        d.save(tmp_path / "nosuffix")


def test_save_png_without_dot_is_a_clear_error(monkeypatch, tmp_path):
    no_dot(monkeypatch)
    d = small_drawing("_png")
    with pytest.raises(viz.RendererUnavailableError, match="dot"):
        d.save(tmp_path / "g.png")
    assert not (tmp_path / "g.png").exists()


def test_results_cached_by_dot_text(monkeypatch):
    calls = []
    real = render_module._wasm_backend()

    class Spy:
        def render(self, source, **kwargs):
            calls.append(source)
            return real.render(source, **kwargs)

    monkeypatch.setattr(render_module, "_wasm_backend", lambda: Spy())
    d = small_drawing("_cached_once")
    first = d.svg()
    assert len(calls) == 1
    assert d.svg() == first
    again = small_drawing("_cached_once")  # a new drawing with the same DOT text
    assert again.source == d.source
    assert again.svg() == first
    assert len(calls) == 1
    out1 = render_module.render(d.source, "svg")
    out2 = render_module.render(d.source, "svg")
    assert out1 is out2  # the same object, from the cache
    render_module.render(d.source, "plain")  # another format is another result
    assert len(calls) == 2


def test_bad_dot_raises_and_renderer_keeps_working():
    with pytest.raises(Exception, match="parse"):
        render_module.render("digraph { a -> ", "svg")
    assert b"<svg" in render_module.render("digraph { render_after_error -> b }", "svg")


def test_mimebundle_svg_and_text():
    d = small_drawing("_bundle")
    bundle = d._repr_mimebundle_()
    assert set(bundle) == {"image/svg+xml", "text/plain"}
    assert bundle["image/svg+xml"] == d.svg()
    assert bundle["text/plain"] == repr(d) == d.model.summary_text()
    assert bundle["text/plain"].startswith("autograd graph: ")
