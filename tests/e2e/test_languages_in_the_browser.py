"""Languages in a real Chromium (README, Languages): Spanish chosen by the browser's Accept-Language, a
switch from the menu that a reload keeps, and the board and the judge screen in Arabic, right to left.

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


def test_spanish_from_the_browser_a_switch_that_stays_and_arabic_right_to_left(stack, browser):
    spanish = new_context(browser, 30_000, locale="es-ES")
    arabic = new_context(browser, 30_000, locale="ar")
    try:
        # Spanish, because the browser asks for it (Accept-Language: es-ES).
        page = open_app(spanish.new_page(), f"{stack.url}/leaderboard")
        expect(page.get_by_role("heading", name="Marcador en directo")).to_be_visible()
        expect(page.locator(".board h2").filter(has_text="Clasificación")).to_be_visible()
        assert document_language(page) == ("es", "ltr")
        assert_healthy(page)

        # The menu: German, remembered in the cookie, so a reload stays German.
        page.locator(LANGUAGE_MENU).select_option("de")
        expect(page.get_by_role("heading", name="Live-Tafel")).to_be_visible()
        page.reload()
        settle(page)
        expect(page.get_by_role("heading", name="Live-Tafel")).to_be_visible()
        expect(page.locator(".board h2").filter(has_text="Rangliste")).to_be_visible()
        assert document_language(page) == ("de", "ltr")
        assert "de" == next(
            c["value"] for c in spanish.cookies() if c["name"].endswith("stagescore_language")
        )

        # Arabic: the board and the judge screen right to left, from the page's first byte on.
        board = open_app(arabic.new_page(), f"{stack.url}/leaderboard?kiosk=1")
        expect(board.locator(".board[data-version]")).to_be_attached()
        assert document_language(board) == ("ar", "rtl")
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
