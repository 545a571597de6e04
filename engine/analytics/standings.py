"""Rankings seen another way: where performers stood after each one done, and under every rule.

Pure: pandas and the engine's own ranking (engine/domain/snapshot.py compute_results), no Streamlit.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd

from engine.domain.messages import N_
from engine.domain.model import PerformerStatus, Rule, Score
from engine.domain.placing import FIELD_RULES
from engine.domain.snapshot import Snapshot, compute_calculation, compute_results, totals_and_ranks_by_rule

TOP_RANKS = 10  # lines in the ranking-over-time chart
FIELD_STEPS = 30  # under a field rule, the rankings of prefixes the chart computes at most (about)
RULE_LABEL = {
    Rule.WEIGHTED_MEAN: N_("Weighted mean"),
    Rule.MEAN: N_("Mean"),
    Rule.TRIMMED_MEAN: N_("Trimmed mean"),
    Rule.TRIMMED_SUM: N_("Trimmed sum"),
    Rule.MEDIAN: N_("Median"),
    Rule.SUM: N_("Sum"),
    Rule.SKATING: N_("Skating system"),
    Rule.RANK_POINTS: N_("Rank points"),
    Rule.BORDA: N_("Borda"),
    Rule.NORMALISED: N_("Normalised"),
}


def positions(snap: Snapshot) -> dict[str, int]:
    """performer_id -> 1-based place in the running order (the event's order, then the roster's)."""
    place = {pid: i for i, pid in enumerate(snap.state.order, start=1)}
    for p in sorted(snap.performers, key=lambda p: (p.order, p.performer_id)):
        place.setdefault(p.performer_id, len(place) + 1)
    return place


def as_float(d: Decimal | None) -> float:
    return float(d) if d is not None else np.nan


def ranking_over_time(snap: Snapshot, top: int = TOP_RANKS) -> pd.DataFrame:
    """Rank of the current top performers after each performer done, at the steps where it changed.

    The ranks `compute_results(settings, done[:k], their scores, judges)` gives for every k, computed
    with one ranking per distinct panel rather than one per k: a total depends only on the performer's
    own scores and the panel, so while the panel stays put, rank after k = 1 + those of the first k
    ranked above."""
    columns = ["step", "performer", "rank", "after"]
    place = positions(snap)
    done = [p for p in snap.performers if p.status is PerformerStatus.DONE]
    done.sort(key=lambda p: place[p.performer_id])
    n = len(done)
    if not n:
        return pd.DataFrame(columns=columns)
    index = {p.performer_id: i for i, p in enumerate(done)}
    mine: list[list[Score]] = [[] for _ in done]
    for s in snap.scores:
        if (i := index.get(s.performer_id)) is not None:
            mine[i].append(s)
    # The panel grows when a judge no longer active turns out to have scored: rank anew from there; and a
    # field rule ranks prefixes anew, every n // FIELD_STEPS-th (between them, as the next one ranks).
    panel = {j.email for j in snap.judges if j.active}
    starts, panels = [], []
    every = max(1, n // FIELD_STEPS) if Rule(snap.settings.rule) in FIELD_RULES else 0
    for i, scores in enumerate(mine):
        grown = panel | {s.judge for s in scores}
        if i == 0 or grown != panel or (every and i % every == 0):
            starts.append(i)
            panels.append(sorted(grown))
        panel = grown
    ends = [*starts[1:], n]
    besides = {"conflicts": snap.conflicts, "carried": snap.round.carried if snap.round else None}
    besides["deductions"] = snap.deductions
    # keys[s, i]: performer i's rank in segment s's ranking (inf: not ranked there); lower is better.
    keys = np.full((len(starts), n), np.inf)
    for s, end in enumerate(ends):
        if end == n and panels[s] == snap.panel:
            results = snap.results  # the same panel, so the same totals: reuse the snapshot's ranking
        else:
            prefix_scores = [x for xs in mine[:end] for x in xs]
            results = compute_results(snap.settings, done[:end], prefix_scores, snap.judges, **besides)
        ranked = {r.performer_id: r.rank for r in results}
        keys[s, :end] = [ranked.get(p.performer_id) or np.inf for p in done[:end]]
    segment = np.repeat(np.arange(len(starts)), np.diff([*starts, n]))
    final = keys[-1]
    final_rank = np.where(np.isfinite(final), 1 + np.searchsorted(np.sort(final), final), np.inf)
    tracked = [int(t) for t in np.lexsort((np.arange(n), final_rank)) if np.isfinite(final_rank[t])][:top]
    labels = [f"{place[p.performer_id]}. {p.name}" for p in done]
    rows = []
    for t in tracked:
        above = np.cumsum(keys < keys[:, t : t + 1], axis=1)  # per segment: ranked above t among first k
        steps = np.arange(t, n)
        steps = steps[np.isfinite(keys[segment[steps], t])]
        if not len(steps):
            continue
        ranks = 1 + above[segment[steps], steps]
        keep = np.unique(np.r_[np.flatnonzero(np.r_[True, ranks[1:] != ranks[:-1]]), len(steps) - 1])
        rows += [(int(steps[j]) + 1, labels[t], int(ranks[j]), labels[steps[j]]) for j in keep]
    return pd.DataFrame(rows, columns=columns)


def what_if(snap: Snapshot) -> pd.DataFrame:
    """Rank and total of every performer under each aggregation rule, the event's own rule first."""
    current = Rule(snap.settings.rule)
    rules = [current, *(r for r in Rule if r is not current)]
    others = totals_and_ranks_by_rule(
        snap.settings,
        snap.performers,
        snap.scores,
        snap.judges,
        rules[1:],
        conflicts=snap.conflicts,
        carried=snap.round.carried if snap.round else None,
        deductions=snap.deductions,
    )
    outcome = {current: {x.performer_id: (x.total, x.rank) for x in snap.results}, **others}
    place = positions(snap)
    names = {p.performer_id: p.name for p in snap.performers}
    ids = [r.performer_id for r in snap.results]
    label = {r: RULE_LABEL[r] + (" (event's rule)" if r is current else "") for r in rules}
    none = (None, None)
    ranks = np.array([[outcome[r].get(pid, none)[1] for r in rules] for pid in ids], dtype=float)
    ranks = ranks.reshape(len(ids), len(rules))
    columns: dict[str, object] = {"Performer": [names.get(pid, pid) for pid in ids]}
    for k, r in enumerate(rules):
        columns[label[r]] = _int_array(ranks[:, k])
    # The spread over the rules that rank the performer (pandas' max - min, skipping the missing).
    seen = ~np.isnan(ranks)
    top = np.where(seen, ranks, -np.inf).max(axis=1, initial=-np.inf)
    bottom = np.where(seen, ranks, np.inf).min(axis=1, initial=np.inf)
    columns["Rank spread"] = _int_array(np.where(seen.any(axis=1), top - bottom, np.nan))
    for r in rules:
        totals = outcome[r]
        columns[f"{RULE_LABEL[r]} total"] = np.array(
            [as_float(totals.get(pid, none)[0]) for pid in ids], dtype=float
        )
    # Every rule's total is multiplied by the performer's difficulty (1 unless the roster says).
    factor = {p.performer_id: p.difficulty for p in snap.performers}
    columns["Difficulty"] = np.array([as_float(factor.get(pid)) for pid in ids], dtype=float)
    out = pd.DataFrame(columns)
    first = np.where(seen[:, 0], ranks[:, 0], np.inf)
    order = np.lexsort(([place.get(pid, 0) for pid in ids], first))
    return out.iloc[order].reset_index(drop=True)


def refusals(snap: Snapshot) -> list[tuple[str, str | Exception]]:
    """Why a field rule in the what-if table ranks nobody (the normalised rule, while a judge has too few
    marks): the rule's label and the refusal (its error where it has one, for the ui to say in a language)."""
    found = []
    for rule in (Rule.NORMALISED,):
        calc = compute_calculation(
            snap.settings.with_changes(rule=rule), snap.performers, snap.scores, snap.judges, snap.conflicts
        )
        if calc is not None and calc.refused:
            found.append((RULE_LABEL[rule], getattr(calc, "refusal", None) or calc.refused))
    return found


def _int_array(values: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """Whole numbers as a nullable Int64 column, NaN as missing."""
    missing = np.isnan(values)
    return pd.arrays.IntegerArray(np.where(missing, 0, values).astype(np.int64), missing)
