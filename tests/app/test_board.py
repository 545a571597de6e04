"""The public pages: the live board and the results list the ranking, without a login."""

from __future__ import annotations

import json
import time

import pytest

from engine.domain.model import Command, CommandKind
from engine.domain.release import ResultsSettings
from engine.views.exports import public_board
from tests.app.helpers import ADMIN, open_page, open_scoring_now, start


def score_performer_1(svc, tokens, values=("9", "8", "7")) -> None:
    start(svc, tokens)
    state = open_scoring_now(svc)
    for i, value in enumerate(values, start=1):
        svc.submit_score(tokens[f"judge{i}@test.local"], state.performer_id, {"Score": value})


def board_element(at):
    """The live board component and the data the page hands it (AppTest cannot run its JavaScript)."""
    [element] = [e for e in at.main if getattr(e, "key", None) == "live-board"]
    return json.loads(element.proto.json)


def test_public_board_lists_the_ranking(svc, tokens, app):
    score_performer_1(svc, tokens)

    at = open_page(app(), "pages/leaderboard.py")

    assert not at.exception and not at.error
    data = board_element(at)
    assert data == {"url": "/live/public", "kiosk": False, "theme": "light"}
    # What the audience's browsers are pushed (/live/public carries views.exports.public_board's fields;
    # the stream itself is tested with the live feed, the browser's drawing in tests/e2e).
    # While performer 1's window is open nothing of their scores is public (engine.domain.publicity).
    doc = public_board(svc.snapshot(), time.time())
    ranking = doc["ranking"]
    assert [r["performer"] for r in ranking] == ["Performer 1", "Performer 2", "Performer 3"]
    assert (ranking[0]["rank"], ranking[0]["total"], ranking[0]["scores_in"]) == (None, "—", 0)
    assert (doc["phase"], doc["performer"], doc["held_back"]) == ("SCORING", "Performer 1", "Performer 1")
    assert "@" not in json.dumps(doc)  # no judge's email reaches the audience

    svc.command(tokens[ADMIN], Command(CommandKind.CLOSE))
    doc = public_board(svc.snapshot(), time.time())
    ranking = doc["ranking"]
    assert (ranking[0]["rank"], ranking[0]["total"], ranking[0]["scores_in"]) == (1, "8.00", 3)
    assert [r["scores_in"] for r in ranking[1:]] == [0, 0]
    assert (doc["phase"], doc["performer"], doc["held_back"]) == ("PERFORMING", "Performer 2", None)
    assert "@" not in json.dumps(doc)


def test_the_kiosk_board_is_the_same_board_in_large(svc, tokens, app):
    at = app()
    at.query_params["kiosk"] = "1"
    at = open_page(at, "pages/leaderboard.py")

    assert not at.exception and not at.title
    assert board_element(at) == {"url": "/live/public", "kiosk": True, "theme": "light"}


@pytest.mark.parametrize(("asked", "theme"), [("projector", "projector"), ("neon", "light")])
def test_the_kiosk_takes_the_projector_theme_from_its_address(svc, tokens, app, asked, theme):
    at = app()
    at.query_params["kiosk"] = "1"
    at.query_params["theme"] = asked
    at = open_page(at, "pages/leaderboard.py")
    assert not at.exception
    assert board_element(at) == {"url": "/live/public", "kiosk": True, "theme": theme}


def test_results_page_shows_the_podium_once_the_event_is_finished(svc, tokens, app):
    score_performer_1(svc, tokens)
    svc.command(tokens[ADMIN], Command(CommandKind.FINISH))

    at = open_page(app(), "pages/results.py")

    assert not at.exception and not at.error
    assert at.table[0].value["Performer"].tolist()[0] == "Performer 1"
    assert any("Place 1" in m.label for m in at.metric)


def test_performer_names_are_shown_as_typed_not_as_markup(svc, tokens, app):
    svc.set_roster(tokens[ADMIN], [{"name": "**Bold** <b>x</b>", "order": 1}, {"name": "Plain", "order": 2}])

    at = open_page(app(), "pages/results.py")

    assert at.table[0].value["Performer"].tolist() == ["\\*\\*Bold\\*\\* \\<b\\>x\\</b\\>", "Plain"]


def finished_with_three_ranked(svc, tokens) -> None:
    """Performers 1-3 scored (9, 8 and 7 from every judge), each window closed once scored."""
    start(svc, tokens)
    for value in ("9", "8", "7"):
        state = open_scoring_now(svc)
        for i in (1, 2, 3):
            svc.submit_score(tokens[f"judge{i}@test.local"], state.performer_id, {"Score": value})
        svc.command(tokens[ADMIN], Command(CommandKind.CLOSE))  # the last close finishes the event
    assert svc.snapshot().state.phase.value == "FINISHED"


def test_results_page_says_provisional_until_sign_off_then_official(svc, tokens, app):
    finished_with_three_ranked(svc, tokens)

    at = open_page(app(), "pages/results.py")
    assert not at.exception and not at.error
    assert any(w.value.startswith("Provisional results") for w in at.warning)
    assert at.table[0].value["Performer"].tolist() == ["Performer 1", "Performer 2", "Performer 3"]

    svc.results.sign_off(tokens[ADMIN])
    at = open_page(app(), "pages/results.py")
    assert [s.value for s in at.success] == ["Official results"] and not at.warning


def test_hidden_results_page_says_coming_soon_then_shows_only_the_revealed_places(svc, tokens, app):
    finished_with_three_ranked(svc, tokens)
    svc.results.save_results_settings(tokens[ADMIN], ResultsSettings(hide_until_revealed=True))

    at = open_page(app(), "pages/results.py")
    assert [h.value for h in at.header] == ["Results coming soon"] and not at.table

    svc.results.sign_off(tokens[ADMIN])
    svc.results.reveal_next(tokens[ADMIN])  # last place first
    at = open_page(app(), "pages/results.py")
    assert at.table[0].value["Performer"].tolist() == ["Performer 3"]
    assert [m.value for m in at.metric] == ["Performer 3"]  # the podium names only who is revealed
