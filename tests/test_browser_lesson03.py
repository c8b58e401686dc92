"""Lesson 03's widgets in a real JupyterLab and a real (headless) Chromium.

One JupyterLab and one browser page serve the whole module (module-scoped fixtures): the page
opens a temporary copy of lesson 03, runs all its cells, and the tests below then act on it in
order (step, predict, add cells). The expected numbers and node order come from this process:
the lesson's code is run here again through ``autograd.backward_steps``, independently of the
widgets. Screenshots and the click-to-highlight latency go to ``tests/artifacts/``.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from pathlib import Path

import pytest
from _jupyter_server import NEEDED_EXTENSIONS, JupyterLab, launch_chromium, watched_page
from playwright.sync_api import expect, sync_playwright

import autogradviz as agv
from autogradviz.autograd import backward_steps
from autogradviz.viz.model import build_model, format_values

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
LESSON = "03_stepping_through_backward.ipynb"
TIMEOUT = 60_000  # ms: generous (the first kernel start imports numpy and Graphviz's module)
HOSTILE = "<img src=x onerror=alert(1)>"
STDERR = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"


# ---------------------------------------------------------------------- the engine's view
def engine_steps(root, namespace):
    """(model node id, the numbers shown for that step) per step, in the engine's order."""
    model = build_model([root], namespace=namespace)
    ids = {id(n.source): n.id for n in model.nodes if n.source is not None}
    out = []
    for step in backward_steps(root):
        if step.leaf is not None:
            numbers = [format_values(step.leaf.grad)]
        else:
            numbers = [format_values(g) for g in step.produced if g is not None]
        out.append((ids[id(step.node)], numbers))
    return out


def tutorial_steps():
    """Lesson 03's first cell, run here."""
    x = agv.tensor([1., 2., 3.], requires_grad=True)
    y = agv.tensor([4., 5., 6.], requires_grad=True)
    z = x + y
    s = z.sum()
    return engine_steps(s, {"x": x, "y": y, "z": z, "s": s})


def quiz_steps():
    """Lesson 03's quiz cell, run here."""
    agv.manual_seed(0)
    net = agv.nn.Linear(2, 1)
    features = agv.tensor([[1., 2.]])
    loss = (net(features) ** 2).sum()
    return engine_steps(loss, {"net": net, "features": features, "loss": loss})


# ---------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def lab():
    server = JupyterLab(REPO / "notebooks")
    try:
        config = server.page_config()
        loaded = {e.get("name") for e in config.get("federated_extensions", [])}
        missing = [name for name in NEEDED_EXTENSIONS if name not in loaded]
        assert not missing, f"labextensions not found by JupyterLab: {missing}"
        yield server
    finally:
        server.stop()
    # The repository's lesson was never opened, only its temporary copy.


@pytest.fixture(scope="module")
def session(lab):
    """The browser page with lesson 03 open and all its cells run."""
    ARTIFACTS.mkdir(exist_ok=True)
    expect.set_options(timeout=20_000)  # the machine may be busy: waits, not timed assertions
    started = time.monotonic()
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page, dialogs, errors = watched_page(browser, TIMEOUT)
        # The toolbar reads "Idle" before a kernel exists: wait for the kernel's websocket.
        with page.expect_websocket(lambda ws: "/api/kernels/" in ws.url, timeout=TIMEOUT):
            page.goto(lab.lab_url(LESSON))
        expect(page.locator(".jp-Notebook .jp-CodeCell").first).to_be_visible()
        expect(page.locator(".jp-Notebook-ExecutionIndicator, .jp-StatusBar-TextItem")
               .filter(has_text="Idle").first).to_be_visible()
        code_cells = page.locator(".jp-Notebook .jp-CodeCell").count()
        page.locator(".lm-MenuBar-item", has_text="Run").click()
        page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').click()
        wait_prompts(page, code_cells)
        state = {"page": page, "dialogs": dialogs, "errors": errors, "code_cells": code_cells,
                 "ran_all": time.monotonic() - started}
        try:
            yield state
        finally:
            page.screenshot(path=ARTIFACTS / "last-page.png")
            browser.close()
        print(f"\nbrowser session: {time.monotonic() - started:.1f} s "
              f"(open + run all: {state['ran_all']:.1f} s)")


