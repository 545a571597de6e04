"""The festival's pages on two stages: the public board and schedule per stage, "Now on every stage", the
admin's festival desk (overview, judges' stages, adding a stage) and Setup creating a new stage's event."""

from __future__ import annotations

import pytest

from engine.domain.model import Command, CommandKind, Settings
from tests.app.helpers import ADMIN, component_data, open_page, rerun, shown
from tests.support.events import two_stages

LONG = Settings(perform_seconds=60, score_seconds=60, required_judges=1)


@pytest.fixture
def festival(svc) -> dict[str, str]:
    tokens = two_stages(svc, LONG)
    svc.on("s2").command(tokens[ADMIN], Command(CommandKind.START, force=True))
    return tokens


def test_the_board_follows_the_stage_in_its_address(svc, festival, app):
    at = app()
    at.query_params["stage"] = "s2"
    at = open_page(at, "pages/leaderboard.py")
    assert not at.exception and not at.error
    assert component_data(at, "stagescore_live_board") == [
        {"url": "/live/public?stage=s2", "kiosk": False, "theme": "light"}
    ]
    [picker] = at.button_group
    assert picker.label == "Stage" and picker.value == "s2"
    picker.set_value("s1").run()
    assert component_data(at, "stagescore_live_board") == [
        {"url": "/live/public?stage=s1", "kiosk": False, "theme": "light"}
    ]
    assert at.query_params["stage"] == "s1"


def test_now_on_every_stage_says_what_is_on_and_next_on_each(svc, festival, app):
    at = open_page(app(), "pages/now.py")
    assert not at.exception and not at.error
    assert [s.value for s in at.subheader] == ["Stage 1", "Stage 2"]
    lines = [m.value for m in at.markdown]
    # Stage 1 waits for its judges with performer 1 next; Stage 2 has started: performer 1 on, 2 next.
    assert [line.split(" \\(")[0] for line in lines if line.startswith(("On stage", "Next up"))] == [
        "Next up: Performer 1",
        "On stage: Performer 1",
        "Next up: Performer 2",
    ]


def test_the_schedule_has_a_stage_column_with_several_stages(svc, festival, app):
    at = open_page(app(), "pages/schedule.py")
    assert not at.exception and not at.error
    [table] = at.table
    frame = table.value
    assert list(frame.columns)[:2] == ["Stage", "Performer"]
    assert sorted(frame["Stage"].unique()) == ["Stage 1", "Stage 2"] and len(frame) == 6


def test_the_festival_desk_shows_every_stage_and_moves_a_judge(svc, festival, app):
    at = open_page(app(svc.logins.whoami(festival[ADMIN])), "pages/admin_festival.py")
    assert not at.exception and not at.error
    [frame] = [t.value for t in at.table]
    assert list(frame["Stage"]) == ["Stage 1", "Stage 2"]
    assert (
        list(frame["Phase"]) == ["Waiting for the judges", "Performing"]
        and frame["On stage"][1] == "Performer 1"
    )
    assert frame["Scores in"][1] == "0 / 1"  # Stage 2's panel: judge3
    [moved] = [s for s in at.selectbox if s.key == "judge-stage-judge1@test.local"]
    assert moved.value == "s1"
    moved.set_value("s2").run()
    assert not at.exception and not at.error
    assert svc.stages.of_judge("judge1@test.local") == "s2"
    assert "Judge 1 now judges on Stage 2." in [t.value for t in at.toast]


def test_a_new_stage_gets_its_event_in_setup(svc, festival, app):
    admin = svc.logins.whoami(festival[ADMIN])
    at = open_page(app(admin), "pages/admin_festival.py")
    at.text_input[0].set_value("Ballroom B")
    [add] = [b for b in at.button if b.label == "Add the stage"]
    add.click().run()
    assert not at.exception and not at.error
    assert [s.stage_id for s in svc.store.stages.list()] == ["s1", "s2", "ballroom-b"]  # not the 1 s cache
    at.query_params["stage"] = "ballroom-b"
    at = open_page(at, "pages/admin_setup.py")
    assert "This stage has no event yet." in shown(at)
    [create] = [b for b in at.button if b.label == "Create its event"]
    create.click().run()
    at = rerun(at)
    assert not at.exception and not at.error
    event_id = svc.store.events.current_id("ballroom-b")
    assert event_id and svc.store.events.load(event_id).settings.event_name == "Ballroom B"
