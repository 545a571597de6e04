"""The judge page: scoring inside the window (the real engine opens it), refusal outside, revision."""

from __future__ import annotations

from decimal import Decimal

import pytest

import ui.data
from engine.model import Command, CommandKind, Phase, ScoreRefused, Settings
from tests.app.helpers import (
    ADMIN,
    JUDGE,
    button,
    open_page,
    open_scoring_now,
    rerun,
    start,
    texts,
    wait_for,
)
from tests.support.events import seed_event


def score_box(at):
    [box] = [w for w in at.number_input if w.label.startswith("Score (")]
    return box


def submit(at, value: float):
    score_box(at).set_value(value)
    return button(at, "Submit score").click().run()


@pytest.fixture
def scoring(svc, engine):
    """A 1 s performance, then the engine opens a 30 s scoring window for performer 1."""
    tokens = seed_event(svc, settings=Settings(perform_seconds=1, score_seconds=30))
    start(svc, tokens)
    state = wait_for(
        lambda: (s := svc.bundle().state).phase is Phase.SCORING and s,
        timeout=10,
        what="the engine to open scoring",
    )
    return tokens, state


def test_judge_submits_inside_the_window_and_the_score_is_in_the_database(svc, scoring, app):
    tokens, state = scoring
    at = open_page(app(svc.whoami(tokens[JUDGE])), "pages/judge.py")
    assert texts(at.metric)[0] == "Scoring"

    at = submit(at, 7.5)

    assert not at.exception
    assert not at.error
    scores = svc.store.scores.list(state.event_id, consistent=True)
    assert [(s.judge, s.performer_id, s.total, s.revision, s.window_id) for s in scores] == [
        (JUDGE, state.performer_id, Decimal("7.5"), 1, state.window_id)
    ]
    assert any("7.50 (revision 1)" in m for m in texts(at.success))
    assert texts(at.toast) == ["Accepted: 7.50 for Performer 1"]


def test_judge_revises_and_the_second_submit_is_revision_2(svc, scoring, app):
    tokens, state = scoring
    at = open_page(app(svc.whoami(tokens[JUDGE])), "pages/judge.py")
    at = submit(at, 6)
    at = submit(at, 8.2)

    assert not at.error
    [score] = svc.store.scores.list(state.event_id, consistent=True)
    assert (score.total, score.revision) == (Decimal("8.2"), 2)
    assert any("8.20 (revision 2)" in m for m in texts(at.success))
    at = rerun(at)  # the table of scores so far reads the database at the top of the run
    assert at.table[0].value["Performer"].tolist() == ["Performer 1"]
    assert at.table[0].value["You"].tolist() == ["8\\.20"]  # cells are Markdown-escaped


def test_judge_is_refused_while_the_performer_is_still_performing(svc, tokens, app):
    state = start(svc, tokens)
    at = open_page(app(svc.whoami(tokens[JUDGE])), "pages/judge.py")

    assert not at.exception
    assert texts(at.info) == ["Watch the performance: scoring opens when it ends."]
    assert not at.number_input
    assert "Submit score" not in [b.label for b in at.button]
    with pytest.raises(ScoreRefused, match="not opened"):
        svc.submit_score(tokens[JUDGE], state.performer_id, {"Score": "5"})
    assert svc.store.scores.list(state.event_id, consistent=True) == []


def test_a_submit_from_a_stale_form_after_the_window_closed_is_refused_by_the_database(
    svc, tokens, app, monkeypatch
):
    start(svc, tokens)
    state = open_scoring_now(svc)
    at = open_page(app(svc.whoami(tokens[JUDGE])), "pages/judge.py")
    assert "Submit score" in [b.label for b in at.button]
    stale = svc.snapshot()
    svc.command(tokens[ADMIN], Command(CommandKind.CLOSE))
    # The page still shows the open window (a tick-old snapshot): the database must say no.
    with monkeypatch.context() as mp:
        mp.setattr(ui.data, "_snapshot", lambda event_id=None: stale)
        at = submit(at, 9)

    assert texts(at.error) == ["Scoring for this performer is closed."]
    assert svc.store.scores.list(state.event_id, consistent=True) == []
    at = rerun(at)
    assert texts(at.info) == ["Watch the performance: scoring opens when it ends."]
    assert not at.number_input


def test_judge_waiting_in_the_lobby_is_counted_present(svc, tokens, app):
    at = open_page(app(svc.whoami(tokens[JUDGE])), "pages/judge.py")

    assert texts(at.info) == ["Waiting for the event to start (1 of 3 judges here)."]
    assert svc.snapshot().present == [JUDGE]
