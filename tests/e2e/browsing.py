"""What the e2e tests do in a browser, said once: open a page, log in, read a table, wait for a condition."""

from __future__ import annotations

import time
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from tests.support.browser import PHONE
from tests.support.waiting import wait_for as wait_for  # re-exported for the tests
from ui import front

APP = '[data-testid="stApp"]'
EXCEPTION = '[data-testid="stException"]'
TABLE = '[data-testid="stTable"]'
# The live board is a custom component; Playwright's CSS selectors reach into its shadow root.
BOARD_TABLE = "table.ranking"
BOARD_DRAWN = ".board[data-version]"  # the board drawn from its stream's first document
BOARD_PODIUM = ".podium .place"
# The judge screen and the admin desk are components too (ui/components/judge.js, desk.js).
JUDGE_SCREEN = ".judge"
DESK = ".desk"
NOT_FOUND = "Page not found"
ADMIN_BUTTONS = [
    "Start",
    "Pause",
    "Resume",
    "Extend +10 s",
    "Performance done",
    "Skip",
    "Close scoring",
    "Finish",
    "Reset (start a new event)",
]


def crowd_board(url: str) -> bool:
    """Whether `url` is the crowd's board: /leaderboard but the room's screen (?kiosk=1), a plain page with
    no Streamlit session (ui/board/, ui/front.py)."""
    parts = urlsplit(url)
    return parts.path.endswith(front.BOARD) and front.board_wanted(parts.query.encode())


def open_app(page: Page, url: str) -> Page:
    """Go to a url of the app and wait until Streamlit is connected and has run the page once (the crowd's
    board: until it has drawn its stream's first document)."""
    page.goto(url)
    if crowd_board(url):
        page.wait_for_selector(BOARD_DRAWN, state="attached", timeout=30_000)
        return page
    page.wait_for_selector(f'{APP}[data-test-connection-state="CONNECTED"]', timeout=30_000)
    settle(page)
    return page


def settle(page: Page, timeout_ms: int = 30_000) -> None:
    """Wait until the script is not running (fragments may start again at once; that is fine). The crowd's
    board runs no script."""
    if crowd_board(page.url):
        return
    page.wait_for_selector(f'{APP}[data-test-script-state="notRunning"]', timeout=timeout_ms)


def assert_healthy(page: Page) -> None:
    """No "Page not found" dialog and no exception box on the page."""
    assert page.get_by_text(NOT_FOUND).count() == 0, f"{page.url}: Page not found"
    boxes = page.locator(EXCEPTION)
    assert boxes.count() == 0, f"{page.url}: exception shown: {boxes.first.inner_text()}"


