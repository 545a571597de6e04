"""The live score path against DynamoDB Local: at most 3 requests per score (counted on the store's
botocore client), and every guarantee kept: the window decided at commit, replays, the revision history,
the hash chain, the session and the account checked inside the transaction."""

from __future__ import annotations

import logging
from collections import Counter

import pytest

from engine import metrics
from engine.config import Config
from engine.domain.devices import SessionEnded
from engine.domain.model import NotAllowed, ScoreRefused
from engine.service.competition import Competition
from engine.service.feed import Feed
from engine.service.scoring import Identity, ScoreContext, Scorer
from engine.store import Store
from engine.store.score_commit import ScoreCommits
from tests.integration.test_scores import advance_to_scoring
from tests.support.events import seed_event

J1, J2 = "judge1@test.local", "judge2@test.local"


class Requests:
    """Every DynamoDB request the store's client makes, by operation (botocore's before-call hook)."""

    def __init__(self, store: Store):
        self.seen: Counter[str] = Counter()
        store.client.boto.meta.events.register("before-call.dynamodb", self._count)

    def _count(self, model, **_):
        self.seen[model.name] += 1

    def take(self) -> int:
        n = sum(self.seen.values())
        self.seen.clear()
        return n


@pytest.fixture
def scoring(svc, clock):
    tokens = seed_event(svc)
    state = advance_to_scoring(svc, clock, tokens)
    feed = Feed(svc.store, clock)
    feed.read()
    context = ScoreContext(state.event_id, svc.bundle().settings, feed.score)
    return tokens, state, feed, context


def test_a_score_costs_at_most_three_requests_and_usually_one(svc, clock, scoring):
    tokens, state, feed, context = scoring
    scorer = Scorer(svc.store, clock)
    count = Requests(svc.store)
    pid, w = state.performer_id, state.window_id
    score, replayed = scorer.submit(tokens[J1], context, pid, w, {"Score": "7"}, "r1")
    cold = count.take()  # a process that never saw this judge: the session's GetItem and the transaction
    assert (score.revision, replayed, cold) == (1, False, 2)
    score, _ = scorer.submit(tokens[J1], context, pid, w, {"Score": "8"}, "r2")
    assert (score.revision, count.take()) == (2, 1)
    again, replayed = scorer.submit(tokens[J1], context, pid, w, {"Score": "8"}, "r2")
    assert (again.revision, replayed, count.take()) == (2, True, 1)
    scorer.remember(tokens[J2], Identity(J2, svc.logins.whoami(tokens[J2]).role, "Judge 2"))
    count.take()
    scorer.submit(tokens[J2], context, pid, w, {"Score": "5"}, "r3")
    assert count.take() <= 2  # its stream connected first: no session read
    assert count.seen == Counter()


def test_another_process_with_a_stale_guess_still_needs_at_most_three(svc, clock, scoring):
    tokens, state, feed, context = scoring
    pid, w = state.performer_id, state.window_id
    Scorer(svc.store, clock).submit(tokens[J1], context, pid, w, {"Score": "6"}, "a1")
    other = Store(Config.from_env())  # a second server process: its own caches, a feed read before the score
    count = Requests(other)
    score, _ = Scorer(other, clock).submit(tokens[J1], context, pid, w, {"Score": "9"}, "a2")
    assert score.revision == 2 and count.take() <= 3
    history = [h for h in svc.store.scores.history(state.event_id) if h["judge"] == J1]
    assert [(h.get("old"), h["new"]) for h in history] == [
        (None, {"Score": "6"}),
        ({"Score": "6"}, {"Score": "9"}),
    ]
    assert svc.log.verify(state.event_id) == []


def test_the_window_is_decided_at_commit_and_a_replay_beats_the_closed_window(svc, clock, scoring):
    tokens, state, feed, context = scoring
    scorer = Scorer(svc.store, clock)
    pid, w = state.performer_id, state.window_id
    clock.now = state.deadline - 0.01
    scorer.submit(tokens[J1], context, pid, w, {"Score": "7"}, "late")
    clock.now = state.deadline + 0.01
    with pytest.raises(ScoreRefused, match="closed"):
        scorer.submit(tokens[J2], context, pid, w, {"Score": "7"}, "after")
    score, replayed = scorer.submit(tokens[J1], context, pid, w, {"Score": "7"}, "late")
    assert replayed and score.revision == 1
    with pytest.raises(ScoreRefused):
        scorer.submit(tokens[J1], context, pid, w + 1, {"Score": "7"}, "wrong-window")
    assert {s.judge for s in svc.store.scores.list(state.event_id, consistent=True)} == {J1}


