"""The state feed over HTTP, on a real web server and DynamoDB Local: GET /api/v1/state and its stream per
stage, what the streaming operator switches reaching them (and the board) on that stage only, and nothing
in them that the board's own public stream does not carry, while a window is open and after it closes."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from email.message import Message

import pytest

from engine.domain import rules
from engine.domain.model import Role, Settings
from engine.service import on_air
from tests.integration.test_festival_web import ADMIN, J1
from tests.support.events import PASSWORD, open_scoring, two_stages
from tests.support.live import EventStream, post_score
from tests.support.stack import Stack, web_stack
from tests.support.waiting import wait_for

STREAMER = "stream@test.local"
LONG = Settings(perform_seconds=600, score_seconds=600)  # nothing moves unless the test moves it
CLOCK_FIELDS = ("server_time", "remaining_seconds")


@pytest.fixture(scope="module")
def festival(dynamodb_endpoint) -> Iterator[tuple[Stack, dict[str, str]]]:
    """Two stages (s1 scoring its first performer, s2 in its lobby), a streaming operator, a web server."""

    def prepare(svc) -> dict[str, str]:
        tokens = two_stages(svc, LONG)
        svc.add_account(None, STREAMER, "Stream desk", PASSWORD, Role.STREAMING)
        tokens[STREAMER] = svc.logins.login(STREAMER, PASSWORD).token
        open_scoring(svc.on("s1"), tokens[ADMIN])
        return tokens

    yield from web_stack("sf", prepare)


def _next_step(svc) -> None:
    """The stage's next timer transition, written as the engine would at its deadline."""
    b = svc.bundle()
    step = rules.due_steps(b.state, b.settings, b.state.deadline, 0)[0]
    svc.store.events.write_step(b.state.version, step, "test", step.at)


def _get(stack: Stack, path: str) -> tuple[int, Message, dict]:
    try:
        with urllib.request.urlopen(stack.url + path, timeout=10) as resp:
            return resp.status, resp.headers, json.loads(resp.read())
    except urllib.error.HTTPError as e:
        return e.code, e.headers, json.loads(e.read())


def _first(stack: Stack, path: str) -> dict:
    stream = EventStream(stack.url, path)
    try:
        return stream.next_doc()
    finally:
        stream.close()


def _leaves(value, out: set) -> set:
    if isinstance(value, dict):
        for v in value.values():
            _leaves(v, out)
    elif isinstance(value, list):
        for v in value:
            _leaves(v, out)
    elif isinstance(value, str | int | float) and not isinstance(value, bool):
        out.add(json.dumps(value))
    return out


def _same_moment(stack: Stack, stage: str) -> tuple[dict, dict]:
    """The board's public document and the state document of one version of the stage's event."""

    def read():
        board = _first(stack, f"/live/public?stage={stage}")
        state = _first(stack, f"/api/v1/state/stream?stage={stage}")
        return (board, state) if board["version"] == state["version"] else None

    return wait_for(read, 10, "the board and the state feed at one version")


def _nothing_beyond_the_board(board: dict, state: dict) -> None:
    shown = _leaves({k: v for k, v in state.items() if k not in CLOCK_FIELDS}, set())
    extra = shown - _leaves(board, set())
    assert not extra, f"the state feed carries what the board's public stream does not: {extra}"


def test_the_state_of_each_stage_as_json_with_its_stream(festival):
    stack, _ = festival
    status, headers, doc = _get(stack, "/api/v1/state?stage=s1")
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"
    assert (doc["stage"], doc["phase"], doc["performer"]) == (
        {"id": "s1", "name": "Stage 1"},
        "SCORING",
        {"name": "Performer 1", "category": ""},
    )
    assert doc["deadline"] > doc["server_time"]
    assert abs(doc["remaining_seconds"] - (doc["deadline"] - doc["server_time"])) < 0.01
    assert doc["next_up"]["performer"] == "Performer 2"
    assert doc["on_air"] == {
        "elements": {"lower_third": True, "score_card": True, "podium": True, "next_up": True},
        "projector": "board",
    }
    assert doc["showing"] == {"lower_third": True, "score_card": False, "podium": False, "next_up": True}
    two = _get(stack, "/api/v1/state?stage=s2")[2]
    assert (two["stage"]["id"], two["phase"], two["performer"]) == ("s2", "LOBBY", None)
    streamed = _first(stack, "/api/v1/state/stream?stage=s1")
    assert {k: v for k, v in streamed.items() if k not in CLOCK_FIELDS} == {
        k: v for k, v in doc.items() if k not in CLOCK_FIELDS
    }
    status, _, refused = _get(stack, "/api/v1/state?stage=nope")
    assert status == 404 and refused["error"] == "There is no stage 'nope'; the stages are: s1, s2."


