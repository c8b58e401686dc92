"""The IPython extension, in a real InteractiveShell: SVG beside the unchanged text/plain for
tensors with a graph and grad_fn nodes (autogradviz's and PyTorch's), ``%draw``,
``%autogradviz on|off``, and ``%unload_ext`` putting everything back."""

import pytest
from IPython.core.interactiveshell import InteractiveShell

import autogradviz
from autogradviz import viz
from autogradviz._tensor import Tensor
from autogradviz.autograd.graph import Node

SVG = "image/svg+xml"


@pytest.fixture
def ip():
    shell = InteractiveShell.instance()
    formatter = shell.display_formatter
    active = formatter.active_types
    formatter.active_types = list(formatter.formatters)  # SVG is not active in a terminal shell
    shell.run_line_magic("unload_ext", "autogradviz")
    yield shell
    shell.run_line_magic("unload_ext", "autogradviz")
    formatter.active_types = active
    for name in ("x", "z", "leaf", "t", "tz", "tleaf", "fn_out"):
        shell.user_ns.pop(name, None)


def fmt(ip, obj):
    data, _ = ip.display_formatter.format(obj)
    return data


def run(ip, code):
    result = ip.run_cell(code)
    result.raise_error()
    return result.result


def make_graph(ip):
    run(ip, "import autogradviz\n"
            "x = autogradviz.tensor([1.0, 2.0], requires_grad=True)\n"
            "z = (x * x).sum()\n"
            "leaf = autogradviz.tensor([3.0])\n")
    return ip.user_ns["z"], ip.user_ns["leaf"]


def test_before_loading_only_text(ip):
    z, leaf = make_graph(ip)
    for obj in (z, z.grad_fn, leaf):
        assert set(fmt(ip, obj)) == {"text/plain"}


def test_loaded_svg_beside_unchanged_text(ip):
    z, leaf = make_graph(ip)
    before = {id(o): fmt(ip, o)["text/plain"] for o in (z, z.grad_fn, leaf)}
    ip.run_line_magic("load_ext", "autogradviz")
    for obj in (z, z.grad_fn):
        data = fmt(ip, obj)
        assert SVG in data
        assert data[SVG].lstrip().startswith("<?xml") and "<svg" in data[SVG]
        assert data["text/plain"] == repr(obj) == before[id(obj)]
    data = fmt(ip, z)
    assert ">x (leaf)<" in data[SVG] or "x  (leaf)" in data[SVG]  # named from user_ns
    assert "z = SumBackward0" in data[SVG]
    data = fmt(ip, leaf)  # no graph: nothing to draw
    assert SVG not in data and data["text/plain"] == repr(leaf) == before[id(leaf)]
    assert SVG not in fmt(ip, ip.user_ns["x"])  # a leaf that requires grad has no graph either


@pytest.mark.parametrize("torch_first", [True, False], ids=["torch-first", "torch-later"])
def test_torch_tensors_and_nodes(ip, torch_first):
    code = ("import torch\n"
            "t = torch.tensor([1.0, 2.0], requires_grad=True)\n"
            "tz = (t.exp() * t).sum()\n"
            "tleaf = torch.zeros(2)\n")
    if torch_first:
        run(ip, code)
    ip.run_line_magic("load_ext", "autogradviz")
    if not torch_first:  # a cell after loading (registered then, or at loading if the process
        # had imported torch already)
        run(ip, code)
    tz, tleaf = ip.user_ns["tz"], ip.user_ns["tleaf"]
    objects = (tz, tz.grad_fn, tz.grad_fn.next_functions[0][0])
    ip.run_line_magic("autogradviz", "off")
    plain = [fmt(ip, obj)["text/plain"] for obj in objects]
    ip.run_line_magic("autogradviz", "on")
    for obj, text in zip(objects, plain, strict=True):
        data = fmt(ip, obj)
        assert SVG in data, obj
        assert data["text/plain"] == text  # IPython's own text, unchanged
    assert plain[0] == repr(tz)
    assert "tz = SumBackward0" in fmt(ip, tz)[SVG]
    assert set(fmt(ip, tleaf)) == {"text/plain"}
    assert set(fmt(ip, ip.user_ns["t"])) == {"text/plain"}


