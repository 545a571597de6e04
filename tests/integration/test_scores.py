"""Scores against a real DynamoDB Local: the database decides whether a window is open."""

from __future__ import annotations

import threading
import uuid
from decimal import Decimal

import pytest

from engine.domain import rules
from engine.domain.accounts import token_hash
from engine.domain.model import Command, CommandKind, InvalidInput, NotAllowed, Phase, ScoreRefused
from engine.store.score_commit import ScoreClaim
from tests.support.events import seed_event


def advance_to_scoring(svc, clock, tokens):
    svc.command(tokens["admin@test.local"], Command(CommandKind.START, force=True))
    b = svc.bundle()
    clock.now = b.state.deadline
    (step,) = rules.due_steps(b.state, b.settings, clock.now, 0)
    svc.store.events.write_step(b.state.version, step, "test", step.at)
    return step.state


def test_score_accepted_just_before_the_window_closes_and_refused_just_after(svc, clock):
    tokens = seed_event(svc)
    state = advance_to_scoring(svc, clock, tokens)
    pid = state.performer_id
    clock.now = state.deadline - 0.01
    score, _ = svc.submit_score(tokens["judge1@test.local"], pid, {"Score": "7.5"})
    assert score.total == Decimal("7.5")
    clock.now = state.deadline + 0.01
    with pytest.raises(ScoreRefused, match="closed"):
        svc.submit_score(tokens["judge2@test.local"], pid, {"Score": "8"})
    assert {s.judge for s in svc.store.scores.list(state.event_id, consistent=True)} == {"judge1@test.local"}


def test_score_before_scoring_opens_is_refused(svc, clock):
    tokens = seed_event(svc)
    svc.command(tokens["admin@test.local"], Command(CommandKind.START, force=True))
    pid = svc.bundle().state.performer_id
    with pytest.raises(ScoreRefused, match="not opened"):
        svc.submit_score(tokens["judge1@test.local"], pid, {"Score": "5"})


def test_score_for_a_performer_not_on_stage_is_refused(svc, clock):
    tokens = seed_event(svc)
    state = advance_to_scoring(svc, clock, tokens)
    other = state.order[1]
    with pytest.raises(ScoreRefused):
        svc.submit_score(tokens["judge1@test.local"], other, {"Score": "5"})


def test_stale_window_is_refused_by_the_database_not_the_process(svc, clock):
    """Even if the process believed the window open, DynamoDB's condition refuses another window id."""
    tokens = seed_event(svc)
    state = advance_to_scoring(svc, clock, tokens)
    with pytest.raises(ScoreRefused):
        claim = ScoreClaim(
            state.event_id,
            state.performer_id,
            state.window_id - 1,
            "judge1@test.local",
            token_hash(tokens["judge1@test.local"]),
            {"Score": Decimal(5)},
            Decimal(5),
            uuid.uuid4().hex,
            clock.now,
        )
        svc.store.score_commits.commit(claim, None)


def test_revision_keeps_history(svc, clock):
    tokens = seed_event(svc)
    state = advance_to_scoring(svc, clock, tokens)
    t = tokens["judge1@test.local"]
    svc.submit_score(t, state.performer_id, {"Score": "6"})
    clock.advance(1)
    score, _ = svc.submit_score(t, state.performer_id, {"Score": "6.5"})
    assert score.revision == 2 and score.total == Decimal("6.5")
    history = svc.store.scores.history(state.event_id)
    assert [(h.get("old"), h["new"]) for h in history] == [
        (None, {"Score": "6"}),
        ({"Score": "6"}, {"Score": "6.5"}),
    ]


def test_a_retried_request_creates_no_duplicate(svc, clock):
    tokens = seed_event(svc)
    state = advance_to_scoring(svc, clock, tokens)
    t = tokens["judge1@test.local"]
    first, replayed1 = svc.submit_score(t, state.performer_id, {"Score": "6"}, request_id="abc")
    again, replayed2 = svc.submit_score(t, state.performer_id, {"Score": "6"}, request_id="abc")
    assert (replayed1, replayed2) == (False, True)
    assert again.revision == first.revision == 1
    assert len(svc.store.scores.history(state.event_id)) == 1


