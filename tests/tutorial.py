"""Read the reference tutorial (a sphinx-gallery .rst) into code blocks and their printed output,
and run the blocks the way sphinx-gallery does, with ``autogradviz`` standing in for ``torch``.
"""

from __future__ import annotations

import ast
import contextlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

TUTORIAL = Path(__file__).resolve().parents[2] / "shared" / "seed" / "introduction_to_pytorch.rst"
ADDRESS = re.compile(r"0x[0-9a-fA-F]+")


@dataclass
class Block:
    code: str
    expected: str
    section: str


def _indented(lines, start):
    """The indented body after a directive line, dedented, and the index after it."""
    body = []
    i = start
    while i < len(lines) and (lines[i].startswith("    ") or not lines[i].strip()):
        body.append(lines[i])
        i += 1
    while body and not body[-1].strip():
        body.pop()
    while body and not body[0].strip():
        body.pop(0)
    indent = min((len(b) - len(b.lstrip()) for b in body if b.strip()), default=0)
    return "\n".join(b[indent:] for b in body), i


def read_blocks(path=TUTORIAL):
    lines = Path(path).read_text().splitlines()
    blocks, section, i = [], "", 0
    while i < len(lines):
        line = lines[i]
        if i + 1 < len(lines) and set(lines[i + 1].strip()) <= set("=~") and lines[i + 1].strip():
            section = line.strip() or section
        if line.strip() == ".. code-block:: default":
            code, i = _indented(lines, i + 1)
            expected = ""
            j = i
            while j < len(lines) and not lines[j].startswith(".. GENERATED"):
                if lines[j].strip() == ".. rst-class:: sphx-glr-script-out":
                    k = j + 1
                    while not lines[k].strip().startswith(".. code-block:: none"):
                        k += 1
                    expected, _ = _indented(lines, k + 1)
                    break
                j += 1
            blocks.append(Block(code.expandtabs(4), expected, section))
            continue
        i += 1
    return blocks


def run_block(code, namespace):
    """Execute like sphinx-gallery: stdout, plus the repr of a final bare expression."""
    code = code.replace("import torch", "import autogradviz as torch")
    tree = ast.parse(code)
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        exec(compile(tree, "<tutorial>", "exec"), namespace)
        if last is not None:
            value = eval(compile(last, "<tutorial>", "eval"), namespace)
            if value is not None:
                print(repr(value))
    return buf.getvalue().rstrip("\n")


def sanitize(text):
    return ADDRESS.sub("0x...", text)
