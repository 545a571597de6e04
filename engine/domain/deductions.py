"""The head judge's deductions and penalties: a catalogue set in Setup ("Fall", 0.25 each, at most 1.75
per performer), free penalties with a reason, taken off a performer's total after aggregation.

Pure: settings, state and data in, no I/O. Who may enter one, for whom and until when is decided here;
the store's transaction checks the sign-off again at commit (engine/store/deductions.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from engine.domain.comments import clean_comment
from engine.domain.messages import N_, Said
from engine.domain.model import (
    DeductionKind,
    EventState,
    InvalidInput,
    NotAllowed,
    Performer,
    PerformerStatus,
    Role,
    ScoreRefused,
    Settings,
)

MAX_KINDS = 20
MAX_POINTS = Decimal(100)
MAX_COUNT = 20
HEAD_ONLY = N_("Only the head judge or an admin can enter deductions.")
FROZEN_WITHDRAW = N_("The results are official, so a deduction can no longer be withdrawn.")
PERFORMED = (PerformerStatus.PERFORMING, PerformerStatus.SCORING, PerformerStatus.DONE)


@dataclass(frozen=True)
class Deduction:
    """One entry: `count` × a catalogue deduction, or a free penalty (kind "") of `points` for `reason`."""

    entry_id: str
    performer_id: str
    kind: str  # the catalogue's name; "" for a free penalty
    points: Decimal  # what this entry takes off, before the kind's cap
    reason: str
    by: str
    at: float
    count: int = 1


# ---- the catalogue (Setup) -------------------------------------------------------------------------
def _number(text: object, what: Said) -> Decimal:
    try:
        value = Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput(N_("{what} must be a number."), what=what) from None
    if not value.is_finite() or not 0 < value <= MAX_POINTS:
        raise InvalidInput(N_("{what} must be above 0 and at most {most}."), what=what, most=MAX_POINTS)
    return value


def parse_catalogue(rows: Iterable[Mapping[str, object]]) -> tuple[DeductionKind, ...]:
    """The catalogue from Setup's table rows (name, points, optional cap); rows without a name are left
    out. Raises InvalidInput for the first thing wrong."""
    kinds = []
    for row in rows:
        name = str(row.get("name") or "").strip()
        if not name:
            continue
        cap = row.get("cap")
        blank = cap is None or str(cap).strip() in ("", "None", "nan")
        kinds.append(
            DeductionKind(
                name,
                _number(row.get("points"), Said(N_("{name}: points"), name=name)),
                None if blank else _number(cap, Said(N_("{name}: cap"), name=name)),
            )
        )
    validate_catalogue(kinds)
    return tuple(kinds)


def validate_catalogue(kinds: Sequence[DeductionKind]) -> None:
    if len(kinds) > MAX_KINDS:
        raise InvalidInput(N_("The deduction catalogue holds at most {most} deductions."), most=MAX_KINDS)
    names = [k.name for k in kinds]
    if len(set(names)) != len(names) or any(not n.strip() or len(n) > 40 for n in names):
        raise InvalidInput(N_("Each deduction needs a distinct name of at most 40 characters."))
    for k in kinds:
        if k.cap is not None and k.cap < k.points:
            raise InvalidInput(
                N_("{name}: its cap ({cap}) is less than one deduction ({points})."),
                name=k.name,
                cap=k.cap,
                points=k.points,
            )


# ---- who, for whom, until when ----------------------------------------------------------------------
def may_enter(settings: Settings, email: str, role: Role) -> bool:
    """The head judge of this event, or an admin."""
    return role is Role.ADMIN or (bool(settings.head_judge) and email == settings.head_judge)


def check_performer(performer: Performer | None, signed_off: bool) -> None:
    """A deduction is for a performer on stage or who has performed, until the results are official."""
    if signed_off:
        raise ScoreRefused(N_("The results are official, so deductions can no longer change."))
    if performer is None:
        raise InvalidInput(N_("There is no such performer in this event."))
    if performer.status not in PERFORMED:
        raise ScoreRefused(N_("{name} has not performed yet."), name=performer.name)


def on_stage(state: EventState) -> str | None:
    """The performer a head judge's screen enters deductions for by default."""
    return state.performer_id


