"""Expected start times, recomputed from the running order, the windows' lengths, pauses, extensions,
skips and the actual times so far. Pure: every function takes `now`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from engine.domain.model import EventState, Performer, PerformerStatus, Phase, Settings

GONE = (PerformerStatus.SKIPPED, PerformerStatus.NO_SHOW, PerformerStatus.NOT_PERFORMED)


@dataclass(frozen=True)
class Slot:
    performer_id: str
    name: str
    category: str
    status: PerformerStatus
    expected_start: float | None  # actual start for those who have started; None: will not perform


def _slot(settings: Settings) -> float:
    return float(settings.perform_seconds) + float(settings.score_seconds)


def current_end(state: EventState, settings: Settings, now: float) -> float | None:
    """When the performer on stage should leave it: a paused clock keeps its remaining time frozen."""
    if state.phase not in (Phase.PERFORMING, Phase.SCORING):
        return None
    remaining = state.remaining(now) or 0.0
    tail = float(settings.score_seconds) if state.phase is Phase.PERFORMING else 0.0
    return now + remaining + tail


def expected_starts(
    state: EventState, settings: Settings, performers: Sequence[Performer], now: float
) -> list[Slot]:
    """Every performer of the round, in running order, with their (expected) start."""
    people = {p.performer_id: p for p in performers}
    slot = _slot(settings)
    if state.phase in (Phase.SETUP, Phase.LOBBY):
        first, clock = 0, now
    elif state.phase is Phase.FINISHED:
        first, clock = len(state.order), now
    else:
        first, clock = state.index + 1, current_end(state, settings, now) or now
    starts: dict[str, float | None] = {}
    for i, pid in enumerate(state.order):
        p = people.get(pid)
        if p is None:
            continue
        if i < first:
            starts[pid] = p.started_at if p.status not in GONE else None
        elif p.status is PerformerStatus.WAITING:
            starts[pid] = clock
            clock += slot
    ordered = list(dict.fromkeys(state.order)) + [
        p.performer_id for p in performers if p.performer_id not in state.order
    ]
    return [
        Slot(pid, people[pid].name, people[pid].category, people[pid].status, starts.get(pid))
        for pid in ordered
        if pid in people
    ]


def behind_plan(state: EventState, settings: Settings, performers: Sequence[Performer], now: float) -> float:
    """Seconds the performer on stage will finish after back-to-back slots from the first start would
    have them finish (negative: ahead, e.g. after a skip); 0 before the start."""
    if state.started_at is None or state.phase in (Phase.SETUP, Phase.LOBBY):
        return 0.0
    slot = _slot(settings)
    if state.phase is Phase.FINISHED:
        return round((state.finished_at or now) - (state.started_at + slot * len(state.order)), 3)
    end = current_end(state, settings, now) or now
    return round(end - (state.started_at + slot * (state.index + 1)), 3)


def clock_time(t: float) -> str:
    """21:40, in the server's local time (the venue's, where the server runs)."""
    return time.strftime("%H:%M", time.localtime(t))


def lineup(
    state: EventState,
    settings: Settings,
    performers: Sequence[Performer],
    now: float,
    clock: Callable[[float], str] = clock_time,
) -> dict:
    """On stage / Next up / later (about 21:40), as the public board shows them."""
    slots = expected_starts(state, settings, performers, now)
    on_stage = next((s for s in slots if s.performer_id == state.performer_id), None)
    waiting = [s for s in slots if s.status is PerformerStatus.WAITING and s.expected_start is not None]
    waiting.sort(key=lambda s: s.expected_start)

    def line(s: Slot | None) -> dict | None:
        if s is None:
            return None
        return {"performer": s.name, "category": s.category, "expected_start": s.expected_start}

    later = [{**line(s), "label": f"later (about {clock(s.expected_start)})"} for s in waiting[1:]]
    return {"on_stage": line(on_stage), "next_up": line(waiting[0] if waiting else None), "later": later}
