"""The reference tutorial's tensor part runs on autogradviz and prints exactly its output."""

import json
from pathlib import Path

import pytest
from tutorial import read_blocks, run_block, sanitize

BLOCKS = read_blocks()
TENSOR_PART = [b for b in BLOCKS if "Automatic Differentiation" not in b.section]


def test_tutorial_is_read():
    assert len(BLOCKS) == 12
    assert len(TENSOR_PART) == 7
    assert all(b.expected for b in BLOCKS)


def test_tensor_part_prints_the_tutorials_output():
    namespace = {}
    for block in TENSOR_PART:
        got = run_block(block.code, namespace)
        assert sanitize(got) == sanitize(block.expected), block.code


@pytest.mark.parametrize("index", range(len(TENSOR_PART)))
def test_each_tensor_block_alone_after_seeding(index):
    """Each block, run after the ones before it, matches (pinpoints the failing block)."""
    namespace = {}
    for block in TENSOR_PART[: index + 1]:
        got = run_block(block.code, namespace)
    assert sanitize(got) == sanitize(TENSOR_PART[index].expected)


def test_whole_tutorial_prints_the_tutorials_output():
    namespace = {}
    for block in BLOCKS:
        got = run_block(block.code, namespace)
        assert sanitize(got) == sanitize(block.expected), block.code


LESSON_01 = Path(__file__).resolve().parents[1] / "notebooks" / "01_introduction_to_pytorch.ipynb"


def _cell_text(cell):
    parts = []
    for out in cell.get("outputs", []):
        if out["output_type"] == "stream":
            parts.append("".join(out["text"]))
        elif out["output_type"] == "execute_result":
            parts.append("".join(out["data"]["text/plain"]) + "\n")
    return "".join(parts).rstrip("\n")


def test_lesson_01_stores_the_tutorials_output():
    cells = [c for c in json.loads(LESSON_01.read_text())["cells"] if c["cell_type"] == "code"]
    assert len(cells) == len(BLOCKS)
    for cell, block in zip(cells, BLOCKS, strict=True):
        source = "".join(cell["source"])
        assert source == block.code.replace("import torch", "import autogradviz as torch")
        assert sanitize(_cell_text(cell)) == sanitize(block.expected), source
