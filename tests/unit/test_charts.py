"""The admin's analytics: frames and Altair charts built from a hand-made Snapshot."""

from __future__ import annotations

import random
import time
from decimal import Decimal as D

import altair as alt
import pandas as pd
import pytest

from engine import eventlog
from engine.model import (
    Account,
    EventState,
    MissingPolicy,
    Performer,
    PerformerStatus,
    Phase,
    Role,
    Rule,
    Score,
    Settings,
)
from engine.service import Snapshot, compute_results
from ui import charts

T0 = 1_700_000_000.0
PERFORM, WINDOW = 10.0, 30.0


def make_snapshot(
    rows: dict[str, dict[str, object]],
    judges: dict[str, str] | None = None,
    *,
    names: dict[str, str] | None = None,
    status: dict[str, PerformerStatus] | None = None,
    settings: Settings | None = None,
    inactive: tuple[str, ...] = (),
    submitted: dict[tuple[str, str], tuple[float, float, int]] | None = None,
) -> Snapshot:
    """rows: performer id -> {judge email: score}, in running order; each performer performs from
    T0 + 100 * i, its window opens PERFORM seconds later and a judge submits 5 s into it unless
    `submitted` says (first, latest, revision) relative to the opening."""
    settings = settings or Settings(perform_seconds=PERFORM, score_seconds=WINDOW)
    judges = judges or {e: e.split("@")[0].upper() for js in rows.values() for e in js}
    accounts = [Account(e, n, Role.JUDGE, active=e not in inactive) for e, n in judges.items()]
    names = names or {}
    status = status or {}
    performers, scores = [], []
    for i, (pid, by_judge) in enumerate(rows.items()):
        start = T0 + 100 * i
        performers.append(
            Performer(pid, names.get(pid, pid.upper()), i + 1, status=status.get(pid, PerformerStatus.DONE),
                      started_at=start, ended_at=start + PERFORM + WINDOW)
        )  # fmt: skip
        opened = start + PERFORM
        for judge, value in by_judge.items():
            first, last, rev = (submitted or {}).get((pid, judge), (5.0, 5.0, 1))
            v = D(str(value))
            scores.append(
                Score("e1", pid, judge, {"Score": v}, v, rev, opened + last, opened + first, 2 * i + 2)
            )
    state = EventState("e1", Phase.FINISHED, tuple(rows), len(rows) - 1, version=7)
    return Snapshot(
        at=T0 + 100 * len(rows),
        state=state,
        settings=settings,
        performers=performers,
        scores=scores,
        judges=accounts,
        present=[],
        flags={},
        results=compute_results(settings, performers, scores, accounts),
    )


def data_rows(chart: alt.TopLevelMixin) -> list[dict]:
    """Every data row the chart's spec carries (Altair puts them in top-level datasets)."""
    spec = chart.to_dict()
    return [row for rows in spec.get("datasets", {}).values() for row in rows]


def rows_with(chart: alt.TopLevelMixin, field: str) -> list[dict]:
    return [r for r in data_rows(chart) if field in r]


def fields(spec: object) -> set[str]:
    """Every field name an encoding of the spec refers to."""
    out: set[str] = set()
    if isinstance(spec, dict):
        if isinstance(spec.get("field"), str):
            out.add(spec["field"])
        for v in spec.values():
            out |= fields(v)
    elif isinstance(spec, list):
        for v in spec:
            out |= fields(v)
    return out


A, B, C = "a@x", "b@x", "c@x"
JUDGES = {A: "Ann", B: "Bob", C: "Cy"}
# Cy always scores 2 above Ann and Bob, who agree.
ROWS = {"p1": {A: 5, B: 5, C: 7}, "p2": {A: 6, B: 6, C: 8}, "p3": {A: 3, B: 3, C: 5}}


# ---- deviation -------------------------------------------------------------------------------------


def test_deviation_of_a_judge_always_two_above_the_others_is_plus_two():
    a = charts.analyse(make_snapshot(ROWS, JUDGES))
    rows = {r["judge_name"]: r for r in rows_with(charts.deviation_chart(a, 1.5), "deviation")}
    assert rows["Cy"]["deviation"] == pytest.approx(2.0)
    assert rows["Ann"]["deviation"] == pytest.approx(-1.0)  # 5 - (5 + 7) / 2
    assert rows["Cy"]["over"] is True and rows["Ann"]["over"] is False
    assert rows["Cy"]["performers"] == 3


