"""The lesson notebooks as files: what they store besides their cells' outputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

LESSONS = sorted((Path(__file__).parents[1] / "notebooks").glob("*.ipynb"))


def test_lessons_exist():
    assert [p.name[:2] for p in LESSONS] == ["01", "02", "03", "04"]


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lessons_store_no_widget_state(path):
    """Saved widget state would carry a copy of the widgets' JavaScript and CSS, which a page
    could load instead of the installed one; the outputs' SVG and text stand in for it."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    assert "widgets" not in notebook["metadata"]


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lessons_were_run_in_order(path):
    """Stored outputs come from one top-to-bottom run (nbval compares against them)."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    counts = [c["execution_count"] for c in notebook["cells"] if c["cell_type"] == "code"]
    assert counts == list(range(1, len(counts) + 1))
