"""The outlier check while a window is open: a score further than a set distance from the median of the
panel's other scores for that performer. Pure.

The distance is set in points on a 0-10 scale and scaled to each criterion's range, so 2.5 means 25
points on a 0-100 criterion. With fewer than 3 scores for a performer there is no panel to compare with.

Why not each score against its others' median alone: with three scores (8.2, 8.2, 1.0) the others of an
8.2 are (8.2, 1.0), median 4.6, so an innocent judge would be flagged too, and which one depends on who
submitted last. So the furthest outlier is flagged first and set aside, and the rest are checked again
without it, while at least 3 scores remain.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from engine.domain.model import Criterion

MIN_SCORES = 3
DEFAULT_DISTANCE = Decimal("2.5")
_SCALE = Decimal(10)


@dataclass(frozen=True)
class OutlierFlag:
    judge: str
    performer_id: str
    criterion: str
    value: Decimal
    median: Decimal
    sentence: str

    def as_log(self) -> dict:
        return {"judge": self.judge, "performer_id": self.performer_id, "criterion": self.criterion,
                "value": str(self.value), "median": str(self.median), "sentence": self.sentence}  # fmt: skip

    def as_json(self, performer: str, judge_label: str) -> dict:
        """The admin document's shape: {judge, performer, value, median, sentence} (strings for numbers)."""
        return {
            "judge": judge_label,
            "performer": performer,
            "criterion": self.criterion,
            "value": shown(self.value),
            "median": shown(self.median),
            "sentence": self.sentence,
        }


def shown(value: Decimal) -> str:
    """A number as people read a score: at least one decimal place, no trailing zeros beyond it."""
    n = value.normalize()
    return f"{n:.1f}" if n.as_tuple().exponent >= -1 else f"{n:f}"


def threshold(criterion: Criterion, distance: Decimal) -> Decimal:
    return distance * (criterion.max - criterion.min) / _SCALE


def panel_flags(
    performer_id: str,
    by_judge: Mapping[str, Mapping[str, Decimal]],
    criteria: Sequence[Criterion],
    distance: Decimal,
    labels: Mapping[str, str],
) -> list[OutlierFlag]:
    """Every (judge, criterion) of one performer's scores that is an outlier against the other judges."""
    if distance <= 0:
        return []
    flags = []
    for c in criteria:
        pool = {j: v[c.name] for j, v in by_judge.items() if v.get(c.name) is not None}
        while len(pool) >= MIN_SCORES:
            worst = _furthest(pool, threshold(c, distance))
            if worst is None:
                break
            judge, mid = worst
            what = f" for {c.name}" if len(criteria) > 1 else ""
            sentence = f"{labels.get(judge) or judge} gave {shown(pool[judge])}{what}; "
            sentence += f"the panel's median is {shown(mid)}"
            flags.append(OutlierFlag(judge, performer_id, c.name, pool.pop(judge), mid, sentence))
    return sorted(flags, key=lambda f: (f.judge, f.criterion))


def _furthest(pool: Mapping[str, Decimal], limit: Decimal) -> tuple[str, Decimal] | None:
    """The judge furthest beyond `limit` from the median of the others' scores (ties: by name)."""
    best = None
    mids = medians_of_others(pool)
    for judge in sorted(pool):
        mid = mids[judge]
        gap = abs(pool[judge] - mid)
        if gap > limit and (best is None or gap > best[0]):
            best = (gap, judge, mid)
    return None if best is None else (best[1], best[2])


def medians_of_others(pool: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """For each judge, the median of every other judge's score (at least two scores): one sort for the
    panel instead of one per judge. Taking a judge's value out of the sorted scores shifts the ones after
    it down by one place, so the others' middle is read from the full list at a shifted index."""
    ordered = sorted(pool.values())
    rest = len(ordered) - 1

    def at(k: int, gone: int) -> Decimal:  # the k-th of the others, with the value at `gone` taken out
        return ordered[k if k < gone else k + 1]

    out = {}
    for judge, value in pool.items():
        gone = bisect_left(ordered, value)
        if rest % 2:
            out[judge] = at(rest // 2, gone)
        else:
            out[judge] = (at(rest // 2 - 1, gone) + at(rest // 2, gone)) / 2
    return out
