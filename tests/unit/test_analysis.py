"""The admin's analytics frames (engine/analytics: analysis, standings, timing), from hand-made Snapshots."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from engine.analytics import analysis, standings
from engine.analytics.timing import openings_estimated, openings_key, timing_frame
from engine.domain.model import EventState, MissingPolicy, PerformerStatus, Phase, Rule, Settings
from engine.domain.snapshot import Snapshot, compute_results
from tests.unit.snapshots import JUDGES, PERFORM, ROWS, T0, A, B, C, make_snapshot


def test_only_judges_past_the_threshold_are_flagged():
    a = analysis.analyse(make_snapshot(ROWS, JUDGES))
    assert list(analysis.flagged(a, 1.5)["judge_name"]) == ["Cy"]
    assert list(analysis.flagged(a, 0.5)["judge_name"]) == ["Cy", "Ann", "Bob"]
    assert analysis.flagged(a, 2.0).empty  # more than, not at


def test_score_table_has_a_column_per_judge_and_rows_in_rank_order():
    a = analysis.analyse(make_snapshot(ROWS, JUDGES))
    t = a.table
    assert list(t.columns) == ["Rank", "Performer", "Status", "Scores in", "Ann", "Bob", "Cy", "Total"]
    assert list(t["Performer"]) == ["P2", "P1", "P3"]
    assert list(t["Rank"]) == [1, 2, 3]
    assert list(t["Cy"]) == [8.0, 7.0, 5.0]
    assert t["Total"].tolist() == pytest.approx([20 / 3, 17 / 3, 11 / 3])
    assert list(t["Scores in"]) == ["3/3", "3/3", "3/3"]


def test_score_table_keeps_unscored_and_unranked_performers_at_the_end():
    rows = {"p1": {A: 5, B: 5}, "p2": {}, "p3": {A: 9}}
    snap = make_snapshot(rows, JUDGES, status={"p2": PerformerStatus.WAITING})
    t = analysis.analyse(snap).table
    assert list(t["Performer"]) == ["P3", "P1", "P2"]
    assert t["Rank"].tolist()[:2] == [1, 2] and pd.isna(t["Rank"].iloc[2])
    assert pd.isna(t.loc[2, "Ann"]) and list(t["Scores in"]) == ["1/3", "2/3", "0/3"]


def test_judge_columns_are_unique_even_when_names_clash():
    judges = {A: "Sam", B: "Sam", C: "Total"}
    t = analysis.analyse(make_snapshot(ROWS, judges)).table
    judge_columns = list(t.columns[4:-1])
    assert len(set(judge_columns)) == 3
    assert judge_columns == ["Sam", "Sam (b@x)", "Total (c@x)"]


# ---- submission timing -----------------------------------------------------------------------------


def test_estimated_openings_are_performance_start_plus_performance_time():
    snap = make_snapshot(ROWS, JUDGES)
    est = openings_estimated(snap)
    assert est == {p.performer_id: p.started_at + PERFORM for p in snap.performers}
    timing = timing_frame(analysis.analyse(snap), est)
    assert set(timing["first"]) == {5.0}


def test_the_window_on_stage_opened_when_the_state_says():
    snap = make_snapshot(ROWS, JUDGES, status={"p3": PerformerStatus.SCORING})
    state = EventState("e1", Phase.SCORING, tuple(ROWS), 2, window_started_at=T0 + 999, deadline=T0 + 1029)
    snap = Snapshot(**{**snap.__dict__, "state": state})
    assert openings_estimated(snap)["p3"] == T0 + 999


def test_the_log_is_read_again_only_when_a_window_may_have_opened():
    snap = make_snapshot(ROWS, JUDGES, status={"p2": PerformerStatus.SCORING, "p3": PerformerStatus.WAITING})
    key = openings_key(snap)
    same = make_snapshot(ROWS, JUDGES, status={"p2": PerformerStatus.DONE, "p3": PerformerStatus.WAITING})
    later = make_snapshot(ROWS, JUDGES, status={"p3": PerformerStatus.SCORING})
    assert openings_key(same) == key != openings_key(later)


# ---- ranking over time -----------------------------------------------------------------------------


def expand(ranking: pd.DataFrame, n: int) -> dict[str, dict[int, int]]:
    """The step-compressed frame back to a rank for every step from the performer's own."""
    out: dict[str, dict[int, int]] = {}
    for name, g in ranking.groupby("performer"):
        points = dict(zip(g["step"], g["rank"], strict=True))
        first, rank = min(points), None
        out[name] = {}
        for k in range(first, n + 1):
            rank = points.get(k, rank)
            out[name][k] = rank
    return out


