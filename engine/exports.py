"""CSV and JSON exports of an event's scores and results. Pure: built from a Snapshot."""

from __future__ import annotations

import csv
import io
import json

from engine import categories, schedule
from engine.model import Phase
from engine.release import Release, board_fields
from engine.roster import safe_cell
from engine.scoring import display
from engine.snapshot import PHASE_LABEL, Snapshot, ranking_rows

RECUSED = "recused"  # what a board or an export shows in the cell of a judge who stepped aside


def results_rows(snapshot: Snapshot) -> list[dict]:
    in_category = categories.category_ranks(snapshot.by_category)
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
            }
        )
    return rows


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


def to_json(snap: Snapshot) -> str:
    doc = {
        "event_id": snap.event_id,
        "event_name": snap.settings.event_name,
        "phase": snap.state.phase.value,
        "rule": snap.settings.rule.value,
        "trim_count": snap.settings.trim_count,
        "competition_id": snap.round.competition_id if snap.round else snap.event_id,
        "round": _round(snap),
        "rank_overall": snap.shows_overall,
        "results": results_rows(snap),
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
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)


def export(snap: Snapshot, fmt: str, what: str = "all") -> str:
    if fmt == "json":
        return to_json(snap)
    if fmt != "csv":
        raise ValueError("format must be csv or json")
    if what == "scores":
        return to_csv(score_rows(snap))
    if what == "results":
        return to_csv(results_rows(snap))
    return to_csv(results_rows(snap)) + "\n" + to_csv(score_rows(snap))


def _round(snap: Snapshot) -> dict:
    return (
        {"number": snap.round.number, "name": snap.round.name}
        if snap.round
        else {"number": 1, "name": "Round 1"}
    )


def _podiums(snap: Snapshot) -> list[dict]:
    """One podium per category, once the round has finished."""
    if snap.state.phase is not Phase.FINISHED:
        return []
    names = {p.performer_id: p.name for p in snap.performers}
    return [
        {
            "category": category,
            "places": [
                {"rank": r.rank, "performer": names.get(r.performer_id, ""), "total": display(r.total)}
                for r in top
            ],
        }
        for category, top in categories.podiums(snap.by_category).items()
    ]


def _public_rows(snap: Snapshot, per_judge: bool) -> list[dict]:
    judge_names = {j.email: j.name for j in snap.judges}
    panel = snap.panel
    overall = snap.shows_overall
    in_category = categories.category_ranks(snap.by_category)
    rows = []
    # Kept in overall result order (release.board_fields pairs rows with results by position); a board
    # groups them by "category" and orders each group by "category_rank".
    for line in ranking_rows(snap, per_judge):
        result, performer = line.result, line.performer
        category_rank = in_category.get(result.performer_id)
        row = {
            "rank": result.rank if overall else category_rank,
            "overall_rank": result.rank if overall else None,
            "category_rank": category_rank,
            "performer": performer.name if performer else "",
            "category": performer.category if performer else "",
            "total": display(result.total),
            "scores_in": result.scores_in,
            "panel": len(panel) - len(result.recused),
            "status": performer.status.value if performer else "",
            "recused": [judge_names.get(j, "Judge") for j in result.recused],
        }
        if per_judge:
            row["judges"] = [
                RECUSED
                if j in result.recused
                else display(line.by_judge[j].total)
                if j in line.by_judge
                else ""
                for j in panel
            ]
        rows.append(row)
    return rows


def public_board(snap: Snapshot, now: float) -> dict:
    """What the audience may see: no email, no credential, judges by display name only."""
    s = snap.state
    current = snap.current
    judge_names = {j.email: j.name for j in snap.judges}
    panel = snap.panel
    per_judge = snap.settings.public_judge_scores
    rows = _public_rows(snap, per_judge)
    remaining = s.remaining(now)
    doc = {
        "event_id": s.event_id,
        "event_name": snap.settings.event_name,
        "phase": s.phase.value,
        "phase_label": PHASE_LABEL[s.phase],
        "paused": s.paused,
        "version": s.version,
        "window_id": s.window_id,
        "performer": current.name if current else None,
        "category": current.category if current else None,
        "deadline": s.deadline,
        "window_started_at": s.window_started_at,
        "remaining_seconds": None if remaining is None else round(remaining, 3),
        "judge_names": [judge_names.get(j, "Judge") for j in panel] if per_judge else [],
        "ranking": rows,
        "round": _round(snap),
        "categories": categories.names(snap.performers),
        "rank_overall": snap.shows_overall,
        "recused": [judge_names.get(j, "Judge") for j in snap.recused_for(s.performer_id)],
        "lineup": schedule.lineup(s, snap.settings, snap.performers, now),
        "podiums": _podiums(snap),
        "written_at": round(now, 3),
    }
    # results_status, results_label, revealed, results_message…; may hide unrevealed ranking rows
    doc |= board_fields(s, snap.release or Release(s.event_id), snap.results, rows, now)
    # A podium names no one the results reveal still hides.
    shown = {row["performer"] for row in doc["ranking"]}
    for podium in doc["podiums"]:
        podium["places"] = [place for place in podium["places"] if place["performer"] in shown]
    return doc
