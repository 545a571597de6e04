"""The skating system, as ballroom scrutineers apply it to a final (Dawson's rules of the Official Board).

Rules 5-8 place the couples of one dance from the judges' places:
  5. a couple placed p or better by a majority of the judges (more than half) gets place p;
  6. of several with a majority there, the larger majority gets the place, the next the next place;
  7. equal majorities: the lower sum of the marks forming them; still equal: the next column (p+1 or
     better) for those couples alone, and so on; equal to the last column: they share the places (2.5);
  8. nobody with a majority at p or better: the next column, p+1 or better, and so on.
Rules 9-11 place them over several dances:
  9. the lowest sum of the couple's places in the dances;
 10. equal sums, for the place p under review: the couple placed p or better in more dances; then the
     lower sum of those places; the rest of the tie go on to place p+1 the same way;
 11. still equal: all marks of all dances as the marks of one dance (a majority is more than half of
     judges x dances), rules 5-8 for those couples from place p; what that leaves equal shares.

Each result carries its calculation as scrutineers show it: per couple the count of marks at each place
or better ("1", "1-2", …), with the sum in brackets where rule 7 needed it, filled as far as needed.
Pure: places in, places and tables out.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import accumulate

from engine.domain.messages import N_
from engine.domain.model import InvalidInput
from engine.domain.placing import Table, shown

Places = Mapping[str, Mapping[str, int]]  # couple -> judge -> the judge's place for the couple


@dataclass(frozen=True)
class SkatingResult:
    places: dict[str, Decimal]  # couple -> place; 2.5: a tie for 2nd and 3rd
    totals: dict[str, Decimal]  # one dance: the place again; several: the sum of the dance places
    build: Callable[[], tuple[Table, ...]] = tuple  # the calculation, drawn only when shown

    @property
    def tables(self) -> tuple[Table, ...]:
        return self.build()


class _Sheet:
    """The marks of some couples and the columns examined so far (rules 5-8)."""

    def __init__(self, marks: Mapping[str, Sequence[int]], voters: int, columns: int) -> None:
        self.marks = {c: sorted(m) for c, m in marks.items()}
        self.sums = {c: list(accumulate(m, initial=0)) for c, m in self.marks.items()}
        self.voters = voters  # the judges (rule 11: judges x dances) whose majority decides
        need = voters // 2  # a majority is more than half: the (need+1)th best mark is where it is reached
        big = columns + 1  # never: fewer marks than a majority
        self.reach = {c: m[need] if len(m) > need else big for c, m in self.marks.items()}
        self.columns = columns
        self.first: dict[str, int] = {}  # couple -> the first column examined for it
        self.last: dict[str, int] = {}  # and the last
        self.summed: dict[str, set[int]] = {c: set() for c in marks}  # where rule 7 needed the sum
        self.places: dict[str, Decimal] = {}

    def count(self, couple: str, column: int) -> int:
        return bisect_right(self.marks[couple], column)

    def total(self, couple: str, column: int) -> int:
        return self.sums[couple][self.count(couple, column)]

    def note(self, couple: str, column: int, with_sum: bool = False) -> None:
        if self.last.get(couple, 0) < column:
            self.last[couple] = column
        if with_sum:
            self.summed[couple].add(column)

    def cell(self, couple: str, column: int) -> str:
        if not self.first.get(couple, 0) <= column <= self.last.get(couple, -1):
            return "-"
        n = str(self.count(couple, column))
        return f"{n} ({self.total(couple, column)})" if column in self.summed[couple] else n

    def run(self, couples: Sequence[str], place: int) -> int:
        """Places `place`, `place`+1, … for `couples` (rules 5, 6 and 8); returns the next place."""
        left = list(couples)
        for c in left:
            self.first.setdefault(c, place)
        while left:
            # The first column from `place` on where someone has a majority (rule 8 moves right).
            column = max(place, min(self.reach[c] for c in left))
            column = min(column, max(place, self.columns))
            group = [c for c in left if self.reach[c] <= column]
            for c in left:
                self.note(c, column)
            # Nobody reaches a majority only when marks are missing: the rest are compared as they are.
            place = self.award(group or left, column, place)
            left = [c for c in left if c not in self.places]
        return place

    def award(self, group: Sequence[str], column: int, place: int) -> int:
        """Rules 6 and 7 for couples all compared at `column`: each place to the larger count, then the
        lower sum; equal in both, the next column decides between them alone."""
        group = list(group)
        while group:
            best = max(self.count(c, column) for c in group)
            top = [c for c in group if self.count(c, column) == best]
            if len(top) > 1:
                for c in top:
                    self.note(c, column, with_sum=True)
                low = min(self.total(c, column) for c in top)
                top = [c for c in top if self.total(c, column) == low]
            if len(top) == 1:
                self.places[top[0]] = Decimal(place)
                place += 1
            else:
                place = self.next_column(top, column + 1, place)
            group = [c for c in group if c not in self.places]
        return place

    def next_column(self, tied: Sequence[str], column: int, place: int) -> int:
        if column > self.columns:  # equal in every column: they share the places
            shared = Decimal(sum(range(place, place + len(tied)))) / len(tied)
            for c in tied:
                self.places[c] = shared
            return place + len(tied)
        for c in tied:
            self.note(c, column)
        return self.award(tied, column, place)

    def table(self, title: str, couples: Sequence[str], marks_shown: Mapping[str, Sequence[str]]) -> Table:
        heads = tuple("1" if k == 1 else f"1-{k}" for k in range(1, self.columns + 1))
        rows = []
        for c in sorted(couples, key=lambda c: (self.places[c], c)):
            counts = tuple(self.cell(c, k) for k in range(1, self.columns + 1))
            rows.append((c, *marks_shown.get(c, ()), *counts, shown(self.places[c])))
        judges = marks_shown.get("", ())
        return Table(title, ("Performer", *judges, *heads, "Place"), tuple(rows))


def _judges(places: Places) -> list[str]:
    return sorted({j for row in places.values() for j in row})


def _check(places: Places) -> None:
    for couple, row in places.items():
        for judge, mark in row.items():
            if isinstance(mark, bool) or not isinstance(mark, int) or mark < 1:
                raise InvalidInput(
                    N_("{judge}'s place for {couple} must be a whole number from 1."),
                    judge=judge,
                    couple=couple,
                )


def skate_dance(places: Places, title: str = "") -> SkatingResult:
    """Rules 5-8: one dance's places from the judges' places (a judge without a mark for a couple
    counts in no column of that couple)."""
    _check(places)
    couples = sorted(places)
    judges = _judges(places)
    marks = {c: [places[c][j] for j in judges if j in places[c]] for c in couples}
    columns = max([len(couples), *(m for ms in marks.values() for m in ms)], default=0)
    sheet = _Sheet(marks, len(judges), columns)
    sheet.run(couples, 1)

    def build() -> tuple[Table, ...]:
        shown_marks = {"": tuple(judges), **{c: tuple(_mark(places[c], j) for j in judges) for c in couples}}
        return (sheet.table(title or "The dance (rules 5-8)", couples, shown_marks),)

    return SkatingResult(dict(sheet.places), dict(sheet.places), build)


def _mark(row: Mapping[str, int], judge: str) -> str:
    return str(row[judge]) if judge in row else "-"


def skate_dances(dances: Mapping[str, Places]) -> SkatingResult:
    """Rules 9-11 over several dances (dance -> its places): each dance by rules 5-8, then the summary."""
    if not dances:
        return SkatingResult({}, {})
    couples = sorted(next(iter(dances.values())))
    for name, places in dances.items():
        if sorted(places) != couples:
            raise InvalidInput(
                N_("Every performer needs marks in every dance; {name} has other performers."), name=name
            )
    each = {name: skate_dance(places, name) for name, places in dances.items()}
    dance_places = {c: [each[d].places[c] for d in dances] for c in couples}
    totals = {c: sum(dance_places[c], Decimal(0)) for c in couples}
    summary = _Summary(dances, dance_places, len(couples))
    place = 1
    for total in sorted(set(totals.values())):
        place = summary.rule10([c for c in couples if totals[c] == total], place)

    def build() -> tuple[Table, ...]:
        rows = tuple(
            (c, *(shown(p) for p in dance_places[c]), shown(totals[c]), "; ".join(summary.notes[c]))
            + (shown(summary.places[c]),)
            for c in sorted(couples, key=lambda c: (summary.places[c], c))
        )
        heads = ("Performer", *dances, "Total", "Rules 10-11", "Place")
        rule11 = tuple(sheet.table(title, tied, {}) for title, tied, sheet in summary.rule11_sheets)
        return (*(r.tables[0] for r in each.values()), Table("Summary (rules 9-11)", heads, rows), *rule11)

    return SkatingResult(summary.places, totals, build)


class _Summary:
    """Rules 10 and 11 for the couples whose sums of places are equal."""

    def __init__(self, dances: Mapping[str, Places], dance_places: Mapping[str, list[Decimal]], n: int):
        self.dances = dances
        self.dance_places = dance_places
        self.columns = n
        self.places: dict[str, Decimal] = {}
        self.notes: dict[str, list[str]] = {c: [] for c in dance_places}
        self.rule11_sheets: list[tuple[str, list[str], _Sheet]] = []  # each use of rule 11

    def rule10(self, group: list[str], place: int) -> int:
        while group:
            if len(group) == 1:
                self.places[group[0]] = Decimal(place)
                return place + 1
            won = {c: [p for p in self.dance_places[c] if p <= place] for c in group}
            for c in group:
                self.notes[c].append(f"{_nth(place)}: {len(won[c])} ({shown(sum(won[c], Decimal(0)))})")
            best = max(len(w) for w in won.values())
            top = [c for c in group if len(won[c]) == best]
            low = min(sum(won[c], Decimal(0)) for c in top)
            top = [c for c in top if sum(won[c], Decimal(0)) == low]
            if len(top) == 1:
                self.places[top[0]] = Decimal(place)
                place += 1
            else:
                place = self.rule11(top, place)
            group = [c for c in group if c not in self.places]
        return place

    def rule11(self, tied: list[str], place: int) -> int:
        voters = sum(len(_judges(p)) for p in self.dances.values())
        marks = {c: [m for p in self.dances.values() for m in p[c].values()] for c in tied}
        sheet = _Sheet(marks, voters, self.columns)
        after = sheet.run(tied, place)
        for c in tied:
            self.places[c] = sheet.places[c]
            self.notes[c].append("rule 11")
        title = f"Rule 11 for {_nth(place)} place: all marks of all dances as one dance ({voters} marks)"
        self.rule11_sheets.append((title, tied, sheet))
        return after


def _nth(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
