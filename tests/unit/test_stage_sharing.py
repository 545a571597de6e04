from engine.domain.model import EventState, Phase
from engine.timer import sharing
from engine.timer.sharing import Peer
from engine.timer.stage_clock import StageClock, hand_over

NOW = 1000.0


def peer(held, seen_ago=0.5):
    return Peer(held, NOW - seen_ago)


def test_alone_an_engine_takes_every_stage():
    assert sharing.fair_share(4, [], NOW) == 4
    assert sharing.may_take(3, 4, [], NOW)
    assert not sharing.should_hand_over(4, 4, [], NOW)


def test_a_second_engine_gets_half_of_the_stages():
    newcomer = [peer(0)]
    assert sharing.fair_share(4, newcomer, NOW) == 2
    assert sharing.should_hand_over(4, 4, newcomer, NOW)
    assert sharing.should_hand_over(3, 4, [peer(1)], NOW)
    assert not sharing.should_hand_over(2, 4, [peer(2)], NOW)
    assert not sharing.may_take(2, 4, [peer(1)], NOW)  # leave the free one to the engine short of stages
    assert sharing.may_take(1, 4, [peer(2)], NOW)


def test_an_odd_stage_goes_to_whoever_takes_it_first():
    assert not sharing.should_hand_over(2, 3, [peer(1)], NOW)
    assert not sharing.should_hand_over(1, 1, [peer(0)], NOW)  # one stage: the holder keeps it


def test_a_silent_peer_counts_for_nothing_so_a_standby_takes_every_stage():
    dead = [peer(2, seen_ago=sharing.PEER_SILENT_SECONDS + 1)]
    assert sharing.fair_share(4, dead, NOW) == 4
    assert sharing.may_take(2, 4, dead, NOW)


def test_a_dead_holders_stages_are_taken_even_while_it_still_looks_alive():
    # The holder of three stages was killed a moment ago: its seen item still says 3.
    assert sharing.may_take(1, 4, [peer(3)], NOW)


def test_a_stage_is_handed_over_only_far_from_its_next_deadline():
    assert sharing.idle(None, False, NOW, margin=10)
    assert sharing.idle(NOW + 30, False, NOW, margin=10)
    assert not sharing.idle(NOW + 5, False, NOW, margin=10)
    assert not sharing.idle(NOW + 30, True, NOW, margin=10)  # paused: resumes whenever the admin says


class Released:
    """What hand_over released (the lease repository's release, recorded)."""

    def __init__(self) -> None:
        self.stages: list[str] = []

    def release(self, owner: str, stage: str) -> None:
        self.stages.append(stage)


class Fresh:
    """The events repository's read of a stage's state, as the database has it now."""

    def __init__(self, states: dict) -> None:
        self.states = states

    def state(self, event_id: str):
        return self.states[event_id]


def test_a_stage_is_handed_over_on_a_fresh_read_not_on_the_last_one():
    """The watcher's last read says s1 is idle (its deadline far off), but a fresh read shows a window due
    within the margin (the process stalled while it fell due): s1 is kept, idle s2 is handed over."""
    s1, s2 = StageClock("s1", leader=True, event_id="e1"), StageClock("s2", leader=True, event_id="e2")
    fresh = {"e1": EventState("e1", Phase.SCORING, ("p1",), 0, deadline=NOW + 0.5), "e2": None}
    lease = Released()
    hand_over(lease, Fresh(fresh), "engine-a", [s1, s2], lambda: NOW, 2.0)
    assert lease.stages == ["s2"] and s1.leader and not s2.leader
