"""Scoring: validation, aggregation rules, ranking and tie-breaks, judge analytics."""

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.analytics import agreement
from engine.domain import ranking, scoring
from engine.domain.model import Criterion, InvalidInput, MissingPolicy, Rule, Settings, TieBreak

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


# ---- rank_performers ---------------------------------------------------------------------------


def rank(rows, performers=None, settings=None, panel=PANEL, weights=None, excluded=()):
    scores = table(rows)
    return ranking.rank_performers(
        performers or list(rows), scores, panel, weights or {}, settings or Settings(), excluded
    )


def test_competition_ranking_gives_one_two_two_four():
    rows = {"p1": {"a": 9}, "p2": {"a": 8}, "p3": {"a": 8}, "p4": {"a": 7}}
    results = rank(rows, settings=Settings(rule=Rule.MEAN, tie_breaks=()))
    assert [(r.performer_id, r.rank) for r in results] == [("p1", 1), ("p2", 2), ("p3", 2), ("p4", 4)]


def test_performer_below_min_scores_is_incomplete_and_unranked():
    rows = {"p1": {"a": 5}, "p2": {"a": 9, "b": 9}, "p3": {"a": 6, "b": 6}}
    results = rank(rows, settings=Settings(min_scores=2))
    assert [r.performer_id for r in results] == ["p2", "p3", "p1"]
    p1 = results[-1]
    assert (p1.scores_in, p1.complete, p1.rank, p1.total) == (1, False, None, None)
    assert results[0].complete and results[0].total == D("9")


def test_performer_without_scores_is_unranked_even_with_min_scores_zero():
    results = rank({"p1": {"a": 5}}, performers=["p0", "p1"], settings=Settings(min_scores=0))
    p0 = next(r for r in results if r.performer_id == "p0")
    assert (p0.scores_in, p0.complete, p0.rank, p0.total, p0.median) == (0, False, None, None, None)


def test_excluded_performers_are_listed_without_a_rank():
    rows = {"p1": {"a": 9}, "p2": {"a": 8}, "p3": {"a": 7}}
    results = rank(rows, excluded=["p1"])
    assert [(r.performer_id, r.rank) for r in results] == [("p2", 1), ("p3", 2), ("p1", None)]


def test_unranked_performers_follow_in_the_given_order():
    rows = {"p1": {}, "p2": {"a": 1}, "p3": {}, "p4": {"a": 2}}
    results = rank(rows, performers=["p3", "p2", "p1", "p4"])
    assert [r.performer_id for r in results] == ["p4", "p2", "p3", "p1"]


def test_results_carry_median_best_worst_and_mean():
    (r,) = rank({"p1": {"a": 9, "b": 5, "c": 4}}, weights=ORIGINAL_WEIGHTS)
    assert (r.total, r.median, r.best, r.worst, r.mean) == (D("6.75"), D("5"), D("9"), D("4"), D("6"))
    assert (r.scores_in, r.complete, r.rank) == (3, True, 1)


# p1: 9, 5, 4 -> mean 6, median 5, best 9, worst 4;  p2: 7, 6, 5 -> mean 6, median 6, best 7, worst 5
TIED_ON_MEAN = {"p1": {"a": 9, "b": 5, "c": 4}, "p2": {"a": 7, "b": 6, "c": 5}}


@pytest.mark.parametrize(
    "tie_breaks, winner",
    [
        ((TieBreak.MEDIAN, TieBreak.BEST), "p2"),
        ((TieBreak.BEST, TieBreak.MEDIAN), "p1"),
        ((TieBreak.WORST,), "p2"),
        ((TieBreak.MEAN, TieBreak.BEST), "p1"),  # means are equal, so BEST decides
    ],
)
def test_tie_breaks_apply_in_the_configured_order(tie_breaks, winner):
    results = rank(TIED_ON_MEAN, settings=Settings(rule=Rule.MEAN, tie_breaks=tie_breaks))
    assert ranks(results)[winner] == 1
    assert sorted(ranks(results).values()) == [1, 2]


