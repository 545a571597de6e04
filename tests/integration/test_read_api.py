"""The read API (/api/v1/…): the public scope carries nothing the public board would not show, a key adds
every score and comment, a revoked key is refused, keys are stored only hashed, requests are rate-limited
and bounded, and the OpenAPI schema describes every route."""

from __future__ import annotations

import json

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from engine.domain import apikeys
from engine.domain.apikeys import Limit
from engine.domain.release import ResultsSettings
from engine.service.apikeys import ApiUseCases
from engine.views import exports
from engine.views.on_air import state_doc
from tests.support.commands import shell
from tests.support.events import seed_event
from tests.support.rounds import ADMIN, close_window, judge, open_scoring, play_round
from ui.api import limits, openapi
from ui.api import routes as api_routes
from ui.onair import state as state_routes

SCORES = [{1: "6", 2: "7", 3: "6.5"}, {1: "9", 2: "8.5", 3: "9.5"}]
COMMENTS = {(0, 1): "Steady, a little shy.", (1, 2): "Dazzling footwork."}
HELD = "7.3"  # the held-back performer's score: seen by nobody public until the window closes


@pytest.fixture
def client(svc, monkeypatch) -> TestClient:
    monkeypatch.setattr(api_routes, "_api", lambda: ApiUseCases(svc))
    monkeypatch.setattr(api_routes, "CACHE_SECONDS", 0.0)  # each request reads afresh: the test moves on
    monkeypatch.setattr(api_routes, "_buckets", limits.Buckets())
    return TestClient(Starlette(routes=api_routes.routes()))