def test_only_judges_past_the_threshold_are_flagged():
    a = charts.analyse(make_snapshot(ROWS, JUDGES))
    assert list(charts.flagged(a, 1.5)["judge_name"]) == ["Cy"]
    assert list(charts.flagged(a, 0.5)["judge_name"]) == ["Cy", "Ann", "Bob"]
    assert charts.flagged(a, 2.0).empty  # more than, not at


def test_the_threshold_lines_sit_at_plus_and_minus_the_threshold():
    a = charts.analyse(make_snapshot(ROWS, JUDGES))
    assert sorted(r["at"] for r in rows_with(charts.deviation_chart(a, 1.25), "at")) == [-1.25, 1.25]


# ---- the score table --------------------------------------------------------------------------------


def test_score_table_has_a_column_per_judge_and_rows_in_rank_order():
    a = charts.analyse(make_snapshot(ROWS, JUDGES))
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
    t = charts.analyse(snap).table
    assert list(t["Performer"]) == ["P3", "P1", "P2"]
    assert t["Rank"].tolist()[:2] == [1, 2] and pd.isna(t["Rank"].iloc[2])
    assert pd.isna(t.loc[2, "Ann"]) and list(t["Scores in"]) == ["1/3", "2/3", "0/3"]


def test_judge_columns_are_unique_even_when_names_clash():
    judges = {A: "Sam", B: "Sam", C: "Total"}
    t = charts.analyse(make_snapshot(ROWS, judges)).table
    judge_columns = list(t.columns[4:-1])
    assert len(set(judge_columns)) == 3
    assert judge_columns == ["Sam", "Sam (b@x)", "Total (c@x)"]


# ---- scores by judge, distribution ------------------------------------------------------------------


def test_scores_by_judge_chart_has_a_dot_per_score_and_a_tick_per_total():
    a = charts.analyse(make_snapshot(ROWS, JUDGES))
    chart = charts.scores_by_judge_chart(a)
    dots = {(r["performer"], r["judge_name"]): r["value"] for r in rows_with(chart, "value")}
    assert dots[("2. P2", "Cy")] == 8.0 and len(dots) == 9
    ticks = {r["performer"]: r["total"] for r in rows_with(chart, "total")}
    assert ticks == pytest.approx({"1. P1": 17 / 3, "2. P2": 20 / 3, "3. P3": 11 / 3})


def test_scores_by_judge_chart_leaves_out_totals_off_the_judges_scale():
    a = charts.analyse(make_snapshot(ROWS, JUDGES, settings=Settings(rule=Rule.SUM)))
    assert not rows_with(charts.scores_by_judge_chart(a), "total")


def test_scores_by_judge_chart_shows_only_the_latest_performers():
    a = charts.analyse(make_snapshot(ROWS, JUDGES))
    chart = charts.scores_by_judge_chart(a, limit=2)
    assert {r["performer"] for r in data_rows(chart)} == {"2. P2", "3. P3"}


def test_distribution_is_each_judges_five_numbers():
    rows = {f"p{i}": {A: v, B: 5} for i, v in enumerate([1, 2, 3, 4, 10])}
    a = charts.analyse(make_snapshot(rows, JUDGES))
    stats = {r["judge_name"]: r for r in data_rows(charts.distribution_chart(a))}
    ann = stats["Ann"]
    assert (ann["min"], ann["q1"], ann["median"], ann["q3"], ann["max"]) == (1, 2, 3, 4, 10)
    assert ann["count"] == 5 and ann["mean"] == pytest.approx(4.0)
    assert stats["Bob"]["min"] == stats["Bob"]["max"] == 5


# ---- submission timing -----------------------------------------------------------------------------


def log_openings(snap: Snapshot, late: float = 0.0) -> list[eventlog.LogEntry]:
    entries, head = [], eventlog.GENESIS
    for i, p in enumerate(snap.performers):
        e = eventlog.make_entry("e1", "engine", i, head, p.started_at + PERFORM + late, "engine",
                                "scoring_opened", {"performer_id": p.performer_id})  # fmt: skip
        entries.append(e)
        head = e.hash
    return entries


