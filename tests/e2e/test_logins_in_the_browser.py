"""Logins that survive, in a real Chromium on a phone-sized page against the real stack: a reload, a deep
link and a web server killed with SIGKILL keep judges and the admin logged in; login links, their refusal,
the device swap; what the login cookie lets JavaScript and the page see (nothing)."""

from __future__ import annotations

import os
import re
import signal
import time
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from engine.domain import accounts, devices
from tests.e2e.browsing import APP, fill_login, open_app, settle
from tests.e2e.conftest import DEFAULT_TIMEOUT_MS
from tests.support.browser import PHONE, new_context
from tests.support.waiting import wait_for

pytestmark = pytest.mark.e2e

JUDGE, ADMIN = "judge1@demo.local", "admin@demo.local"
ON_JUDGE_PAGE = "Judging as Judge 1"


@pytest.fixture
def phone(browser) -> Iterator[Callable[[], BrowserContext]]:
    """A factory: a phone-sized browser of its own (its own cookies)."""
    made: list[BrowserContext] = []

    def make(viewport: dict[str, int] | None = None) -> BrowserContext:
        ctx = new_context(browser, DEFAULT_TIMEOUT_MS, viewport or PHONE, user_agent=_PHONE_AGENT)
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.close()


_PHONE_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Mobile Safari/537.36"
)


def _log_in(ctx: BrowserContext, url: str, email: str, password: str, lands_on: str) -> Page:
    page = open_app(ctx.new_page(), f"{url}/login")
    fill_login(page, email, password)
    page.wait_for_url(f"**/{lands_on}")
    return page


def _session_cookie(ctx: BrowserContext) -> dict:
    [cookie] = [c for c in ctx.cookies() if c["name"].endswith("stagescore_session")]
    return cookie


def _link(stack, email: str = JUDGE) -> str:
    out = stack.cli("judge", "link", email, "--base-url", stack.url).stdout
    return re.search(r"http\S+/auth/link\?code=\S+", out).group(0)


def _on_judge_page(page: Page) -> None:
    expect(page.get_by_text(ON_JUDGE_PAGE).first).to_be_visible(timeout=30_000)
    assert urlsplit(page.url).path == "/judge"


def test_a_judge_who_reloads_is_back_on_the_judge_page_logged_in(stack, phone):
    ctx = phone()
    page = _log_in(ctx, stack.url, JUDGE, stack.password, "judge")
    _on_judge_page(page)
    timings = []
    for _ in range(3):
        started = time.monotonic()
        page.reload()
        _on_judge_page(page)
        timings.append(time.monotonic() - started)
    print(f"\nreload to the judge page, logged in: {', '.join(f'{t:.2f} s' for t in timings)}")
    assert page.get_by_role("button", name="Log in").count() == 0
    assert min(timings) < 5  # the target is < 2 s on an idle machine; the report gives the figures


def test_the_login_cookie_is_httponly_strict_and_invisible_to_the_page(stack, phone):
    ctx = phone()
    page = _log_in(ctx, stack.url, JUDGE, stack.password, "judge")
    _on_judge_page(page)
    cookie = _session_cookie(ctx)

    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert cookie["name"].startswith(stack.prefix)
    token = cookie["value"]
    assert stack.service().logins.whoami(token).email == JUDGE  # it is the real token …
    assert token not in page.evaluate("() => document.cookie")  # … JavaScript cannot read it,
    assert token not in page.content() and token not in page.url  # nor is it in the page or a URL
    assert token not in page.evaluate("() => JSON.stringify(localStorage) + JSON.stringify(sessionStorage)")


def test_the_admin_opens_a_deep_link_from_the_address_bar_logged_in(stack, phone):
    ctx = phone()
    _log_in(ctx, stack.url, ADMIN, stack.password, "admin")
    page = open_app(ctx.new_page(), f"{stack.url}/admin-setup")
    expect(page.locator("h1").filter(has_text="Setup")).to_be_visible()
    assert urlsplit(page.url).path == "/admin-setup"
    judge_tab = open_app(phone().new_page(), f"{stack.url}/admin-setup")  # another browser: no cookie
    judge_tab.wait_for_url("**/login")


def test_a_deep_link_asks_for_the_login_once_then_opens(stack, phone):
    ctx = phone()
    page = open_app(ctx.new_page(), f"{stack.url}/admin-log")
    page.wait_for_url("**/login")
    fill_login(page, ADMIN, stack.password)
    page.wait_for_url("**/admin-log")
    expect(page.locator("h1").filter(has_text="Log & exports")).to_be_visible()


