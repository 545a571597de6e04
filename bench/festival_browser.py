"""The real-Chromium half of bench/festival.py's live part: on each stage, one board page
(`/leaderboard?stage=ID`, bench/browser.py's observer recording, in the page's own clock, every render that
changed the state version or the scores shown) and one judge screen (`/judge`, the judge's session cookie:
the screen follows the stage the account is assigned to) that scores every window as a judge does: it
types a value and taps "Submit score" at its planned moment of the window; the tap → the acknowledgement
on screen is timed in the page (bench/chromium_judges.py's IN_PAGE_ACK), the window flip is the screen's
own data-flipped-at (when it opened the form)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from bench.browser import OBSERVER_JS
from bench.chromium_judges import IN_PAGE_ACK
from bench.drivers import devices
from tests.support.browser import CHROMIUM_ARGS, NO_THROTTLING_ARGS, PHONE, VIEWPORT

# (window_id, started at, deadline) of the stage's scoring window open now, or None (from a stream).
WindowOf = Callable[[], tuple[int, float, float] | None]


class StageScreens:
    """One board page and, if a judge is given, one judge screen, in contexts of their own."""

    def __init__(self, browser, url: str, stage: str, judge: tuple[str, str, str] | None, at: float):
        """`judge`: (cookie name, session token, email) of the judge the screen belongs to; `at`: the
        fraction of each scoring window at which it taps Submit."""
        self.browser, self.url, self.stage, self.judge, self.at = browser, url, stage, judge, at
        self.board = None
        self.screen = None
        self.windows: list[dict] = []  # per scoring window: window_id, started, flipped_at, ack seconds
        self.errors: list[str] = []
        self._task: asyncio.Task | None = None

    async def open(self) -> None:
        ctx = await self.browser.new_context(viewport=VIEWPORT)
        ctx.set_default_timeout(180_000)
        self.board = await ctx.new_page()
        await self.board.goto(f"{self.url}/leaderboard?stage={self.stage}", wait_until="domcontentloaded")
        root = self.board.locator(".board[data-version]")
        await root.wait_for(state="attached")
        await self.board.evaluate(OBSERVER_JS, await root.element_handle())
        if self.judge:
            name, token, _ = self.judge
            jctx = await self.browser.new_context(viewport=PHONE)
            jctx.set_default_timeout(180_000)
            await jctx.add_cookies([{"name": name, "value": token, "url": self.url, "httpOnly": True}])
            self.screen = await jctx.new_page()
            await self.screen.goto(self.url + "/judge")
            await self.screen.wait_for_selector(".judge .phase:not(:text('Connecting…'))")

    def start_scoring(self, window_of: WindowOf) -> None:
        if self.screen is not None:
            self._task = asyncio.create_task(self._score(window_of))

    async def _score(self, window_of: WindowOf) -> None:
        screen = self.screen.locator(".judge")
        while True:
            try:
                await self.screen.locator(".judge[data-open='true']").wait_for(
                    timeout=0
                )  # the doors may take long
                flipped = await screen.get_attribute("data-flipped-at")
                now = window_of()
                if now is None:  # the stream has not shown the window yet: its own doc decides
                    await asyncio.sleep(0.05)
                    now = window_of()
                window_id, started, deadline = now or (None, time.time(), time.time())
                await asyncio.sleep(max(0.0, started + (deadline - started) * self.at - time.time()))
                await screen.locator('input.value[aria-label^="Score"]').fill("7")
                await screen.evaluate(IN_PAGE_ACK)
                await screen.get_by_role("button", name="Submit score").click()
                await screen.locator(".ack", has_text="(revision 1)").wait_for()
                ack = await screen.evaluate("() => (window.__ack - window.__tap) / 1000")
                self.windows.append(
                    {"window_id": window_id, "started": started,
                     "flipped_at": int(flipped) / 1000 if flipped else None, "ack": ack}
                )  # fmt: skip
                await self.screen.locator(".judge[data-open='false']").wait_for(timeout=0)
            except asyncio.CancelledError:
                raise
            except Exception as e:  # reported; the screen tries the next window
                self.errors.append(f"{type(e).__name__}: {e}"[:300])
                await asyncio.sleep(0.5)

    async def state(self) -> str:
        """What the judge screen shows now (for a report when it scored no window)."""
        if self.screen is None:
            return ""
        root = self.screen.locator(".judge")
        text = (await root.inner_text(timeout=5000))[:200].replace("\n", " | ")
        return f"data-open={await root.get_attribute('data-open', timeout=5000)}: {text}"

    async def observations(self) -> list[tuple[float, int, int]]:
        """(seen at, epoch s; state version; scores shown) of the board page."""
        return [(t / 1000.0, int(v), int(n)) for t, v, n in await self.board.evaluate("window.__bench || []")]

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()


async def launch(pw):
    exe = devices.chromium()  # at the clients' priority, as the venue's own screens and phones
    return await pw.chromium.launch(executable_path=exe, args=[*CHROMIUM_ARGS, *NO_THROTTLING_ARGS])
