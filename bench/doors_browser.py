"""The real-Chromium half of bench/doors.py: the files a first visit to the board fetches (the simulated
phones fetch the same list), a few real board pages timed beside the simulated crowd, and the judge's
first load over an emulated venue link (Chrome DevTools Protocol: Network.emulateNetworkConditions)."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from tests.support import browser as chromium

# The venue link of issue 22: 150 ms latency, 1.6 Mbit/s down, 750 kbit/s up (bytes per second here).
VENUE = {
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1_600_000 / 8,
    "uploadThroughput": 750_000 / 8,
}
BOARD = ".board[data-version]"  # drawn from the stream's first document (ui/components/board.js)
SCORE_FIELD = "input.value"  # ui/components/judge_view.js: one per criterion

# The same moment by the page's own clock (performance.now(), from navigation), looked for on every frame
# (inside the components' shadow roots too). Playwright's wait_for looks at 0, 20, 70, 170 and 270 ms, then
# every 500 ms: its seconds are late by up to half a second, this figure is not.
WATCH = """(() => {
  const seen = (window.__seen = {});
  const find = (root, sel) => {
    const hit = root.querySelector(sel);
    if (hit) return hit;
    for (const n of root.querySelectorAll("*")) {
      const f = n.shadowRoot && find(n.shadowRoot, sel);
      if (f) return f;
    }
    return null;
  };
  const look = () => {
    const field = document.body && find(document, "input.value");
    if (field && field.getBoundingClientRect().height > 0) { seen.score_field = performance.now(); return; }
    requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
})();"""


def first_load_files(playwright, url: str) -> list[str]:
    """Paths of the same-origin GETs a fresh Chromium makes for /leaderboard until the board is drawn,
    the page itself, the websocket and the stream left out (the phones make those themselves)."""
    browser = chromium.launch(playwright)
    try:
        page = chromium.new_context(browser, 60_000).new_page()
        seen: list[str] = []
        origin = urlsplit(url).netloc
        page.on("request", lambda r: seen.append(r.url) if r.method == "GET" else None)
        page.goto(url + "/leaderboard")
        page.locator(BOARD).wait_for(state="attached")
        page.wait_for_load_state("networkidle")
    finally:
        browser.close()
    paths = []
    for u in seen:
        parts = urlsplit(u)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if parts.netloc == origin and not path.startswith(("/_stcore/stream", "/live/", "/leaderboard")):
            paths.append(path)
    return list(dict.fromkeys(paths))


def board_pages(playwright, url: str, n: int, within: float) -> list[dict]:
    """n real board pages opened one after another over `within` seconds, each in a context of its
    own: seconds from navigation to the board drawn from its first document."""
    browser = chromium.launch(playwright, chromium.NO_THROTTLING_ARGS)
    out = []
    try:
        for i in range(n):
            ctx = chromium.new_context(browser, 180_000, ignore_https_errors=True)
            page = ctx.new_page()
            t0 = time.time()
            try:
                page.goto(url + "/leaderboard", wait_until="commit")
                page.locator(BOARD).wait_for(state="attached")
                out.append({"ready": round(time.time() - t0, 3), "error": None})
            except Exception as e:  # a page that never drew its board counts as failed
                out.append({"ready": None, "error": f"{type(e).__name__}: {e}"[:200]})
            ctx.close()
            time.sleep(max(0.0, within / max(1, n - 1) - (time.time() - t0)) if i < n - 1 else 0)
    finally:
        browser.close()
    return out


def _frame(event: dict) -> int:
    """A websocket frame's size: CDP gives a binary frame's payload in base64."""
    frame = event["response"]
    payload = frame.get("payloadData", "")
    return len(payload) * 3 // 4 if frame.get("opcode") == 2 else len(payload)


def judge_first_load(playwright, url: str, cookie: tuple[str, str], link: dict = VENUE) -> dict:
    """The judge's page over `link`, cold (an empty cache) then warm (the same browser, reloaded):
    seconds from navigation to a score field on screen, bytes over the wire and requests of each."""
    browser = chromium.launch(playwright)
    try:
        ctx = chromium.new_context(browser, 120_000, viewport=chromium.PHONE, ignore_https_errors=True)
        ctx.add_cookies([{"name": cookie[0], "value": cookie[1], "url": url}])
        page = ctx.new_page()
        page.add_init_script(WATCH)
        cdp = ctx.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", link)
        tally = {"bytes": 0, "requests": 0, "ws_bytes": 0}
        cdp.on("Network.requestWillBeSent", lambda e: tally.__setitem__("requests", tally["requests"] + 1))
        cdp.on(
            "Network.loadingFinished",
            lambda e: tally.__setitem__("bytes", tally["bytes"] + int(e.get("encodedDataLength", 0))),
        )
        cdp.on(
            "Network.webSocketFrameReceived",
            lambda e: tally.__setitem__("ws_bytes", tally["ws_bytes"] + _frame(e)),
        )
        runs = {}
        for name in ("cold", "warm"):
            for k in tally:
                tally[k] = 0
            t0 = time.time()
            page.goto(url + "/judge", wait_until="commit")
            page.locator(SCORE_FIELD).first.wait_for(state="visible")
            took = time.time() - t0
            page.wait_for_timeout(1500)  # what is still arriving once the field is there (chunks, fonts)
            seen = page.evaluate("window.__seen.score_field")
            runs[name] = {
                "seconds_to_score_field": round(took, 2),
                "score_field_by_page_clock_s": round(seen / 1000, 2) if seen else None,
                "kb_over_the_wire": round(tally["bytes"] / 1000, 1),
                "requests": tally["requests"],
                "websocket_kb_received": round(tally["ws_bytes"] / 1000, 1),
            }
        return runs
    finally:
        browser.close()
