"""The widgets' logic in plain Python (no browser): ``BackwardStepper`` and ``LiveGraph``.

The stepper's steps are checked against the engine (``autograd.backward_steps``, run separately
on a fresh copy of the same program) and its gradients against real PyTorch. The live graph runs
in a real IPython ``InteractiveShell``, refreshed by ``post_run_cell`` as in a notebook.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch as real
from IPython.core.interactiveshell import InteractiveShell

import autogradviz as agv
from autogradviz import viz
from autogradviz.autograd import backward_steps
from autogradviz.autograd import graph as autograd_graph
from autogradviz.viz.live import LiveGraph
from autogradviz.viz.model import build_model, format_values
from autogradviz.viz.stepper import BackwardStepper, check_prediction


# ---------------------------------------------------------------------- programs
# Each takes the torch-like module T and returns (root, {name: tensor}); the names are the
# leaves and intermediates a learner would have bound.
def tutorial(T):  # noqa: N803 - T: autogradviz or torch
    x = T.tensor([1., 2., 3.], requires_grad=True)
    y = T.tensor([4., 5., 6.], requires_grad=True)
    z = x + y
    s = z.sum()
    return s, {"x": x, "y": y, "z": z, "s": s}


def diamond(T):  # noqa: N803 - T: autogradviz or torch
    w = T.tensor([1., 2.], requires_grad=True)
    h = w * 3
    out = (h * w + h).sum()
    return out, {"w": w, "h": h, "out": out}


def linear(T):  # noqa: N803 - T: autogradviz or torch
    W = T.tensor([[0.5, -0.3]], requires_grad=True)
    b = T.tensor([0.1], requires_grad=True)
    features = T.tensor([[1., 2.]])
    loss = (T.nn.functional.linear(features, W, b) ** 2).sum()
    return loss, {"W": W, "b": b, "features": features, "loss": loss}


def mixed(T):  # noqa: N803 - T: autogradviz or torch
    a = T.tensor([0.5, -1., 2.], requires_grad=True)
    c = T.tensor([1.5, 0.25, -0.75], requires_grad=True)
    q = a.exp() * a.tanh() / (a * c + 2)
    r = (q - c.sigmoid()).mean()
    return r, {"a": a, "c": c, "q": q, "r": r}


PROGRAMS = [tutorial, diamond, linear, mixed]


def leaves(names):
    return {k: t for k, t in names.items() if t.requires_grad and t.grad_fn is None}


def engine_view(program):
    """The engine's steps for a fresh copy: (model node id, title, produced, leaf grad)."""
    root, names = program(agv)
    model = build_model([root], namespace=names)
    ids = {id(n.source): n for n in model.nodes if n.source is not None}
    out = []
    for step in backward_steps(root):
        n = ids[id(step.node)]
        produced = [format_values(g) for g in step.produced]
        grad = format_values(step.leaf.grad) if step.leaf is not None else None
        out.append((n.id, n.title, produced, grad))
    return out


# ---------------------------------------------------------------------- stepper vs engine
@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.__name__)
def test_steps_are_the_engines(program):
    root, names = program(agv)
    stepper = BackwardStepper(root, namespace=names)
    expected = engine_view(program)
    assert [r["index"] for r in stepper.steps] == list(range(1, len(expected) + 1))
    assert [r["node_id"] for r in stepper.steps] == [e[0] for e in expected]
    assert [r["title"] for r in stepper.steps] == [e[1] for e in expected]
    for record, (_, _, produced, grad) in zip(stepper.steps, expected, strict=True):
        if record["accumulate"] is not None:
            assert record["accumulate"]["after"] == grad
            assert record["produced"] == []
        else:
            assert [p["value"] for p in record["produced"]] == produced


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.__name__)
def test_leaf_grads_match_pytorch(program):
    root, names = program(agv)
    stepper = BackwardStepper(root, namespace=names)
    ours = leaves(names)
    ref_root, ref_names = program(real)
    ref_root.backward()
    theirs = leaves(ref_names)
    assert ours.keys() == theirs.keys()
    for name, t in ours.items():
        np.testing.assert_allclose(np.asarray(t.grad.tolist()), theirs[name].grad.numpy(),
                                   rtol=1e-6, atol=1e-7, err_msg=name)
    # The last step's ".grad so far" table shows the same numbers.
    final = dict(stepper.steps[-1]["leaf_grads"])
    for name, t in ours.items():
        assert final[name] == format_values(t.grad)


