"""The engine writing the audience vote's windows beside the show's transitions, in one pass of its timer
at a time (as tests/integration/test_engine_recusals.py does): a window's change goes on the engine's own
log stream, and the transition after it is written at once, not refused first for a log head the vote
moved (each refusal cost the transition a round trip: scoring opened 20-190 ms late in bench/votes.py)."""

from __future__ import annotations

import pytest

from engine.domain.model import Command, CommandKind, Phase
from engine.timer.runner import Engine
from tests.integration.test_audience_votes import PER_ACT
from tests.integration.test_engine_recusals import engine_pass
from tests.support.events import seed_event
from tests.support.rounds import ADMIN

pytestmark = pytest.mark.integration


def test_the_engines_transitions_after_a_vote_window_change_are_not_refused(svc, clock, store, monkeypatch):
    tokens = seed_event(svc, settings=PER_ACT)
    engine = Engine(store, clock=clock)
    assert store.lease.acquire(engine.owner, clock.now, 600)
    refused: list[str] = []
    forget = store.log.refused
    monkeypatch.setattr(store.log, "refused", lambda e, s: (refused.append(s), forget(e, s)))
    svc.command(tokens[ADMIN], Command(CommandKind.START, force=True))
    engine_pass(engine, store)  # Performer 1 on stage: their vote opens
    seen = []
    for _ in range(6):  # scoring opens, closes (Performer 2 on stage, their vote opens) ...
        clock.advance(max(0.0, svc.bundle().state.deadline - clock.now) + 0.01)
        engine_pass(engine, store)
        engine_pass(engine, store)  # what fell due with the transition (the vote's changes)
        b = svc.bundle()
        seen.append((b.state.phase, b.state.performer_id))
    assert refused == []
    assert seen[:3] == [(Phase.SCORING, "p0001"), (Phase.PERFORMING, "p0002"), (Phase.SCORING, "p0002")]
    kinds = [e.kind for e in svc.log.entries()]
    assert kinds.count("vote_opened") >= 3 and kinds.count("scoring_opened") >= 3
    assert svc.log.verify() == []  # the chain whole
