"""Pure rules of a real competition: categories, advancement cuts, recusals, official-style scoring."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from engine.domain import categories, competition, ranking, scoring
from engine.domain.model import (
    InvalidInput,
    MissingPolicy,
    Performer,
    PerformerStatus,
    Rule,
    Settings,
    TieBreak,
)

SETTINGS = Settings(rule=Rule.MEAN, tie_breaks=(TieBreak.MEDIAN, TieBreak.BEST))


def rank(scores, panel=("a", "b", "c"), settings=SETTINGS, **kw):
    return ranking.rank_performers(list(scores), scores, list(panel), {}, settings, **kw)


def by_id(results):
    return {r.performer_id: r for r in results}


# ---- official-style rules ------------------------------------------------------------------------
def test_diving_sheet_seven_judges_drop_two_and_two_times_degree_of_difficulty():
    """wikiHow, "How to Calculate Diving Scores" (method 1, individual events): execution scores 6.5,
    7.0, 7.0, 7.5, 7.5, 8.0, 8.0; seven judges, so the two highest and two lowest are crossed out;
    7.0 + 7.5 + 7.5 = 22.0; an inward 2½ somersault pike, degree of difficulty 2.8: 22.0 × 2.8 = 61.6.
    World Aquatics' rule 6.2 as summarised by opensourcesports.io: 7.5, 7.0, 7.5, 7.0, 7.5, 8.0, 6.5
    leave 7.5 + 7.0 + 7.5 = 22.0, and with DD 3.0 the dive scores 66.0."""
    judges = [f"j{i}" for i in range(7)]
    sheet_a = dict(zip(judges, map(D, ["6.5", "7.0", "7.0", "7.5", "7.5", "8.0", "8.0"]), strict=True))
    sheet_b = dict(zip(judges, map(D, ["7.5", "7.0", "7.5", "7.0", "7.5", "8.0", "6.5"]), strict=True))
    diving = Settings(rule=Rule.TRIMMED_SUM, trim_count=2, trim_min=7)
    results = ranking.rank_performers(
        ["a", "b"], {"a": sheet_a, "b": sheet_b}, judges, {}, diving, factors={"a": D("2.8"), "b": D("3.0")}
    )
    assert by_id(results)["a"].total == D("61.6")
    assert by_id(results)["b"].total == D("66")
    assert [r.performer_id for r in results] == ["b", "a"]


def test_trimmed_mean_drops_trim_count_at_each_end():
    scores = {"a": D(1), "b": D(2), "c": D(6), "d": D(7), "e": D(30)}
    panel = list(scores)
    mean = scoring.aggregate(scores, panel, {}, Rule.TRIMMED_MEAN, MissingPolicy.OMIT, 4, trim_count=2)
    assert mean == D(6)
    assert scoring.aggregate(scores, panel, {}, Rule.TRIMMED_MEAN, MissingPolicy.OMIT, 4) == D(5)


def test_trimming_waits_until_enough_scores_are_in():
    scores = {"a": D(1), "b": D(2), "c": D(9), "d": D(10)}
    panel = list(scores)
    # trim_count 2 needs five scores at least, whatever trim_min says: nothing would be left otherwise.
    got = scoring.aggregate(scores, panel, {}, Rule.TRIMMED_MEAN, MissingPolicy.OMIT, 2, trim_count=2)
    assert got == D("5.5")
    assert scoring.aggregate(scores, panel, {}, Rule.TRIMMED_SUM, MissingPolicy.OMIT, 4) == D(11)


def test_difficulty_multiplies_the_total_and_decides_the_ranking():
    results = by_id(rank({"x": {"a": D(8), "b": D(8)}, "y": {"a": D(6), "b": D(6)}}, factors={"y": D(2)}))
    assert results["x"].total == D(8)
    assert results["y"].total == D(12)
    assert results["y"].rank == 1


# ---- recusals ------------------------------------------------------------------------------------
def test_weighted_mean_leaves_the_recused_judge_out_and_renormalises():
    weights = {"a": D(2), "b": D(1), "c": D(1)}
    scores = {"p": {"b": D(6), "c": D(9)}, "q": {"a": D(5), "b": D(8), "c": D(8)}}
    settings = Settings(rule=Rule.WEIGHTED_MEAN, missing=MissingPolicy.ZERO, min_scores=3)
    results = by_id(
        ranking.rank_performers(["p", "q"], scores, ["a", "b", "c"], weights, settings, recused={"p": {"a"}})
    )
    # Under ZERO a missing judge would count 0; a recused one is not missing, they are out: (6+9)/2.
    assert results["p"].total == D("7.5")
    assert results["p"].recused == ("a",)
    assert results["q"].total == D("6.5")  # (2*5 + 8 + 8) / 4: nobody recused for q


def test_minimum_scores_count_only_judges_who_may_score():
    settings = Settings(rule=Rule.MEAN, min_scores=3)
    scores = {"p": {"b": D(6), "c": D(8)}, "q": {"b": D(6), "c": D(8)}}
    results = by_id(
        ranking.rank_performers(["p", "q"], scores, ["a", "b", "c"], {}, settings, recused={"p": ["a"]})
    )
    assert results["p"].complete and results["p"].total == D(7)
    assert not results["q"].complete and results["q"].total is None  # a simply did not score q


def test_quorum_counts_a_recused_judge_as_done():
    from engine.domain import rules

    assert rules.judges_done(scored={"b"}, recused={"a"}, present={"a", "b", "c"}) == 2
    assert rules.judges_done(scored={"b", "c"}, recused={"a"}, present={"a", "b", "c"}) == 3
    assert rules.judges_done(scored=set(), recused={"z"}, present={"a"}) == 0


def test_start_quorum_counts_only_judges_who_may_score_the_first_performer():
    from engine.domain import rules

    panel = {"a", "b", "c", "d"}
    # a stepped aside for the first performer: present, but not counted towards the quorum.
    assert rules.start_quorum({"a", "b", "c"}, {"a"}, panel, required=3) == (2, 3)
    assert rules.start_quorum({"a", "b", "c", "d"}, {"a"}, panel, required=3) == (3, 3)
    assert rules.start_quorum({"a", "b", "c"}, (), panel, required=3) == (3, 3)
    # As with the minimum number of scores, a judge who may not score cannot be waited for.
    assert rules.start_quorum({"b", "c", "d"}, {"a"}, panel, required=4) == (3, 3)
    assert rules.start_quorum({"a"}, {"a"}, {"a"}, required=1) == (0, 1)  # never fewer than one
    assert rules.start_quorum({"a", "b"}, {"z"}, {"a", "b"}, required=2) == (2, 2)  # z is no judge here


def test_lobby_waits_while_a_recused_judge_makes_up_the_numbers():
    from engine.domain import rules
    from engine.domain.model import Command, CommandKind, CommandRefused, EventState, Phase

    lobby = EventState(event_id="e1", phase=Phase.LOBBY, order=("p1", "p2"))
    settings = Settings(required_judges=3)
    counted, needed = rules.start_quorum({"a", "b", "c"}, {"a"}, {"a", "b", "c", "d"}, 3)
    assert rules.due_steps(lobby, settings, 5.0, counted, needed=needed) == []
    with pytest.raises(CommandRefused, match="Waiting for 3 judges \\(2 present\\)"):
        rules.apply_command(lobby, settings, Command(CommandKind.START), 5.0, counted, needed=needed)
    counted, needed = rules.start_quorum({"b", "c", "d"}, {"a"}, {"a", "b", "c", "d"}, 3)
    steps = rules.due_steps(lobby, settings, 5.0, counted, needed=needed)
    assert [s.kind for s in steps] == ["started_on_quorum"]
    # With every judge but the recused one here, the panel that may score is all in: it starts.
    counted, needed = rules.start_quorum({"b", "c"}, {"a"}, {"a", "b", "c"}, 3)
    assert [s.kind for s in rules.due_steps(lobby, settings, 5.0, counted, needed=needed)] == [
        "started_on_quorum"
    ]


# ---- categories ----------------------------------------------------------------------------------
def performers(*rows):
    return [Performer(pid, pid.upper(), i, category=cat) for i, (pid, cat) in enumerate(rows, start=1)]


def test_each_category_is_ranked_on_its_own_with_its_own_tie_breaks():
    roster = performers(("d1", "Dance"), ("m1", "Music"), ("d2", "Dance"), ("m2", "Music"))
    scores = {
        "d1": {"a": D(5), "b": D(9)},  # mean 7, median 7, best 9
        "d2": {"a": D(7), "b": D(7)},  # mean 7, median 7, best 7: d1 wins on the second tie-break
        "m1": {"a": D(9), "b": D(9)},
        "m2": {"a": D(2), "b": D(2)},
    }
    results = rank(scores, panel=("a", "b"))
    groups = categories.by_category(results, roster, SETTINGS.tie_breaks)
    assert list(groups) == ["Dance", "Music"]
    assert [(r.performer_id, r.rank) for r in groups["Dance"]] == [("d1", 1), ("d2", 2)]
    assert [(r.performer_id, r.rank) for r in groups["Music"]] == [("m1", 1), ("m2", 2)]


def test_overall_ranking_is_off_by_default_with_several_categories():
    two = performers(("d1", "Dance"), ("m1", "Music"))
    one = performers(("d1", "Dance"), ("d2", "Dance"))
    assert not categories.shows_overall(Settings(), two)
    assert categories.shows_overall(Settings(rank_overall=True), two)
    assert categories.shows_overall(Settings(), one)


# ---- advancement ---------------------------------------------------------------------------------
def test_top_n_per_category_cuts_at_n():
    roster = performers(("d1", "Dance"), ("d2", "Dance"), ("d3", "Dance"), ("m1", "Music"), ("m2", "Music"))
    scores = {p.performer_id: {"a": D(10 - i)} for i, p in enumerate(roster)}
    groups = categories.by_category(rank(scores, panel=("a",)), roster, SETTINGS.tie_breaks)
    adv = competition.advance_top(groups, 2)
    assert adv.advanced == ("d1", "d2", "m1", "m2")
    assert adv.notes == ()
    # Reverse of the ranking, each category's block in turn: the best performs last in their block.
    assert adv.order == ("d2", "d1", "m2", "m1")


def test_performers_still_tied_at_the_cut_all_go_through_and_the_admin_is_told():
    roster = performers(("p1", "Pop"), ("p2", "Pop"), ("p3", "Pop"), ("p4", "Pop"))
    scores = {"p1": {"a": D(9)}, "p2": {"a": D(8)}, "p3": {"a": D(8)}, "p4": {"a": D(1)}}
    groups = categories.by_category(rank(scores, panel=("a",)), roster, SETTINGS.tie_breaks)
    adv = competition.advance_top(groups, 2)
    assert set(adv.advanced) == {"p1", "p2", "p3"}
    assert adv.notes == ("Pop: 2 performers tied at place 2 and all go through (3 instead of 2).",)


def test_a_tie_at_the_cut_broken_by_the_tie_breaks_sends_only_the_winner():
    roster = performers(("p1", "Pop"), ("p2", "Pop"), ("p3", "Pop"))
    scores = {"p1": {"a": D(9), "b": D(9)}, "p2": {"a": D(5), "b": D(9)}, "p3": {"a": D(7), "b": D(7)}}
    groups = categories.by_category(rank(scores, panel=("a", "b")), roster, SETTINGS.tie_breaks)
    adv = competition.advance_top(groups, 2)  # p2 and p3 both total 7; p2's best (9) wins
    assert adv.advanced == ("p1", "p2") and adv.notes == ()


@pytest.mark.parametrize("n", [0, -1, "two", 1.5, None, True])
def test_top_n_must_be_a_whole_number_of_at_least_one(n):
    groups = {"": rank({"p1": {"a": D(1)}}, panel=("a",))}
    with pytest.raises(InvalidInput, match="at least 1"):
        competition.advance_top(groups, n)


def test_advancing_more_than_a_category_has_is_refused_naming_it():
    roster = performers(("d1", "Dance"), ("d2", "Dance"), ("m1", "Music"))
    scores = {p.performer_id: {"a": D(5)} for p in roster}
    groups = categories.by_category(rank(scores, panel=("a",)), roster, SETTINGS.tie_breaks)
    with pytest.raises(InvalidInput, match=r"^Music has only 1 ranked performer; advance at most 1\.$"):
        competition.advance_top(groups, 2)


def test_no_show_and_unranked_performers_never_advance():
    roster = performers(("p1", ""), ("p2", ""), ("p3", ""))
    results = rank({"p1": {"a": D(5)}, "p2": {"a": D(9)}, "p3": {}}, panel=("a",), excluded=["p2"])
    adv = competition.advance_top({"": results}, 1)
    assert adv.advanced == ("p1",)
    with pytest.raises(InvalidInput, match="only 1 ranked"):
        competition.advance_top(categories.by_category(results, roster, ()), 2)


def test_a_chosen_list_runs_in_the_order_listed():
    results = rank({"p1": {"a": D(5)}, "p2": {"a": D(9)}, "p3": {"a": D(7)}}, panel=("a",))
    adv = competition.advance_chosen(results, ["p3", "p1"])
    assert adv.advanced == ("p3", "p1") and adv.order == ("p3", "p1")
    with pytest.raises(InvalidInput, match="twice"):
        competition.advance_chosen(results, ["p3", "p3"])
    with pytest.raises(InvalidInput, match="Choose at least one"):
        competition.advance_chosen(results, [])


def test_carry_over_is_the_weighted_previous_total():
    results = rank({"p1": {"a": D(8)}, "p2": {"a": D(6)}}, panel=("a",))
    assert competition.carried(results, ("p1", "p2"), D("0.5")) == {"p1": D(4), "p2": D(3)}
    assert competition.carried(results, ("p1",), D(0)) == {}
    final = by_id(rank({"p1": {"a": D(5)}, "p2": {"a": D(6)}}, panel=("a",), carried={"p1": D(4)}))
    assert final["p1"].total == D(9) and final["p1"].rank == 1


@pytest.mark.parametrize(
    ("name", "sentence"),
    [
        ("x" * 500, "A round name is 1 to 60 characters."),
        ("   ", "A round name is 1 to 60 characters."),
    ],
)
def test_round_names_are_checked(name, sentence):
    with pytest.raises(InvalidInput) as e:
        competition.round_name(name, 2)
    assert str(e.value) == sentence


def test_a_round_without_a_name_is_called_by_its_number():
    assert competition.round_name(None, 2) == "Round 2"
    assert competition.round_name("  Final ", 2) == "Final"


@pytest.mark.parametrize("w", ["-1", "11", "nan", "x"])
def test_carry_weight_is_a_number_from_0_to_10(w):
    with pytest.raises(InvalidInput, match="carry-over weight"):
        competition.carry_weight(w)


def test_status_of_no_show_is_a_word_the_board_shows():
    assert PerformerStatus.NO_SHOW.value == "no-show"


@pytest.mark.parametrize("k", [0, 11, -1])
def test_trim_count_is_checked_with_the_settings(k):
    from engine.domain.settings import validate_settings

    with pytest.raises(InvalidInput, match=r"^The trimmed rules drop 1 to 10 scores at each end\.$"):
        validate_settings(Settings(trim_count=k))


def test_roster_difficulty_defaults_to_one_and_is_checked():
    from engine.domain.roster import build_roster, parse_csv

    rows = parse_csv("name,order,category,difficulty\nAda,1,Dive,2.8\nBo,2,Dive,\n")
    assert [p.difficulty for p in build_roster(rows)] == [D("2.8"), D(1)]
    for bad in ("0", "-1", "abc", "101", "inf"):
        with pytest.raises(InvalidInput, match=r"^Row 1: the difficulty must be a number above 0"):
            build_roster([{"name": "Ada", "order": 1, "difficulty": bad}])
