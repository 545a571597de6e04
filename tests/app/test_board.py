"""The public pages: the live board and the results list the ranking, without a login."""

from __future__ import annotations

import json
from pathlib import Path

from engine.model import Command, CommandKind
from tests.app.helpers import ADMIN, open_page, open_scoring_now, start, wait_for


def score_performer_1(svc, tokens, values=("9", "8", "7")) -> None:
    start(svc, tokens)
    state = open_scoring_now(svc)
    for i, value in enumerate(values, start=1):
        svc.submit_score(tokens[f"judge{i}@test.local"], state.performer_id, {"Score": value})


def published(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def board_element(at):
    """The live board component and the data the page hands it (AppTest cannot run its JavaScript)."""
    [element] = [e for e in at.main if getattr(e, "key", None) == "live-board"]
    return json.loads(element.proto.json)


def test_public_board_lists_the_ranking(svc, tokens, app, board_dir, table_prefix):
    score_performer_1(svc, tokens)

    at = open_page(app(), "pages/leaderboard.py")

    assert not at.exception and not at.error
    data = board_element(at)
    name = data["url"].rsplit("/", 1)[1]
    assert data["url"] == f"/app/static/{name}" and name.startswith(table_prefix)
    # What the audience's browsers poll: the ranking, published by the page's server process.
    doc = wait_for(
        lambda: (d := published(board_dir / name)) and d.get("ranking") and d,
        what="the board to be published",
    )
    ranking = doc["ranking"]
    assert [r["performer"] for r in ranking] == ["Performer 1", "Performer 2", "Performer 3"]
    assert (ranking[0]["rank"], ranking[0]["total"], ranking[0]["scores_in"]) == (1, "8.00", 3)
    assert [r["scores_in"] for r in ranking[1:]] == [0, 0]
    assert (doc["phase"], doc["performer"]) == ("SCORING", "Performer 1")
    assert "@" not in (board_dir / name).read_text()  # no judge's email reaches the audience


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
