"""The live screens' pure rules (ui/components/live_core.js, judge_core.js), run in the real Chromium the
screens run in, without a server: the clock, the countdown, the score grid, the alerts, the retries."""

from __future__ import annotations

import json

import pytest

from ui.components import asset

pytestmark = pytest.mark.e2e
SCORE = {"name": "Score", "min": "0", "max": "10", "step": "0.1"}
QUARTERS = {"name": "Style", "min": "1", "max": "5", "step": "0.25"}


@pytest.fixture(scope="module")
def rules(browser):
    """call(name, *args): the JS function's answer, through JSON."""
    ctx = browser.new_context()
    page = ctx.new_page()
    page.set_content("<html><body></body></html>")
    page.add_script_tag(content=asset("live_core.js", "judge_core.js", "judge_view.js"))

    def call(name: str, *args):
        return page.evaluate(f"(args) => {name}(...args)", json.loads(json.dumps(list(args))))

    yield call
    ctx.close()


def doc(**fields) -> dict:
    base = {"event_id": "ev", "window_id": 3, "version": 7, "phase": "SCORING", "paused": False}
    return {**base, **fields}


def test_the_clock_offset_keeps_the_best_sample_and_follows_a_server_set_back_slowly(rules):
    # Samples are server_time - received: the true offset minus each one's latency.
    assert rules("nextOffset", None, 1000.0, 990.0, 0) == 10.0
    assert rules("nextOffset", 10.0, 1000.0, 990.5, 1) == pytest.approx(9.999)  # a slow sample: no drop
    assert rules("nextOffset", 10.0, 1000.0, 989.8, 1) == pytest.approx(10.2)
    assert rules("nextOffset", 10.0, 1000.0, 995.0, 100) == pytest.approx(9.9)  # decays, 1 ms a second
    assert rules("nextOffset", 10.0, None, 995.0, 1) == 10.0  # a document without server_time: kept


def test_seconds_left_come_from_the_deadline_on_the_corrected_clock(rules):
    assert rules("secondsLeft", doc(deadline=1010.0), 5.0, 1000.0) == 5.0
    assert rules("secondsLeft", doc(deadline=1010.0), 5.0, 1006.0) == 0  # never negative
    assert rules("secondsLeft", doc(deadline=None, paused=True, remaining_seconds=12.5), 5.0, 1000.0) == 12.5
    assert rules("secondsLeft", doc(deadline=None), 0, 1000.0) is None


def test_the_countdown_never_goes_back_up_within_a_window_version(rules):
    key = rules("windowKey", doc())
    first = rules("shownSeconds", 4.2, key, None)
    assert first == {"key": key, "value": 5}
    # A fresher document moves the offset and would show 6: the screen keeps 5.
    assert rules("shownSeconds", 5.4, key, first)["value"] == 5
    assert rules("shownSeconds", 3.9, key, first)["value"] == 4
    # An extension is a new version: now it may go up.
    extended = rules("windowKey", doc(version=8))
    assert rules("shownSeconds", 14.0, extended, first)["value"] == 14


def test_scoring_closes_at_the_deadline_without_a_push(rules):
    open_doc = doc(scoring_open=True, deadline=1010.0)
    assert rules("scoringOpen", open_doc, 0.4) is True
    assert rules("scoringOpen", open_doc, 0) is False
    assert rules("scoringOpen", doc(scoring_open=False, deadline=1010.0), 5) is False  # closed by the admin
    assert rules("scoringOpen", doc(scoring_open=True, phase="PERFORMING"), 5) is False
    assert rules("scoringOpen", doc(scoring_open=True, paused=True, remaining_seconds=3), 0) is True
    # A judge who stepped aside for the performer on stage never has the window open on their screen.
    assert rules("scoringOpen", {**open_doc, "stepped_aside": True}, 0.4) is False


