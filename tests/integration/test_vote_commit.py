"""The vote's one commit gathering a crowd's votes into one transaction (engine/store/vote_commit.py),
against a real DynamoDB Local: votes that wait while a transaction is in flight go together in the next,
and each is still decided on its own (counted once, a retry answered from the stored vote, a revision on
the right revision, a vote made after its window's close refused)."""

from __future__ import annotations

import threading
import uuid
from collections import Counter

from engine.domain.model import ScoreRefused
from engine.domain.votes import CLOSED
from engine.store.vote_commit import MAX_BALLOTS, Ballot
from tests.integration.test_audience_votes import PER_ACT, vote
from tests.support.events import seed_event
from tests.support.rounds import close_window, open_scoring, run_votes
from tests.support.waiting import wait_for


def rid() -> str:
    return uuid.uuid4().hex


def transactions(svc, monkeypatch) -> Counter:
    """Count the store client's requests by operation from now on."""
    counted: Counter = Counter()
    client = svc.store.client
    call = client.call

    def counting(operation, *args, **kwargs):
        counted[operation] += 1
        return call(operation, *args, **kwargs)

    monkeypatch.setattr(client, "call", counting)
    return counted


def held_then_released(commits, jobs: list) -> list:
    """Run `jobs` (callables) on threads while a transaction is in flight (the commit lock held), so
    every one of them waits in the queue; then let them commit. Returns each job's result or error."""
    results: list = [None] * len(jobs)

    def run(i, job):
        try:
            results[i] = job()
        except Exception as e:
            results[i] = e

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    with commits._committing:
        for t in threads:
            t.start()
        wait_for(lambda: len(commits._queue) == len(jobs), 10, "every vote to wait for the commit")
    for t in threads:
        t.join(30)
    return results


def test_votes_that_arrive_together_share_a_transaction_and_each_counts_once(svc, clock, monkeypatch):
    seed_event(svc, settings=PER_ACT)
    state = open_scoring(svc, clock)
    code = run_votes(svc, clock)[state.performer_id].code
    reviser, retrier = svc.votes.new_device(), svc.votes.new_device()
    vote(svc, reviser, code, 1)
    retried = rid()
    vote(svc, retrier, code, 2, retried)
    phones = [svc.votes.new_device() for _ in range(2 * MAX_BALLOTS - 8)]
    counted = transactions(svc, monkeypatch)

    jobs = [lambda p=p, n=n: vote(svc, p, code, 1 + n % 5) for n, p in enumerate(phones)]
    jobs += [lambda: vote(svc, reviser, code, 5), lambda: vote(svc, retrier, code, 2, retried)]
    answers = held_then_released(svc.store.vote_commits, jobs)

    assert [a for a in answers if isinstance(a, Exception)] == []
    assert [a["replayed"] for a in answers] == [False] * len(phones) + [False, True]
    # 44 votes in two transactions, and one more for each batch a revision's refusal sent again
    assert counted["transact_write_items"] <= 4, counted
    (line,) = svc.votes.status().windows
    stars = sum(1 + n % 5 for n in range(len(phones))) + 5 + 2
    assert (line.tally.votes, line.tally.stars) == (len(phones) + 2, stars)
    assert not svc.store.vote_commits._queue


def test_a_vote_made_after_the_close_is_refused_and_the_rest_of_its_batch_counts(svc, clock):
    seed_event(svc, settings=PER_ACT)
    state = open_scoring(svc, clock)
    code = run_votes(svc, clock)[state.performer_id].code
    close_window(svc, clock)  # the next act on stage: this act's vote closes after its grace
    closes_at = run_votes(svc, clock)[state.performer_id].closes_at
    assert closes_at and closes_at > clock.now

    def ballot(n: int, at: float) -> Ballot:
        return Ballot(state.event_id, state.performer_id, code, f"device{n}", "addr", False, 3, rid(), at)

    commits = svc.store.vote_commits
    made = [ballot(n, closes_at - 1) for n in range(5)] + [ballot(5, closes_at + 0.5)]
    answers = held_then_released(commits, [lambda b=b: commits.commit(b) for b in made])

    assert [type(a) for a in answers] == [tuple] * 5 + [ScoreRefused], answers
    assert str(answers[-1]) == CLOSED
    assert [a[0]["sk"] for a in answers[:5]] == [f"D#device{n}" for n in range(5)]
    (line,) = [w for w in svc.votes.status().windows if w.key == state.performer_id]
    assert (line.tally.votes, line.tally.stars) == (5, 15)


def test_a_lone_vote_commits_at_once(svc, clock, monkeypatch):
    seed_event(svc, settings=PER_ACT)
    state = open_scoring(svc, clock)
    code = run_votes(svc, clock)[state.performer_id].code
    counted = transactions(svc, monkeypatch)
    assert vote(svc, svc.votes.new_device(), code, 4)["replayed"] is False
    assert counted["transact_write_items"] == 1  # alone, nothing waited for company