def bearer(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def board(svc) -> dict:
    """What the public board shows now (the board export, built from the live feed's public document)."""
    return exports.public_board(svc.snapshot(), svc.clock())


def mid_round(svc, clock) -> dict[str, str]:
    """Two performers scored, the third being scored (two judges in, HELD among them)."""
    tokens = seed_event(svc)
    for i, by_judge in enumerate(SCORES):
        state = open_scoring(svc, clock)
        for j, value in by_judge.items():
            svc.submit_score(
                tokens[judge(j)], state.performer_id, {"Score": value}, comment=COMMENTS.get((i, j))
            )
        close_window(svc, clock)
    state = open_scoring(svc, clock)
    for j, value in ((1, HELD), (2, "8")):
        svc.submit_score(tokens[judge(j)], state.performer_id, {"Score": value}, comment="Held-back note.")
    return tokens


def test_the_public_scope_shows_what_the_board_shows_and_nothing_of_the_performer_being_scored(
    svc, clock, client
):
    tokens = mid_round(svc, clock)
    answer = client.get("/api/v1/results")
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-cache"
    doc = answer.json()
    shown = board(svc)
    assert doc["scope"] == "public" and "private" not in doc
    assert doc["held_back"] == shown["held_back"] == "Performer 3"
    for field in ("ranking", "revealed", "podiums", "results_status", "results_label", "judge_names"):
        assert doc[field] == shown[field], field
    text = answer.text
    for secret in (
        f'"{HELD}',
        '"7.65',
        "Held-back note.",
        "Steady, a little shy.",
        "@test.local",
        "performer_id",
    ):
        assert secret not in text, secret
    held_row = next(r for r in doc["ranking"] if r["performer"] == "Performer 3")
    assert held_row["held"] is True and held_row["scores_in"] == 0 and held_row["total"] == "—"
    event = client.get("/api/v1/event").json()
    assert (event["phase"], event["performer"]) == ("SCORING", "Performer 3")
    assert f'"{HELD}' not in json.dumps(event) and "@test.local" not in json.dumps(event)

    key = ApiUseCases(svc).create_key(tokens[ADMIN], "Results service")[1]
    private = client.get("/api/v1/results", headers=bearer(key))
    assert private.status_code == 200 and private.headers["cache-control"] == "no-store"
    scores = private.json()["private"]["scores"]
    held = [s for s in scores if s["performer"] == "Performer 3"]
    assert sorted(s["values"]["Score"] for s in held) == [HELD, "8"]
    assert {s["comment"] for s in scores} >= {
        "Held-back note.",
        "Steady, a little shy.",
        "Dazzling footwork.",
    }
    assert private.json()["ranking"] == doc["ranking"]  # the board's part is the board's, key or not

    close_window(
        svc, clock
    )  # the window closes: now the board shows the third performer, and so does the API
    after = client.get("/api/v1/results").json()
    assert after["ranking"] == board(svc)["ranking"] and after["held_back"] is None
    assert any(r["performer"] == "Performer 3" and r["total"] is not None for r in after["ranking"])


def test_results_hidden_until_revealed_stay_hidden_in_the_api(svc, clock, client):
    tokens = seed_event(svc, performers=2)
    svc.results.save_results_settings(tokens[ADMIN], ResultsSettings(hide_until_revealed=True))
    play_round(svc, clock, tokens, SCORES, COMMENTS)
    svc.results.sign_off(tokens[ADMIN])
    doc = client.get("/api/v1/results").json()
    assert doc["ranking"] == [] and doc["podiums"] == board(svc)["podiums"]
    assert doc["results_message"] == board(svc)["results_message"] and doc["results_message"]
    assert "Performer 1" not in json.dumps(doc["ranking"] + doc["revealed"] + doc["podiums"])
    svc.results.reveal_next(tokens[ADMIN])
    doc = client.get("/api/v1/results").json()
    assert (
        [r["performer"] for r in doc["ranking"]]
        == ["Performer 1"]
        == [r["performer"] for r in board(svc)["ranking"]]
    )


def test_a_revoked_key_is_refused_and_keys_are_stored_only_hashed(svc, clock, client):
    tokens = seed_event(svc)
    api = ApiUseCases(svc)
    made, key = api.create_key(tokens[ADMIN], "Scoreboard vendor")
    assert key.startswith(f"ssk_{made.key_id}_") and len(key) == 56
    stored = svc.store.client.call("scan", TableName=svc.store.tables.logins)["Items"]
    assert key not in json.dumps(stored) and apikeys.key_hash(key) in json.dumps(stored)
    assert client.get("/api/v1/results", headers=bearer(key)).json()["scope"] == "private"
    assert [k.key_id for k in api.keys(tokens[ADMIN]) if k.active] == [made.key_id]

    api.revoke_key(tokens[ADMIN], made.key_id)
    refused = client.get("/api/v1/results", headers=bearer(key))
    assert refused.status_code == 401 and refused.json() == {"error": apikeys.NOT_VALID}
    assert refused.headers["www-authenticate"] == "Bearer"
    with pytest.raises(Exception, match="revoked already"):
        api.revoke_key(tokens[ADMIN], made.key_id)
    forged = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    assert client.get("/api/v1/event", headers=bearer(forged)).status_code == 401
    with pytest.raises(Exception, match="Only an admin can do that."):
        api.create_key(tokens[judge(1)], "A judge's own key")
    kinds = [e.kind for e in svc.store.log.entries(svc.event_id())[0]]
    assert "api_key_created" in kinds and "api_key_revoked" in kinds


def test_a_key_goes_in_the_header_never_the_address_and_requests_are_bounded(svc, client):
    seed_event(svc)
    for name in ("key", "api_key", "token"):
        answer = client.get(f"/api/v1/results?{name}=ssk_00000000_x")
        assert (answer.status_code, answer.json()["error"]) == (400, apikeys.IN_ADDRESS)
    assert client.get("/api/v1/event", headers={"Authorization": "Basic abc"}).status_code == 401
    assert client.request("GET", "/api/v1/event", content=b"x" * 10).status_code == 413
    assert client.get("/api/v1/event?stage=" + "s" * 40).json()["error"] == "The parameter stage is too long."
    unknown = client.get("/api/v1/event?stage=nowhere")
    assert unknown.status_code == 404 and "nowhere" in unknown.json()["error"]
    not_a_round = client.get("/api/v1/results?event=ev-19990101-000000-abcd")
    assert not_a_round.status_code == 404 and "no round" in not_a_round.json()["error"]


def test_requests_past_the_limit_get_429_with_a_sentence_per_address_and_per_key(svc, client, monkeypatch):
    tokens = seed_event(svc)
    monkeypatch.setattr(limits, "PUBLIC", Limit(per_minute=6, burst=3))
    monkeypatch.setattr(limits, "KEYED", Limit(per_minute=6, burst=5))
    monkeypatch.setattr(limits, "FAILED_KEYS", Limit(per_minute=6, burst=2))
    assert [client.get("/api/v1/event").status_code for _ in range(3)] == [200] * 3
    refused = client.get("/api/v1/event")
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert refused.json()["error"].startswith("Too many requests from this address; try again in ")
    key = ApiUseCases(svc).create_key(tokens[ADMIN], "Poller")[1]
    assert [client.get("/api/v1/event", headers=bearer(key)).status_code for _ in range(5)] == [200] * 5
    keyed = client.get("/api/v1/event", headers=bearer(key))
    assert keyed.status_code == 429 and "from this API key" in keyed.json()["error"]
    wrong = "ssk_0badc0de_" + "A" * 43
    assert [client.get("/api/v1/event", headers=bearer(wrong)).status_code for _ in range(3)] == [
        401,
        401,
        429,
    ]


def test_the_schema_describes_every_route_and_each_answer_has_its_required_fields(svc, clock, client):
    tokens = mid_round(svc, clock)
    key = ApiUseCases(svc).create_key(tokens[ADMIN], "Schema check")[1]
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.") and schema == openapi.schema()
    on_air = {r.path for r in state_routes.routes()}  # /api/v1/state and its stream (ui/onair/state.py)
    assert set(schema["paths"]) == {r.path for r in api_routes.routes()} | on_air
    for path, item in schema["paths"].items():
        if path in on_air:  # served from the live feed (ui/onair/state.py): its document's fields here
            assert set(state_doc(board(svc), clock.now)) == set(
                schema["components"]["schemas"]["State"]["properties"]
            )
            continue
        ref = item["get"]["responses"]["200"].get("content", {}).get("application/json", {}).get("schema")
        if ref is None:
            continue
        wanted = schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]
        for headers in ({}, bearer(key)):
            doc = client.get(path, headers=headers).json()
            assert set(wanted["required"]) <= set(doc), (path, set(wanted["required"]) - set(doc))
            assert set(doc) <= set(wanted["properties"]), (path, set(doc) - set(wanted["properties"]))


def test_api_keys_from_the_shell_create_list_and_revoke(svc, client):
    seed_event(svc)
    made = shell("api-key", "create", "Federation results")
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip().splitlines()[-1]
    key_id = apikeys.parse(key)
    assert client.get("/api/v1/results", headers=bearer(key)).json()["scope"] == "private"
    gone = shell("api-key", "revoke", key_id)
    assert gone.returncode == 0 and f"Revoked API key {key_id}" in gone.stdout
    listed = json.loads(shell("api-key", "list", "--json").stdout)
    assert [(k["key_id"], k["name"], k["created_by"], k["revoked_by"]) for k in listed] == [
        (key_id, "Federation results", "operator", "operator")
    ]
    assert (
        key not in json.dumps(listed) and client.get("/api/v1/event", headers=bearer(key)).status_code == 401
    )
    again = shell("api-key", "revoke", key_id)
    assert (
        again.returncode == 2
        and again.stderr.strip() == f"The API key '{key_id}' (Federation results) is revoked already."
    )
