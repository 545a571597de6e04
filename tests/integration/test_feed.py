"""The live feed's reads (engine/service/feed.py) on real tables: a read that failed when the state moved
is made again on the next tick."""

from __future__ import annotations

import pytest

from engine.domain.model import DatabaseUnavailable
from engine.service.feed import Feed
from tests.support.events import open_scoring, seed_event


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
