"""The floor plan's size limits (issue 21): in engine/, ui/ and pages/, no module over 300 lines, no class
over 250, no function over 60. A module that grows past them is asking to be split along its meaning."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LIMITS = {"module": 300, "class": 250, "function": 60}


def too_big(label: str, source: str) -> list[str]:
    """What in this module's source passes its limit, one line each."""
    found = [("module", label, source.count("\n"))]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef):
            found.append(("class", node.name, node.end_lineno - node.lineno + 1))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found.append(("function", node.name, node.end_lineno - node.lineno + 1))
    return [
        f"{label}: {k} {n} has {lines} lines (limit {LIMITS[k]})"
        for k, n, lines in found
        if lines > LIMITS[k]
    ]


def test_the_check_sees_a_long_function_and_a_long_module():
    assert too_big("x.py", "def f():\n" + "    x = 1\n" * 60) == ["x.py: function f has 61 lines (limit 60)"]
    assert too_big("y.py", "x = 1\n" * 301) == ["y.py: module y.py has 301 lines (limit 300)"]
    assert too_big("z.py", "def f():\n" + "    x = 1\n" * 59) == []


@pytest.mark.parametrize("folder", ["engine", "ui", "pages"])
def test_no_module_class_or_function_passes_its_limit(folder):
    found = [
        line
        for path in sorted((ROOT / folder).rglob("*.py"))
        for line in too_big(str(path.relative_to(ROOT)), path.read_text(encoding="utf-8"))
    ]
    assert not found, "\n".join(found)
