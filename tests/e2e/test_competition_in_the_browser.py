"""A competition through real browsers: two categories, heats then a final, one conflict of interest and
one performer sent to the end, set up on the Setup page and run from Control, three judges and the board.

The demo's judges weigh 2, 1, 1. Judge 1 scores on the judge page of a phone; judges 2 and 3 through the
service, as their pages would (and with their heartbeats, so they are present). Scoring closes once every
present judge who may score has scored (auto-close), so the windows last as long as the judges take.
The test ranks each category itself from what it submitted (a weighted mean over the judges who may
score) and reads the board: the heats' rankings per category, then one podium per category in the final.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from engine.domain.model import Phase, ScoreRefused
from tests.e2e.browsing import (
    APP,
    DESK,
    JUDGE_SCREEN,
    assert_healthy,
    board_category_podiums,
    board_rows,
    choose,
    cookie_login,
    open_desk,
    open_judge,
    settle,
    shown,
    wait_for,
)
from tests.e2e.stack import DEMO_WEIGHTS, Stack, start_stack

pytestmark = pytest.mark.e2e

WEIGHTS = DEMO_WEIGHTS
ROSTER = [("Tess Tap", "Dance"), ("Lila Keys", "Music"), ("Omar Flex", "Dance"), ("Bram Horn", "Music")]
CATEGORY = dict(ROSTER)
MOVED = "Tess Tap"  # not ready: sent to the end before the heats start
RECUSED = ("judge3", "Bram Horn")  # Judge 3 teaches Bram Horn
# judge -> value; the recused judge has none. Heats: Tess 8.25 and Omar 6.75 (Dance), Lila 8 and Bram
# 7.67 (Music): Bram's is (2 x 7 + 9) / 3, Judge 3 left out and the weights renormalised over the others.
HEATS = {
    "Lila Keys": {"judge1": "8", "judge2": "7", "judge3": "9"},
    "Omar Flex": {"judge1": "6", "judge2": "7", "judge3": "8"},
    "Bram Horn": {"judge1": "7", "judge2": "9"},
    "Tess Tap": {"judge1": "9", "judge2": "8", "judge3": "7"},
}
FINAL = {
    "Tess Tap": {"judge1": "7", "judge2": "8", "judge3": "9"},
    "Lila Keys": {"judge1": "9", "judge2": "9", "judge3": "8"},
}


@pytest.fixture(scope="module")
def stack(dynamodb_endpoint) -> Iterator[Stack]:
    # The scoring window is a ceiling (auto-close ends it once the judges are in): long enough for a
    # phone on a busy machine, never waited out.
    yield from start_stack(perform_seconds=1, score_seconds=20, performers=4)


def category_ranks(marks: dict[str, dict[str, str]]) -> dict[str, dict[int, tuple[str, str]]]:
    """{category: {rank: (performer, total)}}, computed from the marks alone."""
    totals = {
        name: sum(WEIGHTS[j] * Decimal(v) for j, v in by.items()) / sum(WEIGHTS[j] for j in by)
        for name, by in marks.items()
    }
    out: dict[str, dict[int, tuple[str, str]]] = {}
    for name in sorted(totals, key=totals.get, reverse=True):
        places = out.setdefault(CATEGORY[name], {})
        places[len(places) + 1] = (name, shown(totals[name]))
    assert len({shown(t) for t in totals.values()}) == len(totals), "the test's own values must not tie"
    return out


class Heartbeats:
    """Judges 2 and 3 have no page open: their heartbeats every second, as their pages would send."""

    def __init__(self, stack: Stack, tokens: dict[str, str]):
        self.svc, self.tokens, self.stop = stack.service(), tokens, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop.is_set():
            for token in self.tokens.values():
                try:
                    self.svc.heartbeat(token)
                except Exception:  # between two events the next beat says it again
                    pass
            self.stop.wait(1.0)


def setup_page(admin: Page, stack: Stack) -> Page:
    admin.goto(stack.url + "/admin-setup")
    expect(admin.get_by_role("button", name="Advance to the next round")).to_be_visible(timeout=30_000)
    expect(admin.get_by_role("combobox").first).to_be_visible(timeout=30_000)
    settle(admin)
    return admin


def done(admin: Page, message: str) -> None:
    """Wait for the Setup page's acknowledgement of an action, and for the page to be still again."""
    expect(admin.locator(APP).get_by_text(message)).to_be_visible(timeout=20_000)
    settle(admin)


def set_up_heats(admin: Page) -> None:
    csv = "name,order,category\n" + "".join(f"{n},{i},{c}\n" for i, (n, c) in enumerate(ROSTER, start=1))
    admin.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        files=[{"name": "roster.csv", "mimeType": "text/csv", "buffer": csv.encode()}]
    )
    admin.get_by_role("button", name="Import this CSV").click()
    done(admin, "Roster imported.")
    # The Control page starts each round; scoring closes once the judges are in; categories apart.
    for label, on in (
        ("Start automatically on quorum", False),
        ("Close scoring once every present judge has scored", True),
        ("Rank overall as well", False),
    ):
        box = admin.get_by_role("checkbox", name=label)
        if box.is_checked() != on:
            admin.get_by_test_id("stCheckbox").filter(has_text=label).click()
        expect(box).to_be_checked(checked=on)
    admin.get_by_role("button", name="Save settings").click()
    done(admin, "Settings saved.")
    # The running order's selectbox comes first on the page, the conflict form's later.
    choose(admin, admin.get_by_role("combobox", name="Performer").first, MOVED)
    admin.get_by_role("button", name="Send to the end (not ready)").click()
    done(admin, f"{MOVED} goes last.")
    form = admin.get_by_test_id("stForm").filter(has=admin.get_by_role("button", name="Declare conflict"))
    judge, performer = RECUSED
    choose(admin, form.get_by_role("combobox", name="Judge"), f"Judge {judge[-1]}")
    choose(admin, form.get_by_role("combobox", name="Performer"), performer)
    form.get_by_role("button", name="Declare conflict").click()
    done(admin, f"Judge {judge[-1]} steps aside for {performer}.")


