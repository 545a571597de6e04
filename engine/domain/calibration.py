"""A judge's private calibration card, once the results are official: per performer the judge's mark,
the panel's median and the judge's deviation from it, and the judge's rank correlation (Spearman's rho)
with the panel's medians. Shadow judges get theirs too: the panel they are compared with never counts them.

Pure: data in, no I/O. Who may open a card is `may_open`; the service checks it with the session.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from engine.domain import panels
from engine.domain.messages import N_
from engine.domain.model import Criterion, Performer, Role, Score, Settings
from engine.domain.scoring import _in_context, _median, _plain

TOTAL = "Total"  # the card's one criterion when every judge scores every criterion: their totals
NOT_YET = N_("Calibration cards open once the results are official.")
NOT_YOURS = N_("You can open only your own calibration card.")


@dataclass(frozen=True)
class CardRow:
    performer: str
    criterion: str
    mark: Decimal
    median: Decimal
    deviation: Decimal  # mark - median


@dataclass(frozen=True)
class Card:
    judge: str
    rows: tuple[CardRow, ...]
    rho: dict[str, float | None]  # criterion -> Spearman's rho over the performers (None: too few)


def may_open(settings: Settings, viewer: str, role: Role, judge: str) -> bool:
    """The judge themself, the event's head judge, or an admin (who signs the results off)."""
    return (
        viewer == judge or role is Role.ADMIN or (bool(settings.head_judge) and viewer == settings.head_judge)
    )


def _ranks(xs: Sequence[float]) -> list[float]:
    """1-based ranks, ties sharing the mean of their places."""
    order = sorted(range(len(xs)), key=xs.__getitem__)
    ranks = [0.0] * len(xs)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and xs[order[j + 1]] == xs[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Spearman's rho: Pearson's correlation of the ranks (ties averaged). None under 2 pairs or when
    either side has every value equal (no ranking to compare)."""
    if len(xs) != len(ys) or len(xs) < 2:
        return None
    rx, ry = _ranks(list(xs)), _ranks(list(ys))
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    sxy = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    sxx, syy = sum((a - mx) ** 2 for a in rx), sum((b - my) ** 2 for b in ry)
    if sxx == 0 or syy == 0:
        return None
    return sxy / (sxx * syy) ** 0.5


def _marks(settings: Settings, judge: str) -> list[tuple[str, Criterion | None]]:
    """(label, criterion) of what the card compares: each of the judge's criteria when the event has
    sub-panels, else the judges' totals (None)."""
    if panels.split(settings.criteria):
        return [(c.name, c) for c in panels.criteria_for(settings.criteria, judge)]
    return [(TOTAL, None)]


@_in_context
def card(
    settings: Settings,
    judge: str,
    performers: Iterable[Performer],
    counted: Iterable[Score],
    own: Iterable[Score],
    panel: Sequence[str],
) -> Card:
    """`counted`: the scores that count (never a shadow's); `own`: the judge's scores (a shadow's are
    among the shadow scores); `panel`: the counted judges."""
    by_performer: dict[str, list[Score]] = {}
    for s in counted:
        by_performer.setdefault(s.performer_id, []).append(s)
    mine: Mapping[str, Score] = {s.performer_id: s for s in own if s.judge == judge}
    rows: list[CardRow] = []
    rho: dict[str, float | None] = {}
    for label, c in _marks(settings, judge):
        members = set(panels.criterion_panel(c, panel) if c else panel)
        pairs = []
        for p in performers:
            score = mine.get(p.performer_id)
            if score is None or (c is not None and c.name not in score.values):
                continue
            others = [_value(s, c) for s in by_performer.get(p.performer_id, []) if s.judge in members]
            others = [v for v in others if v is not None]
            if not others:
                continue
            mark, median = _value(score, c), _plain(_median(others))
            rows.append(CardRow(p.name, label, mark, median, _plain(mark - median)))
            pairs.append((float(mark), float(median)))
        rho[label] = spearman([a for a, _ in pairs], [b for _, b in pairs])
    return Card(judge, tuple(rows), rho)


def _value(s: Score, c: Criterion | None) -> Decimal | None:
    return s.total if c is None else s.values.get(c.name)
