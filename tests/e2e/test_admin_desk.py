"""The admin desk and the public board, updated by push (/live/admin, /live/public) in a real Chromium
against the real stack; and a performer's name with markup on every live screen, shown as text.

The roster's first performer is named with markup; the event starts in the first test."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browsing import (
    BOARD_TABLE,
    DESK,
    JUDGE_SCREEN,
    Runs,
    assert_healthy,
    board_rows,
    open_desk,
    open_judge,
    wait_for,
)
from tests.e2e.stack import Stack, start_stack

pytestmark = pytest.mark.e2e
log = logging.getLogger("e2e.admin_desk")
log.setLevel(logging.INFO)
XSS = "<img src=x onerror=window.__pwned=1><script>window.__pwned=1</script>"
WAITING = "Waiting for 3 judges (0 present); use force to start anyway."
SCORE_SECONDS = 20


@pytest.fixture(scope="module")
def stack(dynamodb_endpoint, tmp_path_factory) -> Iterator[Stack]:
    for s in start_stack(perform_seconds=3, score_seconds=SCORE_SECONDS, performers=4):
        roster = tmp_path_factory.mktemp("roster") / "roster.csv"
        names = [XSS, "Mira Solano", "Brass Knuckle Band", "Lumen Robotics", "The Quicksteps"]
        rows = "".join(f"{n},{i},Act\n" for i, n in enumerate(names, 1))
        roster.write_text("name,order,category\n" + rows, encoding="utf-8")
        s.cli("performers", "import", str(roster))
        yield s


def desk(page: Page):
    return page.locator(DESK)


def judge_row(page: Page, name: str):
    return desk(page).locator("table.judges tbody tr").filter(has_text=name)


def settled(page: Page, runs: Runs, quiet: float = 3.0) -> int:
    """The run count once the page has re-run for what the desk last reported (it re-runs once per
    new window or version, which takes a while on a busy machine) and no run came for `quiet` s.
    (While the page had a fragment of its own, the engine banner, Streamlit's frontend could send a
    second rerun for one state change when that fragment was running: seen up to 1.4 s after the first;
    the banner is pushed with the desk now.)"""
    reported = lambda: int(desk(page).get_attribute("data-reported-at") or 0) / 1000  # noqa: E731
    wait_for(lambda: runs.at and runs.at[-1] > reported(), 30, "the desk's re-run for its new state", 0.1)
    return quiet_runs(runs, quiet)


def quiet_runs(runs: Runs, quiet: float) -> int:
    """The run count once no run has come for `quiet` seconds."""
    last, since = runs.count, time.time()
    while time.time() - since < quiet:
        runs.pump(100)  # (not time.sleep: frames received meanwhile would be counted after it)
        if runs.count != last:
            last, since = runs.count, time.time()
    return last


_taken: set[int] = set()


def fresh_scoring(stack: Stack, min_left: float):
    """A scoring window no other test took, with at least `min_left` seconds to go."""
    if stack.snapshot().state.phase.value == "LOBBY":
        stack.cli("control", "start", "--force")

    def ready():
        s = stack.snapshot().state
        left = s.remaining(time.time())
        fresh = s.phase.value == "SCORING" and not s.paused and s.window_id not in _taken
        return s if fresh and left and left >= min_left else None

    state = wait_for(ready, 60, f"a fresh scoring window with {min_left} s left", 0.1)
    _taken.add(state.window_id)
    return state


def test_a_refused_start_is_shown_until_the_state_moves_on(stack, new_page):
    admin = open_desk(new_page(), stack)
    assert stack.status()["phase"] == "LOBBY"
    admin.get_by_role("button", name="Start", exact=True).click()
    refusal = admin.get_by_text(WAITING)
    expect(refusal).to_be_visible()
    time.sleep(2)  # nothing moves: the refusal stays (it is about the state still on screen)
    expect(refusal).to_be_visible()

    stack.cli("control", "start", "--force")  # e.g. from another desk: the state moves on
    expect(desk(admin).locator(".phase")).to_have_text("Performing", timeout=15_000)
    expect(refusal).to_have_count(0, timeout=15_000)
    assert_healthy(admin)


def test_a_name_with_markup_is_shown_as_text_on_every_live_screen(stack, new_page):
    wait_for(lambda: stack.snapshot().current.name == XSS, 30, "the first performer on stage")
    admin = open_desk(new_page(), stack)
    judge = open_judge(new_page(), stack, "judge1@demo.local")
    board = new_page()
    board.goto(f"{stack.url}/leaderboard?kiosk=1")
    expect(desk(admin).locator(".performer")).to_have_text(XSS)
    expect(judge.locator(JUDGE_SCREEN).locator(".performer")).to_have_text(XSS)
    expect(board.locator(".board .performer")).to_have_text(XSS)
    expect(board.locator(BOARD_TABLE).get_by_text(XSS, exact=True)).to_be_visible()
    for page in (admin, judge, board):
        assert page.evaluate("() => typeof window.__pwned") == "undefined"
        assert page.locator("img[src=x]").count() == 0
        assert_healthy(page)


def test_the_desk_follows_presence_scores_and_help_by_push_without_a_rerun(stack, new_page):
    page = new_page()
    runs = Runs(page)
    admin = open_desk(page, stack)
    judge = open_judge(new_page(), stack, "judge2@demo.local")
    expect(judge_row(admin, "Judge 2").locator("td").nth(2)).to_have_text("yes", timeout=20_000)
    state = fresh_scoring(stack, 12)
    # The judge's second session is made before the quiet period: only pushed changes are watched.
    token = stack.service().logins.login("judge2@demo.local", stack.password).token
    expect(desk(admin).locator(".phase")).to_have_text("Scoring")
    before = settled(admin, runs)
    quiet_since = time.time()

    stack.service().submit_score(token, state.performer_id, {"Score": "7"})
    acked = time.time()
    expect(judge_row(admin, "Judge 2").locator("td").nth(3)).to_have_text("yes", timeout=5_000)
    log.info("a score reached the desk %.3f s after it was stored", time.time() - acked)
    expect(desk(admin).locator(".counts")).to_contain_text("1 / 3")
    stack.service().raise_flag(token, True)
    expect(desk(admin).locator(".help")).to_have_text("A judge is asking for help: Judge 2", timeout=5_000)
    expect(judge_row(admin, "Judge 2").locator("td").nth(4)).to_contain_text("s ago")
    assert stack.snapshot().state.version == state.version  # nothing else moved meanwhile
    late_runs = [round(t - quiet_since, 2) for t in runs.at if t > quiet_since]
    assert runs.count == before, f"the desk re-ran at {late_runs} s for pushed changes"
    stack.service().raise_flag(token, False)
    expect(desk(admin).locator(".help")).to_be_hidden(timeout=5_000)
    assert_healthy(judge)


def test_pause_and_resume_show_on_the_desk(stack, new_page):
    page = new_page()
    runs = Runs(page)
    admin = open_desk(page, stack)
    fresh_scoring(stack, 8)
    expect(desk(admin).locator(".phase")).to_have_text("Scoring")
    settled(admin, runs)  # the admin clicks what is on screen: the window the page knows
    admin.get_by_role("button", name="Pause", exact=True).click()
    expect(desk(admin).locator(".phase")).to_have_text("Scoring — paused", timeout=15_000)
    assert stack.status()["paused"]
    admin.get_by_role("button", name="Resume", exact=True).click()
    expect(desk(admin).locator(".phase")).to_have_text("Scoring", timeout=15_000)
    assert not stack.status()["paused"]


@pytest.mark.parametrize(("path", "script_runs"), [("leaderboard", 0), ("leaderboard?kiosk=1", 1)])
def test_the_board_updates_by_push_without_a_rerun(stack, new_page, path, script_runs):
    """A phone's board is a plain page: no Streamlit session at all. The room's screen is the app's page:
    it runs once and never again."""
    page = new_page()
    runs = Runs(page)
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.goto(f"{stack.url}/{path}")
    state = fresh_scoring(stack, 8)
    name = stack.snapshot().current.name
    expect(page.locator(BOARD_TABLE).get_by_text(name, exact=True)).to_be_visible(timeout=20_000)
    before = quiet_runs(runs, 1.0)

    token = stack.service().logins.login("judge3@demo.local", stack.password).token
    stack.service().submit_score(token, state.performer_id, {"Score": "6.5"})

    def row() -> dict[str, str]:
        return next((r for r in board_rows(page) if r["Performer"] == name), {})

    # While the window is open the board holds the performer's scores back (engine.domain.publicity) and says
    # so; once it has closed the score arrives by push, still without a rerun.
    line = page.locator(".board .held-back")
    expect(line).to_have_text(f"{name}: scores after the scoring window closes")
    assert state.remaining(time.time()) > 0 and (row()["Total"], row()["Scores in"]) == ("—", "—")
    wait_for(
        lambda: row().get("Scores in", "").startswith("1/") and row()["Total"] == "6.50",
        state.remaining(time.time()) + 10,
        lambda: f"the board to show the score once the window closed: {row()}",
        0.05,
    )
    assert not any(t.startswith(f"{name}:") for t in line.all_inner_texts())
    log.info("a score reached the board %.3f s after its window's deadline", time.time() - state.deadline)
    assert runs.count == before == script_runs and runs.fragments == 0, (before, runs.count, runs.fragments)
    assert len(sockets) == script_runs, sockets  # the kiosk's one Streamlit session; the phone's none
    assert_healthy(page)
