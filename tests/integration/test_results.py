"""Results on DynamoDB Local: comments, outlier flags and check requests, sign-off freezing every write,
the reveal. Each refusal is one sentence and changes nothing."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from engine.domain import release
from engine.domain.model import CommandRefused, InvalidInput, NotAllowed, Role, ScoreRefused, Settings
from engine.domain.release import ResultsSettings
from engine.domain.snapshot import compute_results
from engine.views import exports, results
from tests.support.events import seed_event
from tests.support.rounds import ADMIN, close_window, judge, open_scoring, play_round

SCORES = [{1: "6", 2: "7", 3: "6.5"}, {1: "9", 2: "8.5", 3: "9.5"}, {1: "4", 2: "5", 3: "4.5"}]


def one_sentence(message: str) -> None:
    assert message.endswith(".") and message.count(". ") == 0, message


def db_state(svc) -> tuple:
    """Everything a refused write must leave as it was."""
    eid = svc.event_id()
    return (
        svc.bundle().state,
        svc.bundle().settings,
        svc.store.performers.list(eid),
        svc.store.scores.list(eid, consistent=True),
        svc.results.release(eid),
        len(svc.log.entries(eid)),
    )


def kinds(svc) -> list[str]:
    return [e.kind for e in svc.log.entries()]


def test_a_comment_is_stored_revised_and_kept_off_the_public_board(svc, clock):
    tokens = seed_event(svc)
    state = open_scoring(svc, clock)
    t = tokens[judge(1)]
    svc.submit_score(t, state.performer_id, {"Score": "7"}, comment="Lovely phrasing.")
    score, _ = svc.submit_score(t, state.performer_id, {"Score": "7"}, comment="Lovely phrasing; rushed end.")
    assert (score.revision, score.comment) == (2, "Lovely phrasing; rushed end.")
    (stored,) = svc.store.scores.list(state.event_id, consistent=True)
    assert stored.comment == "Lovely phrasing; rushed end."
    board = exports.public_board(svc.snapshot(), clock.now)
    assert "rushed" not in repr(board)


@pytest.mark.parametrize(
    "comment, sentence",
    [
        ("x" * 10_000, "A comment can be at most 500 characters (this one has 10000)."),
        ("nice\x00\x1b[2J", "A comment can hold text only, without control characters."),
    ],
)
def test_a_bad_comment_is_refused_with_a_sentence_and_nothing_is_stored(svc, clock, comment, sentence):
    tokens = seed_event(svc)
    state = open_scoring(svc, clock)
    before = db_state(svc)
    with pytest.raises(InvalidInput) as e:
        svc.submit_score(tokens[judge(1)], state.performer_id, {"Score": "7"}, comment=comment)
    assert str(e.value) == sentence
    assert db_state(svc) == before


def test_a_mistyped_score_is_flagged_checked_and_revised_in_its_window(svc, clock):
    tokens = seed_event(svc)
    state = open_scoring(svc, clock)
    pid = state.performer_id
    svc.submit_score(tokens[judge(1)], pid, {"Score": "8.2"})
    svc.submit_score(tokens[judge(2)], pid, {"Score": "1.0"})
    assert "outlier_flagged" not in kinds(svc)  # two scores: no panel to compare with yet
    svc.submit_score(tokens[judge(3)], pid, {"Score": "8.2"})
    logged = [e.payload() for e in svc.log.entries() if e.kind == "outlier_flagged"]
    assert [f["sentence"] for f in logged] == ["Judge 2 gave 1.0; the panel's median is 8.2"]
    desk = results.flags_outliers(svc.snapshot(), svc.results.release())
    assert [(f["judge"], f["performer"], f["value"], f["median"]) for f in desk] == [
        ("Judge 2", "Performer 1", "1.0", "8.2")
    ]
    sentence = svc.results.request_check(tokens[ADMIN], judge(2), pid)
    assert sentence == "Please check your score for Performer 1: you gave 1.0."
    assert svc.results.judge_check_request(judge(2)) == {"performer": pid, "sentence": sentence}
    assert svc.results.judge_check_request(judge(1)) is None
    unflagged = svc.results.request_check(tokens[ADMIN], judge(1), pid)  # an admin may ask about any score
    assert unflagged == "Please check your score for Performer 1: you gave 8.20."
    assert (
        svc.results.answer_check(tokens[judge(1)], confirm=True) == "Thank you: your score stands as it is."
    )
    assert (
        svc.results.answer_check(tokens[judge(2)], confirm=False)
        == "Revise your score below while the window is open."
    )
    assert svc.results.judge_check_request(judge(2)) is None
    svc.submit_score(tokens[judge(2)], pid, {"Score": "10"})
    assert results.flags_outliers(svc.snapshot(), svc.results.release()) == []
    checks = [k for k in kinds(svc) if k.startswith("check")]
    assert checks == ["check_requested", "check_requested", "check_answered", "check_answered"]
    answer = next(e for e in svc.log.entries() if e.kind == "check_answered" and e.actor == judge(2))
    assert answer.actor == judge(2) and answer.payload() == {"performer_id": pid, "confirmed": False}
    assert svc.log.verify() == []


def test_answering_without_a_request_and_asking_about_a_missing_score_are_refused(svc, clock):
    tokens = seed_event(svc)
    state = open_scoring(svc, clock)
    before = db_state(svc)
    with pytest.raises(NotAllowed, match="^There is no request to check a score for you.$"):
        svc.results.answer_check(tokens[judge(1)], confirm=True)
    with pytest.raises(InvalidInput, match="^That judge has no score for this performer to check.$"):
        svc.results.request_check(tokens[ADMIN], judge(1), state.performer_id)
    with pytest.raises(NotAllowed):
        svc.results.request_check(tokens[judge(2)], judge(1), state.performer_id)  # a judge is not an admin
    assert db_state(svc) == before


def test_sign_off_while_a_scoring_window_is_open_is_refused_and_changes_nothing(svc, clock):
    tokens = seed_event(svc)
    open_scoring(svc, clock)
    before = db_state(svc)
    with pytest.raises(CommandRefused) as e:
        svc.results.sign_off(tokens[ADMIN])
    one_sentence(str(e.value))
    assert str(e.value).startswith("Results are still live")
    assert db_state(svc) == before and svc.results.results_status()["results_status"] == "live"


def test_sign_off_waits_for_the_protest_window_then_records_who_when_and_the_hash(svc, clock):
    tokens = seed_event(svc)
    svc.results.save_results_settings(tokens[ADMIN], ResultsSettings(protest_minutes=2))
    state = play_round(svc, clock, tokens, SCORES)
    assert svc.results.results_status()["results_status"] == "provisional"
    assert svc.results.results_status()["protest_remaining_seconds"] == 120
    before = db_state(svc)
    with pytest.raises(CommandRefused, match="^The protest window is open for 2 more minutes"):
        svc.results.sign_off(tokens[ADMIN])
    assert db_state(svc) == before
    clock.now = state.finished_at + 120
    rel = svc.results.sign_off(tokens[ADMIN])
    status = svc.results.results_status()
    assert status["results_status"] == "official" and status["signed_off_by"] == ADMIN
    assert status["signed_off_at"] == pytest.approx(clock.now)
    expected = release.results_hash(results.results_document(svc.snapshot()))
    (entry,) = [e for e in svc.log.entries() if e.kind == "results_signed_off"]
    assert entry.actor == ADMIN and entry.payload()["results_hash"] == expected == rel.results_hash
    assert exports.public_board(svc.snapshot(), clock.now)["results_status"] == "official"


def test_after_sign_off_every_write_of_the_round_is_refused_and_nothing_changes(svc, clock):
    tokens = seed_event(svc)
    play_round(svc, clock, tokens, SCORES)
    svc.results.sign_off(tokens[ADMIN])
    admin, before = tokens[ADMIN], db_state(svc)
    refusals = [
        (
            lambda: svc.results.sign_off(admin),
            "The results are already official (signed off by admin@test.local).",
        ),
        (
            lambda: svc.update_settings(admin, replace(svc.bundle().settings, event_name="Renamed")),
            "The results are official, so the settings can no longer change.",
        ),
        (
            lambda: svc.results.save_results_settings(admin, ResultsSettings(hide_until_revealed=True)),
            "The results are official, so the settings can no longer change.",
        ),
        (
            lambda: svc.set_roster(admin, [{"name": "Late entry", "order": 1}]),
            "The results are official, so the roster can no longer change.",
        ),
        (
            lambda: svc.results.request_check(admin, judge(1), svc.bundle().state.order[0]),
            "The results are official, so the scores can no longer change.",
        ),
    ]
    for attempt, sentence in refusals:
        with pytest.raises(CommandRefused) as e:
            attempt()
        assert str(e.value) == sentence
        assert db_state(svc) == before


def test_judges_weights_and_panel_changed_after_sign_off_leave_the_official_round_as_signed(svc, clock):
    tokens = seed_event(svc)
    play_round(svc, clock, tokens, SCORES)
    rel = svc.results.sign_off(tokens[ADMIN])
    signed = svc.snapshot()
    totals = [(r.performer_id, r.rank, r.total) for r in signed.results]

    svc.set_account(tokens[ADMIN], judge(2), weight="3")  # for a later round
    svc.add_account(tokens[ADMIN], "late@test.local", "Late Judge", "correct-horse-9")
    now_judges = svc.store.accounts.list(Role.JUDGE)
    as_now = compute_results(signed.settings, signed.performers, signed.scores, now_judges)
    assert [(r.performer_id, r.rank, r.total) for r in as_now] != totals  # the weight would move them

    after = svc.snapshot()
    assert [(r.performer_id, r.rank, r.total) for r in after.results] == totals
    assert "late@test.local" not in after.panel
    assert release.results_hash(results.results_document(after)) == rel.results_hash
    assert svc.store.results.get(svc.event_id()).judges == rel.judges  # kept with the round in DynamoDB


def test_the_database_refuses_a_score_once_official_even_in_an_open_window(svc, clock):
    """Sign-off written behind the rules' back while a window is open: the score's own transaction
    still refuses, because it checks the results item at commit."""
    tokens = seed_event(svc)
    state = open_scoring(svc, clock)
    rel = svc.results.release()
    signed = replace(rel, signed_off_by="x", signed_off_at=clock.now, results_hash="h", version=1)
    svc.store.results.write(rel, signed, "test", clock.now, "results_signed_off", {})
    before = db_state(svc)
    with pytest.raises(ScoreRefused) as e:
        svc.submit_score(tokens[judge(1)], state.performer_id, {"Score": "5"})
    assert str(e.value) == "The results are official, so the scores can no longer change."
    assert db_state(svc) == before


def test_the_reveal_goes_from_last_place_up_after_sign_off_only(svc, clock):
    tokens = seed_event(svc)
    svc.results.save_results_settings(tokens[ADMIN], ResultsSettings(hide_until_revealed=True))
    play_round(svc, clock, tokens, SCORES)
    board = exports.public_board(svc.snapshot(), clock.now)
    assert board["results_status"] == "provisional" and board["results_message"] == "Results coming soon"
    assert board["ranking"] == [] and board["revealed"] == []
    before = db_state(svc)
    with pytest.raises(CommandRefused, match=r"^Sign off the results before revealing them\.$"):
        svc.results.reveal_next(tokens[ADMIN])
    assert db_state(svc) == before
    svc.results.sign_off(tokens[ADMIN])
    seen = []
    for expected in (1, 2, 3):
        assert svc.results.reveal_next(tokens[ADMIN]) == expected
        board = exports.public_board(svc.snapshot(), clock.now)
        seen.append([r["performer"] for r in board["revealed"]])
    assert seen == [
        ["Performer 3"],
        ["Performer 3", "Performer 1"],
        ["Performer 3", "Performer 1", "Performer 2"],
    ]
    assert [r["rank"] for r in board["ranking"]] == [1, 2, 3] and board["reveal_complete"] is True
    before = db_state(svc)
    with pytest.raises(CommandRefused, match=r"^Every place has already been revealed\.$"):
        svc.results.reveal_next(tokens[ADMIN])
    assert db_state(svc) == before
    assert [e.payload()["revealed"] for e in svc.log.entries() if e.kind == "place_revealed"] == [1, 2, 3]


def test_bad_results_settings_are_refused_and_change_nothing(svc, clock):
    tokens = seed_event(svc)
    before = db_state(svc)
    with pytest.raises(InvalidInput, match="protest window"):
        svc.results.save_results_settings(tokens[ADMIN], ResultsSettings(protest_minutes=-5))
    with pytest.raises(InvalidInput, match="outlier distance"):
        svc.results.save_results_settings(tokens[ADMIN], ResultsSettings(outlier_distance=Decimal("NaN")))
    assert db_state(svc) == before


def test_a_comment_cannot_change_after_its_window_closes(svc, clock):
    """A comment is revisable like its score: until the window closes, not after."""
    tokens = seed_event(svc, settings=Settings(perform_seconds=10, score_seconds=30))
    state = open_scoring(svc, clock)
    svc.submit_score(tokens[judge(1)], state.performer_id, {"Score": "5"}, comment="ok")
    close_window(svc, clock)
    with pytest.raises(ScoreRefused, match="closed"):
        svc.submit_score(tokens[judge(1)], state.performer_id, {"Score": "6"}, comment="better")
    (stored,) = svc.store.scores.list(state.event_id, consistent=True)
    assert (stored.total, stored.comment) == (Decimal(5), "ok")
