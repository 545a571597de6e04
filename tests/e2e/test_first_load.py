"""What a phone downloads on its first visit to a crowd page, in a real Chromium with an empty cache
(README, Doors open): the board within its budget, and on no public page Streamlit's icon font
(MaterialSymbols-Rounded, 375 KB) or the text font's italic face (SourceSansVF-Italic, 138 KB).

A festival (`demo --stages 2`) with both stages running, since that is where the public menu is longest
(it lists "Now on every stage") and a board most often shows a scoring window (its held-back line).
A `:material/…` icon in the public menu (its links have no icon: ui/nav.py), or an italic line on the
board, fetches such a font only when it is drawn; bench/doors.py records a first load at whatever moment
of the show it runs, so the doors figures moved by 138 KB between runs (646.8 → 784.8 KB) with the phase
the board happened to show.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page

from tests.e2e.browsing import assert_healthy, wait_for
from tests.e2e.stack import ARTIFACTS, PASSWORD
from tests.support.browser import new_context
from tests.support.stack import Stack, fresh_prefix

pytestmark = pytest.mark.e2e
# The crowd's board's first load in Chromium (every response's encodedDataLength, headers included; its
# stream not counted): 669-674 KB as a Streamlit page (2026-12-05); as the plain page (ui/board/, 2026-12-08)
# about 9 KB, its one request. The budget leaves room for growth and none for a font or a Streamlit file
# (the smallest Streamlit loads lazily is the italic face, 138 KB).
BOARD_BUDGET_KB = 30
TEXT_FONT = "SourceSansVF-Upright"  # the one font a crowd page needs
MENU = '[data-testid="stSidebar"]'  # the menu: our page links (ui/nav.py), text only
BOARD_MENU = "nav.pages"  # the crowd's board's menu (ui/board/page.html)
# Each public page, and what shows that it has drawn what it will draw (the menu with its icons first).
PUBLIC_PAGES = {
    "/leaderboard?stage=s2": ".board[data-version]",
    "/results": MENU,
    "/schedule": MENU,
    "/now": '[data-testid="stMain"] [data-testid="stPageLink"]',  # a link a stage
    "/login": MENU,
}
# Fonts are asked for at the layout after an element appears: two frames, then whatever they asked for.
FONTS_SETTLED = """async () => {
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  await document.fonts.ready;
}"""


@pytest.fixture(scope="module")
def festival(dynamodb_endpoint) -> Iterator[Stack]:
    """`demo --stages 2`, both stages started (2 s on stage, 6 s to score), one engine, the web server."""
    with Stack(fresh_prefix("e2w"), ARTIFACTS / "logs", password=PASSWORD) as stack:
        stack.cli("init", "--wait", "30")
        stack.cli(
            "demo", "--stages", "2", "--password", PASSWORD, "--perform-seconds", "2",
            "--score-seconds", "6", "--performers", "40",
        )  # fmt: skip
        stack.start_engine(wait=None)
        stack.start_web()
        for stage in ("s1", "s2"):
            stack.cli("control", "start", "--force", "--stage", stage)
        stack.check_alive()
        yield stack


class FirstLoad:
    """A page in a fresh context (an empty cache) and what it fetched: URL -> encoded bytes."""

    def __init__(self, browser, url: str):
        self.ctx = new_context(browser, 30_000)
        self.page: Page = self.ctx.new_page()
        self.fetched: dict[str, int] = {}
        urls: dict[str, str] = {}
        cdp = self.ctx.new_cdp_session(self.page)
        cdp.send("Network.enable")
        cdp.on("Network.requestWillBeSent", lambda e: urls.setdefault(e["requestId"], e["request"]["url"]))

        def finished(e) -> None:
            if e["requestId"] in urls:
                self.fetched[urls[e["requestId"]]] = int(e.get("encodedDataLength", 0))

        cdp.on("Network.loadingFinished", finished)
        self.page.goto(url)

    def settle(self, selector: str) -> None:
        self.page.locator(selector).first.wait_for(state="visible")
        self.page.wait_for_load_state("networkidle")
        self.page.evaluate(FONTS_SETTLED)
        self.page.wait_for_load_state("networkidle")

    def fonts(self) -> list[str]:
        return sorted(u.rsplit("/", 1)[-1] for u in self.fetched if u.endswith((".woff2", ".woff", ".ttf")))

    def kb(self) -> float:
        return sum(self.fetched.values()) / 1000

    def close(self) -> None:
        self.ctx.close()


def scoring(stack: Stack, stage: str, min_left: float):
    def ready():
        s = stack.service().on(stage).bundle().state
        left = s.remaining(time.time())
        return s if s.phase.value == "SCORING" and left and left >= min_left else None

    return wait_for(ready, 60, f"a scoring window on {stage} with {min_left} s left", 0.1)


def test_the_board_in_a_scoring_window_fetches_one_font_and_stays_within_its_budget(festival, browser):
    scoring(festival, "s1", min_left=4.5)
    load = FirstLoad(browser, festival.url + "/leaderboard?stage=s1")
    try:
        load.settle(".board .held-back")  # the line saying whose scores wait for the window to close
        assert_healthy(load.page)
        fonts = load.fonts()
        assert all(f.startswith(TEXT_FONT) for f in fonts), f"a crowd page fetched {fonts}"
        assert load.kb() <= BOARD_BUDGET_KB, f"{load.kb():.1f} KB: " + ", ".join(
            f"{u.rsplit('/', 1)[-1]} {b}" for u, b in sorted(load.fetched.items(), key=lambda x: -x[1])[:8]
        )
    finally:
        load.close()


@pytest.mark.parametrize("path", list(PUBLIC_PAGES))
def test_no_public_page_fetches_the_icon_font_or_the_italic_face(festival, browser, path):
    load = FirstLoad(browser, festival.url + path)
    try:
        load.settle(PUBLIC_PAGES[path])
        menu = BOARD_MENU if path.startswith("/leaderboard") else MENU
        load.page.locator(menu).get_by_text("Now on every stage").wait_for(state="visible")
        load.page.evaluate(FONTS_SETTLED)
        load.page.wait_for_load_state("networkidle")
        assert_healthy(load.page)
        fonts = load.fonts()
        assert all(f.startswith(TEXT_FONT) for f in fonts), f"{path} fetched {fonts}"
    finally:
        load.close()
