"""/vote over HTTP on a real web server and DynamoDB Local: the light page and its cookie, a code's
window, a vote through the one way in, a retry, a revision, refusals with one sentence."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from types import SimpleNamespace

import httpx2
import pytest

from engine.domain.model import Settings, VoteMode, VoteSettings
from engine.domain.votes import WRONG_CODE
from engine.service.votes import NO_DEVICE
from tests.support.events import open_scoring, seed_event
from tests.support.rounds import run_votes
from tests.support.stack import Stack, web_stack

VOTING = Settings(
    perform_seconds=10, score_seconds=600, votes=VoteSettings(VoteMode.PER_ACT, grace_seconds=30)
)
MARK = {"X-Stagescore": "1"}


@pytest.fixture(scope="module")
def voting(dynamodb_endpoint) -> Iterator[tuple[Stack, str]]:
    """An event scoring its first performer (a long window, no engine), its vote open."""

    def prepare(svc) -> str:
        tokens = seed_event(svc, settings=VOTING)
        state = open_scoring(svc, tokens["admin@test.local"])
        windows = run_votes(svc, SimpleNamespace(now=time.time()))
        return windows[state.performer_id].code

    yield from web_stack("vr", prepare)


def phone(stack: Stack) -> httpx2.Client:
    """A phone that opened the vote page: it holds the page's cookie."""
    client = httpx2.Client(base_url=stack.url, timeout=15, headers={"Accept-Encoding": "br, gzip"})
    page = client.get("/vote")
    assert page.status_code == 200 and page.headers["content-encoding"] == "br"
    assert "HttpOnly" in page.headers["set-cookie"] and "samesite=lax" in page.headers["set-cookie"].lower()
    return client


def test_the_vote_page_is_one_small_request_and_sets_the_phones_cookie_once(voting):
    stack, _ = voting
    client = phone(stack)
    assert len(client.get("/vote").content) < 150_000  # decoded; over the wire a few KB
    wire = httpx2.get(stack.url + "/vote", headers={"Accept-Encoding": "br"})
    assert int(wire.headers["content-length"]) < 10_000
    assert "set-cookie" not in client.get("/vote").headers  # a phone keeps its place in the vote


def test_the_vote_page_carries_its_icon_so_a_browser_asks_for_no_favicon(voting):
    """Without an icon of its own a browser asks for /favicon.ico, which the server answers with
    Streamlit's whole page (100-140 ms each for the bench's Chromium pages; 2,000 phones would each ask)."""
    stack, _ = voting
    page = phone(stack).get("/vote")
    icon = re.search(r'<link rel="icon" href="([^"]+)"', page.text)
    assert icon and icon.group(1).startswith("data:image/svg+xml;base64,"), page.text[:400]
    assert "img-src data:" in page.headers["content-security-policy"]  # or the browser refuses it


def test_a_phone_finds_its_window_votes_retries_and_revises(voting):
    stack, code = voting
    client = phone(stack)
    found = client.get("/vote/window", params={"code": code.lower()})
    assert found.status_code == 200 and found.json()["kind"] == "stars" and "code" not in found.json()
    rid = uuid.uuid4().hex
    first = client.post("/vote", json={"code": code, "value": 4, "request_id": rid}, headers=MARK)
    assert first.json() == {"ok": True, "window": found.json()["window"], "value": 4, "replayed": False}
    again = client.post("/vote", json={"code": code, "value": 4, "request_id": rid}, headers=MARK)
    assert again.json()["replayed"] is True
    revised = client.post(
        "/vote", json={"code": code, "value": 2, "request_id": uuid.uuid4().hex}, headers=MARK
    )
    assert revised.json()["value"] == 2
    svc = stack.service()
    (line,) = [w for w in svc.votes.status().windows if w.key == found.json()["window"]]
    assert line.tally.votes >= 1 and line.tally.stars >= 2


@pytest.mark.parametrize(
    ("body", "headers", "status", "sentence"),
    [
        ({"code": "AAAAA", "value": 3}, MARK, 409, WRONG_CODE),
        ({"value": 9}, MARK, 400, None),
        ({"value": 3}, {}, 403, "Votes are sent from the vote page."),
    ],
)
def test_a_refused_vote_says_why_in_one_sentence(voting, body, headers, status, sentence):
    stack, code = voting
    client = phone(stack)
    sent = {"code": code, "request_id": uuid.uuid4().hex, **body}
    answer = client.post("/vote", json=sent, headers=headers)
    assert answer.status_code == status
    assert answer.json()["ok"] is False and answer.json()["error"].endswith(".")
    if sentence:
        assert answer.json()["error"] == sentence


def test_a_vote_without_the_pages_cookie_is_refused(voting):
    stack, code = voting
    answer = httpx2.post(
        stack.url + "/vote", json={"code": code, "value": 3, "request_id": uuid.uuid4().hex}, headers=MARK
    )
    assert answer.status_code == 403 and answer.json()["error"] == NO_DEVICE


def test_a_huge_vote_body_is_refused_unread(voting):
    stack, _ = voting
    client = phone(stack)
    answer = client.post(
        "/vote", content=b"{" + b" " * 100_000 + b"}", headers={**MARK, "Content-Type": "application/json"}
    )
    assert answer.status_code == 413


def test_the_vote_page_speaks_the_phones_language_and_remembers_a_choice(voting):
    """Accept-Language picks the page's words and its direction; GET /language keeps a choice (a cookie)."""
    stack, _ = voting
    spanish = httpx2.get(stack.url + "/vote", headers={"Accept-Language": "es-ES,es;q=0.9"}).text
    assert '<html lang="es" dir="ltr">' in spanish and "<h1>Voto del público</h1>" in spanish
    assert '"Voting is open.": "La votación está abierta."' in spanish  # the script's words, in the page
    arabic = httpx2.get(stack.url + "/vote", headers={"Accept-Language": "ar"}).text
    assert '<html lang="ar" dir="rtl">' in arabic
    with httpx2.Client(base_url=stack.url, timeout=15, follow_redirects=True) as client:
        chosen = client.get("/language?to=de&next=/vote", headers={"Accept-Language": "es"})
        assert chosen.status_code == 200 and "<h1>Publikumsabstimmung</h1>" in chosen.text
        assert "<h1>Publikumsabstimmung</h1>" in client.get("/vote", headers={"Accept-Language": "es"}).text
