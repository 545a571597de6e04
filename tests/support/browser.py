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
