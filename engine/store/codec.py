"""Domain objects to and from plain dicts of stored attributes. Pure."""

from __future__ import annotations

import json
from decimal import Decimal

from engine.domain import votes
from engine.domain.model import (
    RANK_POINTS,
    Criterion,
    DeductionKind,
    EventState,
    MissingPolicy,
    Performer,
    PerformerStatus,
    Phase,
    Rule,
    Settings,
    TieBreak,
    TimeRule,
)
from engine.domain.stages import MAIN

PANELS = "panels"  # the settings item's map of sub-panels


def to_decimal(x: float | int | Decimal | None) -> Decimal | None:
    """A time or number as a DynamoDB-safe Decimal (microsecond precision for floats)."""
    if x is None:
        return None
    if isinstance(x, Decimal):
        return x
    if isinstance(x, int):
        return Decimal(x)
    return Decimal(f"{x:.6f}")


def to_float(x) -> float | None:
    return None if x is None else float(x)


def settings_to_json(s: Settings) -> str:
    return json.dumps(
        {
            "event_name": s.event_name,
            "perform_seconds": s.perform_seconds,
            "score_seconds": s.score_seconds,
            "required_judges": s.required_judges,
            "auto_start": s.auto_start,
            "auto_close": s.auto_close,
            "rule": s.rule.value,
            "missing": s.missing.value,
            "min_scores": s.min_scores,
            "trim_min": s.trim_min,
            "tie_breaks": [t.value for t in s.tie_breaks],
            "criteria": [
                {
                    "name": c.name,
                    "min": str(c.min),
                    "max": str(c.max),
                    "step": str(c.step),
                    "weight": str(c.weight),
                    **({"judges": list(c.judges)} if c.judges else {}),
                }
                for c in s.criteria
            ],
            "public_judge_scores": s.public_judge_scores,
            "trim_count": s.trim_count,
            "votes": votes.settings_to_dict(s.votes),
            "rank_overall": s.rank_overall,
            "rank_points": [str(p) for p in s.rank_points],
            "normalise_min": s.normalise_min,
            "criteria_sum": s.criteria_sum,
            "shadows": list(s.shadows),
            "head_judge": s.head_judge,
            "deductions": [
                {"name": k.name, "points": str(k.points), "cap": None if k.cap is None else str(k.cap)}
                for k in s.deductions
            ],
            **({"time_rule": _time_rule_to_dict(s.time_rule)} if s.time_rule.limit else {}),
        },
        sort_keys=True,
    )


def settings_attributes(s: Settings) -> dict:
    """The settings item's attributes: the JSON, and each sub-panel beside it (criterion -> its judges'
    emails), where a score's transaction can check it at commit (engine/store/score_commit.py)."""
    subpanels = {c.name: list(c.judges) for c in s.criteria if c.judges}
    return {"settings": settings_to_json(s), **({PANELS: subpanels} if subpanels else {})}


def settings_from_json(text: str | None) -> Settings:
    if not text:
        return Settings()
    d = json.loads(text)
    return Settings(
        event_name=d["event_name"],
        perform_seconds=float(d["perform_seconds"]),
        score_seconds=float(d["score_seconds"]),
        required_judges=int(d["required_judges"]),
        auto_start=bool(d["auto_start"]),
        auto_close=bool(d["auto_close"]),
        rule=Rule(d["rule"]),
        missing=MissingPolicy(d["missing"]),
        min_scores=int(d["min_scores"]),
        trim_min=int(d["trim_min"]),
        tie_breaks=tuple(TieBreak(t) for t in d["tie_breaks"]),
        criteria=tuple(
            Criterion(
                c["name"],
                Decimal(c["min"]),
                Decimal(c["max"]),
                Decimal(c["step"]),
                Decimal(c["weight"]),
                tuple(c.get("judges", ())),
            )
            for c in d["criteria"]
        ),
        public_judge_scores=bool(d["public_judge_scores"]),
        # Absent from settings saved before they existed: their defaults.
        trim_count=int(d.get("trim_count", 1)),
        rank_overall=bool(d.get("rank_overall", False)),
        votes=votes.settings_from_dict(d.get("votes")),
        rank_points=tuple(Decimal(p) for p in d["rank_points"]) if "rank_points" in d else RANK_POINTS,
        normalise_min=int(d.get("normalise_min", 3)),
        criteria_sum=bool(d.get("criteria_sum", False)),
        shadows=tuple(d.get("shadows", ())),
        head_judge=d.get("head_judge", ""),
        deductions=tuple(
            DeductionKind(k["name"], Decimal(k["points"]), None if k["cap"] is None else Decimal(k["cap"]))
            for k in d.get("deductions", ())
        ),
        time_rule=_time_rule_from_dict(d.get("time_rule")),
    )


