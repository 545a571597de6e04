"""The field rules' one way in: the marks of the performers to be placed, under the skating system, rank
points, Borda or the normalised rule, become totals (or the skating system's places) and the calculation.

The live ranking (engine/domain/ranking.py), the results desk, the PDF and `python -m engine tabulate`
all come through here. Marks are scores, higher better; each judge's become that judge's places with the
event's tie rule (engine/domain/placing.py). Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from engine.domain import normalised, points, skating
from engine.domain.model import Rule, Settings
from engine.domain.placing import FIELD_RULES, Tabulation, judge_places

Marks = Mapping[str, Mapping[str, Decimal]]  # performer -> judge -> mark
DanceMarks = Mapping[str, Mapping[str, Mapping[str, Decimal]]]  # performer -> judge -> dance -> mark


def tabulate(
    rule: Rule,
    marks: Marks,
    weights: Mapping[str, Decimal],
    settings: Settings,
    dances: DanceMarks | None = None,
) -> Tabulation:
    """`dances`: with two or more dances, the skating system places each and then the summary."""
    rule = Rule(rule)
    if rule not in FIELD_RULES:
        raise ValueError(f"{rule.value} ranks each performer on their own marks.")
    performers = sorted(marks)
    if rule is Rule.NORMALISED:
        return normalised.tabulate(marks, weights, settings.normalise_min)
    if rule is Rule.SKATING:
        names = _dance_names(performers, dances or {}, settings)
        if len(names) >= 2:
            by_dance = {
                d: _by_couple(judge_places(_dance(marks, dances or {}, d)), performers) for d in names
            }
            result = skating.skate_dances(by_dance)
        else:
            result = skating.skate_dance(_by_couple(judge_places(marks), performers))
        return Tabulation(rule, result.totals, result.places, result.build)
    places = judge_places(marks)
    if rule is Rule.RANK_POINTS:
        return points.rank_points(places, performers, settings.rank_points)
    return points.borda(places, performers)


def _dance_names(performers: list[str], dances: DanceMarks, settings: Settings) -> list[str]:
    """The dances in the event's criteria order, or else as they first appear."""
    seen = dict.fromkeys(d for p in performers for row in dances.get(p, {}).values() for d in row)
    criteria = [c.name for c in settings.criteria]
    if set(seen) <= set(criteria):
        return [c for c in criteria if c in seen]
    return list(seen)


def _dance(marks: Marks, dances: DanceMarks, dance: str) -> dict[str, dict[str, Decimal]]:
    """One dance's marks from the judges who count for each performer."""
    out: dict[str, dict[str, Decimal]] = {}
    for p, row in marks.items():
        given = dances.get(p, {})
        out[p] = {j: given[j][dance] for j in row if dance in given.get(j, {})}
    return out


def _by_couple(places: Mapping[str, Mapping[str, int]], couples: list[str]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {c: {} for c in couples}
    for judge, row in places.items():
        for couple, place in row.items():
            out.setdefault(couple, {})[judge] = place
    return out