def test_produced_values_match_pytorch_hooks():
    """Each op's produced gradients equal what PyTorch's own nodes send (tensor hooks)."""
    root, names = diamond(agv)
    stepper = BackwardStepper(root, namespace=names)
    ref_root, ref = diamond(real)
    seen = {}
    ref["h"].register_hook(lambda g: seen.setdefault("h", g.clone()))
    ref_root.backward()
    # h = MulBackward0 named "h" receives grad_h: the sum of its two contributions.
    (record,) = [r for r in stepper.steps if r["name"] == "h"]
    assert record["received"] == [format_values(seen["h"])]
    assert len(record["contributions"]) == 2


# ---------------------------------------------------------------------- stepping
def test_next_previous_first_last_bounds():
    root, names = tutorial(agv)
    stepper = BackwardStepper(root, namespace=names)
    n = len(stepper.steps)
    assert n == 4 and stepper.step == 0 and stepper.current is None
    stepper.previous()
    assert stepper.step == 0
    for k in range(1, n + 1):
        stepper.next()
        assert stepper.step == k
        assert stepper.current is stepper.steps[k - 1]
    stepper.next()
    assert stepper.step == n
    stepper.previous()
    assert stepper.step == n - 1
    stepper.first()
    assert stepper.step == 0 and stepper.current is None
    stepper.last()
    assert stepper.step == n and stepper.current is stepper.steps[-1]


# ---------------------------------------------------------------------- predictions
@pytest.mark.parametrize(("values", "text", "right"), [
    ([1.0, 1.0, 1.0], "[1, 1, 1]", True),
    ([1.0, 1.0, 1.0], "1 1 1", True),
    ([1.0, 1.0, 1.0], "1", True),  # one number for all
    ([1.0, 1.0, 1.0], "1, 1", False),  # wrong length
    ([1.0, 2.0], "[1, 2]", True),
    ([1.0, 2.0], "[2, 1]", False),
    ([0.342712], "0.3427", True),  # the 4 digits shown
    ([0.342712], "0.34", False),
    ([-2.5e-5], "0", True),  # absolute tolerance near zero
    ([1e3], "1e3", True),
    ([float("nan")], "nan", True),
    ([1.0], "nan", False),  # nan compares false with everything: must not pass
    ([float("inf")], "inf", True),
    ([float("-inf")], "-inf", True),
    ([float("inf")], "1e308", False),
    ([1.0], "", False),
    ([1.0], "one", False),
])
def test_check_prediction_formats_and_tolerance(values, text, right):
    target = {"label": "grad", "values": values, "shape": [len(values)]}
    assert check_prediction(target, text) is right


def test_check_prediction_without_target():
    assert check_prediction(None, "1") is False


def test_answer_and_score():
    root, names = diamond(agv)
    quiz = BackwardStepper(root, namespace=names, predict=True)
    assert quiz.predict is True
    assert quiz.score == {"right": 0, "wrong": 0, "answered": 0}
    targets = [r["target"] for r in quiz.steps]
    assert all(t is not None for t in targets)  # small tensors: every step can be predicted
    assert quiz.answer(1, "[1, 1]") is True  # SumBackward0 spreads 1 over h*w+h
    assert quiz.answer(3, "1") is False  # MulBackward0 sends [1, 2] to h
    assert quiz.answer(5, "9 15") is True  # w.grad
    assert quiz.score == {"right": 2, "wrong": 1, "answered": 3}
    assert quiz.answers["3"] == {"text": "1", "right": False}
    quiz.answer(3, "[1, 2]")  # answering again replaces the answer
    assert quiz.score == {"right": 3, "wrong": 0, "answered": 3}
    # The browser's "right" flag is not trusted: the score is checked again in Python.
    quiz.answers = {"2": {"text": "42", "right": True}}
    assert quiz.score == {"right": 0, "wrong": 1, "answered": 1}


def test_no_target_for_big_tensors():
    x = agv.arange(12.).requires_grad_()
    stepper = BackwardStepper((x * 2).sum(), namespace={"x": x}, predict=True)
    # Every gradient here has 12 elements: too many to type, so nothing to predict.
    assert [r["target"] for r in stepper.steps] == [None] * len(stepper.steps)
    assert stepper.answer(2, "2") is False
    small = agv.arange(6.).requires_grad_()
    stepper = BackwardStepper((small * 2).sum(), namespace={"small": small}, predict=True)
    assert stepper.steps[-1]["target"] == {"label": "small.grad", "values": [2.0] * 6,
                                           "shape": [6]}


def test_predict_defaults_off():
    root, names = tutorial(agv)
    assert BackwardStepper(root, namespace=names).predict is False


# ---------------------------------------------------------------------- display
TUTORIAL_LOG = """\
step 1/4  s = SumBackward0  in=(1)  out=([1, 1, 1])
step 2/4  z = AddBackward0  in=([1, 1, 1])  out=([1, 1, 1], [1, 1, 1])
step 3/4  AccumulateGrad  in=([1, 1, 1])  out=(x.grad=[1, 1, 1])
step 4/4  AccumulateGrad  in=([1, 1, 1])  out=(y.grad=[1, 1, 1])"""


