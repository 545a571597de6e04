"""The engine and a judge who stepped aside: the lobby's quorum and auto-close count only the judges
who may score, in the engine itself (one deterministic pass) and in a real `python -m engine run`."""

from __future__ import annotations

import pytest

from engine.domain.model import Command, CommandKind, Phase, ScoreRefused, Settings
from engine.service.competition import Competition
from engine.service.core import Service
from engine.timer.runner import Engine
from tests.support.engines import Reaper, lease_holder
from tests.support.events import seed_event
from tests.support.waiting import wait_for

pytestmark = pytest.mark.integration

ADMIN = "admin@test.local"
J1, J2, J3 = (f"judge{i}@test.local" for i in (1, 2, 3))


@pytest.fixture
def procs(tmp_path):
    r = Reaper(tmp_path)
    try:
        yield r
    finally:
        r.cleanup()


def engine_pass(engine: Engine, store) -> None:
    """What the engine's presence thread and then its timer thread do once, without the threads."""
    bundle = store.events.load(store.events.current_id())
    engine._publish(bundle, *engine._tallies(bundle))
    engine._tick()


def test_the_engine_starts_on_quorum_only_with_judges_who_may_score_the_first_performer(svc, clock, store):
    tokens = seed_event(svc, performers=2, settings=Settings(perform_seconds=10, required_judges=2))
    Competition(svc).add_conflict(tokens[ADMIN], J1, "Performer 1")
    engine = Engine(store, clock=clock)
    assert store.lease.acquire(engine.owner, clock.now, 60)
    for judge in (J1, J2):
        svc.heartbeat(tokens[judge])
    engine_pass(engine, store)
    assert svc.bundle().state.phase is Phase.LOBBY  # two present, but Judge 1 may not score Performer 1
    clock.advance(1)
    svc.heartbeat(tokens[J3])
    engine_pass(engine, store)
    state = svc.bundle().state
    assert (
        state.phase is Phase.PERFORMING and svc.snapshot().performer_name(state.performer_id) == "Performer 1"
    )
    assert [e.kind for e in svc.log.entries()][-1] == "started_on_quorum"


def test_auto_close_closes_when_every_judge_who_may_score_has_scored(engine_env, store, procs):
    svc = Service(store)  # the wall clock, as the engine process has
    # The admin starts: with auto-start on, the engine could start on quorum between the heartbeats and
    # the command, and the command would be refused.
    settings = Settings(perform_seconds=1, score_seconds=60, auto_close=True, auto_start=False)
    tokens = seed_event(svc, performers=2, settings=settings)
    Competition(svc).add_conflict(tokens[ADMIN], J1, "Performer 1")
    # Present for the whole test, however slow the machine: presence is not what this test is about.
    engine = procs.engine({**engine_env, "STAGESCORE_PRESENCE_SECONDS": "600"})
    wait_for(lambda: lease_holder(store) == engine.owner(), 20, "the engine to hold the lease")
    for judge in (J1, J2, J3):
        svc.heartbeat(tokens[judge])
    svc.command(tokens[ADMIN], Command(CommandKind.START, force=True))
    first = svc.bundle().state.performer_id
    wait_for(lambda: svc.bundle().state.phase is Phase.SCORING, 15, "scoring to open for Performer 1")
    with pytest.raises(ScoreRefused, match="stepped aside"):
        svc.submit_score(tokens[J1], first, {"Score": "9"})
    # Judge 2 alone is not everyone: were the window closed now, Judge 3's score would be refused.
    svc.submit_score(tokens[J2], first, {"Score": "6"})
    last, _ = svc.submit_score(tokens[J3], first, {"Score": "8"})
    wait_for(lambda: svc.bundle().state.index == 1, 20, "auto-close to move on to Performer 2")
    entries = svc.log.entries()
    (opened,) = [e for e in entries if e.kind == "scoring_opened"][:1]
    (closed,) = [e for e in entries if e.kind == "scoring_closed_all_in"]
    assert closed.ts >= last.submitted_at
    assert closed.ts < opened.ts + settings.score_seconds  # all in, not the deadline
    assert {s.judge for s in store.scores.list(svc.event_id(), first, consistent=True)} == {J2, J3}
