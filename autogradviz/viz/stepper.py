"""``BackwardStepper``: the backward pass, node by node, with the numbers the engine produced.

The steps are the engine's own (``autograd.backward_steps``): constructing a stepper runs the
backward pass once, exactly as ``backward()`` would (leaves' ``.grad`` accumulate), and records
every step. All of them travel to the front end, so stepping needs no kernel round trip and
works in exported HTML. Python computes; the ES module (``widgets/stepper.js``) only shows.

Predict-then-reveal: with ``predict=True`` the learner types the gradient they expect before
it is shown; ``stepper.score`` reads how many answers were right (for teachers' asserts).
"""

from __future__ import annotations

import re

import anywidget
import traitlets

from ._frontend import asset, with_fallbacks
from .model import build_model, caller_namespace, format_values, gc_paused, is_tensor, rule_of
from .summary import simplify
from .torch_steps import is_torch_tensor, torch_backward_steps

MAX_STEPPER_NODES = 400
# Predictions are compared to the displayed values (4 significant digits).
REL_TOL, ABS_TOL = 2e-3, 1e-4


class BackwardStepper(anywidget.AnyWidget):
    """Step through ``roots``' backward pass: |◀ ◀ ▶ ▶|, play, a slider and the keyboard."""

    _esm = asset("autogradviz.js")
    _css = asset("autogradviz.css")
    kind = traitlets.Unicode("stepper").tag(sync=True)

    svg = traitlets.Unicode("").tag(sync=True)
    steps = traitlets.List().tag(sync=True)
    step = traitlets.Int(0).tag(sync=True)  # 0: before the first step; len(steps): all done
    predict = traitlets.Bool(False).tag(sync=True)
    answers = traitlets.Dict().tag(sync=True)  # "step number" -> {"text": ..., "right": ...}
    leaves = traitlets.List().tag(sync=True)  # leaf names, in drawing order
    speed = traitlets.Float(1.0).tag(sync=True)  # steps per second when playing

    def __init__(self, roots, gradient=None, retain_graph=None, *, names=None, predict=False,
                 namespace=None, max_nodes=MAX_STEPPER_NODES, **kwargs):
        from ..autograd import backward_steps
        from . import Drawing

        if namespace is None:
            namespace = caller_namespace()
        tensors = list(roots) if isinstance(roots, list | tuple) else [roots]
        with gc_paused():
            model = simplify(build_model(tensors, names=names, namespace=namespace), max_nodes)
        drawing = Drawing(model)
        ids = {id(n.source): n for n in model.nodes
               if n.source is not None and n.copy_of is None}
        saved_text = {id(n.source): _saved_values(n.source) for n in model.nodes
                      if n.kind == "op" and n.source is not None}
        edges_into = {}
        copies_of = {n.id: n.copy_of for n in model.nodes if n.copy_of is not None}
        for index, e in enumerate(model.edges):
            source = copies_of.get(e.src, e.src)  # a copy stands for its original
            edges_into.setdefault(e.dst, []).append((f"agv-e{index}-{e.src}-{e.dst}", source))

        labels = {n.id: n.name or n.title for n in model.nodes}
        records = []
        arriving = {}  # id(node) -> the gradients sent to it so far: [(from, value)]
        leaf_names = [n.name or n.id for n in model.nodes
                      if n.kind == "leaf" and n.copy_of is None]
        leaf_grads = {}
        if is_torch_tensor(tensors[0]):  # a graph built by real PyTorch: its engine's steps
            grads = gradient
            if grads is not None and not isinstance(grads, list | tuple):
                grads = [grads]
            engine_steps = torch_backward_steps(tensors, grads, retain_graph)
        else:
            engine_steps = list(backward_steps(tensors, gradient, retain_graph=retain_graph))
        total = len(engine_steps)
        for step in engine_steps:
            viz = ids.get(id(step.node))
            record = _describe_step(step, viz, total, saved_text.get(id(step.node), {}),
                                    edges_into.get(viz.id, []) if viz else [])
            if step.leaf is not None:
                name = viz.name or viz.id if viz else "leaf"
                leaf_grads[name] = record["accumulate"]["after"]
            for produced in record["produced"]:  # where each gradient goes, as the drawing says
                produced["to_label"] = labels.get(produced["to"])
            record["leaf_grads"] = [[n, leaf_grads.get(n)] for n in leaf_names]
            record["contributions"] = arriving.pop(id(step.node), [])
            for (fn, _), value in zip(step.node.next_functions, record["produced"], strict=False):
                if fn is not None and value["value"] is not None:
                    arriving.setdefault(id(fn), []).append(
                        {"from": record["node_id"], "title": record["title"],
                         "value": value["value"]})
            records.append(record)
        super().__init__(svg=drawing.svg(), steps=records, predict=predict,
                         leaves=leaf_names, **kwargs)
        self._drawing = drawing

    # ------------------------------------------------------------ stepping from Python
    def next(self):
        self.step = min(self.step + 1, len(self.steps))

    def previous(self):
        self.step = max(self.step - 1, 0)

    def first(self):
        self.step = 0

    def last(self):
        self.step = len(self.steps)

    @property
    def current(self):
        """The record of the step shown (None before the first)."""
        return self.steps[self.step - 1] if self.step else None

    # ------------------------------------------------------------ predict-then-reveal
    def answer(self, step_number, text):
        """Record a prediction for step ``step_number`` (1-based); returns whether it was right."""
        record = self.steps[step_number - 1]
        right = check_prediction(record.get("target"), text)
        self.answers = {**self.answers, str(step_number): {"text": str(text), "right": right}}
        return right

    @property
    def score(self):
        """How the predictions went, checked here (not trusted from the browser)."""
        right = wrong = 0
        for key, entry in self.answers.items():
            record = self.steps[int(key) - 1]
            if check_prediction(record.get("target"), entry.get("text", "")):
                right += 1
            else:
                wrong += 1
        return {"right": right, "wrong": wrong, "answered": right + wrong}

    # ------------------------------------------------------------ display
    def log(self):
        return "\n".join(r["text"] for r in self.steps)

    def _repr_mimebundle_(self, **kwargs):
        return with_fallbacks(super()._repr_mimebundle_(**kwargs), self.log(), self.svg)

    def __repr__(self):
        return self.log()


