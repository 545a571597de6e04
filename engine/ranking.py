"""Ranking: performers' totals under an aggregation rule, then ranks by total and the tie-breaks.

Pure functions over Decimals (scoring's rules and context); no I/O. The what-if table ranks the same
event under every rule: what no rule changes (who counts, the tie-break statistics) is computed once.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from engine.model import Rule, Settings, TieBreak
from engine.scoring import _ONE, _ZERO, _counted, _in_context, _mean, _median, _plain, _total


@dataclass(frozen=True)
class PerformerResult:
    performer_id: str
    total: Decimal | None
    scores_in: int
    complete: bool
    rank: int | None
    median: Decimal | None
    best: Decimal | None
    worst: Decimal | None
    mean: Decimal | None
    recused: tuple[str, ...] = ()  # judges who stepped aside for this performer


def _tie_key(r: PerformerResult, tie_breaks: Sequence[TieBreak]) -> tuple[Decimal | None, ...]:
    stat = {TieBreak.MEDIAN: r.median, TieBreak.BEST: r.best, TieBreak.WORST: r.worst, TieBreak.MEAN: r.mean}
    return (r.total, *(stat[TieBreak(t)] for t in tie_breaks))


def assign_ranks(results: Sequence[PerformerResult], tie_breaks: Sequence[TieBreak]) -> list[PerformerResult]:
    """Ranks 1, 2, … by total then the tie-breaks; only what every tie-break leaves equal shares a rank."""
    keyed = [(_tie_key(r, tie_breaks), r) for r in results]
    keyed.sort(key=lambda kr: kr[0], reverse=True)  # stable: equal keys keep their order
    ranked: list[PerformerResult] = []
    for i, (key, r) in enumerate(keyed):
        same = ranked and keyed[i - 1][0] == key
        ranked.append(replace(r, rank=ranked[-1].rank if same else i + 1))
    return ranked


@dataclass(frozen=True)
class _Entry:
    """A performer's part of the ranking that no aggregation rule changes (computed once per ranking)."""

    counted: list[tuple[str, Decimal]]
    result: PerformerResult  # total and rank still None
    factor: Decimal
    carried: Decimal


def _entry(pid, mine, panel, settings, factor, carried, recused) -> _Entry:
    counted = _counted(mine, panel, settings.missing)
    values = [s for _, s in counted]
    scores_in = sum(1 for j in set(panel) if mine.get(j) is not None)
    # A judge who stepped aside cannot be waited for: the minimum counts only those who may score.
    needed = min(settings.min_scores, len(set(panel))) if recused else settings.min_scores
    stats = [_plain(x) for x in (_median(values), max(values), min(values), _mean(values))] if values else []
    result = PerformerResult(
        pid,
        None,
        scores_in,
        scores_in >= max(1, needed),
        None,
        *(stats or [None] * 4),
        recused=tuple(recused),
    )
    return _Entry(counted, result, factor, carried)


def _ranked_under(
    entries: Sequence[_Entry], rule: Rule, weights, settings, excluded
) -> list[PerformerResult]:
    results = []
    for e in entries:
        complete = e.result.complete
        raw = _total(e.counted, weights, rule, settings.trim_min, settings.trim_count) if complete else None
        ok = raw is not None
        results.append(replace(e.result, total=_plain(raw * e.factor + e.carried)) if ok else e.result)
    ranked = assign_ranks(
        [r for r in results if r.total is not None and r.performer_id not in excluded], settings.tie_breaks
    )
    done = {r.performer_id for r in ranked}
    return ranked + [r for r in results if r.performer_id not in done]


@_in_context
def rank_under_rules(
    performer_ids: Sequence[str],
    scores: Mapping[str, Mapping[str, Decimal]],
    panel: Sequence[str],
    weights: Mapping[str, Decimal],
    settings: Settings,
    rules: Sequence[Rule],
    excluded: Collection[str] = (),
    *,
    recused: Mapping[str, Collection[str]] | None = None,
    factors: Mapping[str, Decimal] | None = None,
    carried: Mapping[str, Decimal] | None = None,
) -> dict[Rule, list[PerformerResult]]:
    """The ranking under each of `rules` (see rank_performers); what no rule changes is computed once."""
    excluded, recused, factors, carried = set(excluded), recused or {}, factors or {}, carried or {}
    entries = []
    for pid in dict.fromkeys(performer_ids):
        out = sorted(set(recused.get(pid, ())) & set(panel))
        mine = {j: s for j, s in scores.get(pid, {}).items() if j not in out}
        own_panel = [j for j in panel if j not in out]
        factor, carry = Decimal(factors.get(pid, _ONE)), Decimal(carried.get(pid, _ZERO))
        entries.append(_entry(pid, mine, own_panel, settings, factor, carry, out))
    return {Rule(r): _ranked_under(entries, Rule(r), weights, settings, excluded) for r in rules}


def rank_performers(
    performer_ids: Sequence[str],
    scores: Mapping[str, Mapping[str, Decimal]],
    panel: Sequence[str],
    weights: Mapping[str, Decimal],
    settings: Settings,
    excluded: Collection[str] = (),
    *,
    recused: Mapping[str, Collection[str]] | None = None,
    factors: Mapping[str, Decimal] | None = None,
    carried: Mapping[str, Decimal] | None = None,
) -> list[PerformerResult]:
    """`recused`: performer -> judges left out for them (their weights renormalise over the rest);
    `factors`: a difficulty multiplying the total; `carried`: added to it from an earlier round."""
    rule = Rule(settings.rule)
    extra = {"recused": recused, "factors": factors, "carried": carried}
    return rank_under_rules(performer_ids, scores, panel, weights, settings, [rule], excluded, **extra)[rule]
