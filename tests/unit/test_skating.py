"""The skating system (engine/domain/skating.py) against worked examples and against an independent
implementation (tests/unit/skating_reference.py) on random sheets.

The worked examples are those of the skating system's rules in the German federation's rule book, TSO
Anhang 2 "Majoritätssystem" (Ralf Pickelmann's translation of Arthur Dawson's "The Skating System",
http://tso.turnierprotokoll.de/tso_anh2.htm), as transcribed with their published places in the tests of
BallroomSkatingSystem.jl (https://github.com/sdobber/BallroomSkatingSystem.jl, test/runtests.jl, whose
documentation cites that appendix). Each one is also worked by hand in its test's comment.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.domain.model import InvalidInput
from engine.domain.skating import skate_dance, skate_dances
from tests.unit import skating_reference as ref

JUDGES = "ABCDEFGHI"


def sheet(couples, *judge_columns) -> dict[str, dict[str, int]]:
    """couple -> judge -> place, from one column of places per judge (as the examples print them)."""
    return {str(c): {JUDGES[k]: col[i] for k, col in enumerate(judge_columns)} for i, c in enumerate(couples)}


def places(result) -> dict[str, D]:
    return {c: p for c, p in result.places.items()}


def as_list(result, couples) -> list:
    return [float(result.places[str(c)]) for c in couples]


# ---- rules 5-8: one dance ----------------------------------------------------------------------


def test_rule_6_the_larger_majority_and_rule_7_the_lower_sum():
    # 11 has three 1sts: 1st. For 2nd ("1-2"), 12 (2,1,1) and 13 (2,2,2) both have 3 of 5: equal
    # majorities, so the sums decide, 4 against 6: 12 2nd, 13 3rd; 14 and 15 as plainly.
    result = skate_dance(
        sheet(
            [11, 12, 13, 14, 15],
            [1, 2, 3, 4, 5],
            [1, 3, 2, 4, 5],
            [1, 3, 2, 5, 4],
            [5, 1, 2, 3, 4],
            [2, 1, 5, 3, 4],
        )
    )
    assert as_list(result, [11, 12, 13, 14, 15]) == [1, 2, 3, 4, 5]
    assert result.tables[0].rows[1][:9] == ("12", "2", "3", "3", "1", "1", "2", "3 (4)", "-")


def test_rule_8_no_majority_of_firsts_so_second_places_count():
    # Nobody has three 1sts; in "1-2" 12 has all five judges, 11 four: 12 wins, 11 is 2nd (rule 6).
    result = skate_dance(sheet([11, 12, 13], [1, 2, 3], [1, 2, 3], [2, 1, 3], [2, 1, 3], [3, 2, 1]))
    assert as_list(result, [11, 12, 13]) == [2, 1, 3]


def test_a_majority_of_firsts_wins_outright():
    result = skate_dance(sheet([11, 12, 13], [1, 2, 3], [1, 2, 3], [2, 1, 3], [1, 3, 2], [2, 1, 3]))
    assert as_list(result, [11, 12, 13]) == [1, 2, 3]


def test_equal_in_every_column_the_couples_share_the_places():
    # 12 is 1st at "1-2" (five marks). For 2nd, 11 (1,1,3,3,4) and 13 (3,3,4,1,1) have 4 marks summing
    # 8 in "1-3" and 5 summing 12 in "1-4", the last column: they share 2nd and 3rd, 2.5 each.
    result = skate_dance(
        sheet([11, 12, 13, 14], [1, 2, 3, 4], [1, 2, 3, 4], [3, 2, 4, 1], [3, 2, 1, 4], [4, 2, 1, 3])
    )
    assert as_list(result, [11, 12, 13, 14]) == [2.5, 1, 2.5, 4]
    row = {r[0]: r for r in result.tables[0].rows}
    assert row["11"][-3:] == ("4 (8)", "5 (12)", "2.5")


def test_rule_7_the_next_column_decides_between_the_tied_couples_only():
    # For 2nd, 12 (2,4,5,1,2) and 13 (5,2,2,5,1) have 3 marks summing 5 in "1-2" and again in "1-3";
    # in "1-4" 12 has 4, 13 still 3: 12 is 2nd. 14's five 3rds do not enter that comparison.
    result = skate_dance(
        sheet(
            [11, 12, 13, 14, 15],
            [1, 2, 5, 3, 4],
            [1, 4, 2, 3, 5],
            [1, 5, 2, 3, 4],
            [2, 1, 5, 3, 4],
            [5, 2, 1, 3, 4],
        )
    )
    assert as_list(result, [11, 12, 13, 14, 15]) == [1, 2, 3, 4, 5]


def test_a_larger_majority_beats_a_lower_sum_with_seven_judges():
    # Worked by hand: majority 4 of 7. "1": nobody. "1-2": A (1,1,1,2) 4 marks sum 5, B (2,2,2,1) 4 marks
    # sum 7: A 1st by the sum; B 2nd. "1-3" for 3rd: C has 1,3,3,1,2,1 = 6 marks: 3rd; D 4th.
    rows = {
        "A": [1, 1, 1, 2, 3, 4, 4],
        "B": [2, 2, 2, 1, 4, 3, 3],
        "C": [3, 4, 3, 3, 1, 2, 1],
        "D": [4, 3, 4, 4, 2, 1, 2],
    }
    result = skate_dance({c: {JUDGES[k]: m for k, m in enumerate(ms)} for c, ms in rows.items()})
    assert places(result) == {"A": 1, "B": 2, "C": 3, "D": 4}


def test_a_judge_without_a_mark_counts_in_no_column():
    result = skate_dance({"x": {"A": 1, "B": 1}, "y": {"A": 2, "B": 2, "C": 1}})
    assert places(result) == {"x": 1, "y": 2}  # x: 2 of 3 firsts; y: 1


def test_a_place_must_be_a_whole_number_from_one():
    with pytest.raises(InvalidInput, match="whole number"):
        skate_dance({"x": {"A": 0}})


# ---- rules 9-11: several dances -----------------------------------------------------------------

WTVSQ = ("W", "T", "V", "S", "Q")


def summary(couples, **dance_places):
    """Rules 9-11 from the dances' places alone: one judge per dance gives them as printed."""
    return skate_dances(
        {d: {str(c): {"A": ps[i]} for i, c in enumerate(couples)} for d, ps in dance_places.items()}
    )


