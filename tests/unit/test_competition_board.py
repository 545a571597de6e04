"""The public board document of a competition: categories, recused cells, podiums, the lineup."""

from __future__ import annotations

import dataclasses

from engine.domain.release import Release, ResultsSettings
from engine.domain.snapshot import compute_results
from engine.views import exports
from tests.unit.snapshots import T0, make_snapshot

CATEGORY = {"d1": "Dance", "m1": "Music", "d2": "Dance", "m2": "Music"}


def two_categories(conflicts=None, release=None):
    rows = {
        "d1": {"a@x": 9, "b@x": 9},
        "m1": {"a@x": 4, "b@x": 4},
        "d2": {"a@x": 7, "b@x": 7},
        "m2": {"b@x": 6},
    }
    snap = make_snapshot(rows, {"a@x": "Ann", "b@x": "Ben"})
    performers = [dataclasses.replace(p, category=CATEGORY[p.performer_id]) for p in snap.performers]
    conflicts = conflicts or {}
    results = compute_results(snap.settings, performers, snap.scores, snap.judges, conflicts=conflicts)
    return dataclasses.replace(
        snap, performers=performers, results=results, conflicts=conflicts, release=release
    )


def test_rows_carry_their_category_rank_and_the_board_one_podium_per_category():
    doc = exports.public_board(two_categories({"m2": ("a@x",)}), T0 + 1000)
    by_name = {r["performer"]: r for r in doc["ranking"]}
    assert by_name["D1"]["rank"] == 1 and by_name["D2"]["rank"] == 2  # ranks within Dance
    assert by_name["M2"]["rank"] == 1 and by_name["M1"]["rank"] == 2  # ranks within Music
    assert by_name["M2"]["overall_rank"] is None and not doc["rank_overall"]
    assert by_name["M2"]["recused"] == ["Ann"] and by_name["M2"]["judges"] == ["recused", "6.00"]
    assert doc["categories"] == ["Dance", "Music"]
    assert [(p["category"], [x["performer"] for x in p["places"]]) for p in doc["podiums"]] == [
        ("Dance", ["D1", "D2"]),
        ("Music", ["M2", "M1"]),
    ]


def test_a_podium_names_nobody_the_reveal_still_hides():
    hidden = Release("e1", ResultsSettings(hide_until_revealed=True))
    doc = exports.public_board(two_categories(release=hidden), T0 + 1000)
    assert doc["ranking"] == []
    assert all(p["places"] == [] for p in doc["podiums"])


def test_the_reveal_goes_by_category_ranks_when_categories_are_ranked_apart():
    """Overall, M1 (4th) and M2 (3rd) would come first; ranked apart, each category's second place does."""
    two = Release(
        "e1",
        ResultsSettings(hide_until_revealed=True),
        signed_off_by="head@x",
        signed_off_at=T0 + 900,
        results_hash="h",
        revealed=2,
    )
    doc = exports.public_board(two_categories(release=two), T0 + 1000)
    assert [(r["performer"], r["category"], r["rank"]) for r in doc["revealed"]] == [
        ("D2", "Dance", 2),
        ("M1", "Music", 2),
    ]
    assert {r["performer"] for r in doc["ranking"]} == {"D2", "M1"} and not doc["reveal_complete"]
    assert [[x["performer"] for x in p["places"]] for p in doc["podiums"]] == [["D2"], ["M1"]]
    everyone = dataclasses.replace(two, revealed=4)
    doc = exports.public_board(two_categories(release=everyone), T0 + 1000)
    assert [r["performer"] for r in doc["revealed"]] == ["D2", "M1", "D1", "M2"] and doc["reveal_complete"]
