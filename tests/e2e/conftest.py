"""End-to-end fixtures: the whole stack as `make run` starts it, driven by a real Chromium.

Each test module gets its own stack (see stack.py): a fresh STAGESCORE_TABLE_PREFIX on the session's
in-memory DynamoDB Local, the demo event, the engine and Streamlit on a free port. The browser is
Debian's chromium driven by Playwright; a failing test leaves a screenshot of every open page in
test-artifacts/, beside the engine's and Streamlit's logs (test-artifacts/logs/).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest

from tests.e2e.stack import ARTIFACTS, Stack, start_stack
from tests.support.browser import PagePool, chromium_missing, launch

# Playwright waits this long (ms) for an element unless told otherwise.
DEFAULT_TIMEOUT_MS = 15_000

_open_browsers: list = []  # for the failure hook, which has no access to fixtures


@pytest.fixture(scope="module")
def stack(dynamodb_endpoint) -> Iterator[Stack]:
    """A fresh stack per test module: demo event in the LOBBY, 3 judges (weights 2, 1, 1), 4 performers."""
    yield from start_stack()


# ---- the browser --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    if problem := chromium_missing():
        pytest.fail(problem, pytrace=False)
    pw = sync_playwright().start()
    b = launch(pw)
    _open_browsers.append(b)
    try:
        yield b
    finally:
        _open_browsers.remove(b)
        b.close()
        pw.stop()


@pytest.fixture(scope="module")
def page_pool(browser) -> Iterator[PagePool]:
    """The module's pages, handed from test to test wiped (tests/support/browser.py)."""
    pool = PagePool(browser, DEFAULT_TIMEOUT_MS)
    yield pool
    pool.close()


@pytest.fixture
def new_page(page_pool) -> Iterator[Callable]:
    """A factory: a page in a context of its own (its own cookies, so its own Streamlit session), wiped
    of whatever an earlier test of the module left in it."""
    pages = []

    def make():
        pages.append(page_pool.take())
        return pages[-1]

    yield make
    for page in pages:
        page_pool.give_back(page)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """When a test fails, save a screenshot of every open page: test-artifacts/<test>-<n>.png."""
    outcome = yield
    rep = outcome.get_result()
    if not rep.failed or rep.when not in ("setup", "call") or not _open_browsers:
        return
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", item.name)
    n = 0
    for b in _open_browsers:
        for ctx in b.contexts:
            for page in ctx.pages:
                if page.url == "about:blank":  # parked in the module's pool
                    continue
                n += 1
                try:
                    page.screenshot(path=str(ARTIFACTS / f"{name}-{n}.png"), full_page=True, timeout=5000)
                except Exception as e:  # a crashed page must not hide the test's own failure
                    rep.sections.append(("screenshot", f"page {n} ({page.url}): {e}"))
