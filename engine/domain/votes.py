"""The audience vote: windows on the show clock, what a vote may be, tallies, the people's choice and the
combined ranking. Pure: `now` and data in, no I/O.

Two modes (Setup, per event; off by default):
  per act  a performer's window opens when they go on stage and closes `grace_seconds` after their scoring
           window closed; a vote is 1 to 5 stars; the people's choice ranks by mean stars, then votes.
  final    one window after the last performer, open `final_minutes` (0: the admin opens and closes it);
           a vote names a favourite act; the people's choice ranks by votes.
Every window has its own code (shown on the kiosk and in its QR code); a vote needs the code of the
window it is for, so a code seen in the room stops working when its window closes.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from engine.domain.messages import N_
from engine.domain.model import EventState, InvalidInput, Phase, ScoreRefused, VoteMode, VoteSettings

FINAL = "FINAL"  # the final vote's window key (a per-act window's key is its performer's id)
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY2346789"  # nothing that reads as another letter or digit
CODE_LENGTH = 5
STARS = range(1, 6)
WRONG_CODE = N_("That code is not the one on the screen now; check it and try again.")
CLOSED = N_("Voting for this is closed.")


@dataclass(frozen=True)
class VoteWindow:
    key: str  # a performer's id (per act) or FINAL
    code: str
    opened_at: float
    closes_at: float | None = None  # None: open until the engine or the admin sets its close
    closed: bool = False  # closed: no vote commits any more
    tallied: bool = False  # its tally (read once closed) written to the log
    flags: tuple[dict, ...] = ()  # what the close found to flag (tallies.Flag.as_dict), for the desk

    def open_at(self, now: float) -> bool:
        return not self.closed and (self.closes_at is None or now < self.closes_at)


# What the engine (or the admin) writes, each one conditional on the window's stored state.
@dataclass(frozen=True)
class OpenWindow:
    key: str
    code: str
    at: float
    closes_at: float | None


@dataclass(frozen=True)
class SetClose:
    key: str
    closes_at: float


@dataclass(frozen=True)
class CloseWindow:
    key: str
    at: float


@dataclass(frozen=True)
class TallyWindow:
    """A closed window's tally, read from its counters once no vote can commit, written to the log."""

    key: str
    at: float


Change = OpenWindow | SetClose | CloseWindow | TallyWindow


def due(
    state: EventState, settings: VoteSettings, windows: Mapping[str, VoteWindow], now: float, code: str
) -> list[Change]:
    """What is due on the vote windows given the show's state: open the window of the performer on stage,
    set the close of a window whose performer has left the stage, close what is past its close and then
    tally it (two writes: a vote committing between a tally's read and the close would be counted but
    missing from the logged tally). `code`: a fresh code for a window opened now."""
    if settings.mode is VoteMode.OFF:
        return []
    changes: list[Change] = []
    for w in windows.values():
        if not w.closed and w.closes_at is not None and w.closes_at <= now:
            changes.append(CloseWindow(w.key, now))
        if (w.closed or w.closes_at is not None and w.closes_at <= now) and not w.tallied:
            changes.append(TallyWindow(w.key, now))
    if settings.mode is VoteMode.PER_ACT:
        on = state.performer_id
        for w in windows.values():
            if w.key != FINAL and w.closes_at is None and not w.closed and w.key != on:
                changes.append(SetClose(w.key, now + settings.grace_seconds))
        if on is not None and on not in windows:
            changes.append(OpenWindow(on, code, now, None))
    elif state.phase is Phase.FINISHED and FINAL not in windows and settings.final_minutes > 0:
        at = state.finished_at if state.finished_at is not None else now
        changes.append(OpenWindow(FINAL, code, at, at + settings.final_minutes * 60))
    return changes


def next_close(windows: Mapping[str, VoteWindow]) -> float | None:
    """When the engine must look again: the nearest close of a window not yet closed and tallied."""
    closes = [w.closes_at for w in windows.values() if not w.tallied and w.closes_at is not None]
    return min(closes) if closes else None


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normal_code(text: object) -> str:
    """A code as typed: spaces and case forgiven; anything too long to be one is refused."""
    if not isinstance(text, str) or len(text) > 20:
        raise InvalidInput(N_("A code is the five letters and digits shown on the screen."))
    return "".join(text.split()).upper()


def check_code(window: VoteWindow, code: str) -> None:
    if not secrets.compare_digest(window.code, code):
        raise ScoreRefused(WRONG_CODE)


def vote_value(key: str, value: object, performers: Sequence[str]) -> int | str:
    """A vote's value: 1–5 stars for an act; a performer of the event for the final vote."""
    if key == FINAL:
        if not isinstance(value, str) or value not in performers:
            raise InvalidInput(N_("Choose one of the acts."))
        return value
    if isinstance(value, bool) or not isinstance(value, int) or value not in STARS:
        raise InvalidInput(N_("A vote is 1 to 5 stars."))
    return value


def validate(s: VoteSettings) -> None:
    """Raises InvalidInput for the first thing wrong with the vote settings."""
    numbers = (s.grace_seconds, s.final_minutes)
    if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in numbers):
        raise InvalidInput(N_("The voting times must be numbers."))
    if not 0 <= s.grace_seconds <= 3600:
        raise InvalidInput(N_("Voting stays open 0 to 3600 seconds after an act's scoring closes."))
    if not 0 <= s.final_minutes <= 240:
        raise InvalidInput(N_("The final vote stays open 0 to 240 minutes (0: until the admin closes it)."))
    if s.jury_percent is not None and not 0 <= s.jury_percent <= 100:
        raise InvalidInput(N_("The jury's share of the combined ranking is 0 to 100 %."))


def settings_to_dict(s: VoteSettings) -> dict:
    return {
        "mode": s.mode.value,
        "grace_seconds": s.grace_seconds,
        "final_minutes": s.final_minutes,
        "jury_percent": s.jury_percent,
    }


def settings_from_dict(d: Mapping[str, object] | None) -> VoteSettings:
    if not d:
        return VoteSettings()
    jury = d.get("jury_percent")
    return VoteSettings(
        VoteMode(d.get("mode", "off")),
        float(d.get("grace_seconds", 60.0)),
        float(d.get("final_minutes", 5.0)),
        None if jury is None else int(jury),
    )


def after(window: VoteWindow | None, change: Change) -> VoteWindow:
    """A window as it is once `change` is written."""
    if isinstance(change, OpenWindow):
        return VoteWindow(change.key, change.code, change.at, change.closes_at)
    assert window is not None, "only an open window is given a close or closed"
    if isinstance(change, SetClose):
        return replace(window, closes_at=change.closes_at)
    if isinstance(change, TallyWindow):
        return replace(window, tallied=True)
    return replace(window, closed=True)