def fill_login(page: Page, email: str, password: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def login(page: Page, base: str, email: str, password: str, lands_on: str) -> Page:
    """Log in at /login and wait to land on `lands_on` (the role's home page, by its url)."""
    return login_all([(page, email)], base, password, lands_on)[0]


def login_all(who: list[tuple[Page, str]], base: str, password: str, lands_on: str) -> list[Page]:
    """Log several browsers in at once: each step is started on every page before waiting on any,
    so the server's work for them overlaps."""
    for page, _ in who:
        page.goto(base + "/login")
    for page, email in who:
        page.wait_for_selector(f'{APP}[data-test-connection-state="CONNECTED"]', timeout=30_000)
        fill_login(page, email, password)
    for page, _ in who:
        # Only the url: the event may already be on by the time the last page has landed.
        page.wait_for_url(f"**/{lands_on}", timeout=30_000)
    return [page for page, _ in who]


def cookie_login(page: Page, stack, email: str) -> Page:
    """Log this page's browser in with the login cookie (HttpOnly, SameSite=Strict) holding a token from
    service.logins.login, as the login form's route would: quicker than the form, for tests about other
    things.
    The streams of the judge screen and the desk are authorised by that cookie."""
    token = stack.service().logins.login(email, stack.password).token
    name = "".join(ch for ch in stack.prefix if ch.isalnum() or ch in "-_") + "stagescore_session"
    page.context.add_cookies(
        [{"name": name, "value": token, "url": stack.url, "httpOnly": True, "sameSite": "Strict"}]
    )
    return page


def open_judge(page: Page, stack, email: str) -> Page:
    """A judge's phone on the judge screen, logged in, its live screen connected."""
    cookie_login(page, stack, email)
    page.set_viewport_size(PHONE)
    page.goto(stack.url + "/judge")
    page.wait_for_selector(f"{JUDGE_SCREEN} .phase:not(:text('Connecting…'))", timeout=30_000)
    return page


def open_desk(page: Page, stack) -> Page:
    cookie_login(page, stack, "admin@demo.local")
    page.goto(stack.url + "/admin")
    page.wait_for_selector(f"{DESK} .meta:has-text('version')", timeout=30_000)
    return page


class Runs:
    """How many times Streamlit ran a page's script, counted from the websocket: each run ends with a
    ForwardMsg `script_finished`. `count` and `at`: whole runs of the page; `fragments`: runs of an
    st.fragment alone (pages with a live fragment, e.g. the Results desk). Attach before the page is
    opened."""

    def __init__(self, page: Page):
        self.page = page
        self.count = 0
        self.fragments = 0
        self.at: list[float] = []  # when each whole run finished (time.time()), for a failure's message
        page.on("websocket", self._watch)

    def _watch(self, ws) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        def frame(payload) -> None:
            if not isinstance(payload, (bytes, bytearray)):
                return
            msg = ForwardMsg()
            try:
                msg.ParseFromString(bytes(payload))
            except Exception:  # not a ForwardMsg: nothing to count
                return
            if msg.WhichOneof("type") != "script_finished":
                return
            # A run cut short by a newer rerun request (FINISHED_EARLY_FOR_RERUN) is not counted: the
            # run that replaces it is.
            if msg.script_finished == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY:
                self.fragments += 1
            elif msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                self.count += 1
                self.at.append(time.time())

        ws.on("framereceived", frame)

    def pump(self, ms: float) -> None:
        """Wait `ms` while Playwright delivers the page's events: the sync API hands websocket frames to
        their handlers only inside its own calls, so a plain time.sleep would count runs late."""
        self.page.wait_for_timeout(ms)


def table_rows(page: Page, nth: int = 0) -> list[dict[str, str]]:
    """The rows of the nth st.table on the page, as {column header: cell text}."""
    return _rows(page.locator(TABLE).nth(nth))


def board_rows(page: Page) -> list[dict[str, str]]:
    """The rows of the live board's ranking (an HTML table drawn by the board component)."""
    return _rows(page.locator(BOARD_TABLE))


def _rows(table) -> list[dict[str, str]]:
    headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    rows = []
    for tr in table.locator("tbody tr").all():
        cells = [c.strip() for c in tr.locator("th, td").all_inner_texts()]
        rows.append(dict(zip(headers, cells, strict=False)))
    return rows


def metric_podium(page: Page) -> dict[int, tuple[str, str]]:
    """{place: (performer name, total)} read from the first st.metric podium on the page (the results
    page's headline podium; one per category may follow)."""
    out = {}
    for metric in page.locator('[data-testid="stMetric"]').all():
        label = metric.locator('[data-testid="stMetricLabel"]').inner_text().strip()
        if "Place" not in label:
            continue
        place = int(label.rsplit(" ", 1)[-1])
        name = metric.locator('[data-testid="stMetricValue"]').inner_text().strip()
        delta = metric.locator('[data-testid="stMetricDelta"]')
        out.setdefault(place, (name, delta.inner_text().strip() if delta.count() else ""))
    return out


def board_podium(page: Page) -> dict[int, tuple[str, str]]:
    """{place: (performer name, total)} read from the live board's podium."""
    out = {}
    for place in page.locator(BOARD_PODIUM).all():
        rank = int(place.get_attribute("data-rank") or 0)
        out[rank] = (place.locator(".name").inner_text().strip(), place.locator(".num").inner_text().strip())
    return out


def board_category_podiums(page: Page) -> dict[str, dict[int, tuple[str, str]]]:
    """{category: {place: (performer name, total)}} read from the live board's podiums per category."""
    names = [h.strip() for h in page.locator(".board h3").all_inner_texts()]
    out = {}
    for name, box in zip(names, page.locator(".cat-podium").all(), strict=False):
        out[name] = {
            int(place.get_attribute("data-rank") or 0): (
                place.locator(".name").inner_text().strip(),
                place.locator(".num").inner_text().strip(),
            )
            for place in box.locator(".cat-place").all()
        }
    return out


def choose(page: Page, box, option: str) -> None:
    """Pick `option` in a selectbox, given by its combobox (`get_by_role("combobox", name=label)`)."""
    choice = page.get_by_role("option", name=option, exact=True)

    def listed() -> bool:
        # A click on the text only focuses it; a click on "Open" during a rerun can be lost: try again.
        if not choice.is_visible():
            box.locator("..").get_by_role("button", name="Open").click()
            choice.wait_for(timeout=2_000)
        return True

    wait_for(listed, 15, f"the option {option!r} to be listed")
    choice.click()
    expect(box).to_have_value(option)


def shown(value: Decimal) -> str:
    """A total as the pages show it: two places, half up."""
    return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):f}"


def expect_no_admin_buttons(page: Page) -> None:
    for label in ADMIN_BUTTONS:
        expect(page.get_by_role("button", name=label)).to_have_count(0)
