"""The read model: what a screen shows of an event, computed once per tick and shared by every viewer.

Pure: built from what the store returned, no I/O. What a viewer may see is decided here, not in pages.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from engine.domain import categories, panels, ranking, rules
from engine.domain import deductions as deduction_rules
from engine.domain.competition import RoundInfo
from engine.domain.deductions import Deduction
from engine.domain.messages import N_
from engine.domain.model import Account, EventState, Performer, PerformerStatus, Phase, Rule, Score, Settings
from engine.domain.placing import FIELD_RULES, Tabulation
from engine.domain.release import Release
from engine.domain.votes import VoteWindow

PHASE_LABEL = {
    Phase.SETUP: N_("Setting up"),
    Phase.LOBBY: N_("Waiting for the judges"),
    Phase.PERFORMING: N_("Performing"),
    Phase.SCORING: N_("Scoring"),
    Phase.FINISHED: N_("Finished"),
}


@dataclass(frozen=True)
class Snapshot:
    """One consistent-enough view of the current event, shared by every viewer of a page."""

    at: float
    state: EventState
    settings: Settings
    performers: list[Performer]
    scores: list[Score]
    judges: list[Account]
    present: list[str]
    flags: dict[str, float]
    results: list[ranking.PerformerResult]
    conflicts: dict[str, tuple[str, ...]] = field(default_factory=dict)  # performer -> judges recused
    round: RoundInfo | None = None
    release: Release | None = None  # the results item: sign-off, reveal, results settings
    votes: dict[str, VoteWindow] = field(default_factory=dict)  # the audience vote's windows, by key
    # A shadow judge's scores (engine/domain/panels.py): apart from `scores`, so that nothing counts or
    # shows them but their own screen and calibration card.
    shadow_scores: list[Score] = field(default_factory=list)
    deductions: list[Deduction] = field(default_factory=list)  # the head judge's (domain/deductions.py)

    @cached_property
    def by_category(self) -> dict[str, list[ranking.PerformerResult]]:
        """Each category's results, ranked among themselves; under a field rule each category is placed
        on its own marks (a judge's places among that category's performers)."""
        if not self._field_by_category:
            return categories.by_category(self.results, self.performers, self.settings.tie_breaks)
        return {
            name: compute_results(self.settings, members, scores, self.judges, conflicts=self.conflicts)
            for name, (members, scores) in self._categories.items()
        }

    @cached_property
    def calculation(self) -> Tabulation | None:
        """The calculation behind the ranking under a field rule (engine/domain/tabulation.py)."""
        return compute_calculation(self.settings, self.performers, self.scores, self.judges, self.conflicts)

    @cached_property
    def calculations(self) -> dict[str, Tabulation]:
        """The calculation of each category's ranking when a field rule places the categories apart
        (category -> its calculation); otherwise the one calculation, under ""."""
        if not self._field_by_category:
            return {} if self.calculation is None else {"": self.calculation}
        found = {}
        for name, (members, scores) in self._categories.items():
            calc = compute_calculation(self.settings, members, scores, self.judges, self.conflicts)
            if calc is not None:
                found[name] = calc
        return found

    @property
    def _field_by_category(self) -> bool:
        return Rule(self.settings.rule) in FIELD_RULES and len(categories.names(self.performers)) > 1

    @property
    def _categories(self) -> dict[str, tuple[list[Performer], list[Score]]]:
        out: dict[str, tuple[list[Performer], list[Score]]] = {}
        for name in categories.names(self.performers):
            members = [p for p in self.performers if p.category == name]
            ids = {p.performer_id for p in members}
            out[name] = (members, [s for s in self.scores if s.performer_id in ids])
        return out

    @cached_property
    def deducted(self) -> dict[str, Decimal]:
        """performer_id -> what the head judge's deductions take off the total (each kind capped)."""
        return deduction_rules.off(self.settings, self.deductions)

    @property
    def shows_overall(self) -> bool:
        return categories.shows_overall(self.settings, self.performers)

    @property
    def reveal_groups(self) -> dict[str, list[ranking.PerformerResult]] | None:
        """The categories' rankings when they are ranked apart (the reveal goes by them), else None."""
        return None if self.shows_overall else self.by_category

    def recused_for(self, performer_id: str | None) -> tuple[str, ...]:
        return self.conflicts.get(performer_id or "", ())

    @property
    def event_id(self) -> str:
        return self.state.event_id

    @property
    def current(self) -> Performer | None:
        on_stage = self.state.performer_id
        return next((p for p in self.performers if p.performer_id == on_stage), None)

    def performer_name(self, performer_id: str | None) -> str:
        return next((p.name for p in self.performers if p.performer_id == performer_id), "")

    @cached_property
    def by_performer(self) -> dict[str, dict[str, Score]]:
        """performer_id -> judge -> score, grouped once: a large event asks for every performer's."""
        table: dict[str, dict[str, Score]] = {}
        for s in self.scores:
            table.setdefault(s.performer_id, {})[s.judge] = s
        return table

    def scores_for(self, performer_id: str) -> dict[str, Score]:
        return dict(self.by_performer.get(performer_id, {}))

    @property
    def panel(self) -> list[str]:
        """The judges who count (never a shadow judge)."""
        return panel_of(self.judges, self.scores, self.settings.shadows)

    @property
    def quorum(self) -> tuple[int, int]:
        """Judges (counted, needed) for the start: only those who may score the first performer count
        (before the start; afterwards simply the judges present and the setting)."""
        if self.state.phase not in (Phase.SETUP, Phase.LOBBY):
            return len(self.present), self.settings.required_judges
        first = self.state.order[0] if self.state.order else None
        panel = [j.email for j in self.judges if j.active]
        return rules.start_quorum(self.present, self.recused_for(first), panel, self.settings.required_judges)

    @property
    def phase_label(self) -> str:
        return PHASE_LABEL[self.state.phase] + (" — paused" if self.state.paused else "")


