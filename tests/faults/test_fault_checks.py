"""The checks the fault runs rely on do catch what they claim to: doctored events on real tables, and
the one path for a score with its window or its session condition taken out. Every real score here is a
judge's POST /live/score to a real web server, as in the fault runs."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal

import pytest

from engine.domain import rules
from engine.domain.accounts import token_hash
from engine.domain.model import Phase, Step
from engine.service.core import Service
from tests.faults.conftest import fault_environment
from tests.faults.harness import (
    Reaper,
    Stage,
    Venue,
    check_run,
    lost_acks,
    results_from_log,
    start_event,
    store_for,
    wait_for,
)
from tests.invariants import check_event, check_refusals
from tests.support.events import seed_lobby
from tests.support.judges import Attempt, Judges
from tests.support.live import wait_until_live

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
    seed_lobby(svc, performers=2, perform=0.05, score=30)
    start_event(svc)
    run_to_the_end(svc)
    assert check_event(svc.store, svc.event_id()) == []


def test_a_transition_away_from_its_deadline_is_caught(svc):
    seed_lobby(svc, performers=2, perform=0.05, score=30)
    start_event(svc)
    advance(svc, at_offset=0.25)
    run_to_the_end(svc)
    assert any("not at its deadline" in p for p in check_event(svc.store, svc.event_id()))


def test_a_skipped_and_a_doubled_performer_are_caught(svc):
    seed_lobby(svc, performers=3, perform=0.05, score=30)
    start_event(svc)
    advance(svc)  # scoring p1
    # the close of p1's window puts p1 on stage again instead of p2
    advance(svc, mutate=lambda s: replace(s, state=replace(s.state, index=0)))
    run_to_the_end(svc)
    problems = check_event(svc.store, svc.event_id())
    assert any("performed twice" in p for p in problems)
    assert any("not every performer performed" in p for p in problems)


@pytest.fixture(scope="module")
def venue(dynamodb_endpoint, tmp_path_factory) -> Iterator[Venue]:
    """Tables and one web server shared by this module's tests, each test a new event there."""
    reaper = Reaper(tmp_path_factory.mktemp("checks"))
    try:
        yield Venue(fault_environment(), reaper)
    finally:
        reaper.cleanup()


def scoring_stage(venue: Venue, score: float = 30) -> tuple[Stage, Judges, Step]:
    """A new event at `venue` whose first window is open (its opening written as the engine would), and
    its judges, not started: the test sends each score itself, over HTTP."""
    stage = venue.stage("checks", 0, performers=1 if score >= 30 else 2, perform=0.05, score=score)
    start_event(venue.svc)
    opened = advance(venue.svc)
    wait_until_live(venue.urls[0], event_id=stage.event_id)
    judges = Judges(venue.judge_urls, venue.cookie, stage.tokens, stage.event_id, seed=0)
    wait_for(lambda: time.time() > opened.at, 5, "the scheduled opening")
    return stage, judges, opened


def test_refusals_inside_an_open_window_and_refused_scores_that_count_are_caught(venue):
    stage, judges, opened = scoring_stage(venue)
    judge = next(iter(stage.tokens))
    pid = opened.state.performer_id
    real = judges.submit(judge, pid, opened.state.window_id, Decimal(7))
    assert real.outcome == "ack", real.message
    rid, written = real.request_id, real.t1
    fine = [
        Attempt(judge, pid, "r1", written - 5, written - 4.9, "refused"),  # before the opening
        Attempt(judge, pid, "r2", opened.state.deadline, opened.state.deadline + 0.1, "refused"),  # after
        Attempt(judge, pid, "r3", written + 1, written + 1.1, "transient"),  # neither
    ]
    assert check_refusals(venue.store, stage.event_id, fine) == []
    bad = [
        Attempt(judge, pid, "r4", written + 1, written + 1.1, "refused"),
        Attempt(judge, pid, rid, written + 1, written + 1.1, "refused"),
        Attempt(judge, pid, "r5", written, written + 0.1, "ack", Decimal(7), 1),
    ]
    problems = check_refusals(venue.store, stage.event_id, bad)
    assert any("inside its open window" in p for p in problems)
    assert any("was stored and counts" in p for p in problems)
    assert any("is not in the log" in p for p in problems)
    run_to_the_end(venue.svc)


