"""One way in for a score, attacked over HTTP: a session ended by the admin's End, a device swap or a
new password scores no more through POST /live/score, and its open stream hears `event: ended` within
2 s; a judge who stepped aside for a performer is refused and their screen shows no form."""

from __future__ import annotations

import time

import pytest

from engine.domain.accounts import token_hash
from engine.domain.devices import ENDED, ENDED_BY_ADMIN, PASSWORD_CHANGED, SWAPPED
from engine.service.competition import Competition
from tests.security.conftest import ADMIN, J1, J2, J3, Target, score_body, score_performer
from tests.support.events import PASSWORD
from tests.support.live import EventStream, post_score


def _stored(target: Target, judge: str):
    svc = target.stack.service()
    state = svc.bundle().state
    return {s.judge: s for s in svc.store.scores.list(state.event_id, state.performer_id, True)}.get(judge)


def _end_by_admin(target: Target, judge: str, token: str) -> str:
    svc = target.stack.service()
    assert token_hash(token) in {d.session_id for d in svc.logins.devices(target.tokens[ADMIN], judge)}
    svc.logins.end_device(target.tokens[ADMIN], judge, token_hash(token))
    return ENDED[ENDED_BY_ADMIN]


def _swap_device(target: Target, judge: str, token: str) -> str:
    svc = target.stack.service()
    svc.logins.login_with_link(svc.logins.issue_link(target.tokens[ADMIN], judge))
    return ENDED[SWAPPED]


def _new_password(target: Target, judge: str, token: str) -> str:
    target.stack.service().set_account(target.tokens[ADMIN], judge, password=PASSWORD)
    return ENDED[PASSWORD_CHANGED]


@pytest.mark.parametrize("end", [_end_by_admin, _swap_device, _new_password], ids=["end", "swap", "password"])
def test_an_ended_session_scores_no_more_over_http(target: Target, end):
    svc = target.stack.service()
    token = svc.logins.login(J1, PASSWORD).token
    status, answer = post_score(target.url, token, score_body(target, "7"))
    assert status == 200 and answer["ok"], answer
    before = _stored(target, J1)
    sentence = end(target, J1, token)
    status, answer = post_score(target.url, token, score_body(target, "9.9"))
    assert (status, answer) == (401, {"ok": False, "error": sentence})
    after = _stored(target, J1)
    assert (after.revision, after.total) == (before.revision, before.total)
    assert svc.log.verify(svc.event_id()) == []


def test_an_ended_sessions_stream_hears_it_within_two_seconds(target: Target):
    svc = target.stack.service()
    token = svc.logins.login(J2, PASSWORD).token
    stream = EventStream(target.url, "/live/judge", token)
    try:
        assert stream.status == 200
        stream.next_doc(timeout=10)
        _end_by_admin(target, J2, token)
        ended_at = time.monotonic()
        while True:
            kind, data = stream.next_event(timeout=3)
            if kind == "ended":
                break
        waited = time.monotonic() - ended_at
    finally:
        stream.close()
    assert ENDED[ENDED_BY_ADMIN] in data
    assert waited <= 2.0, f"the ended session's stream heard it after {waited:.2f} s"


def test_a_judge_who_stepped_aside_is_refused_and_sees_no_form(target: Target):
    svc = target.stack.service()
    Competition(svc).add_conflict(target.tokens[ADMIN], J3, "Performer 3")
    pid = score_performer(target.stack, "Performer 3")
    token = svc.logins.login(J3, PASSWORD).token
    stream = EventStream(target.url, "/live/judge", token)
    try:
        doc = stream.next_doc(timeout=10)
        while doc.get("performer_id") != pid or doc.get("phase") != "SCORING":
            doc = stream.next_doc(timeout=10)
    finally:
        stream.close()
    assert doc["stepped_aside"] is True
    status, answer = post_score(target.url, token, score_body(target, "9.9"))
    assert (status, answer) == (409, {"ok": False, "error": "You have stepped aside for this performer."})
    assert _stored(target, J3) is None
    status, _ = post_score(target.url, svc.logins.login(J2, PASSWORD).token, score_body(target, "6"))
    assert status == 200 and _stored(target, J2) is not None
    assert not svc.snapshot().by_performer[pid].get(J3)
