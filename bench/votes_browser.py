"""The real-Chromium half of bench/votes.py (async Playwright, Debian's Chromium), each page a fresh device
(a context of its own) opening /vote?code=CODE as the kiosk's QR code does, during the phones' surge:

- over the venue link of the doors-open issue (bench/doors_browser.VENUE: 150 ms, 1.6 / 0.75 Mbit/s,
  Chrome DevTools Protocol), cold: seconds from navigation to the code field shown and to the ballot drawn
  (its window found), bytes over the wire and requests; then it votes, its acknowledgement informative;
- unthrottled pages that vote and revise: the tap → "Your vote is counted" on screen, timed in the page,
  beside the simulated phones' acknowledgements.
Each returns the value its last acknowledged vote counted, for the tally check."""

from __future__ import annotations

import asyncio
import time

from bench.doors_browser import VENUE
from bench.drivers import devices
from tests.support.browser import CHROMIUM_ARGS, NO_THROTTLING_ARGS, PHONE

CODE_FIELD = "#code"
STAR = "#choices button[data-value='{}']"
COUNTED = "Your vote is counted"
# Installed before a tap: the tap and the acknowledgement on screen in the page's own clock (ms).
IN_PAGE_ACK = """() => {
  window.__tap = null; window.__ack = null;
  document.getElementById("choices").addEventListener(
    "click", () => { window.__tap = performance.now(); }, {capture: true, once: true});
  const message = document.getElementById("message");
  const seen = new MutationObserver(() => {
    if (window.__tap !== null && message.textContent.startsWith("Your vote is counted")) {
      window.__ack = performance.now();
      seen.disconnect();
    }
  });
  seen.observe(message, {childList: true, characterData: true, subtree: true});
}"""


async def launch(pw):
    exe = devices.chromium()  # at the clients' priority, as a phone's own browser
    return await pw.chromium.launch(executable_path=exe, args=[*CHROMIUM_ARGS, *NO_THROTTLING_ARGS])


async def _tap(page, value: int) -> float:
    """Tap a star; seconds from the tap to the acknowledgement on screen (that star pressed)."""
    await page.evaluate(IN_PAGE_ACK)
    star = page.locator(STAR.format(value))
    await star.click()
    await page.locator("#message", has_text=COUNTED).wait_for()
    await page.locator(STAR.format(value) + "[aria-pressed='true']").wait_for()
    await page.wait_for_function("window.__ack !== null")
    return await page.evaluate("(window.__ack - window.__tap) / 1000")


async def _page(browser, url: str, code: str, link: dict | None):
    ctx = await browser.new_context(viewport=PHONE)
    ctx.set_default_timeout(60_000)
    page = await ctx.new_page()
    tally = {"bytes": 0, "requests": 0}
    if link is not None:
        cdp = await ctx.new_cdp_session(page)
        await cdp.send("Network.enable")
        await cdp.send("Network.emulateNetworkConditions", link)
        cdp.on("Network.requestWillBeSent", lambda e: tally.__setitem__("requests", tally["requests"] + 1))
        cdp.on(
            "Network.loadingFinished",
            lambda e: tally.__setitem__("bytes", tally["bytes"] + int(e.get("encodedDataLength", 0))),
        )
    return ctx, page, tally


async def venue_page(browser, url: str, code: str, value: int) -> dict:
    """A cold load of /vote over the venue link, then a vote."""
    out: dict = {"link": VENUE, "error": None, "last_value": None}
    ctx, page, tally = await _page(browser, url, code, VENUE)
    try:
        t0 = time.time()
        await page.goto(f"{url}/vote?code={code}", wait_until="commit")
        await page.locator(CODE_FIELD).wait_for(state="visible")
        out["seconds_to_code_field"] = round(time.time() - t0, 3)
        await page.locator(STAR.format(value)).wait_for(state="visible")
        out["seconds_to_ballot"] = round(time.time() - t0, 3)
        await page.wait_for_timeout(300)  # anything still arriving
        out["kb_over_the_wire"] = round(tally["bytes"] / 1000, 2)
        out["requests"] = tally["requests"]
        out["ack"] = round(await _tap(page, value), 3)
        out["last_value"] = value
    except Exception as e:  # reported; the figures it has stand
        out["error"] = f"{type(e).__name__}: {e}"[:300]
    finally:
        await ctx.close()
    return out


async def voting_page(browser, url: str, code: str, value: int, revise_to: int, delay: float) -> dict:
    """After `delay` s, a page that votes, then revises 1 s after the acknowledgement."""
    await asyncio.sleep(delay)
    out: dict = {"acks": [], "error": None, "last_value": None}
    ctx, page, _ = await _page(browser, url, code, None)
    try:
        await page.goto(f"{url}/vote?code={code}")
        for v in (value, revise_to):
            await page.locator(STAR.format(v)).wait_for(state="visible")
            out["acks"].append(round(await _tap(page, v), 3))
            out["last_value"] = v
            await asyncio.sleep(1.0)
    except Exception as e:  # reported; the acknowledged votes stand
        out["error"] = f"{type(e).__name__}: {e}"[:300]
    finally:
        await ctx.close()
    return out
