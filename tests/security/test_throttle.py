"""Password guessing against a running server: a good login between guesses does not wipe them,
X-Forwarded-For is believed only from STAGESCORE_TRUSTED_PROXIES, and a disabled account's right password
is answered as a wrong one."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlparse

import pytest

from engine.domain import throttle
from engine.service.logins import WRONG
from tests.security.conftest import ADMIN, J1, J3, serve
from tests.support.events import PASSWORD

TOO_MANY = "Too many failed logins"


def login(url: str, email: str, password: str, forwarded: str | None = None) -> str:
    """POST /auth/login as the login page does, without a device cookie; the answer's sentence, or "ok"."""
    u = urlparse(url)
    headers = {"Content-Type": "application/json", "Origin": f"http://{u.netloc}"}
    if forwarded:
        headers["X-Forwarded-For"] = forwarded
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=15)
    try:
        conn.request("POST", "/auth/login", json.dumps({"email": email, "password": password}), headers)
        answer = json.loads(conn.getresponse().read())
    finally:
        conn.close()
    return "ok" if answer.get("ok") else answer["error"]


@pytest.fixture(scope="module")
def proxied(dynamodb_endpoint):
    """A server that believes X-Forwarded-For from 127.0.0.1 (the tests' own address): a proxy there."""
    yield from serve("secp", {"STAGESCORE_TRUSTED_PROXIES": "127.0.0.1"})


def test_good_logins_between_guesses_do_not_wipe_them(proxied):
    """27 wrong admin passwords with 3 good logins of judge1 in between, from one address."""
    client = "198.51.100.10"
    answers = []
    for i in range(30):
        if i % 10 == 9:
            good = login(proxied.url, J1, PASSWORD, client)
            assert good == "ok" or good.startswith(TOO_MANY)  # the client may be waiting by then
        else:
            answers.append(login(proxied.url, ADMIN, "guess-" + str(i), client))
    # Each wait of the delay lets one more through (1 s, then 2 s ...); at full speed all 27 were checked.
    checked = answers.count(WRONG)
    assert checked <= throttle.FREE_FAILURES + 3, answers
    assert sum(a.startswith(TOO_MANY) for a in answers) >= 27 - throttle.FREE_FAILURES - 3


def test_a_trusted_proxy_is_believed_about_its_client(proxied):
    guesser, judge = "198.51.100.20", "198.51.100.21"
    answers = [login(proxied.url, J3, "guess", guesser) for _ in range(throttle.FREE_FAILURES + 2)]
    assert answers[-1].startswith(TOO_MANY)
    assert login(proxied.url, J3, PASSWORD, judge) == "ok"  # another client behind the same proxy


def test_a_disabled_accounts_right_password_is_answered_as_a_wrong_one(proxied):
    svc = proxied.stack.service()
    svc.set_account(proxied.tokens[ADMIN], "judge2@test.local", active=False)
    try:
        wrong = login(proxied.url, "judge2@test.local", "not-the-password", "198.51.100.30")
        right = login(proxied.url, "judge2@test.local", PASSWORD, "198.51.100.31")
    finally:
        svc.set_account(proxied.tokens[ADMIN], "judge2@test.local", active=True)
    assert wrong == right == WRONG


def test_a_forged_forwarded_for_from_an_unconfigured_peer_is_ignored(target):
    """20 wrong passwords from 127.0.0.1, each claiming another address: all one client, throttled."""
    answers = [login(target.url, ADMIN, "guess", f"203.0.113.{i}") for i in range(1, 21)]
    assert answers.count(WRONG) <= throttle.FREE_FAILURES + 1
    assert answers[-1].startswith(TOO_MANY)