def test_mimebundle_text_and_svg():
    root, names = tutorial(agv)
    stepper = BackwardStepper(root, namespace=names)
    data, _ = stepper._repr_mimebundle_()
    assert data["text/plain"] == stepper.log() == repr(stepper) == TUTORIAL_LOG
    assert "0x" not in data["text/plain"]
    assert data["image/svg+xml"].lstrip().startswith(("<svg", "<?xml"))
    assert "</svg>" in data["image/svg+xml"]
    assert "application/vnd.jupyter.widget-view+json" in data
    # Deterministic: a second run of the same program gives the same text and drawing.
    root2, names2 = tutorial(agv)
    data2, _ = BackwardStepper(root2, namespace=names2)._repr_mimebundle_()
    assert data2["text/plain"] == data["text/plain"]
    assert data2["image/svg+xml"] == data["image/svg+xml"]


def test_hostile_names_stay_text():
    t = agv.tensor([1., 2.], requires_grad=True)
    hostile = "<img src=x onerror=alert(1)>"
    stepper = BackwardStepper((t * t).sum(), names={hostile: t}, namespace={})
    assert hostile in stepper.leaves
    assert stepper.steps[-1]["accumulate"]["leaf"] == hostile
    assert "<img" not in stepper.svg and "&lt;img" in stepper.svg


# ---------------------------------------------------------------------- backward options
def test_gradient_for_a_non_scalar_root():
    x = agv.tensor([1., 2., 3.], requires_grad=True)
    y = x * x
    stepper = BackwardStepper(y, agv.tensor([1., 0.5, 2.]), namespace={"x": x, "y": y})
    rx = real.tensor([1., 2., 3.], requires_grad=True)
    (rx * rx).backward(real.tensor([1., 0.5, 2.]))
    np.testing.assert_allclose(np.asarray(x.grad.tolist()), rx.grad.numpy())
    assert stepper.steps[0]["received"] == ["[1, 0.5, 2]"]
    with pytest.raises(RuntimeError, match="implicitly created only for scalar outputs"):
        BackwardStepper(x * x, namespace={})


def test_retain_graph():
    x = agv.tensor([1., 2.], requires_grad=True)
    s = (x * x).sum()
    BackwardStepper(s, retain_graph=True, namespace={})
    s.backward()  # the graph was kept
    assert x.grad.tolist() == [4., 8.]
    t = (x * x).sum()
    BackwardStepper(t, namespace={})
    with pytest.raises(RuntimeError, match="second time"):
        t.backward()


def test_constructing_runs_backward_once():
    root, names = tutorial(agv)
    BackwardStepper(root, namespace=names)
    assert names["x"].grad.tolist() == [1., 1., 1.]
    assert names["z"].grad_fn is not None and not names["z"].retains_grad


# ---------------------------------------------------------------------- LiveGraph
@pytest.fixture
def shell():
    ip = InteractiveShell.instance()
    before = set(ip.user_ns)
    callbacks = list(ip.events.callbacks["post_run_cell"])
    yield ip
    for name in set(ip.user_ns) - before:
        value = ip.user_ns.pop(name)
        if isinstance(value, LiveGraph):
            value.close()
    assert ip.events.callbacks["post_run_cell"] == callbacks


def count_nodes(svg):
    return len(re.findall(r'<g id="[^"]*" class="node[ "]', svg))


def run(ip, code):
    result = ip.run_cell(code)
    result.raise_error()
    return result.result


def test_live_graph_redraws_after_each_cell(shell):
    for name in [k for k, v in shell.user_ns.items() if agv.is_tensor(v)]:
        shell.user_ns.pop(name)  # tensors left by other tests would be drawn too
    run(shell, "import autogradviz as torch\nfrom autogradviz import viz\nlive = viz.LiveGraph()")
    live = shell.user_ns["live"]
    assert live.svg == "" and live.summary == "live graph: no tensor with a graph yet"
    run(shell, "k = torch.tensor([0.5, -1.], requires_grad=True)\nm = (k * k).sum()")
    assert count_nodes(live.svg) == 3
    assert "m = SumBackward0" in live.summary
    assert live.state == "before backward"
    run(shell, "m.backward()")
    assert live.state.startswith("after backward")
    # The node's details carry the line of the cell that created it.
    (details,) = [d for d in live.details.values() if d["title"] == "m = SumBackward0"]
    assert ("created at", "line 2: m = (k * k).sum()") in details["rows"]
    run(shell, "n = (k * 3).sum()")
    assert count_nodes(live.svg) == 6