def panel_of(judges: Iterable[Account], scores: Iterable[Score], shadows: Iterable[str] = ()) -> list[str]:
    """The active judges and whoever scored, less the shadow judges (who never count)."""
    return sorted(({j.email for j in judges if j.active} | {s.judge for s in scores}) - set(shadows))


def totals_by_performer(scores: Iterable[Score]) -> dict[str, dict[str, Decimal]]:
    """performer_id -> judge -> that judge's total: the shape scoring's rules take."""
    table: dict[str, dict[str, Decimal]] = {}
    for s in scores:
        table.setdefault(s.performer_id, {})[s.judge] = s.total
    return table


def compute_results(
    settings: Settings,
    performers: list[Performer],
    scores: list[Score],
    judges: list[Account],
    rule: Rule | None = None,
    conflicts: Mapping[str, Iterable[str]] | None = None,
    carried: Mapping[str, Decimal] | None = None,
    deductions: Iterable[Deduction] = (),
) -> list[ranking.PerformerResult]:
    """The ranking: recused judges left out per performer, difficulty and carried-over totals applied,
    the head judge's deductions taken off; skipped and no-show performers are not ranked."""
    chosen = Rule(settings.rule if rule is None else rule)
    args, kwargs = _ranking_args(
        settings, performers, scores, judges, [chosen], conflicts, carried, deductions
    )
    return ranking.rank_under_rules(*args, **kwargs)[chosen]


def totals_and_ranks_by_rule(
    settings: Settings,
    performers: list[Performer],
    scores: list[Score],
    judges: list[Account],
    rules: Iterable[Rule],
    conflicts: Mapping[str, Iterable[str]] | None = None,
    carried: Mapping[str, Decimal] | None = None,
    deductions: Iterable[Deduction] = (),
) -> dict[Rule, dict[str, tuple[Decimal | None, int | None]]]:
    """compute_results' totals and ranks under each of `rules` (the what-if table), sharing what no rule
    changes: performer_id -> (total, rank)."""
    args, kwargs = _ranking_args(settings, performers, scores, judges, rules, conflicts, carried, deductions)
    return ranking.totals_and_ranks_under_rules(*args, **kwargs)


