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
    """Run `jobs` (callables) on threads while a transaction is in flight (a thread committing), so
    every one of them waits in the queue; then let them commit. Returns each job's result or error."""
    results: list = [None] * len(jobs)

    def run(i, job):
        try:
            results[i] = job()
        except Exception as e:
            results[i] = e

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    with commits._lock:
        commits._busy = True  # as if another thread were committing
    for t in threads:
        t.start()
    wait_for(lambda: len(commits._queue) == len(jobs), 10, "every vote to wait for the commit")
    with commits._lock:  # that thread's hand-over
        commits._queue[0].lead = True
        commits._queue[0].woken.set()
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


def test_a_vote_decided_in_another_threads_batch_returns_while_the_next_transaction_is_in_flight(
    svc, clock, monkeypatch
):
    """A thread whose ballot another thread committed returns at once: it does not wait for the
    transactions that follow (with a crowd, the vote route's threads waited out others' transactions
    and the votes queued for a free thread for seconds: bench/votes.py)."""
    seed_event(svc, settings=PER_ACT)
    state = open_scoring(svc, clock)
    code = run_votes(svc, clock)[state.performer_id].code
    first, late = svc.votes.new_device(), svc.votes.new_device()
    crowd = [svc.votes.new_device() for _ in range(10)]
    gates = [threading.Event() for _ in range(3)]  # transaction n waits for gates[n]
    entered: list[int] = []
    client, call = svc.store.client, svc.store.client.call

    def gated(operation, *args, **kwargs):
        if operation == "transact_write_items":
            n = len(entered)
            entered.append(n)
            gates[min(n, 2)].wait(30)
        return call(operation, *args, **kwargs)

    monkeypatch.setattr(client, "call", gated)
    returned: list[str] = []

    def voter(device: str) -> threading.Thread:
        t = threading.Thread(target=lambda: (vote(svc, device, code, 3), returned.append(device)))
        t.start()
        return t

    commits = svc.store.vote_commits
    threads = [voter(first)]
    wait_for(lambda: entered == [0], 10, "the first vote's transaction")
    threads += [voter(d) for d in crowd]
    wait_for(lambda: len(commits._queue) == len(crowd), 10, "the crowd to wait for the commit")
    gates[0].set()
    wait_for(lambda: entered == [0, 1], 10, "the crowd's transaction")
    threads.append(voter(late))
    wait_for(lambda: len(commits._queue) == 1, 10, "the late vote to wait for the commit")
    gates[1].set()
    wait_for(lambda: len(entered) == 3, 10, "the late vote's transaction")
    try:
        wait_for(lambda: len(returned) == 1 + len(crowd), 5, "the crowd's threads to return")
        assert entered == [0, 1, 2]  # the crowd went in one transaction, the late vote in the next
    finally:
        gates[2].set()
        for t in threads:
            t.join(30)
    assert sorted(returned) == sorted([first, *crowd, late])
    (line,) = svc.votes.status().windows
    assert line.tally.votes == 12
