"""A festival's results across stages: a category judged on several stages ranked as one, when the stages
score it the same way (the same criteria, scales and rule). Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from engine.domain import categories
from engine.domain.model import Performer, Rule, Settings
from engine.domain.placing import FIELD_RULES
from engine.domain.ranking import PerformerResult, assign_ranks

# What makes two stages' totals comparable: everything that turns marks into a total.
SCORING = ("rule", "missing", "min_scores", "trim_min", "trim_count", "criteria")


@dataclass(frozen=True)
class StageResults:
    """One stage's round as the festival ranking reads it: its results as that stage's page shows them,
    and the settings that say whether its totals compare with another stage's (SCORING)."""

    stage: str
    stage_name: str
    settings: Settings
    performers: tuple[Performer, ...]
    results: tuple[PerformerResult, ...]


@dataclass(frozen=True)
class FestivalPlace:
    rank: int
    name: str
    stage: str
    stage_name: str
    total: Decimal


def comparable(settings: Sequence[Settings]) -> bool:
    """Whether totals from stages with these settings can be ranked together (never a field rule's: its
    places and points say where a performer stood in their own stage's field)."""
    if any(Rule(s.rule) in FIELD_RULES for s in settings):
        return False
    return len({tuple(getattr(s, f) for f in SCORING) for s in settings}) <= 1


def across_stages(stages: Sequence[StageResults]) -> dict[str, list[FestivalPlace]]:
    """category -> its ranked performers from every stage, for each category judged on two stages or
    more; nothing when the stages score differently. Only complete totals take part."""
    if len(stages) < 2 or not comparable([s.settings for s in stages]):
        return {}
    entries: dict[str, list[tuple[StageResults, PerformerResult]]] = {}
    for s in stages:
        groups = categories.by_category(s.results, s.performers, s.settings.tie_breaks)
        for category, members in groups.items():
            entries.setdefault(category, []).extend((s, r) for r in members if r.rank is not None)
    tie_breaks = stages[0].settings.tie_breaks
    out = {}
    for category, found in entries.items():
        if len({s.stage for s, _ in found}) < 2:
            continue
        # Rank by position in the list: performer ids are per event, so two stages may share one.
        keyed = [_with_id(r, str(i)) for i, (_, r) in enumerate(found)]
        ranked = assign_ranks(keyed, tie_breaks)
        out[category] = [_place(found[int(r.performer_id)], r.rank) for r in ranked]
    return out


def _with_id(r: PerformerResult, key: str) -> PerformerResult:
    return PerformerResult(key, r.total, r.scores_in, r.complete, r.rank, r.median, r.best, r.worst, r.mean)


def _place(entry: tuple[StageResults, PerformerResult], rank: int) -> FestivalPlace:
    s, r = entry
    name = next(p.name for p in s.performers if p.performer_id == r.performer_id)
    return FestivalPlace(rank, name, s.stage, s.stage_name, r.total)
