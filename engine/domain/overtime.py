"""The time penalty: a performance timed by the engine's own clock, from its perform window's start to the
admin's "done" (pauses left out: engine/domain/rules.performed), against the event's time limit.

The rule, one for every sport that has one: over the limit by any amount, `points` off; plus `step_points`
for each full `step_seconds` beyond the limit; at most `cap` in all. A time counts in whole seconds, as a
stopwatch shows it (3:00.4 is 3:00, within a 3:00 limit). The penalty enters as the head judge's free
penalties do (service.panels.deduct), once per performer.

Pure: settings and numbers in, no I/O.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation

from engine.domain.catalogue import TimeRule
from engine.domain.messages import N_
from engine.domain.model import InvalidInput, Performer, Settings

MAX_LIMIT = 24 * 3600
MAX_POINTS = Decimal(100)
NO_LIMIT = N_("This event has no time limit; set one in Setup.")
NOT_TIMED = N_("{name}'s performance was not timed: it ends with the admin's Done.")


def _number(text: object, what: str, whole: bool = False) -> Decimal:
    raw = str(text if text is not None else "").strip()
    try:
        value = Decimal(raw or "0")
    except (InvalidOperation, ValueError):
        raise InvalidInput(N_("{what} must be a number."), what=what) from None
    top = MAX_LIMIT if whole else MAX_POINTS
    if not value.is_finite() or not 0 <= value <= top or (whole and value != value.to_integral_value()):
        said = (
            N_("{what} must be a whole number from 0 to {top}.")
            if whole
            else N_("{what} must be a number from 0 to {top}.")
        )
        raise InvalidInput(said, what=what, top=top)
    return value


def parse(
    limit: object, points: object = 0, step_points: object = 0, step_seconds: object = 0, cap: object = None
) -> TimeRule:
    """The rule from Setup's fields or the CLI (blank: 0; a blank cap: none). InvalidInput for the first
    thing wrong: a limit without a penalty, a step without its seconds, a cap below the first penalty."""
    rule = TimeRule(
        int(_number(limit, "The time limit", whole=True)),
        _number(points, "The time penalty's points"),
        _number(step_points, "The points per step"),
        int(_number(step_seconds, "The step's seconds", whole=True)),
        None
        if str(cap if cap is not None else "").strip() in ("", "None", "nan")
        else _number(cap, "Its cap"),
    )
    if not rule.limit:
        return TimeRule()
    if not rule.points and not rule.step_points:
        raise InvalidInput(N_("A time limit needs a penalty: points for going over, or points per step."))
    if bool(rule.step_points) != bool(rule.step_seconds):
        raise InvalidInput(N_("Points per step need the step's seconds, and the other way round."))
    if rule.cap is not None and rule.cap < max(rule.points, rule.step_points):
        raise InvalidInput(N_("The time penalty's cap ({cap}) is less than its first penalty."), cap=rule.cap)
    return rule


def over_by(rule: TimeRule, performed: float) -> int:
    """Whole seconds over the limit (0: within it, or no limit)."""
    if not rule.limit or not math.isfinite(performed):
        return 0
    return max(0, math.floor(performed) - rule.limit)


def penalty(rule: TimeRule, performed: float) -> Decimal:
    """What going over takes off (0 within the limit)."""
    over = over_by(rule, performed)
    if not over:
        return Decimal(0)
    steps = over // rule.step_seconds if rule.step_seconds else 0
    points = rule.points + rule.step_points * steps
    return points if rule.cap is None else min(points, rule.cap)


def clock(seconds: float) -> str:
    """3:12, as a stopwatch shows whole seconds."""
    whole = max(0, math.floor(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def reason(rule: TimeRule, performed: float) -> str:
    """The penalty's reason, as the log, the score sheet and the board say it."""
    return f"Over time by {over_by(rule, performed)} s: {clock(performed)}, limit {clock(rule.limit)}"


def describe(rule: TimeRule) -> str:
    """The rule in one line (Setup, `panel show`): "limit 3:00: over it 0.5, plus 0.1 per full 5 s beyond,
    at most 2"."""
    if not rule.limit:
        return "no time limit"
    parts = [f"limit {clock(rule.limit)}: over it {rule.points}"]
    if rule.step_points:
        parts.append(f"plus {rule.step_points} per full {rule.step_seconds} s beyond")
    if rule.cap is not None:
        parts.append(f"at most {rule.cap}")
    return ", ".join(parts)


def entry_for(settings: Settings, performer: Performer) -> tuple[Decimal, str]:
    """(points, reason) of `performer`'s time penalty (points 0: within the limit). InvalidInput when the
    event has no limit or the performance was not timed."""
    rule = settings.time_rule
    if not rule.limit:
        raise InvalidInput(NO_LIMIT)
    if performer.performed_seconds is None:
        raise InvalidInput(NOT_TIMED, name=performer.name)
    return penalty(rule, performer.performed_seconds), reason(rule, performer.performed_seconds)


def entry_id(performer_id: str) -> str:
    """A performer's time penalty has one id: entering it again finds it there (idempotent)."""
    return f"time-{performer_id}"
