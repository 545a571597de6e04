"""A judge's places from their marks (engine/domain/placing.py), rank points and Borda
(engine/domain/points.py), the normalised rule (engine/domain/normalised.py) and their one way in
(engine/domain/tabulation.py): worked examples, and hypothesis comparisons with second, plain versions
written here from the rules' text."""

from __future__ import annotations

import statistics
from dataclasses import replace
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.domain import normalised, tabulation
from engine.domain.model import InvalidInput, Rule, Settings
from engine.domain.placing import judge_places
from engine.domain.settings import parse_rank_points, validate_settings
from engine.store.codec import settings_from_json, settings_to_json
from engine.views import calculation
from tests.unit.snapshots import make_snapshot


def marks(rows: dict[str, dict[str, object]]) -> dict[str, dict[str, D]]:
    return {p: {j: D(str(v)) for j, v in js.items()} for p, js in rows.items()}


# ---- a judge's places ----------------------------------------------------------------------------


def test_a_judges_equal_marks_share_the_place_as_the_events_ranks_do():
    got = judge_places(marks({"p": {"a": 9, "b": 5}, "q": {"a": 8}, "r": {"a": 8, "b": 7}, "s": {"a": 7}}))
    assert got == {"a": {"p": 1, "q": 2, "r": 2, "s": 4}, "b": {"p": 2, "r": 1}}


# ---- rank points and Borda ------------------------------------------------------------------------


def test_rank_points_turn_each_judges_order_into_the_tables_points():
    # Judge a scores wide (10, 2, 1), judge b narrow (7.1, 7.2, 7.0): only their orders count.
    sheet = marks({"x": {"a": 10, "b": D("7.1")}, "y": {"a": 2, "b": D("7.2")}, "z": {"a": 1, "b": 7}})
    result = tabulation.tabulate(Rule.RANK_POINTS, sheet, {}, Settings(rank_points=(D(100), D(75), D(65))))
    assert result.totals == {"x": 175, "y": 175, "z": 130}  # x: 100 + 75, y: 75 + 100, z: 65 + 65
    assert result.tables[0].rows[-1] == ("z", "3 → 65", "3 → 65", "130")


def test_a_place_past_the_points_table_earns_nothing():
    sheet = marks({"x": {"a": 1}, "y": {"a": 2}, "z": {"a": 3}})  # scores: z 1st, y 2nd, x 3rd
    result = tabulation.tabulate(Rule.RANK_POINTS, sheet, {}, Settings(rank_points=(D(10), D(5))))
    assert result.totals == {"z": 10, "y": 5, "x": 0}


def test_borda_gives_each_place_the_number_placed_below_it():
    sheet = marks({"x": {"a": 9, "b": 1}, "y": {"a": 8, "b": 2}, "z": {"a": 7, "b": 3}, "w": {"a": 1}})
    result = tabulation.tabulate(Rule.BORDA, sheet, {}, Settings())
    # a: x 1st of 4 → 3, y 2, z 1, w 0; b (no mark for w): z 1st → 3, y 2nd → 2, x 3rd → 1.
    assert result.totals == {"x": 4, "y": 4, "z": 4, "w": 0}


judge_sheets = st.dictionaries(
    st.sampled_from(["p", "q", "r", "s", "t"]),
    st.dictionaries(st.sampled_from(["a", "b", "c"]), st.integers(0, 4).map(D), min_size=1),
    min_size=1,
)


@settings(max_examples=150, deadline=None)
@given(judge_sheets, st.lists(st.integers(0, 120).map(D), max_size=6))
def test_points_match_a_plain_count(sheet, table):
    n = len(sheet)

    def place(judge, performer):  # one plus the performers this judge marked higher
        mine = sheet[performer][judge]
        return 1 + sum(1 for row in sheet.values() if judge in row and row[judge] > mine)

    want_points = {
        p: sum((table[place(j, p) - 1] if place(j, p) <= len(table) else D(0)) for j in row)
        for p, row in sheet.items()
    }
    want_borda = {p: sum(D(n - place(j, p)) for j in row) for p, row in sheet.items()}
    assert (
        tabulation.tabulate(Rule.RANK_POINTS, sheet, {}, Settings(rank_points=tuple(table))).totals
        == want_points
    )
    assert tabulation.tabulate(Rule.BORDA, sheet, {}, Settings()).totals == want_borda


# ---- the normalised rule --------------------------------------------------------------------------


def test_normalising_removes_a_judges_own_scale():
    # a scores 2, 4, 6; b scores 8, 8.5, 9: the same order, the same z-scores (-1.22, 0, 1.22), so each
    # performer's two mapped marks are equal, on the pooled scale (mean 6.25).
    sheet = marks({"x": {"a": 2, "b": 8}, "y": {"a": 4, "b": D("8.5")}, "z": {"a": 6, "b": 9}})
    mapped, table = normalised.normalise(sheet, 3)
    for p in sheet:
        assert abs(mapped[p]["a"] - mapped[p]["b"]) < D("1e-20")
    assert abs(mapped["y"]["a"] - D("6.25")) < D("1e-20")
    assert table.rows[-1][:3] == ("The panel, pooled", "6", "6.25")


def test_normalised_is_refused_with_a_sentence_while_a_judge_has_too_few_marks():
    sheet = marks({"x": {"a": 2, "b": 8}, "y": {"a": 4, "b": 9}, "z": {"a": 6}})
    result = tabulation.tabulate(Rule.NORMALISED, sheet, {}, Settings(normalise_min=3))
    assert result.totals == {} and result.refused == (
        "The normalised rule needs at least 3 marks from every judge in the round; b has 2."
    )
    with pytest.raises(InvalidInput):
        normalised.normalise(sheet, 3)


