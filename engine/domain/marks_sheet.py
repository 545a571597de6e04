"""A scrutineer's marks sheet: CSV with the columns `performer, judge, mark` and, for the skating system
over several dances, `dance`. A mark is a place (1 = best) under the placement rules and a score under
the others. Parsed into the shape the live ranking takes, so `python -m engine tabulate` ranks it with
exactly the ranking's code (engine/domain/ranking.py). Pure: text in; a bad sheet raises InvalidInput with
one sentence.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

from engine.domain.messages import N_
from engine.domain.model import InvalidInput, Rule
from engine.domain.placing import PLACEMENT_RULES

MAX_ROWS = 100_000
MAX_NAME = 100
COLUMNS = ("performer", "judge", "mark")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)
_PLACE = re.compile(r"[1-9]\d{0,5}", re.ASCII)


@dataclass(frozen=True)
class MarksSheet:
    performers: list[str]  # in the order they first appear
    judges: list[str]
    # performer -> judge -> score (higher better; a place p is the score -p, so each judge's order is kept)
    scores: dict[str, dict[str, Decimal]]
    # performer -> judge -> dance -> score, when the sheet has dances
    dances: dict[str, dict[str, dict[str, Decimal]]] | None = field(default=None)


def parse(text: str, rule: Rule) -> MarksSheet:
    rule = Rule(rule)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise InvalidInput(N_("The marks file is empty; it needs a header row: performer, judge, mark."))
    header = [h.strip().lower() for h in rows[0]]
    allowed = (*COLUMNS, "dance")
    unknown = [h for h in header if h not in allowed]
    if unknown or len(set(header)) != len(header) or not set(COLUMNS) <= set(header):
        raise InvalidInput(
            N_("The marks file's header must name the columns performer, judge, mark (and optionally dance).")
        )
    if "dance" in header and rule is not Rule.SKATING:
        raise InvalidInput(N_("A dance column is for the skating system only (--rule skating)."))
    if len(rows) - 1 > MAX_ROWS:
        raise InvalidInput(N_("The marks file has more than {MAX_ROWS} rows."), MAX_ROWS=MAX_ROWS)
    at = {h: header.index(h) for h in header}
    marks: dict[tuple[str, str, str], Decimal] = {}
    for n, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise InvalidInput(f"Line {n} has {len(row)} cells; the header has {len(header)}.")
        performer, judge = row[at["performer"]].strip(), row[at["judge"]].strip()
        dance = row[at["dance"]].strip() if "dance" in at else ""
        if not performer or not judge or ("dance" in at and not dance):
            raise InvalidInput(
                f"Line {n} needs a performer, a judge{' and a dance' if 'dance' in at else ''}."
            )
        if max(len(performer), len(judge), len(dance)) > MAX_NAME:
            raise InvalidInput(
                N_("Line {n}: names are at most {MAX_NAME} characters."), n=n, MAX_NAME=MAX_NAME
            )
        key = (performer, judge, dance)
        if key in marks:
            where = f" in {dance}" if dance else ""
            raise InvalidInput(
                N_("Line {n}: {judge} has already marked {performer}{where}."),
                n=n,
                judge=judge,
                performer=performer,
                where=where,
            )
        marks[key] = _mark(row[at["mark"]].strip(), rule, n)
    return _sheet(marks, "dance" in at)


def _mark(text: str, rule: Rule, line: int) -> Decimal:
    if rule in PLACEMENT_RULES:
        if not _PLACE.fullmatch(text):
            raise InvalidInput(
                N_("Line {line}: the mark must be a place, a whole number from 1 ({value})."),
                line=line,
                value=rule.value,
            )
        return -Decimal(text)
    if len(text) > 32 or not _NUMBER.fullmatch(text):
        raise InvalidInput(
            N_("Line {line}: the mark must be a number, a score ({value})."), line=line, value=rule.value
        )
    return Decimal(text)


def _sheet(marks: dict[tuple[str, str, str], Decimal], with_dances: bool) -> MarksSheet:
    performers = list(dict.fromkeys(p for p, _, _ in marks))
    judges = sorted({j for _, j, _ in marks})
    if not with_dances:
        scores: dict[str, dict[str, Decimal]] = {p: {} for p in performers}
        for (p, j, _), m in marks.items():
            scores[p][j] = m
        return MarksSheet(performers, judges, scores)
    names = sorted({d for _, _, d in marks})
    dances: dict[str, dict[str, dict[str, Decimal]]] = {p: {} for p in performers}
    for (p, j, d), m in marks.items():
        dances[p].setdefault(j, {})[d] = m
    for p in performers:
        danced = {d for row in dances[p].values() for d in row}
        if danced != set(names):
            missing = sorted(set(names) - danced)[0]
            raise InvalidInput(
                N_("{p} has no marks in {missing}; every performer needs marks in every dance."),
                p=p,
                missing=missing,
            )
    # A judge's mark for the ranking's own bookkeeping (who scored): the mean over the dances they marked.
    scores = {
        p: {j: sum(row.values(), Decimal(0)) / len(row) for j, row in dances[p].items()} for p in performers
    }
    return MarksSheet(performers, judges, scores, dances)
