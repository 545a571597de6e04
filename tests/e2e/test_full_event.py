"""A whole event through real browsers: three judges, the admin desk and the projector board.

The demo event: judges judge1..3 weighted 2, 1, 1; four performers; 2 s on stage. The judges score on
their pages; the test then computes the ranking itself from what it submitted (weighted mean, weights
renormalised over the judges who scored, a missing score left out) and reads the board and /results.
Set STAGESCORE_SCREENSHOTS=1 to refresh the README's screenshots in docs/screenshots/.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browsing import (
    JUDGE_SCREEN,
    assert_healthy,
    board_podium,
    board_rows,
    metric_podium,
    open_desk,
    open_judge,
    shown,
    table_rows,
    wait_for,
)
from tests.e2e.stack import Stack, start_stack

pytestmark = pytest.mark.e2e
RESULTS_HEADING = re.compile(r"^(Provisional results|Official results)$")
# Progress with the engine's state, shown by pytest when the test fails: which step was slow.
log = logging.getLogger("e2e.full_event")
log.setLevel(logging.INFO)

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# The scoring window must outlast three judges typing on a busy 2-core machine (other suites may run
# beside this one). The admin closes a window early once everyone has scored, so it costs little,
# except where a judge misses the performer: that window runs out on the engine's clock.
SCORE_SECONDS = 20
# Close early only with this much of the window left: Close acts on whatever window is open when the
# click is handled, so a click handled after the deadline would close the next performer's window.
CLOSE_MARGIN_SECONDS = 8.0
WEIGHTS = {"judge1": Decimal(2), "judge2": Decimal(1), "judge3": Decimal(1)}
PERFORMERS = ["The Quicksteps", "Mira Solano", "Brass Knuckle Band", "Lumen Robotics"]
# What each judge ends up with; None: never scored. Totals 6.2, 8.6, 7.83, 7.35: no ties. The revised
# and the missing score decide the podium: with the first value kept, or a miss counted as a zero,
# Brass Knuckle Band falls from second place to fourth.
FINAL = {
    "The Quicksteps": {"judge1": "6.4", "judge2": "5", "judge3": "7"},
    "Mira Solano": {"judge1": "8.4", "judge2": "9", "judge3": "8.6"},
    "Brass Knuckle Band": {"judge1": "7", "judge2": "9.5", "judge3": None},
    "Lumen Robotics": {"judge1": "7.5", "judge2": "7", "judge3": "7.4"},
}
SLOW = ("Mira Solano", "judge1")  # types one key every TYPING_DELAY_MS
REVISED = ("Brass Knuckle Band", "judge2", "3")  # first sends 3, then its FINAL value
PAUSED_DURING = "Brass Knuckle Band"  # and left to the engine's clock, since judge3 never scores
# Three keys 0.6 s apart: the typing spans the pushes of the other judges' scores.
TYPING_DELAY_MS = 600


@pytest.fixture(scope="module")
def stack(dynamodb_endpoint) -> Iterator[Stack]:
    yield from start_stack(perform_seconds=2, score_seconds=SCORE_SECONDS, performers=len(PERFORMERS))


def screenshot(page: Page, name: str) -> None:
    if os.environ.get("STAGESCORE_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / name))


def expected_results() -> list[tuple[str, Decimal, int]]:
    """(performer, total, scores in), best first, computed from FINAL alone."""
    out = []
    for name, by_judge in FINAL.items():
        given = {j: Decimal(v) for j, v in by_judge.items() if v is not None}
        total = sum(WEIGHTS[j] * v for j, v in given.items()) / sum(WEIGHTS[j] for j in given)
        out.append((name, total, len(given)))
    out.sort(key=lambda r: r[1], reverse=True)
    assert len({shown(t) for _, t, _ in out}) == len(out), "the test's own values must not tie"
    return out


# Elements of the current run only: on a busy server a fragment can re-run before its last run finished,
# and Streamlit keeps the previous run's elements on the page, marked stale, until one completes.
FRESH = '[data-testid="stElementContainer"]:not([data-stale="true"])'


def score_input(page: Page):
    return page.locator(f'{JUDGE_SCREEN} input.value[aria-label^="Score"]')


def wait_scoring(page: Page, performer: str) -> None:
    """Wait until this judge's screen shows the open scoring form for `performer`."""
    expect(page.locator(JUDGE_SCREEN).get_by_role("heading", name=performer)).to_be_visible(
        timeout=(SCORE_SECONDS + 30) * 1000
    )
    expect(page.locator(JUDGE_SCREEN)).to_have_attribute("data-open", "true", timeout=30_000)
    expect(score_input(page)).to_be_enabled(timeout=30_000)


