"""Results people can trust, in real browsers: a mistyped score flagged on the Results desk while its
window is open, "Ask to check", the judge's phone showing "Please check your score for …", the judge
revising in the same window, the flag clearing; then the round provisional on the kiosk board ("Results
coming soon": results are hidden until revealed), Sign off, and "Reveal next" from last place to the
podium on the kiosk board, each step checked against the test's own ranking of what was submitted.

Judge 2 scores on a phone; judges 1 and 3 through the service, as their pages would. The demo's judges
weigh 2, 1, 1. Windows are closed from the shell once the test has what it needs (never waited out).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from engine.domain.model import Phase
from engine.domain.release import ResultsSettings
from tests.e2e.browsing import (
    APP,
    JUDGE_SCREEN,
    assert_healthy,
    board_podium,
    board_rows,
    cookie_login,
    open_judge,
    settle,
    shown,
    wait_for,
)
from tests.e2e.stack import DEMO_WEIGHTS, Stack, start_stack

pytestmark = pytest.mark.e2e

WEIGHTS = DEMO_WEIGHTS
MISTYPED, REVISED = "1", "8.6"
# Per performer in running order: judge -> value; judge 2's first value for the first performer is the
# mistyped one, revised after the check. Totals 8.3, 6, 9.1, 7.1: no two tie.
MARKS = [
    {"judge1": "8.2", "judge2": REVISED, "judge3": "8.2"},
    {"judge1": "6", "judge2": "7", "judge3": "5"},
    {"judge1": "9", "judge2": "9", "judge3": "9.4"},
    {"judge1": "7", "judge2": "7.4", "judge3": "7"},
]


@pytest.fixture(scope="module")
def stack(dynamodb_endpoint) -> Iterator[Stack]:
    # The scoring window is a ceiling: each is closed from the shell once its scores are in.
    yield from start_stack(perform_seconds=1, score_seconds=90, performers=len(MARKS))


def expected_ranking(names: list[str]) -> list[tuple[int, str, str]]:
    """[(rank, performer, total)] best first, from the marks alone (a weighted mean)."""
    totals = {
        name: sum(WEIGHTS[j] * Decimal(v) for j, v in marks.items()) / sum(WEIGHTS.values())
        for name, marks in zip(names, MARKS, strict=True)
    }
    assert len(set(totals.values())) == len(totals), "the test's own values must not tie"
    best = sorted(totals, key=totals.get, reverse=True)
    return [(i, name, shown(totals[name])) for i, name in enumerate(best, start=1)]


def scoring(stack: Stack, index: int):
    def is_open():
        state = stack.service().bundle().state
        return state.phase is Phase.SCORING and state.index == index and state

    return wait_for(is_open, 30, f"scoring to open for performer {index + 1}")


def phone_submits(phone: Page, name: str, value: str) -> None:
    screen = phone.locator(JUDGE_SCREEN)
    expect(screen.get_by_role("heading", name=name)).to_be_visible(timeout=20_000)
    expect(screen).to_have_attribute("data-open", "true", timeout=20_000)
    box = screen.locator('input.value[aria-label^="Score"]')
    expect(box).to_be_enabled(timeout=20_000)
    box.fill(value)
    screen.get_by_role("button", name="Submit score").click()


def results_desk(page: Page, stack: Stack) -> Page:
    cookie_login(page, stack, "admin@demo.local")
    page.goto(stack.url + "/admin-results")
    expect(page.get_by_role("heading", name="Results desk")).to_be_visible(timeout=30_000)
    settle(page)
    return page


def the_mistyped_score_is_checked_and_revised(stack: Stack, phone: Page, desk: Page, tokens) -> str:
    svc = stack.service()
    state = scoring(stack, 0)
    name = svc.snapshot().performer_name(state.performer_id)
    for judge in ("judge1", "judge3"):
        svc.submit_score(tokens[judge], state.performer_id, {"Score": MARKS[0][judge]})
    phone_submits(phone, name, MISTYPED)
    screen = phone.locator(JUDGE_SCREEN)
    expect(screen.locator(".ack")).to_contain_text("(revision 1)", timeout=15_000)

    flag = desk.locator(APP).get_by_text("Judge 2 gave 1.0; the panel's median is 8.2")
    expect(flag).to_be_visible(timeout=15_000)  # at once, while the window is open
    desk.get_by_role("button", name="Ask to check").first.click()
    sentence = f"Please check your score for {name}: you gave 1.0."
    expect(screen.locator(".banner.check")).to_have_text(
        f"{sentence}My score is rightI will revise it", timeout=10_000
    )
    screen.get_by_role("button", name="I will revise it").click()
    expect(screen.locator(".check-reply")).to_have_text("Revise your score below while the window is open.")
    expect(screen.locator(".banner.check")).to_be_hidden(timeout=10_000)
    phone_submits(phone, name, REVISED)
    expect(screen.locator(".ack")).to_contain_text("8.60 (revision 2)", timeout=15_000)
    assert svc.bundle().state.window_id == state.window_id, "the revision came in the same window"

    expect(flag).to_have_count(0, timeout=15_000)  # the revised score is no outlier: the flag clears
    expect(desk.locator(APP).get_by_text("No score is further than")).to_be_visible()
    logged = {"outlier_flagged", "check_requested", "check_answered"}
    wait_for(lambda: logged <= {e.kind for e in svc.log.entries()}, 10, f"{logged} in the log")
    stack.cli("control", "close")
    return name


def the_rest_are_scored(stack: Stack, tokens) -> list[str]:
    svc, names = stack.service(), []
    for index in range(1, len(MARKS)):
        state = scoring(stack, index)
        names.append(svc.snapshot().performer_name(state.performer_id))
        for judge in ("judge1", "judge2", "judge3"):
            token = tokens[judge]
            svc.submit_score(token, state.performer_id, {"Score": MARKS[index][judge]})
        stack.cli("control", "close")
    wait_for(lambda: svc.bundle().state.phase is Phase.FINISHED, 30, "the round to finish")
    return names


def click(desk: Page, button: str, then: str) -> None:
    """Click and wait for the desk to show `then` (the desk's own line, not its passing toast)."""
    desk.get_by_role("button", name=button, exact=True).click()
    expect(desk.locator(APP).get_by_text(then)).to_be_visible(timeout=20_000)
    settle(desk)


def test_a_mistyped_score_is_checked_and_revised_then_signed_off_and_revealed(stack, new_page):
    svc = stack.service()
    admin = svc.logins.login("admin@demo.local", stack.password).token
    svc.results.save_results_settings(admin, ResultsSettings(hide_until_revealed=True))
    tokens = {j: svc.logins.login(f"{j}@demo.local", stack.password).token for j in ("judge1", "judge3")}
    phone = open_judge(new_page(), stack, "judge2@demo.local")
    tokens["judge2"] = svc.logins.login("judge2@demo.local", stack.password).token
    board = new_page()
    board.goto(f"{stack.url}/leaderboard?kiosk=1")
    desk = results_desk(new_page(), stack)
    stack.cli("control", "start", "--force")

    first = the_mistyped_score_is_checked_and_revised(stack, phone, desk, tokens)
    names = [first, *the_rest_are_scored(stack, tokens)]
    ranking = expected_ranking(names)

    kiosk = board.locator(".board")
    expect(kiosk.locator(".results-label")).to_have_text("Provisional results", timeout=15_000)
    expect(kiosk.locator("h2.coming")).to_have_text("Results coming soon")
    assert board_rows(board) == [] and board_podium(board) == {}
    assert stack.status()["results_status"] == "provisional"

    desk.goto(stack.url + "/admin-results")
    settle(desk)
    desk.get_by_role("button", name="Sign off", exact=True).click()
    click(desk, "Yes, sign off", "Signed off by admin@demo.local at")
    expect(kiosk.locator(".results-label")).to_have_text("Official results", timeout=15_000)
    expect(kiosk.locator("h2.coming")).to_have_text("Results coming soon")  # nothing revealed yet
    status = stack.status()
    assert status["results_status"] == "official" and status["signed_off_by"] == "admin@demo.local"

    for count in range(1, len(ranking) + 1):  # last place first, the podium last
        click(desk, "Reveal next", f"{count} / {len(ranking)} places")
        visible = ranking[len(ranking) - count :]
        rank, name, total = visible[0]
        wait_for(
            lambda v=visible: [(int(r["Rank"]), r["Performer"], r["Total"]) for r in board_rows(board)] == v,
            15,
            f"the board to show the {count} revealed place(s)",
            0.1,
        )
        if count < len(ranking):
            expect(kiosk.locator(".revealed-place")).to_have_text(f"Place {rank}: {name} — {total}")
        podium = {r: (n, t) for r, n, t in visible if r <= 3}
        assert board_podium(board) == podium, "the podium names only who is revealed"
    expect(kiosk.locator(".reveal")).to_have_count(0)  # all shown: the final results as a whole
    desk.get_by_role("button", name="Reveal next").click()
    expect(desk.locator(APP).get_by_text("Every place has already been revealed.")).to_be_visible(
        timeout=20_000
    )
    for page in (phone, board, desk):
        assert_healthy(page)
