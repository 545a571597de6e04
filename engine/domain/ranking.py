"""Ranking: performers' totals under an aggregation rule, then ranks by total and the tie-breaks.

Pure functions over Decimals (scoring's rules and context); no I/O. The what-if table ranks the same
event under every rule: what no rule changes (who counts, the tie-break statistics) is computed once.
The field rules (the skating system, rank points, Borda, normalised) place the ranked performers against
each other through engine/domain/tabulation.py instead; they rank this round's marks alone (no difficulty
factor, nothing carried over), and the skating system's own rules break its ties.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from engine.domain import panels, tabulation
from engine.domain.model import Rule, Settings, TieBreak
from engine.domain.placing import FIELD_RULES
from engine.domain.scoring import _ONE, _ZERO, _counted_among, _in_context, _mean, _median, _plain, _total_of


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
    place: Decimal | None = None  # the skating system's place (2.5: shared), which orders instead of total


_STAT = {TieBreak.MEDIAN: "median", TieBreak.BEST: "best", TieBreak.WORST: "worst", TieBreak.MEAN: "mean"}


def _tie_stats(tie_breaks: Sequence[TieBreak]) -> Callable[[PerformerResult], tuple]:
    """result -> each tie-break's statistic, in the order the settings list them."""
    names = [_STAT[TieBreak(t)] for t in tie_breaks]
    return lambda r: tuple(getattr(r, n) for n in names)


def _with(r: PerformerResult, total: Decimal | None, rank: int | None, place=None) -> PerformerResult:
    """r with another total and rank (what dataclasses.replace does, at a third of its cost)."""
    return PerformerResult(
        r.performer_id,
        total,
        r.scores_in,
        r.complete,
        rank,
        r.median,
        r.best,
        r.worst,
        r.mean,
        r.recused,
        place,
    )


def _key(r: PerformerResult, stats) -> tuple:
    """What orders a result, higher first: the skating system's place (lower first), else the total."""
    return (-r.place,) if r.place is not None else (r.total, *stats(r))


def _ranks(keys: Sequence[tuple]) -> tuple[list[int], list[int]]:
    """(indices highest key first, equal keys in their given order; each one's rank there): ranks 1, 2, …,
    and only what every tie-break leaves equal shares a rank."""
    order = sorted(range(len(keys)), key=keys.__getitem__, reverse=True)  # stable for equal keys
    ranks: list[int] = []
    for place, i in enumerate(order):
        same = place and keys[order[place - 1]] == keys[i]
        ranks.append(ranks[-1] if same else place + 1)
    return order, ranks


def assign_ranks(results: Sequence[PerformerResult], tie_breaks: Sequence[TieBreak]) -> list[PerformerResult]:
    """Ranks 1, 2, … by total then the tie-breaks; only what every tie-break leaves equal shares a rank."""
    stats = _tie_stats(tie_breaks)
    order, ranks = _ranks([_key(r, stats) for r in results])
    return [
        _with(results[i], results[i].total, rank, results[i].place)
        for i, rank in zip(order, ranks, strict=True)
    ]


@dataclass(frozen=True)
class _Entry:
    """A performer's part of the ranking that no aggregation rule changes (computed once per ranking)."""

    counted: list[tuple[str, Decimal]]
    values: list[Decimal]  # the counted scores, in judge order
    ordered: list[Decimal]  # and sorted
    result: PerformerResult  # total and rank still None
    factor: Decimal
    carried: Decimal
    parts: tuple[panels.Part, ...] | None = None  # with sub-panels: each criterion's (panels.parts)
    deducted: Decimal = _ZERO  # the head judge's deductions, taken off after aggregation


