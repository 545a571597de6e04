"""The read model: ranking rows, what a judge may see, the countdown and the phase words."""

from decimal import Decimal as D

from engine.domain.model import Account, EventState, Performer, PerformerStatus, Phase, Role, Score, Settings
from engine.domain.snapshot import (
    PHASE_LABEL,
    Snapshot,
    compute_results,
    countdown,
    ranking_rows,
    visible_to_judge,
)

A, B, C = "a@x", "b@x", "c@x"


def snapshot(scores: dict[str, dict[str, int]], *, paused: bool = False) -> Snapshot:
    settings = Settings()
    judges = [Account(email, email[0].upper(), Role.JUDGE) for email in (A, B, C)]
    performers = [
        Performer("p1", "One", 1, status=PerformerStatus.DONE),
        Performer("p2", "Two", 2, status=PerformerStatus.SKIPPED),
        Performer("p3", "Three", 3),
    ]
    rows = [
        Score("e", pid, judge, {"Score": D(v)}, D(v), 1, 1.0, 1.0, 1)
        for pid, by_judge in scores.items()
        for judge, v in by_judge.items()
    ]
    state = EventState("e", Phase.SCORING, ("p1", "p2", "p3"), 2, 3, 0.0, 30.0, paused=paused, version=5)
    results = compute_results(settings, performers, rows, judges)
    return Snapshot(0.0, state, settings, performers, rows, judges, [], {}, results)


def test_a_judge_sees_every_score_only_for_the_performers_they_have_scored():
    snap = snapshot({"p1": {A: 7, B: 5}, "p2": {B: 6}, "p3": {A: 4, C: 9}})
    seen = visible_to_judge(snap, A)
    assert [(p.performer_id, list(scores)) for p, scores in seen] == [("p1", [A, B]), ("p3", [A, C])]
    assert [p.performer_id for p, _ in visible_to_judge(snap, B)] == ["p1", "p2"]
    assert visible_to_judge(snapshot({"p1": {B: 5}}), A) == []


def test_ranking_rows_follow_the_results_with_their_performer_and_scores_only_when_asked():
    snap = snapshot({"p1": {A: 7, B: 5, C: 6}, "p3": {A: 9, B: 9, C: 9}})
    rows = ranking_rows(snap)
    assert (
        [r.result.performer_id for r in rows] == [r.performer_id for r in snap.results] == ["p3", "p1", "p2"]
    )
    assert [r.performer.name for r in rows] == ["Three", "One", "Two"]
    assert all(r.by_judge == {} for r in rows)
    assert set(ranking_rows(snap, per_judge=True)[1].by_judge) == {A, B, C}


def test_the_countdown_never_goes_back_up_within_a_window_but_starts_afresh_in_the_next():
    window = ("e", 3, 5)
    assert countdown(9.2, window, None) == 10
    assert countdown(9.0, window, (window, 10)) == 9
    assert countdown(9.6, window, (window, 9)) == 9  # a fresher read said more: still 9
    assert countdown(29.5, ("e", 4, 6), (window, 9)) == 30
    assert countdown(3.0000000001, window, None) == 3  # float noise does not add a second


def test_the_phase_words_cover_every_phase_and_say_paused():
    assert set(PHASE_LABEL) == set(Phase)
    assert snapshot({}).phase_label == "Scoring"
    assert snapshot({}, paused=True).phase_label == "Scoring — paused"
