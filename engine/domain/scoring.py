"""Scoring: validation of judges' input, aggregation rules, ranking with tie-breaks, judge analytics.

Pure functions over Decimals; no I/O. Arithmetic runs under a fixed context, so results never
depend on whatever decimal context the calling thread happens to have.
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, DecimalException, localcontext
from functools import wraps
from typing import ParamSpec, TypeVar

from engine.domain.messages import N_, Said
from engine.domain.model import Criterion, InvalidInput, MissingPolicy, Rule

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


def _allowed(c: Criterion) -> Said:
    with localcontext(_ARITH):
        low, high, step = (f"{_plain(d):f}" for d in (c.min, c.max, c.step))
    if c.step > 0:
        return Said(N_("a number from {low} to {high} in steps of {step}"), low=low, high=high, step=step)
    return Said(N_("a number from {low} to {high}"), low=low, high=high)


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
            raise InvalidInput(
                N_("{name} must be {allowed}."), name=criterion.name, allowed=_allowed(criterion)
            )
        return _plain(value)


def _short(name: object) -> str:
    text = str(name)
    return text if len(text) <= 40 else text[:39] + "…"


def validate_values(raw: Mapping[str, object], criteria: Sequence[Criterion]) -> dict[str, Decimal]:
    if not isinstance(raw, Mapping):
        raise InvalidInput(N_("Scores must be given as one value per criterion."))
    names = {c.name for c in criteria}
    unknown = sorted(_short(k) for k in raw if k not in names)
    if unknown:
        label = "criterion" if len(unknown) == 1 else "criteria"
        shown = ", ".join(unknown[:3]) + (", …" if len(unknown) > 3 else "")
        raise InvalidInput(N_("Unknown {label}: {shown}."), label=label, shown=shown)
    for c in criteria:
        if c.name not in raw:
            raise InvalidInput(N_("Enter a score for {name} ({allowed})."), name=c.name, allowed=_allowed(c))
    return {c.name: validate_value(raw[c.name], c) for c in criteria}


def _mean(values: Sequence[Decimal]) -> Decimal:
    return sum(values, _ZERO) / len(values)


def _weighted_mean(pairs: Sequence[tuple[Decimal, Decimal]]) -> Decimal:
    total_weight = sum((w for w, _ in pairs), _ZERO)
    if total_weight == 0:
        return _mean([v for _, v in pairs])
    return sum((w * v for w, v in pairs), _ZERO) / total_weight


def _median(values: Sequence[Decimal], ordered: Sequence[Decimal] | None = None) -> Decimal:
    """`ordered`: the values already sorted, if the caller has them."""
    ordered = sorted(values) if ordered is None else ordered
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _trimmed(
    values: Sequence[Decimal], trim_min: int, trim_count: int = 1, ordered: Sequence[Decimal] | None = None
) -> list[Decimal]:
    """The values left once `trim_count` are dropped at each end, once there are `trim_min` of them;
    never so many that nothing would be left. `ordered`: the values already sorted, if the caller has them."""
    k = max(1, trim_count)
    if len(values) >= max(trim_min, 2 * k + 1):
        return list((sorted(values) if ordered is None else ordered)[k:-k])
    return list(values)


@_in_context
def judge_total(
    values: Mapping[str, Decimal], criteria: Sequence[Criterion], summed: bool = False
) -> Decimal:
    """The criteria-weighted mean of a judge's values (`summed`: their weighted sum, as gymnastics adds
    difficulty and execution)."""
    if not criteria:
        raise InvalidInput(N_("The event has no scoring criteria."))
    pairs = [(c.weight, values[c.name]) for c in criteria]
    return _plain(sum((w * v for w, v in pairs), _ZERO) if summed else _weighted_mean(pairs))


def validated_score(
    raw: Mapping[str, object], criteria: Sequence[Criterion], summed: bool = False
) -> tuple[dict[str, Decimal], Decimal]:
    values = validate_values(raw, criteria)
    return values, judge_total(values, criteria, summed)


def _counted(
    scores: Mapping[str, Decimal], panel: Sequence[str], missing: MissingPolicy
) -> list[tuple[str, Decimal]]:
    """(judge, score) for the judges that count, sorted by judge so sums never depend on order."""
    return _counted_among(scores, sorted(set(panel)), missing)


def _counted_among(
    scores: Mapping[str, Decimal], judges: Sequence[str], missing: MissingPolicy
) -> list[tuple[str, Decimal]]:
    """_counted for a panel already sorted, each judge once (a ranking sorts it once, not per performer)."""
    scored = [(j, s) for j in judges if (s := scores.get(j)) is not None]
    if scored and MissingPolicy(missing) is MissingPolicy.ZERO:
        return [(j, scores[j] if scores.get(j) is not None else _ZERO) for j in judges]
    return scored


def _total(
    counted: Sequence[tuple[str, Decimal]],
    weights: Mapping[str, Decimal],
    rule: Rule,
    trim_min: int,
    trim_count: int,
) -> Decimal | None:
    """One total from the (judge, score) pairs that count, under `rule` (in the caller's context)."""
    return _total_of(counted, [s for _, s in counted], None, weights, rule, trim_min, trim_count)


def _total_of(
    counted: Sequence[tuple[str, Decimal]],
    values: Sequence[Decimal],
    ordered: Sequence[Decimal] | None,
    weights: Mapping[str, Decimal],
    rule: Rule,
    trim_min: int,
    trim_count: int,
) -> Decimal | None:
    """_total, given the counted scores as well (and, if the caller has them, sorted): a ranking under
    several rules takes them apart once per performer, not once per rule."""
    if not counted:  # nobody scored: even under ZERO that is "no result", not a zero
        return None
    if rule is Rule.WEIGHTED_MEAN:
        total = _weighted_mean([(Decimal(weights.get(j, _ONE)), s) for j, s in counted])
    elif rule is Rule.MEAN:
        total = _mean(values)
    elif rule is Rule.TRIMMED_MEAN:
        total = _mean(_trimmed(values, trim_min, trim_count, ordered))
    elif rule is Rule.TRIMMED_SUM:
        total = sum(_trimmed(values, trim_min, trim_count, ordered), _ZERO)
    elif rule is Rule.MEDIAN:
        total = _median(values, ordered)
    else:
        total = sum(values, _ZERO)
    return _plain(total)


@_in_context
def aggregate(
    scores: Mapping[str, Decimal],
    panel: Sequence[str],
    weights: Mapping[str, Decimal],
    rule: Rule,
    missing: MissingPolicy,
    trim_min: int = 4,
    trim_count: int = 1,
) -> Decimal | None:
    return _total(_counted(scores, panel, missing), weights, Rule(rule), trim_min, trim_count)


@_in_context
def judge_deviation(
    scores: Mapping[str, Mapping[str, Decimal]], panel: Sequence[str]
) -> dict[str, Decimal | None]:
    """Each judge's mean gap to the mean of the others, over the performers two or more judges scored;
    performers in id order, judges in email order: the Decimal sums never depend on the input's order."""
    judges = list(dict.fromkeys(panel))
    ordered = sorted(judges)
    gaps: dict[str, list[Decimal]] = {j: [] for j in judges}
    for pid in sorted(scores):
        row = scores[pid]
        mine = [(j, s) for j in ordered if (s := row.get(j)) is not None]
        if len(mine) < 2:
            continue
        total = sum((s for _, s in mine), _ZERO)
        others = len(mine) - 1
        for j, s in mine:
            gaps[j].append(s - (total - s) / others)
    return {j: _plain(_mean(g)) if g else None for j, g in gaps.items()}


def display(value: Decimal | None, places: int = 2) -> str:
    """Rounded for people (half up, as on paper); results themselves stay exact."""
    if value is None or not value.is_finite():
        return "—"
    with localcontext(_ARITH) as ctx:
        ctx.prec = max(28, value.adjusted() + places + 2)
        shown = value.quantize(_ONE.scaleb(-places), rounding=ROUND_HALF_UP)
        return f"{abs(shown) if shown == 0 else shown:f}"
