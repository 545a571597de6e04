"""After a score's answer, off the judge's path: the outlier flags the score raised, logged from what the
stage's live feed already holds (no extra read)."""

from __future__ import annotations

import logging

from engine.domain.model import Score, StagescoreError
from engine.domain.release import Release
from ui.live.hub import Hub

log = logging.getLogger("stagescore.live")


async def check(hub: Hub, score: Score, timeout: float = 10.0) -> None:
    """Wait for a feed read begun after the score's commit (the feed reads the performer on stage
    consistently each tick, so every score committed before it is in), then log the flags it raised."""
    if not await hub.read_after(timeout):
        log.warning("outlier check skipped after a score: the live feed did not read in time")
        return
    await hub.blocking(record, hub, score)


def record(hub: Hub, score: Score) -> None:
    """Log the outlier flags a score raised, from what the feed holds: the performer's other scores, the
    settings, the judges' names (in a worker thread)."""
    if hub.built is None:
        return
    reading = hub.built.reading
    snap = reading.snapshot
    values = {j: s.values for j, s in hub.feed.scores_of(score.performer_id).items()}
    values[score.judge] = score.values  # fresher than the feed's last read
    distance = (snap.release or Release(snap.event_id)).settings.outlier_distance
    labels = {a.email: a.name for a in reading.accounts.values()}
    try:
        hub.svc.results.record_flags(
            score, values, snap.settings.criteria, distance, labels, snap.settings.shadows
        )
    except StagescoreError as e:  # the score is stored: a failed check never loses it
        log.warning("outlier check skipped after a score: %s", e)
