"""Rank points and Borda: each judge's place for a performer earns points, and the points add up.

Rank points (Irish dancing's award points): a judge's 1st earns the first entry of the event's table
(e.g. 100), 2nd the second (75), …; a place past the table earns 0. So each judge's own scale drops out:
only their order counts. Borda: a judge's place earns the number of performers placed below it (n - place
of n), as Jury ranks hackathon projects. Equal places (a judge's equal marks) earn the same points. A judge
with no mark for a performer gives them nothing. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from engine.domain.model import Rule
from engine.domain.placing import Table, Tabulation, shown

JudgePlaces = Mapping[str, Mapping[str, int]]  # judge -> performer -> place


def rank_points(places: JudgePlaces, performers: Sequence[str], table: Sequence[Decimal]) -> Tabulation:
    def points(place: int) -> Decimal:
        return Decimal(table[place - 1]) if place <= len(table) else Decimal(0)

    return _tabulate(Rule.RANK_POINTS, places, performers, points, "Rank points")


def borda(places: JudgePlaces, performers: Sequence[str]) -> Tabulation:
    n = len(performers)
    return _tabulate(Rule.BORDA, places, performers, lambda place: Decimal(n - place), "Borda points")


def _tabulate(rule: Rule, places: JudgePlaces, performers: Sequence[str], points, title: str) -> Tabulation:
    judges = sorted(places)
    totals = {p: Decimal(0) for p in performers}
    rows = []
    for p in performers:
        cells = []
        for j in judges:
            place = places[j].get(p)
            if place is None:
                cells.append("-")
                continue
            earned = points(place)
            totals[p] += earned
            cells.append(f"{place} → {shown(earned)}")
        rows.append((p, *cells, shown(totals[p])))
    rows.sort(key=lambda row: (-totals[row[0]], row[0]))
    heads = ("Performer", *(f"{j}: place → points" for j in judges), "Total")
    table = Table(title, heads, tuple(rows))
    return Tabulation(rule, totals, None, lambda: (table,))
