"""Nothing of the performer on stage is public until their scoring window closes (engine/domain/publicity.py),
and the per-judge setting reaches the board at the next push: over HTTP against a running server.

The attack: a judge who has not scored yet opens the public board (or /results) on the same phone and
reads what the others gave. The tests run in file order on one server (its first performer's window is
open), each bringing the event to the state it needs, so any one of them also runs alone."""

from __future__ import annotations

import json
import re
import time
import uuid

from engine.domain import rules
from tests.security.conftest import ADMIN, J1, Target
from tests.support.live import EventStream, post_score
from tests.support.page_view import page_bytes
from tests.support.waiting import wait_for

SCORE = "6.5"
SHOWN = re.compile(rb"6\\?\.50")  # as the board shows it, and as /results' escaped table cell holds it


def _score_once(target: Target) -> None:
    """judge1 scores the performer on stage, and the feed has read it (the admin's stream counts it)."""
    svc = target.stack.service()
    state = svc.bundle().state
    body = {
        "performer_id": state.performer_id,
        "window_id": state.window_id,
        "values": {"Score": SCORE},
        "request_id": uuid.uuid4().hex,
    }
    answers = []

    def stored() -> bool:  # 503 until the server's feed has its first reading; the same request id
        answers.append(post_score(target.url, target.tokens[J1], body))
        return answers[-1][0] == 200

    wait_for(stored, 10, lambda: f"the score to be stored: {answers[-1:]}", interval=0.2)
    admin = EventStream(target.url, "/live/admin", target.tokens[ADMIN])
    try:
        wait_for(lambda: admin.next_doc(timeout=5)["scores_in"] >= 1, 10, "the admin desk to count the score")
    finally:
        admin.close()


def _close_window(target: Target) -> None:
    """The engine's step at the deadline, written as conftest.open_window writes the opening one."""
    svc = target.stack.service()
    b = svc.bundle()
    if b.state.phase.value != "SCORING":
        return
    step = rules.due_steps(b.state, b.settings, b.state.deadline, 0)[0]
    svc.store.events.write_step(b.state.version, step, "test", step.at)


def _public_doc(target: Target) -> dict:
    stream = EventStream(target.url, "/live/public")
    try:
        return stream.next_doc()
    finally:
        stream.close()


def _row(doc: dict, performer: str = "Performer 1") -> dict:
    return next(r for r in doc["ranking"] if r["performer"] == performer)


def test_while_the_window_is_open_the_public_board_and_results_carry_nothing_of_the_score(target):
    assert target.stack.service().bundle().state.phase.value == "SCORING"
    _score_once(target)

    doc = _public_doc(target)
    row = _row(doc)
    assert (doc["phase"], doc["performer"]) == ("SCORING", "Performer 1")
    assert row["total"] == "—" and row["rank"] is None, f"the running total is public: {row}"
    assert row["judges"] == ["", "", ""], f"a judge's cell is public: {row['judges']}"
    assert not SHOWN.search(json.dumps(doc).encode()), "the score is somewhere in the public document"
    assert doc["held_back"] == "Performer 1"
    assert not SHOWN.search(page_bytes(target.url, "results")), "/results shows the score"


def test_once_the_window_has_closed_the_score_is_public(target):
    if target.stack.service().bundle().state.phase.value == "SCORING":
        _score_once(target)
    _close_window(target)

    doc = wait_for(
        lambda: (d := _public_doc(target))["performer"] == "Performer 2" and d, 10, "the next performer"
    )
    row = _row(doc)
    assert (row["rank"], row["total"], row["judges"]) == (1, "6.50", ["6.50", "", ""])
    assert doc["held_back"] is None
    # /results reads through ui/data.py's snapshot caches (one tick, 0.5 s, each), and the previous test's
    # visit may have filled them a moment before the window closed: the page catches up within a tick.
    wait_for(
        lambda: SHOWN.search(page_bytes(target.url, "results")),
        5,
        "/results to show the closed window's score",
    )


def test_turning_per_judge_scores_off_reaches_the_public_stream_within_a_second(target):
    svc = target.stack.service()
    if svc.bundle().state.phase.value == "SCORING":
        _score_once(target)
        _close_window(target)
    settings = svc.bundle().settings
    svc.update_settings(target.tokens[ADMIN], settings.with_changes(public_judge_scores=True))
    stream = EventStream(target.url, "/live/public")
    try:
        wait_for(lambda: stream.next_doc(timeout=5)["judge_names"], 10, "the per-judge cells on the board")
        svc.update_settings(target.tokens[ADMIN], settings.with_changes(public_judge_scores=False))
        turned = time.monotonic()
        wait_for(lambda: not stream.next_doc(timeout=5)["judge_names"], 5, "the cells to leave the board")
        delay = time.monotonic() - turned
        doc = _public_doc(target)
    finally:
        stream.close()
    assert delay < 1.0, f"the setting took {delay:.2f} s to reach the board"
    assert all("judges" not in r for r in doc["ranking"]) and doc["judge_names"] == []
