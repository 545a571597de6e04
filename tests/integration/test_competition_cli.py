"""The competition's CLI on DynamoDB Local: round, conflict, performers move/no-show/bring-back, status."""

from __future__ import annotations

import json

from engine.cli.main import main
from tests.integration.test_competition import ADMIN, J1, MARKS, ROSTER, play
from tests.support.events import seed_event


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_two_round_competition_from_the_command_line(svc, clock, capsys):
    tokens = seed_event(svc, judges=3, performers=1)
    svc.set_roster(tokens[ADMIN], ROSTER)
    assert run(capsys, "round", "name", "Heats")[0] == 0
    code, out, _ = run(capsys, "conflict", "add", J1, "Bo")
    assert code == 0 and "stepped aside for Bo" in out
    assert "judge1@test.local" in run(capsys, "conflict", "list")[1]
    code, out, _ = run(capsys, "performers", "move", "Ada", "--last")
    assert code == 0 and out.strip().endswith("Running order: Bo, Cy, Di, Ada")
    code, _, err = run(capsys, "round", "next", "--top", "1")
    assert (
        code == 2 and err.strip() == "This round has not finished yet; finish it before advancing performers."
    )

    marks = {**MARKS, "Bo": {k: v for k, v in MARKS["Bo"].items() if k != J1}}
    play(svc, clock, tokens, marks, until=("Cy", "PERFORMING"))
    status = json.loads(run(capsys, "status", "--json")[1])
    assert status["round"] == {"number": 1, "name": "Heats"}
    assert status["category"] == "Dance" and status["recused"] == []
    by_name = {s["name"]: s for s in status["schedule"]}
    assert by_name["Bo"]["status"] == "done" and by_name["Ada"]["status"] == "waiting"
    assert (
        by_name["Ada"]["expected_start"] > by_name["Di"]["expected_start"] > by_name["Cy"]["expected_start"]
    )
    play_out(svc, clock, tokens, marks)

    exported = json.loads(run(capsys, "export", "--format", "json")[1])
    assert {c: [r["rank"] for r in rows] for c, rows in exported["categories"].items()} == {
        "Dance": [1, 2],
        "Music": [1, 2],
    }
    recused = [s for s in exported["scores"] if s["recused"]]
    assert [(s["performer"], s["judge"]) for s in recused] == [("Bo", J1)]

    code, out, _ = run(capsys, "round", "next", "--top", "1", "--per-category", "--name", "Final")
    assert code == 0 and "Round 2 (Final)" in out and "Running order: Ada, Di" in out
    code, out, _ = run(capsys, "round", "list")
    lines = out.strip().splitlines()
    assert len(lines) == 2 and "Heats" in lines[0] and lines[1].startswith("*") and "Final" in lines[1]
    status = json.loads(run(capsys, "status", "--json")[1])
    assert status["round"] == {"number": 2, "name": "Final"}
    assert status["competition_id"] == exported["event_id"]


def test_cli_bad_input_is_one_sentence(svc, clock, capsys):
    tokens = seed_event(svc, judges=3, performers=1)
    svc.set_roster(tokens[ADMIN], ROSTER)
    code, _, err = run(capsys, "conflict", "add", "ghost@test.local", "Bo")
    assert code == 2 and err.strip() == "There is no judge with the email ghost@test.local."
    code, _, err = run(capsys, "performers", "move", "Ada", "--position", "9")
    assert code == 2 and err.strip() == "Choose a position from 1 to 4."
    code, _, err = run(capsys, "round", "name", "x" * 500)
    assert code == 2 and err.strip() == "A round name is 1 to 60 characters."


def play_out(svc, clock, tokens, marks):
    from tests.integration.test_competition import step_timer

    while (state := svc.bundle().state).phase.value != "FINISHED":
        if state.phase.value == "SCORING":
            name = svc.snapshot().performer_name(state.performer_id)
            for judge, value in marks[name].items():
                svc.submit_score(tokens[judge], state.performer_id, {"Score": str(value)})
        step_timer(svc, clock)
