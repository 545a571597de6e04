"""Scores: validation of a judge's values, a judge's total over criteria, the aggregation rules with worked
numbers, a judge's deviation from the others, display rounding (engine/domain/scoring.py)."""

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.domain import scoring
from engine.domain.model import Criterion, InvalidInput, MissingPolicy, Rule

SCORE = Criterion()  # "Score", 0..10 step 0.1
ORIGINAL_WEIGHTS = {"a": D("0.5"), "b": D("0.25"), "c": D("0.25")}
PANEL = ["a", "b", "c"]


def agg(scores, rule, missing=MissingPolicy.OMIT, panel=PANEL, weights=None, trim_min=4):
    scores = {j: D(str(v)) for j, v in scores.items()}
    return scoring.aggregate(scores, panel, weights or {}, rule, missing, trim_min)


def table(rows: dict[str, dict[str, str | int]]) -> dict[str, dict[str, D]]:
    return {p: {j: D(str(v)) for j, v in js.items()} for p, js in rows.items()}


def ranks(results) -> dict[str, int | None]:
    return {r.performer_id: r.rank for r in results}


# ---- validate_value --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        float("nan"),
        "nan",
        D("NaN"),
        D("sNaN"),
        float("inf"),
        "inf",
        float("-inf"),
        "-Infinity",
        1e309,
        "1e309",
        -1,
        "-1",
        11,
        "11",
        "10.1",
        "abc",
        "",
        "   ",
        "10.05",
        "7.55",
        "7,5",
        "1_0",
        "７",
        "x" * 10_000,
        "7" + " " * 40,
        None,
        True,
        False,
        [7],
        b"7",
    ],
    ids=lambda raw: repr(raw)[:24],
)
def test_validate_value_rejects_bad_input_with_one_sentence_naming_the_range(raw):
    with pytest.raises(InvalidInput) as err:
        scoring.validate_value(raw, SCORE)
    assert str(err.value) == "Score must be a number from 0 to 10 in steps of 0.1."


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("7.5", "7.5"),
        ("7.50", "7.5"),
        (" 7.5 ", "7.5"),
        (7.3, "7.3"),
        (0.1, "0.1"),
        ("0", "0"),
        ("-0", "0"),
        (0, "0"),
        ("10", "10"),
        ("10.0", "10"),
        ("1e1", "10"),
        (10, "10"),
        (D("9.9"), "9.9"),
        (".5", "0.5"),
        ("+3", "3"),
    ],
)
def test_validate_value_accepts_grid_values_and_returns_the_exact_normalised_decimal(raw, expected):
    value = scoring.validate_value(raw, SCORE)
    assert isinstance(value, D)
    assert str(value) == expected


def test_validate_value_measures_the_step_grid_from_the_minimum():
    odd = Criterion(name="Style", min=D("0.5"), max=D("5"), step=D("1"))
    assert scoring.validate_value("1.5", odd) == D("1.5")
    assert scoring.validate_value("4.5", odd) == D("4.5")
    with pytest.raises(InvalidInput, match=r"^Style must be a number from 0.5 to 5 in steps of 1\.$"):
        scoring.validate_value("2", odd)
    with pytest.raises(InvalidInput):
        scoring.validate_value("5", odd)  # in range but off the grid


def test_validate_value_refuses_values_just_off_the_grid_that_rounding_would_hide():
    offset = Criterion(name="Score", min=D("-5"), max=D("5"), step=D("0.1"))
    with pytest.raises(InvalidInput):
        scoring.validate_value("1.0000000000000000000000000001", offset)
    with pytest.raises(InvalidInput):
        scoring.validate_value("1e-30000", offset)


@given(st.integers(min_value=0, max_value=100))
def test_every_grid_point_is_accepted_as_itself(tenths):
    value = D(tenths) / 10
    assert scoring.validate_value(str(value), SCORE) == value


# ---- validate_values / judge_total ----------------------------------------------------------

CRITERIA = (
    Criterion(name="Technique", weight=D("2")),
    Criterion(name="Style", weight=D("1")),
)


def test_validate_values_returns_every_criterion_in_order():
    assert scoring.validate_values({"Style": "6", "Technique": 8.5}, CRITERIA) == {
        "Technique": D("8.5"),
        "Style": D("6"),
    }


