"""What the placement rules share: each judge's marks turned into that judge's places, and the
calculation a rule shows beside its places (a table of text, as a scrutineer writes it).

Pure: marks in, places out. A judge's equal marks share the place, 1, 2, 2, 4, as the event's own ranks
do (engine/domain/ranking.py): a place is one plus the number of performers the judge marked better.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from engine.domain.model import Rule, StagescoreError

# The rules that rank a performer against the field rather than from their own marks alone.
PLACEMENT_RULES = frozenset({Rule.SKATING, Rule.RANK_POINTS, Rule.BORDA})
FIELD_RULES = PLACEMENT_RULES | {Rule.NORMALISED}


@dataclass(frozen=True)
class Table:
    """One table of a calculation: a title, column headings and rows of text."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def as_json(self) -> dict:
        return {"title": self.title, "columns": list(self.columns), "rows": [list(r) for r in self.rows]}


@dataclass(frozen=True)
class Tabulation:
    """A field rule's outcome: each performer's total (what the ranking shows and orders by, higher
    first), or for the skating system each one's place (lower first), and the calculation."""

    rule: Rule
    totals: dict[str, Decimal]
    places: dict[str, Decimal] | None = None  # the skating system's places (2.5: a tie for 2nd and 3rd)
    build: Callable[[], tuple[Table, ...]] = tuple  # the calculation, drawn only when it is shown
    refused: str | None = None  # the sentence saying why the rule cannot rank this round
    refusal: StagescoreError | None = None  # the same, with its template and blanks (said in a language)

    @property
    def tables(self) -> tuple[Table, ...]:
        return self.build()

    def as_json(self) -> dict:
        return {"tables": [t.as_json() for t in self.tables], "refused": self.refused}


def judge_places(marks: Mapping[str, Mapping[str, Decimal]]) -> dict[str, dict[str, int]]:
    """performer -> judge -> mark (higher is better) into judge -> performer -> place among the
    performers that judge marked; equal marks share the place (1, 2, 2, 4)."""
    by_judge: dict[str, dict[str, Decimal]] = {}
    for performer, row in marks.items():
        for judge, mark in row.items():
            by_judge.setdefault(judge, {})[performer] = mark
    places: dict[str, dict[str, int]] = {}
    for judge in sorted(by_judge):
        given = by_judge[judge]
        ordered = sorted(given.values(), reverse=True)
        first = {}
        for i, mark in enumerate(ordered):
            first.setdefault(mark, i + 1)
        places[judge] = {p: first[m] for p, m in sorted(given.items())}
    return places


def shown(d: Decimal) -> str:
    """A place or total as a scrutineer writes it: 2, 2.5, 13."""
    if d == d.to_integral_value():
        return str(int(d))
    return f"{d.normalize():f}"
