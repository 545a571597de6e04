"""The normalised rule: each judge's scores as z-scores over that judge's marks in the round, mapped onto
the panel's pooled scale (the mean and standard deviation of all the marks), so that a judge who scores
high, low, wide or narrow counts the same as the others; a performer's total is the judges' weighted mean
of their mapped marks.

A z-score over one or two marks says nothing, so the rule is refused, with one sentence, while a judge has
fewer marks than the event's minimum. A judge whose marks are all equal maps them all to the pooled mean.
Pure Decimal arithmetic (the caller's context: scoring's fixed one).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from engine.domain.messages import N_
from engine.domain.model import InvalidInput, Rule
from engine.domain.placing import Table, Tabulation
from engine.domain.scoring import _plain, _weighted_mean, display

Marks = Mapping[str, Mapping[str, Decimal]]  # performer -> judge -> score


def _mean_sd(values: Sequence[Decimal]) -> tuple[Decimal, Decimal]:
    """Mean and population standard deviation."""
    mean = sum(values, Decimal(0)) / len(values)
    variance = sum(((v - mean) ** 2 for v in values), Decimal(0)) / len(values)
    return mean, variance.sqrt()


def check(marks: Marks, minimum: int) -> None:
    """Raises InvalidInput while some judge has fewer than `minimum` marks in the round."""
    counts: dict[str, int] = {}
    for row in marks.values():
        for judge in row:
            counts[judge] = counts.get(judge, 0) + 1
    short = sorted(j for j, n in counts.items() if n < minimum)
    if not counts or short:
        who = short[0] if short else "every judge"
        have = counts.get(who, 0)
        raise InvalidInput(
            N_(
                "The normalised rule needs at least {minimum} marks from every judge in the round; {who} "
                "has {have}."
            ),
            minimum=minimum,
            who=who,
            have=have,
        )


def normalise(marks: Marks, minimum: int) -> tuple[dict[str, dict[str, Decimal]], Table]:
    """Each mark mapped onto the pooled scale, and the table of each judge's mean and deviation."""
    check(marks, minimum)
    by_judge: dict[str, list[Decimal]] = {}
    for p in sorted(marks):
        for judge, mark in marks[p].items():
            by_judge.setdefault(judge, []).append(mark)
    pooled_mean, pooled_sd = _mean_sd([m for j in sorted(by_judge) for m in by_judge[j]])
    scale = {j: _mean_sd(by_judge[j]) for j in sorted(by_judge)}
    mapped: dict[str, dict[str, Decimal]] = {}
    for p in marks:
        mapped[p] = {}
        for judge, mark in marks[p].items():
            mean, sd = scale[judge]
            z = (mark - mean) / sd if sd else Decimal(0)
            mapped[p][judge] = _plain(pooled_mean + z * pooled_sd)
    rows = tuple((j, str(len(by_judge[j])), display(scale[j][0]), display(scale[j][1])) for j in scale)
    rows += (
        (
            "The panel, pooled",
            str(sum(map(len, by_judge.values()))),
            display(pooled_mean),
            display(pooled_sd),
        ),
    )
    table = Table("Each judge's scale and the panel's", ("Judge", "Marks", "Mean", "SD"), rows)
    return mapped, table


def tabulate(marks: Marks, weights: Mapping[str, Decimal], minimum: int) -> Tabulation:
    try:
        mapped, scales = normalise(marks, minimum)
    except InvalidInput as e:
        return Tabulation(Rule.NORMALISED, {}, refused=str(e), refusal=e)
    judges = sorted({j for row in marks.values() for j in row})
    totals = {
        p: _plain(_weighted_mean([(Decimal(weights.get(j, 1)), row[j]) for j in sorted(row)]))
        for p, row in mapped.items()
        if row
    }
    rows = tuple(
        (p, *(_cell(marks[p].get(j), mapped[p].get(j)) for j in judges), display(totals[p]))
        for p in sorted(totals, key=lambda p: (-totals[p], p))
    )
    heads = ("Performer", *(f"{j}: mark → mapped" for j in judges), "Total")
    return Tabulation(Rule.NORMALISED, totals, None, lambda: (scales, Table("The mapped marks", heads, rows)))


def _cell(mark: Decimal | None, mapped: Decimal | None) -> str:
    return "-" if mark is None or mapped is None else f"{display(mark)} → {display(mapped)}"
