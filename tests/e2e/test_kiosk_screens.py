"""The room's screen (`/leaderboard?kiosk=1`, and `&theme=projector`) fits a projector without scrolling in
every state of the show, at 1920 × 1080 and 1280 × 720: the lobby, a performer on stage (the audience
vote's QR code beside the board's), a scoring window, and the end with an overall podium and one per
category; what does not fit turns pages by itself; the words match the results' state.

A festival of three stages, each held in one state for as long as the test looks: s1 in its lobby, then on
stage (a 10-minute performance), s2 in a 10-minute scoring window, s3 run to its end (every act scored
through the one score path, each window closed by the admin). Nothing is timed (TIMING_FREE).
With STAGESCORE_SCREENSHOTS=DIR the projector's screens at 1920 × 1080 are saved there (README's
docs/screenshots/kiosk-*.png come from `STAGESCORE_SCREENSHOTS=docs/screenshots`).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from engine.domain.model import Command, CommandKind, Phase, VoteMode, VoteSettings
from tests.e2e.browsing import cookie_login, wait_for
from tests.e2e.stack import ARTIFACTS, PASSWORD
from tests.support.browser import new_context
from tests.support.stack import Stack, fresh_prefix

pytestmark = pytest.mark.e2e

SIZES = ((1920, 1080), (1280, 720))
PERFORMERS = 16  # five categories; more rows than a 720-line screen holds
ZBARIMG = "/usr/bin/zbarimg"
# Every box that could scroll, the page's own first: none may hold more than it shows.
OVERFLOW = """() => {
  const out = [];
  const doc = document.scrollingElement || document.documentElement;
  if (doc.scrollHeight > innerHeight) out.push(`document ${doc.scrollHeight} > ${innerHeight}`);
  for (const e of document.querySelectorAll("*")) {
    const s = getComputedStyle(e);
    if (/(auto|scroll)/.test(s.overflowY) && e.scrollHeight > e.clientHeight + 1) {
      out.push(`${e.tagName}.${String(e.className).split(" ")[0]} ${e.scrollHeight} > ${e.clientHeight}`);
    }
  }
  return out;
}"""


def _scored_to_the_end(svc, admin: str) -> None:
    """Every act of the stage scored by its panel (judge7-9) and its window closed by the admin."""
    tokens = {n: svc.logins.login(f"judge{n}@demo.local", PASSWORD).token for n in (7, 8, 9)}
    for index in range(PERFORMERS):

        def scoring(i=index):
            s = svc.bundle().state
            return s.phase is Phase.SCORING and s.index == i and s

        state = wait_for(scoring, 60, f"s3's act {index + 1} to be scored", 0.1)
        for n, token in tokens.items():
            value = Decimal(4) + Decimal(index * 3 % 11) / 2 + Decimal(n - 8) / 2  # a spread of totals
            svc.submit_score(token, state.performer_id, {"Score": str(value)})
        svc.command(admin, Command(CommandKind.CLOSE, window_id=state.window_id))
    wait_for(lambda: svc.bundle().state.phase is Phase.FINISHED, 60, "s3 to finish", 0.2)


@pytest.fixture(scope="module")
def festival(dynamodb_endpoint) -> Iterator[Stack]:
    """s1 in its lobby (an audience vote per act), s2 and s3 set for short performances; s3 run to its end."""
    with Stack(fresh_prefix("e2k"), ARTIFACTS / "logs", password=PASSWORD) as stack:
        stack.cli("init", "--wait", "30")
        stack.cli(
            "demo", "--stages", "3", "--password", PASSWORD, "--perform-seconds", "600",
            "--score-seconds", "600", "--performers", str(PERFORMERS),
        )  # fmt: skip
        for stage in ("s1", "s2", "s3"):
            svc = stack.service().on(stage)
            admin = svc.logins.login("admin@demo.local", PASSWORD).token
            settings = svc.bundle().settings
            if stage == "s1":
                settings = settings.with_changes(votes=VoteSettings(VoteMode.PER_ACT, grace_seconds=60))
            else:
                settings = settings.with_changes(perform_seconds=1.0)
            svc.update_settings(admin, settings)
        stack.start_engine(wait=None)
        stack.start_web()
        s3 = stack.service().on("s3")
        stack.cli("control", "start", "--force", "--stage", "s3")
        _scored_to_the_end(s3, s3.logins.login("admin@demo.local", PASSWORD).token)
        stack.check_alive()
        yield stack


class Screens:
    """The projector (an admin's screen, so with the vote's code) and the light kiosk (anybody's)."""

    def __init__(self, browser, stack: Stack):
        self.stack = stack
        self.contexts = []
        self.projector = self._page(browser, admin=True)
        self.light = self._page(browser, admin=False)

    def _page(self, browser, admin: bool) -> Page:
        ctx = new_context(browser, 30_000, viewport={"width": 1920, "height": 1080})
        self.contexts.append(ctx)
        page = ctx.new_page()
        return cookie_login(page, self.stack, "admin@demo.local") if admin else page

    def open(self, stage: str) -> None:
        self.projector.goto(f"{self.stack.url}/leaderboard?stage={stage}&kiosk=1&theme=projector")
        self.light.goto(f"{self.stack.url}/leaderboard?stage={stage}&kiosk=1")

    def check(self, state: str, phase: str, ready: str = "") -> None:
        """Both screens at both sizes: drawn in `phase` (and the admin's projector with `ready`), fitting
        without a scroll; the projector's at 1920 × 1080 saved when asked."""
        for page in (self.projector, self.light):
            for width, height in SIZES:
                page.set_viewport_size({"width": width, "height": height})
                board = page.locator(f".board[data-fit='{width}x{height}'][data-phase='{phase}']")
                board.wait_for(timeout=30_000)
                if ready and page is self.projector:
                    page.locator(ready).first.wait_for(timeout=30_000)
                page.locator('[data-testid="stImage"] img').first.wait_for()  # the board's QR code
                page.evaluate(
                    "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
                )
                over = page.evaluate(OVERFLOW)
                assert not over, f"{state} at {width} × {height} ({page.url}) scrolls: {over}"
                if (
                    page is self.projector
                    and width == 1920
                    and (where := os.environ.get("STAGESCORE_SCREENSHOTS"))
                ):
                    Path(where).mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(Path(where) / f"kiosk-{state}.png"))

    def close(self) -> None:
        for ctx in self.contexts:
            ctx.close()


