"""`python -m engine tabulate --rule RULE --marks marks.csv [--json]`: a scrutineer's check of a marks
sheet under any of the event rules, with the live ranking's own code (ranking.rank_performers and
ranking.calculation). No database: the sheet is all there is."""

from __future__ import annotations

import json
from pathlib import Path

from engine.domain import marks_sheet, ranking
from engine.domain.model import InvalidInput, Rule, Settings
from engine.domain.placing import PLACEMENT_RULES, Table
from engine.domain.scoring import display

MAX_BYTES = 5_000_000


def register(sub) -> None:
    p = sub.add_parser(
        "tabulate", help="place a marks sheet (CSV: performer, judge, mark[, dance]) by a rule"
    )
    p.add_argument("--rule", required=True, choices=[r.value for r in Rule])
    p.add_argument(
        "--marks", required=True, help="CSV with columns performer, judge, mark and optional dance"
    )
    p.add_argument("--json", action="store_true", help="the places and the calculation as JSON")
    p.set_defaults(fn=cmd_tabulate)


def _read(path: str) -> str:
    try:
        data = Path(path).read_bytes()[: MAX_BYTES + 1]
    except OSError as e:
        raise InvalidInput(f"Cannot read the marks file {path}: {e.strerror or e}.") from None
    if len(data) > MAX_BYTES:
        raise InvalidInput(f"The marks file is larger than {MAX_BYTES // 1_000_000} MB.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("The marks file is not UTF-8 text.") from None


def tabulate(rule: Rule, text: str) -> dict:
    """The places and the calculation of a marks sheet: {"rule", "places": [{"performer", "place"}],
    "calculation": {"tables", "refused"}}."""
    sheet = marks_sheet.parse(text, rule)
    settings = Settings(rule=rule, min_scores=1)
    args = (sheet.performers, sheet.scores, sheet.judges, {}, settings)
    results = ranking.rank_performers(*args, dances=sheet.dances)
    calc = ranking.calculation(*args, dances=sheet.dances)
    if calc is None:  # a rule of each performer's own marks: the totals are the calculation
        rows = tuple((r.performer_id, display(r.total)) for r in results)
        calculation = {"tables": [Table("Totals", ("Performer", "Total"), rows).as_json()], "refused": None}
    else:
        calculation = calc.as_json()
    places = [{"performer": r.performer_id, "place": r.rank} for r in results]
    return {"rule": rule.value, "places": places, "calculation": calculation}


def cmd_tabulate(a) -> int:
    rule = Rule(a.rule)
    out = tabulate(rule, _read(a.marks))
    if out["calculation"]["refused"]:
        raise InvalidInput(out["calculation"]["refused"])
    if a.json:
        print(json.dumps(out))
        return 0
    marks = "places" if rule in PLACEMENT_RULES else "scores"
    print(f"{rule.value}: {len(out['places'])} performer(s), marks read as {marks}")
    for row in out["places"]:
        print(f"{_place(row['place']):>4}  {row['performer']}")
    for table in out["calculation"]["tables"]:
        print()
        print(_text(table))
    return 0


def _place(place: int | None) -> str:
    return "—" if place is None else str(place)


def _text(table: dict) -> str:
    """A table as aligned text, as a scrutineer's sheet prints."""
    lines = [table["columns"], *table["rows"]]
    widths = [max(len(str(line[k])) for line in lines) for k in range(len(table["columns"]))]
    body = ["  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in lines]
    return "\n".join([table["title"], *body])
