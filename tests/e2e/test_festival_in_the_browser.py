"""A festival in a real Chromium against the real stack: two stages running at once with overlapping
windows, a judge on each stage scoring on their own phone, both stages' boards and the admin's festival
desk following, and a judge moved between stages who scores on the new stage and is refused on the old.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browsing import JUDGE_SCREEN, assert_healthy, cookie_login, open_judge, table_rows, wait_for
from tests.e2e.stack import ARTIFACTS, PASSWORD
from tests.support.stack import Stack, fresh_prefix

pytestmark = pytest.mark.e2e
SCORE_SECONDS = 12
S1_JUDGE, S2_JUDGE = "judge1@demo.local", "judge4@demo.local"  # `demo --stages 2`: judge1-3 on s1, 4-6 on s2
# What a phone posts: the screen's own request, with the event, performer and window it is told to name.
POST_SCORE = """async (b) => {
  const res = await fetch("/live/score", {method: "POST", credentials: "same-origin",
    headers: {"Content-Type": "application/json", "X-Stagescore": "1"}, body: JSON.stringify(b)});
  return {status: res.status, body: await res.json()};
}"""


@pytest.fixture(scope="module")
def festival(dynamodb_endpoint) -> Iterator[Stack]:
    """`demo --stages 2` (4 performers a stage), one engine for both stages, the web server."""
    with Stack(fresh_prefix("e2f"), ARTIFACTS / "logs", password=PASSWORD) as stack:
        stack.cli("init", "--wait", "30")
        stack.cli(
            "demo", "--stages", "2", "--password", PASSWORD, "--perform-seconds", "2",
            "--score-seconds", str(SCORE_SECONDS), "--performers", "4",
        )  # fmt: skip
        stack.start_engine(wait=None)
        stack.start_web()
        stack.check_alive()
        yield stack


def screen(page: Page):
    return page.locator(JUDGE_SCREEN)


def scoring(stack: Stack, stage: str, min_left: float = 6.0):
    """The stage's state once a scoring window with `min_left` seconds to go is open."""

    def ready():
        s = stack.service().on(stage).bundle().state
        left = s.remaining(time.time())
        return s if s.phase.value == "SCORING" and left and left >= min_left else None

    return wait_for(ready, 60, f"a scoring window on {stage} with {min_left} s left", 0.1)


def score_on_screen(page: Page, value: str) -> None:
    expect(screen(page)).to_have_attribute("data-open", "true", timeout=30_000)
    screen(page).locator('input.value[aria-label^="Score"]').fill(value)
    screen(page).get_by_role("button", name="Submit score").click()
    expect(screen(page).locator(".state")).to_contain_text("Submitted", timeout=15_000)


def stored(stack: Stack, stage: str, judge: str, performer_id: str):
    snap = stack.service().on(stage).snapshot()
    return snap.by_performer.get(performer_id, {}).get(judge)


def on_stage(stack: Stack, stage: str) -> str:
    return stack.service().on(stage).snapshot().current.name


def test_two_stages_at_once_each_judge_scores_on_their_own_and_a_moved_judge_follows(festival, new_page):
    stack = festival
    one, four = open_judge(new_page(), stack, S1_JUDGE), open_judge(new_page(), stack, S2_JUDGE)
    expect(screen(one).locator(".phase")).to_contain_text("Stage 1 · ")
    expect(screen(four).locator(".phase")).to_contain_text("Stage 2 · ")
    boards = {}
    for stage in ("s1", "s2"):
        boards[stage] = new_page()
        boards[stage].goto(f"{stack.url}/leaderboard?stage={stage}&kiosk=1")
    desk = cookie_login(new_page(), stack, "admin@demo.local")
    desk.goto(stack.url + "/admin-festival")
    expect(desk.get_by_text("Festival", exact=True).first).to_be_visible(timeout=30_000)

    stack.cli("control", "start", "--force", "--stage", "s1")
    stack.cli("control", "start", "--force", "--stage", "s2")
    s1, s2 = scoring(stack, "s1"), scoring(stack, "s2")  # both windows open at once
    score_on_screen(one, "8")
    score_on_screen(four, "6")
    assert stored(stack, "s1", S1_JUDGE, s1.performer_id).total == 8
    assert stored(stack, "s2", S2_JUDGE, s2.performer_id).total == 6
    assert stored(stack, "s2", S1_JUDGE, s2.performer_id) is None  # nothing crossed stages

    # Each board names its stage and follows it; the desk has a line per stage with its performer.
    for stage, name in (("s1", "Stage 1"), ("s2", "Stage 2")):
        expect(boards[stage].locator(".board .event")).to_contain_text(f"{name} · ", timeout=20_000)
    # Each board shows its own stage's performer on stage now: a turn is 14 s, and while one board is
    # awaited the other stage may move on (read once for both, a loaded run saw s2 two acts on).
    for stage in ("s1", "s2"):
        shown = boards[stage].locator(".board .performer")
        wait_for(
            lambda shown=shown, stage=stage: shown.inner_text().strip() == on_stage(stack, stage),
            20,
            f"{stage}'s board to show the performer on stage",
            0.2,
        )
    wait_for(
        lambda: (
            [r["Stage"] for r in table_rows(desk)] == ["Stage 1", "Stage 2"]
            and all(r["Phase"] != "—" for r in table_rows(desk))
        ),
        30,
        "the festival desk's line for each stage",
    )

    # judge1 moves to Stage 2: the phone follows, scores there, and the old stage refuses it.
    stack.cli("judge", "assign", S1_JUDGE, "--stage", "s2")
    expect(screen(one).locator(".phase")).to_contain_text("Stage 2 · ", timeout=20_000)
    old = stack.service().on("s1").bundle().state
    refused = one.evaluate(
        POST_SCORE,
        {
            "event_id": old.event_id,
            "performer_id": old.performer_id or s1.performer_id,
            "window_id": old.window_id,
            "values": {"Score": "5"},
            "request_id": "moved-judge-old-stage",
        },
    )
    assert refused["status"] == 409 and not refused["body"]["ok"], refused
    now_s2 = scoring(stack, "s2", min_left=5.0)
    score_on_screen(one, "7")
    assert stored(stack, "s2", S1_JUDGE, now_s2.performer_id).total == 7
    for page in (one, four, desk, *boards.values()):
        assert_healthy(page)
