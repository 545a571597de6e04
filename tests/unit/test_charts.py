"""The admin's analytics charts (ui/charts.py): Altair specs built from analytics/analysis.py's frames."""

from __future__ import annotations

import time

import altair as alt
import pytest

from engine.analytics import analysis, standings
from engine.analytics.timing import openings_estimated, openings_from_log, timing_frame, timing_summary
from engine.domain import eventlog
from engine.domain.model import PerformerStatus, Rule, Settings
from tests.unit.snapshots import (
    JUDGES,
    PERFORM,
    ROWS,
    T0,
    WINDOW,
    A,
    B,
    C,
    large_snapshot,
    log_openings,
    make_snapshot,
)
from ui import charts


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


# ---- deviation -------------------------------------------------------------------------------------


def test_deviation_of_a_judge_always_two_above_the_others_is_plus_two():
    a = analysis.analyse(make_snapshot(ROWS, JUDGES))
    rows = {r["judge_name"]: r for r in rows_with(charts.deviation_chart(a, 1.5), "deviation")}
    assert rows["Cy"]["deviation"] == pytest.approx(2.0)
    assert rows["Ann"]["deviation"] == pytest.approx(-1.0)  # 5 - (5 + 7) / 2
    assert rows["Cy"]["over"] is True and rows["Ann"]["over"] is False
    assert rows["Cy"]["performers"] == 3


def test_the_threshold_lines_sit_at_plus_and_minus_the_threshold():
    a = analysis.analyse(make_snapshot(ROWS, JUDGES))
    assert sorted(r["at"] for r in rows_with(charts.deviation_chart(a, 1.25), "at")) == [-1.25, 1.25]


# ---- scores by judge, distribution ------------------------------------------------------------------


def test_scores_by_judge_chart_has_a_dot_per_score_and_a_tick_per_total():
    a = analysis.analyse(make_snapshot(ROWS, JUDGES))
    chart = charts.scores_by_judge_chart(a)
    dots = {(r["performer"], r["judge_name"]): r["value"] for r in rows_with(chart, "value")}
    assert dots[("2. P2", "Cy")] == 8.0 and len(dots) == 9
    ticks = {r["performer"]: r["total"] for r in rows_with(chart, "total")}
    assert ticks == pytest.approx({"1. P1": 17 / 3, "2. P2": 20 / 3, "3. P3": 11 / 3})


def test_scores_by_judge_chart_leaves_out_totals_off_the_judges_scale():
    a = analysis.analyse(make_snapshot(ROWS, JUDGES, settings=Settings(rule=Rule.SUM)))
    assert not rows_with(charts.scores_by_judge_chart(a), "total")


def test_scores_by_judge_chart_shows_only_the_latest_performers():
    a = analysis.analyse(make_snapshot(ROWS, JUDGES))
    chart = charts.scores_by_judge_chart(a, limit=2)
    assert {r["performer"] for r in data_rows(chart)} == {"2. P2", "3. P3"}


def test_distribution_is_each_judges_five_numbers():
    rows = {f"p{i}": {A: v, B: 5} for i, v in enumerate([1, 2, 3, 4, 10])}
    a = analysis.analyse(make_snapshot(rows, JUDGES))
    stats = {r["judge_name"]: r for r in data_rows(charts.distribution_chart(a))}
    ann = stats["Ann"]
    assert (ann["min"], ann["q1"], ann["median"], ann["q3"], ann["max"]) == (1, 2, 3, 4, 10)
    assert ann["count"] == 5 and ann["mean"] == pytest.approx(4.0)
    assert stats["Bob"]["min"] == stats["Bob"]["max"] == 5


# ---- submission timing -----------------------------------------------------------------------------


