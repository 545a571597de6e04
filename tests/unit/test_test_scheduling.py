"""`make test`'s scheduler (tests/conftest.py): which files run one after another, on the stacks worker and
on the faults worker."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import TIMING_FREE, stacks_scope

ROOT = Path(__file__).resolve().parents[2]


def test_every_timing_free_module_exists_so_a_rename_cannot_drop_it_back_silently():
    missing = [p for p in TIMING_FREE if not (ROOT / p).is_file()]
    assert not missing, f"TIMING_FREE names files that are gone: {missing}"


def test_clocked_browser_files_and_fault_files_each_form_a_chain_and_the_rest_go_alone():
    assert stacks_scope("tests/e2e/test_full_event.py") == "stacks"
    assert stacks_scope("tests/faults/test_fault_kill9.py") == "faults"
    assert stacks_scope("tests/e2e/test_pages.py") == "tests/e2e/test_pages.py"
    assert stacks_scope("tests/integration/test_scores.py") == "tests/integration/test_scores.py"
