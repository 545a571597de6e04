"""What goes on air (engine/domain/on_air.py) and what the state feed shows (engine/views/on_air.py): the
operator's switches and their refusals, and a state document that carries nothing its public board
document does not, whatever the phase and the results' release."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from engine.domain import on_air, publicity
from engine.domain.model import EventState, InvalidInput, PerformerStatus, Phase
from engine.domain.on_air import OnAir
from engine.domain.release import Release, ResultsSettings
from engine.views import documents
from engine.views.on_air import public_fields, scored_last, state_doc
from tests.unit.snapshots import T0, make_snapshot

J = {"j1@x": "Ann", "j2@x": "Bob"}
CLOCK_FIELDS = ("server_time", "remaining_seconds")


def _snapshot(phase: Phase, index: int, release: Release | None = None):
    """Three performers: p1 scored (7, 8) and done; p2 with one score in (9.25); p3 last; the one at
    `index` on stage in `phase`, those before done, those after waiting."""
    on_stage = {Phase.SCORING: PerformerStatus.SCORING, Phase.PERFORMING: PerformerStatus.PERFORMING}
    status = {
        pid: PerformerStatus.DONE if i < index or phase is Phase.FINISHED else PerformerStatus.WAITING
        for i, pid in enumerate(("p1", "p2", "p3"))
    }
    if phase in on_stage:
        status[("p1", "p2", "p3")[index]] = on_stage[phase]
    rows = {"p1": {"j1@x": 7, "j2@x": 8}, "p2": {"j1@x": 9.25}, "p3": {}}
    snap = make_snapshot(rows, J, names={"p1": "Ada", "p2": "Bea", "p3": "Cy"}, status=status)
    state = EventState("e1", phase, ("p1", "p2", "p3"), index, window_id=4, version=9,
                       window_started_at=T0, deadline=T0 + 1000)  # fmt: skip
    snap = replace(snap, state=state, release=release)
    return replace(snap, settings=snap.settings.with_changes(public_judge_scores=True))


def _public(snap, switches: OnAir | None = None) -> dict:
    """The board's public document as the live feed builds it (ui/live/builder.py)."""
    view = publicity.public_view(snap)
    doc = documents.public_doc(view, snap.at, documents.ranking(view))
    return doc | public_fields(switches or OnAir(), scored_last(snap.performers))


def _leaves(value, out: set) -> set:
    if isinstance(value, dict):
        for v in value.values():
            _leaves(v, out)
    elif isinstance(value, list):
        for v in value:
            _leaves(v, out)
    elif isinstance(value, str | int | float) and not isinstance(value, bool):
        out.add(json.dumps(value))
    return out


def _carried_only_what_the_board_shows(public: dict) -> dict:
    state = state_doc(public, public["server_time"])
    shown = _leaves({k: v for k, v in state.items() if k not in CLOCK_FIELDS}, set())
    extra = shown - _leaves(public, set())
    assert not extra, f"the state document carries what the board's document does not: {extra}"
    return state


@pytest.mark.parametrize(
    "phase, index, release",
    [
        (Phase.LOBBY, -1, None),
        (Phase.PERFORMING, 1, None),
        (Phase.SCORING, 1, None),
        (Phase.PERFORMING, 2, None),
        (Phase.FINISHED, 2, None),
        (Phase.FINISHED, 2, Release("e1", ResultsSettings(hide_until_revealed=True))),
        (Phase.PERFORMING, 2, Release("e1", ResultsSettings(hide_until_revealed=True))),
    ],
)
def test_the_state_document_carries_nothing_the_board_document_does_not(phase, index, release):
    _carried_only_what_the_board_shows(_public(_snapshot(phase, index, release)))


def test_while_a_window_is_open_nothing_of_its_scores_and_no_score_card():
    public = _public(_snapshot(Phase.SCORING, 1))
    state = _carried_only_what_the_board_shows(public)
    assert state["performer"] == {"name": "Bea", "category": ""}
    assert state["score_card"] is None and state["showing"]["score_card"] is False
    assert "9.25" not in json.dumps(state) and "9.25" not in json.dumps(public)


def test_once_the_window_has_closed_the_score_card_is_the_boards_row():
    state = _carried_only_what_the_board_shows(_public(_snapshot(Phase.PERFORMING, 2)))
    assert state["score_card"] == {
        "performer": "Bea",
        "category": "",
        "total": "9.25",
        "rank": 1,
        "scores_in": 1,
        "panel": 2,
        "judges": [{"judge": "Ann", "score": "9.25"}, {"judge": "Bob", "score": ""}],
    }
    assert state["performer"]["name"] == "Cy" and state["showing"]["lower_third"] is True
    assert state["next_up"] is None  # nobody waits after Cy


def test_results_hidden_until_revealed_leave_no_score_card_and_no_podium():
    hidden = Release("e1", ResultsSettings(hide_until_revealed=True))
    assert state_doc(_public(_snapshot(Phase.PERFORMING, 2, hidden)), T0)["score_card"] is None
    finished = state_doc(_public(_snapshot(Phase.FINISHED, 2, hidden)), T0)
    assert finished["podiums"] == [] and finished["showing"]["podium"] is False


def test_the_podium_once_finished_and_the_switches_decide_what_shows():
    snap = _snapshot(Phase.FINISHED, 2)
    state = state_doc(_public(snap), T0)
    places = [(p["rank"], p["performer"], p["total"]) for p in state["podiums"][0]["places"]]
    assert places == [(1, "Bea", "9.25"), (2, "Ada", "7.50")]
    # Cy, the last on stage, has no score: no card (a card never shows a total the board has not).
    assert state["showing"] == {"lower_third": False, "score_card": False, "podium": True, "next_up": False}
    off = OnAir(frozenset({"podium"}), "podium")
    state = state_doc(_public(snap, off), T0)
    assert state["showing"]["podium"] is False and state["podiums"], "the switch hides, the data stays"
    assert state["on_air"]["projector"] == "podium" and state["on_air"]["elements"]["lower_third"] is True


def test_the_countdown_is_derived_at_the_time_asked_and_frozen_while_paused():
    public = _public(_snapshot(Phase.PERFORMING, 1))
    assert state_doc(public, T0 + 990)["remaining_seconds"] == 10
    assert state_doc(public, T0 + 2000)["remaining_seconds"] == 0
    paused = {**public, "paused": True, "remaining_seconds": 42.0}
    assert state_doc(paused, T0 + 2000)["remaining_seconds"] == 42.0


def test_a_switch_names_a_known_element_or_view_and_says_what_is_wrong():
    assert on_air.check_change({"podium": False}, None) == ({"podium": False}, None)
    assert on_air.check_change(None, "title") == ({}, "title")
    for shown, view, words in [
        ({"scores": True}, None, "no overlay element 'scores'"),
        ({"podium": "no"}, None, "true or false"),
        (None, "settings", "cannot show 'settings'"),
        (None, None, "Say which element"),
    ]:
        with pytest.raises(InvalidInput, match=words):
            on_air.check_change(shown, view)


def test_switches_apply_and_a_damaged_item_reads_as_the_defaults():
    now = on_air.changed(OnAir(), {"podium": False, "next_up": False}, "on_stage")
    assert (sorted(now.hidden), now.projector) == (["next_up", "podium"], "on_stage")
    assert on_air.changed(now, {"podium": True}, None) == OnAir(frozenset({"next_up"}), "on_stage")
    assert on_air.from_item({"show_podium": False, "projector": "somewhere"}) == OnAir(frozenset({"podium"}))
    assert on_air.from_item({"show_podium": "false"}) == OnAir() and on_air.from_item(None) == OnAir()
