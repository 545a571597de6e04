"""A deduction of the head judge's catalogue, as Setup sets it (the rules are engine/domain/deductions.py;
this type lives apart so that the settings in engine/domain/model.py can hold a catalogue)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class DeductionKind:
    """ "Fall", 0.25 each, at most 1.75 per performer."""

    name: str
    points: Decimal
    cap: Decimal | None = None  # the most this deduction takes off one performer; None: no cap


@dataclass(frozen=True)
class TimeRule:
    """The time limit and its penalty (engine/domain/overtime.py): over `limit` seconds by any amount,
    `points` off, plus `step_points` per full `step_seconds` beyond the limit, at most `cap` in all.
    `limit` 0: the event has no time limit."""

    limit: int = 0
    points: Decimal = Decimal(0)
    step_points: Decimal = Decimal(0)
    step_seconds: int = 0
    cap: Decimal | None = None
