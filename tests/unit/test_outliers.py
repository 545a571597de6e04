"""The outlier check: a score far from the median of the panel's other scores for that performer."""

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from engine.domain import outliers
from engine.domain.model import Criterion

SCORE = (Criterion(),)  # 0-10
TWO = (Criterion("Technique"), Criterion("Style", D(0), D(100), D(1)))
LABELS = {"j1": "Judge 1", "j2": "Judge 2", "j3": "Judge 3", "j4": "Judge 4"}


def flags(by_judge, criteria=SCORE, distance=D("2.5")):
    return outliers.panel_flags("p1", by_judge, criteria, distance, LABELS)


def test_a_mistyped_one_among_eights_is_flagged_with_the_sentence():
    (flag,) = flags({"j1": {"Score": D("8.2")}, "j2": {"Score": D("1.0")}, "j3": {"Score": D("8.2")}})
    assert flag.judge == "j2" and flag.value == D("1.0") and flag.median == D("8.2")
    assert flag.sentence == "Judge 2 gave 1.0; the panel's median is 8.2"


def test_the_median_is_of_the_other_scores_only():
    # Others of j4: 8, 8.4, 8.2 -> median 8.2; j4's own 4 is 4.2 away.
    by_judge = {"j1": {"Score": D(8)}, "j2": {"Score": D("8.4")}, "j3": {"Score": D("8.2")}}
    by_judge["j4"] = {"Score": D(4)}
    (flag,) = flags(by_judge)
    assert (flag.judge, flag.median) == ("j4", D("8.2"))


def test_off_with_fewer_than_three_scores():
    assert flags({"j1": {"Score": D(9)}, "j2": {"Score": D(1)}}) == []


def test_exactly_the_distance_is_not_flagged_and_just_beyond_is():
    assert flags({"j1": {"Score": D(8)}, "j2": {"Score": D(8)}, "j3": {"Score": D("5.5")}}) == []
    (flag,) = flags({"j1": {"Score": D(8)}, "j2": {"Score": D(8)}, "j3": {"Score": D("5.4")}})
    assert flag.judge == "j3"


def test_the_distance_scales_with_the_criterion_range():
    # On 0-100 the default distance is 25 points: 30 away is flagged, 20 away is not.
    base = {"j1": {"Technique": D(5), "Style": D(80)}, "j2": {"Technique": D(5), "Style": D(80)}}
    far = flags({**base, "j3": {"Technique": D(5), "Style": D(50)}}, TWO)
    near = flags({**base, "j3": {"Technique": D(5), "Style": D(60)}}, TWO)
    assert [(f.judge, f.criterion) for f in far] == [("j3", "Style")] and near == []
    assert far[0].sentence == "Judge 3 gave 50.0 for Style; the panel's median is 80.0"


def test_a_median_between_two_scores_keeps_its_places():
    (flag,) = flags({"j1": {"Score": D("8.2")}, "j2": {"Score": D("8.3")}, "j3": {"Score": D(1)}})
    assert flag.sentence == "Judge 3 gave 1.0; the panel's median is 8.25"


def test_distance_zero_turns_the_check_off():
    assert flags({"j1": {"Score": D(9)}, "j2": {"Score": D(9)}, "j3": {"Score": D(0)}}, distance=D(0)) == []


def test_a_judge_without_a_label_is_named_by_email():
    (flag,) = outliers.panel_flags(
        "p1", {"a@x": {"Score": D(9)}, "b@x": {"Score": D(9)}, "c@x": {"Score": D(0)}}, SCORE, D("2.5"), {}
    )
    assert flag.sentence.startswith("c@x gave 0.0")


def test_with_three_scores_only_the_odd_one_is_flagged_whatever_the_order():
    """Against the others' median alone, 8.2 would look far from the median of (8.2, 1.0) = 4.6."""
    for order in (["j1", "j2", "j3"], ["j2", "j3", "j1"], ["j3", "j1", "j2"]):
        values = dict(zip(order, [D("8.2"), D("1.0"), D("8.2")], strict=True))
        assert [f.judge for f in flags({j: {"Score": v} for j, v in values.items()})] == [order[1]]


def test_two_mistyped_scores_among_agreeing_ones_are_both_flagged():
    by_judge = {f"j{i}": {"Score": D(8)} for i in range(1, 4)}
    by_judge |= {"x1": {"Score": D(1)}, "x2": {"Score": D("1.5")}}
    assert sorted(f.judge for f in flags(by_judge)) == ["x1", "x2"]


values = st.integers(0, 100).map(lambda v: D(v) / 10)


@given(st.lists(values, min_size=2, max_size=7), values)
def test_a_score_far_from_an_agreeing_panel_is_the_only_one_flagged(others, mine):
    panel = {f"j{i}": {"Score": others[0]} for i in range(len(others))} | {"me": {"Score": mine}}
    expected = ["me"] if abs(mine - others[0]) > D("2.5") else []
    assert [f.judge for f in flags(panel)] == expected


@given(st.lists(values, min_size=3, max_size=8))
def test_every_flag_is_further_than_the_distance_and_a_close_panel_has_none(scores):
    panel = {f"j{i}": {"Score": v} for i, v in enumerate(scores)}
    found = flags(panel)
    assert all(abs(f.value - f.median) > D("2.5") for f in found)
    if max(scores) - min(scores) <= D("2.5"):
        assert found == []


@given(st.lists(st.decimals(min_value=0, max_value=10, places=1), min_size=2, max_size=60))
def test_each_judges_median_of_the_others_is_the_median_of_the_others(values):
    """outliers.medians_of_others, one sort for the whole panel, against its statement: for each judge the
    median of every other judge's score (a panel of fifty judges checks each score against 49 others)."""
    from statistics import median

    pool = {f"j{i:02d}": v for i, v in enumerate(values)}
    expected = {j: D(median([v for k, v in pool.items() if k != j])) for j in pool}
    assert outliers.medians_of_others(pool) == expected
