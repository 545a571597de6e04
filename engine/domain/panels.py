"""Who judges what: criteria scored by a named sub-panel (gymnastics' D and E panels, barbershop's
categories) or by every judge, and shadow judges, who score like the panel but are never counted.

Pure: settings and data in, no I/O. A criterion with no judges named is scored by the whole panel (as
every criterion was before sub-panels existed); the score path refuses a criterion the judge is not on.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from engine.domain.messages import N_
from engine.domain.model import Criterion, InvalidInput, Rule, Score, ScoreRefused, Settings
from engine.domain.scoring import _ZERO, _counted_among, _total_of, _weighted_mean

MAX_PANEL = 100
# A criterion's part of a performer's ranking entry: (its weight, the (judge, mark) pairs that count,
# their marks, sorted marks), over its own panel.
Part = tuple[Decimal, list, list[Decimal], list[Decimal]]


def on_panel(criterion: Criterion, judge: str) -> bool:
    """True if `judge` scores `criterion`: it names no sub-panel, or names them."""
    return not criterion.judges or judge in criterion.judges


def criteria_for(criteria: Sequence[Criterion], judge: str) -> tuple[Criterion, ...]:
    """The criteria a judge scores, in the event's order (what their screen shows)."""
    return tuple(c for c in criteria if on_panel(c, judge))


def split(criteria: Sequence[Criterion]) -> bool:
    """True if some criterion has a sub-panel: each criterion is then aggregated over its own panel."""
    return any(c.judges for c in criteria)


def criterion_panel(criterion: Criterion, panel: Iterable[str]) -> list[str]:
    """The judges of `panel` who score `criterion`, sorted, each once."""
    return sorted({j for j in panel if on_panel(criterion, j)})


def check_assigned(raw: object, criteria: Sequence[Criterion], judge: str) -> tuple[Criterion, ...]:
    """The criteria `judge` must score; ScoreRefused (one sentence) when `raw` names a criterion of the
    event that is another sub-panel's, or when the judge scores no criterion at all."""
    mine = criteria_for(criteria, judge)
    if not mine:
        raise ScoreRefused(N_("You are on no criterion's panel in this event; ask the admin."))
    if isinstance(raw, Mapping):
        theirs = [c.name for c in criteria if c.name in raw and not on_panel(c, judge)]
        if theirs:
            names = ", ".join(c.name for c in mine)
            raise ScoreRefused(
                N_("You do not score {theirs}; your criteria are: {names}."), theirs=theirs[0], names=names
            )
    return mine


def assign(criteria: Sequence[Criterion], judge: str, names: Collection[str] | None) -> tuple[Criterion, ...]:
    """The criteria with `judge` on exactly the sub-panels of `names` (None: on none, so the judge scores
    only the criteria every judge scores). A criterion named gets a sub-panel if it had none; one whose
    sub-panel loses its last judge is scored by every judge again."""
    known = {c.name for c in criteria}
    unknown = sorted(set(names or ()) - known)
    if unknown:
        raise InvalidInput(
            f"There is no criterion {unknown[0]}; the criteria are: {', '.join(sorted(known))}."
        )
    out = []
    for c in criteria:
        others = tuple(j for j in c.judges if j != judge)
        out.append(
            replace(c, judges=tuple(sorted((*others, judge))))
            if c.name in (names or ())
            else replace(c, judges=others)
        )
    return tuple(out)


def validate(criteria: Sequence[Criterion], shadows: Sequence[str]) -> None:
    """Sub-panels and shadows as a setting: each a list of distinct accounts, at most MAX_PANEL."""
    for c in criteria:
        if len(c.judges) > MAX_PANEL or len(set(c.judges)) != len(c.judges):
            raise InvalidInput(
                N_("{name}: its sub-panel names at most {most} distinct judges."), name=c.name, most=MAX_PANEL
            )
    if len(shadows) > MAX_PANEL or len(set(shadows)) != len(shadows):
        raise InvalidInput(N_("Shadow judges: at most {most}, each once."), most=MAX_PANEL)
    for c in criteria:
        both = sorted(set(c.judges) & set(shadows))
        if both and len(both) == len(c.judges):
            raise InvalidInput(
                N_("{name}: its sub-panel has only shadow judges, who are never counted."), name=c.name
            )


