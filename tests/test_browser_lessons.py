"""Every lesson run top to bottom in a real JupyterLab and a real (headless) Chromium.

Lesson 03, whose widgets are exercised step by step, has its own module
(``test_browser_lesson03.py``); here each of the others is opened from a temporary copy, all
its cells are run from the Run menu, and the page must show every cell executed in order, no
traceback, and every widget of the lesson rendered as a widget with its drawing (not the text
fallback).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _jupyter_server import NEEDED_EXTENSIONS, JupyterLab, launch_chromium, watched_page
from playwright.sync_api import expect, sync_playwright
from test_browser_lesson03 import STDERR, TIMEOUT, prompts, wait_prompts

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
LESSONS = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb") if not p.name.startswith("03_"))


def widgets_in(lesson):
    """How many steppers and live graphs the lesson's code makes (read from its source)."""
    cells = json.loads((NOTEBOOKS / lesson).read_text(encoding="utf-8"))["cells"]
    source = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    return source.count("viz.BackwardStepper("), source.count("viz.LiveGraph(")


@pytest.fixture(scope="module")
def browser_and_lab():
    server = JupyterLab(NOTEBOOKS)
    try:
        config = server.page_config()
        loaded = {e.get("name") for e in config.get("federated_extensions", [])}
        assert not [n for n in NEEDED_EXTENSIONS if n not in loaded]
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            try:
                yield browser, server
            finally:
                browser.close()
    finally:
        server.stop()


@pytest.mark.parametrize("lesson", LESSONS)
def test_lesson_runs_in_jupyterlab(browser_and_lab, lesson):
    browser, lab = browser_and_lab
    expect.set_options(timeout=20_000)  # the machine may be busy: waits, not timed assertions
    page, dialogs, errors = watched_page(browser, TIMEOUT)
    try:
        with page.expect_websocket(lambda ws: "/api/kernels/" in ws.url, timeout=TIMEOUT):
            page.goto(lab.lab_url(lesson))
        expect(page.locator(".jp-Notebook .jp-CodeCell").first).to_be_visible()
        expect(page.locator(".jp-Notebook-ExecutionIndicator, .jp-StatusBar-TextItem")
               .filter(has_text="Idle").first).to_be_visible()
        code_cells = page.locator(".jp-Notebook .jp-CodeCell").count()
        page.locator(".lm-MenuBar-item", has_text="Run").click()
        page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').click()
        wait_prompts(page, code_cells)
        assert prompts(page) == [f"[{i}]:" for i in range(1, code_cells + 1)]
        tracebacks = page.locator(STDERR)
        assert tracebacks.count() == 0, tracebacks.all_inner_texts()
        steppers, live_graphs = widgets_in(lesson)
        expect(page.locator(".agv-stepper")).to_have_count(steppers)
        expect(page.locator(".agv-live")).to_have_count(live_graphs)
        for widget in page.locator(".agv-stepper, .agv-live").all():
            expect(widget.locator("svg g.node").first).to_be_attached()
        assert not dialogs and not errors, (dialogs, errors)
    finally:
        page.close()