def submit(page: Page, value: str, slowly: bool = False) -> None:
    box = score_input(page)
    if slowly:
        box.click()
        box.press_sequentially(value, delay=TYPING_DELAY_MS)
    else:
        box.fill(value)
    page.locator(JUDGE_SCREEN).get_by_role("button", name="Submit score").click()


def expect_accepted(page: Page, value: str, revision: int) -> None:
    msg = f"Your score for this performer: {shown(Decimal(value))} (revision {revision})"
    screen = page.locator(JUDGE_SCREEN)
    try:
        expect(screen.get_by_text(msg)).to_be_visible(timeout=20_000)
    except AssertionError as e:
        # What the screen knew when it gave up: its data attributes (last request, open, link) and text.
        seen = screen.evaluate("e => ({...e.dataset, text: e.innerText})")
        raise AssertionError(f"{e}\nThe judge screen then: {seen}") from None


def phase_of(stack: Stack) -> tuple[str, int, bool]:
    s = stack.snapshot().state
    return s.phase.value, s.index, s.paused


def step(stack: Stack, what: str) -> None:
    s = stack.snapshot().state
    left = s.remaining(time.time())
    log.info(
        "%s [engine: %s #%d, %s s left]", what, s.phase.value, s.index, "-" if left is None else f"{left:.1f}"
    )


def close_early(admin: Page, stack: Stack, index: int) -> None:
    """The admin closes the scoring window of performer `index`, if it is safely far from its deadline."""
    s = stack.snapshot().state
    left = s.remaining(time.time())
    if s.phase.value == "SCORING" and s.index == index and left is not None and left > CLOSE_MARGIN_SECONDS:
        admin.get_by_role("button", name="Close scoring", exact=True).click()


