"""The live feed's reads (engine/service/feed.py) on real tables: a read that failed when the state moved
is made again on the next tick; a window's flip for the performer on stage is published from one read."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from engine.domain.model import Command, CommandKind, DatabaseUnavailable, PerformerStatus, Phase
from engine.service.feed import Feed
from tests.support.events import open_scoring as start_into_scoring
from tests.support.events import seed_event
from tests.support.rounds import close_window, judge, open_scoring


def test_a_read_that_failed_when_the_state_moved_is_made_again_on_the_next_tick(svc, clock, monkeypatch):
    seed_event(svc)
    feed = Feed(svc.store, clock)
    feed.read()
    state = start_into_scoring(svc, None)
    real, calls = svc.store.performers.list, []

    def fails_once(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise DatabaseUnavailable("cut")
        return real(*args, **kwargs)

    monkeypatch.setattr(svc.store.performers, "list", fails_once)
    with pytest.raises(DatabaseUnavailable):
        feed.read()
    snap = feed.read().snapshot
    assert len(calls) == 2, "the roster of the moved state was not read again after the failed tick"
    assert snap.state.version == state.version and len(snap.performers) == len(state.order)


def _counting(store, monkeypatch) -> list[str]:
    """Every read the feed makes beside the status partition, by name, as it makes it."""
    calls: list[str] = []
    for table, name in [
        ("performers", "list"),
        ("scores", "list"),
        ("conflicts", "list"),
        ("rounds", "get"),
        ("results", "get"),
        ("results", "list_checks"),
    ]:
        real = getattr(getattr(store, table), name)

        def counted(*args, _real=real, _name=f"{table}.{name}", **kwargs):
            calls.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(getattr(store, table), name, counted)
    return calls


def test_a_window_flip_for_the_same_performer_is_read_from_the_status_partition_then_read_whole(
    svc, clock, monkeypatch
):
    """The judges' window opens for the performer already on stage: the tick that sees it publishes from
    the status partition alone (the roster, the scores and the rest cannot have moved with it) and says it
    read only part; the next tick reads the rest as for any move."""
    seed_event(svc)
    performing = svc.command(None, Command(CommandKind.START, force=True))
    feed = Feed(svc.store, clock)
    whole = feed.read()
    assert whole.complete and whole.snapshot.state.phase is Phase.PERFORMING
    calls = _counting(svc.store, monkeypatch)

    scoring = open_scoring(svc, clock)
    assert scoring.performer_id == performing.performer_id
    flipped = feed.read()
    assert flipped.snapshot.state.version == scoring.version and flipped.snapshot.state.phase is Phase.SCORING
    assert not flipped.complete and calls == [], f"the flip's tick read {calls} beside the status partition"
    on_stage = {p.performer_id: p.status for p in flipped.snapshot.performers}[scoring.performer_id]
    assert on_stage is PerformerStatus.SCORING  # as the flip's transaction wrote it
    assert flipped.scores_generation != whole.scores_generation  # the ranking shows the new status

    after = feed.read()
    assert after.complete and "performers.list" in calls and "scores.list" in calls
    assert after.snapshot.performers == flipped.snapshot.performers
    assert after.scores_generation == flipped.scores_generation, "the boards would be pushed twice for a flip"
    calls.clear()
    assert feed.read().complete and "performers.list" not in calls  # read once for the move, not again


def test_a_new_performer_on_stage_is_read_for_the_judges_then_whole_with_the_last_scores(
    svc, clock, monkeypatch
):
    """The window closes and the next performer goes on: the tick that sees it reads the status partition
    alone and says it is for the judges only; the next reads everything, the previous performer's scores
    once more (a score committed just before the switch) and the roster with their new status."""
    tokens = seed_event(svc)
    first = open_scoring(svc, clock)
    feed = Feed(svc.store, clock)
    feed.read()
    svc.submit_score(tokens[judge(1)], first.performer_id, {"Score": "7"})
    calls = _counting(svc.store, monkeypatch)

    nxt = close_window(svc, clock)
    assert nxt.phase is Phase.PERFORMING and nxt.performer_id != first.performer_id
    quick = feed.read()
    assert quick.judges_only and not quick.complete and calls == [], calls
    assert quick.snapshot.state.performer_id == nxt.performer_id
    statuses = {p.performer_id: p.status for p in quick.snapshot.performers}
    assert statuses[nxt.performer_id] is PerformerStatus.PERFORMING

    reading = feed.read()
    assert reading.complete and not reading.judges_only and "performers.list" in calls
    assert [s.values for s in reading.snapshot.scores if s.performer_id == first.performer_id] == [
        {"Score": Decimal("7")}
    ]
    statuses = {p.performer_id: p.status for p in reading.snapshot.performers}
    assert statuses[first.performer_id] is not PerformerStatus.SCORING  # as the close wrote it
    assert reading.scores_generation != quick.scores_generation  # the boards are pushed from this read


def test_a_step_into_another_running_order_is_read_whole_at_once(svc, clock, monkeypatch):
    """Only a step in the running order last read whole is published from the status partition: a new
    order (a performer moved or brought back meanwhile) may have changed the roster itself."""
    tokens = seed_event(svc)
    svc.command(None, Command(CommandKind.START, force=True))
    feed = Feed(svc.store, clock)
    feed.read()
    feed._state = replace(feed._state, order=tuple(reversed(feed._state.order)))  # as last read whole
    calls = _counting(svc.store, monkeypatch)
    svc.command(tokens["admin@test.local"], Command(CommandKind.SKIP))
    reading = feed.read()
    assert reading.complete and not reading.judges_only and "performers.list" in calls
