"""Agreement between judges (engine/analytics/agreement.py): Kendall's W with worked examples, ties and
the cases where it is undefined."""

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.analytics import agreement

tenths = st.integers(min_value=0, max_value=100).map(lambda n: D(n) / 10)


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


@given(st.lists(st.lists(tenths, min_size=4, max_size=4), min_size=2, max_size=5))
def test_kendalls_w_lies_between_zero_and_one(judges):
    w = agreement.kendalls_w(ranked_scores(*judges), [f"j{k}" for k in range(len(judges))])
    assert w is None or 0.0 <= w <= 1.0