def _time_rule_to_dict(r: TimeRule) -> dict:
    return {"limit": r.limit, "points": str(r.points), "step_points": str(r.step_points),
            "step_seconds": r.step_seconds, "cap": None if r.cap is None else str(r.cap)}  # fmt: skip


def _time_rule_from_dict(d: dict | None) -> TimeRule:
    if not d:
        return TimeRule()
    cap = None if d.get("cap") is None else Decimal(d["cap"])
    return TimeRule(
        int(d["limit"]), Decimal(d["points"]), Decimal(d["step_points"]), int(d["step_seconds"]), cap
    )


def state_to_item(s: EventState) -> dict:
    item = {
        "event_id": s.event_id,
        "phase": s.phase.value,
        "order": list(s.order),
        "index": s.index,
        "window_id": s.window_id,
        "window_started_at": to_decimal(s.window_started_at),
        "deadline": to_decimal(s.deadline),
        "paused": s.paused,
        "paused_remaining": to_decimal(s.paused_remaining),
        "paused_at": to_decimal(s.paused_at),
        "paused_for": to_decimal(s.paused_for) if s.paused_for else None,
        "version": s.version,
        "started_at": to_decimal(s.started_at),
        "finished_at": to_decimal(s.finished_at),
        "superseded_by": s.superseded_by,
        "stage": s.stage,
        # Derived, stored so that a score's ConditionCheck can name it.
        "performer_id": s.performer_id or "-",
    }
    return {k: v for k, v in item.items() if v is not None}


def state_from_item(item: dict) -> EventState:
    return EventState(
        event_id=item["event_id"],
        phase=Phase(item["phase"]),
        order=tuple(item.get("order") or ()),
        index=int(item.get("index", -1)),
        window_id=int(item.get("window_id", 0)),
        window_started_at=to_float(item.get("window_started_at")),
        deadline=to_float(item.get("deadline")),
        paused=bool(item.get("paused", False)),
        paused_remaining=to_float(item.get("paused_remaining")),
        paused_at=to_float(item.get("paused_at")),
        paused_for=to_float(item.get("paused_for")) or 0.0,
        version=int(item.get("version", 0)),
        started_at=to_float(item.get("started_at")),
        finished_at=to_float(item.get("finished_at")),
        superseded_by=item.get("superseded_by"),
        stage=item.get("stage") or MAIN,
    )


def performer_to_item(event_id: str, p: Performer) -> dict:
    item = {
        "event_id": event_id,
        "performer_id": p.performer_id,
        "name": p.name,
        "order": p.order,
        "category": p.category,
        "status": p.status.value,
        "started_at": to_decimal(p.started_at),
        "ended_at": to_decimal(p.ended_at),
        "difficulty": p.difficulty,
        "performed_seconds": to_decimal(p.performed_seconds),
    }
    return {k: v for k, v in item.items() if v is not None}


def performer_from_item(item: dict) -> Performer:
    return Performer(
        performer_id=item["performer_id"],
        name=item["name"],
        order=int(item["order"]),
        category=item.get("category", ""),
        status=PerformerStatus(item.get("status", "waiting")),
        started_at=to_float(item.get("started_at")),
        ended_at=to_float(item.get("ended_at")),
        difficulty=Decimal(item.get("difficulty", 1)),
        performed_seconds=to_float(item.get("performed_seconds")),
    )
