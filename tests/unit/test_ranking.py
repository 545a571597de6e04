"""Ranking (engine/domain/ranking.py): competition ranks, incomplete and excluded performers, tie-breaks in
their configured order, and properties over generated events."""

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.domain import ranking
from engine.domain.model import MissingPolicy, Rule, Settings, TieBreak

PANEL = ["a", "b", "c"]
ORIGINAL_WEIGHTS = {"a": D("0.5"), "b": D("0.25"), "c": D("0.25")}
tenths = st.integers(min_value=0, max_value=100).map(lambda n: D(n) / 10)


def table(rows: dict[str, dict[str, str | int]]) -> dict[str, dict[str, D]]:
    return {p: {j: D(str(v)) for j, v in js.items()} for p, js in rows.items()}


def ranks(results) -> dict[str, int | None]:
    return {r.performer_id: r.rank for r in results}


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


# ---- properties ----------------------------------------------------------------------------------

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
    if result.place is not None:  # the skating system: its place orders, lower first, its rules break ties
        return (-result.place,)
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
    # The normalised rule ranks nobody while a judge has too few marks (it says so: its calculation).
    calc = ranking.calculation(performers, scores, panel, weights, settings, excluded)
    refused = calc is not None and calc.refused is not None
    assert not (refused and ranked)
    for r in results[len(ranked) :]:
        assert r.performer_id in excluded or not r.complete or refused
