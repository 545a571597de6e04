"""Debian's Chromium for Playwright, launched the same way by the e2e tests and the benchmarks."""

from __future__ import annotations

import os
from collections.abc import Sequence

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
# A page in a background tab has its timers throttled; a benchmark wants every page "visible".
NO_THROTTLING_ARGS = (
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
)
VIEWPORT = {"width": 1000, "height": 700}
PHONE = {"width": 390, "height": 844}  # a judge's phone
MISSING = f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)."


def chromium_missing() -> str | None:
    """Why Chromium cannot be launched, or None."""
    return None if os.path.exists(CHROMIUM) else MISSING


def launch(playwright, extra_args: Sequence[str] = ()):
    """A headless Chromium browser (Playwright's sync API)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *extra_args])


def new_context(browser, timeout_ms: int, viewport: dict[str, int] | None = None, **options):
    """A context of its own (its own cookies, so its own Streamlit session), waiting `timeout_ms`."""
    ctx = browser.new_context(viewport=viewport or VIEWPORT, **options)
    ctx.set_default_timeout(timeout_ms)
    return ctx


class PagePool:
    """Pages for the tests of one module, each in a context of its own (its own cookies, so its own
    Streamlit session). A page a test is done with is wiped (cookies and permissions of its context, its
    origin's local and session storage, routes, offline, viewport) and parked on about:blank; the next
    test gets it instead of a new context. Its renderer keeps Streamlit's scripts compiled: opening a
    page of the module's stack costs Chromium about 0.6 core-seconds instead of 1.8 in a new context.
    A page the test closed, or whose context holds other pages, is not reused: its context is closed."""

    def __init__(self, browser, timeout_ms: int):
        self.browser, self.timeout_ms = browser, timeout_ms
        self.free: list = []

    def take(self):
        if self.free:
            return self.free.pop()
        return new_context(self.browser, self.timeout_ms).new_page()

    def give_back(self, page) -> None:
        ctx = page.context
        try:
            if page.is_closed() or len(ctx.pages) != 1:
                raise ValueError("not reusable")
            if page.url.startswith("http"):
                page.evaluate("() => { localStorage.clear(); sessionStorage.clear(); }")
            page.unroute_all(behavior="ignoreErrors")
            ctx.unroute_all(behavior="ignoreErrors")
            ctx.set_offline(False)
            ctx.clear_cookies()
            ctx.clear_permissions()
            page.set_viewport_size(VIEWPORT)
            page.set_default_timeout(self.timeout_ms)
            page.goto("about:blank")
        except Exception:  # a page in an unknown state is not handed out again
            ctx.close()
            return
        self.free.append(page)

    def close(self) -> None:
        for page in self.free:
            page.context.close()
        self.free.clear()
