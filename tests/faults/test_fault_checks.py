"""The checks the fault runs rely on do catch what they claim to: doctored events on real tables, and
the one path for a score with its window or its session condition taken out."""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import replace
from decimal import Decimal

import pytest

from engine.domain import rules
from engine.domain.model import NotAllowed, Phase, Role, ScoreRefused, Step
from engine.service.core import Service
from engine.service.scoring import Identity, ScoreContext, Scorer
from engine.store.score_commit import ScoreCommits
from tests.faults.harness import (
    Attempt,
    check_run,
    lost_acks,
    results_from_log,
    seed_event,
    start_event,
    store_for,
    wait_for,
)
from tests.invariants import check_event, check_refusals
from tests.support.judges import InProcessJudges

pytestmark = pytest.mark.faults


@pytest.fixture
def svc(dynamodb_endpoint) -> Service:
    store = store_for({**os.environ, "STAGESCORE_TABLE_PREFIX": f"c{uuid.uuid4().hex[:8]}_"})
    store.create_tables()
    return Service(store)


def advance(svc: Service, at_offset: float = 0.0, mutate=None) -> Step:
    """Write the next timer step (as the engine would, at its deadline + at_offset), maybe altered."""
    b = svc.bundle()
    step = rules.due_steps(b.state, b.settings, b.state.deadline, 0)[0]
    step = replace(step, at=step.at + at_offset)
    if mutate:
        step = mutate(step)
    svc.store.events.write_step(b.state.version, step, "engine", step.at)
    return step


def run_to_the_end(svc: Service) -> None:
    while svc.bundle().state.phase is not Phase.FINISHED:
        advance(svc)


def test_an_honest_event_passes(svc):
    seed_event(svc, performers=2, perform=0.05, score=30)
    start_event(svc)
    run_to_the_end(svc)
    assert check_event(svc.store, svc.event_id()) == []


def test_a_transition_away_from_its_deadline_is_caught(svc):
    seed_event(svc, performers=2, perform=0.05, score=30)
    start_event(svc)
    advance(svc, at_offset=0.25)
    run_to_the_end(svc)
    assert any("not at its deadline" in p for p in check_event(svc.store, svc.event_id()))


def test_a_skipped_and_a_doubled_performer_are_caught(svc):
    seed_event(svc, performers=3, perform=0.05, score=30)
    start_event(svc)
    advance(svc)  # scoring p1
    # the close of p1's window puts p1 on stage again instead of p2
    advance(svc, mutate=lambda s: replace(s, state=replace(s.state, index=0)))
    run_to_the_end(svc)
    problems = check_event(svc.store, svc.event_id())
    assert any("performed twice" in p for p in problems)
    assert any("not every performer performed" in p for p in problems)


def test_refusals_inside_an_open_window_and_refused_scores_that_count_are_caught(svc):
    tokens = seed_event(svc, performers=1, perform=0.05, score=30)
    start_event(svc)
    opened = advance(svc)  # scoring opens now (well, 50 ms ahead) for 30 s
    judge, token = next(iter(tokens.items()))
    pid = opened.state.performer_id
    rid = uuid.uuid4().hex
    wait_for(lambda: time.time() > opened.at, 5, "the scheduled opening")  # then a real submission
    svc.submit_score(token, pid, {"Score": "7"}, request_id=rid)
    written = time.time()
    fine = [
        Attempt(judge, pid, "r1", written - 5, written - 4.9, "refused"),  # before the opening
        Attempt(judge, pid, "r2", opened.state.deadline, opened.state.deadline + 0.1, "refused"),  # after
        Attempt(judge, pid, "r3", written + 1, written + 1.1, "transient"),  # neither
    ]
    assert check_refusals(svc.store, svc.event_id(), fine) == []
    bad = [
        Attempt(judge, pid, "r4", written + 1, written + 1.1, "refused"),
        Attempt(judge, pid, rid, written + 1, written + 1.1, "refused"),
        Attempt(judge, pid, "r5", written, written + 0.1, "ack", Decimal(7), 1),
    ]
    problems = check_refusals(svc.store, svc.event_id(), bad)
    assert any("inside its open window" in p for p in problems)
    assert any("was stored and counts" in p for p in problems)
    assert any("is not in the log" in p for p in problems)


def test_results_that_differ_from_the_log_are_caught(svc):
    tokens = seed_event(svc, performers=1, perform=0.05, score=30)
    start_event(svc)
    opened = advance(svc)
    wait_for(lambda: time.time() > opened.at, 5, "the scheduled opening")
    judge, token = next(iter(tokens.items()))
    svc.submit_score(token, opened.state.performer_id, {"Score": "7"})
    assert results_from_log(svc.store, svc.event_id()) == []
    svc.store.client.boto.update_item(
        TableName=svc.store.tables.scores,
        Key={"event_id": {"S": svc.event_id()}, "sk": {"S": f"S#{opened.state.performer_id}#{judge}"}},
        UpdateExpression="SET #t = :t",
        ExpressionAttributeNames={"#t": "total"},
        ExpressionAttributeValues={":t": {"N": "9"}},
    )
    problems = results_from_log(svc.store, svc.event_id())
    assert any("stored scores differ" in p for p in problems)
    assert any("results differ" in p for p in problems)
    acked = {(opened.state.performer_id, judge): (Decimal(7), 1)}
    assert any("is stored as 9" in p for p in check_event(svc.store, svc.event_id(), acked))