def test_timing_counts_seconds_from_the_window_opening_in_the_log():
    submitted = {("p1", A): (2.0, 9.5, 3), ("p2", B): (28.0, 28.0, 1)}
    snap = make_snapshot(ROWS, JUDGES, submitted=submitted)
    a = charts.analyse(snap)
    # The log says each window opened 1 s after performance start + performance time (a pause, say).
    opened = charts.openings_from_log(log_openings(snap, late=1.0))
    assert opened["p1"] == T0 + PERFORM + 1.0
    timing = charts.timing_frame(a, opened)
    one = timing[(timing["performer"] == "1. P1") & (timing["judge_name"] == "Ann")].iloc[0]
    assert (one["first"], one["last"], one["revision"]) == (1.0, 8.5, 3)
    rows = rows_with(charts.timing_chart(timing, 3, WINDOW), "first")
    assert {(r["performer"], r["judge_name"]): r["first"] for r in rows}[("2. P2", "Bob")] == 27.0
    assert [r["at"] for r in rows_with(charts.timing_chart(timing, 3, WINDOW), "at")] == [WINDOW]
    summary = charts.timing_summary(timing).set_index("Judge")
    assert summary.loc["Ann", "Revised"] == 1 and summary.loc["Bob", "Latest s"] == 27.0


def test_estimated_openings_are_performance_start_plus_performance_time():
    snap = make_snapshot(ROWS, JUDGES)
    est = charts.openings_estimated(snap)
    assert est == {p.performer_id: p.started_at + PERFORM for p in snap.performers}
    timing = charts.timing_frame(charts.analyse(snap), est)
    assert set(timing["first"]) == {5.0}


def test_the_window_on_stage_opened_when_the_state_says():
    snap = make_snapshot(ROWS, JUDGES, status={"p3": PerformerStatus.SCORING})
    state = EventState("e1", Phase.SCORING, tuple(ROWS), 2, window_started_at=T0 + 999, deadline=T0 + 1029)
    snap = Snapshot(**{**snap.__dict__, "state": state})
    assert charts.openings_estimated(snap)["p3"] == T0 + 999


def test_the_log_is_read_again_only_when_a_window_may_have_opened():
    snap = make_snapshot(ROWS, JUDGES, status={"p2": PerformerStatus.SCORING, "p3": PerformerStatus.WAITING})
    key = charts.openings_key(snap)
    same = make_snapshot(ROWS, JUDGES, status={"p2": PerformerStatus.DONE, "p3": PerformerStatus.WAITING})
    later = make_snapshot(ROWS, JUDGES, status={"p3": PerformerStatus.SCORING})
    assert charts.openings_key(same) == key != charts.openings_key(later)


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
        charts.ranking_over_time(snap, top=top), len([p for p in snap.performers if p.status.value == "done"])
    )
    assert got == brute_force(snap, top)


def test_ranking_chart_reverses_the_rank_axis_and_carries_the_ranks():
    rows = {"p1": {A: 5, B: 5}, "p2": {A: 7, B: 7}, "p3": {A: 6, B: 6}}
    a = charts.analyse(make_snapshot(rows, JUDGES))
    chart = charts.ranking_chart(a)
    spec = chart.to_dict()
    assert spec["encoding"]["y"]["scale"]["reverse"] is True
    points = {(r["performer"], r["step"]): r["rank"] for r in data_rows(chart)}
    assert points == {
        ("1. P1", 1): 1, ("1. P1", 2): 2, ("1. P1", 3): 3,
        ("2. P2", 2): 1, ("2. P2", 3): 1,
        ("3. P3", 3): 2,
    }  # fmt: skip


# ---- agreement, what-if ----------------------------------------------------------------------------


def test_judges_ranking_performers_the_same_agree_fully():
    snap = make_snapshot(ROWS, JUDGES)
    assert charts.agreement(snap) == pytest.approx(1.0)
    assert charts.analyse(snap).complete == 3


def test_the_agreement_key_changes_only_with_complete_performers_scores():
    base = make_snapshot(ROWS, JUDGES)
    key = charts.analyse(base).agreement_key
    more = make_snapshot({**ROWS, "p4": {A: 1}}, JUDGES)
    revised = make_snapshot(ROWS, JUDGES, submitted={("p1", A): (5.0, 9.0, 2)})
    assert charts.analyse(more).agreement_key == key
    assert charts.analyse(revised).agreement_key != key


def test_what_if_ranks_under_every_rule_side_by_side():
    # Mean favours p1 (a high outlier), median favours p2.
    rows = {"p1": {A: 10, B: 4, C: 4}, "p2": {A: 5, B: 5, C: 5}}
    snap = make_snapshot(rows, JUDGES, settings=Settings(rule=Rule.MEDIAN))
    t = charts.what_if(snap)
    assert list(t.columns[:7]) == ["Performer", "Median (event's rule)", "Weighted mean", "Mean",
                                   "Trimmed mean", "Sum", "Rank spread"]  # fmt: skip
    by = t.set_index("Performer")
    assert by.loc["P2", "Median (event's rule)"] == 1 and by.loc["P2", "Mean"] == 2
    assert by.loc["P1", "Mean"] == 1 and by.loc["P1", "Rank spread"] == 1
    assert by.loc["P1", "Sum total"] == 18.0 and list(t["Performer"]) == ["P2", "P1"]