def test_a_judge_who_gives_every_performer_the_same_mark_maps_to_the_pooled_mean():
    sheet = marks({"x": {"a": 5, "b": 1}, "y": {"a": 5, "b": 3}, "z": {"a": 5, "b": 5}})
    mapped, _ = normalised.normalise(sheet, 3)
    assert {mapped[p]["a"] for p in sheet} == {D(4)}  # pooled mean of 5, 5, 5, 1, 3, 5


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["p", "q", "r", "s", "t", "u"]),
        st.fixed_dictionaries({j: st.integers(0, 100).map(lambda n: D(n) / 10) for j in "abc"}),
        min_size=3,
    ),
    st.fixed_dictionaries({j: st.sampled_from([D(1), D(2), D("0.5")]) for j in "abc"}),
)
def test_normalised_totals_match_a_float_version(sheet, weights):
    pooled = [float(m) for row in sheet.values() for m in row.values()]
    big_mean, big_sd = statistics.fmean(pooled), statistics.pstdev(pooled)
    scale = {j: [float(row[j]) for row in sheet.values()] for j in "abc"}

    def mapped(j, m):
        sd = statistics.pstdev(scale[j])
        return big_mean + ((float(m) - statistics.fmean(scale[j])) / sd if sd else 0) * big_sd

    want = {
        p: sum(float(weights[j]) * mapped(j, row[j]) for j in row) / sum(float(weights[j]) for j in row)
        for p, row in sheet.items()
    }
    got = tabulation.tabulate(Rule.NORMALISED, sheet, weights, Settings()).totals
    assert got.keys() == want.keys()
    for p in want:
        assert float(got[p]) == pytest.approx(want[p], abs=1e-9)


def test_only_the_field_rules_come_through_tabulate():
    with pytest.raises(ValueError):
        tabulation.tabulate(Rule.MEAN, {}, {}, Settings())


def test_skating_from_scores_places_each_judges_order_and_several_criteria_are_dances():
    # Scores, higher better: each judge's order is the places; with two dances rules 9-11 apply.
    sheet = marks(
        {"x": {"a": 9, "b": 8, "c": 7}, "y": {"a": 8, "b": 9, "c": 9}, "z": {"a": 1, "b": 2, "c": 3}}
    )
    one = tabulation.tabulate(Rule.SKATING, sheet, {}, Settings())
    assert one.places == {"y": 1, "x": 2, "z": 3}
    dances = {p: {j: {"Waltz": v, "Tango": -v} for j, v in row.items()} for p, row in sheet.items()}
    two = tabulation.tabulate(Rule.SKATING, sheet, {}, Settings(), dances)
    assert two.totals == {"x": 4, "y": 4, "z": 4}  # Waltz 2, 1, 3 and Tango 2, 3, 1
    assert [t.title for t in two.tables][:3] == ["Waltz", "Tango", "Summary (rules 9-11)"]


# ---- the settings --------------------------------------------------------------------------------


def test_rank_points_and_the_normalised_minimum_are_checked_and_stored():
    table = parse_rank_points("100, 75 65")
    assert table == (D(100), D(75), D(65))
    s = Settings(rule=Rule.RANK_POINTS, rank_points=table, normalise_min=4)
    validate_settings(s)
    assert settings_from_json(settings_to_json(s)) == s
    for bad in (Settings(rank_points=(D(5), D(10))), Settings(rank_points=()), Settings(normalise_min=1)):
        with pytest.raises(InvalidInput):
            validate_settings(bad)
    with pytest.raises(InvalidInput, match="separated by commas"):
        parse_rank_points("100, lots")


# ---- categories ----------------------------------------------------------------------------------


def test_under_a_field_rule_each_category_is_placed_on_its_own_marks():
    # Category X alone, Borda of 3: judge a places p0 and p2 1st (2 each), p1 3rd; b p1, p0, p2; c p1 and
    # p2 1st, p0 3rd. p1 4, p2 4, p0 3; the tie-break (higher median: 8 against 7) puts p1 first. Ranked
    # among all five performers, p2 would be ahead of p1.
    rows = {
        "p0": {"a@x": 7, "b@x": 7, "c@x": 1},
        "p1": {"a@x": 5, "b@x": 9, "c@x": 8},
        "p2": {"a@x": 7, "b@x": 5, "c@x": 8},
        "p3": {"a@x": 6, "b@x": 4, "c@x": 9},
        "p4": {"a@x": 3, "b@x": 5, "c@x": 3},
    }
    snap = make_snapshot(rows, settings=Settings(rule=Rule.BORDA))
    snap = replace(
        snap, performers=[replace(p, category="X" if p.order <= 3 else "Y") for p in snap.performers]
    )
    overall = [r.performer_id for r in snap.results if r.performer_id in ("p0", "p1", "p2")]
    assert overall == ["p2", "p1", "p0"]
    assert [(r.performer_id, r.rank, r.total) for r in snap.by_category["X"]] == [
        ("p1", 1, 4),
        ("p2", 2, 4),
        ("p0", 3, 3),
    ]
    _, tables = calculation.tables(snap)
    assert [t.title for t in tables] == ["X: Borda points", "Y: Borda points"]
    assert [row[0] for row in tables[0].rows] == ["P1", "P2", "P0"]  # by name
