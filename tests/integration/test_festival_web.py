"""A festival's stages over HTTP, on a real web server and DynamoDB Local: each stage's board and desk
stream, and a judge whose stream and scores follow the stage they are assigned to."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator

import pytest

from engine.domain.model import Phase, Settings
from engine.service.scoring import OTHER_EVENT
from tests.support.events import open_scoring, two_stages
from tests.support.live import EventStream, post_score
from tests.support.stack import Stack, web_stack

ADMIN, J1, J3 = "admin@test.local", "judge1@test.local", "judge3@test.local"
LONG = Settings(perform_seconds=10, score_seconds=600, required_judges=1)


@pytest.fixture(scope="module")
def festival(dynamodb_endpoint) -> Iterator[tuple[Stack, dict[str, str]]]:
    """Two stages, each scoring its first performer (a long window, no engine), and a web server."""

    def prepare(svc) -> dict[str, str]:
        tokens = two_stages(svc, LONG)
        for stage in ("s1", "s2"):
            open_scoring(svc.on(stage), tokens[ADMIN])
        return tokens

    yield from web_stack("fw", prepare)


def _first_doc(stack: Stack, path: str, token: str | None = None) -> dict:
    stream = EventStream(stack.url, path, token)
    try:
        assert stream.status == 200, stream.body_json()
        return stream.next_doc()
    finally:
        stream.close()


def _score(stack: Stack, stage: str) -> dict:
    state = stack.service().on(stage).bundle().state
    assert state.phase is Phase.SCORING
    return {
        "event_id": state.event_id,
        "performer_id": state.performer_id,
        "window_id": state.window_id,
        "values": {"Score": "7"},
        "request_id": uuid.uuid4().hex,
    }


def test_each_stage_has_its_own_board_stream_named_by_the_address(festival):
    stack, _ = festival
    one, two = (_first_doc(stack, f"/live/public?stage={s}") for s in ("s1", "s2"))
    assert one["stage"] == {"id": "s1", "name": "Stage 1"} and two["stage"] == {"id": "s2", "name": "Stage 2"}
    svc = stack.service()
    assert one["event_id"] == svc.on("s1").event_id() != two["event_id"] == svc.on("s2").event_id()
    assert _first_doc(stack, "/live/public")["stage"]["id"] == "s1"  # no stage named: the first one


def test_an_unknown_stage_is_a_404_that_names_the_stages(festival):
    stack, _ = festival
    stream = EventStream(stack.url, "/live/public?stage=nope")
    try:
        assert stream.status == 404
        assert stream.body_json()["error"] == "There is no stage 'nope'; the stages are: s1, s2."
    finally:
        stream.close()


def test_the_admin_desk_follows_the_stage_it_names(festival):
    stack, tokens = festival
    doc = _first_doc(stack, "/live/admin?stage=s2", tokens[ADMIN])
    assert doc["stage"]["id"] == "s2" and doc["event_id"] == stack.service().on("s2").event_id()


def test_a_judge_moved_to_another_stage_follows_it_and_scores_only_there(festival):
    stack, tokens = festival
    token = tokens[J1]
    stream = EventStream(stack.url, "/live/judge", token)
    try:
        assert stream.next_doc()["stage"]["id"] == "s1"
        s1_body = _score(stack, "s1")
        status, answer = post_score(stack.url, token, s1_body)
        assert (status, answer["ok"]) == (200, True), answer
        stack.service().stages.assign(tokens[ADMIN], J1, "s2")
        kind, data = stream.next_event(timeout=10)
        while kind == "doc":
            kind, data = stream.next_event(timeout=10)
        assert (kind, data) == ("moved", '{"stage":"s2"}')
    finally:
        stream.close()
    assert _first_doc(stack, "/live/judge", token)["stage"]["id"] == "s2"
    status, answer = post_score(stack.url, token, {**s1_body, "request_id": uuid.uuid4().hex})
    assert (status, answer["error"]) == (409, OTHER_EVENT)  # same performer and window ids, another event
    status, answer = post_score(stack.url, token, _score(stack, "s2"))
    assert (status, answer["ok"]) == (200, True), answer
    s2 = stack.service().on("s2").snapshot()
    assert J1 in s2.by_performer[s2.state.performer_id]


def test_a_judge_moved_onto_a_stage_whose_board_is_open_is_not_sent_back(festival):
    """The new stage's feed read its accounts before the move (its board was open): the judge's stream there
    stays, instead of saying "moved" back to the stage those older accounts name."""
    stack, tokens = festival
    J2 = "judge2@test.local"
    board = EventStream(stack.url, "/live/public?stage=s2")
    try:
        assert board.next_doc()["stage"]["id"] == "s2"  # s2's feed is running, its accounts read
        stack.service().stages.assign(tokens[ADMIN], J2, "s2")
        stream = EventStream(stack.url, "/live/judge", tokens[J2])
        try:
            seen = []
            deadline = time.monotonic() + 3.0
            while (left := deadline - time.monotonic()) > 0:
                try:
                    seen.append(stream.next_event(timeout=left))
                except TimeoutError:
                    break
                except ConnectionError:
                    seen.append(("closed by the server", ""))
                    break
            kinds = [kind for kind, _ in seen]
            assert "moved" not in kinds and "closed by the server" not in kinds, seen
            docs = [json.loads(data) for kind, data in seen if kind == "doc"]
            assert docs and docs[0]["stage"]["id"] == "s2"
        finally:
            stream.close()
    finally:
        board.close()