def test_validate_values_names_the_missing_criterion():
    with pytest.raises(
        InvalidInput, match=r"^Enter a score for Style \(a number from 0 to 10 in steps of 0\.1\)\.$"
    ):
        scoring.validate_values({"Technique": "8"}, CRITERIA)


def test_validate_values_refuses_unknown_criteria():
    with pytest.raises(InvalidInput, match=r"^Unknown criterion: Charm\.$"):
        scoring.validate_values({"Technique": "8", "Style": "6", "Charm": "9"}, CRITERIA)


def test_validate_values_reports_the_bad_value_of_a_named_criterion():
    with pytest.raises(InvalidInput, match=r"^Technique must be a number"):
        scoring.validate_values({"Technique": "abc", "Style": "6"}, CRITERIA)


def test_validate_values_refuses_something_that_is_not_a_mapping():
    with pytest.raises(InvalidInput):
        scoring.validate_values(["8", "6"], CRITERIA)  # type: ignore[arg-type]


def test_judge_total_of_one_criterion_is_the_value_itself():
    assert scoring.judge_total({"Score": D("7.3")}, (SCORE,)) == D("7.3")


def test_judge_total_is_the_criteria_weighted_mean():
    total = scoring.judge_total({"Technique": D("8.5"), "Style": D("5.5")}, CRITERIA)
    assert total == D("7.5")  # (17 + 5.5) / 3


def test_judge_total_with_all_zero_criterion_weights_is_the_plain_mean():
    zero = (Criterion(name="A", weight=D(0)), Criterion(name="B", weight=D(0)))
    assert scoring.judge_total({"A": D("8"), "B": D("5")}, zero) == D("6.5")


# ---- aggregate: each rule with worked numbers ------------------------------------------------


def test_weighted_mean_with_the_original_half_quarter_quarter_weights():
    assert agg({"a": 8, "b": 6, "c": 4}, Rule.WEIGHTED_MEAN, weights=ORIGINAL_WEIGHTS) == D("6.5")


def test_weighted_mean_renormalises_over_the_judges_who_scored():
    # a missing: (0.25*6 + 0.25*4) / 0.5 = 5
    assert agg({"b": 6, "c": 4}, Rule.WEIGHTED_MEAN, weights=ORIGINAL_WEIGHTS) == D("5")


def test_zero_policy_counts_a_missing_judge_as_zero_with_their_weight():
    # the original behaviour: 0.5*0 + 0.25*6 + 0.25*4 = 2.5
    total = agg({"b": 6, "c": 4}, Rule.WEIGHTED_MEAN, MissingPolicy.ZERO, weights=ORIGINAL_WEIGHTS)
    assert total == D("2.5")
    assert agg({"b": 6, "c": 3}, Rule.MEAN, MissingPolicy.ZERO) == D("3")


def test_weighted_mean_defaults_absent_weights_to_one():
    assert agg({"a": 8, "b": 6, "c": 4}, Rule.WEIGHTED_MEAN, weights={"a": D("2")}) == D("6.5")


def test_weighted_mean_with_all_weights_zero_falls_back_to_the_plain_mean():
    zero = {"a": D(0), "b": D(0), "c": D(0)}
    assert agg({"a": 8, "b": 6, "c": 1}, Rule.WEIGHTED_MEAN, weights=zero) == D("5")


def test_mean_is_the_plain_mean_of_the_judges_who_scored():
    assert agg({"a": 8, "b": 6, "c": 4}, Rule.MEAN, weights=ORIGINAL_WEIGHTS) == D("6")
    assert agg({"a": 8, "b": 6}, Rule.MEAN) == D("7")


def test_trimmed_mean_drops_highest_and_lowest():
    panel = ["a", "b", "c", "d", "e"]
    assert agg({"a": 9, "b": 8, "c": 6, "d": 4, "e": 1}, Rule.TRIMMED_MEAN, panel=panel) == D("6")


def test_trimmed_mean_drops_only_one_of_each_when_extremes_are_tied():
    panel = ["a", "b", "c", "d", "e"]
    assert agg({"a": 9, "b": 9, "c": 5, "d": 1, "e": 1}, Rule.TRIMMED_MEAN, panel=panel) == D("5")


def test_trimmed_mean_below_trim_min_is_the_plain_mean():
    assert agg({"a": 9, "b": 6, "c": 0}, Rule.TRIMMED_MEAN, trim_min=4) == D("5")
    assert agg({"a": 9, "b": 6, "c": 0}, Rule.TRIMMED_MEAN, trim_min=3) == D("6")