def test_a_cached_session_cannot_outlive_a_logout_or_a_disabled_account(svc, clock, scoring):
    tokens, state, feed, context = scoring
    scorer = Scorer(svc.store, clock)
    pid, w = state.performer_id, state.window_id
    scorer.submit(tokens[J1], context, pid, w, {"Score": "7"}, "s1")
    svc.logins.logout(tokens[J1])
    with pytest.raises(SessionEnded):
        scorer.submit(tokens[J1], context, pid, w, {"Score": "8"}, "s2")
    scorer.submit(tokens[J2], context, pid, w, {"Score": "7"}, "s3")
    svc.set_account(tokens["admin@test.local"], J2, active=False)
    with pytest.raises(NotAllowed, match="disabled"):
        scorer.submit(tokens[J2], context, pid, w, {"Score": "8"}, "s4")
    with pytest.raises(NotAllowed, match="judge"):
        scorer.submit(tokens["admin@test.local"], context, pid, w, {"Score": "8"}, "s5")
    revisions = {s.judge: s.revision for s in svc.store.scores.list(state.event_id, consistent=True)}
    assert revisions == {J1: 1, J2: 1}
    assert svc.log.verify(state.event_id) == []


def test_a_live_score_is_timed_and_counted_with_its_outcome(svc, clock, scoring, caplog):
    tokens, state, feed, context = scoring
    scorer = Scorer(svc.store, clock)
    pid, w = state.performer_id, state.window_id
    counted = {o: metrics.SUBMISSIONS.labels(o)._value.get() for o in ("accepted", "refused")}
    caplog.set_level(logging.INFO, logger="stagescore.metrics")
    scorer.submit(tokens[J1], context, pid, w, {"Score": "7"}, "timed")
    with pytest.raises(ScoreRefused):
        scorer.submit(tokens[J2], context, pid, w + 1, {"Score": "7"}, "stale-window")
    assert metrics.SUBMISSIONS.labels("accepted")._value.get() == counted["accepted"] + 1
    assert metrics.SUBMISSIONS.labels("refused")._value.get() == counted["refused"] + 1
    lines = [r for r in caplog.records if r.getMessage().startswith("score submission")]
    assert [(r.fields["outcome"], r.emf["ScoreRefused"]) for r in lines] == [("accepted", 0), ("refused", 1)]


def test_an_ended_session_is_refused_at_commit_though_this_process_cached_it(svc, clock, scoring):
    """The admin's End, a device swap and a new password end a session in the store; a process that
    cached the session (its stream connected before) is still refused, by the transaction."""
    tokens, state, feed, context = scoring
    scorer = Scorer(svc.store, clock)
    pid, w = state.performer_id, state.window_id
    scorer.submit(tokens[J1], context, pid, w, {"Score": "7"}, "e1")  # cached from here on
    (device,) = svc.logins.devices(tokens["admin@test.local"], J1)
    svc.logins.end_device(tokens["admin@test.local"], J1, device.session_id)
    with pytest.raises(SessionEnded, match="organiser ended"):
        scorer.submit(tokens[J1], context, pid, w, {"Score": "8"}, "e2")
    scorer.submit(tokens[J2], context, pid, w, {"Score": "7"}, "e3")
    svc.set_account(tokens["admin@test.local"], J2, password="another-horse-7")
    with pytest.raises(SessionEnded, match="password"):
        scorer.submit(tokens[J2], context, pid, w, {"Score": "8"}, "e4")
    revisions = {s.judge: s.revision for s in svc.store.scores.list(state.event_id, consistent=True)}
    assert revisions == {J1: 1, J2: 1}
    assert svc.log.verify(state.event_id) == []


def test_a_judge_who_stepped_aside_is_refused_at_commit(svc, clock):
    tokens = seed_event(svc)
    Competition(svc).add_conflict(tokens["admin@test.local"], J1, "Performer 1")
    state = advance_to_scoring(svc, clock, tokens)
    feed = Feed(svc.store, clock)
    feed.read()
    context = ScoreContext(state.event_id, svc.bundle().settings, feed.score)
    scorer = Scorer(svc.store, clock)
    with pytest.raises(ScoreRefused, match="stepped aside"):
        scorer.submit(tokens[J1], context, state.performer_id, state.window_id, {"Score": "9.9"}, "c1")
    with pytest.raises(ScoreRefused, match="stepped aside"):
        svc.submit_score(tokens[J1], state.performer_id, {"Score": "9.9"})
    scorer.submit(tokens[J2], context, state.performer_id, state.window_id, {"Score": "6"}, "c2")
    assert [s.judge for s in svc.store.scores.list(state.event_id, consistent=True)] == [J2]


def test_the_service_path_is_the_same_commit(svc, clock, scoring):
    """Service.submit_score (the CLI's, the tests') goes through the one commit: what it refuses and
    what it stores are the live route's."""
    tokens, state, feed, context = scoring
    calls = []
    original = ScoreCommits.commit

    def spy(self, claim, current):
        calls.append(claim.judge)
        return original(self, claim, current)

    ScoreCommits.commit = spy
    try:
        svc.submit_score(tokens[J1], state.performer_id, {"Score": "7"})
        score, _ = svc.submit_score(tokens[J1], state.performer_id, {"Score": "8"})
    finally:
        ScoreCommits.commit = original
    assert calls == [J1, J1] and score.revision == 2
