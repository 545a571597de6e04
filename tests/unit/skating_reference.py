"""A second, independent skating system, written straight from the rules' text for the property tests
(tests/unit/test_skating.py). It shares no code with engine/domain/skating.py: places are Fractions, a
couple's marks a plain list, and each rule a sort.

Rule 5: a couple placed p or better by an absolute majority of the judges gets place p.
Rule 6: several with a majority: the largest majority first, the next largest the next place.
Rule 7: equal majorities: the lowest total of the marks forming them; still equal: the next lower place
        for those couples only; equal through the last place: they share the places.
Rule 8: no majority at p or better: include the next place, and so on.
Rule 9: several dances: the lowest total of the dance places.
Rule 10: equal totals, place p under review: the couple with p or better in most dances; then the lowest
        total of those places; the others go on to the next place.
Rule 11: still equal: every mark of every dance counts as one dance's (majority: more than half of
        judges x dances), rules 5-8 for those couples from place p.
"""

from __future__ import annotations

from fractions import Fraction
from itertools import groupby


def _upto(marks: list[int], k: int) -> list[int]:
    return [m for m in marks if m <= k]


def _order(couples: list[str], marks: dict[str, list[int]], k: int, last: int) -> list[list[str]]:
    """Rules 6 and 7 at column k: the couples in order, each entry a group still equal (to share)."""
    key = lambda c: (-len(_upto(marks[c], k)), sum(_upto(marks[c], k)))  # noqa: E731
    out: list[list[str]] = []
    for _, same in groupby(sorted(couples, key=key), key=key):
        same = list(same)
        if len(same) > 1 and k < last:
            out += _order(same, marks, k + 1, last)
        else:
            out.append(same)
    return out


def place_couples(marks: dict[str, list[int]], voters: int, last: int, couples=None, start: int = 1):
    """Rules 5-8 for `couples` (all by default) from place `start`: couple -> Fraction place."""
    result: dict[str, Fraction] = {}
    remaining = list(couples if couples is not None else marks)
    place = start
    while remaining:
        k = place
        while k < last and not any(2 * len(_upto(marks[c], k)) > voters for c in remaining):
            k += 1
        majority = [c for c in remaining if 2 * len(_upto(marks[c], k)) > voters] or remaining
        for group in _order(majority, marks, k, last):
            for c in group:
                result[c] = Fraction(sum(range(place, place + len(group))), len(group))
            place += len(group)
        remaining = [c for c in remaining if c not in result]
    return result


def one_dance(sheet: dict[str, dict[str, int]]) -> dict[str, Fraction]:
    """couple -> judge -> place (every judge places every couple)."""
    judges = sorted({j for row in sheet.values() for j in row})
    marks = {c: [row[j] for j in judges] for c, row in sheet.items()}
    return place_couples(marks, len(judges), len(sheet))


def several_dances(dances: dict[str, dict[str, dict[str, int]]]) -> dict[str, Fraction]:
    each = {d: one_dance(sheet) for d, sheet in dances.items()}
    couples = sorted(next(iter(dances.values())))
    total = {c: sum(each[d][c] for d in dances) for c in couples}
    result: dict[str, Fraction] = {}
    place = 1
    for t in sorted(set(total.values())):
        tied = [c for c in couples if total[c] == t]
        while tied:
            if len(tied) == 1:
                result[tied[0]] = Fraction(place)
                place += 1
                break
            won = {c: [each[d][c] for d in dances if each[d][c] <= place] for c in tied}
            most = max(len(w) for w in won.values())
            best = [c for c in tied if len(won[c]) == most]
            lowest = min(sum(won[c]) for c in best)
            best = [c for c in best if sum(won[c]) == lowest]
            if len(best) == 1:
                result[best[0]] = Fraction(place)
                place += 1
            else:
                marks = {c: [m for d in dances for m in dances[d][c].values()] for c in best}
                voters = sum(len(next(iter(sheet.values()))) for sheet in dances.values())
                result.update(place_couples(marks, voters, len(couples), best, place))
                place += len(best)
            tied = [c for c in tied if c not in result]
    return result