def test_rule_9_the_lowest_total_of_places():
    result = summary(
        [16, 26, 36, 46, 56, 66],
        W=[1, 3, 2, 4, 5, 6],
        T=[2, 1, 3, 4, 5, 6],
        V=[1, 2, 3, 4, 5, 6],
        S=[2, 1, 3, 4, 5, 6],
        Q=[2, 4, 3, 1, 6, 5],
    )
    assert as_list(result, [16, 26, 36, 46, 56, 66]) == [1, 2, 3, 4, 5, 6]
    assert result.totals["16"] == 8 and result.totals["66"] == 29


def test_rule_10_more_dances_at_the_place_then_on_to_the_next_place():
    # 30, 40, 50 and 60 all total 17 for 2nd. 2nd or better: 30 in three dances: 2nd. For 3rd: 40 (1,1,3)
    # and 60 (3,3,2) three dances each, sums 5 and 8: 40 3rd. For 4th: 50 has five dances at 4th or
    # better, 60 four: 50 4th, 60 5th, though 60 beat 50 when 3rd was under review.
    result = summary(
        [20, 30, 40, 50, 60, 70],
        W=[2, 1, 6, 4, 5, 3],
        T=[1, 2, 6, 4, 3, 5],
        V=[5, 2, 1, 4, 3, 6],
        S=[3, 6, 1, 4, 2, 5],
        Q=[2, 6, 3, 1, 4, 5],
    )
    assert as_list(result, [20, 30, 40, 50, 60, 70]) == [1, 2, 3, 4, 5, 6]
    notes = {r[0]: r[-2] for r in result.tables[-1].rows}
    assert notes["50"] == "2nd: 1 (1); 3rd: 1 (1); 4th: 5 (17)"


def test_rule_10_equal_counts_the_lower_sum():
    # 29 and 39 total 11: both 2nd or better in three dances, sums 4 and 5; 49 and 59 total 23, 4th or
    # better in two dances, sums 7 and 8.
    result = summary(
        [19, 29, 39, 49, 59, 69],
        W=[1, 3, 2, 6, 5, 4],
        T=[1, 4, 2, 3, 5, 6],
        V=[2, 1, 3, 4, 5, 6],
        S=[3, 2, 1, 5, 4, 6],
        Q=[2, 1, 3, 5, 4, 6],
    )
    assert as_list(result, [19, 29, 39, 49, 59, 69]) == [1, 2, 3, 4, 5, 6]


def test_rule_10_in_four_dances():
    # 17 and 27 total 9: 1st in two dances against one; 37 and 47 total 15: 3rd or better in one
    # against two; 57 and 67 total 18: 5th or better in two against three.
    result = summary(
        [17, 27, 37, 47, 57, 67],
        W=[1, 3, 2, 4, 6, 5],
        T=[1, 3, 5, 2, 6, 4],
        S=[2, 1, 4, 3, 5, 6],
        Q=[5, 2, 4, 6, 1, 3],
    )
    assert as_list(result, [17, 27, 37, 47, 57, 67]) == [1, 2, 4, 3, 6, 5]


