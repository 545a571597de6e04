"""The live feed's reads (engine/service/feed.py) on real tables: what a moved state needs is read side by
side, not one round trip after another, and a read that failed is made again on the next tick."""

from __future__ import annotations

import threading

import pytest

from engine.domain.model import DatabaseUnavailable
from engine.service.feed import Feed
from tests.support.events import open_scoring, seed_event


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