# ---- an entry ----------------------------------------------------------------------------------------
def entry_for(
    settings: Settings, kind: str | None, count: object = 1, points: object = None, reason: object = ""
) -> tuple[str, Decimal, str, int]:
    """(kind, points, reason, count) of a new entry: `count` of the catalogue's `kind`, or with no kind a
    free penalty of `points` with its `reason`. InvalidInput for anything else."""
    if kind:
        known = {k.name: k for k in settings.deductions}
        if kind not in known:
            raise InvalidInput(
                N_("There is no deduction {kind} in this event's catalogue."), kind=f"{kind!s:.40}"
            )
        try:
            n = int(str(count).strip())
        except ValueError:
            n = 0
        if not 1 <= n <= MAX_COUNT:
            raise InvalidInput(N_("The count must be a whole number from 1 to {most}."), most=MAX_COUNT)
        return kind, known[kind].points * n, kind, n
    text = clean_comment(reason)
    if not text:
        raise InvalidInput(N_("A penalty needs a reason."))
    return "", _number(points, Said(N_("A penalty's points"))), text, 1


def check_cap(
    settings: Settings, entries: Sequence[Deduction], performer_id: str, kind: str, points: Decimal
) -> None:
    """Refuses an entry that would take the performer past the kind's cap (the total is capped anyway)."""
    cap = next((k.cap for k in settings.deductions if k.name == kind), None)
    if not kind or cap is None:
        return
    already = sum(
        (e.points for e in entries if e.performer_id == performer_id and e.kind == kind), Decimal(0)
    )
    if already + points > cap:
        raise InvalidInput(
            N_("{kind} takes at most {cap} off a performer; {already} is already deducted."),
            kind=kind,
            cap=cap,
            already=already,
        )


# ---- what comes off --------------------------------------------------------------------------------
def off(settings: Settings, entries: Iterable[Deduction]) -> dict[str, Decimal]:
    """performer_id -> the points taken off: each catalogue kind summed and held to its cap, free
    penalties added. A kind no longer in the catalogue counts uncapped."""
    caps = {k.name: k.cap for k in settings.deductions}
    per: dict[tuple[str, str], Decimal] = {}
    for e in entries:
        key = (e.performer_id, e.kind or f"#{e.entry_id}")
        per[key] = per.get(key, Decimal(0)) + e.points
    out: dict[str, Decimal] = {}
    for (pid, kind), points in sorted(per.items()):
        cap = caps.get(kind)
        out[pid] = out.get(pid, Decimal(0)) + (min(points, cap) if cap is not None else points)
    return out


def lines(settings: Settings, entries: Iterable[Deduction], performer_id: str) -> list[str]:
    """A performer's deductions as a score sheet or a board lists them: "Fall ×2: −0.50" (each a Said: the
    ui says it in the reader's language with ui.i18n.text)."""
    mine = [e for e in entries if e.performer_id == performer_id]
    out = []
    for e in sorted(mine, key=lambda e: (e.at, e.entry_id)):
        out.append(Said(N_("{what}: −{points}"), what=_what(e), points=e.points))
    total = off(settings, mine).get(performer_id)
    if total is not None and total != sum((e.points for e in mine), Decimal(0)):
        out.append(Said(N_("(capped: −{total} in all)"), total=total))
    return out


def not_allowed() -> NotAllowed:
    return NotAllowed(HEAD_ONLY)


# ---- withdrawing one entered by mistake -----------------------------------------------------------------
def check_withdraw(entries: Sequence[Deduction], entry_id: str, signed_off: bool) -> Deduction:
    """The entry to withdraw (a withdrawn one is no longer among `entries`): until the results are
    official. Its entry stays in the log; the withdrawal is an entry of its own."""
    if signed_off:
        raise ScoreRefused(FROZEN_WITHDRAW)
    found = next((e for e in entries if e.entry_id == str(entry_id or "").strip()), None)
    if found is None:
        raise InvalidInput(
            N_("There is no deduction {entry} to withdraw; it may be withdrawn already."),
            entry=str(entry_id)[:40],
        )
    return found


def label(entry: Deduction, name: str) -> Said:
    """An entry as a list to choose from shows it: "Ada — Fall ×2: −0.50 (head@x)"."""
    by = entry.by or Said(N_("operator"))
    return Said(
        N_("{name} — {what}: −{points} ({by})"), name=name, what=_what(entry), points=entry.points, by=by
    )


def _what(e: Deduction) -> Said:
    if e.kind:
        return Said(N_("{kind} ×{count}"), kind=e.kind, count=e.count)
    return Said(N_("Penalty ({reason})"), reason=e.reason)
