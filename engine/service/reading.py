"""An event read in full for a page, the CLI or an export: one Snapshot from the store's repositories.
(The live feed builds its own, a tick at a time: engine/service/feed.py.)"""

from __future__ import annotations

from engine.domain import panels, release, stages
from engine.domain.model import Role
from engine.domain.snapshot import Snapshot, compute_results
from engine.store import EventBundle, Store


def snapshot(store: Store, b: EventBundle, now: float) -> Snapshot:
    """Everything a screen shows of the event `b`: a shadow judge's scores kept apart, never counted."""
    eid = b.state.event_id
    performers = store.performers.list(eid)
    scores = store.scores.list(eid)
    rel = store.results.get(eid)
    judges = release.judges_as_signed(rel, stages.panel(store.accounts.list(Role.JUDGE), b.state.stage))
    conflicts, rnd = store.conflicts.list(eid), store.rounds.get(eid)
    return Snapshot(
        at=now,
        state=b.state,
        settings=b.settings,
        performers=performers,
        scores=panels.counted(scores, b.settings),
        shadow_scores=panels.shadowed(scores, b.settings),
        judges=judges,
        present=b.present(now, store.config.presence_seconds),
        flags=b.flags,
        results=compute_results(
            b.settings, performers, scores, judges, None, conflicts, rnd.carried, b.deductions
        ),
        conflicts=conflicts,
        deductions=b.deductions,
        round=rnd,
        release=rel,
    )