def test_a_value_is_checked_on_the_criterion_grid(rules):
    assert rules("checkValue", "7.5", SCORE) is None
    assert rules("checkValue", "10", SCORE) is None
    assert rules("checkValue", "", SCORE) == "Enter a value for every criterion before submitting."
    bad = "Score must be a number from 0 to 10 in steps of 0.1."
    for value in ("10.1", "-1", "7.55", "7,5", "abc", "1e1"):
        assert rules("checkValue", value, SCORE) == bad, value
    assert rules("checkValue", "3.75", QUARTERS) is None
    assert rules("checkValue", "3.8", QUARTERS) == "Style must be a number from 1 to 5 in steps of 0.25."


def test_the_step_buttons_stay_on_the_grid_and_within_the_range(rules):
    assert rules("stepped", "7.5", SCORE, 1) == "7.6"
    assert rules("stepped", "7.5", SCORE, -1) == "7.4"
    assert rules("stepped", "0.3", SCORE, -1) == "0.2"  # no 0.19999999999999998
    assert rules("stepped", "10", SCORE, 1) == "10.0"
    assert rules("stepped", "0", SCORE, -1) == "0.0"
    assert rules("stepped", "", SCORE, 1) == "5.0"  # an empty field starts in the middle
    assert rules("stepped", "3.3", QUARTERS, 1) == "3.50"  # off the grid: snapped the tap's way
    assert rules("stepped", "3.3", QUARTERS, -1) == "3.25"


def test_drafts_are_kept_apart_per_judge_event_window_and_criterion(rules):
    keys = {
        rules("draftKey", "j1", "ev", 3, "Score"),
        rules("draftKey", "j2", "ev", 3, "Score"),
        rules("draftKey", "j1", "ev2", 3, "Score"),
        rules("draftKey", "j1", "ev", 4, "Score"),
        rules("draftKey", "j1", "ev", 3, "Style"),
    }
    assert len(keys) == 5


def test_values_that_say_the_same_number_are_the_same(rules):
    assert rules("sameValues", {"Score": "7.50"}, {"Score": "7.5"})
    assert rules("sameValues", {"Score": " 7.5"}, {"Score": "7.5"})
    assert not rules("sameValues", {"Score": "7.6"}, {"Score": "7.5"})
    assert not rules("sameValues", {"Score": ""}, {"Score": "0"})
    assert not rules("sameValues", {"Score": "7.5"}, {"Score": "7.5", "Style": "3"})


def test_the_state_line_is_unmistakable(rules):
    assert rules("stateLine", True, None, "SCORING") == {"kind": "todo", "text": "Not submitted yet"}
    assert rules("stateLine", False, None, "SCORING") == {"kind": "closed", "text": "Scoring closed"}
    mine = {"total": "7.50", "revision": 2}
    assert rules("stateLine", True, mine, "SCORING", False)["text"] == "Submitted: 7.50 (revision 2)"
    changed = rules("stateLine", True, mine, "SCORING", True)
    assert changed["kind"] == "changed"
    assert changed["text"] == "Submitted: 7.50 (revision 2) · your change is not sent yet"
    assert rules("stateLine", False, mine, "SCORING", True)["kind"] == "submitted"  # closed: nothing to send


def test_the_alerts_fire_once_at_opening_and_once_five_seconds_before_closing(rules):
    assert rules("alertDue", False, True, 30, False, {}) == "open"
    assert rules("alertDue", True, True, 30, False, {"open": True}) is None
    assert rules("alertDue", True, True, 4.9, False, {"open": True}) == "closing"
    assert rules("alertDue", True, True, 4.8, False, {"open": True, "closing": True}) is None
    assert rules("alertDue", True, True, 4.9, True, {"open": True}) is None  # paused: no deadline coming


def test_the_judge_is_told_whether_a_retry_was_saved_or_replayed(rules):
    fresh = rules("ackText", {"total": "7.50", "revision": 1, "replayed": False})
    replay = rules("ackText", {"total": "7.50", "revision": 1, "replayed": True})
    assert fresh.startswith("Your score for this performer: 7.50 (revision 1).")
    assert "Saved." in fresh and "twice" not in fresh
    assert replay.startswith("Your score for this performer: 7.50 (revision 1).")
    assert "nothing was added twice" in replay
    assert [s for s in (0, 200, 400, 401, 409, 502, 503, 504) if rules("retryable", s)] == [0, 502, 503, 504]


