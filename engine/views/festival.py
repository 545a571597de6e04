"""What the festival's overview screens show, one row per stage: the organiser's desk (what is on every
stage, how late, how many scores are in, whether its engine runs) and the public "Now on every stage"."""

from __future__ import annotations

import math
from dataclasses import dataclass

from engine.domain import schedule
from engine.domain.health import EngineHealth
from engine.domain.messages import N_
from engine.domain.model import Phase
from engine.domain.snapshot import PHASE_LABEL, Snapshot
from engine.domain.stages import Stage

TIMED = (Phase.PERFORMING, Phase.SCORING)


@dataclass(frozen=True)
class StageView:
    """One stage as read for an overview: its current event (None before it has one) and engine."""

    stage: Stage
    snapshot: Snapshot | None
    health: EngineHealth | None = None


def desk_row(view: StageView, now: float) -> dict:
    """The festival desk's line for one stage."""
    snap = view.snapshot
    row = {"stage": view.stage.stage_id, N_("Stage"): view.stage.name}
    if snap is None:
        return row | {
            N_("Phase"): N_("No event yet"),
            N_("On stage"): "—",
            N_("Time left"): "—",
            N_("Behind plan"): "—",
            N_("Scores in"): "—",
            N_("Engine"): "—",
        }
    s = snap.state
    current = snap.current
    on = snap.by_performer.get(s.performer_id or "", {})
    behind = schedule.behind_plan(s, snap.settings, snap.performers, now)
    health = view.health
    return row | {
        N_("Phase"): PHASE_LABEL[s.phase] + (" (paused)" if s.paused else ""),
        N_("On stage"): current.name if current else "—",
        N_("Time left"): _left(snap, now),
        N_("Behind plan"): f"{math.ceil(behind / 60)} min" if behind >= 60 else N_("on time"),
        N_("Scores in"): f"{len(on)} / {len(snap.judges)}" if s.phase in TIMED else "—",
        N_("Engine"): "—"
        if health is None
        else (N_("running") if health.healthy else health.problem or N_("not running")),
    }


def now_on(view: StageView, now: float) -> dict:
    """What a phone shows for one stage: what is on, what is next (and about when)."""
    snap = view.snapshot
    out = {
        "stage": view.stage.stage_id,
        "name": view.stage.name,
        "phase": None,
        "on_stage": None,
        "next_up": None,
    }
    if snap is None:
        return out
    lineup = schedule.lineup(snap.state, snap.settings, snap.performers, now)
    next_up = lineup["next_up"]
    return out | {
        "phase": PHASE_LABEL[snap.state.phase],
        "event_name": snap.settings.event_name,
        "on_stage": lineup["on_stage"]["performer"] if lineup["on_stage"] else None,
        "category": lineup["on_stage"]["category"] if lineup["on_stage"] else None,
        "next_up": next_up["performer"] if next_up else None,
        "next_at": schedule.clock_time(next_up["expected_start"])
        if next_up and next_up["expected_start"]
        else None,
    }


def _left(snap: Snapshot, now: float) -> str:
    if snap.state.phase not in TIMED:
        return "—"
    remaining = snap.state.remaining(now)
    return "—" if remaining is None else f"{math.ceil(remaining)} s"
