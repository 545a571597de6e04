"""The login page and the gate, from Home.py. The password itself goes to /auth/login (a route, see
tests/integration/test_auth_routes.py); a page only reads the login cookie, which these tests hand to
the gate by replacing ui.cookies.token_from_page (AppTest cannot send a cookie; tests/e2e do, for real).
"""

from __future__ import annotations

import pytest

from engine.domain import devices
from engine.domain.model import Role
from tests.app.helpers import ADMIN, JUDGE, PASSWORD, open_page, texts
from ui import cookies


@pytest.fixture
def cookie(monkeypatch):
    """cookie(token): the browser sends `token` as its login cookie from now on."""

    def send(token: str | None) -> None:
        monkeypatch.setattr(cookies, "token_from_page", lambda: token)

    return send


def test_the_login_page_shows_the_form_and_nothing_else(svc, tokens, app):
    at = open_page(app(), "pages/login.py")

    assert not at.exception and not at.error and not at.warning
    assert texts(at.title) == ["Log in"]
    assert "session" not in at.session_state


def test_a_judge_with_the_login_cookie_opens_the_judge_page_logged_in(svc, tokens, app, cookie):
    cookie(svc.logins.login(JUDGE, PASSWORD).token)

    at = open_page(app(), "pages/judge.py")

    assert not at.exception
    assert texts(at.title) == ["Score"]
    assert "Judging as Judge 1" in texts(at.caption)
    assert at.session_state["session"].email == JUDGE


def test_an_admin_with_the_cookie_opens_a_deep_link_logged_in(svc, tokens, app, cookie):
    cookie(svc.logins.login(ADMIN, PASSWORD).token)

    at = open_page(app(), "pages/admin_setup.py")

    assert not at.exception
    assert at.session_state["session"].role is Role.ADMIN
    assert texts(at.title) == ["Setup"]


def test_protected_page_without_login_goes_to_the_login_and_remembers_the_page(svc, tokens, app):
    at = open_page(app(), "pages/judge.py")

    assert not at.exception
    assert texts(at.title) == ["Log in"]
    assert at.session_state["next_page"].url_path == "judge"  # the form sends the browser back there
    assert not [b for b in at.button if b.label == "Submit score"]


@pytest.mark.parametrize("token", ["forged-token-" + "x" * 30, "a"])
def test_a_forged_cookie_gets_one_sentence_and_the_login_page_and_writes_nothing(
    svc, tokens, app, cookie, token
):
    before = svc.store.client.call("scan", TableName=svc.store.tables.sessions)["Count"]
    cookie(token)

    at = open_page(app(), "pages/judge.py")

    assert texts(at.title) == ["Log in"]
    assert texts(at.warning) == [devices.SESSION_OVER]
    assert "session" not in at.session_state
    assert svc.store.client.call("scan", TableName=svc.store.tables.sessions)["Count"] == before


def test_an_old_phone_after_a_device_swap_is_told_so_on_the_login_page(svc, tokens, app, cookie):
    old = svc.logins.login(JUDGE, PASSWORD).token
    cookie(old)
    at = open_page(app(), "pages/judge.py")
    assert texts(at.title) == ["Score"]

    svc.logins.login_with_link(svc.logins.issue_link(None, JUDGE))  # the new phone
    at = open_page(at, "pages/judge.py")

    assert texts(at.title) == ["Log in"]
    assert texts(at.warning) == [devices.ENDED[devices.SWAPPED]]


@pytest.mark.parametrize(
    ("word", "sentence"),
    [
        ("link-expired", devices.LINK_EXPIRED),
        ("link-used", devices.LINK_USED),
        ("link-invalid", devices.LINK_INVALID),
    ],
)
def test_a_refused_link_shows_its_sentence_on_the_login_page(svc, tokens, app, word, sentence):
    at = app()
    at.query_params["error"] = word
    at = open_page(at, "pages/login.py")
    assert texts(at.warning) == [sentence]


def test_an_unknown_error_word_in_the_address_is_not_shown(svc, tokens, app):
    at = app()
    at.query_params["error"] = "<b>you have been hacked</b>"
    at = open_page(at, "pages/login.py")
    assert not at.warning and not at.error and not at.exception


def test_a_logged_in_user_on_the_login_page_is_offered_their_page(svc, tokens, app, cookie):
    cookie(svc.logins.login(JUDGE, PASSWORD).token)
    at = open_page(app(), "pages/login.py")
    assert texts(at.success) == ["You are logged in as Judge 1."]
