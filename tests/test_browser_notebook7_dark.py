"""Lesson 03's widgets in Notebook 7, and their readability in JupyterLab's light and dark themes.

One server (``jupyter lab``, which also serves the ``notebook`` package's Notebook 7 pages) and
one headless Chromium serve the whole module. Two temporary copies of lesson 03 are opened, each
in its own page and kernel: the lesson itself in Notebook 7 (``/notebooks/...``), a copy in
JupyterLab, where the theme is switched from the Settings menu (the ``apputils:change-theme``
command) between the light and the dark measurements.

Readability is measured in the page with ``getComputedStyle``: WCAG 2 contrast ratios of the
stepper's text (4.5:1) and of the graph's edges (3:1, non-text) against the background they are
drawn on, and the node states told apart without colour (the current node's outline is thicker
than an ordinary node's, done nodes are dashed). Figures go to ``tests/artifacts/contrast.json``.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from _jupyter_server import NEEDED_EXTENSIONS, JupyterLab, launch_chromium, watched_page
from playwright.sync_api import expect, sync_playwright

import autogradviz as agv
from autogradviz.autograd import backward_steps
from autogradviz.viz.model import build_model

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
LESSON = "03_stepping_through_backward.ipynb"
LAB_COPY = "03_stepping_through_backward_lab.ipynb"  # its own kernel, apart from Notebook 7's
TIMEOUT = 60_000  # ms: generous (the first kernel start imports numpy and Graphviz's module)
STDERR = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
TEXT_MIN, NON_TEXT_MIN = 4.5, 3.0  # WCAG 2.1: 1.4.3 text, 1.4.11 graphical objects
# Notebook 7.6.5 itself throws this once on every page it serves (``/tree`` too, with no widget
# and no user settings): its keyboard-shortcuts plugin reads ``plugins[id].schema`` for a plugin
# the settings registry does not hold. Any other page error fails the tests.
NOTEBOOK7_OWN_ERROR = ("Cannot read properties of undefined (reading 'schema')",
                       "/static/notebook/notebook_core.")


def tutorial_node_order():
    """Model node ids of lesson 03's first stepper, in the engine's order (run here)."""
    x = agv.tensor([1., 2., 3.], requires_grad=True)
    y = agv.tensor([4., 5., 6.], requires_grad=True)
    z = x + y
    s = z.sum()
    model = build_model([s], namespace={"x": x, "y": y, "z": z, "s": s})
    ids = {id(n.source): n.id for n in model.nodes if n.source is not None}
    return [ids[id(step.node)] for step in backward_steps(s)]


# ---------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def server():
    lab = JupyterLab(REPO / "notebooks")
    try:
        # The lesson stores its widgets' state, the front end's JavaScript and CSS included, as
        # they were when it was saved. Opening it restores those models, and whichever of the
        # restored and the kernel's copy of the CSS reaches the page last is the one used: drop
        # the stored state so that the page shows the checkout's widgets/ files, every time.
        lesson = json.loads((lab.root / LESSON).read_text())
        lesson["metadata"].pop("widgets", None)
        for name in (LESSON, LAB_COPY):
            (lab.root / name).write_text(json.dumps(lesson, indent=1) + "\n")
        for page in ("lab", f"notebooks/{LESSON}"):
            config = lab.page_config(page)
            loaded = {e.get("name") for e in config.get("federated_extensions", [])}
            missing = [name for name in NEEDED_EXTENSIONS if name not in loaded]
            assert not missing, f"labextensions not found on /{page}: {missing}"
        assert lab.page_config(f"notebooks/{LESSON}").get("appName") == "Jupyter Notebook"
        yield lab
    finally:
        lab.stop()


@pytest.fixture(scope="module")
def browser():
    ARTIFACTS.mkdir(exist_ok=True)
    expect.set_options(timeout=20_000)  # the machine may be busy: waits, not timed assertions
    started = time.monotonic()
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()
    print(f"\nbrowser session: {time.monotonic() - started:.1f} s")


def open_and_run_all(server, browser, url):
    """A new page at ``url`` (a notebook), its kernel started, all its cells run."""
    page, dialogs, errors = watched_page(browser, TIMEOUT)
    with page.expect_websocket(lambda ws: "/api/kernels/" in ws.url, timeout=TIMEOUT):
        page.goto(url)
    expect(page.locator(".jp-Notebook .jp-CodeCell").first).to_be_visible()
    # The websocket is open; the kernel answers once it has started (the server says "idle").
    page.wait_for_function(
        """async () => {
            const response = await fetch('/api/sessions', {headers: {
                Authorization: 'token ' + new URLSearchParams(location.search).get('token')}});
            const sessions = await response.json();
            const path = decodeURIComponent(location.pathname).split('/').pop();
            return sessions.some((s) => s.path.endsWith(path) && s.kernel
                                        && s.kernel.execution_state === 'idle');
        }""", polling=200)
    code_cells = page.locator(".jp-Notebook .jp-CodeCell").count()
    page.locator(".lm-MenuBar-item", has_text="Run").click()
    page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').click()
    wait_prompts(page, code_cells)
    return {"page": page, "dialogs": dialogs, "errors": errors, "code_cells": code_cells}


@pytest.fixture(scope="module")
def notebook7(server, browser):
    state = open_and_run_all(server, browser, server.notebook_url(LESSON))
    yield state
    state["page"].close()


@pytest.fixture(scope="module")
def jupyterlab(server, browser):
    state = open_and_run_all(server, browser, server.lab_url(LAB_COPY))
    state["measured"] = {}
    yield state
    (ARTIFACTS / "contrast.json").write_text(json.dumps(state["measured"], indent=2) + "\n")
    state["page"].close()


def wait_prompts(page, count):
    """Wait until ``count`` code cells show an execution number (none queued or running)."""
    page.wait_for_function(
        """(count) => {
            const p = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]
                .map((e) => e.textContent.trim());
            return p.length >= count && p.slice(0, count).every((t) => /^\\[\\d+\\]:$/.test(t));
        }""",
        arg=count)


def check_ran_cleanly(state):
    page = state["page"]
    # The widgets' styles in the page are this checkout's (not another install's).
    css = (REPO / "widgets" / "autogradviz.css").read_text()
    assert page.evaluate("""(css) => [...document.querySelectorAll('style')]
        .some((s) => s.textContent.trim() === css.trim())""", css), "widgets/autogradviz.css"
    texts = page.locator(".jp-Notebook .jp-CodeCell .jp-InputPrompt").all_inner_texts()
    assert texts == [f"[{i}]:" for i in range(1, state["code_cells"] + 1)], texts
    tracebacks = page.locator(STDERR)
    assert tracebacks.count() == 0, tracebacks.all_inner_texts()


def cell(page, text):
    """The code cell whose source contains ``text``."""
    return page.locator(".jp-Notebook .jp-CodeCell").filter(
        has=page.locator(".jp-InputArea", has_text=text))


def first_stepper(page):
    return cell(page, "stepper = viz.BackwardStepper(s)").locator(".agv-stepper")


def current_node(widget):
    """The id of the node highlighted as executing (None if none)."""
    ids = widget.locator("svg g.node.agv-current").evaluate_all("(gs) => gs.map((g) => g.id)")
    assert len(ids) <= 1, ids
    return ids[0][len("agv-"):] if ids else None


# ---------------------------------------------------------------------- measuring in the page
# Colours as the browser resolved them; a translucent colour is composited over what lies under
# it (the nearest ancestors with a background, down to an opaque one; white below everything).
MEASURE = """(root) => {
    const parse = (text) => {
        const m = /^rgba?\\(([^)]*)\\)$/.exec(text.trim());
        if (!m) throw new Error('unexpected colour format: ' + text);
        const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
        return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
    };
    const over = (top, below) => [0, 1, 2].map((i) => top[i] * top[3] + below[i] * (1 - top[3]))
        .concat([1]);
    const background = (element) => {
        const layers = [];
        for (let e = element; e; e = e.parentElement) {
            const c = parse(getComputedStyle(e).backgroundColor);
            if (c[3] > 0) layers.push(c);
            if (c[3] >= 1) break;
        }
        return layers.reverse().reduce((below, c) => over(c, below), [255, 255, 255, 1]);
    };
    const luminance = (c) => {
        const f = (v) => {
            v /= 255;
            return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
        };
        return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
    };
    const ratio = (fg, bg) => {
        const a = luminance(over(fg, bg)), b = luminance(bg);
        return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    };
    const css = (c) => 'rgb(' + c.slice(0, 3).map((v) => Math.round(v)).join(', ') + ')';
    const describe = (e) => {
        const html = e.className && e.className.baseVal === undefined;
        const owner = e.closest('g.node, g.edge');
        return e.tagName.toLowerCase()
            + (html ? '.' + String(e.className).trim().split(/\\s+/).join('.') : '')
            + (owner ? ' in #' + owner.id : '');
    };
    const shown = (e) => e.getClientRects().length > 0
        && getComputedStyle(e).visibility !== 'hidden';
    const widgetBg = background(root);

    // HTML text: every shown element with text of its own, against what it is drawn on.
    const text = [];
    for (const e of root.querySelectorAll('*')) {
        if (e.closest('svg') || !shown(e)) continue;
        const own = [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
        if (!own) continue;
        const fg = parse(getComputedStyle(e).color), bg = background(e);
        text.push({ what: describe(e), panel: !!e.closest('.agv-panel'),
                    sample: e.textContent.trim().slice(0, 30),
                    fg: css(over(fg, bg)), bg: css(bg), ratio: ratio(fg, bg) });
    }
    // Text drawn in the graph: on its node's shape, or on the widget for labels outside nodes.
    for (const t of root.querySelectorAll('svg text')) {
        if (!t.textContent.trim()) continue;
        const node = t.closest('g.node');
        const shape = node
            && node.querySelector(':scope > polygon, :scope > path, :scope > ellipse');
        const fill = shape && parse(getComputedStyle(shape).fill.startsWith('rgb')
            ? getComputedStyle(shape).fill : 'rgba(0, 0, 0, 0)');
        const bg = fill && fill[3] > 0 ? over(fill, widgetBg) : widgetBg;
        const fg = parse(getComputedStyle(t).fill);
        text.push({ what: describe(t), panel: false, sample: t.textContent.trim().slice(0, 30),
                    fg: css(over(fg, bg)), bg: css(bg), ratio: ratio(fg, bg) });
    }
    // Edges (lines and arrowheads), against the widget's background.
    const edges = [];
    for (const e of root.querySelectorAll('svg g.edge > path, svg g.edge > polygon')) {
        const style = getComputedStyle(e);
        const colour = e.tagName === 'path' ? style.stroke : style.fill;
        if (!colour.startsWith('rgb')) continue;  // "none"
        const fg = parse(colour), bg = background(e);
        edges.push({ what: describe(e), flow: e.parentElement.classList.contains('agv-flow'),
                     fg: css(over(fg, bg)), bg: css(bg), ratio: ratio(fg, bg) });
    }
    // Node outlines: width and dash pattern per state, and the outline's colour contrast.
    const nodes = [];
    for (const g of root.querySelectorAll('svg g.node')) {
        const shape = g.querySelector(':scope > polygon, :scope > path');
        if (!shape) continue;
        const style = getComputedStyle(shape);
        const state = g.classList.contains('agv-current') ? 'current'
            : g.classList.contains('agv-done') ? 'done'
            : g.classList.contains('agv-selected') ? 'selected' : 'ordinary';
        nodes.push({ id: g.id, state, strokeWidth: parseFloat(style.strokeWidth),
                     dasharray: style.strokeDasharray, stroke: style.stroke,
                     outlineRatio: style.stroke.startsWith('rgb')
                         ? ratio(parse(style.stroke), widgetBg) : null });
    }
    return { theme: document.body.dataset.jpThemeName, widgetBg: css(widgetBg),
             widgetFg: getComputedStyle(root).color, text, edges, nodes };
}"""


def measure(widget):
    return widget.evaluate(MEASURE)


def check_readable(found, where):
    """The readability claims on one measurement; returns the figures for the report."""
    panel = [t for t in found["text"] if t["panel"]]
    assert panel, f"{where}: no text found in the stepper's panel"
    for t in found["text"]:
        assert t["ratio"] >= TEXT_MIN, f"{where}: text contrast {t['ratio']:.2f} < 4.5: {t}"
    assert any(e["flow"] for e in found["edges"]), f"{where}: no highlighted edge"
    assert any(not e["flow"] for e in found["edges"]), f"{where}: no ordinary edge"
    for e in found["edges"]:
        assert e["ratio"] >= NON_TEXT_MIN, f"{where}: edge contrast {e['ratio']:.2f} < 3: {e}"
    states = {}
    for n in found["nodes"]:
        states.setdefault(n["state"], []).append(n)
    assert len(states.get("current", [])) == 1, states.keys()
    assert states.get("done") and states.get("ordinary"), states.keys()
    current = states["current"][0]
    thickest_ordinary = max(n["strokeWidth"] for n in states["ordinary"])
    assert current["strokeWidth"] > thickest_ordinary, (current, thickest_ordinary)
    for n in states["ordinary"] + states["current"]:
        assert n["dasharray"] == "none", f"{where}: only done nodes are dashed: {n}"
    for n in states["done"]:
        assert n["dasharray"] != "none", f"{where}: a done node is drawn solid: {n}"
    return {
        "theme": found["theme"],
        "widget_background": found["widgetBg"],
        "panel_text": {"colour": panel[0]["fg"], "background": panel[0]["bg"],
                       "ratio": round(panel[0]["ratio"], 2),
                       "lowest": round(min(t["ratio"] for t in panel), 2)},
        "lowest_text": min(({**t, "ratio": round(t["ratio"], 2)} for t in found["text"]),
                           key=lambda t: t["ratio"]),
        "edges": {"plain": round(min(e["ratio"] for e in found["edges"] if not e["flow"]), 2),
                  "flow": round(min(e["ratio"] for e in found["edges"] if e["flow"]), 2)},
        "outline_width": {"current": current["strokeWidth"], "ordinary_max": thickest_ordinary,
                          "done_dasharray": states["done"][0]["dasharray"]},
        "current_outline_ratio": round(current["outlineRatio"], 2),
    }


def stepper_at_step_2(page):
    """The first stepper at step 2 of 4 (AddBackward0): SumBackward0 done, AddBackward0 current,
    the two leaves ordinary, the gradient flowing along the edges to them."""
    widget = first_stepper(page)
    counter = widget.locator(".agv-counter")
    widget.get_by_role("button", name="First step").click()
    expect(counter).to_have_text("step 0 / 4")
    for k in range(1, 3):
        widget.get_by_role("button", name="Next step").click()
        expect(counter).to_have_text(f"step {k} / 4")
    assert current_node(widget) == tutorial_node_order()[1]
    return widget


# ---------------------------------------------------------------------- Notebook 7
def test_notebook7_runs_lesson03(server, notebook7):
    page = notebook7["page"]
    assert "/notebooks/" in page.url
    # Notebook 7's own application, not JupyterLab's.
    config = page.evaluate(
        "() => JSON.parse(document.querySelector('#jupyter-config-data').textContent)")
    assert (config["appName"], config["notebookPage"]) == ("Jupyter Notebook", "notebooks")
    check_ran_cleanly(notebook7)
    expect(page.locator(".agv-stepper")).to_have_count(3)
    expect(page.locator(".agv-live")).to_have_count(1)


def test_notebook7_stepper_follows_the_engine(notebook7):
    page = notebook7["page"]
    widget = first_stepper(page)
    counter = widget.locator(".agv-counter")
    expect(counter).to_have_text("step 0 / 4")
    assert current_node(widget) is None
    order = tutorial_node_order()
    assert len(order) == 4
    widget.get_by_role("button", name="Next step").click()
    expect(counter).to_have_text("step 1 / 4")
    assert current_node(widget) == order[0]
    expect(widget.locator(".agv-panel")).to_contain_text("SumBackward0")


def test_notebook7_live_graph_renders(notebook7):
    page = notebook7["page"]
    live = cell(page, "live = viz.LiveGraph()").locator(".agv-live")
    expect(live.locator("svg g.node").first).to_be_visible()
    # The cells after it ran too (k, m, m.backward()): their nodes are in the graph.
    expect(live.locator("svg g.node", has_text="m = SumBackward0").first).to_be_attached()
    widget = first_stepper(page)
    widget.scroll_into_view_if_needed()
    page.screenshot(path=ARTIFACTS / "notebook7.png")
    assert notebook7["dialogs"] == []
    message, where = NOTEBOOK7_OWN_ERROR
    others = [(m, stack) for m, stack in notebook7["errors"]
              if not (m == message and where in stack.splitlines()[1])]
    assert others == []


# ---------------------------------------------------------------------- themes
def test_light_theme_readable(jupyterlab):
    page = jupyterlab["page"]
    check_ran_cleanly(jupyterlab)
    assert page.evaluate("() => document.body.dataset.jpThemeName") == "JupyterLab Light"
    widget = stepper_at_step_2(page)
    jupyterlab["measured"]["light"] = check_readable(measure(widget), "light theme")
    widget.scroll_into_view_if_needed()
    widget.screenshot(path=ARTIFACTS / "stepper-light.png")


def test_dark_theme_readable(jupyterlab):
    page = jupyterlab["page"]
    light_layout = page.evaluate(
        "() => getComputedStyle(document.body).getPropertyValue('--jp-layout-color1').trim()")
    # Settings > Theme > JupyterLab Dark, as a learner would (the apputils:change-theme command).
    page.locator(".lm-MenuBar-item", has_text="Settings").click()
    page.locator(".lm-Menu-item", has_text=re.compile(r"^Theme$")).hover()
    page.locator('.lm-Menu-item[data-command="apputils:change-theme"]',
                 has_text=re.compile(r"^JupyterLab Dark$")).click()
    page.wait_for_function(
        """(light) => document.body.dataset.jpThemeName === 'JupyterLab Dark'
            && document.body.dataset.jpThemeLight === 'false'
            && getComputedStyle(document.body).getPropertyValue('--jp-layout-color1').trim()
               !== light""",
        arg=light_layout)
    widget = stepper_at_step_2(page)
    found = measure(widget)
    figures = check_readable(found, "dark theme")
    jupyterlab["measured"]["dark"] = figures
    # The widget follows the theme: a dark background, light text.
    assert figures["panel_text"]["background"] != jupyterlab["measured"].get("light", {}).get(
        "panel_text", {}).get("background")
    widget.scroll_into_view_if_needed()
    widget.screenshot(path=ARTIFACTS / "stepper-dark.png")
    # The live graph, in the same theme: its text and edges are readable too.
    live = cell(page, "live = viz.LiveGraph()").locator(".agv-live")
    live_found = live.evaluate(MEASURE)
    for t in live_found["text"]:
        assert t["ratio"] >= TEXT_MIN, f"live graph, dark: text contrast {t}"
    for e in live_found["edges"]:
        assert e["ratio"] >= NON_TEXT_MIN, f"live graph, dark: edge contrast {e}"
    live.scroll_into_view_if_needed()
    live.screenshot(path=ARTIFACTS / "live-dark.png")
    assert jupyterlab["dialogs"] == [] and jupyterlab["errors"] == []