def test_full_event(stack, new_page):
    # The projector and the results page stay open all along, as they would at the venue.
    board, results = new_page(), new_page()
    board.goto(f"{stack.url}/leaderboard?kiosk=1")
    results.goto(f"{stack.url}/results")
    # Logged in by the login cookie (tests/e2e/browsing.cookie_login); the login form itself is tested in
    # tests/e2e/test_logins_in_the_browser.py.
    admin = open_desk(new_page(), stack)
    step(stack, "admin logged in")
    expect(admin.get_by_role("button", name="Pause", exact=True)).to_be_visible()
    assert phase_of(stack)[0] == "LOBBY"

    # Three judges arrive on their phones; their open streams make the quorum and the engine starts.
    judges = {j: open_judge(new_page(), stack, f"{j}@demo.local") for j in WEIGHTS}
    step(stack, "judges logged in")
    wait_for(lambda: phase_of(stack)[0] != "LOBBY", 20, "the event to start on quorum")

    for index, name in enumerate(PERFORMERS):
        for page in judges.values():
            wait_scoring(page, name)
        step(stack, f"{name}: every judge sees the form")
        plan = FINAL[name]
        # The slow typist goes last, so the quick judges' submissions land while it types.
        order = sorted(plan, key=lambda j: (name, j) == SLOW)
        sent: dict[str, tuple[str, int]] = {}
        for j in order:
            if plan[j] is None:
                continue
            if (name, j) == REVISED[:2]:
                submit(judges[j], REVISED[2])
                expect_accepted(judges[j], REVISED[2], 1)
                submit(judges[j], plan[j])
                sent[j] = (plan[j], 2)
            else:
                submit(judges[j], plan[j], slowly=(name, j) == SLOW)
                sent[j] = (plan[j], 1)
        step(stack, f"{name}: submitted")
        for j, (value, revision) in sent.items():
            expect_accepted(judges[j], value, revision)
        step(stack, f"{name}: every score acknowledged")
        if (name, "judge1") == SLOW:
            screenshot(judges["judge1"], "judge.png")

        if name == PAUSED_DURING:
            # The admin pauses the clock while judge3 has still not scored, then resumes it.
            admin.get_by_role("button", name="Pause", exact=True).click()
            status = wait_for(lambda: (s := stack.status())["paused"] and s, 20, "the pause")
            assert (status["phase"], status["performer_name"]) == ("SCORING", name), status
            for page in (admin, judges["judge3"], board):
                expect(page.locator(FRESH).get_by_text("Scoring — paused")).to_be_visible(timeout=15_000)
            screenshot(admin, "admin.png")
            admin.get_by_role("button", name="Resume", exact=True).click()
            status = wait_for(lambda: not (s := stack.status())["paused"] and s, 20, "the resume")
            assert (status["phase"], status["performer_name"]) == ("SCORING", name), status
        else:
            # Everyone has scored: the admin closes the window rather than wait it out.
            close_early(admin, stack, index)
        if index + 1 < len(PERFORMERS):
            wait_for(
                lambda i=index: phase_of(stack)[1] > i, SCORE_SECONDS + 20, f"the next performer after {name}"
            )

    wait_for(lambda: phase_of(stack)[0] == "FINISHED", SCORE_SECONDS + 20, "the event to finish")
    for page in judges.values():
        expect(page.locator(FRESH).get_by_text("The event has finished.")).to_be_visible(timeout=20_000)

    # The database holds what was typed: the slow value intact, the revision kept, the miss missing.
    snap = stack.snapshot()
    scores = {(s.performer_id, s.judge): s for s in snap.scores}
    ids = {p.name: p.performer_id for p in snap.performers}
    for name, by_judge in FINAL.items():
        for j, value in by_judge.items():
            got = scores.get((ids[name], f"{j}@demo.local"))
            if value is None:
                assert got is None, f"{j} never scored {name}, yet the database has {got}"
            else:
                assert got is not None and got.total == Decimal(value), (name, j, got)
    assert scores[(ids[REVISED[0]], f"{REVISED[1]}@demo.local")].revision == 2

    # The board: the podium and the ranking, against the test's own arithmetic.
    want = expected_results()
    podium_want = {i + 1: (n, shown(t)) for i, (n, t, _) in enumerate(want[:3])}
    rows_want = [(str(i + 1), n, shown(t), f"{k}/3") for i, (n, t, k) in enumerate(want)]

    def ranking(rows: list[dict[str, str]]) -> list[tuple[str, ...]]:
        return [(r["Rank"], r["Performer"], r["Total"], r["Scores in"]) for r in rows]

    # The results under the words of their state (never "Final results" while they are provisional).
    expect(board.locator("h2.results-label")).to_have_text(RESULTS_HEADING, timeout=20_000)
    wait_for(
        lambda: board_podium(board) == podium_want,
        15,
        lambda: f"the podium {podium_want}; the board shows {board_podium(board)}",
    )
    wait_for(
        lambda: ranking(board_rows(board)) == rows_want,
        15,
        lambda: f"the ranking {rows_want}; the board shows {ranking(board_rows(board))}",
    )
    for page in (board, admin, *judges.values()):
        assert_healthy(page)
    screenshot(board, "board.png")

    # The results page (Streamlit's own table and metrics; it refreshes itself) says the same.
    wait_for(
        lambda: metric_podium(results) == podium_want,
        20,
        lambda: f"the podium {podium_want}; /results shows {metric_podium(results)}",
    )
    wait_for(
        lambda: ranking(table_rows(results)) == rows_want,
        15,
        lambda: f"the ranking {rows_want}; /results shows {ranking(table_rows(results))}",
    )
    assert_healthy(results)
