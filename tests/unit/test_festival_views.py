"""The festival's overview lines (engine/views/festival.py): the organiser's desk and the public
"Now on every stage", one line per stage."""

from __future__ import annotations

import re
from dataclasses import replace

from engine.domain.health import EngineHealth
from engine.domain.model import PerformerStatus, Phase
from engine.domain.stages import Stage
from engine.views.festival import StageView, desk_row, now_on
from tests.unit.snapshots import T0, make_snapshot

STAGE = Stage("s2", "Stage 2", 2)
RUNNING = EngineHealth(True, "engine-a", T0 + 5, T0, 0.0, None)
STOPPED = EngineHealth(
    False, None, None, None, 0.0, "The timer engine is not running: start `python -m engine run`."
)


def scoring_p2(at: float = T0 + 100 * 1 + 10 + 12):
    """p1 done; p2 being scored (its window opened at +110, 30 s long) with one of two judges' scores in;
    p3 waiting."""
    snap = make_snapshot(
        {"p1": {"a@x": 8, "b@x": 7}, "p2": {"a@x": 6}, "p3": {}},
        judges={"a@x": "A", "b@x": "B"},
        status={"p2": PerformerStatus.SCORING, "p3": PerformerStatus.WAITING},
    )
    state = replace(
        snap.state,
        phase=Phase.SCORING,
        index=1,
        deadline=T0 + 140,
        window_started_at=T0 + 110,
    )
    return replace(snap, state=state, at=at)


def test_a_stage_being_scored_says_who_how_long_and_how_many_scores_are_in():
    row = desk_row(StageView(STAGE, scoring_p2(), RUNNING), T0 + 122)
    assert re.fullmatch(r"on time|\d+ min", row.pop("Behind plan"))
    assert row == {
        "stage": "s2",
        "Stage": "Stage 2",
        "Phase": "Scoring",
        "On stage": "P2",
        "Time left": "18 s",
        "Scores in": "1 / 2",
        "Engine": "running",
    }


def test_a_stage_whose_engine_stopped_says_so_in_its_line():
    assert desk_row(StageView(STAGE, scoring_p2(), STOPPED), T0 + 122)["Engine"].startswith(
        "The timer engine is not running"
    )


def test_a_stage_without_an_event_yet_has_a_line_that_says_so():
    row = desk_row(StageView(Stage("s3", "Stage 3"), None), T0)
    assert row["Phase"] == "No event yet" and row["On stage"] == "—" and row["Engine"] == "—"


def test_now_on_a_stage_names_who_is_on_and_who_is_next():
    line = now_on(StageView(STAGE, scoring_p2()), T0 + 122)
    assert (line["name"], line["phase"], line["on_stage"], line["next_up"]) == (
        "Stage 2",
        "Scoring",
        "P2",
        "P3",
    )
    assert line["next_at"]  # about when p3 goes on, as a clock time


def test_now_on_a_stage_without_an_event_names_only_the_stage():
    line = now_on(StageView(Stage("s3", "Stage 3"), None), T0)
    assert (line["name"], line["on_stage"], line["next_up"]) == ("Stage 3", None, None)