def prompts(page):
    return page.locator(".jp-Notebook .jp-CodeCell .jp-InputPrompt").all_inner_texts()


def wait_prompts(page, count):
    """Wait until ``count`` code cells show an execution number (none queued or running)."""
    page.wait_for_function(
        """(count) => {
            const p = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]
                .map((e) => e.textContent.trim());
            return p.length >= count && p.slice(0, count).every((t) => /^\\[\\d+\\]:$/.test(t));
        }""",
        arg=count)


def cell(page, text):
    """The code cell whose source contains ``text``."""
    return page.locator(".jp-Notebook .jp-CodeCell").filter(
        has=page.locator(".jp-InputArea", has_text=text))


def run_new_cell(state, code):
    """Append a code cell at the notebook's end, type ``code``, run it; returns the cell."""
    page = state["page"]
    cells = page.locator(".jp-Notebook .jp-Cell")
    last = cells.nth(cells.count() - 1)
    last.locator(".jp-InputPrompt").click()  # selects the cell (command mode)
    page.keyboard.press("Escape")
    page.keyboard.press("b")  # a new cell below, selected
    new = cells.nth(cells.count() - 1)
    page.keyboard.press("Enter")  # edit mode
    page.keyboard.insert_text(code)  # as pasted: no auto-indent or bracket closing
    page.keyboard.press("Control+Enter")
    state["code_cells"] += 1
    expect(new.locator(".jp-InputPrompt")).to_have_text(re.compile(r"\[\d+\]:"), timeout=TIMEOUT)
    wait_prompts(page, state["code_cells"])
    errors = new.locator(STDERR)
    assert errors.count() == 0, errors.all_inner_texts()
    return new


def current_node(widget):
    """The id of the node highlighted as executing (None if none)."""
    ids = widget.locator("svg g.node.agv-current").evaluate_all("(gs) => gs.map((g) => g.id)")
    assert len(ids) <= 1, ids
    return ids[0][len("agv-"):] if ids else None


# ---------------------------------------------------------------------- tests, in page order
def test_run_all_cells(session):
    page = session["page"]
    texts = prompts(page)
    assert texts[0] == "[1]:", texts
    assert texts == [f"[{i}]:" for i in range(1, len(texts) + 1)], texts
    tracebacks = page.locator(STDERR)
    assert tracebacks.count() == 0, tracebacks.all_inner_texts()
    # Every widget rendered as a widget (not the text/plain fallback): three steppers, one live.
    expect(page.locator(".agv-stepper")).to_have_count(3)
    expect(page.locator(".agv-live")).to_have_count(1)


def test_stepper_follows_the_engine(session):
    page = session["page"]
    widget = cell(page, "stepper = viz.BackwardStepper(s)").locator(".agv-stepper")
    counter = widget.locator(".agv-counter")
    expect(counter).to_have_text("step 0 / 4")
    assert current_node(widget) is None
    expected = tutorial_steps()
    assert len(expected) == 4
    panel = widget.locator(".agv-panel")
    for k in range(1, 4):
        widget.get_by_role("button", name="Next step").click()
        expect(counter).to_have_text(f"step {k} / 4")
        node_id, numbers = expected[k - 1]
        assert current_node(widget) == node_id, f"step {k}"
        text = panel.inner_text()
        for number in numbers:
            assert number in text, (k, number, text)
        # Nodes already executed are marked done, and only those.
        done = widget.locator("svg g.node.agv-done").evaluate_all("(gs) => gs.map((g) => g.id)")
        assert sorted(done) == sorted(f"agv-{i}" for i, _ in expected[:k - 1])
    widget.scroll_into_view_if_needed()
    widget.screenshot(path=ARTIFACTS / "stepper.png")

    widget.get_by_role("button", name="Previous step").click()
    expect(counter).to_have_text("step 2 / 4")
    assert current_node(widget) == expected[1][0]
    widget.get_by_role("button", name="Last step").click()
    expect(counter).to_have_text("step 4 / 4")
    assert current_node(widget) == expected[3][0]
    widget.get_by_role("button", name="First step").click()
    expect(counter).to_have_text("step 0 / 4")
    assert current_node(widget) is None