def _qr_codes(page: Page, tmp_path: Path) -> list[str]:
    """What a phone reads from each QR code on the screen (zbarimg on a screenshot of each)."""
    found = []
    for n, image in enumerate(page.locator('[data-testid="stImage"] img').all()):
        shot = tmp_path / f"qr-{n}.png"
        image.screenshot(path=str(shot))
        read = subprocess.run([ZBARIMG, "--raw", "-q", str(shot)], capture_output=True, text=True, timeout=30)
        assert read.returncode == 0, f"zbarimg found no QR code in {shot}: {read.stderr.strip()}"
        found.append(read.stdout.strip())
    return found


def test_every_state_of_the_show_fits_the_projector_and_says_what_the_results_are(
    festival, browser, tmp_path
):
    assert shutil.which(ZBARIMG), f"{ZBARIMG} is missing: run `make system` (apt-get install zbar-tools)."
    screens = Screens(browser, festival)
    try:
        screens.open("s1")
        screens.check("lobby", "LOBBY")
        assert _qr_codes(screens.light, tmp_path) == [f"{screens.stack.url}/leaderboard?stage=s1"]

        s1 = festival.service().on("s1")
        festival.cli("control", "start", "--force", "--stage", "s1")
        wait_for(lambda: s1.votes.codes(), 60, "s1's first vote window", 0.2)
        screens.check("on-stage", "PERFORMING", ready="[class*='st-key-kiosk-vote-'] img")
        # The projector opened by an admin shows the vote's QR code first, then the board's.
        code = s1.votes.codes()[0].code
        assert _qr_codes(screens.projector, tmp_path) == [
            f"{festival.url}/vote?code={code}",
            f"{festival.url}/leaderboard?stage=s1",
        ]

        festival.cli("control", "start", "--force", "--stage", "s2")
        screens.open("s2")
        screens.check("scoring", "SCORING")

        screens.open("s3")
        screens.check("finished", "FINISHED")
        for page in (screens.projector, screens.light):
            board = page.locator(".board")
            expect(board.locator("h2.results-label")).to_have_text("Provisional results")
            expect(board.get_by_text("Final results")).to_have_count(0)
            expect(board.locator(".cat-block h3")).to_have_count(5)  # one podium per category
            # More than a 720-line screen holds: the pages turn by themselves.
            pages = int(board.get_attribute("data-pages") or 0)
            assert pages > 1, "the finished show fits one page at 1280 × 720: nothing pages"
            pager = board.locator(".pager")
            expect(pager).to_have_text(re.compile(rf"^Page \d+ of {pages}$"))
            expect(pager).not_to_have_text(pager.inner_text(), timeout=20_000)
    finally:
        screens.close()
