"""The admin desk's missing-scores report: which judge is missing which criterion for which performer (the
performer being scored and every one whose scoring has closed), and who stepped aside for them; built from
a snapshot by engine/domain/panels.missing_report. Shadow judges are never waited for."""

from __future__ import annotations

from engine.domain import panels
from engine.domain.model import PerformerStatus
from engine.domain.snapshot import Snapshot

MAX_LINES = 50  # the desk lists the newest this many; the count says how many there are


def report(snap: Snapshot, names: dict[str, str]) -> dict:
    """{"lines": [{performer, criterion, missing: [names], stepped_aside: [names]}, …] (newest performer
    first, at most MAX_LINES), "count": how many lines in all}."""
    ids = [
        p.performer_id
        for p in sorted(snap.performers, key=lambda p: p.order, reverse=True)
        if p.status is PerformerStatus.DONE
        or (p.status is PerformerStatus.SCORING and p.performer_id == snap.state.performer_id)
    ]
    scored = {pid: snap.by_performer.get(pid, {}).keys() for pid in ids}
    recused = {pid: snap.recused_for(pid) for pid in ids}
    found = panels.missing_report(snap.settings.criteria, snap.panel, ids, scored, recused)
    name = lambda email: names.get(email, email.split("@")[0])  # noqa: E731
    lines = [
        {
            "performer": snap.performer_name(m.performer_id),
            "criterion": m.criterion,
            "missing": [name(j) for j in m.judges],
            "stepped_aside": [name(j) for j in m.stepped_aside],
        }
        for m in found[:MAX_LINES]
    ]
    return {"lines": lines, "count": len(found)}