def start_from_control(admin: Page, stack: Stack) -> None:
    open_desk(admin, stack)
    wait_for(lambda: len(stack.snapshot().present) == 3, 20, "the three judges to be present")
    expect(admin.locator(DESK).get_by_text("3 / 3 required")).to_be_visible(timeout=20_000)
    admin.get_by_role("button", name="Start", exact=True).click()
    wait_for(lambda: stack.snapshot().state.phase is Phase.PERFORMING, 20, "the round to start")


def play(stack: Stack, phone: Page, tokens: dict[str, str], marks: dict[str, dict[str, str]]) -> list[str]:
    """Score every performer as they come; returns the names in the order they performed."""
    svc, played = stack.service(), []
    for index in range(len(marks)):

        def scoring(i=index):
            state = svc.bundle().state
            return state.phase is Phase.SCORING and state.index == i and state

        state = wait_for(scoring, 30, f"scoring to open for performer {index + 1}")
        name = svc.snapshot().performer_name(state.performer_id)
        played.append(name)
        for judge in ("judge2", "judge3"):
            if judge in marks[name]:
                svc.submit_score(tokens[judge], state.performer_id, {"Score": marks[name][judge]})
            else:
                with pytest.raises(ScoreRefused, match="stepped aside"):
                    svc.submit_score(tokens[judge], state.performer_id, {"Score": "9"})
        # Judge 1 last, on the phone: the window closes as soon as this score is in.
        screen = phone.locator(JUDGE_SCREEN)
        expect(screen.get_by_role("heading", name=name)).to_be_visible(timeout=20_000)
        expect(screen).to_have_attribute("data-open", "true", timeout=20_000)
        box = screen.locator('input.value[aria-label^="Score"]')
        expect(box).to_be_enabled(timeout=20_000)
        box.fill(marks[name]["judge1"])
        screen.get_by_role("button", name="Submit score").click()
    wait_for(lambda: svc.bundle().state.phase is Phase.FINISHED, 30, "the round to finish")
    return played


def check_scores(stack: Stack, marks: dict[str, dict[str, str]]) -> None:
    """What the database holds for this round is what the judges gave, the recused cell empty."""
    snap = stack.snapshot()
    names = {p.performer_id: p.name for p in snap.performers}
    stored = {(names[s.performer_id], s.judge.split("@")[0]): s.total for s in snap.scores}
    assert stored == {(n, j): Decimal(v) for n, by in marks.items() for j, v in by.items()}


def test_two_rounds_two_categories_a_conflict_and_a_late_performer(stack, new_page):
    board = new_page()
    board.goto(f"{stack.url}/leaderboard?kiosk=1")
    admin = setup_page(cookie_login(new_page(), stack, "admin@demo.local"), stack)
    set_up_heats(admin)
    order = [stack.snapshot().performer_name(p) for p in stack.snapshot().state.order]
    assert order == [n for n, _ in ROSTER if n != MOVED] + [MOVED]

    svc = stack.service()
    tokens = {j: svc.logins.login(f"{j}@demo.local", stack.password).token for j in ("judge2", "judge3")}
    beats = Heartbeats(stack, tokens)
    beats.thread.start()
    try:
        phone = open_judge(new_page(), stack, "judge1@demo.local")
        start_from_control(admin, stack)
        assert play(stack, phone, tokens, HEATS) == order
        check_scores(stack, HEATS)

        # The heats on the board: each category ranked on its own, the recused cell said so.
        want = category_ranks(HEATS)

        def heats_board():
            return {
                (r["Category"], int(r["Rank"]), r["Performer"], r["Total"], r["Judge 3"])
                for r in board_rows(board)
            }

        rows_want = {
            (
                CATEGORY[n],
                rank,
                n,
                total,
                "recused" if (("judge3", n) == RECUSED) else shown(Decimal(HEATS[n]["judge3"])),
            )
            for places in want.values()
            for rank, (n, total) in places.items()
        }
        wait_for(
            lambda: heats_board() == rows_want, 20, lambda: f"{rows_want}; the board shows {heats_board()}"
        )
        assert board_category_podiums(board) == want

        # The best of each category go through to the final, from Setup.
        setup_page(admin, stack)
        admin.get_by_label("Next round's name").fill("Final")
        admin.get_by_role("button", name="Advance to the next round").click()
        done(admin, "The next round is ready")
        finalists = {places[1][0] for places in want.values()}
        final_order = [stack.snapshot().performer_name(p) for p in stack.snapshot().state.order]
        assert set(final_order) == finalists == set(FINAL)

        start_from_control(admin, stack)
        assert play(stack, phone, tokens, FINAL) == final_order
        check_scores(stack, FINAL)
    finally:
        beats.stop.set()
        beats.thread.join(5)

    # The final on the board: its name, and one podium per category against the test's own arithmetic.
    expect(board.locator(".board .round")).to_have_text("Final", timeout=20_000)
    podiums = category_ranks(FINAL)
    wait_for(
        lambda: board_category_podiums(board) == podiums,
        20,
        lambda: f"the podiums {podiums}; the board shows {board_category_podiums(board)}",
    )
    for page in (board, admin, phone):
        assert_healthy(page)
