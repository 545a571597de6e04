"""Running-order changes while the event runs, and expected start times recomputed from what happened."""

from __future__ import annotations

import pytest

from engine.domain import running_order, schedule
from engine.domain.model import CommandRefused, EventState, Performer, PerformerStatus, Phase, Settings

T0 = 1_800_000_000.0
SETTINGS = Settings(perform_seconds=60, score_seconds=30)  # a 90 s slot


def roster(n=5, done=0, on_stage=None):
    out = []
    for i in range(1, n + 1):
        status = PerformerStatus.DONE if i <= done else PerformerStatus.WAITING
        if on_stage == i:
            status = PerformerStatus.PERFORMING
        start = T0 + 90 * (i - 1) if status is not PerformerStatus.WAITING else None
        out.append(Performer(f"p{i}", f"P{i}", i, status=status, started_at=start))
    return out


def running(index=1, phase=Phase.PERFORMING, **kw):
    order = tuple(f"p{i}" for i in range(1, 6))
    started = T0 + 90 * index
    defaults = dict(window_started_at=started, deadline=started + 60, started_at=T0)
    if phase is Phase.SCORING:
        defaults.update(window_started_at=started + 60, deadline=started + 90)
    return EventState("e1", phase, order, index, window_id=2 * index + 1, **{**defaults, **kw})


# ---- order changes -------------------------------------------------------------------------------
def test_move_a_waiting_performer_to_a_position():
    state, people = running(index=1), roster(done=1, on_stage=2)
    change = running_order.move(state, people, "p5", position=3)
    assert change.order == ("p1", "p2", "p5", "p3", "p4")
    assert change.detail == {
        "change": "moved",
        "performer_id": "p5",
        "old_order": list(state.order),
        "new_order": ["p1", "p2", "p5", "p3", "p4"],
    }


def test_not_ready_sends_the_performer_to_the_end():
    state, people = running(index=1), roster(done=1, on_stage=2)
    assert running_order.move(state, people, "p3", last=True).order == ("p1", "p2", "p4", "p5", "p3")


@pytest.mark.parametrize("pid, word", [("p2", "on stage"), ("p1", "already performed")])
def test_the_performer_on_stage_and_those_done_cannot_move(pid, word):
    state, people = running(index=1), roster(done=1, on_stage=2)
    with pytest.raises(CommandRefused, match=word):
        running_order.move(state, people, pid, last=True)


def test_nobody_can_be_moved_before_the_performer_on_stage():
    state, people = running(index=1), roster(done=1, on_stage=2)
    with pytest.raises(CommandRefused, match=r"^Choose a position from 3 to 5\.$"):
        running_order.move(state, people, "p4", position=2)
    with pytest.raises(CommandRefused, match="from 3 to 5"):
        running_order.move(state, people, "p4", position=6)


def test_before_the_start_every_position_is_open():
    state = EventState("e1", Phase.LOBBY, ("p1", "p2", "p3"))
    people = roster(3)
    assert running_order.move(state, people, "p3", position=1).order == ("p3", "p1", "p2")


def test_no_show_leaves_the_order_and_bring_back_puts_them_after_everyone_waiting():
    state, people = running(index=1), roster(done=1, on_stage=2)
    gone = running_order.no_show(state, people, "p3")
    assert gone.order == ("p1", "p2", "p4", "p5")
    assert gone.updates == {"p3": PerformerStatus.NO_SHOW}
    people = [p if p.performer_id != "p3" else Performer("p3", "P3", 3, status=PerformerStatus.NO_SHOW)
              for p in people]  # fmt: skip
    back = running_order.bring_back(state.__class__(**{**state.__dict__, "order": gone.order}), people, "p3")
    assert back.order == ("p1", "p2", "p4", "p5", "p3")
    assert back.updates == {"p3": PerformerStatus.WAITING}


def test_a_skipped_performer_comes_back_later_in_the_round():
    state = running(index=2)
    people = roster(done=1, on_stage=3)
    people[1] = Performer("p2", "P2", 2, status=PerformerStatus.SKIPPED)
    back = running_order.bring_back(state, people, "p2")
    assert back.order == ("p1", "p2", "p3", "p4", "p5", "p2")  # index 1 stays the skipped appearance
    assert back.updates == {"p2": PerformerStatus.WAITING}


