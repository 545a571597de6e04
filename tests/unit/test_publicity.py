"""What the public may see of the performer on stage (domain/publicity.py): nothing of their scores while
their scoring window is open, everything the rules allow once it has closed. Pure, no database."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from engine.domain import publicity
from engine.domain.health import assess
from engine.domain.model import EventState, Phase
from engine.views import documents, exports
from tests.unit.snapshots import T0, make_snapshot

A, B, C = "ann@x.test", "bob@x.test", "cy@x.test"


def on_stage(phase: Phase, index: int = 1, paused: bool = False):
    """p1 scored 7/8, p2 (second in the running order) scored 9.5 and 6 so far, p3 not yet."""
    rows = {"p1": {A: 7, B: 8}, "p2": {A: "9.5", B: 6}, "p3": {}}
    snap = make_snapshot(rows, {A: "Ann", B: "Bob", C: "Cy"})
    state = replace(snap.state, phase=phase, index=index, deadline=T0 + 30, window_id=4, paused=paused)
    return replace(snap, state=state)


@pytest.mark.parametrize("paused", [False, True])
def test_the_performer_being_scored_is_held_back_paused_or_not(paused):
    state = EventState("e1", Phase.SCORING, ("p1", "p2"), 1, paused=paused)
    assert publicity.held_back(state) == "p2"


@pytest.mark.parametrize("phase", [Phase.SETUP, Phase.LOBBY, Phase.PERFORMING, Phase.FINISHED])
def test_nothing_is_held_back_outside_a_scoring_window(phase):
    # PERFORMING: the previous performer's window has closed (and nobody can score the one on stage yet).
    assert publicity.held_back(EventState("e1", phase, ("p1", "p2"), 1)) is None


def test_the_public_view_leaves_out_the_held_performers_scores_and_ranks_without_them():
    snap = on_stage(Phase.SCORING)
    public = publicity.public_view(snap)
    assert {s.performer_id for s in public.scores} == {"p1"}
    by_id = {r.performer_id: r for r in public.results}
    # p2's 7.75 would rank first and push p1 to second: neither the total nor the ranks may tell.
    assert (by_id["p2"].total, by_id["p2"].rank, by_id["p2"].scores_in) == (None, None, 0)
    assert by_id["p1"].rank == 1
    assert snap.scores_for("p2")  # the snapshot itself (the admin's, the judges') keeps them


def test_the_public_view_is_the_snapshot_itself_once_the_window_has_closed():
    snap = on_stage(Phase.PERFORMING, index=2)  # p3 performs: p2's window has closed
    assert publicity.public_view(snap) is snap


@pytest.mark.parametrize("per_judge", [True, False])
def test_the_public_document_carries_nothing_of_the_performer_being_scored(per_judge):
    snap = on_stage(Phase.SCORING)
    snap = replace(snap, settings=replace(snap.settings, public_judge_scores=per_judge))
    public = publicity.public_view(snap)
    doc = documents.public_doc(public, T0, documents.ranking(public))
    row = next(r for r in doc["ranking"] if r["performer"] == "P2")
    assert row["total"] == "—" and row["rank"] is None and row["scores_in"] == 0
    assert row.get("judges", ["", "", ""]) == ["", "", ""]
    assert doc["held_back"] == "P2"
    text = json.dumps(doc)
    assert "9.50" not in text and "7.75" not in text and "6.00" not in text


def test_the_board_export_holds_back_the_performer_being_scored_then_shows_them():
    during = exports.public_board(on_stage(Phase.SCORING), T0)
    row = next(r for r in during["ranking"] if r["performer"] == "P2")
    assert (row["total"], row["judges"]) == ("—", ["", "", ""])

    after = exports.public_board(on_stage(Phase.PERFORMING, index=2), T0)
    row = next(r for r in after["ranking"] if r["performer"] == "P2")
    assert (row["rank"], row["total"], row["judges"]) == (1, "7.75", ["9.50", "6.00", ""])
    assert after["held_back"] is None


def test_the_public_document_refuses_a_snapshot_that_still_holds_the_scores():
    snap = on_stage(Phase.SCORING)
    with pytest.raises(ValueError):
        documents.public_doc(snap, T0, documents.ranking(snap))


def test_the_admin_document_keeps_the_running_total():
    snap = on_stage(Phase.SCORING)
    healthy = assess({"owner": "e1", "expires": T0 + 10_000}, None, T0)
    doc = documents.admin_doc(snap, T0, healthy, documents.ranking(snap))
    row = next(r for r in doc["ranking"] if r["performer"] == "P2")
    assert (row["rank"], row["total"], row["judges"]) == (1, "7.75", ["9.50", "6.00", ""])
