"""The audience vote's rules (engine/domain/votes.py): windows on the show clock, what a vote may be,
tallies, the people's choice and the combined ranking. Pure: no database, no clock."""

from __future__ import annotations

from dataclasses import replace

import pytest

from engine.domain import votes
from engine.domain.model import EventState, InvalidInput, Phase, ScoreRefused, VoteMode, VoteSettings
from engine.domain.votes import (
    FINAL,
    CloseWindow,
    OpenWindow,
    SetClose,
    TallyWindow,
    VoteWindow,
)

PER_ACT = VoteSettings(mode=VoteMode.PER_ACT, grace_seconds=60)
FINAL_5 = VoteSettings(mode=VoteMode.FINAL, final_minutes=5)


def state(phase: Phase, index: int = 0, **kw) -> EventState:
    return EventState("ev", phase=phase, order=("a", "b", "c"), index=index, **kw)


def window(key: str, opened_at: float = 100.0, closes_at: float | None = None, closed: bool = False):
    return VoteWindow(key, "K7Q2M", opened_at, closes_at, closed)


# ---- windows on the show clock -------------------------------------------------------------------
def test_nothing_happens_while_voting_is_off():
    assert votes.due(state(Phase.PERFORMING), VoteSettings(), {}, 100.0, "ABCDE") == []


def test_a_performers_window_opens_when_they_go_on_stage():
    assert votes.due(state(Phase.PERFORMING), PER_ACT, {}, 100.0, "ABCDE") == [
        OpenWindow("a", "ABCDE", 100.0, None)
    ]


def test_an_open_window_is_not_opened_twice():
    assert votes.due(state(Phase.SCORING), PER_ACT, {"a": window("a")}, 120.0, "ABCDE") == []


def test_a_window_closes_a_grace_period_after_its_performers_scoring_closed():
    # b went on stage: a's scoring window has closed; a's vote stays open for the grace period.
    changes = votes.due(state(Phase.PERFORMING, 1), PER_ACT, {"a": window("a")}, 130.0, "ZZZZZ")
    assert SetClose("a", 190.0) in changes
    assert OpenWindow("b", "ZZZZZ", 130.0, None) in changes


def test_the_last_performers_window_gets_its_close_when_the_event_finishes():
    changes = votes.due(state(Phase.FINISHED, 2), PER_ACT, {"c": window("c")}, 300.0, "X")
    assert changes == [SetClose("c", 360.0)]


def test_a_window_past_its_close_is_closed_and_tallied():
    windows = {"a": window("a", closes_at=190.0)}
    assert votes.due(state(Phase.PERFORMING, 1), PER_ACT, windows, 189.9, "X") == [
        OpenWindow("b", "X", 189.9, None)
    ]
    changes = votes.due(state(Phase.PERFORMING, 1), PER_ACT, {**windows, "b": window("b")}, 190.0, "X")
    # Closed first (no vote commits after), then tallied from the counters: nothing slips between.
    assert changes == [CloseWindow("a", 190.0), TallyWindow("a", 190.0)]


def test_a_closed_window_not_yet_tallied_is_tallied_by_whoever_holds_the_lease_next():
    windows = {"a": window("a", closes_at=190.0, closed=True), "b": window("b")}
    assert votes.due(state(Phase.PERFORMING, 1), PER_ACT, windows, 500.0, "X") == [TallyWindow("a", 500.0)]


def test_a_tallied_window_stays_closed():
    windows = {"a": replace(window("a", closes_at=190.0, closed=True), tallied=True), "b": window("b")}
    assert votes.due(state(Phase.PERFORMING, 1), PER_ACT, windows, 500.0, "X") == []


def test_the_final_vote_opens_after_the_last_performer_for_its_minutes():
    finished = state(Phase.FINISHED, 2, finished_at=400.0)
    assert votes.due(finished, FINAL_5, {}, 400.2, "F") == [OpenWindow(FINAL, "F", 400.0, 700.0)]
    assert votes.due(state(Phase.SCORING, 2), FINAL_5, {}, 390.0, "F") == []


def test_a_final_vote_without_minutes_waits_for_the_admin():
    manual = VoteSettings(mode=VoteMode.FINAL, final_minutes=0)
    assert votes.due(state(Phase.FINISHED, 2, finished_at=400.0), manual, {}, 401.0, "F") == []


def test_the_next_wakeup_is_the_nearest_close():
    windows = {"a": window("a", closes_at=190.0), "b": window("b", closes_at=150.0), "c": window("c")}
    assert votes.next_close(windows) == 150.0
    closed = window("a", closes_at=190.0, closed=True)
    assert votes.next_close({"a": closed}) == 190.0  # still to tally: look again at once
    assert votes.next_close({"a": replace(closed, tallied=True)}) is None


def test_a_window_is_open_until_its_close():
    assert window("a").open_at(10_000.0)
    assert window("a", closes_at=190.0).open_at(189.99)
    assert not window("a", closes_at=190.0).open_at(190.0)
    assert not window("a", closed=True).open_at(150.0)


# ---- what a vote may be --------------------------------------------------------------------------
def test_a_vote_for_an_act_is_one_to_five_stars():
    assert votes.vote_value("a", 4, ("a", "b")) == 4
    for bad in (0, 6, 2.5, "3", True, None):
        with pytest.raises(InvalidInput):
            votes.vote_value("a", bad, ("a", "b"))


def test_a_final_vote_names_a_performer_of_the_event():
    assert votes.vote_value(FINAL, "b", ("a", "b")) == "b"
    with pytest.raises(InvalidInput):
        votes.vote_value(FINAL, "zz", ("a", "b"))
    with pytest.raises(InvalidInput):
        votes.vote_value(FINAL, 3, ("a", "b"))


def test_a_code_is_read_forgivingly_and_checked():
    assert votes.normal_code(" k7q2m ") == "K7Q2M"
    with pytest.raises(InvalidInput):
        votes.normal_code("K7Q2M" * 10)
    with pytest.raises(ScoreRefused):
        votes.check_code(window("a"), "AAAAA")
    votes.check_code(window("a"), "K7Q2M")


def test_new_codes_use_letters_nobody_misreads():
    code = votes.new_code()
    assert len(code) == votes.CODE_LENGTH and set(code) <= set(votes.CODE_ALPHABET)
    assert not set("01OIL5S") & set(votes.CODE_ALPHABET)


# ---- settings -------------------------------------------------------------------------------------
def test_vote_settings_are_checked():
    votes.validate(PER_ACT)
    for bad in (
        VoteSettings(mode=VoteMode.PER_ACT, grace_seconds=-1),
        VoteSettings(mode=VoteMode.PER_ACT, grace_seconds=100_000),
        VoteSettings(mode=VoteMode.FINAL, final_minutes=-1),
        VoteSettings(mode=VoteMode.FINAL, jury_percent=101),
    ):
        with pytest.raises(InvalidInput):
            votes.validate(bad)


def test_vote_settings_round_trip_through_json():
    s = VoteSettings(mode=VoteMode.FINAL, grace_seconds=30, final_minutes=2.5, jury_percent=50)
    assert votes.settings_from_dict(votes.settings_to_dict(s)) == s
    assert votes.settings_from_dict(None) == VoteSettings()
