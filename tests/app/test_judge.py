"""The judge page: a gate, then one browser component that follows /live/judge and sends scores to
POST /live/score itself (ui/components/judge.py). Scoring through it, in a real browser against the
real routes, is tests/e2e/test_judge_screen.py; here: what the page sends to the browser, and the help
buttons (Streamlit buttons, which re-run the page on the judge's own click)."""

from __future__ import annotations

from tests.app.helpers import JUDGE, button, component_data, open_page, shown, start, texts
from ui.components.judge import SUBMIT_TIMEOUT_MS

SCREEN = "stagescore_judge_screen"


def test_the_judge_page_mounts_the_live_screen_and_no_streamlit_form(svc, tokens, app):
    start(svc, tokens)
    at = open_page(app(svc.logins.whoami(tokens[JUDGE])), "pages/judge.py")

    assert not at.exception and not at.error
    assert "Judging as Judge 1" in texts(at.caption)
    [screen] = component_data(at, SCREEN)
    assert screen["stream"] == "/live/judge"
    assert screen["score"] == "/live/score"
    assert screen["login"] == "/login"
    assert screen["timeout_ms"] == SUBMIT_TIMEOUT_MS
    assert len(screen["who"]) == 16 and JUDGE not in screen["who"]
    # The form lives in the browser: no Streamlit widget would re-run the page while the judge types.
    assert not at.number_input
    assert "Submit score" not in [b.label for b in at.button]


def test_the_judge_page_sends_no_session_token_to_the_browser(svc, tokens, app):
    at = open_page(app(svc.logins.whoami(tokens[JUDGE])), "pages/judge.py")

    assert tokens[JUDGE] not in shown(at)
    assert not [c for c in at.get("bidi_component") if tokens[JUDGE] in str(c.proto)]


def test_a_judge_calls_the_admin_and_cancels_the_call(svc, tokens, app):
    at = open_page(app(svc.logins.whoami(tokens[JUDGE])), "pages/judge.py")

    at = button(at, "Call the admin").click().run()
    assert not at.exception and not at.error
    assert list(svc.snapshot().flags) == [JUDGE]
    assert texts(at.toast) == ["The admin has been called."]
    assert len(component_data(at, SCREEN)) == 1  # the screen is still there, with the same data

    at = button(at, "Cancel the call").click().run()
    assert svc.snapshot().flags == {}
    assert texts(at.toast) == ["Call cancelled."]
