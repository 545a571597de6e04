"""Checks on an event's settings and a judge's weight, and the criteria as typed into the setup form.

Pure: each bad input raises InvalidInput with the one sentence the admin sees.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from engine.domain import panels, votes
from engine.domain.accounts import hash_password
from engine.domain.messages import N_
from engine.domain.model import Criterion, InvalidInput, Settings

WEIGHT_RANGE = N_("A judge's weight must be a number from 0 to 100.")
CRITERIA_NUMBERS = N_("Each criterion needs numbers for min, max, step and weight.")
SECONDS = {
    "perform_seconds": N_("Perform seconds must be from 1 to 3600."),
    "score_seconds": N_("Score seconds must be from 1 to 3600."),
}


def validate_weight(weight: object) -> Decimal:
    try:
        w = Decimal(str(weight).strip())
    except Exception:
        raise InvalidInput(WEIGHT_RANGE) from None
    if not w.is_finite() or not Decimal(0) <= w <= Decimal(100):
        raise InvalidInput(WEIGHT_RANGE)
    return w


def account_changes(
    *, active: bool | None = None, weight: object = None, password: str | None = None
) -> dict[str, object]:
    """The account fields an admin's change sets (None: unchanged). Failed passwords throttle the
    client that sent them, not the account (domain/throttle.py), so a new password has nothing to clear."""
    fields: dict[str, object] = {}
    if active is not None:
        fields["active"] = bool(active)
    if weight is not None:
        fields["weight"] = validate_weight(weight)
    if password is not None:
        fields["password_hash"] = hash_password(password)
    return fields


def parse_criteria(rows: Iterable[Mapping[str, object]]) -> tuple[Criterion, ...]:
    """Criteria from the setup form's table rows (name, min, max, step, weight, optional judges: the
    sub-panel's emails, comma-separated, blank for every judge); rows without a name
    are the editor's blank lines and are left out. Range and step checks are validate_settings'."""
    try:
        return tuple(
            Criterion(
                str(row["name"]).strip(),
                Decimal(str(row["min"])),
                Decimal(str(row["max"])),
                Decimal(str(row["step"])),
                Decimal(str(row["weight"])),
                _judges(row.get("judges")),
            )
            for row in rows
            if str(row.get("name") or "").strip()
        )
    except (InvalidOperation, ValueError, TypeError, KeyError):
        raise InvalidInput(CRITERIA_NUMBERS) from None


def _judges(cell: object) -> tuple[str, ...]:
    """A criterion's sub-panel as typed: emails separated by commas; blank: every judge."""
    if isinstance(cell, (list, tuple)):
        cell = ",".join(map(str, cell))
    return tuple(dict.fromkeys(j.strip().lower() for j in str(cell or "").split(",") if j.strip()))


def _check_numbers(s: Settings, judges: int | None) -> None:
    for name, refusal in SECONDS.items():
        v = getattr(s, name)
        if not isinstance(v, (int, float)) or not math.isfinite(v) or not 1 <= v <= 3600:
            raise InvalidInput(refusal)
    if not 1 <= s.required_judges <= 100:
        raise InvalidInput(N_("Required judges must be from 1 to 100."))
    if judges is not None and s.required_judges > judges:
        raise InvalidInput(
            N_("Required judges ({required_judges}) is more than the {judges} active judges."),
            required_judges=s.required_judges,
            judges=judges,
        )
    if not 1 <= s.min_scores <= 100 or not 2 <= s.trim_min <= 100:
        raise InvalidInput(
            N_("Minimum scores must be from 1 and the trim threshold from 2, both at most 100.")
        )
    if not 1 <= s.trim_count <= 10:
        raise InvalidInput(N_("The trimmed rules drop 1 to 10 scores at each end."))
    if not 2 <= s.normalise_min <= 100:
        raise InvalidInput(N_("The normalised rule's minimum marks per judge must be from 2 to 100."))
    _check_rank_points(s.rank_points)


def _check_rank_points(table: tuple[Decimal, ...]) -> None:
    ok = 1 <= len(table) <= 100 and all(p.is_finite() and 0 <= p <= 10000 for p in table)
    if not ok or any(b > a for a, b in zip(table, table[1:], strict=False)):
        raise InvalidInput(
            N_(
                "Rank points need 1 to 100 numbers from 0 to 10000, 1st place's first, none above the "
                "one before."
            )
        )


def parse_rank_points(text: str) -> tuple[Decimal, ...]:
    """Rank points as typed: numbers separated by commas or spaces, 1st place's first."""
    try:
        return tuple(Decimal(t) for t in str(text).replace(",", " ").split())
    except (InvalidOperation, ValueError):
        raise InvalidInput(N_("Rank points are numbers separated by commas, 1st place's first.")) from None


def _check_criteria(criteria: tuple[Criterion, ...]) -> None:
    if not criteria or len(criteria) > 10:
        raise InvalidInput(N_("An event has 1 to 10 criteria."))
    names = set()
    for c in criteria:
        if not c.name.strip() or len(c.name) > 40 or c.name in names:
            raise InvalidInput(N_("Each criterion needs a distinct name of at most 40 characters."))
        names.add(c.name)
        if not (c.min.is_finite() and c.max.is_finite() and c.step.is_finite() and c.weight.is_finite()):
            raise InvalidInput(N_("{name}: range, step and weight must be finite numbers."), name=c.name)
        if c.min >= c.max or c.step <= 0 or c.step > c.max - c.min or c.weight < 0:
            raise InvalidInput(
                N_("{name}: needs min < max, a step from above 0 to the range, and a weight ≥ 0."),
                name=c.name,
            )
    if sum(c.weight for c in criteria) <= 0:
        raise InvalidInput(N_("At least one criterion needs a weight above 0."))


def validate_settings(s: Settings, judges: int | None = None) -> None:
    """Raises InvalidInput for the first thing wrong; `judges` is the number of active judges."""
    _check_numbers(s, judges)
    name = (s.event_name or "").strip()
    if not name or len(name) > 120:
        raise InvalidInput(N_("The event name must be 1 to 120 characters."))
    _check_criteria(s.criteria)
    panels.validate(s.criteria, s.shadows)
    votes.validate(s.votes)
