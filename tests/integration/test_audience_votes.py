"""The audience vote against a real DynamoDB Local: windows opened and closed on the show clock, one
way in for a vote (`svc.votes.cast`), DynamoDB deciding at commit whether a window is open."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from engine.domain.model import (
    CommandRefused,
    InvalidInput,
    NotAllowed,
    ScoreRefused,
    Settings,
    VoteMode,
    VoteSettings,
)
from engine.domain.votes import CLOSED, FINAL, WRONG_CODE
from tests.support.events import seed_event
from tests.support.rounds import ADMIN, close_window, open_scoring, run_votes

PER_ACT = Settings(
    perform_seconds=10, score_seconds=30, votes=VoteSettings(VoteMode.PER_ACT, grace_seconds=20)
)
FINAL_BY_HAND = Settings(votes=VoteSettings(VoteMode.FINAL, final_minutes=0, jury_percent=50))


def rid() -> str:
    return uuid.uuid4().hex


def logged(svc, event_id: str, kind: str) -> list[dict]:
    entries, _ = svc.store.log.entries(event_id)
    return [e.payload() for e in entries if e.kind == kind]


def vote(svc, device: str, code: str, value, request_id: str | None = None, address: str = "10.0.0.1"):
    return svc.votes.cast(device, address, code, value, request_id or rid())


def test_a_vote_per_act_is_counted_once_revised_and_refused_after_its_close(svc, clock):
    tokens = seed_event(svc, settings=PER_ACT)
    state = open_scoring(svc, clock)  # performer 1 on stage, scoring
    windows = run_votes(svc, clock)
    first = state.performer_id
    code = windows[first].code
    phone, other = svc.votes.new_device(), svc.votes.new_device()

    assert vote(svc, phone, code, 4)["replayed"] is False
    again = rid()
    vote(svc, other, code.lower(), 2, again)
    assert vote(svc, other, code, 2, again)["replayed"] is True  # a retry counts once
    vote(svc, other, code, 5)  # a revision: the last one counts
    status = svc.votes.status()
    (line,) = status.windows
    assert (line.tally.votes, line.tally.stars) == (2, 9)

    with pytest.raises(ScoreRefused, match=WRONG_CODE):
        vote(svc, phone, "AAAAA", 3)
    with pytest.raises(InvalidInput):
        vote(svc, phone, code, 6)
    with pytest.raises(NotAllowed):
        vote(svc, "made-up-token", code, 3)

    close_window(svc, clock)  # performer 2 goes on stage: performer 1's vote closes 20 s later
    windows = run_votes(svc, clock)
    assert windows[first].closes_at == pytest.approx(clock.now + 20)
    clock.advance(19.9)
    vote(svc, phone, code, 1)  # still inside the grace period
    clock.advance(0.2)
    svc.votes._read_at = 0  # this process's view of the windows is at most a second old
    with pytest.raises(ScoreRefused, match=CLOSED + "|" + WRONG_CODE):
        vote(svc, phone, code, 5)
    run_votes(svc, clock)  # closed: the tally goes to the log
    closed = logged(svc, state.event_id, "vote_closed")
    assert [e["tally"]["votes"] for e in closed] == [2]
    assert closed[0]["tally"]["stars"] == 6  # 1 + 5
    assert tokens  # the panel is untouched by the audience


def test_a_stale_code_is_refused_even_when_this_process_has_not_read_the_close(svc, clock):
    seed_event(svc, settings=PER_ACT)
    state = open_scoring(svc, clock)
    code = run_votes(svc, clock)[state.performer_id].code
    phone = svc.votes.new_device()
    vote(svc, phone, code, 3)  # this process now knows the window as open
    close_window(svc, clock)
    run_votes(svc, clock)
    clock.advance(25)
    run_votes(svc, clock)  # closed in DynamoDB; this process's view still says open
    with pytest.raises(ScoreRefused, match=CLOSED):
        vote(svc, phone, code, 4)


def test_the_final_vote_by_hand_and_the_combined_ranking(svc, clock):
    tokens = seed_event(svc, settings=FINAL_BY_HAND)
    with pytest.raises(CommandRefused):
        svc.votes.close_final(tokens[ADMIN])
    svc.votes.open_final(tokens[ADMIN])
    (opened,) = svc.votes.codes()
    performers = svc.bundle().state.order
    for _ in range(3):
        vote(svc, svc.votes.new_device(), opened.code, performers[1])
    vote(svc, svc.votes.new_device(), opened.code, performers[0])
    with pytest.raises(InvalidInput):
        vote(svc, svc.votes.new_device(), opened.code, "nobody")
    svc.votes.close_final(tokens[ADMIN])
    clock.advance(0.1)
    run_votes(svc, clock)
    audience = svc.votes.status()
    assert [(p.performer_id, p.votes, p.rank) for p in audience.places][:2] == [
        (performers[1], 3, 1),
        (performers[0], 1, 2),
    ]
    assert audience.combined and {c.performer_id for c in audience.combined} >= set(performers[:2])
    public = audience.as_json(public=True)
    assert "performers" not in public and "votes" not in public["windows"][0]
    svc.votes.reveal(tokens[ADMIN])
    shown = svc.votes.status().as_json(public=True)
    assert shown["revealed"] and shown["performers"][0]["points"] == 3


def test_a_flagged_address_new_devices_can_be_voided_once_closed(svc, clock):
    tokens = seed_event(
        svc, settings=replace(FINAL_BY_HAND, votes=VoteSettings(VoteMode.FINAL, final_minutes=0))
    )
    svc.votes.open_final(tokens[ADMIN])
    (opened,) = svc.votes.codes()
    first = svc.bundle().state.order[0]
    clock.advance(1)  # the bot's devices are issued after the window opened
    for _ in range(30):
        vote(svc, svc.votes.new_device(), opened.code, first, address="203.0.113.9")
    with pytest.raises(CommandRefused):
        svc.votes.void(tokens[ADMIN], FINAL, "anything")
    svc.votes.close_final(tokens[ADMIN])
    clock.advance(0.1)
    run_votes(svc, clock)
    flagged = logged(svc, svc.event_id(), "vote_closed")[0]["flags"]
    assert flagged and flagged[0]["new_devices"] == 30
    assert svc.votes.void(tokens[ADMIN], FINAL, flagged[0]["address"]) == 30
    assert svc.votes.status().windows[0].tally.votes == 0