def test_a_lost_acknowledgement_is_caught_unless_excused(svc):
    tokens = seed_event(svc, performers=1, perform=0.05, score=30)
    start_event(svc)
    opened = advance(svc)
    wait_for(lambda: time.time() > opened.at, 5, "the scheduled opening")
    judges = InProcessJudges(svc, tokens, svc.event_id(), seed=0)
    judge, token = next(iter(tokens.items()))
    real = judges.submit(judge, opened.state.performer_id, opened.state.window_id, Decimal(6))
    assert real.outcome == "ack"
    # An acknowledgement the database does not have (as after DynamoDB Local's crash loss).
    ghost = Attempt(judge, opened.state.performer_id, "ghost", real.t1, real.t1 + 0.01, "ack", Decimal(8), 2)
    judges.attempts.append(ghost)
    run_to_the_end(svc)
    env = {**os.environ, "STAGESCORE_TABLE_PREFIX": svc.store.config.table_prefix}
    assert lost_acks(svc.store, svc.event_id(), judges) == [ghost]
    problems = check_run(svc.store, env, svc.event_id(), judges, cli_verify=False)
    assert any("rev 2 is missing" in p for p in problems) and any("ghost" in p for p in problems)
    assert (
        check_run(svc.store, env, svc.event_id(), judges, cli_verify=False, excused=frozenset({"ghost"}))
        == []
    )


def without(condition: str):
    """ScoreCommits._ops with the named ConditionCheck taken out of the one path's transaction."""
    ops = ScoreCommits._ops

    def patched(self, *args, **kwargs):
        built, head = ops(self, *args, **kwargs)
        assert any(op.name == condition for op in built), f"the commit has no {condition!r} operation"
        return [op for op in built if op.name != condition], head

    return patched


def play_scores(svc: Service, condition: str) -> tuple[InProcessJudges, str]:
    """One event on the one path (the live route's Scorer, its session known as a stream makes it known):
    a score in the open window; then a late one after the close (`window`) or one from a session logged
    out a moment before (`session`), each of which that condition must refuse."""
    tokens = seed_event(svc, performers=2, perform=0.05, score=0.6)
    start_event(svc)
    opened = advance(svc)
    judges = InProcessJudges(svc, tokens, svc.event_id(), seed=0)
    scorer = Scorer(svc.store, time.time)
    for email, token in tokens.items():
        scorer.remember(token, Identity(email, Role.JUDGE, email))
    context = ScoreContext(svc.event_id(), svc.bundle().settings, lambda pid, judge: None)
    pid, window = opened.state.performer_id, opened.state.window_id
    judge, token = next(iter(tokens.items()))

    def send(value: str) -> Attempt:
        rid, t0 = uuid.uuid4().hex, time.time()
        try:
            score, _ = scorer.submit(token, context, pid, window, {"Score": value}, rid)
            a = Attempt(
                judge, pid, rid, t0, time.time(), "ack", score.total, score.revision, window_id=window
            )
        except ScoreRefused as e:
            a = Attempt(judge, pid, rid, t0, time.time(), "refused", message=str(e), window_id=window)
        except NotAllowed as e:
            a = Attempt(judge, pid, rid, t0, time.time(), "ended", message=str(e), window_id=window)
        judges.record(a)
        return a

    wait_for(lambda: time.time() > opened.at, 5, "the scheduled opening")
    assert send("7").outcome == "ack"
    if condition == "window":
        wait_for(lambda: time.time() > opened.state.deadline, 5, "the window's deadline")
        advance(svc)  # closed: the next performer is on
    else:
        began = time.time()
        svc.logout(token)
        judges.ended[judge] = (began, time.time())
    send("8")
    run_to_the_end(svc)
    return judges, svc.store.config.table_prefix


@pytest.mark.parametrize(
    "condition,violation", [("window", "outside its window"), ("session", "after their session ended")]
)
def test_the_checks_fail_when_a_condition_is_taken_out_of_the_one_path(
    svc, monkeypatch, condition, violation
):
    judges, prefix = play_scores(svc, condition)  # the one path as it is: every check holds
    env = {**os.environ, "STAGESCORE_TABLE_PREFIX": prefix}
    assert check_run(svc.store, env, svc.event_id(), judges, cli_verify=False) == []
    monkeypatch.setattr(ScoreCommits, "_ops", without(condition))
    judges, prefix = play_scores(svc, condition)
    problems = check_run(svc.store, env, svc.event_id(), judges, cli_verify=False)
    assert any(violation in p for p in problems), problems