def brute_force(snap: Snapshot, top: int) -> dict[str, dict[int, int]]:
    done = [p for p in snap.performers if p.status is PerformerStatus.DONE]
    labels = {p.performer_id: f"{i}. {p.name}" for i, p in enumerate(snap.performers, start=1)}
    per_k = []
    for k in range(1, len(done) + 1):
        ids = {p.performer_id for p in done[:k]}
        prefix = [s for s in snap.scores if s.performer_id in ids]
        per_k.append(
            {r.performer_id: r.rank for r in compute_results(snap.settings, done[:k], prefix, snap.judges)}
        )
    final = sorted((r, i) for i, p in enumerate(done) if (r := per_k[-1][p.performer_id]) is not None)
    tracked = [done[i].performer_id for _, i in final][:top]
    out: dict[str, dict[int, int]] = {}
    for pid in tracked:
        mine = {k + 1: ranks[pid] for k, ranks in enumerate(per_k) if ranks.get(pid) is not None}
        out[labels[pid]] = mine
    return out


@pytest.mark.parametrize("seed", range(8))
def test_ranking_over_time_matches_ranking_each_prefix_from_scratch(seed):
    rnd = random.Random(seed)
    judges = {f"j{i}@x": f"J{i}" for i in range(4)}
    rows = {}
    for i in range(14):
        rows[f"p{i:02d}"] = {j: rnd.randint(5, 8) for j in judges if rnd.random() > 0.2}  # ties, gaps
    status = {pid: PerformerStatus.SKIPPED for pid in rnd.sample(sorted(rows), 2)}
    settings = Settings(min_scores=2, missing=rnd.choice(list(MissingPolicy)), rule=rnd.choice(list(Rule)))
    # j3 is no longer active and scored only from the 6th performer on: the panel grows mid-event.
    for pid in list(rows)[:5]:
        rows[pid].pop("j3@x", None)
    snap = make_snapshot(rows, judges, status=status, settings=settings, inactive=("j3@x",))
    top = rnd.choice([3, 10])
    got = expand(
        standings.ranking_over_time(snap, top=top),
        len([p for p in snap.performers if p.status.value == "done"]),
    )
    assert got == brute_force(snap, top)


# ---- agreement, what-if ----------------------------------------------------------------------------


def test_judges_ranking_performers_the_same_agree_fully():
    snap = make_snapshot(ROWS, JUDGES)
    assert analysis.agreement(snap) == pytest.approx(1.0)
    assert analysis.analyse(snap).complete == 3


def test_the_agreement_key_changes_only_with_complete_performers_scores():
    base = make_snapshot(ROWS, JUDGES)
    key = analysis.analyse(base).agreement_key
    more = make_snapshot({**ROWS, "p4": {A: 1}}, JUDGES)
    revised = make_snapshot(ROWS, JUDGES, submitted={("p1", A): (5.0, 9.0, 2)})
    assert analysis.analyse(more).agreement_key == key
    assert analysis.analyse(revised).agreement_key != key


def test_what_if_ranks_under_every_rule_side_by_side():
    # Mean favours p1 (a high outlier), median favours p2.
    rows = {"p1": {A: 10, B: 4, C: 4}, "p2": {A: 5, B: 5, C: 5}}
    snap = make_snapshot(rows, JUDGES, settings=Settings(rule=Rule.MEDIAN))
    t = standings.what_if(snap)
    assert list(t.columns[:12]) == ["Performer", "Median (event's rule)", "Weighted mean", "Mean",
                                    "Trimmed mean", "Trimmed sum", "Sum", "Skating system", "Rank points",
                                    "Borda", "Normalised", "Rank spread"]  # fmt: skip
    by = t.set_index("Performer")
    assert by.loc["P2", "Median (event's rule)"] == 1 and by.loc["P2", "Mean"] == 2
    assert by.loc["P1", "Mean"] == 1 and by.loc["P1", "Rank spread"] == 1
    assert by.loc["P1", "Sum total"] == 18.0 and list(t["Performer"]) == ["P2", "P1"]


def test_what_if_ranks_under_every_rule():
    # Moved from test_scoring.py with scoring.what_if: the page's what-if is now the only one.
    rows = {"A": {A: 10, B: 10, C: 1}, "B": {A: 8, B: 8, C: 8}}
    t = standings.what_if(make_snapshot(rows, JUDGES)).set_index("Performer")
    label = {
        r: standings.RULE_LABEL[r] + (" (event's rule)" if r is Rule.WEIGHTED_MEAN else "") for r in Rule
    }
    assert set(label.values()) <= set(t.columns)
    assert t[label[Rule.MEAN]].to_dict() == {"B": 1, "A": 2}
    assert t[label[Rule.MEDIAN]].to_dict() == {"A": 1, "B": 2}
    assert t[label[Rule.SUM]].to_dict() == {"A": 2, "B": 1}


def test_the_fingerprint_changes_with_a_revision():
    base = make_snapshot(ROWS, JUDGES)
    revised = make_snapshot(ROWS, JUDGES, submitted={("p1", A): (5.0, 9.0, 2)})
    assert analysis.fingerprint(base) == analysis.fingerprint(make_snapshot(ROWS, JUDGES))
    assert analysis.fingerprint(base) != analysis.fingerprint(revised)