def test_only_a_skipped_or_no_show_performer_can_be_brought_back():
    state, people = running(index=1), roster(done=1, on_stage=2)
    with pytest.raises(CommandRefused, match="neither skipped nor a no-show"):
        running_order.bring_back(state, people, "p4")


def test_no_show_is_refused_on_stage_and_after_the_end():
    state, people = running(index=1), roster(done=1, on_stage=2)
    with pytest.raises(CommandRefused, match="on stage"):
        running_order.no_show(state, people, "p2")
    finished = EventState("e1", Phase.FINISHED, state.order, 4)
    with pytest.raises(CommandRefused, match="finished"):
        running_order.no_show(finished, people, "p4")


def test_an_unknown_performer_is_named_in_the_refusal():
    people = roster(done=1, on_stage=2)
    with pytest.raises(CommandRefused, match="^There is no performer called 'Nobody'.$"):
        running_order.find(people, "Nobody")


# ---- expected start times ------------------------------------------------------------------------
def expected(state, people, now):
    return {s.performer_id: s.expected_start for s in schedule.expected_starts(state, SETTINGS, people, now)}


def test_waiting_performers_follow_the_one_on_stage_slot_by_slot():
    state, people = running(index=1), roster(done=1, on_stage=2)
    got = expected(state, people, now=T0 + 100)
    assert got["p1"] == T0 and got["p2"] == T0 + 90  # actual times so far
    assert got["p3"] == T0 + 180 and got["p4"] == T0 + 270 and got["p5"] == T0 + 360
    assert schedule.behind_plan(state, SETTINGS, people, T0 + 100) == 0


def test_a_pause_pushes_everyone_back_while_it_lasts():
    # Paused 40 s into the performance with 20 s left; now 50 s later the clock still stands still.
    state = running(index=1, paused=True, paused_remaining=20.0, deadline=None)
    people = roster(done=1, on_stage=2)
    got = expected(state, people, now=T0 + 90 + 40 + 50)
    assert got["p3"] == T0 + 90 + 40 + 50 + 20 + 30
    assert schedule.behind_plan(state, SETTINGS, people, T0 + 180) == 50


def test_an_extension_moves_every_later_start():
    state = running(index=1, phase=Phase.SCORING, deadline=T0 + 90 + 90 + 15)  # extended by 15 s
    people = roster(done=1, on_stage=2)
    got = expected(state, people, now=T0 + 160)
    assert got["p3"] == T0 + 195 and got["p5"] == T0 + 195 + 180
    assert schedule.behind_plan(state, SETTINGS, people, T0 + 160) == 15


def test_a_skip_and_a_no_show_take_no_slot():
    state = running(index=2, window_started_at=T0 + 120, deadline=T0 + 180)  # p2 skipped after 30 s
    people = roster(done=1, on_stage=3)
    people[1] = Performer("p2", "P2", 2, status=PerformerStatus.SKIPPED, started_at=T0 + 90)
    people[3] = Performer("p4", "P4", 4, status=PerformerStatus.NO_SHOW)
    got = expected(state, people, now=T0 + 130)
    assert got["p2"] is None and got["p4"] is None
    assert got["p5"] == T0 + 180 + 30
    assert schedule.behind_plan(state, SETTINGS, people, T0 + 130) == -60  # 60 s ahead


def test_before_the_start_the_plan_runs_from_now():
    state = EventState("e1", Phase.LOBBY, ("p1", "p2"))
    got = expected(state, roster(2), now=T0)
    assert got == {"p1": T0, "p2": T0 + 90}


def test_the_board_lineup_says_next_up_and_about_when_the_others_go_on():
    state, people = running(index=1), roster(done=1, on_stage=2)
    lineup = schedule.lineup(state, SETTINGS, people, T0 + 100, clock=lambda t: f"t+{int(t - T0)}")
    assert lineup["on_stage"] == {"performer": "P2", "category": "", "expected_start": T0 + 90}
    assert lineup["next_up"] == {"performer": "P3", "category": "", "expected_start": T0 + 180}
    assert lineup["later"][0] == {
        "performer": "P4",
        "category": "",
        "expected_start": T0 + 270,
        "label": "later (about t+270)",
    }
