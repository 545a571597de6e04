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
