"""The /auth routes through Starlette's TestClient, on DynamoDB Local: cookies, links, logout, bad input."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from engine.domain import accounts
from engine.domain.model import NotAllowed
from tests.support.events import PASSWORD, seed_event
from ui import cookies, routes_auth

JUDGE = "judge1@test.local"
ORIGIN = {"Origin": "http://testserver"}


@pytest.fixture
def web(svc, monkeypatch, table_prefix):
    monkeypatch.setenv("STAGESCORE_TABLE_PREFIX", table_prefix)
    seed_event(svc)
    app = Starlette(routes=routes_auth.routes(lambda: svc))
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        yield client


def _login(web, email=JUDGE, password=PASSWORD, **extra):
    return web.post("/auth/login", json={"email": email, "password": password, **extra}, headers=ORIGIN)


def _set_cookies(response) -> dict[str, str]:
    """Set-Cookie headers by cookie name, as sent (attributes included)."""
    return {h.split("=", 1)[0]: h for h in response.headers.get_list("set-cookie")}


def test_a_login_sets_an_httponly_strict_session_cookie_and_a_device_cookie(web, svc, table_prefix):
    r = _login(web)

    assert r.status_code == 200 and r.json() == {"ok": True, "next": "/judge"}
    set_cookie = _set_cookies(r)
    session = set_cookie[cookies.session_name()]
    assert cookies.session_name().startswith(table_prefix)
    for attribute in ("HttpOnly", "SameSite=strict", "Path=/", "Max-Age=43200"):
        assert attribute.lower() in session.lower()
    assert "secure" not in session.lower()  # plain http here; https is tested with the header below
    assert "httponly" in set_cookie[cookies.device_name()].lower()
    token = web.cookies[cookies.session_name()]
    assert token not in r.text
    assert svc.logins.whoami(token).email == JUDGE
    assert svc.store.sessions.get(accounts.token_hash(token))["email"] == JUDGE


def test_the_cookie_is_secure_behind_https(web):
    r = web.post(
        "/auth/login",
        json={"email": JUDGE, "password": PASSWORD},
        headers={**ORIGIN, "X-Forwarded-Proto": "https"},
    )
    assert "secure" in _set_cookies(r)[cookies.session_name()].lower()


def test_a_deep_link_is_where_the_browser_goes_next_but_never_another_site(web):
    assert _login(web, next="/admin-setup").json()["next"] == "/admin-setup"
    for bad in ("https://evil.example/", "//evil.example/x", "/judge?x=<script>", 42):
        assert _login(web, next=bad).json()["next"] == "/judge"


def test_wrong_password_and_unknown_email_get_the_same_sentence_and_no_cookie(web):
    for email, password in ((JUDGE, "not-the-password"), ("nobody@test.local", PASSWORD)):
        r = _login(web, email, password)
        assert r.json() == {"ok": False, "error": "Wrong email or password."}
        assert cookies.session_name() not in _set_cookies(r)


def test_a_login_from_another_site_is_refused_before_any_check(web, svc):
    r = web.post(
        "/auth/login", json={"email": JUDGE, "password": PASSWORD}, headers={"Origin": "https://evil.example"}
    )
    assert r.status_code == 403 and r.json()["ok"] is False
    assert not r.headers.get_list("set-cookie")
    r = web.post("/auth/login", json={"email": JUDGE, "password": PASSWORD})  # no Origin at all
    assert r.status_code == 403


def test_a_form_post_logs_in_too(web):
    r = web.post("/auth/login", data={"email": JUDGE, "password": PASSWORD}, headers=ORIGIN)
    assert r.json()["ok"] is True


@pytest.mark.parametrize("body", [b"not json", b"[1,2]", b'{"email": 5, "password": []}', b"{}"])
def test_malformed_login_bodies_get_one_sentence(web, body):
    r = web.post("/auth/login", content=body, headers={**ORIGIN, "Content-Type": "application/json"})
    assert r.status_code == 200 and r.json()["ok"] is False and r.json()["error"]
    assert not r.headers.get_list("set-cookie")


def test_logout_ends_the_token_and_clears_the_cookie(web, svc):
    _login(web)
    token = web.cookies[cookies.session_name()]

    r = web.post("/auth/logout", headers=ORIGIN)

    assert r.status_code == 303 and r.headers["location"] == "/"
    assert "max-age=0" in _set_cookies(r)[cookies.session_name()].lower()
    assert svc.store.sessions.get(accounts.token_hash(token)) is None
    with pytest.raises(NotAllowed):
        svc.logins.whoami(token)


def test_another_site_cannot_log_a_judge_out(web, svc):
    _login(web)
    token = web.cookies[cookies.session_name()]
    web.get("/auth/logout", headers={"Sec-Fetch-Site": "cross-site"})
    web.post("/auth/logout", headers={"Origin": "https://evil.example"})
    assert svc.logins.whoami(token).email == JUDGE


def test_a_login_link_page_posts_the_code_and_the_exchange_logs_in(web, svc):
    code = svc.logins.issue_link(None, JUDGE)

    page = web.get(f"/auth/link?code={code}")
    assert page.status_code == 200 and "method=post" in page.text
    assert page.headers["cache-control"] == "no-store" and page.headers["referrer-policy"] == "same-origin"
    assert svc.store.logins.link(accounts.token_hash(code)).get("used_at") is None  # a GET uses nothing

    r = web.post("/auth/link", data={"code": code}, headers=ORIGIN)
    assert r.status_code == 303 and r.headers["location"] == "/judge"
    token = web.cookies[cookies.session_name()]
    assert token not in r.headers["location"] and code not in r.headers["location"]
    assert svc.logins.whoami(token).email == JUDGE


@pytest.mark.parametrize(
    ("mangle", "word"),
    [
        (lambda c: c, "link-used"),  # the second use of a good code
        (lambda c: c[:-3] + "abc", "link-invalid"),  # forged
    ],
)
def test_a_reused_or_forged_link_goes_to_the_login_page_with_one_word(web, svc, mangle, word):
    code = svc.logins.issue_link(None, JUDGE)
    web.post("/auth/link", data={"code": code}, headers=ORIGIN)
    web.cookies.clear()

    r = web.post("/auth/link", data={"code": mangle(code)}, headers=ORIGIN)

    assert r.status_code == 303 and r.headers["location"] == f"/login?error={word}"
    assert not r.headers.get_list("set-cookie")


def test_an_expired_link_is_refused(web, svc, clock):
    code = svc.logins.issue_link(None, JUDGE)
    clock.advance(15 * 60 + 1)
    r = web.post("/auth/link", data={"code": code}, headers=ORIGIN)
    assert r.headers["location"] == "/login?error=link-expired"
    assert svc.store.logins.link(accounts.token_hash(code)).get("used_at") is None  # nothing written


@pytest.mark.parametrize(
    "query", ["", "?code=", "?code=short", "?code=" + "%3Cscript%3E" * 8, "?code=" + "a" * 500]
)
def test_a_malformed_link_goes_to_the_login_page_without_a_database_read(web, query):
    r = web.get("/auth/link" + query)
    assert r.status_code == 303 and r.headers["location"] == "/login?error=link-invalid"
