"""Webhooks' rules (engine/domain/webhooks.py) and what a public one carries (engine/views/webhooks.py)."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import replace

import pytest

from engine.domain import webhooks as w
from engine.domain.model import InvalidInput, Phase
from engine.domain.release import Release, ResultsSettings
from engine.domain.webhooks import HookState, Occurrence, OnStage
from engine.views import webhooks as views
from tests.unit.snapshots import JUDGES, ROWS, T0, make_snapshot

SCORING_P1 = OnStage("SCORING", "p1")


def step(phase: str, pid: str | None = None) -> dict:
    return {"phase": phase, "performer_id": pid, "version": 3, "deadline": None, "paused": False}


def test_the_urls_and_the_private_prefix():
    hooks = w.parse_hooks(" https://a.example/h , private:http://b.example:8080/x,https://a.example/h,")
    assert [(h.url, h.private) for h in hooks] == [
        ("https://a.example/h", False),
        ("http://b.example:8080/x", True),
    ]
    assert hooks[1].host == "b.example:8080" and hooks[0].hook_id != hooks[1].hook_id
    assert w.parse_hooks(None) == [] and w.parse_hooks("") == []
    with pytest.raises(InvalidInput, match="is not an http"):
        w.parse_hooks("ftp://x.example/")


def test_the_signature_is_hmac_sha256_of_the_body_and_retries_back_off_to_five_minutes():
    expected = hmac.new(b"secret", b"{}", hashlib.sha256).hexdigest()
    assert w.signature("secret", b"{}") == f"sha256={expected}"
    assert [w.retry_after(n) for n in (1, 2, 3, 4, 10, 50)] == [1, 2, 4, 8, 300, 300]


def test_a_window_closing_makes_the_performers_results_public_then_the_phase_change():
    found, after = w.occurrences("scoring_closed", step("PERFORMING", "p2"), SCORING_P1, False)
    assert found == [Occurrence(w.RESULTS_PUBLIC, "p1"), Occurrence(w.PHASE_CHANGED)]
    assert after == OnStage("PERFORMING", "p2")
    hidden, _ = w.occurrences("scoring_closed", step("PERFORMING", "p2"), SCORING_P1, True)
    assert hidden == [Occurrence(w.PHASE_CHANGED)]  # hidden until revealed: not at the close
    revealed, _ = w.occurrences("place_revealed", {"performers": ["p3", "p1"]}, OnStage(), True)
    assert revealed == [Occurrence(w.RESULTS_PUBLIC, "p3"), Occurrence(w.RESULTS_PUBLIC, "p1")]
    assert w.occurrences("place_revealed", {"performers": ["p3"]}, OnStage(), False)[0] == []


def test_a_pause_an_extension_or_a_score_sends_nothing_and_a_sign_off_sends_official():
    paused = {**step("SCORING", "p1"), "paused": True}
    assert w.occurrences("paused", paused, SCORING_P1, False) == ([], SCORING_P1)
    assert w.occurrences("extended", step("SCORING", "p1"), SCORING_P1, False)[0] == []
    assert w.occurrences("score_submitted", {"total": "7"}, SCORING_P1, False) == ([], SCORING_P1)
    assert w.occurrences("results_signed_off", {}, OnStage("FINISHED"), False)[0] == [
        Occurrence(w.RESULTS_OFFICIAL)
    ]


def test_a_public_webhook_says_nothing_of_the_performer_being_scored_or_hidden():
    snap = make_snapshot(ROWS, JUDGES)
    scoring = replace(snap, state=replace(snap.state, phase=Phase.SCORING, index=2))  # p3 on stage
    assert views.data(Occurrence(w.RESULTS_PUBLIC, "p3"), {}, scoring, T0, False) is None
    shown = views.data(Occurrence(w.RESULTS_PUBLIC, "p1"), {}, scoring, T0, False)
    assert shown["performer"]["performer"] == "P1" and "private" not in shown
    text = repr(shown)
    assert "@x" not in text and "p1" not in text.replace("P1", "")
    hidden = replace(snap, release=Release("e1", ResultsSettings(hide_until_revealed=True), signed_off_at=T0))
    assert views.data(Occurrence(w.RESULTS_PUBLIC, "p1"), {}, hidden, T0, False) is None
    private = views.data(Occurrence(w.RESULTS_PUBLIC, "p1"), {}, snap, T0, True)
    assert {s["judge"] for s in private["private"]["scores"]} == set(JUDGES)


def test_the_desk_names_a_failing_and_a_dropped_delivery():
    failing = HookState("h1", "main", "hooks.example", failing={"kind": "phase_changed", "error": "HTTP 500",
                        "attempts": 3, "next_at": 108.0})  # fmt: skip
    dropped = HookState("h2", "main", "b.example", True, dropped=2,
                        last_dropped={"kind": "results_official", "error": "timed out"})  # fmt: skip
    assert w.desk_lines([failing, dropped, HookState("h3", "main", "ok.example")], 100.0) == [
        "Webhook to hooks.example (stage main): phase_changed refused (HTTP 500), 3 attempt(s); next try in "
        "8 s, later ones wait; dropped after an hour.",
        "Webhook to private: b.example (stage main): 2 delivery(ies) dropped after an hour of refusals "
        "(last: results_official, timed out).",
    ]