def test_predict_then_reveal(session):
    page = session["page"]
    widget = cell(page, "quiz = viz.BackwardStepper(loss, predict=True)").locator(".agv-stepper")
    counter = widget.locator(".agv-counter")
    expected = quiz_steps()
    total = len(expected)
    expect(counter).to_have_text(f"step 0 / {total}")
    next_step = widget.get_by_role("button", name="Next step")

    # Step 1 (SumBackward0): a wrong answer.
    next_step.click()
    expect(counter).to_have_text(f"step 1 / {total}")
    widget.get_by_role("textbox", name=re.compile("Your prediction for")).fill("7")
    widget.get_by_role("button", name="Check prediction").click()
    expect(widget.locator(".agv-wrong")).to_be_visible()
    expect(widget.locator(".agv-right")).to_have_count(0)

    # Step 2 (PowBackward0): the value the engine produced here, typed as shown.
    next_step.click()
    expect(counter).to_have_text(f"step 2 / {total}")
    right_answer = expected[1][1][0]
    widget.get_by_role("textbox", name=re.compile("Your prediction for")).fill(right_answer)
    widget.get_by_role("button", name="Check prediction").click()
    expect(widget.locator(".agv-right")).to_be_visible()
    expect(widget.locator(".agv-right")).to_contain_text(right_answer)

    # Step 3: reveal without answering shows the numbers and records nothing.
    next_step.click()
    expect(widget.locator(".agv-predict")).to_be_visible()
    widget.get_by_role("button", name="Reveal").click()
    expect(widget.locator(".agv-predict")).to_have_count(0)
    for number in expected[2][1]:
        expect(widget.locator(".agv-panel")).to_contain_text(number)
    widget.scroll_into_view_if_needed()
    widget.screenshot(path=ARTIFACTS / "quiz.png")

    # The kernel's side: the answers synced back, scored in Python; the steps' node order is
    # the one computed here.
    out = run_new_cell(session, "import json\nprint(json.dumps({'score': quiz.score, "
                                "'nodes': [s['node_id'] for s in stepper.steps], "
                                "'quiz': [s['node_id'] for s in quiz.steps]}))")
    result = json.loads(out.locator(".jp-OutputArea-output").last.inner_text())
    assert result["score"] == {"right": 1, "wrong": 1, "answered": 2}
    assert result["nodes"] == [i for i, _ in tutorial_steps()]
    assert result["quiz"] == [i for i, _ in expected]


def test_live_graph_follows_new_cells(session):
    page = session["page"]
    widget = cell(page, "live = viz.LiveGraph()").locator(".agv-live")
    nodes = widget.locator("svg g.node")
    before = nodes.count()
    assert before > 0
    run_new_cell(session, "k2 = torch.tensor([3., 4.], requires_grad=True)\n"
                          "m2 = (k2 * k2).sum()")
    expect(nodes).not_to_have_count(before, timeout=TIMEOUT)
    after = nodes.count()
    assert after >= before + 3, (before, after)  # k2's AccumulateGrad, MulBackward0, SumBackward0
    # Clicking m2's node shows its details, computed in the kernel.
    widget.locator("svg g.node", has_text="m2").first.click()
    panel = widget.locator(".agv-panel")
    expect(panel).to_contain_text("SumBackward0")
    expect(panel).to_contain_text("next_functions")
    expect(panel).to_contain_text("m2 = (k2 * k2).sum()")
    widget.scroll_into_view_if_needed()
    widget.screenshot(path=ARTIFACTS / "live.png")


