"""The rules of the event: the pure state machine."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.domain import rules
from engine.domain.model import (
    Command,
    CommandKind,
    CommandRefused,
    EventState,
    PerformerStatus,
    Phase,
    ScoreRefused,
    Settings,
)

S = Settings(perform_seconds=10, score_seconds=30, required_judges=3)
ORDER = ("p1", "p2", "p3")


def lobby() -> EventState:
    return EventState(event_id="e1", phase=Phase.LOBBY, order=ORDER)


def started(at: float = 100.0) -> EventState:
    return rules.apply_command(lobby(), S, Command(CommandKind.START, force=True), at, present=0).state


def cmd(kind, **kw) -> Command:
    return Command(kind, **kw)


def test_start_without_quorum_from_setup_opens_the_lobby():
    s = EventState(event_id="e1", order=ORDER)
    step = rules.apply_command(s, S, cmd(CommandKind.START), 5.0, present=1)
    assert step.state.phase is Phase.LOBBY
    assert step.state.version == 1


def test_start_with_quorum_begins_first_performance():
    step = rules.apply_command(lobby(), S, cmd(CommandKind.START), 5.0, present=3)
    st_ = step.state
    assert st_.phase is Phase.PERFORMING
    assert st_.performer_id == "p1"
    assert st_.deadline == 15.0
    assert step.performer_updates == {"p1": PerformerStatus.PERFORMING}


def test_start_in_lobby_without_quorum_is_refused_unless_forced():
    with pytest.raises(CommandRefused, match="3 judges"):
        rules.apply_command(lobby(), S, cmd(CommandKind.START), 5.0, present=2)
    assert rules.apply_command(
        lobby(), S, cmd(CommandKind.START, force=True), 5.0, present=0
    ).state.phase is (Phase.PERFORMING)


def test_start_with_empty_roster_is_refused():
    with pytest.raises(CommandRefused, match="performer"):
        rules.apply_command(
            EventState(event_id="e1", phase=Phase.LOBBY), S, cmd(CommandKind.START, force=True), 1, 3
        )


def test_lobby_auto_starts_on_quorum():
    steps = rules.due_steps(lobby(), S, now=50.0, present=3)
    assert [s.state.phase for s in steps] == [Phase.PERFORMING]
    assert steps[0].at == 50.0


def test_lobby_waits_without_quorum_or_with_auto_start_off():
    assert rules.due_steps(lobby(), S, now=50.0, present=2) == []
    assert rules.due_steps(lobby(), S.with_changes(auto_start=False), now=50.0, present=3) == []


def test_performing_moves_to_scoring_at_the_deadline_not_at_now():
    s = started(100.0)
    assert rules.due_steps(s, S, now=109.999, present=3) == []
    steps = rules.due_steps(s, S, now=110.02, present=3)
    assert len(steps) == 1
    assert steps[0].state.phase is Phase.SCORING
    assert steps[0].at == 110.0
    assert steps[0].state.deadline == 140.0  # scheduled from the deadline: no drift


def test_overdue_transitions_apply_in_order_with_their_scheduled_times():
    s = started(100.0)
    steps = rules.due_steps(s, S, now=100.0 + 40 + 40 + 5, present=3)
    assert [(x.state.phase, x.state.performer_id, x.at) for x in steps] == [
        (Phase.SCORING, "p1", 110.0),
        (Phase.PERFORMING, "p2", 140.0),
        (Phase.SCORING, "p2", 150.0),
        (Phase.PERFORMING, "p3", 180.0),
    ]
    versions = [x.state.version for x in steps]
    assert versions == sorted(set(versions))
    windows = [x.state.window_id for x in steps]
    assert windows == sorted(set(windows))


def test_last_scoring_window_finishes_the_event():
    s = started(0.0)
    steps = rules.due_steps(s, S, now=1000.0, present=3)
    assert steps[-1].state.phase is Phase.FINISHED
    assert steps[-1].at == 120.0
    assert rules.due_steps(steps[-1].state, S, now=5000.0, present=3) == []


def test_pause_freezes_and_resume_restores_remaining_time():
    s = started(100.0)
    paused = rules.apply_command(s, S, cmd(CommandKind.PAUSE), 104.0, 3).state
    assert paused.paused and paused.paused_remaining == 6.0
    assert rules.due_steps(paused, S, now=500.0, present=3) == []
    assert paused.remaining(500.0) == 6.0
    resumed = rules.apply_command(paused, S, cmd(CommandKind.RESUME), 500.0, 3).state
    assert not resumed.paused and resumed.deadline == 506.0


def test_pause_twice_and_resume_when_running_are_refused():
    s = started()
    p = rules.apply_command(s, S, cmd(CommandKind.PAUSE), 101.0, 3).state
    with pytest.raises(CommandRefused, match="already paused"):
        rules.apply_command(p, S, cmd(CommandKind.PAUSE), 102.0, 3)
    with pytest.raises(CommandRefused, match="not paused"):
        rules.apply_command(s, S, cmd(CommandKind.RESUME), 102.0, 3)


def test_extend_adds_seconds_running_or_paused():
    s = started(100.0)
    assert rules.apply_command(s, S, cmd(CommandKind.EXTEND, seconds=10), 101.0, 3).state.deadline == 120.0
    p = rules.apply_command(s, S, cmd(CommandKind.PAUSE), 104.0, 3).state
    assert (
        rules.apply_command(p, S, cmd(CommandKind.EXTEND, seconds=10), 105.0, 3).state.paused_remaining
        == 16.0
    )


@pytest.mark.parametrize("seconds", [0, -5, 3601, float("nan"), float("inf")])
def test_extend_by_a_bad_amount_is_refused(seconds):
    with pytest.raises(CommandRefused):
        rules.apply_command(started(), S, cmd(CommandKind.EXTEND, seconds=seconds), 101.0, 3)


def test_skip_marks_performer_skipped_and_starts_next():
    step = rules.apply_command(started(100.0), S, cmd(CommandKind.SKIP), 103.0, 3)
    assert step.state.phase is Phase.PERFORMING and step.state.performer_id == "p2"
    assert step.state.deadline == 113.0
    assert step.performer_updates == {"p1": PerformerStatus.SKIPPED, "p2": PerformerStatus.PERFORMING}


def test_close_scoring_early_only_in_scoring():
    s = started(100.0)
    with pytest.raises(CommandRefused, match="(?i)scoring is not open"):
        rules.apply_command(s, S, cmd(CommandKind.CLOSE), 101.0, 3)
    scoring = rules.due_steps(s, S, 110.0, 3)[0].state
    step = rules.apply_command(scoring, S, cmd(CommandKind.CLOSE), 115.0, 3)
    assert step.state.phase is Phase.PERFORMING and step.state.performer_id == "p2"
    assert step.performer_updates["p1"] is PerformerStatus.DONE


def test_finish_during_scoring_keeps_the_current_performer():
    scoring = rules.due_steps(started(100.0), S, 110.0, 3)[0].state
    step = rules.apply_command(scoring, S, cmd(CommandKind.FINISH), 111.0, 3)
    assert step.performer_updates["p1"] is PerformerStatus.DONE
    assert step.performer_updates["p2"] is PerformerStatus.NOT_PERFORMED


def test_finish_marks_the_rest_not_performed():
    step = rules.apply_command(started(), S, cmd(CommandKind.FINISH), 101.0, 3)
    assert step.state.phase is Phase.FINISHED and step.state.deadline is None
    assert step.performer_updates == {
        "p1": PerformerStatus.NOT_PERFORMED,
        "p2": PerformerStatus.NOT_PERFORMED,
        "p3": PerformerStatus.NOT_PERFORMED,
    }


@pytest.mark.parametrize(
    "phase,kind",
    [
        (Phase.SETUP, CommandKind.PAUSE),
        (Phase.LOBBY, CommandKind.SKIP),
        (Phase.LOBBY, CommandKind.EXTEND),
        (Phase.FINISHED, CommandKind.START),
        (Phase.FINISHED, CommandKind.FINISH),
        (Phase.FINISHED, CommandKind.PAUSE),
        (Phase.SETUP, CommandKind.CLOSE),
    ],
)
def test_commands_in_the_wrong_phase_are_refused_with_a_reason(phase, kind):
    s = EventState(event_id="e1", phase=phase, order=ORDER)
    with pytest.raises(CommandRefused) as err:
        rules.apply_command(s, S, cmd(kind, seconds=10), 1.0, 3)
    assert str(err.value).endswith(".")


def test_auto_close_when_every_present_judge_submitted():
    s = rules.due_steps(started(100.0), S, 110.0, 3)[0].state
    on = S.with_changes(auto_close=True)
    assert rules.due_steps(s, on, 111.0, present=3, submitted=2) == []
    steps = rules.due_steps(s, on, 111.0, present=3, submitted=3)
    assert steps[0].state.phase is Phase.PERFORMING and steps[0].at == 111.0
    assert rules.due_steps(s, S, 111.0, present=3, submitted=3) == []


def test_scoring_window_open_until_deadline_and_while_paused():
    s = rules.due_steps(started(100.0), S, 110.0, 3)[0].state
    assert s.scoring_open(139.99)
    assert not s.scoring_open(140.0)
    p = rules.apply_command(s, S, cmd(CommandKind.PAUSE), 120.0, 3).state
    assert p.scoring_open(1000.0)


def test_next_wakeup_is_the_deadline():
    s = started(100.0)
    assert rules.next_wakeup(s) == 110.0
    assert rules.next_wakeup(rules.apply_command(s, S, cmd(CommandKind.PAUSE), 101.0, 3).state) is None


@given(st.lists(st.sampled_from(list(CommandKind)), max_size=25), st.integers(0, 4))
def test_any_command_sequence_keeps_the_state_consistent(kinds, present):
    s, now = lobby(), 0.0
    for k in kinds:
        if k is CommandKind.RESET:
            continue
        now += 1.0
        try:
            step = rules.apply_command(s, S, Command(k, seconds=5), now, present)
        except CommandRefused:
            continue
        assert step.state.version == s.version + 1
        s = step.state
        for step in rules.due_steps(s, S, now, present):
            s = step.state
        if s.phase in (Phase.PERFORMING, Phase.SCORING):
            assert s.performer_id in ORDER
            assert s.paused or s.deadline is not None
        else:
            assert s.deadline is None and not s.paused


def test_a_late_click_for_an_earlier_window_is_refused():
    s = started(100.0)
    scoring = rules.due_steps(s, S, 110.0, 3)[0].state
    with pytest.raises(CommandRefused, match="moved on"):
        rules.apply_command(scoring, S, Command(CommandKind.CLOSE, window_id=s.window_id), 111.0, 3)
    step = rules.apply_command(scoring, S, Command(CommandKind.CLOSE, window_id=scoring.window_id), 111.0, 3)
    assert step.state.performer_id == "p2"


def test_a_new_roster_replaces_the_order_as_a_new_version_and_changes_nothing_else():
    before = lobby()
    after = rules.replace_order(before, ("p3", "p1"))
    assert after.order == ("p3", "p1") and after.version == before.version + 1
    assert after.phase is before.phase and after.window_id == before.window_id
    assert before.order == ORDER  # the state is a value: the old one is untouched


def test_a_score_is_taken_only_while_the_window_of_the_performer_on_stage_is_open():
    performing = started(100.0)
    with pytest.raises(ScoreRefused, match="not opened yet"):
        rules.check_score_window(performing, "p1", 101.0)
    scoring = rules.due_steps(performing, S, 110.0, 3)[0].state
    rules.check_score_window(scoring, "p1", 111.0)
    with pytest.raises(ScoreRefused, match="closed"):
        rules.check_score_window(scoring, "p2", 111.0)
    with pytest.raises(ScoreRefused, match="closed"):
        rules.check_score_window(scoring, "p1", scoring.deadline)


def test_settings_that_decide_results_are_locked_once_the_event_has_started():
    rules.check_settings_change(lobby(), S, S.with_changes(rule="median"))
    with pytest.raises(CommandRefused, match=r"^rule cannot change once the event has started"):
        rules.check_settings_change(started(), S, S.with_changes(rule="median"))
    rules.check_settings_change(started(), S, S.with_changes(score_seconds=45))