def test_mean_tie_break_separates_equal_medians():
    rows = {"p1": {"a": 6, "b": 6, "c": 3}, "p2": {"a": 6, "b": 6, "c": 9}}
    results = rank(rows, settings=Settings(rule=Rule.MEDIAN, tie_breaks=(TieBreak.MEAN,)))
    assert ranks(results) == {"p2": 1, "p1": 2}


def test_performers_still_tied_after_every_tie_break_share_a_rank():
    rows = {"p1": {"a": 7, "b": 5}, "p2": {"a": 5, "b": 7}, "p3": {"a": 1, "b": 1}}
    settings = Settings(rule=Rule.MEAN, tie_breaks=tuple(TieBreak))
    assert ranks(rank(rows, settings=settings)) == {"p1": 1, "p2": 1, "p3": 3}


def test_no_tie_breaks_means_equal_totals_share_a_rank():
    results = rank(TIED_ON_MEAN, settings=Settings(rule=Rule.MEAN, tie_breaks=()))
    assert ranks(results) == {"p1": 1, "p2": 1}


# ---- judge analytics ---------------------------------------------------------------------------


def test_judge_deviation_is_the_mean_gap_to_the_other_judges():
    scores = table({"p1": {"a": 8, "b": 6, "c": 4}, "p2": {"a": 5, "b": 5}, "p3": {"a": 9}})
    assert scoring.judge_deviation(scores, ["a", "b", "c", "d"]) == {
        "a": D("1.5"),  # p1: 8 - 5 = 3, p2: 0; p3 has nobody else
        "b": D("0"),  # p1: 6 - 6, p2: 5 - 5
        "c": D("-3"),  # p1: 4 - 7
        "d": None,
    }


def ranked_scores(*judges: list[int]) -> dict[str, dict[str, D]]:
    """One list of scores per judge, one score per performer."""
    return {f"p{i}": {f"j{k}": D(js[i]) for k, js in enumerate(judges)} for i in range(len(judges[0]))}


def test_kendalls_w_is_one_when_every_judge_ranks_alike():
    scores = ranked_scores([9, 7, 5, 1], [10, 8, 3, 2], [6, 5, 4, 3])
    assert agreement.kendalls_w(scores, ["j0", "j1", "j2"]) == pytest.approx(1.0)


def test_kendalls_w_matches_the_textbook_example():
    # ProofWiki "Kendall's Coefficient of Concordance/Examples/Arbitrary Example 1":
    # judges A-D rank X, Y, Z as (1,3,2) (1,2,3) (2,3,1) (3,1,2); W = 1/16. Scores = 4 - rank.
    scores = ranked_scores([3, 1, 2], [3, 2, 1], [2, 1, 3], [1, 3, 2])
    assert agreement.kendalls_w(scores, ["j0", "j1", "j2", "j3"]) == pytest.approx(1 / 16)


def test_kendalls_w_by_hand_without_ties():
    # rank sums 4, 6, 8, 12 (mean 7.5): S = 35, W = 12*35 / (3^2 * (4^3 - 4)) = 7/9
    scores = ranked_scores([4, 3, 2, 1], [3, 4, 2, 1], [4, 2, 3, 1])
    assert agreement.kendalls_w(scores, ["j0", "j1", "j2"]) == pytest.approx(7 / 9)


def test_kendalls_w_applies_the_tie_correction():
    # j0 ties two performers: ranks 1.5, 1.5, 3; j1: 1, 2, 3. S = 6.5, T = 2^3 - 2 = 6,
    # W = 12*6.5 / (2^2 * (3^3 - 3) - 2*6) = 78/84 = 13/14
    scores = ranked_scores([5, 5, 9], [1, 2, 3])
    assert agreement.kendalls_w(scores, ["j0", "j1"]) == pytest.approx(13 / 14)


def test_kendalls_w_is_zero_for_opposite_rankings_of_two_judges():
    scores = ranked_scores([1, 2, 3], [3, 2, 1])
    assert agreement.kendalls_w(scores, ["j0", "j1"]) == pytest.approx(0.0)


