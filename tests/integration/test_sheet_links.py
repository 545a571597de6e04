"""A performer's private link (GET /sheet/{token}): their own sheet only, and nothing before official."""

from __future__ import annotations

import io

import pypdf
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from engine.service.results import NO_LINK, NOT_YET
from tests.support.events import seed_event
from tests.support.rounds import ADMIN, play_round
from ui import sheet_route

SCORES = [{1: "6", 2: "7", 3: "6.5"}, {1: "9", 2: "8.5", 3: "9.5"}, {1: "4", 2: "5", 3: "4.5"}]
COMMENTS = {(0, 1): "First performer: steady.", (1, 2): "Second performer: dazzling."}


@pytest.fixture
def client(svc, monkeypatch) -> TestClient:
    monkeypatch.setattr(sheet_route, "_service", lambda: svc)
    return TestClient(Starlette(routes=sheet_route.ROUTES))


def text_of(pdf: bytes) -> str:
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_each_link_opens_only_its_own_performers_sheet_and_only_once_official(svc, clock, client):
    tokens = seed_event(svc)
    play_round(svc, clock, tokens, SCORES, COMMENTS)
    links = svc.results.create_sheet_links(tokens[ADMIN])
    order = svc.bundle().state.order
    first, second = links[order[0]], links[order[1]]

    early = client.get(f"/sheet/{first}")
    assert (early.status_code, early.text) == (403, NOT_YET)
    assert early.headers["cache-control"] == "no-store"
    german = {"Accept-Language": "de"}
    assert client.get(f"/sheet/{first}", headers=german).text == (
        "Dieser Wertungsbogen öffnet sich, sobald die Ergebnisse offiziell sind."
    )

    svc.results.sign_off(tokens[ADMIN])
    one = client.get(f"/sheet/{first}")
    assert one.status_code == 200 and one.headers["content-type"] == "application/pdf"
    text = text_of(one.content)
    assert "Performer: Performer 1" in text and "First performer: steady." in text
    assert "Performer 2" not in text and "dazzling" not in text
    two = text_of(client.get(f"/sheet/{second}").content)
    assert "Performer: Performer 2" in two and "steady" not in two
    in_german = text_of(client.get(f"/sheet/{first}", headers=german).content)  # the reader's language
    assert (
        "Wertungsbogen" in in_german
        and "Act: Performer 1" in in_german
        and "Offizielles Ergebnis" in in_german
    )
    in_arabic = text_of(client.get(f"/sheet/{first}", headers={"Accept-Language": "ar"}).content)
    assert "ورقة الدرجات" in in_arabic and "النتائج الرسمية" in in_arabic and "Score sheet" not in in_arabic
    assert "Performer 1" in in_arabic and "First performer: steady." in in_arabic  # user data as typed


@pytest.mark.parametrize("forged", ["x" * 43, "short", "A" * 300, "..%2F..%2Fetc%2Fpasswd"])
def test_a_forged_link_gets_one_sentence_and_no_sheet(svc, clock, client, forged):
    tokens = seed_event(svc)
    play_round(svc, clock, tokens, SCORES)
    svc.results.create_sheet_links(tokens[ADMIN])
    svc.results.sign_off(tokens[ADMIN])
    answer = client.get(f"/sheet/{forged}")
    assert (answer.status_code, answer.text) == (404, NO_LINK)


def test_a_new_link_replaces_the_old_one_and_no_token_reaches_the_log(svc, clock, client):
    tokens = seed_event(svc)
    play_round(svc, clock, tokens, SCORES)
    old = svc.results.create_sheet_links(tokens[ADMIN])
    new = svc.results.create_sheet_links(tokens[ADMIN])
    svc.results.sign_off(tokens[ADMIN])
    pid = svc.bundle().state.order[0]
    assert client.get(f"/sheet/{old[pid]}").status_code == 404
    assert client.get(f"/sheet/{new[pid]}").status_code == 200
    logged = repr([e.data for e in svc.log.entries()])
    assert not any(t in logged for t in [*old.values(), *new.values()])
    assert [e.kind for e in svc.log.entries()].count("sheet_links_created") == 2


def test_only_an_admin_creates_links(svc, clock):
    tokens = seed_event(svc)
    with pytest.raises(Exception, match="admin"):
        svc.results.create_sheet_links(tokens["judge1@test.local"])
    assert svc.store.results.has_sheet_links(svc.event_id()) == set()