def test_the_reveal_shows_the_place_just_revealed_and_names_its_category_when_ranked_apart(rules):
    d2 = {"rank": 2, "performer": "D2", "category": "Dance", "total": "7.00"}
    m2 = {"rank": 2, "performer": "M2", "category": "Music", "total": "6.00"}
    tied = {"rank": 2, "performer": "M3", "category": "Music", "total": "6.00"}
    apart = {"categories": ["Dance", "Music"], "rank_overall": False, "reveal_complete": False}
    assert rules("revealLines", {**apart, "revealed": [d2]}) == ["Place 2 in Dance: D2 — 7.00"]
    # Music's second place (a tie) follows Dance's: only Music's is the place just revealed.
    assert rules("revealLines", {**apart, "revealed": [d2, m2, tied]}) == [
        "Place 2 in Music: M2 — 6.00",
        "Place 2 in Music: M3 — 6.00",
    ]
    overall = {**apart, "rank_overall": True, "revealed": [d2, m2]}
    assert rules("revealLines", overall) == ["Place 2: D2 — 7.00", "Place 2: M2 — 6.00"]
    assert rules("revealLines", {**apart, "revealed": [d2], "reveal_complete": True}) == []
    assert rules("revealLines", {"revealed": []}) == []


def test_the_board_says_whose_scores_wait_for_the_window_to_close(rules):
    line = rules("heldLine", {"held_back": "<b>Ada</b>"})
    assert line == "<b>Ada</b>: scores after the scoring window closes"  # text: board.js draws it with el()
    assert rules("heldLine", {"held_back": None}) == ""


def test_a_judge_who_stepped_aside_is_told_so_instead_of_the_form(rules):
    aside, closed = "You stepped aside for this performer.", "Scoring for this performer has closed."
    for phase in ("PERFORMING", "SCORING"):
        assert rules("idleWords", doc(phase=phase, stepped_aside=True)) == aside
    assert rules("idleWords", doc(phase="SCORING", stepped_aside=False)) == closed


def test_a_ticking_clock_writes_only_what_changed(rules):
    """The countdown and its bar are written 5-10 times a second: a write of what is already there would
    lay out and paint the page each time (a phone's battery, the projector PC), so none is made."""
    writes = rules(
        "(() => { const box = document.createElement('div'); const fill = document.createElement('div');"
        " document.body.append(box, fill);"
        " const seen = []; new MutationObserver((m) => seen.push(m.length))"
        "   .observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});"
        " return async () => {"
        "   setText(box, '5 s'); setFill(fill, 0.5);"
        "   await new Promise((r) => setTimeout(r));"
        "   const first = seen.length;"
        "   for (let i = 0; i < 10; i++) { setText(box, '5 s'); setFill(fill, 0.50004); }"
        "   await new Promise((r) => setTimeout(r));"
        "   const same = seen.length - first;"
        "   setText(box, '4 s'); setFill(fill, 0.4);"
        "   await new Promise((r) => setTimeout(r));"
        "   return {first, same, changed: seen.length - first - same, text: box.textContent,"
        "           width: fill.style.width};"
        " }; })()"
    )
    assert writes == {"first": 1, "same": 0, "changed": 1, "text": "4 s", "width": "40%"}


def test_the_bar_moves_in_tenths_of_a_percent_and_stays_within_its_box(rules):
    widths = rules(
        "(() => (fractions) => fractions.map((f) => { const e = document.createElement('div');"
        " setFill(e, f); return e.style.width; }))()",
        [0.123456, 1.5, -0.2, None, 0.9999],
    )
    assert widths == ["12.3%", "100%", "0%", "0%", "100%"]