# ---- empty, text, fingerprints, size ----------------------------------------------------------------


def test_an_event_without_scores_builds_every_chart_empty():
    rows = {"p1": {}, "p2": {}}
    snap = make_snapshot(rows, JUDGES, status={"p1": PerformerStatus.WAITING, "p2": PerformerStatus.WAITING})
    a = charts.analyse(snap)
    assert a.scores.empty and a.deviation.empty and a.ranking.empty and len(a.table) == 2
    assert charts.agreement(snap) is None
    timing = charts.timing_frame(a, charts.openings_estimated(snap))
    built = [
        charts.scores_by_judge_chart(a),
        charts.distribution_chart(a),
        charts.deviation_chart(a, 1.5),
        charts.ranking_chart(a),
        charts.timing_chart(timing, len(a.judges), WINDOW),
    ]
    for chart in built:
        assert isinstance(chart, alt.Chart | alt.LayerChart)
        chart.to_dict()
    assert charts.flagged(a, 1.5).empty and charts.timing_summary(timing).empty
    assert charts.what_if(snap)["Rank spread"].isna().all()


def test_names_travel_as_data_never_as_field_names():
    odd = "<b>x</b> **y** a.b[0] {{z}}"
    snap = make_snapshot(ROWS, {A: odd, B: "Bob", C: "Cy"}, names={"p1": odd})
    a = charts.analyse(snap)
    built = [charts.scores_by_judge_chart(a), charts.distribution_chart(a), charts.deviation_chart(a, 1.5),
             charts.ranking_chart(a)]  # fmt: skip
    for chart in built:
        spec = chart.to_dict()
        assert not any(odd in f for f in fields(spec))
        assert any(odd in str(v) for r in data_rows(chart) for v in r.values())
    assert odd in a.table.columns and odd in set(a.table["Performer"])


def test_the_fingerprint_changes_with_a_revision():
    base = make_snapshot(ROWS, JUDGES)
    revised = make_snapshot(ROWS, JUDGES, submitted={("p1", A): (5.0, 9.0, 2)})
    assert charts.fingerprint(base) == charts.fingerprint(make_snapshot(ROWS, JUDGES))
    assert charts.fingerprint(base) != charts.fingerprint(revised)


def large_snapshot(n: int = 1000, m: int = 20) -> Snapshot:
    rnd = random.Random(7)
    judges = {f"judge{j:02d}@x": f"Judge {j}" for j in range(m)}
    rows = {f"p{i:04d}": {e: D(rnd.randint(0, 100)) / 10 for e in judges} for i in range(n)}
    submitted = {
        (pid, e): (f := rnd.uniform(1, 25), f + rnd.choice([0, 0, 0, 3]), 1) for pid in rows for e in judges
    }
    return make_snapshot(rows, judges, submitted=submitted)


def test_a_thousand_performers_and_twenty_judges_build_every_chart():
    snap = large_snapshot()
    ms: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        ms[name], clock = 1000 * (now - clock), now

    a = charts.analyse(snap)
    lap("analyse")
    w = charts.agreement(snap)
    lap("Kendall's W")
    timing = charts.timing_frame(a, charts.openings_estimated(snap))
    built = [
        charts.scores_by_judge_chart(a),
        charts.distribution_chart(a),
        charts.deviation_chart(a, 1.5),
        charts.ranking_chart(a),
        charts.timing_chart(timing, len(a.judges), WINDOW),
    ]
    summary = charts.timing_summary(timing)
    lap("build charts")
    specs = [c.to_dict() for c in built]
    lap("to_dict")
    what_if = charts.what_if(snap)
    lap("what-if")
    print(
        "\n1,000 x 20:",
        ", ".join(f"{k} {v:.0f} ms" for k, v in ms.items()),
        f"; total {sum(ms.values()):.0f} ms",
    )
    assert a.table.shape == (1000, 4 + 20 + 1)
    assert w is not None and len(summary) == 20 and len(what_if) == 1000
    assert len(a.ranking["performer"].unique()) == 10
    assert {r["performer"] for r in rows_with(built[0], "value")} == {
        f"{i}. P{i - 1:04d}" for i in range(971, 1001)
    }
    assert all(len(rows) <= 5000 for s in specs for rows in s.get("datasets", {}).values())
