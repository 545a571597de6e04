"""What Setup says of the audience vote (engine/domain/votes.py has its rules); apart so that Settings
(domain/model.py) can hold it without an import cycle."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class VoteMode(enum.StrEnum):
    OFF = "off"
    PER_ACT = "per_act"
    FINAL = "final"


@dataclass(frozen=True)
class VoteSettings:
    mode: VoteMode = VoteMode.OFF
    grace_seconds: float = 60.0  # per act: open this long after the performer's scoring window closed
    final_minutes: float = 5.0  # final: open this long after the last performer; 0: the admin decides
    jury_percent: int | None = None  # the combined ranking's jury share of the points; None: none
