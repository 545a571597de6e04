"""Exact values over HTTP: a score sent as a JSON number is read from the request's own digits, never
through a binary float, so what the grid refuses as text it refuses as a number too."""

from __future__ import annotations

import uuid

import pytest

from tests.security.conftest import J1, J2, Target
from tests.support.live import post_score, wait_until_live


@pytest.fixture(autouse=True)
def _live(target):
    wait_until_live(target.url)


def _raw_score(target: Target, number: str) -> bytes:
    state = target.stack.service().bundle().state
    return (
        f'{{"performer_id": "{state.performer_id}", "window_id": {state.window_id}, '
        f'"values": {{"Score": {number}}}, "request_id": "{uuid.uuid4().hex}"}}'
    ).encode()


def _stored(target: Target, judge: str) -> list:
    svc = target.stack.service()
    return [s for s in svc.store.scores.list(svc.event_id(), consistent=True) if s.judge == judge]


@pytest.mark.parametrize("number", ["7.0000000000000000000001", "1e-400", "7.05", "1E+400"])
def test_a_json_number_off_the_grid_is_refused_as_its_text_would_be(target, number):
    before = _stored(target, J2)
    status, answer = post_score(target.url, target.tokens[J2], _raw_score(target, number))
    assert status == 400 and answer["ok"] is False
    assert answer["error"].endswith(".") and "Traceback" not in answer["error"]
    assert _stored(target, J2) == before == []


def test_a_json_number_on_the_grid_is_stored_as_written(target):
    status, answer = post_score(target.url, target.tokens[J1], _raw_score(target, "7.50"))
    assert (status, answer["total"]) == (200, "7.50")
    assert [str(s.values["Score"]) for s in _stored(target, J1)] == ["7.5"]
