"""Languages in a real Chromium (README, Languages): Spanish chosen by the browser's Accept-Language, a
switch from the app's menu and one from the crowd's board's links that a reload keeps, and the board and
the judge screen in Arabic, right to left.

The event stays in the LOBBY: nothing here is timed (TIMING_FREE)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browsing import assert_healthy, open_app, settle
from tests.support.browser import new_context

pytestmark = pytest.mark.e2e

JUDGE = "judge1@demo.local"
LANGUAGE_MENU = 'select[name="language"]'


def document_language(page: Page) -> tuple[str, str]:
    return tuple(page.evaluate("[document.documentElement.lang, document.documentElement.dir]"))


def _language_cookie(context) -> str:
    return next(c["value"] for c in context.cookies() if c["name"].endswith("stagescore_language"))


def test_spanish_from_the_browser_a_switch_that_stays_and_arabic_right_to_left(stack, browser):
    spanish = new_context(browser, 30_000, locale="es-ES")
    arabic = new_context(browser, 30_000, locale="ar")
    try:
        # Spanish, because the browser asks for it (Accept-Language: es-ES), on the crowd's plain board.
        page = open_app(spanish.new_page(), f"{stack.url}/leaderboard")
        expect(page.get_by_role("heading", name="Marcador en directo")).to_be_visible()
        expect(page.locator(".board h2").filter(has_text="Clasificación")).to_be_visible()
        assert document_language(page) == ("es", "ltr")

        # The app's menu: German, remembered in the cookie, so a reload stays German.
        page = open_app(page, f"{stack.url}/results")
        expect(page.get_by_role("heading", name="Resultados")).to_be_visible()
        assert_healthy(page)
        page.locator(LANGUAGE_MENU).select_option("de")
        expect(page.get_by_role("heading", name="Ergebnisse")).to_be_visible()
        page.reload()
        settle(page)
        expect(page.get_by_role("heading", name="Ergebnisse")).to_be_visible()
        assert document_language(page) == ("de", "ltr")
        assert "de" == _language_cookie(spanish)

        # The board in the chosen language; its own links choose another, which a reload keeps too.
        page = open_app(page, f"{stack.url}/leaderboard")
        expect(page.locator(".board h2").filter(has_text="Rangliste")).to_be_visible()
        page.locator(".languages").get_by_role("link", name="Français").click()
        page.wait_for_url("**/leaderboard")
        expect(page.get_by_role("heading", name="Tableau en direct")).to_be_visible()
        page.reload()
        expect(page.locator(".board h2").filter(has_text="Classement")).to_be_visible()
        assert document_language(page) == ("fr", "ltr") and _language_cookie(spanish) == "fr"

        # Arabic: the board and the judge screen right to left, from the page's first byte on.
        board = open_app(arabic.new_page(), f"{stack.url}/leaderboard?kiosk=1")
        expect(board.locator(".board[data-version]")).to_be_attached()
        assert document_language(board) == ("ar", "rtl")
        crowd = open_app(arabic.new_page(), f"{stack.url}/leaderboard")
        expect(crowd.locator(".board h2").first).to_be_visible()
        assert document_language(crowd) == ("ar", "rtl")
        assert crowd.locator(".board").evaluate("e => getComputedStyle(e).direction") == "rtl"
        judge = open_app(arabic.new_page(), f"{stack.url}/login")
        assert document_language(judge) == ("ar", "rtl")
        judge.locator('input[name="email"]').fill(JUDGE)
        judge.locator('input[name="password"]').fill(stack.password)
        judge.locator("form.login button").click()
        judge.wait_for_url("**/judge")
        settle(judge)
        expect(judge.locator(".judge .phase")).to_be_visible()
        assert document_language(judge) == ("ar", "rtl")
        direction = judge.locator(".judge").evaluate("e => getComputedStyle(e).direction")
        assert direction == "rtl"  # the layout itself mirrors, not only the attribute
        assert_healthy(judge)
    finally:
        spanish.close()
        arabic.close()
