"""The login page, driven through its form as a person would, from Home.py."""

from __future__ import annotations

from engine.accounts import token_hash
from engine.model import Role
from tests.app.helpers import JUDGE, PASSWORD, button, open_page, texts


def log_in(at, email: str, password: str):
    [email_box] = [w for w in at.text_input if w.label == "Email"]
    [password_box] = [w for w in at.text_input if w.label == "Password"]
    email_box.input(email)
    password_box.input(password)
    return button(at, "Log in").click().run()


def test_judge_logs_in_through_the_form_and_lands_on_the_judge_page(svc, tokens, app):
    at = open_page(app(), "pages/login.py")
    assert texts(at.title) == ["Log in"]

    at = log_in(at, JUDGE, PASSWORD)

    assert not at.exception
    assert not at.error
    session = at.session_state["session"]
    assert session.email == JUDGE and session.role is Role.JUDGE
    assert texts(at.title) == ["📝 Score"]
    assert "Judging as Judge 1" in texts(at.caption)


def test_admin_logs_in_and_lands_on_the_control_desk(svc, tokens, app):
    at = log_in(open_page(app(), "pages/login.py"), "admin@test.local", PASSWORD)

    assert not at.exception
    assert at.session_state["session"].role is Role.ADMIN
    assert texts(at.title) == ["🎛️ Control"]


def test_wrong_password_is_refused_with_one_plain_sentence(svc, tokens, app):
    at = log_in(open_page(app(), "pages/login.py"), JUDGE, "not-the-password")

    assert texts(at.error) == ["Wrong email or password."]
    assert "session" not in at.session_state
    assert texts(at.title) == ["Log in"]


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(svc, tokens, app):
    at = log_in(open_page(app(), "pages/login.py"), "nobody@test.local", PASSWORD)

    assert texts(at.error) == ["Wrong email or password."]
    assert "session" not in at.session_state


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(svc, tokens, app):
    at = open_page(app(), "pages/login.py")
    for _ in range(4):
        at = log_in(at, JUDGE, "not-the-password")
        assert texts(at.error) == ["Wrong email or password."]

    at = log_in(at, JUDGE, "not-the-password")
    assert len(at.error) == 1 and "locked" in at.error[0].value

    at = log_in(at, JUDGE, PASSWORD)
    assert len(at.error) == 1 and "locked" in at.error[0].value
    assert "session" not in at.session_state
    assert svc.store.accounts.get(JUDGE).locked_until > 0


def test_protected_page_without_login_goes_to_the_login_then_back_to_that_page(svc, tokens, app):
    at = open_page(app(), "pages/judge.py")

    assert not at.exception
    assert texts(at.title) == ["Log in"]
    assert at.session_state["next_page"].url_path == "judge"  # the judge page object
    assert not [b for b in at.button if b.label == "Submit score"]

    # The browser now shows the login page. AppTest keeps requesting the page last given to
    # switch_page on every run, so say where the user is, as the browser's URL would.
    at = log_in(at.switch_page("pages/login.py"), JUDGE, PASSWORD)
    assert texts(at.title) == ["📝 Score"]


def test_logging_out_from_the_menu_ends_the_session(svc, tokens, app):
    at = log_in(open_page(app(), "pages/login.py"), JUDGE, PASSWORD)
    token = at.session_state["session"].token

    at = button(at, "Log out").click().run()

    assert "session" not in at.session_state
    assert texts(at.title) == ["🎤 Stagescore"]
    assert svc.store.sessions.get(token_hash(token)) is None
