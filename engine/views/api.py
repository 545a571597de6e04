"""The read API's documents (/api/v1/…, ui/api/): the event, its schedule, its results, the stages. Pure.

The public scope shows exactly what the public pages show, built by the same functions: the event's
header as the board has it (engine/views/documents.header), the running order as /schedule has it, and
the results as the board and /results show them: nothing of the performer being scored
(publicity.public_view), only what the results' release allows (documents.released: hidden until
revealed, the reveal so far), the audience's results once revealed, judges by display name only and
their cells only if the event shows them publicly. The private scope (an API key) adds every score with
its criteria, revision and comment, and the full ranking.
"""

from __future__ import annotations

from engine.domain import publicity, schedule
from engine.domain.model import PerformerStatus
from engine.domain.snapshot import Snapshot
from engine.domain.stages import Stage
from engine.views import documents, exports
from engine.views.votes import Audience

VERSION = "v1"


def stages_doc(stages: list[Stage], current: dict[str, str | None]) -> dict:
    """Every stage in its order with its current event's id (None: no event yet)."""
    return {
        "stages": [
            {"stage_id": s.stage_id, "name": s.name, "event_id": current.get(s.stage_id)} for s in stages
        ]
    }


def event_doc(snap: Snapshot, stage: Stage, now: float) -> dict:
    """The event as the board's header shows it: phase, performer on stage, deadlines, lineup, round."""
    head = documents.header(publicity.public_view(snap), now)
    del head[
        "error"
    ]  # the live stream's field for a feed that cannot read; an API answer says so by its status
    return {"stage_id": stage.stage_id, "stage_name": stage.name, **head, "server_time": round(now, 3)}


def schedule_doc(snap: Snapshot, stage: Stage, now: float) -> dict:
    """The running order with each performer's (expected) start, as /schedule shows it."""
    slots = schedule.expected_starts(snap.state, snap.settings, snap.performers, now)
    return {
        "stage_id": stage.stage_id,
        "event_id": snap.event_id,
        "event_name": snap.settings.event_name,
        "round": documents.round_doc(snap),
        "lineup": schedule.lineup(snap.state, snap.settings, snap.performers, now),
        "performers": [
            {
                "position": i,
                "performer": s.name,
                "category": s.category,
                "status": s.status.value,
                "expected_start": s.expected_start,
                "expected": s.status is PerformerStatus.WAITING and s.expected_start is not None,
            }
            for i, s in enumerate(slots, start=1)
        ],
        "server_time": round(now, 3),
    }


def results_doc(
    snap: Snapshot,
    stage: Stage,
    now: float,
    audience: Audience | None = None,
    rounds: list[dict] | None = None,
    private: bool = False,
) -> dict:
    """The results as the board shows them; with `private`, also every score and the full ranking."""
    public = publicity.public_view(snap)
    held = publicity.held_back(snap.state)
    shown = exports.audience_shown(audience, public=True)
    doc = {
        "stage_id": stage.stage_id,
        "event_id": snap.event_id,
        "event_name": snap.settings.event_name,
        "phase": snap.state.phase.value,
        "round": documents.round_doc(snap),
        "rounds": [
            {"number": r["number"], "name": r["name"], "event_id": r["event_id"]} for r in rounds or []
        ],
        **documents.released(public, now, documents.ranking(public)),
        "held_back": snap.performer_name(held) if held else None,
        "audience": None if shown is None else shown.as_json(public=True),
        "server_time": round(now, 3),
    }
    if private:
        doc["private"] = private_results(snap, audience)
    return doc


def private_results(snap: Snapshot, audience: Audience | None) -> dict:
    """What an API key adds: the full ranking (the performer being scored, unrevealed places), every score
    with its criteria, revision and comment, and the audience's tally revealed or not."""
    names = {p.performer_id: p.name for p in snap.performers}
    judges = {j.email: j.name for j in snap.judges}
    full = exports.audience_shown(audience)
    return {
        "results": exports.results_rows(snap, audience),
        "scores": [
            {
                "performer_id": s.performer_id,
                "performer": names.get(s.performer_id, ""),
                "judge": s.judge,
                "judge_name": judges.get(s.judge, s.judge),
                "values": {k: str(v) for k, v in sorted(s.values.items())},
                "total": str(s.total),
                "revision": s.revision,
                "submitted_at": s.submitted_at,
                "comment": s.comment,
            }
            for s in sorted(snap.scores, key=lambda s: (s.performer_id, s.judge))
        ],
        "recused": {pid: list(judges_) for pid, judges_ in sorted(snap.conflicts.items())},
        "audience": None if full is None else full.as_json(),
    }