def test_draw_magic(ip):
    make_graph(ip)
    ip.run_line_magic("load_ext", "autogradviz")
    d = ip.run_line_magic("draw", "--saved z")
    assert isinstance(d, viz.Drawing)
    assert any(n.kind == "saved" for n in d.model.nodes)
    assert {"x", "z"} <= {n.name for n in d.model.nodes if n.name}
    d2 = run(ip, "%draw --no-values --no-rules --lr --max-nodes 2 z")
    assert isinstance(d2, viz.Drawing)
    assert "rankdir=LR" in d2.source and d2.model.notice is not None
    assert "data " not in d2.source
    plain = ip.run_line_magic("draw", "z")
    assert "data " in plain.source and "rankdir=TB" in plain.source
    data = fmt(ip, d)
    assert SVG in data and data["text/plain"] == d.model.summary_text()
    with pytest.raises(ValueError, match="unknown option"):
        ip.run_line_magic("draw", "--bogus z")
    with pytest.raises(ValueError, match="expression"):
        ip.run_line_magic("draw", "--saved")


def test_switch_off_and_on(ip, capsys):
    z, _ = make_graph(ip)
    ip.run_line_magic("load_ext", "autogradviz")
    ip.run_line_magic("autogradviz", "off")
    assert "off" in capsys.readouterr().out
    assert set(fmt(ip, z)) == {"text/plain"}
    assert set(fmt(ip, z.grad_fn)) == {"text/plain"}
    assert isinstance(ip.run_line_magic("draw", "z"), viz.Drawing)  # %draw still draws
    ip.run_line_magic("autogradviz", "on")
    assert "on" in capsys.readouterr().out
    assert SVG in fmt(ip, z)
    ip.run_line_magic("autogradviz", "status")
    assert "on" in capsys.readouterr().out
    with pytest.raises(ValueError):
        ip.run_line_magic("autogradviz", "sideways")


def test_unload_restores_previous_formatters_and_removes_magics(ip):
    z, _ = make_graph(ip)
    svg_formatter = ip.display_formatter.formatters[SVG]

    def dummy(obj):
        return "<svg>dummy</svg>"

    svg_formatter.for_type(Tensor, dummy)
    try:
        ip.run_line_magic("load_ext", "autogradviz")
        assert svg_formatter.lookup_by_type(Tensor) is not dummy
        assert "draw" in ip.magics_manager.magics["line"]
        assert "autogradviz" in ip.magics_manager.magics["line"]
        ip.run_line_magic("unload_ext", "autogradviz")
        assert svg_formatter.lookup_by_type(Tensor) is dummy
        assert fmt(ip, z)[SVG] == "<svg>dummy</svg>"
        with pytest.raises(KeyError):  # none was there for nodes
            svg_formatter.lookup_by_type(Node)
        assert SVG not in fmt(ip, z.grad_fn)
        assert "draw" not in ip.magics_manager.magics["line"]
        assert "autogradviz" not in ip.magics_manager.magics["line"]
    finally:
        svg_formatter.type_printers.pop(Tensor, None)


def test_unload_restores_torch_types_too(ip):
    run(ip, "import torch\n"
            "t = torch.tensor([1.0, 2.0], requires_grad=True)\n"
            "tz = (t * 2).sum()\n")
    ip.run_line_magic("load_ext", "autogradviz")
    assert SVG in fmt(ip, ip.user_ns["tz"])
    ip.run_line_magic("unload_ext", "autogradviz")
    assert set(fmt(ip, ip.user_ns["tz"])) == {"text/plain"}
    assert set(fmt(ip, ip.user_ns["tz"].grad_fn)) == {"text/plain"}


def test_load_twice_is_harmless(ip):
    z, _ = make_graph(ip)
    ip.run_line_magic("load_ext", "autogradviz")
    ip.run_line_magic("load_ext", "autogradviz")
    autogradviz.load_ipython_extension(ip)  # directly, past IPython's own check
    assert SVG in fmt(ip, z)
    callbacks = [cb for cb in ip.events.callbacks["post_run_cell"]
                 if getattr(cb, "__name__", "") == "register_torch"]
    assert len(callbacks) == 1
    ip.run_line_magic("unload_ext", "autogradviz")
    assert set(fmt(ip, z)) == {"text/plain"}
    assert "draw" not in ip.magics_manager.magics["line"]
    assert not [cb for cb in ip.events.callbacks["post_run_cell"]
                if getattr(cb, "__name__", "") == "register_torch"]
    ip.run_line_magic("load_ext", "autogradviz")  # and again after unloading
    assert SVG in fmt(ip, z)
    ip.run_line_magic("unload_ext", "autogradviz")
    ip.run_line_magic("unload_ext", "autogradviz")  # unloading twice too
    assert set(fmt(ip, z)) == {"text/plain"}
