"""The CSV and JSON exports' audience results (engine/views/exports.py): what the audience gave each
performer beside the jury's result; an admin's export always, a public one only once revealed."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

from engine.domain.model import VoteMode, VoteSettings
from engine.domain.tallies import Tally
from engine.domain.votes import FINAL, VoteWindow
from engine.views import exports
from engine.views import votes as views
from engine.views.votes import Audience
from tests.unit.snapshots import JUDGES, ROWS, T0, make_snapshot

NAMES = {"p1": "Ada", "p2": "Bea", "p3": "Cleo"}
PER_ACT = {"p1": Tally(2, 9), "p2": Tally(4, 12)}  # p3 got no vote
FINAL_VOTES = {"p1": 1, "p3": 5}
POINTS = (12, 10, 8, 7, 6, 5, 4, 3, 2, 1)  # the combined ranking's rank points, best first


def snapshot():
    return make_snapshot(ROWS, JUDGES, names=NAMES)


def audience(mode: VoteMode, revealed: bool = False, jury_percent: int | None = None) -> Audience:
    """What svc.votes.status() builds, from tallies: per act PER_ACT, final FINAL_VOTES."""
    settings = VoteSettings(mode, jury_percent=jury_percent)
    if mode is VoteMode.FINAL:
        counted = {FINAL: Tally(sum(FINAL_VOTES.values()), 0, dict(FINAL_VOTES))}
    else:
        counted = dict(PER_ACT)
    windows = {key: VoteWindow(key, "ABCDE", T0, T0 + 60, closed=True) for key in counted}
    jury = {r.performer_id: r.rank for r in snapshot().results}
    return views.build(settings, windows, counted, NAMES, list(NAMES), jury, revealed, T0 + 100)


def results_csv(aud: Audience | None, public: bool = False) -> dict[str, dict]:
    text = exports.export(snapshot(), "csv", "results", aud, public)
    return {r["performer_id"]: r for r in csv.DictReader(io.StringIO(text))}


def ranked(values: dict[str, object]) -> dict[str, int | None]:
    """1 for the highest, equal values sharing a rank; None for a performer without a value."""
    given = sorted((v for v in values.values() if v is not None), reverse=True)
    return {pid: None if v is None else given.index(v) + 1 for pid, v in values.items()}


def test_an_admin_export_has_each_performers_votes_stars_mean_and_rank_before_the_reveal():
    rows = results_csv(audience(VoteMode.PER_ACT, revealed=False))
    means = {p: Decimal(t.stars) / t.votes if t.votes else None for p, t in PER_ACT.items()} | {"p3": None}
    for pid, rank in ranked(means).items():
        tally = PER_ACT.get(pid, Tally())
        assert int(rows[pid]["audience_votes"]) == tally.votes
        assert int(rows[pid]["audience_stars"]) == tally.stars
        mean = means[pid]
        assert rows[pid]["audience_mean"] == ("" if mean is None else str(mean.quantize(Decimal("0.01"))))
        assert rows[pid]["audience_rank"] == ("" if rank is None else str(rank))
        assert "audience_points" not in rows[pid] and "combined_rank" not in rows[pid]
    jury = {r.performer_id: str(r.rank) for r in snapshot().results}
    assert {pid: r["rank"] for pid, r in rows.items()} == jury  # the jury's results are untouched


def test_a_public_export_shows_the_audiences_results_only_once_revealed():
    hidden, shown = audience(VoteMode.PER_ACT, False), audience(VoteMode.PER_ACT, True)
    before = results_csv(hidden, public=True)
    assert not any(k.startswith("audience_") for row in before.values() for k in row)
    after = results_csv(shown, public=True)
    assert {pid: int(r["audience_votes"]) for pid, r in after.items()} == {"p1": 2, "p2": 4, "p3": 0}

    doc = json.loads(exports.export(snapshot(), "json", audience=hidden, public=True))
    assert "performers" not in doc["audience"] and "votes" not in doc["audience"]["windows"][0]
    assert not any("audience_votes" in r for r in doc["results"])
    doc = json.loads(exports.export(snapshot(), "json", audience=shown, public=True))
    assert doc["audience"] == shown.as_json(public=True) and doc["audience"]["performers"]


def test_an_event_without_a_vote_exports_as_before():
    plain = exports.export(snapshot(), "csv", "results")
    assert exports.export(snapshot(), "csv", "results", audience(VoteMode.OFF)) == plain
    assert "audience" not in json.loads(exports.export(snapshot(), "json", audience=audience(VoteMode.OFF)))
    assert "audience_votes" not in plain


def test_a_final_vote_exports_points_and_the_combined_ranking():
    aud = audience(VoteMode.FINAL, jury_percent=60)
    rows = results_csv(aud)
    votes = {pid: FINAL_VOTES.get(pid, 0) for pid in NAMES}
    audience_rank = ranked({pid: n or None for pid, n in votes.items()})
    jury = {r.performer_id: r.rank for r in snapshot().results}
    worth = lambda rank: POINTS[rank - 1] if rank else 0  # noqa: E731
    points = {p: Decimal("0.6") * worth(jury[p]) + Decimal("0.4") * worth(audience_rank[p]) for p in NAMES}
    by_points = sorted(NAMES, key=lambda p: (-points[p], jury[p]))
    for pid, row in rows.items():
        assert int(row["audience_points"]) == int(row["audience_votes"]) == votes[pid]
        assert row["audience_rank"] == ("" if audience_rank[pid] is None else str(audience_rank[pid]))
        assert Decimal(row["combined_points"]) == points[pid]
        assert row["combined_rank"] == str(by_points.index(pid) + 1)
        assert "audience_stars" not in row
    doc = json.loads(exports.export(snapshot(), "json", audience=aud))
    assert doc["audience"]["combined"]["jury_percent"] == 60
    assert {r["performer_id"]: r["combined_rank"] for r in doc["results"]} == {
        p: by_points.index(p) + 1 for p in NAMES
    }
