"""The time penalty (engine/domain/overtime.py) and the admin's "done" that times a performance on the
engine's own clock, pauses left out (engine/domain/rules.py): pure rules."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.domain import overtime, rules
from engine.domain.catalogue import TimeRule
from engine.domain.model import (
    Command,
    CommandKind,
    CommandRefused,
    EventState,
    InvalidInput,
    Performer,
    PerformerStatus,
    Phase,
    Settings,
)
from engine.store import codec

# Three minutes; over it by any amount 0.5, plus 0.1 per full 5 s beyond, at most 2.
CHEER = TimeRule(180, D("0.5"), D("0.1"), 5, D(2))
S = Settings(perform_seconds=240, score_seconds=30, time_rule=CHEER)


def performing(at: float = 100.0) -> EventState:
    lobby = EventState("e1", Phase.LOBBY, ("p1", "p2"))
    return rules.apply_command(lobby, S, Command(CommandKind.START, force=True), at, present=0).state


def done(state: EventState, now: float, **kw):
    return rules.apply_command(state, S, Command(CommandKind.DONE, **kw), now, present=0)


# ---- the rule ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("performed", "points"),
    [
        (170.0, D(0)),  # within
        (180.0, D(0)),  # at the limit
        (180.9, D(0)),  # 3:00.9 shows 3:00 on a stopwatch: within
        (181.0, D("0.5")),  # over by 1 s: the first penalty
        (184.9, D("0.5")),  # 4 s beyond: no full step yet
        (192.0, D("0.7")),  # 12 s: two full steps of 5 s
        (300.0, D(2)),  # 120 s: 0.5 + 24 × 0.1 = 2.9, held to the cap
    ],
)
def test_the_penalty_over_the_limit(performed, points):
    assert overtime.penalty(CHEER, performed) == points


def test_a_flat_penalty_and_no_limit():
    flat = TimeRule(60, D(1))
    assert [overtime.penalty(flat, t) for t in (60.5, 61, 600)] == [D(0), D(1), D(1)]
    assert overtime.penalty(TimeRule(), 10_000) == D(0)
    assert overtime.over_by(CHEER, float("nan")) == 0


@given(st.floats(0, 2000), st.floats(0, 2000))
def test_more_time_never_costs_less_and_never_more_than_the_cap(a, b):
    short, long = sorted((a, b))
    assert overtime.penalty(CHEER, short) <= overtime.penalty(CHEER, long) <= CHEER.cap


def test_the_reason_and_the_rule_in_words():
    assert overtime.reason(CHEER, 192.4) == "Over time by 12 s: 3:12, limit 3:00"
    assert overtime.describe(CHEER) == "limit 3:00: over it 0.5, plus 0.1 per full 5 s beyond, at most 2"
    assert overtime.describe(TimeRule(90, D(1))) == "limit 1:30: over it 1"
    assert overtime.describe(TimeRule()) == "no time limit"


def test_the_rule_from_setups_fields():
    assert overtime.parse("180", "0.5", "0.1", "5", "2") == CHEER
    assert overtime.parse("0", "1") == TimeRule()  # no limit: nothing else matters
    assert overtime.parse(60, 1, "", "", "") == TimeRule(60, D(1))
    with pytest.raises(InvalidInput, match="needs a penalty"):
        overtime.parse(60)
    with pytest.raises(InvalidInput, match="need the step's seconds"):
        overtime.parse(60, 0, "0.1", 0)
    with pytest.raises(InvalidInput, match="whole number from 0"):
        overtime.parse("90.5", 1)
    with pytest.raises(InvalidInput, match="points must be a number"):
        overtime.parse(60, "lots")
    with pytest.raises(InvalidInput, match=r"cap \(0.2\) is less than its first penalty"):
        overtime.parse(60, "0.5", cap="0.2")


def test_a_rule_is_kept_with_the_settings():
    saved = codec.settings_to_json(S)
    assert codec.settings_from_json(saved).time_rule == CHEER
    assert "time_rule" not in codec.settings_to_json(Settings())  # settings without one hash as before
    assert "time_rule" in rules.LOCKED_SETTINGS


def test_a_performers_entry_needs_a_limit_and_a_timed_performance():
    timed = Performer("p1", "Ada", 1, PerformerStatus.SCORING, performed_seconds=192.4)
    assert overtime.entry_for(S, timed) == (D("0.7"), "Over time by 12 s: 3:12, limit 3:00")
    with pytest.raises(InvalidInput, match="no time limit"):
        overtime.entry_for(Settings(), timed)
    with pytest.raises(InvalidInput, match="^Ada's performance was not timed"):
        overtime.entry_for(S, Performer("p1", "Ada", 1, PerformerStatus.DONE))
    assert overtime.entry_id("p1") == overtime.entry_id("p1") != overtime.entry_id("p2")


# ---- "done": the engine's clock times the performance ----------------------------------------------------
def test_done_opens_scoring_now_and_records_the_time():
    state = performing(100.0)
    step = done(state, 292.4, window_id=state.window_id)
    assert step.kind == "performance_done" and step.at == 292.4
    assert step.detail == {"performer_id": "p1", "performed_seconds": 192.4}
    assert step.state.phase is Phase.SCORING and step.state.deadline == 292.4 + 30
    assert step.performer_updates == {"p1": PerformerStatus.SCORING}


def test_a_pause_is_left_out_of_the_time():
    state = performing(100.0)
    pause = lambda s, t: rules.apply_command(s, S, Command(CommandKind.PAUSE), t, 0).state  # noqa: E731
    resume = lambda s, t: rules.apply_command(s, S, Command(CommandKind.RESUME), t, 0).state  # noqa: E731
    state = resume(pause(state, 150.0), 170.0)  # 20 s held
    state = resume(pause(state, 200.0), 205.0)  # 5 more
    assert rules.performed(state, 300.0) == 175.0
    paused = pause(state, 290.0)  # done while paused: the pause so far is left out too
    assert rules.performed(paused, 310.0) == 165.0
    step = done(paused, 310.0)
    assert step.detail["performed_seconds"] == 165.0
    assert not step.state.paused and step.state.paused_for == 0.0 and step.state.paused_at is None


def test_a_pause_does_not_carry_into_the_next_window():
    state = rules.apply_command(performing(100.0), S, Command(CommandKind.PAUSE), 120.0, 0).state
    state = rules.apply_command(state, S, Command(CommandKind.RESUME), 130.0, 0).state
    state = done(state, 150.0).state
    (closed,) = rules.due_steps(state, S, state.deadline, 0)
    assert closed.state.phase is Phase.PERFORMING and closed.state.paused_for == 0.0
    assert rules.performed(closed.state, closed.state.window_started_at + 42) == 42


def test_done_twice_changes_nothing():
    """A second click (or a retry) on the window it saw is refused: one step, one time, one penalty."""
    state = performing(100.0)
    first = done(state, 200.0, window_id=state.window_id).state
    with pytest.raises(CommandRefused, match="The clock moved on"):
        done(first, 201.0, window_id=state.window_id)
    with pytest.raises(CommandRefused, match="^Done ends a performance; scoring is already open.$"):
        done(first, 201.0)


def test_the_timed_state_is_kept_in_the_status_item():
    state = rules.apply_command(performing(100.0), S, Command(CommandKind.PAUSE), 120.0, 0).state
    assert codec.state_from_item(codec.state_to_item(state)) == state
    resumed = rules.apply_command(state, S, Command(CommandKind.RESUME), 130.0, 0).state
    assert codec.state_from_item(codec.state_to_item(resumed)).paused_for == 10.0
    ada = Performer("p1", "Ada", 1, PerformerStatus.SCORING, performed_seconds=192.4)
    assert codec.performer_from_item(codec.performer_to_item("e1", ada)) == ada