def _entry(pid, mine, judges, settings, factor, carried, recused, mine_values=None, deducted=None) -> _Entry:
    """judges: the performer's panel, sorted, each once; `mine` may hold others' (they do not count)."""
    counted = _counted_among(mine, judges, settings.missing)
    values = [s for _, s in counted]
    ordered = sorted(values)
    scores_in = sum(1 for j in judges if mine.get(j) is not None)
    # A judge who stepped aside cannot be waited for: the minimum counts only those who may score.
    needed = min(settings.min_scores, len(judges)) if recused else settings.min_scores
    stats = [_median(values, ordered), max(values), min(values), _mean(values)] if values else []
    parts, complete = None, scores_in >= max(1, needed)
    if mine_values is not None:  # sub-panels: each criterion complete on its own
        parts, complete = panels.parts(mine_values, judges, settings)
    result = PerformerResult(
        pid,
        None,
        scores_in,
        complete,
        None,
        *([_plain(x) for x in stats] or [None] * 4),
        recused=tuple(recused),
    )
    off = Decimal((deducted or {}).get(pid, 0))
    return _Entry(counted, values, ordered, result, factor, carried, parts, off)


def _raw(e: _Entry, rule: Rule, weights, settings) -> Decimal | None:
    """A performer's total before difficulty, carry-over and deductions (sub-panels: panels.parts_total)."""
    if e.parts is not None:
        return panels.parts_total(e.parts, rule, weights, settings)
    return _total_of(e.counted, e.values, e.ordered, weights, rule, settings.trim_min, settings.trim_count)


def _placed_under(
    entries: Sequence[_Entry], ties: Sequence[tuple], rule: Rule, weights, settings, excluded, dances=None
) -> tuple[list[Decimal | None], list[int], list[int], list[Decimal | None]]:
    """Each entry's total under `rule`; the ranked entries' indices, best first (as assign_ranks orders
    them); their ranks; and each entry's skating place (None under other rules). ties: each entry's
    tie-break statistics (the same under every rule)."""
    if rule in FIELD_RULES:
        return _field_placed(entries, ties, rule, weights, settings, excluded, dances)
    totals: list[Decimal | None] = []
    for e in entries:
        raw = _raw(e, rule, weights, settings) if e.result.complete else None
        totals.append(None if raw is None else _plain(raw * e.factor - e.deducted + e.carried))
    ranked = [
        i for i, e in enumerate(entries) if totals[i] is not None and e.result.performer_id not in excluded
    ]
    order, ranks = _ranks([(totals[i], *ties[i]) for i in ranked])
    return totals, [ranked[k] for k in order], ranks, [None] * len(entries)


def field_sheet(entries: Sequence[_Entry], excluded) -> tuple[list[int], dict[str, dict[str, Decimal]]]:
    """The entries a field rule places (complete, not excluded, with a mark) and their marks."""
    ranked = [
        i
        for i, e in enumerate(entries)
        if e.result.complete and e.counted and e.result.performer_id not in excluded
    ]
    return ranked, {entries[i].result.performer_id: dict(entries[i].counted) for i in ranked}


def _field_placed(entries, ties, rule, weights, settings, excluded, dances):
    ranked, sheet = field_sheet(entries, excluded)
    tab = tabulation.tabulate(rule, sheet, weights, settings, dances)
    ids = [e.result.performer_id for e in entries]
    totals = [tab.totals.get(pid) for pid in ids]
    places = [tab.places.get(pid) if tab.places else None for pid in ids]
    ranked = [i for i in ranked if totals[i] is not None]
    if tab.places is not None:
        keys = [(-places[i],) for i in ranked]
    else:
        keys = [(totals[i], *ties[i]) for i in ranked]
    order, ranks = _ranks(keys)
    return totals, [ranked[k] for k in order], ranks, places


def _ranked_under(
    entries: Sequence[_Entry], ties: Sequence[tuple], rule: Rule, weights, settings, excluded, dances=None
) -> list[PerformerResult]:
    """The ranked, then the rest in the given order; each result built once."""
    totals, placed, ranks, places = _placed_under(entries, ties, rule, weights, settings, excluded, dances)
    out = [_with(entries[i].result, totals[i], r, places[i]) for i, r in zip(placed, ranks, strict=True)]
    done = set(placed)
    for i, e in enumerate(entries):
        if i not in done:
            out.append(e.result if totals[i] is None else _with(e.result, totals[i], None))
    return out


def _prepared(performer_ids, scores, panel, settings, recused, factors, carried, values=None, deducted=None):
    """What no rule changes: each performer's entry and tie-break statistics."""
    besides = (factors or {}, carried or {}, values, deducted or {})
    entries = _entries(performer_ids, scores, panel, settings, recused or {}, *besides)
    stats = _tie_stats(settings.tie_breaks)
    return entries, [stats(e.result) for e in entries]