def test_twenty_concurrent_submissions_by_one_judge(svc, clock):
    tokens = seed_event(svc)
    state = advance_to_scoring(svc, clock, tokens)
    t = tokens["judge1@test.local"]
    results, errors = [], []

    def go(i):
        try:
            results.append(svc.submit_score(t, state.performer_id, {"Score": str(i / 10)})[0])
        except Exception as e:  # a clear refusal is an allowed outcome, silence is not
            errors.append(e)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(1, 21)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(results) + len(errors) == 20
    assert all(str(e).endswith(".") for e in errors)
    current = svc.store.scores.list(state.event_id, consistent=True)
    assert len(current) == 1
    history = svc.store.scores.history(state.event_id)
    assert len(history) == len(results)
    assert sorted(h["revision"] for h in history) == list(range(1, len(results) + 1))
    assert current[0].revision == len(results)
    assert len(results) >= 15


@pytest.mark.parametrize("raw", ["nan", "inf", "-1", "11", "1e309", "abc", "", "10.05", "x" * 10000, "-0.1"])
def test_bad_score_changes_nothing(svc, clock, raw):
    tokens = seed_event(svc)
    state = advance_to_scoring(svc, clock, tokens)
    with pytest.raises(InvalidInput):
        svc.submit_score(tokens["judge1@test.local"], state.performer_id, {"Score": raw})
    assert svc.store.scores.list(state.event_id, consistent=True) == []


def test_a_judge_cannot_run_admin_commands_and_an_admin_cannot_score(svc, clock):
    tokens = seed_event(svc)
    with pytest.raises(NotAllowed):
        svc.command(tokens["judge1@test.local"], Command(CommandKind.START, force=True))
    assert svc.bundle().state.phase is Phase.LOBBY
    state = advance_to_scoring(svc, clock, tokens)
    with pytest.raises(NotAllowed):
        svc.submit_score(tokens["admin@test.local"], state.performer_id, {"Score": "5"})


def test_forged_and_expired_tokens_are_refused(svc, clock):
    tokens = seed_event(svc)
    with pytest.raises(NotAllowed):
        svc.logins.whoami("forged-" + uuid.uuid4().hex)
    clock.advance(13 * 3600)
    with pytest.raises(NotAllowed, match="ended"):
        svc.logins.whoami(tokens["judge1@test.local"])


def test_logout_ends_the_session(svc, clock):
    tokens = seed_event(svc)
    svc.logins.logout(tokens["judge1@test.local"])
    with pytest.raises(NotAllowed):
        svc.logins.whoami(tokens["judge1@test.local"])


def test_passwords_are_stored_only_as_argon2id(svc, clock):
    from tests.support.events import PASSWORD

    seed_event(svc)
    stored = svc.store.accounts.get("judge1@test.local")
    assert stored.password_hash.startswith("$argon2id$") and PASSWORD not in stored.password_hash


def test_reset_keeps_the_old_event_readable(svc, clock):
    tokens = seed_event(svc)
    state = advance_to_scoring(svc, clock, tokens)
    svc.submit_score(tokens["judge1@test.local"], state.performer_id, {"Score": "9"})
    old = state.event_id
    new = svc.command(tokens["admin@test.local"], Command(CommandKind.RESET))
    assert new.event_id != old and svc.event_id() == new.event_id
    assert new.phase is Phase.SETUP
    assert len(svc.snapshot(old).scores) == 1
    assert svc.snapshot().scores == []
    assert [e["event_id"] for e in svc.store.events.all()] == [old, new.event_id]
    assert svc.log.verify(old) == [] and svc.log.verify(new.event_id) == []


def test_log_records_every_change_and_detects_tampering(svc, clock):
    tokens = seed_event(svc)
    state = advance_to_scoring(svc, clock, tokens)
    svc.submit_score(tokens["judge1@test.local"], state.performer_id, {"Score": "9"})
    entries, _ = svc.store.log.entries(state.event_id)
    kinds = [e.kind for e in entries]
    assert {"event_created", "started (forced)", "scoring_opened", "score_submitted"} <= set(kinds)
    assert svc.log.verify() == []
    victim = next(e for e in entries if e.kind == "score_submitted")
    svc.store.client.boto.update_item(
        TableName=svc.store.tables.log,
        Key={"event_id": {"S": victim.event_id}, "sk": {"S": f"{victim.stream}#{victim.seq:09d}"}},
        UpdateExpression="SET #d = :d",
        ExpressionAttributeNames={"#d": "data"},
        ExpressionAttributeValues={":d": {"S": victim.data.replace("9", "10")}},
    )
    assert any("altered" in p for p in svc.log.verify())
