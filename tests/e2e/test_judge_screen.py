"""The judge screen on a phone (390 x 844), in a real Chromium against the real stack: pushed by
/live/judge, scores by POST /live/score, no Streamlit rerun while the judge watches.

The event runs by itself (2 s on stage, SCORE_SECONDS to score, started with force); each test takes the
next scoring window that leaves it enough time.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import time
from collections.abc import Iterator
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browsing import JUDGE_SCREEN, Runs, assert_healthy, open_judge, wait_for
from tests.e2e.stack import Stack, start_stack

pytestmark = pytest.mark.e2e
log = logging.getLogger("e2e.judge_screen")
log.setLevel(logging.INFO)
SCORE_SECONDS = 15
JUDGE = "judge1@demo.local"
OFFLINE = "Offline: your score is not saved yet"
# How late the form may close on screen after its deadline, on a busy 2-core machine (issue 13's
# target is 250 ms p95, measured by bench/judges.py; this test only proves it needs no push or rerun).
FLIP_LATE_SECONDS = 1.0


@pytest.fixture(scope="module")
def stack(dynamodb_endpoint) -> Iterator[Stack]:
    yield from start_stack(perform_seconds=2, score_seconds=SCORE_SECONDS, performers=12)


def screen(page: Page):
    return page.locator(JUDGE_SCREEN)


def started(stack: Stack) -> None:
    if stack.snapshot().state.phase.value == "LOBBY":
        stack.cli("control", "start", "--force")


_taken: set[int] = set()  # windows a test has scored in: each test gets a fresh one


def next_window(stack: Stack, min_left: float, timeout: float = 60):
    """The state of a scoring window no other test took, with at least `min_left` seconds to go."""
    started(stack)

    def ready():
        s = stack.snapshot().state
        left = s.remaining(time.time())
        fresh = s.phase.value == "SCORING" and not s.paused and s.window_id not in _taken
        return s if fresh and left and left >= min_left else None

    state = wait_for(ready, timeout, f"a fresh scoring window with {min_left} s left", 0.1)
    _taken.add(state.window_id)
    return state


# What the screen showed at the moment it closed the form (a push may redraw it a moment later).
WATCH_THE_CLOSE = """(root) => {
  window.__closed = null;
  new MutationObserver(() => {
    if (root.dataset.open !== "false" || window.__closed) return;
    window.__closed = {
      phase: root.querySelector(".phase").textContent,
      state: root.querySelector(".state").textContent,
      input: root.querySelector("input.value").disabled,
      submit: root.querySelector("button.submit").disabled,
    };
  }).observe(root, {attributes: true, attributeFilter: ["data-open"]});
}"""


def performing(stack: Stack, timeout: float = 60):
    started(stack)
    on_stage = lambda: (s := stack.snapshot().state).phase.value == "PERFORMING" and s  # noqa: E731
    return wait_for(on_stage, timeout, "a performance", 0.05)


def expect_form_open(page: Page, performer: str, timeout_ms: int = 30_000) -> None:
    expect(screen(page).locator(".performer")).to_have_text(performer, timeout=timeout_ms)
    expect(screen(page)).to_have_attribute("data-open", "true", timeout=timeout_ms)


def value_box(page: Page):
    return screen(page).locator('input.value[aria-label^="Score"]')


def submit_button(page: Page):
    return screen(page).get_by_role("button", name="Submit score")


def my_score(stack: Stack, performer_id: str):
    return {s.judge: s for s in stack.snapshot().scores if s.performer_id == performer_id}.get(JUDGE)


def test_the_lobby_screen_counts_the_judge_present_from_the_stream(stack, new_page):
    judge = open_judge(new_page(), stack, JUDGE)
    expect(screen(judge).get_by_text("Waiting for the event to start (1 of 3 judges here).")).to_be_visible(
        timeout=20_000
    )
    wait_for(lambda: JUDGE in stack.snapshot().present, 20, "the judge's stream to count as presence")
    assert_healthy(judge)


def test_the_window_opens_and_flips_at_its_deadline_without_any_rerun(stack, new_page):
    page = new_page()
    runs = Runs(page)
    judge = open_judge(page, stack, JUDGE)
    state = performing(stack)
    performer = stack.snapshot().current.name
    # The screen draws from the stream the page's HTML opened, before its run has finished: Playwright
    # hands the run's last frames over only inside its own calls, hence the pump.
    wait_for(lambda: runs.pump(50) or runs.count >= 1, 20, "the page's one run")
    before = runs.count
    flashes = int(screen(judge).get_attribute("data-flashes"))

    expect_form_open(judge, performer)
    expect(screen(judge).locator(".state")).to_have_text("Not submitted yet")
    scoring = stack.snapshot().state
    assert scoring.index == state.index and scoring.phase.value == "SCORING"
    _taken.add(scoring.window_id)
    screen(judge).evaluate(WATCH_THE_CLOSE)
    # The deadline passes with the engine frozen: no transition is written, so nothing is pushed; the
    # screen closes the form on its own clock, with no push and no rerun.
    engine = next(p for p in stack.procs if list(p.args[-2:]) == ["engine", "run"])
    os.kill(engine.pid, signal.SIGSTOP)
    try:
        closed = wait_for(
            lambda: judge.evaluate("() => window.__closed"), SCORE_SECONDS + 10, "the form to close", 0.1
        )
    finally:
        os.kill(engine.pid, signal.SIGCONT)
    flipped = int(screen(judge).get_attribute("data-flipped-at")) / 1000
    late = flipped - scoring.deadline
    log.info("the form closed %.3f s after its deadline", late)
    assert -0.3 < late < FLIP_LATE_SECONDS, late
    # Closed before any push said so: the phase on screen was still the scoring window's.
    assert closed == {"phase": "Scoring", "state": "Scoring closed", "input": True, "submit": True}, closed
    # The opening flashed the header; so did 5 s before the close.
    assert int(screen(judge).get_attribute("data-flashes")) >= flashes + 2
    assert runs.count == before, f"the page re-ran {runs.count - before} times while the judge watched"
    assert runs.fragments == 0, "the judge page has no fragment running on a timer"


def test_a_score_is_saved_revised_and_kept_across_a_reload(stack, new_page):
    judge = open_judge(new_page(), stack, JUDGE)
    state = next_window(stack, 10)
    performer = stack.snapshot().current.name
    expect_form_open(judge, performer)

    screen(judge).get_by_role("button", name="Score up one step").click()  # empty: the middle, 5.0
    expect(value_box(judge)).to_have_value("5.0")
    value_box(judge).fill("7.5")
    screen(judge).get_by_label("Comment (optional)").fill("Clean lines, late finish.")
    submit_button(judge).click()
    expect(screen(judge).get_by_text("Your score for this performer: 7.50 (revision 1)")).to_be_visible()
    expect(screen(judge).locator(".state")).to_have_text("Submitted: 7.50 (revision 1)")
    score = my_score(stack, state.performer_id)
    assert (score.total, score.revision, score.window_id) == (Decimal("7.5"), 1, state.window_id)
    assert score.comment == "Clean lines, late finish."

    value_box(judge).fill("8.2")  # typed, not sent: a reload must not lose it
    judge.reload()
    expect_form_open(judge, performer)
    expect(value_box(judge)).to_have_value("8.2")
    expect(screen(judge).get_by_label("Comment (optional)")).to_have_value("Clean lines, late finish.")
    submit_button(judge).click()
    expect(screen(judge).get_by_text("Your score for this performer: 8.20 (revision 2)")).to_be_visible()
    score = my_score(stack, state.performer_id)
    assert (score.total, score.revision) == (Decimal("8.2"), 2)
    rows = screen(judge).locator("table.so-far tbody tr")
    expect(rows.filter(has_text=performer)).to_contain_text("8.20")


def test_an_off_grid_value_gets_one_sentence_and_sends_nothing(stack, new_page):
    judge = open_judge(new_page(), stack, JUDGE)
    state = next_window(stack, 6)
    expect_form_open(judge, stack.snapshot().current.name)
    value_box(judge).fill("7.55")
    submit_button(judge).click()
    expect(screen(judge).get_by_text("Score must be a number from 0 to 10 in steps of 0.1.")).to_be_visible()
    assert my_score(stack, state.performer_id) is None


def test_offline_at_once_the_typed_value_survives_a_5_s_cut_and_one_tap_saves_it(stack, new_page):
    judge = open_judge(new_page(), stack, JUDGE)
    state = next_window(stack, 12)
    expect_form_open(judge, stack.snapshot().current.name)
    value_box(judge).fill("6.5")

    cut = time.time()
    judge.context.set_offline(True)
    expect(screen(judge).get_by_text(OFFLINE)).to_be_visible(timeout=1000)
    log.info("offline warning shown %.3f s after the cut", time.time() - cut)
    time.sleep(5)  # the 5 s network cut itself (what is tested is that it is survived)
    expect(value_box(judge)).to_have_value("6.5")
    expect(screen(judge).get_by_text(OFFLINE)).to_be_visible()
    judge.context.set_offline(False)

    expect(screen(judge).get_by_text(OFFLINE)).to_be_hidden(timeout=10_000)
    submit_button(judge).click()  # one tap
    expect(screen(judge).get_by_text("Your score for this performer: 6.50 (revision 1)")).to_be_visible()
    expect(screen(judge).locator(".ack")).to_contain_text("Saved.")
    score = my_score(stack, state.performer_id)
    assert (score.total, score.revision) == (Decimal("6.5"), 1)


def test_a_submit_whose_answer_was_lost_is_retried_with_the_same_request_and_not_duplicated(stack, new_page):
    judge = open_judge(new_page(), stack, JUDGE)
    sent: list[dict] = []

    def lose_the_first_answer(route) -> None:
        sent.append(json.loads(route.request.post_data or "{}"))
        response = route.fetch()  # the server stores the score...
        if len(sent) == 1:
            route.abort("connectionreset")  # ...and its answer never reaches the phone
        else:
            route.fulfill(response=response)

    judge.route("**/live/score", lose_the_first_answer)
    state = next_window(stack, 10)
    expect_form_open(judge, stack.snapshot().current.name)
    value_box(judge).fill("9.1")
    submit_button(judge).click()

    ack = screen(judge).locator(".ack")
    expect(ack).to_contain_text("Your score for this performer: 9.10 (revision 1).", timeout=20_000)
    expect(ack).to_contain_text("nothing was added twice")
    assert screen(judge).get_attribute("data-last-replayed") == "true"
    assert len(sent) == 2 and sent[0]["request_id"] == sent[1]["request_id"], sent
    score = my_score(stack, state.performer_id)
    assert (score.total, score.revision) == (Decimal("9.1"), 1)
    revisions = [
        h
        for h in stack.store().scores.history(state.event_id)
        if h["performer_id"] == state.performer_id and h["judge"] == JUDGE
    ]
    assert [int(h["revision"]) for h in revisions] == [1]


def test_a_session_ended_elsewhere_says_so_with_a_login_link(stack, new_page):
    judge = open_judge(new_page(), stack, JUDGE)
    tokens = [c["value"] for c in judge.context.cookies() if c["name"].endswith("stagescore_session")]
    stack.service().logins.logout(tokens[0])
    ended = screen(judge).locator(".banner.ended")
    expect(ended).to_be_visible(timeout=20_000)
    expect(ended).to_contain_text("Your session has ended")
    expect(ended.get_by_role("link", name="Log in")).to_have_attribute("href", "/login")
    expect(screen(judge).locator("form.score")).to_be_hidden()  # nothing can be sent any more
