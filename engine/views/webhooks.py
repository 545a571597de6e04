"""What a webhook carries (engine/domain/webhooks.py says when). Pure: built from a Snapshot.

A public webhook carries what the board shows, taken from the board's own document
(exports.public_board): a performer's results only once the board shows them, names only (no email, no
comment, no id of a performer), the results as released. A private one (`private:` in
STAGESCORE_WEBHOOKS) adds `private`: the performer's scores with their comments, the full results, who
signed off.
"""

from __future__ import annotations

import json

from engine.domain import webhooks
from engine.domain.snapshot import Snapshot
from engine.domain.webhooks import Occurrence
from engine.views import documents, exports


def data(occurrence: Occurrence, entry: dict, snap: Snapshot, now: float, private: bool) -> dict | None:
    """The `data` of a webhook for a log entry (`entry`: its payload), None when the board does not show
    what it would be about (then nothing is sent)."""
    if occurrence.kind == webhooks.PHASE_CHANGED:
        return _phase(entry, snap)
    board = exports.public_board(snap, now)
    if occurrence.kind == webhooks.RESULTS_PUBLIC:
        name = snap.performer_name(occurrence.performer_id)
        row = next((r for r in board["ranking"] if r["performer"] == name and not r["held"]), None)
        if row is None:
            return None
        out = {
            "performer": row,
            "results_status": board["results_status"],
            "judge_names": board["judge_names"],
        }
        if private:
            out["private"] = {"scores": _scores(snap, occurrence.performer_id)}
        return out
    out = {k: board[k] for k in ("results_status", "results_label", "results_message", "ranking", "podiums")}
    if private:
        rel = snap.release
        out["private"] = {
            "results": exports.results_rows(snap),
            "signed_off_by": rel.signed_off_by if rel else None,
            "results_hash": rel.results_hash if rel else None,
        }
    return out


def _phase(entry: dict, snap: Snapshot) -> dict:
    pid = entry.get("performer_id")
    performer = next((p for p in snap.performers if p.performer_id == pid), None)
    return {
        "phase": entry.get("phase"),
        "performer": performer.name if performer else None,
        "category": performer.category if performer else None,
        "deadline": entry.get("deadline"),
        "paused": bool(entry.get("paused")),
        "window_id": entry.get("window_id"),
        "version": entry.get("version"),
    }


def _scores(snap: Snapshot, performer_id: str | None) -> list[dict]:
    names = {j.email: j.name for j in snap.judges}
    return [
        {
            "judge": s.judge,
            "judge_name": names.get(s.judge, s.judge),
            "total": str(s.total),
            "values": {k: str(v) for k, v in sorted(s.values.items())},
            "revision": s.revision,
            "comment": s.comment,
        }  # fmt: skip
        for s in sorted(snap.scores_for(performer_id or "").values(), key=lambda s: s.judge)
    ]


def body(delivery_id: str, kind: str, occurred_at: float, snap: Snapshot, stage_name: str, payload: dict,
         sent_at: float) -> bytes:  # fmt: skip
    """The request's body, as signed: the delivery id and the timestamp are inside it, so the signature
    covers them (they are repeated in headers for convenience)."""
    doc = {
        "delivery_id": delivery_id,
        "timestamp": round(sent_at, 3),
        "event": kind,
        "occurred_at": occurred_at,
        "stage": {"id": snap.state.stage, "name": stage_name},
        "event_id": snap.event_id,
        "event_name": snap.settings.event_name,
        "round": documents.round_doc(snap),
        "data": payload,
    }
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), default=str).encode()
