"""CSV and JSON exports of an event's scores and results. Pure: built from a Snapshot."""

from __future__ import annotations

import csv
import io
import json

from engine.release import Release, board_fields
from engine.roster import safe_cell
from engine.scoring import display
from engine.snapshot import PHASE_LABEL, Snapshot, ranking_rows


def results_rows(snapshot: Snapshot) -> list[dict]:
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
        rows.append(row)
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
        "results": results_rows(snap),
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


def public_board(snap: Snapshot, now: float) -> dict:
    """What the audience may see: no email, no credential, judges by display name only."""
    s = snap.state
    current = snap.current
    judge_names = {j.email: j.name for j in snap.judges}
    panel = snap.panel
    per_judge = snap.settings.public_judge_scores
    rows = []
    for line in ranking_rows(snap, per_judge):
        result, performer = line.result, line.performer
        row = {
            "rank": result.rank,
            "performer": performer.name if performer else "",
            "category": performer.category if performer else "",
            "total": display(result.total),
            "scores_in": result.scores_in,
            "panel": len(panel),
            "status": performer.status.value if performer else "",
        }
        if per_judge:
            row["judges"] = [display(line.by_judge[j].total) if j in line.by_judge else "" for j in panel]
        rows.append(row)
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
        "written_at": round(now, 3),
    }
    # results_status, results_label, revealed, results_message…; may hide unrevealed ranking rows
    return doc | board_fields(s, snap.release or Release(s.event_id), snap.results, rows, now)
