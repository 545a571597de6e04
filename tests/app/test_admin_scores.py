"""The Scores & analytics page, with the database replaced by a hand-made snapshot."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import ui.auth
import ui.data
import ui.nav
from engine.domain import eventlog
from engine.domain.model import PerformerStatus, Role, Session
from engine.domain.snapshot import Snapshot
from tests.unit.snapshots import JUDGES, ROWS, A, B, C, log_openings, make_snapshot

PAGE = Path(__file__).resolve().parents[2] / "pages" / "admin_scores.py"


@pytest.fixture
def page(monkeypatch):
    """Run the page as the admin against `snap` (and a log of `entries`) instead of DynamoDB."""

    def run(snap: Snapshot, entries: list[eventlog.LogEntry] = ()) -> tuple[AppTest, list[str]]:
        reads: list[str] = []

        def log_entries(event_id: str):
            reads.append(event_id)
            return list(entries)

        admin = Session("token", "admin@x", Role.ADMIN, "Admin")
        monkeypatch.setattr(ui.auth, "require", lambda role, page: admin)
        # The page names itself as nav.SCORES_PAGE; run alone, its st.Page objects would resolve against
        # pages/ rather than Home.py's folder. `require` above ignores the page, so names will do.
        monkeypatch.setattr(ui.nav, "_built", lambda: {name: name for name in ui.nav.PAGES})
        monkeypatch.setattr(ui.data, "snapshot", lambda event_id=None: snap)
        monkeypatch.setattr(
            ui.data, "service", lambda: SimpleNamespace(log=SimpleNamespace(entries=log_entries))
        )
        st.cache_data.clear()
        at = AppTest.from_file(str(PAGE), default_timeout=60)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at, reads

    return run


def test_the_page_warns_about_a_deviating_judge_by_name_shown_as_text(page):
    odd = "<b>x</b> **y**"
    snap = make_snapshot(ROWS, {A: odd, B: "Bob", C: "Cy"})
    at, reads = page(snap, log_openings(snap))
    assert [w.value.split(" scores ")[0] for w in at.warning] == ["Cy"]
    assert at.metric[0].value == "1.00" and len(at.dataframe) == 3
    at.number_input(key="deviation_threshold").set_value(0.5).run()
    assert not at.exception
    assert "\\<b\\>x\\</b\\> \\*\\*y\\*\\*" in [w.value.split(" scores ")[0] for w in at.warning]
    assert reads == ["e1"]  # the log again only when another window may have opened


def test_the_page_without_scores_says_so(page):
    waiting = {"p1": PerformerStatus.WAITING, "p2": PerformerStatus.WAITING}
    at, reads = page(make_snapshot({"p1": {}, "p2": {}}, JUDGES, status=waiting))
    assert at.info[0].value.startswith("No scores yet") and not at.warning and not at.dataframe