def _entries(ids, scores, panel, settings, recused, factors, carried, values, deducted) -> list[_Entry]:
    judges = sorted(set(panel))
    entries = []
    for pid in dict.fromkeys(ids):
        out = sorted(set(recused[pid]) & set(judges)) if pid in recused else []
        own = [j for j in judges if j not in out] if out else judges
        factor, carry = Decimal(factors.get(pid, _ONE)), Decimal(carried.get(pid, _ZERO))
        marks = None if values is None else values.get(pid, {})
        entries.append(_entry(pid, scores.get(pid, {}), own, settings, factor, carry, out, marks, deducted))
    return entries


def _totals_and_ranks_under(entries, ties, rule, weights, settings, excluded, dances=None) -> dict:
    totals, placed, ranks, _ = _placed_under(entries, ties, rule, weights, settings, excluded, dances)
    rank_of = dict(zip(placed, ranks, strict=True))
    return {e.result.performer_id: (totals[i], rank_of.get(i)) for i, e in enumerate(entries)}


def _under_rules(
    each,
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
    dances: tabulation.DanceMarks | None = None,
    values: Mapping[str, Mapping[str, Mapping[str, Decimal]]] | None = None,
    deducted: Mapping[str, Decimal] | None = None,
) -> dict:
    """`each` (entries, ties, rule, weights, settings, excluded, dances) under every rule of `rules`; what
    no rule changes is computed once. `dances`: each judge's marks per criterion (the skating system's
    dances); `values`: sub-panels' marks (snapshot._ranking_args); `deducted`: performer -> deductions."""
    extra = (recused, factors, carried, values, deducted)
    entries, ties = _prepared(performer_ids, scores, panel, settings, *extra)
    excluded = set(excluded)
    return {Rule(r): each(entries, ties, Rule(r), weights, settings, excluded, dances) for r in rules}


@_in_context
def rank_under_rules(*args, **kwargs) -> dict[Rule, list[PerformerResult]]:
    """The ranking under each rule (arguments: _under_rules'; each ranking as rank_performers')."""
    return _under_rules(_ranked_under, *args, **kwargs)


@_in_context
def totals_and_ranks_under_rules(*args, **kwargs) -> dict[Rule, dict[str, tuple[Decimal | None, int | None]]]:
    """rank_under_rules' totals and ranks alone, performer_id -> (total, rank): the what-if table's
    thousands of result objects, never built."""
    return _under_rules(_totals_and_ranks_under, *args, **kwargs)


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
    dances: tabulation.DanceMarks | None = None,
    values: Mapping[str, Mapping[str, Mapping[str, Decimal]]] | None = None,
    deducted: Mapping[str, Decimal] | None = None,
) -> list[PerformerResult]:
    """`recused`: performer -> judges left out for them (their weights renormalise over the rest);
    `factors`: a difficulty multiplying the total; `carried`: added to it from an earlier round;
    `dances`: each judge's marks per criterion (the skating system's dances); `values`, `deducted`: ditto."""
    rule = Rule(settings.rule)
    extra = {"recused": recused, "factors": factors, "carried": carried, "dances": dances, "values": values}
    extra["deducted"] = deducted
    return rank_under_rules(performer_ids, scores, panel, weights, settings, [rule], excluded, **extra)[rule]


@_in_context
def calculation(
    performer_ids: Sequence[str],
    scores: Mapping[str, Mapping[str, Decimal]],
    panel: Sequence[str],
    weights: Mapping[str, Decimal],
    settings: Settings,
    excluded: Collection[str] = (),
    *,
    recused: Mapping[str, Collection[str]] | None = None,
    dances: tabulation.DanceMarks | None = None,
) -> tabulation.Tabulation | None:
    """The calculation behind rank_performers' ranking under a field rule, from the same performers and
    marks (None under the other rules, whose totals speak for themselves)."""
    rule = Rule(settings.rule)
    if rule not in FIELD_RULES:
        return None
    entries, _ = _prepared(performer_ids, scores, panel, settings, recused, None, None)
    _, sheet = field_sheet(entries, set(excluded))
    return tabulation.tabulate(rule, sheet, weights, settings, dances)