def test_rule_11_all_marks_of_all_dances_as_one_dance():
    # The five dances of the transcription's rule 11 example (5 judges). 25 and 35 total 7.5 each (they
    # share the Viennese Waltz, 1.5). Rule 10 for 1st: each won two dances (sum 2). Rule 11, 25 marks,
    # majority 13: "1": 7 firsts each; "1-2": 25 has 3+3+4+3+3 = 16, 35 3+3+4+4+3 = 17: 35 1st.
    w = sheet(
        range(25, 85, 10),
        [1, 2, 4, 3, 6, 5],
        [1, 2, 5, 3, 6, 4],
        [2, 5, 3, 6, 1, 4],
        [5, 2, 1, 3, 4, 6],
        [3, 5, 1, 6, 4, 2],
    )
    t = sheet(
        range(25, 85, 10),
        [1, 5, 3, 4, 2, 6],
        [2, 3, 1, 4, 5, 6],
        [2, 1, 3, 4, 5, 6],
        [3, 2, 1, 4, 5, 6],
        [4, 2, 3, 1, 5, 6],
    )
    v = sheet(
        range(25, 85, 10),
        [1, 3, 5, 2, 4, 6],
        [1, 2, 3, 6, 4, 5],
        [2, 1, 3, 6, 5, 4],
        [2, 1, 6, 3, 5, 4],
        [3, 2, 1, 4, 6, 5],
    )
    s = sheet(
        range(25, 85, 10),
        [2, 1, 5, 3, 6, 4],
        [2, 1, 6, 3, 4, 5],
        [5, 2, 3, 1, 6, 4],
        [1, 5, 2, 3, 6, 4],
        [5, 2, 3, 6, 4, 1],
    )
    q = sheet(
        range(25, 85, 10),
        [2, 1, 3, 5, 4, 6],
        [6, 5, 2, 1, 4, 3],
        [2, 1, 4, 5, 6, 3],
        [6, 5, 2, 1, 3, 4],
        [1, 2, 4, 3, 6, 5],
    )
    result = skate_dances(dict(zip(WTVSQ, (w, t, v, s, q), strict=True)))
    assert as_list(result, [25, 35, 45, 55, 65, 75]) == [2, 1, 3, 4, 6, 5]
    assert result.totals["25"] == result.totals["35"] == D("7.5")
    rule11 = result.tables[-1]
    assert rule11.title.startswith("Rule 11 for 1st place") and "25 marks" in rule11.title
    assert [r[:3] for r in rule11.rows] == [("35", "7", "17"), ("25", "7", "16")]


def test_every_dance_needs_the_same_performers():
    with pytest.raises(InvalidInput, match="every dance"):
        skate_dances({"W": {"a": {"A": 1}, "b": {"A": 2}}, "T": {"a": {"A": 1}}})


# ---- against the independent implementation -----------------------------------------------------


@st.composite
def dance_sheets(draw, couples: int | None = None, judges: int | None = None):
    n = couples or draw(st.integers(min_value=1, max_value=7))
    k = judges or draw(st.integers(min_value=1, max_value=7))
    names = [f"c{i}" for i in range(n)]
    columns = [draw(st.permutations(range(1, n + 1))) for _ in range(k)]
    return {c: {JUDGES[j]: columns[j][i] for j in range(k)} for i, c in enumerate(names)}


@settings(max_examples=200, deadline=None)
@given(dance_sheets())
def test_one_dance_matches_the_reference(s):
    assert places(skate_dance(s)) == ref.one_dance(s)


@st.composite
def several(draw):
    n = draw(st.integers(min_value=2, max_value=6))
    k = draw(st.integers(min_value=1, max_value=5))
    d = draw(st.integers(min_value=2, max_value=5))
    # Few couples and judges so that totals tie and rules 10 and 11 have work to do.
    return {WTVSQ[i]: draw(dance_sheets(n, k)) for i in range(d)}


@settings(max_examples=150, deadline=None)
@given(several())
def test_several_dances_match_the_reference(dances):
    assert places(skate_dances(dances)) == ref.several_dances(dances)


@settings(max_examples=50, deadline=None)
@given(several())
def test_places_are_a_permutation_with_shared_places_averaged(dances):
    got = sorted(skate_dances(dances).places.values())
    n = len(got)
    assert sum(got) == D(n * (n + 1)) / 2 and got[0] >= 1 and got[-1] <= n