def test_while_a_window_is_open_the_state_feed_carries_nothing_of_its_scores(festival):
    stack, tokens = festival
    state = stack.service().on("s1").bundle().state
    body = {
        "performer_id": state.performer_id,
        "window_id": state.window_id,
        "values": {"Score": "6.5"},
        "request_id": uuid.uuid4().hex,
    }
    wait_for(lambda: post_score(stack.url, tokens[J1], body)[0] == 200, 10, "judge1's score to be stored")
    admin = EventStream(stack.url, "/live/admin?stage=s1", tokens[ADMIN])
    try:
        wait_for(lambda: admin.next_doc(timeout=5)["scores_in"] >= 1, 10, "the desk to count the score")
    finally:
        admin.close()
    board, doc = _same_moment(stack, "s1")
    _nothing_beyond_the_board(board, doc)
    assert "6.50" not in json.dumps(doc) and doc["score_card"] is None

    _next_step(stack.service().on("s1"))  # the window closes: Performer 1's total is public
    board, doc = wait_for(
        lambda: (m := _same_moment(stack, "s1"))[1]["performer"]["name"] == "Performer 2" and m,
        10,
        "Performer 2 on stage",
    )
    _nothing_beyond_the_board(board, doc)
    card = doc["score_card"]
    assert (card["performer"], card["total"], card["rank"]) == ("Performer 1", "6.50", 1)
    assert doc["showing"]["score_card"] is True


def test_what_the_operator_switches_reaches_that_stage_s_feed_and_board_only(festival):
    stack, tokens = festival
    svc = stack.service()
    stream = EventStream(stack.url, "/api/v1/state/stream?stage=s1")
    try:
        assert stream.next_doc()["showing"]["lower_third"] is True
        on_air.switch(svc.on("s1"), tokens[STREAMER], {"lower_third": False, "next_up": False}, "podium")
        doc = wait_for(lambda: (d := stream.next_doc(timeout=5))["on_air"]["projector"] == "podium" and d, 5,
                       "the switch on the state stream")  # fmt: skip
    finally:
        stream.close()
    hidden = {"lower_third": False, "score_card": True, "podium": True, "next_up": False}
    assert doc["on_air"]["elements"] == hidden
    assert doc["showing"]["lower_third"] is False and doc["performer"] is not None  # hidden, still known
    assert _first(stack, "/live/public?stage=s1")["on_air"]["projector"] == "podium"  # the kiosk obeys it
    assert _get(stack, "/api/v1/state?stage=s2")[2]["on_air"]["projector"] == "board"
    on_air.switch(svc.on("s1"), tokens[STREAMER], {"lower_third": True, "next_up": True}, "board")


def test_the_operator_s_login_opens_no_desk_no_judge_stream_and_scores_nothing(festival):
    stack, tokens = festival
    for path in ("/live/admin?stage=s1", "/live/judge"):
        stream = EventStream(stack.url, path, tokens[STREAMER])
        try:
            assert stream.status == 401 and stream.body_json()["error"].endswith(".")
        finally:
            stream.close()
    state = stack.service().on("s1").bundle().state
    body = {"performer_id": state.performer_id, "window_id": state.window_id, "values": {"Score": "9"},
            "request_id": uuid.uuid4().hex}  # fmt: skip
    status, answer = post_score(stack.url, tokens[STREAMER], body)
    assert status in (401, 403) and answer["ok"] is False
    assert not [s for s in stack.service().on("s1").store.scores.list(state.event_id) if s.judge == STREAMER]


def test_the_overlays_are_one_small_page_with_a_strict_policy_and_unknown_ones_are_a_404(festival):
    stack, _ = festival
    with urllib.request.urlopen(stack.url + "/overlay/lower-third?stage=s2&key=green", timeout=10) as resp:
        page, policy = resp.read(), resp.headers["Content-Security-Policy"]
    assert b'id="lower_third"' in page and b"api/v1/state/stream" in page and len(page) < 20_000
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy
    request = urllib.request.Request(stack.url + "/overlay/podium", headers={"Accept-Encoding": "br"})
    with urllib.request.urlopen(request, timeout=10) as resp:
        assert resp.headers["Content-Encoding"] == "br" and len(resp.read()) < 6_000
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(stack.url + "/overlay/scores", timeout=10)
    assert missing.value.code == 404 and b"/overlay/lower-third" in missing.value.read()
