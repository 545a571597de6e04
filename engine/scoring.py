"""Scoring: validation of judges' input, aggregation rules, ranking with tie-breaks, judge analytics.

Pure functions over Decimals; no I/O. Arithmetic runs under a fixed context, so results never
depend on whatever decimal context the calling thread happens to have.
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, DecimalException, localcontext
from fractions import Fraction
from functools import wraps
from itertools import groupby
from typing import ParamSpec, TypeVar

from engine.model import Criterion, InvalidInput, MissingPolicy, Rule, Settings, TieBreak

MAX_INPUT_CHARS = 32
# ASCII only: Decimal() alone would also take "1_0", "７" and "Infinity".
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
# 28 digits stay well inside DynamoDB's 38-digit numbers.
_TRAPS = [decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow]
_ARITH = Context(prec=28, rounding=ROUND_HALF_EVEN, traps=_TRAPS)
# Validation must be exact: a rounded (value - min) could land an off-grid value on the grid.
_EXACT = Context(prec=200, traps=[*_TRAPS, decimal.Inexact])
_ONE = Decimal(1)
_ZERO = Decimal(0)

P = ParamSpec("P")
R = TypeVar("R")


def _in_context(fn: Callable[P, R]) -> Callable[P, R]:
    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with localcontext(_ARITH):
            return fn(*args, **kwargs)

    return wrapper


def _plain(d: Decimal) -> Decimal:
    """7.50 -> 7.5 and 1E+1 -> 10: no trailing zeros, no exponent, no negative zero."""
    if d == 0:
        return _ZERO
    return d.quantize(_ONE) if d == d.to_integral_value() else d.normalize()


def _allowed(c: Criterion) -> str:
    with localcontext(_ARITH):
        text = f"a number from {_plain(c.min):f} to {_plain(c.max):f}"
        return text + (f" in steps of {_plain(c.step):f}" if c.step > 0 else "")


def _parse(raw: object) -> Decimal | None:
    if isinstance(raw, bool):  # an int to Python, but never a score
        return None
    if isinstance(raw, float):
        raw = str(raw)  # 7.3 means "7.3", not the binary fraction Decimal(7.3) would give
    if isinstance(raw, str):
        if len(raw) > MAX_INPUT_CHARS or not _NUMBER.fullmatch(raw := raw.strip()):
            return None
        value = Decimal(raw)
    elif isinstance(raw, (int, Decimal)):
        value = Decimal(raw)
    else:
        return None
    return value if value.is_finite() else None


def validate_value(raw: object, criterion: Criterion) -> Decimal:
    with localcontext(_EXACT):
        value = _parse(raw)
        try:
            ok = value is not None and criterion.min <= value <= criterion.max
            ok = ok and (criterion.step <= 0 or (value - criterion.min) % criterion.step == 0)
        except DecimalException:  # needs more digits than any sane grid: off the grid
            ok = False
        if not ok:
            raise InvalidInput(f"{criterion.name} must be {_allowed(criterion)}.")
        return _plain(value)


def _short(name: object) -> str:
    text = str(name)
    return text if len(text) <= 40 else text[:39] + "…"


def validate_values(raw: Mapping[str, object], criteria: Sequence[Criterion]) -> dict[str, Decimal]:
    if not isinstance(raw, Mapping):
        raise InvalidInput("Scores must be given as one value per criterion.")
    names = {c.name for c in criteria}
    unknown = sorted(_short(k) for k in raw if k not in names)
    if unknown:
        label = "criterion" if len(unknown) == 1 else "criteria"
        shown = ", ".join(unknown[:3]) + (", …" if len(unknown) > 3 else "")
        raise InvalidInput(f"Unknown {label}: {shown}.")
    for c in criteria:
        if c.name not in raw:
            raise InvalidInput(f"Enter a score for {c.name} ({_allowed(c)}).")
    return {c.name: validate_value(raw[c.name], c) for c in criteria}


def _mean(values: Sequence[Decimal]) -> Decimal:
    return sum(values, _ZERO) / len(values)


def _weighted_mean(pairs: Sequence[tuple[Decimal, Decimal]]) -> Decimal:
    total_weight = sum((w for w, _ in pairs), _ZERO)
    if total_weight == 0:
        return _mean([v for _, v in pairs])
    return sum((w * v for w, v in pairs), _ZERO) / total_weight


def _median(values: Sequence[Decimal]) -> Decimal:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _trimmed_mean(values: Sequence[Decimal], trim_min: int) -> Decimal:
    # Never below 3, or trimming would leave nothing to average.
    if len(values) >= max(trim_min, 3):
        values = sorted(values)[1:-1]
    return _mean(values)


@_in_context
def judge_total(values: Mapping[str, Decimal], criteria: Sequence[Criterion]) -> Decimal:
    if not criteria:
        raise InvalidInput("The event has no scoring criteria.")
    return _plain(_weighted_mean([(c.weight, values[c.name]) for c in criteria]))


def validated_score(
    raw: Mapping[str, object], criteria: Sequence[Criterion]
) -> tuple[dict[str, Decimal], Decimal]:
    values = validate_values(raw, criteria)
    return values, judge_total(values, criteria)


def _counted(
    scores: Mapping[str, Decimal], panel: Sequence[str], missing: MissingPolicy
) -> list[tuple[str, Decimal]]:
    """(judge, score) for the judges that count, sorted by judge so sums never depend on order."""
    judges = sorted(set(panel))
    scored = [(j, scores[j]) for j in judges if scores.get(j) is not None]
    if scored and MissingPolicy(missing) is MissingPolicy.ZERO:
        return [(j, scores[j] if scores.get(j) is not None else _ZERO) for j in judges]
    return scored


@_in_context
def aggregate(
    scores: Mapping[str, Decimal],
    panel: Sequence[str],
    weights: Mapping[str, Decimal],
    rule: Rule,
    missing: MissingPolicy,
    trim_min: int = 4,
) -> Decimal | None:
    counted = _counted(scores, panel, missing)
    if not counted:  # nobody scored: even under ZERO that is "no result", not a zero
        return None
    values = [s for _, s in counted]
    rule = Rule(rule)
    if rule is Rule.WEIGHTED_MEAN:
        total = _weighted_mean([(Decimal(weights.get(j, _ONE)), s) for j, s in counted])
    elif rule is Rule.MEAN:
        total = _mean(values)
    elif rule is Rule.TRIMMED_MEAN:
        total = _trimmed_mean(values, trim_min)
    elif rule is Rule.MEDIAN:
        total = _median(values)
    else:
        total = sum(values, _ZERO)
    return _plain(total)


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


def _tie_key(r: PerformerResult, tie_breaks: Sequence[TieBreak]) -> tuple[Decimal | None, ...]:
    stat = {TieBreak.MEDIAN: r.median, TieBreak.BEST: r.best, TieBreak.WORST: r.worst, TieBreak.MEAN: r.mean}
    return (r.total, *(stat[TieBreak(t)] for t in tie_breaks))


@_in_context
def rank_performers(
    performer_ids: Sequence[str],
    scores: Mapping[str, Mapping[str, Decimal]],
    panel: Sequence[str],
    weights: Mapping[str, Decimal],
    settings: Settings,
    excluded: Collection[str] = (),
) -> list[PerformerResult]:
    excluded = set(excluded)
    needed = max(1, settings.min_scores)
    results: list[PerformerResult] = []
    for pid in dict.fromkeys(performer_ids):
        mine = scores.get(pid, {})
        values = [s for _, s in _counted(mine, panel, settings.missing)]
        scores_in = sum(1 for j in set(panel) if mine.get(j) is not None)
        complete = scores_in >= needed
        total = None
        if complete:
            total = aggregate(mine, panel, weights, settings.rule, settings.missing, settings.trim_min)
        stats = (
            [_plain(x) for x in (_median(values), max(values), min(values), _mean(values))] if values else []
        )
        results.append(PerformerResult(pid, total, scores_in, complete, None, *(stats or [None] * 4)))

    contenders = [r for r in results if r.total is not None and r.performer_id not in excluded]
    contenders.sort(key=lambda r: _tie_key(r, settings.tie_breaks), reverse=True)  # stable
    ranked: list[PerformerResult] = []
    for i, r in enumerate(contenders):
        same = ranked and _tie_key(contenders[i - 1], settings.tie_breaks) == _tie_key(r, settings.tie_breaks)
        ranked.append(replace(r, rank=ranked[-1].rank if same else i + 1))
    done = {r.performer_id for r in ranked}
    return ranked + [r for r in results if r.performer_id not in done]


@_in_context
def judge_deviation(
    scores: Mapping[str, Mapping[str, Decimal]], panel: Sequence[str]
) -> dict[str, Decimal | None]:
    judges = list(dict.fromkeys(panel))
    gaps: dict[str, list[Decimal]] = {j: [] for j in judges}
    for pid in sorted(scores):
        mine = {j: s for j in sorted(judges) if (s := scores[pid].get(j)) is not None}
        if len(mine) < 2:
            continue
        total = sum(mine.values(), _ZERO)
        for j, s in mine.items():
            gaps[j].append(s - (total - s) / (len(mine) - 1))
    return {j: _plain(_mean(g)) if g else None for j, g in gaps.items()}


def _doubled_ranks(values: Sequence[Decimal]) -> tuple[list[int], int]:
    """Twice the ranks 1..n, ties given their average (so every rank stays an integer), and the tie
    term sum(t^3 - t)."""
    ranks = [0] * len(values)
    order = sorted(range(len(values)), key=values.__getitem__)
    start, tie_term = 0, 0
    for _, group in groupby(order, key=values.__getitem__):
        members = list(group)
        t = len(members)
        for k in members:
            ranks[k] = 2 * start + t + 1
        start += t
        tie_term += t**3 - t
    return ranks, tie_term


def kendalls_w(scores: Mapping[str, Mapping[str, Decimal]], panel: Sequence[str]) -> float | None:
    judges = sorted(set(panel))
    rows = [
        [by_judge[j] for j in judges]
        for by_judge in scores.values()
        if all(by_judge.get(j) is not None for j in judges)
    ]
    m, n = len(judges), len(rows)
    if m < 2 or n < 2:
        return None
    rank_sums = [0] * n
    ties = 0
    for k in range(m):
        ranks, tie_term = _doubled_ranks([row[k] for row in rows])
        rank_sums = [a + b for a, b in zip(rank_sums, ranks, strict=True)]
        ties += tie_term
    denominator = m * m * (n**3 - n) - m * ties
    if denominator == 0:
        return None
    # With doubled ranks R2 = 2R: S = sum((R - m(n+1)/2)^2) = sum((R2 - m(n+1))^2) / 4, all in integers.
    centre2 = m * (n + 1)
    s4 = sum((r - centre2) ** 2 for r in rank_sums)
    return float(Fraction(3 * s4, denominator))  # exact, and within [0, 1] with the tie correction


def display(value: Decimal | None, places: int = 2) -> str:
    """Rounded for people (half up, as on paper); results themselves stay exact."""
    if value is None or not value.is_finite():
        return "—"
    with localcontext(_ARITH) as ctx:
        ctx.prec = max(28, value.adjusted() + places + 2)
        shown = value.quantize(_ONE.scaleb(-places), rounding=ROUND_HALF_UP)
        return f"{abs(shown) if shown == 0 else shown:f}"