def test_kendalls_w_uses_only_performers_scored_by_every_judge():
    scores = ranked_scores([1, 2, 3], [1, 2, 3])
    scores["p9"] = {"j0": D(9)}
    scores["p8"] = {"j1": D(0)}
    assert agreement.kendalls_w(scores, ["j0", "j1"]) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "scores, panel",
    [
        (ranked_scores([1, 2, 3]), ["j0"]),  # one judge
        (ranked_scores([1], [2]), ["j0", "j1"]),  # one performer
        (ranked_scores([5, 5, 5], [7, 7, 7]), ["j0", "j1"]),  # every score tied: undefined
        ({"p0": {"j0": D(1)}, "p1": {"j1": D(2)}}, ["j0", "j1"]),  # no performer scored by both
    ],
)
def test_kendalls_w_is_none_when_undefined(scores, panel):
    assert agreement.kendalls_w(scores, panel) is None


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


JUDGES = ["a", "b", "c", "d", "e"]


@st.composite
def events(draw):
    performers = [f"p{i}" for i in range(draw(st.integers(min_value=0, max_value=7)))]
    panel = draw(st.lists(st.sampled_from(JUDGES), min_size=1, max_size=5, unique=True))
    # scores from a small set so that ties (and tie-breaks) actually happen
    small = st.sampled_from([D("0"), D("4.5"), D("6"), D("6.5"), D("8"), D("10")])
    scores = {p: draw(st.dictionaries(st.sampled_from(JUDGES), small, max_size=5)) for p in performers}
    weights = draw(
        st.dictionaries(st.sampled_from(JUDGES), st.sampled_from([D(0), D("0.25"), D("0.5"), D(1)]))
    )
    settings = Settings(
        rule=draw(st.sampled_from(list(Rule))),
        missing=draw(st.sampled_from(list(MissingPolicy))),
        min_scores=draw(st.integers(min_value=0, max_value=3)),
        trim_min=draw(st.integers(min_value=2, max_value=5)),
        tie_breaks=tuple(draw(st.lists(st.sampled_from(list(TieBreak)), max_size=4))),
    )
    excluded = draw(st.lists(st.sampled_from(performers), max_size=2)) if performers else []
    return performers, scores, panel, weights, settings, excluded


@given(events(), st.randoms(use_true_random=False))
def test_ranking_does_not_depend_on_the_order_of_judges_or_dicts(event, rnd):
    performers, scores, panel, weights, settings, excluded = event
    expected = ranking.rank_performers(performers, scores, panel, weights, settings, excluded)

    def shuffled(items):
        items = list(items)
        rnd.shuffle(items)
        return items

    scores2 = {p: dict(shuffled(js.items())) for p, js in shuffled(scores.items())}
    weights2 = dict(shuffled(weights.items()))
    actual = ranking.rank_performers(performers, scores2, shuffled(panel), weights2, settings, excluded)
    assert actual == expected


def sort_key(result, tie_breaks):
    stat = {
        TieBreak.MEDIAN: result.median,
        TieBreak.BEST: result.best,
        TieBreak.WORST: result.worst,
        TieBreak.MEAN: result.mean,
    }
    return (result.total, *(stat[t] for t in tie_breaks))


@given(events())
def test_competition_rank_is_one_plus_the_number_strictly_better(event):
    performers, scores, panel, weights, settings, excluded = event
    results = ranking.rank_performers(performers, scores, panel, weights, settings, excluded)
    assert sorted(r.performer_id for r in results) == sorted(performers)
    ranked = [r for r in results if r.rank is not None]
    for r in ranked:
        better = [o for o in ranked if sort_key(o, settings.tie_breaks) > sort_key(r, settings.tie_breaks)]
        assert r.rank == 1 + len(better)
        assert r.complete and r.performer_id not in excluded
    # ranked first, by rank; the rest keep the given order
    assert [r.rank for r in ranked] == sorted(r.rank for r in ranked)
    assert results[: len(ranked)] == ranked
    rest = [r.performer_id for r in results[len(ranked) :]]
    assert rest == [p for p in performers if p in rest]
    for r in results[len(ranked) :]:
        assert r.performer_id in excluded or not r.complete


@given(st.lists(st.lists(tenths, min_size=4, max_size=4), min_size=2, max_size=5))
def test_kendalls_w_lies_between_zero_and_one(judges):
    w = agreement.kendalls_w(ranked_scores(*judges), [f"j{k}" for k in range(len(judges))])
    assert w is None or 0.0 <= w <= 1.0
