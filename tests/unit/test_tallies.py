"""The audience vote's counting (engine/domain/tallies.py): tallies from counter shards, the people's
choice, the combined ranking and the desk's flags."""

from __future__ import annotations

from decimal import Decimal

from engine.domain import tallies
from engine.domain.model import VoteMode, VoteSettings
from engine.domain.tallies import Tally

PER_ACT = VoteSettings(mode=VoteMode.PER_ACT, grace_seconds=60)
FINAL_5 = VoteSettings(mode=VoteMode.FINAL, final_minutes=5)


# ---- tallies and rankings ------------------------------------------------------------------------
def test_a_tally_adds_its_shards_and_revisions():
    shards = [{"n": 3, "stars": 12}, {"n": 1, "stars": 5}, {"n": 0, "stars": -2}]
    assert tallies.tally_of(shards) == Tally(4, 15, {})
    final = [{"n": 2, "c_a": 2}, {"n": 1, "c_b": 1, "c_a": 0}]
    assert tallies.tally_of(final) == Tally(3, 0, {"a": 2, "b": 1})


def test_the_peoples_choice_per_act_ranks_by_mean_stars_then_votes():
    counted = {"a": Tally(10, 40, {}), "b": Tally(20, 80, {}), "c": Tally(5, 25, {}), "d": Tally(0, 0, {})}
    places = tallies.peoples_choice(PER_ACT, counted, None)
    assert [(p.performer_id, p.rank) for p in places] == [("c", 1), ("b", 2), ("a", 3), ("d", None)]
    assert places[0].mean == Decimal("5.00")


def test_the_peoples_choice_of_a_final_vote_ranks_by_votes():
    final = Tally(6, 0, {"a": 1, "b": 4, "c": 1})
    places = tallies.peoples_choice(FINAL_5, {}, final, ("a", "b", "c", "d"))
    assert [(p.performer_id, p.votes, p.rank) for p in places] == [
        ("b", 4, 1),
        ("a", 1, 2),
        ("c", 1, 2),
        ("d", 0, None),
    ]


def test_the_combined_ranking_adds_weighted_rank_points():
    jury = {"a": 1, "b": 2, "c": 3}
    audience = {"a": 3, "b": 1, "c": 2}
    combined = tallies.combined(jury, audience, 50)
    assert [(c.performer_id, c.points, c.rank) for c in combined] == [
        ("b", Decimal("11"), 1),  # (10 + 12) / 2
        ("a", Decimal("10"), 2),  # (12 + 8) / 2
        ("c", Decimal("9"), 3),  # (8 + 10) / 2
    ]
    assert [str(c.points) for c in combined] == ["11", "10", "9"]  # as the exports show them: no 1E+1


def test_equal_combined_points_go_to_the_better_jury_rank():
    combined = tallies.combined({"a": 2, "b": 1}, {"a": 1, "b": 2}, 50)
    assert [(c.performer_id, c.rank) for c in combined] == [("b", 1), ("a", 2)]


def test_a_performer_unranked_by_one_side_gets_no_points_from_it():
    combined = tallies.combined({"a": 1, "b": None}, {"b": 1}, 70)
    assert [(c.performer_id, c.points) for c in combined] == [("a", Decimal("8.4")), ("b", Decimal("3.6"))]


# ---- flags ----------------------------------------------------------------------------------------
def test_an_address_with_many_new_devices_or_a_burst_is_flagged():
    venue = [{"addr": "v", "at": 100.0 + i, "new": i % 2 == 0} for i in range(40)]  # 1 a second
    bot = [{"addr": "b", "at": 200.0 + i * 0.01, "new": True} for i in range(30)]  # 30 within 0.3 s
    quiet = [{"addr": "q", "at": 300.0, "new": True}]
    found = tallies.flags(venue + bot + quiet)
    assert [f.as_dict() for f in found] == [
        {"address": "b", "votes": 30, "new_devices": 30, "peak_per_second": 30},
    ]
    many_new = [{"addr": "n", "at": 100.0 + i, "new": True} for i in range(25)]
    assert [(f.address, f.new_devices, f.peak_per_second) for f in tallies.flags(many_new)] == [("n", 25, 1)]
