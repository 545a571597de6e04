"""The dependency rule is enforced: `lint-imports` (pyproject.toml's contracts, run by `make lint`) passes
on the repository and fails on a copy of it with one deliberate violation."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

# (file, line added to it, the contract that must then be broken)
VIOLATIONS = [
    ("engine/domain/rules.py", "from engine.store import Store", "domain imports only domain"),
    ("engine/views/documents.py", "import pandas", "views import only domain"),
    ("pages/judge.py", "from engine.store.scores import Scores", "ui and pages never import the store"),
    ("engine/service/core.py", "import boto3", "boto3 only in engine/store/client.py"),
    ("engine/domain/model.py", "import streamlit", "no streamlit (nor starlette) in engine/"),
]


def lint(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def copy(tmp_path_factory) -> Path:
    """The packages lint-imports reads and its configuration, without caches."""
    dest = tmp_path_factory.mktemp("layers")
    for name in ("engine", "ui", "pages"):
        shutil.copytree(
            ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__", "*.js", "*.css")
        )
    shutil.copy(ROOT / "pyproject.toml", dest / "pyproject.toml")
    return dest


def test_the_repository_keeps_every_contract(copy):
    run = lint(copy)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "BROKEN" not in run.stdout


@pytest.mark.parametrize(("path", "line", "contract"), VIOLATIONS, ids=[v[2] for v in VIOLATIONS])
def test_a_deliberate_violation_fails_the_lint(copy, path, line, contract):
    target = copy / path
    before = target.read_text()
    target.write_text(before + f"\n{line}  # deliberate violation\n")
    try:
        run = lint(copy)
    finally:
        target.write_text(before)
    assert run.returncode != 0
    broken = [line for line in run.stdout.splitlines() if line.startswith(contract) and " BROKEN" in line]
    assert broken, run.stdout