# ---- shadow judges ---------------------------------------------------------------------------------
def counted(given: Iterable[Score], settings: Settings) -> list[Score]:
    """The scores that count: every one but a shadow judge's (a list given is returned as it is when the
    event has no shadow judge: the live feed asks once a tick)."""
    if not settings.shadows:
        return given if isinstance(given, list) else list(given)
    shadows = set(settings.shadows)
    return [s for s in given if s.judge not in shadows]


def shadowed(given: Iterable[Score], settings: Settings) -> list[Score]:
    """A shadow judge's scores: kept for their own screen and calibration card, never counted or shown."""
    if not settings.shadows:
        return []
    shadows = set(settings.shadows)
    return [s for s in given if s.judge in shadows]


@dataclass(frozen=True)
class Missing:
    """A line of the desk's missing-scores report: for a performer and a criterion ("" when every judge
    scores every criterion), its panel's judges with no score yet and those who stepped aside."""

    performer_id: str
    criterion: str
    judges: tuple[str, ...]
    stepped_aside: tuple[str, ...] = ()


def _groups(criteria: Sequence[Criterion], panel: Iterable[str]) -> list[tuple[str, list[str]]]:
    if not split(criteria):
        return [("", sorted(set(panel)))]
    return [(c.name, criterion_panel(c, panel)) for c in criteria]


def missing_report(
    criteria: Sequence[Criterion],
    panel: Iterable[str],
    performer_ids: Iterable[str],
    scored: Mapping[str, Collection[str]],
    recused: Mapping[str, Collection[str]],
) -> list[Missing]:
    """Per performer and criterion, the judges of the criterion's own panel who have not scored (a judge
    who stepped aside for the performer is not missing: listed apart). `scored`, `recused`: performer ->
    judges. Lines with nobody missing nor stepped aside are left out."""
    panel, out = list(panel), []
    for pid in performer_ids:
        done, aside = set(scored.get(pid, ())), set(recused.get(pid, ()))
        for name, judges in _groups(criteria, panel):
            left = tuple(j for j in judges if j not in done and j not in aside)
            line = Missing(pid, name, left, tuple(j for j in judges if j in aside))
            if line.judges or line.stepped_aside:
                out.append(line)
    return out


# ---- the ranking's sub-panel totals (engine/domain/ranking.py) ---------------------------------------
def parts(mine_values, judges: Sequence[str], settings: Settings) -> tuple[tuple[Part, ...], bool]:
    """A performer's Part per criterion over its own panel (of `judges`), and whether every criterion
    has its minimum of scores (at most its panel's size: a D panel of two is complete at two)."""
    out, complete = [], True
    for c in settings.criteria:
        own = criterion_panel(c, judges)
        marks = {j: v[c.name] for j, v in mine_values.items() if c.name in v}
        counted_ = _counted_among(marks, own, settings.missing)
        values = [x for _, x in counted_]
        scored = sum(1 for j in own if j in marks)
        complete = complete and scored >= max(1, min(settings.min_scores, len(own)))
        out.append((c.weight, counted_, values, sorted(values)))
    return tuple(out), complete


def parts_total(parts_: Sequence[Part], rule: Rule, weights, settings: Settings) -> Decimal | None:
    """Each criterion's total under `rule`, combined by the criteria's weights: their weighted mean, or
    with `criteria_sum` their weighted sum (in the caller's decimal context)."""
    pairs = []
    for weight, counted_, values, ordered in parts_:
        total = _total_of(counted_, values, ordered, weights, rule, settings.trim_min, settings.trim_count)
        if total is None:
            return None
        pairs.append((weight, total))
    if settings.criteria_sum:
        return sum((w * t for w, t in pairs), _ZERO)
    return _weighted_mean(pairs)


def values_by_performer(scores: Iterable[Score]) -> dict[str, dict[str, dict[str, Decimal]]]:
    """performer_id -> judge -> criterion -> value: what sub-panels aggregate, criterion by criterion."""
    table: dict[str, dict[str, dict[str, Decimal]]] = {}
    for s in scores:
        table.setdefault(s.performer_id, {})[s.judge] = s.values
    return table
