"""Every page a person sees, checked by axe-core (WCAG 2.0, 2.1 and 2.2, levels A and AA) in Chromium at a
phone's size and a desktop's, in English and in Arabic (right to left): no serious or critical violation
(README, Accessibility).

One festival (`demo --stages 2`): stage s1 running with a per-act audience vote open (its first act being
scored in a long window), s2 in its lobby. One browser; a context per person (the public, a judge, the
admin) and a language (the browser's Accept-Language), each page opened once and checked at both sizes.
Nothing here is timed (TIMING_FREE).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page

from engine.domain.model import Phase, VoteMode, VoteSettings
from tests.e2e.browsing import APP, DESK, JUDGE_SCREEN, assert_healthy, cookie_login, settle, wait_for
from tests.e2e.stack import ARTIFACTS, PASSWORD
from tests.support import axe
from tests.support.browser import PHONE, new_context
from tests.support.stack import Stack, fresh_prefix
from ui import i18n

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1280, "height": 800}
SIZES = {"phone": PHONE, "desktop": DESKTOP}
MENU = '[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"]'
BOARD = ".board[data-version]"
# Who sees which page, and what shows that it has drawn what it will draw. A Streamlit page has also
# finished its script run (settle) before axe runs.
PUBLIC = {
    "/login": '[data-testid="stForm"], form',
    "/leaderboard?stage=s1&kiosk=1": BOARD,
    "/results": '[data-testid="stHeading"]',
    "/schedule": '[data-testid="stHeading"]',
    "/now": '[data-testid="stMain"] [data-testid="stPageLink"]',
}
JUDGE = {"/judge?stage=s1": f"{JUDGE_SCREEN} input"}
ADMIN = {
    "/admin?stage=s1": f"{DESK} .meta:has-text('·')",  # the event's line, in any language
    "/admin-setup?stage=s1": '[data-testid="stForm"]',
    "/admin-results?stage=s1": '[data-testid="stHeading"]',
    "/admin-scores?stage=s1": '[data-testid="stHeading"]',
    "/admin-log?stage=s1": '[data-testid="stHeading"]',
    "/admin-festival": '[data-testid="stHeading"]',
    "/on-air?stage=s1": '[data-testid="stHeading"]',
    "/leaderboard?stage=s1&kiosk=1": '[data-testid="stImage"] img',  # an admin's screen: the vote's QR code
}
SCRIPT = re.compile(r"<script>.*?</script>", re.S)


@pytest.fixture(scope="module")
def festival(dynamodb_endpoint) -> Iterator[Stack]:
    """Two stages; s1 started with a per-act audience vote, its first act in a long scoring window."""
    with Stack(fresh_prefix("e2a"), ARTIFACTS / "logs", password=PASSWORD) as stack:
        stack.cli("init", "--wait", "30")
        stack.cli(
            "demo", "--stages", "2", "--password", PASSWORD, "--perform-seconds", "1",
            "--score-seconds", "900", "--performers", "6",
        )  # fmt: skip
        s1 = stack.service().on("s1")
        admin = s1.logins.login("admin@demo.local", PASSWORD).token
        votes = VoteSettings(VoteMode.PER_ACT, grace_seconds=60, jury_percent=50)
        s1.update_settings(admin, s1.bundle().settings.with_changes(votes=votes))
        stack.start_engine(wait=None)
        stack.start_web()
        stack.cli("control", "start", "--force", "--stage", "s1")
        wait_for(lambda: s1.bundle().state.phase is Phase.SCORING, 60, "s1's first scoring window", 0.2)
        wait_for(lambda: s1.votes.codes(), 60, "s1's first vote window", 0.2)
        stack.check_alive()
        yield stack


STALE = '[data-stale="true"]'  # an element Streamlit fades while its script re-runs


# Marks the page once its script has been idle at some moment from now on, however briefly: a live
# fragment (the festival desk's runs every second) may start again at once, and on a loaded machine it is
# running nearly whenever the page is looked at (a CI run waited 30 s in vain for an admin page).
WATCH_IDLE = """(app) => {
  const idle = () => app.getAttribute("data-test-script-state") === "notRunning";
  window.__idleSeen = idle();
  if (window.__idleSeen) return;
  new MutationObserver((records, watch) => {
    if (idle() || records.some((r) => r.oldValue === "notRunning")) {
      window.__idleSeen = true;
      watch.disconnect();
    }
  }).observe(app, {attributes: true, attributeOldValue: true, attributeFilter: ["data-test-script-state"]});
}"""


def _idle_once(page: Page, timeout_ms: int = 60_000) -> None:
    page.locator(APP).evaluate(WATCH_IDLE)
    page.wait_for_function("() => window.__idleSeen === true", timeout=timeout_ms)


def _drawn(page: Page, ready: str, streamlit: bool) -> None:
    page.locator(ready).first.wait_for(state="visible", timeout=30_000)
    if streamlit:
        _idle_once(page)
        assert_healthy(page)
        page.wait_for_function(f"() => !document.querySelector('{STALE}')", timeout=30_000)
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")


def _findings(page: Page, ready: str, streamlit: bool) -> list[axe.Violation]:
    """axe's serious and critical findings on the page as drawn; a finding on an element faded by a
    rerun that started meanwhile (a live fragment's) is looked at again once the rerun is over."""
    for _ in range(3):
        _drawn(page, ready, streamlit)
        found = axe.blocking(axe.violations(page))
        if not any("data-stale" in t for v in found for t in v.targets):
            break
    return found


# The language the browser asks for first, and the one the page says it is in, with its direction.
LANGUAGE = (
    """() => [navigator.language, document.documentElement.lang, document.documentElement.dir || "ltr"]"""
)


def _check(page: Page, url: str, ready: str, who: str, found: list[str], streamlit: bool = True) -> None:
    """Open `url` at a desktop's size, then a phone's; axe's serious and critical findings go to `found`.
    The page says which language it is in and which way it reads: the context's."""
    page.set_viewport_size(DESKTOP)
    page.goto(url)
    if streamlit:
        page.wait_for_selector(f'{APP}[data-test-connection-state="CONNECTED"]', timeout=30_000)
    path = "/" + url.split("//", 1)[-1].split("/", 1)[-1]
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        language, lang, direction = page.evaluate(LANGUAGE)
        found += [v.line(f"{path} ({who}, {language}, {size})") for v in _findings(page, ready, streamlit)]
        if (lang, direction) != (language, i18n.direction(language)):
            found.append(f"{path} ({who}, {language}, {size}): <html lang={lang!r} dir={direction!r}>")


def _context(browser, language: str):
    """A person's browser asking for `language` first (Accept-Language), axe injected as a script."""
    ctx = new_context(browser, 30_000, viewport=DESKTOP, bypass_csp=True, locale=language)
    return ctx, ctx.new_page()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_no_page_has_a_serious_or_critical_violation(festival, browser, language):
    axe.source()  # missing axe-core fails here, with the command that installs it
    s1 = festival.service().on("s1")
    admin_token = s1.logins.login("admin@demo.local", PASSWORD).token
    code = s1.logins.issue_link(admin_token, "judge2@demo.local")
    vote_code = s1.votes.codes()[0].code
    found: list[str] = []
    contexts = []
    try:
        ctx, page = _context(browser, language)
        contexts.append(ctx)
        for path, ready in PUBLIC.items():
            _check(page, festival.url + path, ready, "public", found)
        _check(page, f"{festival.url}/vote?code={vote_code}", "#ballot:not([hidden])", "public", found, False)
        _check(page, f"{festival.url}/leaderboard?stage=s1", BOARD, "public", found, False)  # the crowd's

        # The login link's page posts its code at once: seen here without its script.
        def no_script(route) -> None:
            response = route.fetch()
            route.fulfill(response=response, body=SCRIPT.sub("", response.text()))

        page.route("**/auth/link?*", no_script)
        _check(page, f"{festival.url}/auth/link?code={code}", "form button", "public", found, False)

        ctx, page = _context(browser, language)
        contexts.append(ctx)
        cookie_login(page, festival, "judge1@demo.local")
        for path, ready in JUDGE.items():
            _check(page, festival.url + path, ready, "judge", found)

        ctx, page = _context(browser, language)
        contexts.append(ctx)
        cookie_login(page, festival, "admin@demo.local")
        for path, ready in ADMIN.items():
            _check(page, festival.url + path, ready, "admin", found)
    finally:
        for ctx in contexts:
            ctx.close()
    assert not found, f"{len(found)} serious or critical violations:\n" + "\n".join(found)


DEEP_FOCUS = """() => {
  let a = document.activeElement;
  while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
  if (!a || a === document.body) return null;
  const s = getComputedStyle(a);
  const name = (a.getAttribute("aria-label") || a.innerText || "").trim();
  return { tag: a.tagName, cls: String(a.className), name,
           visible: (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== "none" };
}"""


def _tab_until(page: Page, wanted: set[str], name_of, presses: int = 80) -> dict[str, dict]:
    """Press Tab until every name in `wanted` has had the focus; what had it, by name (each seen focused
    with a visible focus indicator, or the test says which not)."""
    seen: dict[str, dict] = {}
    for _ in range(presses):
        page.keyboard.press("Tab")
        focused = page.evaluate(DEEP_FOCUS)
        name = focused and name_of(focused)
        if name in wanted and name not in seen:
            seen[name] = focused
            if set(seen) == wanted:
                break
    assert set(seen) == wanted, f"never reached by Tab: {sorted(wanted - set(seen))}"
    hidden = [n for n, f in seen.items() if not f["visible"]]
    assert not hidden, f"focused without a visible focus indicator: {hidden}"
    return seen


def test_the_judge_screen_works_by_keyboard_and_announces_its_state(festival, browser):
    ctx, page = _context(browser, "en")
    try:
        cookie_login(page, festival, "judge3@demo.local")
        page.set_viewport_size(PHONE)
        page.goto(festival.url + "/judge?stage=s1")
        page.locator(f"{JUDGE_SCREEN} input.value").wait_for(state="visible", timeout=30_000)
        # What changes is announced: the phase politely, where the judge stands as a status.
        assert page.locator(f"{JUDGE_SCREEN} .phase").get_attribute("aria-live") == "polite"
        assert page.locator(f"{JUDGE_SCREEN} .state").get_attribute("role") == "status"
        assert page.locator(f"{JUDGE_SCREEN} .error").get_attribute("role") == "alert"

        def name_of(f: dict) -> str | None:
            cls = f["cls"].split()
            return next((c for c in ("minus", "plus", "value", "comment", "submit") if c in cls), None)

        _tab_until(page, {"minus", "value", "plus", "comment", "submit"}, name_of)
        # Operated by keyboard alone: + by Enter on it, then a value typed and sent with Enter.
        value = page.locator(f"{JUDGE_SCREEN} input.value")
        page.locator(f"{JUDGE_SCREEN} button.plus").focus()
        page.keyboard.press("Enter")
        assert value.input_value() != ""
        value.focus()
        page.keyboard.press("ControlOrMeta+a")
        page.keyboard.type("7")
        page.keyboard.press("Enter")
        status = page.locator(f"{JUDGE_SCREEN} [role=status].state")
        status.filter(has_text="Submitted").wait_for(timeout=30_000)
    finally:
        ctx.close()


def test_every_control_of_the_desk_is_reached_and_operated_by_keyboard(festival, browser):
    ctx, page = _context(browser, "en")
    s1 = festival.service().on("s1")
    try:
        cookie_login(page, festival, "admin@demo.local")
        page.goto(festival.url + "/admin?stage=s1")
        page.locator(f"{DESK} .meta:has-text('version')").wait_for(timeout=30_000)
        settle(page)
        buttons = {"Start", "Pause", "Resume", "Extend +10 s", "Skip", "Close scoring", "Finish",
                   "Reset (start a new event)"}  # fmt: skip
        # A button's name is its label; a Material icon's ligature is aria-hidden, so it is not in it.
        seen = _tab_until(
            page, buttons, lambda f: f["name"].split("\n")[-1].strip() if f["tag"] == "BUTTON" else None
        )
        assert all(f["tag"] == "BUTTON" for f in seen.values())
        before = s1.bundle().state.deadline
        page.get_by_role("button", name="Extend +10 s", exact=True).focus()
        page.keyboard.press("Enter")
        wait_for(lambda: s1.bundle().state.deadline >= before + 10, 30, "Extend +10 s by keyboard", 0.2)
    finally:
        ctx.close()