def compute_calculation(
    settings: Settings,
    performers: list[Performer],
    scores: list[Score],
    judges: list[Account],
    conflicts: Mapping[str, Iterable[str]] | None = None,
) -> Tabulation | None:
    """The calculation behind compute_results' ranking under a field rule (the skating system's table of
    majorities, the points, the normalised marks), or None under the other rules."""
    args, kwargs = _ranking_args(settings, performers, scores, judges, [settings.rule], conflicts, None)
    del args[5], kwargs["factors"], kwargs["carried"]  # the rules list; field rules use neither
    del kwargs["values"], kwargs["deducted"]  # nor sub-panels' totals, nor deductions: places only
    return ranking.calculation(*args, **kwargs)


def _ranking_args(settings, performers, scores, judges, rules, conflicts, carried, deductions=()) -> tuple:
    unranked = (PerformerStatus.SKIPPED, PerformerStatus.NO_SHOW)
    scores = panels.counted(scores, settings)  # a shadow judge's scores never count
    args = [
        [p.performer_id for p in performers],
        totals_by_performer(scores),
        panel_of(judges, scores, settings.shadows),
        {j.email: j.weight for j in judges},
        settings,
        list(rules),
        [p.performer_id for p in performers if p.status in unranked],
    ]
    kwargs = {
        "recused": {pid: tuple(js) for pid, js in (conflicts or {}).items()},
        "factors": {p.performer_id: p.difficulty for p in performers if p.difficulty != 1},
        "carried": carried,
        "dances": _dances(settings, scores, rules),
        "values": panels.values_by_performer(scores) if panels.split(settings.criteria) else None,
        "deducted": deduction_rules.off(settings, deductions),
    }
    return args, kwargs


def _dances(settings: Settings, scores: list[Score], rules) -> dict | None:
    """With two or more criteria the skating system takes each as a dance: every judge's mark per one."""
    if len(settings.criteria) < 2 or Rule.SKATING not in {Rule(r) for r in rules}:
        return None
    out: dict[str, dict[str, dict[str, Decimal]]] = {}
    for s in scores:
        out.setdefault(s.performer_id, {})[s.judge] = dict(s.values)
    return out


@dataclass(frozen=True)
class RankingRow:
    """One line of the ranking, whichever screen or export shows it."""

    result: ranking.PerformerResult
    performer: Performer | None
    by_judge: dict[str, Score] = field(default_factory=dict)  # filled only when asked for


def ranking_rows(
    snapshot: Snapshot, per_judge: bool = False, results: list[ranking.PerformerResult] | None = None
) -> list[RankingRow]:
    """The ranking in result order (ranked first), each with its performer and, if asked, its scores;
    `results`: another ranking of the same event (one category's) instead of the overall one."""
    performers = {p.performer_id: p for p in snapshot.performers}
    return [
        RankingRow(
            result,
            performers.get(result.performer_id),
            snapshot.scores_for(result.performer_id) if per_judge else {},
        )
        for result in (snapshot.results if results is None else results)
    ]


def visible_to_judge(snapshot: Snapshot, judge: str) -> list[tuple[Performer, dict[str, Score]]]:
    """The scores a judge may see: every judge's, but only for the performers this judge has scored,
    so nobody is swayed by the others before giving their own."""
    visible = []
    for performer in snapshot.performers:
        scores = snapshot.scores_for(performer.performer_id)
        if judge in scores:
            visible.append((performer, dict(sorted(scores.items()))))
    return visible


def countdown(remaining: float, window: tuple, last_shown: tuple[tuple, int] | None) -> int:
    """Whole seconds to show for `window`: never more than last shown for the same window, so a
    fresher read or a rounding at the edge never makes the countdown go back up."""
    shown = math.ceil(remaining - 1e-9)
    if last_shown is not None and last_shown[0] == window:
        shown = min(shown, last_shown[1])
    return shown