def test_results_that_differ_from_the_log_are_caught(venue):
    stage, judges, opened = scoring_stage(venue)
    judge = next(iter(stage.tokens))
    eid = stage.event_id
    assert (
        judges.submit(judge, opened.state.performer_id, opened.state.window_id, Decimal(7)).outcome == "ack"
    )
    assert results_from_log(venue.store, eid) == []
    venue.store.client.boto.update_item(
        TableName=venue.store.tables.scores,
        Key={"event_id": {"S": eid}, "sk": {"S": f"S#{opened.state.performer_id}#{judge}"}},
        UpdateExpression="SET #t = :t",
        ExpressionAttributeNames={"#t": "total"},
        ExpressionAttributeValues={":t": {"N": "9"}},
    )
    problems = results_from_log(venue.store, eid)
    assert any("stored scores differ" in p for p in problems)
    assert any("results differ" in p for p in problems)
    acked = {(opened.state.performer_id, judge): (Decimal(7), 1)}
    assert any("is stored as 9" in p for p in check_event(venue.store, eid, acked))
    run_to_the_end(venue.svc)


def test_a_lost_acknowledgement_is_caught_unless_excused(venue):
    stage, judges, opened = scoring_stage(venue)
    judge = next(iter(stage.tokens))
    real = judges.submit(judge, opened.state.performer_id, opened.state.window_id, Decimal(6))
    assert real.outcome == "ack", real.message
    # An acknowledgement the database does not have (as after DynamoDB Local's crash loss).
    ghost = Attempt(judge, opened.state.performer_id, "ghost", real.t1, real.t1 + 0.01, "ack", Decimal(8), 2)
    judges.attempts.append(ghost)
    run_to_the_end(venue.svc)
    env, eid = venue.direct_env, stage.event_id
    assert lost_acks(venue.store, eid, judges) == [ghost]
    problems = check_run(venue.store, env, eid, judges, cli_verify=False)
    assert any("rev 2 is missing" in p for p in problems) and any("ghost" in p for p in problems)
    assert check_run(venue.store, env, eid, judges, cli_verify=False, excused=frozenset({"ghost"})) == []


def play_scores(venue: Venue, condition: str) -> list[str]:
    """One event at `venue`, a judge scoring by POST /live/score: a score in the open window; then a late
    one after the close (`window`) or one from a session the admin ended a moment before (`session`),
    each of which that condition must refuse. Returns what the fault runs' checks find."""
    # A short window for `window` (it must close), yet long enough for the first score to land in it on a
    # loaded machine (0.6 s was not: two runs refused it); a long one for `session`, so that the score
    # after the End still lands inside it and only the session condition can refuse it.
    stage, judges, opened = scoring_stage(venue, score=3.0 if condition == "window" else 5.0)
    pid, window = opened.state.performer_id, opened.state.window_id
    judge, token = next(iter(stage.tokens.items()))
    assert judges.submit(judge, pid, window, Decimal(7)).outcome == "ack"
    if condition == "window":
        wait_for(lambda: time.time() > opened.state.deadline, 5, "the window's deadline")
        advance(venue.svc)  # closed: the next performer is on
    else:
        began = time.time()
        venue.svc.logins.end_device(None, judge, token_hash(token))
        judges.ended[judge] = (began, time.time())
    judges.submit(judge, pid, window, Decimal(8))
    run_to_the_end(venue.svc)
    return check_run(venue.store, venue.direct_env, stage.event_id, judges, cli_verify=False)


@pytest.mark.parametrize(
    "condition,violation", [("window", "outside its window"), ("session", "after their session ended")]
)
def test_the_checks_fail_when_a_condition_is_taken_out_of_the_one_path(venue, tmp_path, condition, violation):
    assert play_scores(venue, condition) == []  # the one path as it is: every check holds
    reaper = Reaper(tmp_path)
    try:
        patched = Venue(fault_environment(), reaper, launcher=("tests.support.patched_web", condition))
        problems = play_scores(patched, condition)
    finally:
        reaper.cleanup()
    assert any(violation in p for p in problems), problems