def test_live_graph_close_unhooks(shell):
    previous = autograd_graph._creation_hook
    seen = []
    autograd_graph.set_creation_hook(seen.append)
    try:
        run(shell, "from autogradviz import viz\nlive2 = viz.LiveGraph()")
        live = shell.user_ns["live2"]
        assert live._after_cell in shell.events.callbacks["post_run_cell"]
        assert autograd_graph._creation_hook is not seen.append
        other = LiveGraph(namespace={}, auto=False)  # two open: closing one keeps tracking
        other.close()
        assert autograd_graph._creation_hook is not seen.append
        x = agv.tensor([1.], requires_grad=True)
        y = x * 2
        assert y.grad_fn in seen  # the hook that was there before is still called
        live.close()
        assert live._after_cell not in shell.events.callbacks["post_run_cell"]
        assert autograd_graph._creation_hook == seen.append
        summary = live.summary
        run(shell, "import autogradviz as torch\nlate = (torch.ones(1, requires_grad=True) * 2)")
        assert live.summary == summary  # no longer redrawn
    finally:
        autograd_graph.set_creation_hook(previous)


def live_for(**names):
    live = LiveGraph(namespace=names, auto=False)
    return live


def badge_kinds(live):
    return {(b["kind"], b["node"] and live.details[b["node"]]["title"]) for b in live.badges}


def test_badge_non_leaf_grad_not_retained():
    x = agv.tensor([1., 2.], requires_grad=True)
    h = x * 2
    kept = x * 3
    kept.retain_grad()
    out = (h * kept).sum()
    live = live_for(x=x, h=h, kept=kept, out=out)
    try:
        assert not any(b["kind"] == "grad" for b in live.badges)  # before backward: no badge
        out.backward()
        live.refresh()
        kinds = badge_kinds(live)
        assert ("grad", "h = MulBackward0") in kinds
        assert ("grad", "kept = MulBackward0") not in kinds  # retain_grad() was called
        assert ("grad", "out = SumBackward0") not in kinds  # the output, not an intermediate
        assert ("freed", None) in kinds
    finally:
        live.close()


def test_badge_detach_and_no_grad_cut():
    x = agv.tensor([1., 2.], requires_grad=True)
    d = x.detach()
    with agv.no_grad():
        e = x * 5
    out = (d * x * e).sum()
    live = live_for(x=x, d=d, e=e, out=out)
    try:
        kinds = badge_kinds(live)
        assert ("cut", "d") in kinds
        assert ("cut", "e") in kinds
    finally:
        live.close()


def test_badge_in_place_version_bump():
    x = agv.tensor([1., 2.], requires_grad=True)
    b = x * 2
    b.mul_(3)
    c = b.sum()
    live = live_for(x=x, b=b, c=c)
    try:
        assert ("version", "b = MulBackward0") in badge_kinds(live)
    finally:
        live.close()


def test_badge_freed_only_without_retain_graph():
    x = agv.tensor([1., 2.], requires_grad=True)
    kept = (x * x).sum()
    kept.backward(retain_graph=True)
    live = live_for(x=x, kept=kept)
    try:
        assert not any(b["kind"] == "freed" for b in live.badges)
        kept.backward()
        live.refresh()
        assert any(b["kind"] == "freed" for b in live.badges)
        assert "freed" in live.state
    finally:
        live.close()


def test_details_name_next_functions_saved_source():
    live = live_for()  # open first: nodes made now remember their source line
    try:
        x = agv.tensor([1., 2.], requires_grad=True)
        h = x * x
        live._namespace.update(x=x, h=h)
        live.refresh()
        (details,) = [d for d in live.details.values() if d["title"] == "h = MulBackward0"]
        rows = dict(details["rows"])
        assert rows["name()"] == "MulBackward0"
        assert rows["next_functions"].startswith("((torch::autograd::AccumulateGrad [n0], 0)")
        assert "self" in rows["saved"] and "other" in rows["saved"]
        assert rows["created at"].endswith("h = x * x")
        leaf = next(d for d in live.details.values() if d["title"] == "x")
        assert dict(leaf["rows"])["name()"] == "torch::autograd::AccumulateGrad"
    finally:
        live.close()


def test_live_mimebundle():
    x = agv.tensor([1., 2.], requires_grad=True)
    y = (x * x).sum()
    live = live_for(x=x, y=y)
    try:
        data, _ = live._repr_mimebundle_()
        assert data["text/plain"] == live.summary == repr(live)
        assert data["text/plain"].startswith("autograd graph: ")
        assert "0x" not in data["text/plain"]
        assert "</svg>" in data["image/svg+xml"]
    finally:
        live.close()


def test_viz_namespace_exports_the_widgets():
    assert viz.BackwardStepper is BackwardStepper
    assert viz.LiveGraph is LiveGraph
