"""CSV and JSON exports of an event's scores and results. Pure: built from a Snapshot (and the audience
vote's results, engine/views/votes.Audience, when the event has a vote)."""

from __future__ import annotations

import csv
import io
import json

from engine.domain import categories, publicity
from engine.domain.model import VoteMode
from engine.domain.roster import safe_cell
from engine.domain.snapshot import Snapshot, ranking_rows
from engine.views import documents
from engine.views.votes import Audience


def audience_shown(audience: Audience | None, public: bool = False) -> Audience | None:
    """The audience's results if this export may show them: an admin's export always, a public one only
    once the admin has revealed them; None when the event has no vote."""
    if audience is None or audience.mode is VoteMode.OFF or (public and not audience.revealed):
        return None
    return audience


def audience_columns(audience: Audience | None, public: bool = False) -> dict[str, dict]:
    """performer_id -> the audience's columns of a results row: votes, stars and mean stars (per act) or
    points (final vote), the people's choice rank, and with a combined ranking its points and rank."""
    shown = audience_shown(audience, public)
    if shown is None:
        return {}
    combined = {c.performer_id: c for c in shown.combined}
    out = {}
    for p in shown.places:
        row: dict = {"audience_votes": p.votes}
        if shown.mode is VoteMode.FINAL:
            row["audience_points"] = p.votes
        else:
            row |= {"audience_stars": p.stars, "audience_mean": None if p.mean is None else str(p.mean)}
        row["audience_rank"] = p.rank
        if shown.jury_percent is not None:  # configured: the columns are there before the first vote
            c = combined.get(p.performer_id)
            row |= {"combined_points": c and str(c.points), "combined_rank": c and c.rank}
        out[p.performer_id] = row
    return out


def results_rows(snapshot: Snapshot, audience: Audience | None = None, public: bool = False) -> list[dict]:
    in_category = categories.category_ranks(snapshot.by_category)
    voted = audience_columns(audience, public)
    rows = []
    for row in ranking_rows(snapshot):
        result, performer = row.result, row.performer
        rows.append(
            {
                "rank": result.rank,
                "performer_id": result.performer_id,
                "performer": performer.name if performer else result.performer_id,
                "category": performer.category if performer else "",
                "status": performer.status.value if performer else "",
                "total": None if result.total is None else str(result.total),
                "scores_in": result.scores_in,
                "complete": result.complete,
                "category_rank": in_category.get(result.performer_id),
                "difficulty": str(performer.difficulty) if performer else "1",
                "recused": "; ".join(result.recused),
                "deducted": _deducted(snapshot, result.performer_id),
                **voted.get(result.performer_id, {}),
            }
        )
    return rows


def _deducted(snap: Snapshot, performer_id: str) -> str | None:
    off = snap.deducted.get(performer_id)
    return None if off is None else str(off)


def deduction_rows(snap: Snapshot) -> list[dict]:
    """Each deduction or penalty entered, with who and when (the JSON export, the signed-off document)."""
    names = {p.performer_id: p.name for p in snap.performers}
    return [
        {
            "performer_id": d.performer_id,
            "performer": names.get(d.performer_id, ""),
            "deduction": d.kind or "penalty",
            "count": d.count,
            "points": str(d.points),
            "reason": d.reason,
            "by": d.by,
            "at": d.at,
        }
        for d in sorted(snap.deductions, key=lambda d: (d.at, d.entry_id))
    ]


def score_rows(snap: Snapshot) -> list[dict]:
    names = {p.performer_id: p.name for p in snap.performers}
    rows = []
    for s in sorted(snap.scores, key=lambda s: (s.performer_id, s.judge)):
        row = {
            "performer_id": s.performer_id,
            "performer": names.get(s.performer_id, ""),
            "judge": s.judge,
            "total": str(s.total),
            "revision": s.revision,
            "submitted_at": s.submitted_at,
        }
        row.update({f"criterion:{k}": str(v) for k, v in sorted(s.values.items())})
        rows.append({**row, "recused": False})
    # A recused cell is listed too: that judge was left out of this performer on purpose.
    for pid, judges in sorted(snap.conflicts.items()):
        for judge in judges:
            rows.append(
                {"performer_id": pid, "performer": names.get(pid, ""), "judge": judge, "recused": True}
            )
    return rows


def to_csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    if not rows:
        return ""
    fields = list(dict.fromkeys(k for r in rows for k in r))
    w = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: safe_cell("" if r.get(k) is None else r.get(k)) for k in fields})
    return buf.getvalue()


def to_json(snap: Snapshot, audience: Audience | None = None, public: bool = False) -> str:
    shown = audience_shown(audience)  # the windows' states are public; their tallies wait for the reveal
    doc = {
        "event_id": snap.event_id,
        "event_name": snap.settings.event_name,
        "phase": snap.state.phase.value,
        "rule": snap.settings.rule.value,
        "trim_count": snap.settings.trim_count,
        "competition_id": snap.round.competition_id if snap.round else snap.event_id,
        "round": documents.round_doc(snap),
        "rank_overall": snap.shows_overall,
        "results": results_rows(snap, audience, public),
        "categories": {
            name or "": [
                {
                    "rank": r.rank,
                    "performer_id": r.performer_id,
                    "total": None if r.total is None else str(r.total),
                }
                for r in results
            ]
            for name, results in snap.by_category.items()
        },
        "scores": score_rows(snap),
        "deductions": deduction_rows(snap),
    }
    if shown is not None:
        doc["audience"] = shown.as_json(public)
    return json.dumps(doc, indent=2, ensure_ascii=False)


def export(
    snap: Snapshot, fmt: str, what: str = "all", audience: Audience | None = None, public: bool = False
) -> str:
    """An export: `audience` (svc.votes.audience) adds the audience's results, which a `public` export
    shows only once the admin has revealed them."""
    if fmt == "json":
        return to_json(snap, audience, public)
    if fmt != "csv":
        raise ValueError("format must be csv or json")
    if what == "scores":
        return to_csv(score_rows(snap))
    results = to_csv(results_rows(snap, audience, public))
    if what == "results":
        return results
    return results + "\n" + to_csv(score_rows(snap))


def public_board(snap: Snapshot, now: float, per_judge: bool | None = None) -> dict:
    """What the audience may see: no email, no credential, judges by display name only (the live
    feed's public document without its clock field; engine/views/documents.py builds both), so nothing of the
    performer being scored until their window closes (engine.domain.publicity)."""
    public = publicity.public_view(snap)
    doc = documents.public_doc(public, now, documents.ranking(public, per_judge))
    del doc["server_time"]
    return {**doc, "written_at": round(now, 3)}