def test_trimmed_mean_never_trims_two_scores_away():
    assert agg({"a": 9, "b": 6}, Rule.TRIMMED_MEAN, trim_min=2) == D("7.5")


def test_median_of_an_odd_count_is_the_middle_score():
    assert agg({"a": 8, "b": 6, "c": 1}, Rule.MEDIAN) == D("6")


def test_median_of_an_even_count_is_the_mean_of_the_two_middle_scores():
    panel = ["a", "b", "c", "d"]
    assert agg({"a": 8, "b": 7, "c": 4, "d": 1}, Rule.MEDIAN, panel=panel) == D("5.5")


def test_sum_adds_the_scores():
    assert agg({"a": 8, "b": 6, "c": 4}, Rule.SUM) == D("18")


def test_sums_of_tenths_are_exact():
    assert agg({"a": "0.1", "b": "0.2"}, Rule.SUM) == D("0.3")
    assert agg({"a": "0.1", "b": "0.2"}, Rule.MEAN) == D("0.15")
    weights = {"a": D("0.1"), "b": D("0.2")}
    assert agg({"a": "0.1", "b": "0.7"}, Rule.WEIGHTED_MEAN, weights=weights) == D("0.5")


def test_aggregate_is_none_when_nobody_scored():
    for rule in Rule:
        assert agg({}, rule) is None
        assert agg({}, rule, MissingPolicy.ZERO) is None


def test_aggregate_ignores_scores_from_judges_outside_the_panel():
    assert agg({"a": 8, "b": 6, "x": 1}, Rule.MEAN) == D("7")


# ---- judge analytics ---------------------------------------------------------------------------


def test_judge_deviation_is_the_mean_gap_to_the_other_judges():
    scores = table({"p1": {"a": 8, "b": 6, "c": 4}, "p2": {"a": 5, "b": 5}, "p3": {"a": 9}})
    assert scoring.judge_deviation(scores, ["a", "b", "c", "d"]) == {
        "a": D("1.5"),  # p1: 8 - 5 = 3, p2: 0; p3 has nobody else
        "b": D("0"),  # p1: 6 - 6, p2: 5 - 5
        "c": D("-3"),  # p1: 4 - 7
        "d": None,
    }


# ---- display -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, places, shown",
    [
        (None, 2, "—"),
        (D("6.5"), 2, "6.50"),
        (D("6.125"), 2, "6.13"),  # half up, not half even
        (D("6.115"), 2, "6.12"),
        (D(20) / D(3), 2, "6.67"),
        (D("7.5"), 0, "8"),
        (D("1E+1"), 1, "10.0"),
        (D("-0.001"), 2, "0.00"),
    ],
)
def test_display_rounds_half_up_only_for_display(value, places, shown):
    assert scoring.display(value, places) == shown


# ---- properties ----------------------------------------------------------------------------------

tenths = st.integers(min_value=0, max_value=100).map(lambda n: D(n) / 10)
score_lists = st.lists(tenths, min_size=1, max_size=9)


@given(score_lists, st.integers(min_value=0, max_value=9))
def test_trimmed_mean_lies_between_the_lowest_and_highest_score(values, trim_min):
    panel = [f"j{i}" for i in range(len(values))]
    total = scoring.aggregate(
        dict(zip(panel, values, strict=True)), panel, {}, Rule.TRIMMED_MEAN, MissingPolicy.OMIT, trim_min
    )
    assert min(values) <= total <= max(values)


@given(
    st.lists(
        st.tuples(tenths, st.integers(min_value=0, max_value=20).map(lambda n: D(n) / 4)),
        min_size=1,
        max_size=9,
    )
)
def test_weighted_mean_lies_between_the_lowest_and_highest_score(pairs):
    panel = [f"j{i}" for i in range(len(pairs))]
    scores = {j: s for j, (s, _) in zip(panel, pairs, strict=True)}
    weights = {j: w for j, (_, w) in zip(panel, pairs, strict=True)}
    total = scoring.aggregate(scores, panel, weights, Rule.WEIGHTED_MEAN, MissingPolicy.OMIT)
    values = [s for s, _ in pairs]
    assert min(values) <= total <= max(values)
