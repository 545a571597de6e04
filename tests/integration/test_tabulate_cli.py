"""`python -m engine tabulate --rule RULE --marks marks.csv [--json]` from the shell: a scrutineer's marks
sheet placed with the live ranking's own code (the same places as ranking.rank_performers on the sheet),
the skating system's calculation, rules 9-11 from a `dance` column, and one sentence with exit 2 for a bad
sheet. No database: the command needs none."""

from __future__ import annotations

import json
from pathlib import Path

from engine.cli.main import main
from engine.cli.tabulate import tabulate
from engine.domain.model import Rule
from tests.support.commands import shell
from tests.unit.test_skating import JUDGES

# The README's example: three couples, five judges. No couple has three 1sts; in "1-2" Anna & Ben and
# Cleo & Dan both have four, summing 6 and 7: Anna & Ben win by rule 7.
FINAL = {"Anna & Ben": [1, 1, 2, 3, 2], "Cleo & Dan": [2, 2, 1, 2, 3], "Eva & Finn": [3, 3, 3, 1, 1]}
# Two dances, three judges: the dance places add up (rule 9).
DANCES = {
    "Waltz": {"x": [1, 1, 2], "y": [2, 3, 1], "z": [3, 2, 3]},
    "Tango": {"x": [3, 3, 1], "y": [1, 1, 2], "z": [2, 2, 3]},
}


def csv_of(rows: list[tuple]) -> str:
    head = "performer,judge,mark" + (",dance" if len(rows[0]) == 4 else "")
    return "\n".join([head, *(",".join(map(str, r)) for r in rows)]) + "\n"


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_tabulate_prints_the_places_and_the_skating_calculation(tmp_path):
    rows = [(p, JUDGES[j], m) for p, ms in FINAL.items() for j, m in enumerate(ms)]
    marks = write(tmp_path, "final.csv", csv_of(rows))
    shown = shell("tabulate", "--rule", "skating", "--marks", marks)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[1:4] == ["   1  Anna & Ben", "   2  Cleo & Dan", "   3  Eva & Finn"]
    assert "Anna & Ben  1  1  2  3  2  2  4 (6)  -    1" in lines

    as_json = json.loads(shell("tabulate", "--rule", "skating", "--marks", marks, "--json").stdout)
    assert as_json["places"] == [
        {"performer": "Anna & Ben", "place": 1},
        {"performer": "Cleo & Dan", "place": 2},
        {"performer": "Eva & Finn", "place": 3},
    ]
    assert as_json == tabulate(Rule.SKATING, Path(marks).read_text())  # the code the live ranking uses
    table = as_json["calculation"]["tables"][0]
    assert table["columns"] == ["Performer", "A", "B", "C", "D", "E", "1", "1-2", "1-3", "Place"]


def test_a_dance_column_places_the_summary_by_rules_9_to_11(tmp_path):
    rows = [
        (p, JUDGES[j], m, d)
        for d, sheet in DANCES.items()
        for p, ms in sheet.items()
        for j, m in enumerate(ms)
    ]
    marks = write(tmp_path, "dances.csv", csv_of(rows))
    out = json.loads(shell("tabulate", "--rule", "skating", "--marks", marks, "--json").stdout)
    # Waltz: x 1st, y 2nd, z 3rd; Tango: y, z, x. Totals x 4, y 3, z 5: y, x, z by rule 9.
    assert [(p["performer"], p["place"]) for p in out["places"]] == [("y", 1), ("x", 2), ("z", 3)]
    titles = [t["title"] for t in out["calculation"]["tables"]]
    assert titles == ["Waltz", "Tango", "Summary (rules 9-11)"]


def test_a_bad_sheet_gets_one_sentence_and_exit_2(tmp_path, capsys):
    out = shell("tabulate", "--rule", "skating", "--marks", write(tmp_path, "x.csv", "x,A\n"))
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr == (
        "The marks file's header must name the columns performer, judge, mark (and optionally dance).\n"
    )
    # The other refusals through the same entry point in this process (a process start each is slow).
    cases = {
        "not-a-place.csv": ("skating", "performer,judge,mark\nx,A,1.5\n", "Line 2: the mark must be a place"),
        "twice.csv": ("borda", "performer,judge,mark\nx,A,1\nx,A,2\n", "Line 3: A has already marked x."),
        "dance.csv": ("mean", "performer,judge,mark,dance\nx,A,1,W\n", "A dance column is for the skating"),
        "no-dance.csv": (
            "skating",
            "performer,judge,mark,dance\nx,A,1,W\ny,A,2,W\nx,A,1,T\n",
            "y has no marks in T; every performer needs marks in every dance.",
        ),
        "few.csv": (
            "normalised",
            "performer,judge,mark\nx,A,7\ny,A,8\n",
            "The normalised rule needs at least 3 marks from every judge in the round; A has 2.",
        ),
    }
    for name, (rule, text, sentence) in cases.items():
        assert main(["tabulate", "--rule", rule, "--marks", write(tmp_path, name, text)]) == 2
        shown = capsys.readouterr()
        assert shown.out == "" and sentence in shown.err and len(shown.err.strip().splitlines()) == 1
    assert main(["tabulate", "--rule", "borda", "--marks", str(tmp_path / "none.csv")]) == 2
    assert "Cannot read the marks file" in capsys.readouterr().err
