"""The live feed's reads (engine/service/feed.py) on real tables: what a moved state needs is read side by
side, not one round trip after another, a quiet tick is one round trip, and a read that failed is made
again on the next tick."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest

from engine.domain.model import DatabaseUnavailable
from engine.service.feed import Feed
from tests.integration.test_scores import advance_to_scoring
from tests.support.events import open_scoring, seed_event
from tests.support.rounds import close_window

J1 = "judge1@test.local"


def wait_for_each_other(monkeypatch, reads: list[tuple[object, str]]) -> threading.Barrier:
    """Each of these store calls waits (5 s at most) until all of them are under way: made one after
    another, the first waits in vain and the barrier breaks."""
    meet = threading.Barrier(len(reads), timeout=5)
    for obj, name in reads:
        real = getattr(obj, name)

        def waiting(*args, real=real, **kwargs):
            meet.wait()
            return real(*args, **kwargs)

        monkeypatch.setattr(obj, name, waiting)
    return meet


def test_a_window_flip_reads_the_roster_the_besides_and_the_scores_side_by_side(svc, clock, monkeypatch):
    seed_event(svc)
    feed = Feed(svc.store, clock)
    feed.read()
    state = open_scoring(svc, None)  # the state's version moves: the roster and the rest are read again
    store = svc.store
    meet = wait_for_each_other(
        monkeypatch, [(store.performers, "list"), (store.conflicts, "list"), (store.scores, "list")]
    )
    snap = feed.read().snapshot
    assert not meet.broken
    assert (snap.state.version, snap.state.performer_id) == (state.version, state.performer_id)
    assert [p.performer_id for p in snap.performers] == list(state.order)


def test_a_read_that_failed_when_the_state_moved_is_made_again_on_the_next_tick(svc, clock, monkeypatch):
    seed_event(svc)
    feed = Feed(svc.store, clock)
    feed.read()
    state = open_scoring(svc, None)
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


def test_a_quiet_tick_reads_the_status_and_the_scores_on_stage_side_by_side(svc, clock, monkeypatch):
    tokens = seed_event(svc)
    state = advance_to_scoring(svc, clock, tokens)
    feed = Feed(svc.store, clock)
    feed.read()  # the performer on stage is known from now on
    store = svc.store
    meet = wait_for_each_other(monkeypatch, [(store.events, "load"), (store.scores, "list")])
    snap = feed.read().snapshot
    assert not meet.broken and snap.state.performer_id == state.performer_id


def test_a_score_read_beside_the_status_that_shows_its_performer_gone_is_read_again(svc, clock, monkeypatch):
    """The scores read beside the status may predate a last score committed before the switch: once the
    status shows the performer gone they are read again, after it."""
    tokens = seed_event(svc)
    state = advance_to_scoring(svc, clock, tokens)
    feed = Feed(svc.store, clock)
    feed.read()
    pid = state.performer_id
    clock.now = state.deadline - 0.01
    svc.submit_score(tokens[J1], pid, {"Score": "7.5"})
    close_window(svc, clock)  # the next performer goes on
    real, stale = svc.store.scores.list, []

    def first_one_stale(event_id, performer_id=None, consistent=False):
        if performer_id == pid and not stale:
            stale.append(performer_id)
            return []  # served before the score committed
        return real(event_id, performer_id, consistent=consistent)

    monkeypatch.setattr(svc.store.scores, "list", first_one_stale)
    snap = feed.read().snapshot
    assert stale and snap.state.performer_id != pid
    assert [(s.judge, s.total) for s in snap.scores if s.performer_id == pid] == [(J1, Decimal("7.5"))]
