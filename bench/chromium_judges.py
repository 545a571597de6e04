"""bench/judges.py's simulated judges checked against real ones: 3 judge screens in Chromium beside 3
simulated judges (an open /live/judge stream and POST /live/score, as bench/judges.py drives 50), in the
same scoring windows on one web server process.

Per window each Chromium judge types a value and taps "Submit score" (one after another); the time from
the tap to the screen's "Your score for this performer: … (revision n)", timed in the page, is its
acknowledgement. The simulated
judges' is the POST's answer. The window flip: the window's scheduled start -> the screen opened its form
(the judge component's data-flipped-at) or -> the simulated stream's document. The simulation counts as
faithful when its p50 is within 20 % (or 30 ms) of Chromium's.

    .venv/bin/python -m bench.chromium_judges [--windows 5]
"""

from __future__ import annotations

import argparse
import asyncio
import uuid

from playwright.async_api import async_playwright

from bench import report
from bench.drivers.live import post_score
from bench.judges import Bench, _flips, seed
from bench.stack import BenchStack
from engine.domain.model import CommandKind
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, NO_THROTTLING_ARGS, PHONE
from ui.cookies import SESSION

REAL = [f"j{i:02d}@bench.local" for i in (1, 2, 3)]
# In the page: the tap on "Submit score" and the moment the screen shows the acknowledgement.
IN_PAGE_ACK = """(root) => {
  window.__tap = null; window.__ack = null;
  root.querySelector("button.submit").addEventListener(
    "click", () => { window.__tap = performance.now(); }, {capture: true, once: true});
  const ack = root.querySelector(".ack");
  const seen = new MutationObserver(() => {
    if (window.__tap !== null && /\\(revision \\d+\\)/.test(ack.textContent)) {
      window.__ack = performance.now();
      seen.disconnect();
    }
  });
  seen.observe(ack, {childList: true, characterData: true, subtree: true});
}"""
SIMULATED = [f"j{i:02d}@bench.local" for i in (4, 5, 6)]


async def _screens(browser, b: Bench, stack: BenchStack) -> list:
    name = "".join(ch for ch in stack.prefix if ch.isalnum() or ch in "-_") + SESSION
    pages = []
    for email in REAL:
        ctx = await browser.new_context(viewport=PHONE)
        ctx.set_default_timeout(30_000)
        await ctx.add_cookies([{"name": name, "value": b.tokens[email], "url": stack.url, "httpOnly": True}])
        page = await ctx.new_page()
        await page.goto(stack.url + "/judge")
        await page.wait_for_selector(".judge .phase:not(:text('Connecting…'))")
        pages.append(page)
    return pages


async def _window(b: Bench, public, pages, revision: int) -> tuple[list, list, list]:
    doc = await b.until_phase(public, "SCORING")
    state = b.svc.bundle().state
    real, simulated, flips = [], [], []
    for page in pages:
        screen = page.locator(".judge")
        await page.locator(".judge[data-open='true']").wait_for()
        flipped = await screen.get_attribute("data-flipped-at")
        if flipped:
            flips.append(int(flipped) / 1000 - doc["window_started_at"])
        await screen.locator('input.value[aria-label^="Score"]').fill("7")
        await screen.evaluate(IN_PAGE_ACK)  # timed in the page: Playwright's own waits are not counted
        await screen.get_by_role("button", name="Submit score").click()
        await screen.locator(".ack", has_text=f"(revision {revision})").wait_for()
        real.append(await screen.evaluate("() => (window.__ack - window.__tap) / 1000"))
    for email in SIMULATED:
        body = {"performer_id": state.performer_id, "window_id": doc["window_id"], "values": {"Score": "7"},
                "request_id": uuid.uuid4().hex}  # fmt: skip
        took, status, answer = await post_score(b.host, b.port, b.cookie[email], body)
        if status != 200:
            raise RuntimeError(f"a simulated submit was answered {status}: {answer}")
        simulated.append(took)
    await b.until_phase(public, "PERFORMING")
    return real, simulated, flips


async def measure(stack: BenchStack, b: Bench, windows: int) -> dict:
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *NO_THROTTLING_ARGS]
        )
        pages = await _screens(browser, b, stack)
        public, _ = await b.open("/live/public")
        streams = [(await b.open("/live/judge", e))[0] for e in SIMULATED]
        b.command(CommandKind.START)
        real, simulated, flips = [], [], []
        for _ in range(windows):
            r, s, f = await _window(b, public, pages, revision=1)
            real, simulated, flips = real + r, simulated + s, flips + f
        await browser.close()
    return {
        "chromium_ack": report.ms_summary(real),
        "simulated_ack": report.ms_summary(simulated),
        "chromium_flip": report.ms_summary(flips),
        "simulated_flip": report.ms_summary(_flips(streams)),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--windows", type=int, default=5)
    a = ap.parse_args()
    with BenchStack("chromejudges") as stack:
        tokens = seed(stack, 6, performers=a.windows + 4)
        stack.start_engine()
        stack.start_web()
        figures = asyncio.run(measure(stack, Bench(stack, tokens), a.windows))
    rows, targets = [], {}
    for what in ("ack", "flip"):
        real, sim = figures[f"chromium_{what}"]["p50_ms"], figures[f"simulated_{what}"]["p50_ms"]
        close = real is not None and sim is not None and abs(sim - real) <= max(30.0, 0.2 * real)
        rows.append([what, real, sim])
        targets[what] = report.target(
            f"simulated {what} p50 within 20 % (or 30 ms) of Chromium's", sim, close
        )
    report.print_table(
        "3 Chromium judges and 3 simulated judges", ["", "Chromium p50 ms", "simulated p50 ms"], rows
    )
    report.emit("chromium_judges", figures, targets)


if __name__ == "__main__":
    main()