def test_hostile_name_is_shown_as_text(session):
    page = session["page"]
    new = run_new_cell(
        session,
        "hostile = torch.tensor([1., 2.], requires_grad=True)\n"
        "hostile_out = (hostile * hostile).sum()\n"
        f"names = {{{HOSTILE!r}: hostile}}\n"
        "evil = viz.BackwardStepper(hostile_out, names=names)\n"
        "evil_live = viz.LiveGraph(hostile_out, names=names)\n"
        "display(evil, evil_live)")
    stepper = new.locator(".agv-stepper")
    stepper.get_by_role("button", name="Last step").click()
    expect(stepper.locator(".agv-panel")).to_contain_text(HOSTILE)  # the .grad table, as text
    svg_text = stepper.locator("svg").text_content()
    assert HOSTILE in svg_text
    live = new.locator(".agv-live")
    live.locator("svg g.node", has_text=HOSTILE).first.click()
    expect(live.locator(".agv-panel")).to_contain_text(HOSTILE)
    assert page.locator("img[onerror]").count() == 0
    assert page.locator("img[src='x']").count() == 0
    page.wait_for_timeout(200)  # a dialog would have fired by now
    assert session["dialogs"] == []


def test_click_to_highlight_latency_200_nodes(session):
    new = run_new_cell(
        session,
        "live.close(); evil_live.close()  # keep other redraws out of the measurement\n"
        "a = torch.tensor([1., 2.], requires_grad=True)\n"
        "b = torch.tensor([0.9, 0.8], requires_grad=True)\n"
        "c = torch.tensor([0.1, 0.2], requires_grad=True)\n"
        "v = a * b + c\n"
        "for i in range(100):  # 100 ops, each with its constant: a 206-node graph\n"
        "    v = v * 1.01 if i % 2 == 0 else v + 0.1\n"
        "big = viz.BackwardStepper(v.sum())\n"
        "big")
    widget = new.locator(".agv-stepper")
    expect(widget.locator(".agv-counter")).to_have_text(re.compile(r"step 0 / \d+"))
    node_count = widget.locator("svg g.node").count()
    assert node_count >= 200, node_count
    clicks = 20
    # In the page: time from dispatching the click to the moment a new node carries
    # agv-current (MutationObserver), and to the next animation frame after it (painted).
    times = widget.evaluate(
        """async (root, clicks) => {
            const button = root.querySelector('button[aria-label="Next step"]');
            const svg = root.querySelector('.agv-pane svg');
            const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
            const out = [];
            for (let i = 0; i < clicks; i++) {
                await frame();
                const before = svg.querySelector('g.node.agv-current');
                let t0 = 0;
                const highlighted = new Promise((resolve) => {
                    const observer = new MutationObserver(() => {
                        const now = svg.querySelector('g.node.agv-current');
                        if (now && now !== before) {
                            observer.disconnect();
                            resolve(performance.now() - t0);
                        }
                    });
                    observer.observe(svg, { subtree: true, attributes: true,
                                            attributeFilter: ['class'] });
                });
                t0 = performance.now();
                button.click();
                const classMs = await highlighted;
                await frame();
                out.push({ classMs, frameMs: performance.now() - t0 });
            }
            return out;
        }""",
        clicks)
    assert len(times) == clicks
    expect(widget.locator(".agv-counter")).to_contain_text(f"step {clicks} / ")
    class_ms = [t["classMs"] for t in times]
    frame_ms = [t["frameMs"] for t in times]
    report = {
        "graph_nodes": node_count,
        "clicks": clicks,
        "click_to_class_ms": {"median": round(statistics.median(class_ms), 2),
                              "max": round(max(class_ms), 2)},
        "click_to_next_frame_ms": {"median": round(statistics.median(frame_ms), 2),
                                   "max": round(max(frame_ms), 2)},
        "samples": times,
    }
    (ARTIFACTS / "latency.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nclick-to-highlight on a {node_count}-node graph ({clicks} clicks): "
          f"median {report['click_to_class_ms']['median']} ms, "
          f"max {report['click_to_class_ms']['max']} ms; to the next frame: median "
          f"{report['click_to_next_frame_ms']['median']} ms")


def test_no_dialog_and_no_page_error(session):
    assert session["dialogs"] == []
    assert session["errors"] == []
