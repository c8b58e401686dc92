"""The reference tutorial's tensor part runs on autogradviz and prints exactly its output."""

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
