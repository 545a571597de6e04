"""Every page through a real browser: direct urls, the login gate, roles, and hostile performer names.

The event stays in the LOBBY here (never more than one judge on a page, three are required)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.browsing import (
    BOARD_TABLE,
    TABLE,
    assert_healthy,
    expect_no_admin_buttons,
    fill_login,
    open_app,
    settle,
)

pytestmark = pytest.mark.e2e

JUDGE = "judge1@demo.local"
ADMIN = "admin@demo.local"
XSS = "<script>window.__pwned=1</script>"

PUBLIC = {"": "Stagescore", "leaderboard": "Live board", "results": "Results", "login": "Log in"}
PROTECTED = {
    "judge": (JUDGE, "Judging as Judge 1"),
    "admin": (ADMIN, "Control"),
    "admin-setup": (ADMIN, "Setup"),
    "admin-scores": (ADMIN, "Scores"),
    "admin-log": (ADMIN, "Log & exports"),
}


@pytest.mark.parametrize("path", list(PUBLIC))
def test_public_page_opens_at_its_own_url(stack, new_page, path):
    page = open_app(new_page(), f"{stack.url}/{path}")
    expect(page.locator("h1, h2, h3").filter(has_text=PUBLIC[path]).first).to_be_visible()
    assert_healthy(page)


@pytest.mark.parametrize("path", list(PROTECTED))
def test_protected_page_url_asks_for_login_then_opens_for_its_role(stack, new_page, path):
    email, marker = PROTECTED[path]
    page = open_app(new_page(), f"{stack.url}/{path}")
    page.wait_for_url("**/login")
    assert_healthy(page)
    fill_login(page, email, stack.password)
    page.wait_for_url(f"**/{path}")
    expect(page.get_by_text(marker).first).to_be_visible()
    settle(page)
    assert_healthy(page)
    expect(page.get_by_text("Not allowed")).to_have_count(0)


def test_wrong_password_is_refused(stack, new_page):
    page = open_app(new_page(), f"{stack.url}/login")
    fill_login(page, "judge3@demo.local", "not-the-password")
    expect(page.get_by_text("Wrong email or password.")).to_be_visible()
    assert page.url.endswith("/login")
    assert_healthy(page)


def test_judge_sent_to_admin_is_not_allowed(stack, new_page):
    page = open_app(new_page(), f"{stack.url}/admin")
    page.wait_for_url("**/login")
    fill_login(page, JUDGE, stack.password)
    page.wait_for_url("**/admin")
    expect(page.get_by_text("Not allowed").first).to_be_visible()
    settle(page)
    assert_healthy(page)
    expect_no_admin_buttons(page)


def test_performer_name_with_markup_shows_as_text(stack, new_page, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(f"name,order,category\n{XSS},1,Hack\nMira Solano,2,Music\n", encoding="utf-8")
    stack.cli("performers", "import", str(roster))
    assert stack.status()["phase"] == "LOBBY"

    for path, table in (
        ("leaderboard", BOARD_TABLE),
        ("leaderboard?kiosk=1", BOARD_TABLE),
        ("results", TABLE),
    ):
        page = open_app(new_page(), f"{stack.url}/{path}")
        # Every cell with the name shows it as text (/results has an overall table and one per category).
        cells = page.locator(table).get_by_text(XSS, exact=True)
        expect(cells.first).to_be_visible()
        for cell in cells.all():
            expect(cell).to_be_visible()
        settle(page)
        assert_healthy(page)
        assert page.evaluate("() => typeof window.__pwned") == "undefined"
        injected = page.evaluate(
            "() => [...document.querySelectorAll('script')].filter(s => s.text.includes('__pwned')).length"
        )
        assert injected == 0