# ---------------------------------------------------------------------- step records
def _fmt(value):
    if value is None:
        return None
    if is_tensor(value):
        return format_values(value)
    return repr(value)


def _saved_values(node):
    """The node's saved values, formatted now (backward may free them)."""
    out = {}
    for attr in dir(node):
        if attr.startswith("_saved_"):
            try:
                out[attr[len("_saved_"):]] = _fmt(getattr(node, attr))
            except Exception:
                continue
    return out


def _describe_step(step, viz, total, saved, incoming):
    node = step.node
    title = viz.title if viz else node.name()
    name = viz.name if viz else None
    received = [_fmt(g) for g in step.received]
    produced = [_fmt(g) for g in step.produced]
    record = {
        "index": step.index + 1,
        "node_id": viz.id if viz else None,
        "title": title,
        "name": name,
        "received": received,
        "produced": [],
        "edges": [edge_id for edge_id, _ in incoming],
        "rule": [],
        "accumulate": None,
        "target": None,
    }
    if step.leaf is not None:
        before = _fmt(step.grad_before)
        after = _fmt(step.leaf.grad)
        label = name or "leaf"
        record["accumulate"] = {"leaf": label, "before": before, "added": received[0],
                                "after": after}
        if before is None:
            rule = f"{label}.grad = grad = {received[0]}"
        else:
            rule = f"{label}.grad += grad: {before} + {received[0]} = {after}"
        record["rule"] = [rule]
        record["target"] = _target(f"{label}.grad", step.leaf.grad)
    else:
        input_names, rules = rule_of(node)
        bindings = {"grad": received[0] if received else None, **saved}
        for i, g in enumerate(step.produced):
            input_name = input_names[i] if i < len(input_names) else str(i)
            target_id = incoming[i][1] if i < len(incoming) else None
            record["produced"].append({"input": input_name, "to": target_id,
                                       "value": produced[i] if i < len(produced) else None})
            if g is None:
                continue
            text = _rule_text(rules, input_name)
            forms = [] if text is None else [text, _substitute(text, bindings)]
            forms.append(produced[i])
            shown = [f for k, f in enumerate(forms) if k == 0 or f != forms[k - 1]]
            record["rule"].append(f"grad_{input_name} = " + " = ".join(shown))
            if record["target"] is None:
                record["target"] = _target(f"grad_{input_name}", g)
    ins = ", ".join(v or "None" for v in received)
    outs = ", ".join((p["value"] or "None") for p in record["produced"])
    if record["accumulate"] is not None:
        outs = f"{record['accumulate']['leaf']}.grad={record['accumulate']['after']}"
    head = f"{name} = {title}" if name and step.leaf is None else title
    record["text"] = f"step {record['index']}/{total}  {head}  in=({ins})  out=({outs})"
    return record


def _rule_text(rules, input_name):
    prefix = f"grad_{input_name} = "
    for line in rules:
        if line.startswith(prefix):
            return line[len(prefix):]
    return None


def _substitute(text, bindings):
    """The rule with this step's numbers in place of its names (long values by name)."""
    def replace(match):
        value = bindings.get(match.group(0))
        if value is None or len(value) > 40:
            return match.group(0)
        return value

    return re.sub(r"[A-Za-z_][A-Za-z_0-9]*", replace, text)


def _target(label, value):
    """What a learner predicts at this step: a small gradient's numbers (None: too big)."""
    if value is None or not is_tensor(value):
        return None
    try:
        flat = [float(v) for v in value.detach().reshape(-1).tolist()]
    except Exception:
        return None
    if len(flat) > 6:
        return None
    return {"label": label, "values": flat, "shape": [int(s) for s in value.shape]}


_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?inf|nan", re.IGNORECASE)


def check_prediction(target, text):
    """Whether ``text`` (e.g. "[2, 4]", "2 4", "2") gives the target's numbers."""
    if not target:
        return False
    numbers = [float(x) for x in _NUMBER.findall(str(text))]
    expected = target["values"]
    if len(numbers) == 1 and len(expected) > 1:
        numbers = numbers * len(expected)  # "1" for [1, 1, 1]
    if len(numbers) != len(expected):
        return False
    for got, want in zip(numbers, expected, strict=True):
        if want != want:  # nan
            if got == got:
                return False
            continue
        if got == want:  # exact, infinities included (inf - inf is nan)
            continue
        if want in (float("inf"), float("-inf")):  # no tolerance around an infinity
            return False
        if not abs(got - want) <= max(ABS_TOL, REL_TOL * abs(want)):  # False for a nan guess
            return False
    return True