def test_timing_counts_seconds_from_the_window_opening_in_the_log():
    submitted = {("p1", A): (2.0, 9.5, 3), ("p2", B): (28.0, 28.0, 1)}
    snap = make_snapshot(ROWS, JUDGES, submitted=submitted)
    a = analysis.analyse(snap)
    # The log says each window opened 1 s after performance start + performance time (a pause, say).
    opened = openings_from_log(log_openings(snap, late=1.0))
    assert opened["p1"] == T0 + PERFORM + 1.0
    timing = timing_frame(a, opened)
    one = timing[(timing["performer"] == "1. P1") & (timing["judge_name"] == "Ann")].iloc[0]
    assert (one["first"], one["last"], one["revision"]) == (1.0, 8.5, 3)
    rows = rows_with(charts.timing_chart(timing, 3, WINDOW), "first")
    assert {(r["performer"], r["judge_name"]): r["first"] for r in rows}[("2. P2", "Bob")] == 27.0
    assert [r["at"] for r in rows_with(charts.timing_chart(timing, 3, WINDOW), "at")] == [WINDOW]
    summary = timing_summary(timing).set_index("Judge")
    assert summary.loc["Ann", "Revised"] == 1 and summary.loc["Bob", "Latest s"] == 27.0


def test_a_window_opened_by_the_admins_performance_done_counts_from_then():
    snap = make_snapshot(ROWS, JUDGES)
    entries = log_openings(snap)
    done = eventlog.make_entry("e1", "admin:a", 0, eventlog.GENESIS, T0 + 4.0, "a", "performance_done",
                               {"performer_id": "p1", "performed_seconds": 4.0})  # fmt: skip
    opened = openings_from_log([done, *entries[1:]])
    assert opened["p1"] == T0 + 4.0 and opened["p2"] == entries[1].ts


# ---- ranking over time -----------------------------------------------------------------------------


def test_ranking_chart_reverses_the_rank_axis_and_carries_the_ranks():
    rows = {"p1": {A: 5, B: 5}, "p2": {A: 7, B: 7}, "p3": {A: 6, B: 6}}
    a = analysis.analyse(make_snapshot(rows, JUDGES))
    chart = charts.ranking_chart(a)
    spec = chart.to_dict()
    assert spec["encoding"]["y"]["scale"]["reverse"] is True
    points = {(r["performer"], r["step"]): r["rank"] for r in data_rows(chart)}
    assert points == {
        ("1. P1", 1): 1, ("1. P1", 2): 2, ("1. P1", 3): 3,
        ("2. P2", 2): 1, ("2. P2", 3): 1,
        ("3. P3", 3): 2,
    }  # fmt: skip


# ---- empty, text, size ----------------------------------------------------------------------------


def test_an_event_without_scores_builds_every_chart_empty():
    rows = {"p1": {}, "p2": {}}
    snap = make_snapshot(rows, JUDGES, status={"p1": PerformerStatus.WAITING, "p2": PerformerStatus.WAITING})
    a = analysis.analyse(snap)
    assert a.scores.empty and a.deviation.empty and a.ranking.empty and len(a.table) == 2
    assert analysis.agreement(snap) is None
    timing = timing_frame(a, openings_estimated(snap))
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
    assert analysis.flagged(a, 1.5).empty and timing_summary(timing).empty
    assert standings.what_if(snap)["Rank spread"].isna().all()


def test_names_travel_as_data_never_as_field_names():
    odd = "<b>x</b> **y** a.b[0] {{z}}"
    snap = make_snapshot(ROWS, {A: odd, B: "Bob", C: "Cy"}, names={"p1": odd})
    a = analysis.analyse(snap)
    built = [charts.scores_by_judge_chart(a), charts.distribution_chart(a), charts.deviation_chart(a, 1.5),
             charts.ranking_chart(a)]  # fmt: skip
    for chart in built:
        spec = chart.to_dict()
        assert not any(odd in f for f in fields(spec))
        assert any(odd in str(v) for r in data_rows(chart) for v in r.values())
    assert odd in a.table.columns and odd in set(a.table["Performer"])


def test_a_thousand_performers_and_twenty_judges_build_every_chart():
    snap = large_snapshot()
    ms: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        ms[name], clock = 1000 * (now - clock), now

    a = analysis.analyse(snap)
    lap("analyse")
    w = analysis.agreement(snap)
    lap("Kendall's W")
    timing = timing_frame(a, openings_estimated(snap))
    built = [
        charts.scores_by_judge_chart(a),
        charts.distribution_chart(a),
        charts.deviation_chart(a, 1.5),
        charts.ranking_chart(a),
        charts.timing_chart(timing, len(a.judges), WINDOW),
    ]
    summary = timing_summary(timing)
    lap("build charts")
    specs = [c.to_dict() for c in built]
    lap("to_dict")
    what_if = standings.what_if(snap)
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