def test_a_killed_and_restarted_web_server_keeps_judge_and_admin_logged_in(stack, phone):
    judge = _log_in(phone(), stack.url, JUDGE, stack.password, "judge")
    admin = _log_in(phone(), stack.url, ADMIN, stack.password, "admin")
    _on_judge_page(judge)
    port = urlsplit(stack.url).port

    os.kill(stack.web.pid, signal.SIGKILL)
    stack.web.wait(10)
    stack.procs.remove(stack.web)
    stack.start_web(port=port)

    # Nobody types: the judge's page reconnects by itself; the admin reloads.
    judge.wait_for_selector(f'{APP}[data-test-connection-state="CONNECTED"]', timeout=60_000)
    _on_judge_page(judge)
    admin.reload()
    expect(admin.get_by_role("button", name="Pause", exact=True)).to_be_visible(timeout=30_000)
    assert judge.get_by_role("button", name="Log in").count() == 0


def test_a_login_link_logs_the_phone_in_and_leaves_the_address_bar(stack, phone):
    link = _link(stack)
    page = phone().new_page()
    page.goto(link)
    page.wait_for_url("**/judge")
    _on_judge_page(page)
    assert "code" not in page.url
    code = link.rsplit("=", 1)[1]
    assert code not in page.content()


def test_a_reused_link_is_refused_with_a_sentence_and_the_login_page(stack, phone):
    link = _link(stack)
    first = phone().new_page()
    first.goto(link)
    first.wait_for_url("**/judge")

    again = phone().new_page()
    again.goto(link)
    again.wait_for_url("**/login?error=link-used")
    expect(again.get_by_text(devices.LINK_USED)).to_be_visible()
    expect(again.get_by_role("button", name="Log in")).to_be_visible()
    assert not [c for c in again.context.cookies() if c["name"].endswith("stagescore_session")]


def test_an_expired_link_is_refused_with_a_sentence(stack, phone):
    code = devices.new_code()
    stack.service().store.logins.put_link(accounts.token_hash(code), JUDGE, time.time() - 1)
    page = phone().new_page()
    page.goto(f"{stack.url}/auth/link?code={code}")
    page.wait_for_url("**/login?error=link-expired")
    expect(page.get_by_text(devices.LINK_EXPIRED)).to_be_visible()


def test_a_forged_link_is_refused_with_a_sentence(stack, phone):
    page = phone().new_page()
    page.goto(f"{stack.url}/auth/link?code={devices.new_code()}")
    page.wait_for_url("**/login?error=link-invalid")
    expect(page.get_by_text(devices.LINK_INVALID)).to_be_visible()


def test_a_device_swap_ends_the_old_phone_and_its_page_says_so(stack, phone):
    old = phone().new_page()
    old.goto(_link(stack, "judge2@demo.local"))
    old.wait_for_url("**/judge")
    expect(old.get_by_text("Judging as Judge 2").first).to_be_visible()

    new = phone().new_page()
    new.goto(_link(stack, "judge2@demo.local"))
    new.wait_for_url("**/judge")
    expect(new.get_by_text("Judging as Judge 2").first).to_be_visible()

    old.reload()
    old.wait_for_url("**/login")
    expect(old.get_by_text(devices.ENDED[devices.SWAPPED])).to_be_visible()
    new.reload()
    expect(new.get_by_text("Judging as Judge 2").first).to_be_visible()


def test_log_out_from_the_menu_ends_the_session_and_the_cookie(stack, phone):
    ctx = phone({"width": 1000, "height": 800})  # the menu is open on a wide screen
    page = _log_in(ctx, stack.url, "judge3@demo.local", stack.password, "judge")
    settle(page)
    token = _session_cookie(ctx)["value"]

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/(welcome)?$"))

    assert not [c for c in ctx.cookies() if c["name"].endswith("stagescore_session")]
    assert stack.service().logins.session_state(token) is not None
    page = open_app(ctx.new_page(), f"{stack.url}/judge")
    page.wait_for_url("**/login")


# Last in this module: it runs the event on, which the tests above do not want.
def test_a_judge_who_reloads_during_a_scoring_window_is_back_on_the_form(stack, phone):
    page = _log_in(phone(), stack.url, JUDGE, stack.password, "judge")
    _on_judge_page(page)
    stack.cli("control", "start", "--force")
    wait_for(lambda: stack.status()["phase"] == "SCORING", 30, "a scoring window", 0.1)
    form = page.locator('[data-testid="stElementContainer"]:not([data-stale="true"])').get_by_role(
        "button", name="Submit score"
    )
    expect(form).to_be_visible(timeout=15_000)

    started = time.monotonic()
    page.reload()
    expect(page.get_by_text(ON_JUDGE_PAGE).first).to_be_visible(timeout=15_000)
    logged_in = time.monotonic() - started
    expect(form).to_be_visible(timeout=15_000)
    took = time.monotonic() - started

    print(
        f"\nreload during a scoring window: logged in on the judge page {logged_in:.2f} s, form {took:.2f} s"
    )
    assert urlsplit(page.url).path == "/judge"
    assert took < 5  # the target is < 2 s; the report gives the figures measured
