"""Results you can trust: live -> provisional (the last window closed) -> official (signed off), the
protest window, what freezes after sign-off, and the staged reveal. Pure: `now` and data in, no I/O."""

from __future__ import annotations

import enum
import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from engine.domain.messages import N_
from engine.domain.model import Account, CommandRefused, EventState, InvalidInput, Phase, Role
from engine.domain.outliers import DEFAULT_DISTANCE
from engine.domain.ranking import PerformerResult

COMING_SOON = N_("Results coming soon")
MAX_PROTEST_MINUTES = 240
MAX_REVEAL_SECONDS = 600


class ResultsStatus(enum.StrEnum):
    LIVE = "live"
    PROVISIONAL = "provisional"
    OFFICIAL = "official"


LABEL = {ResultsStatus.LIVE: "", ResultsStatus.PROVISIONAL: N_("Provisional results")}
LABEL[ResultsStatus.OFFICIAL] = N_("Official results")


@dataclass(frozen=True)
class ResultsSettings:
    outlier_distance: Decimal = DEFAULT_DISTANCE  # points on a 0-10 scale; 0 turns the check off
    protest_minutes: int = 0
    hide_until_revealed: bool = False
    reveal_every_seconds: int = 0  # 0: one place per "Reveal next"
    judge_names_on_sheets: bool = True  # False: "Judge A, B, C"


@dataclass(frozen=True)
class Release:
    """The results item of one event (round): its settings, the sign-off and the reveal."""

    event_id: str
    settings: ResultsSettings = field(default_factory=ResultsSettings)
    signed_off_by: str | None = None
    signed_off_at: float | None = None
    results_hash: str | None = None
    revealed: int = 0
    revealed_at: float | None = None
    version: int = 0
    judges: tuple[tuple[str, str, str, bool], ...] | None = None  # (email, name, weight, active) at sign-off

    @property
    def official(self) -> bool:
        return self.signed_off_at is not None


def validate_results_settings(s: ResultsSettings) -> None:
    d = s.outlier_distance
    if not isinstance(d, Decimal) or not d.is_finite() or not 0 <= d <= 10:
        raise InvalidInput(N_("The outlier distance must be from 0 (off) to 10 points on a 0-10 scale."))
    if not 0 <= s.protest_minutes <= MAX_PROTEST_MINUTES:
        raise InvalidInput(
            N_("The protest window must be from 0 to {MAX_PROTEST_MINUTES} minutes."),
            MAX_PROTEST_MINUTES=MAX_PROTEST_MINUTES,
        )
    if not 0 <= s.reveal_every_seconds <= MAX_REVEAL_SECONDS:
        raise InvalidInput(
            N_("The reveal timer must be from 0 (by click) to {MAX_REVEAL_SECONDS} seconds."),
            MAX_REVEAL_SECONDS=MAX_REVEAL_SECONDS,
        )


def status(state: EventState, release: Release) -> ResultsStatus:
    if release.official:
        return ResultsStatus.OFFICIAL
    return ResultsStatus.PROVISIONAL if state.phase is Phase.FINISHED else ResultsStatus.LIVE


def protest_deadline(state: EventState, settings: ResultsSettings) -> float | None:
    """When the protest window closes (None: no window, or the last scoring window is still to close)."""
    if state.phase is not Phase.FINISHED or state.finished_at is None or settings.protest_minutes <= 0:
        return None
    return state.finished_at + settings.protest_minutes * 60


def protest_remaining(state: EventState, settings: ResultsSettings, now: float) -> float | None:
    deadline = protest_deadline(state, settings)
    return None if deadline is None else max(0.0, deadline - now)


def check_sign_off(state: EventState, release: Release, now: float) -> None:
    """Raises CommandRefused (one sentence) unless the results can become official at `now`."""
    if release.official:
        raise CommandRefused(
            N_("The results are already official (signed off by {signed_off_by})."),
            signed_off_by=release.signed_off_by,
        )
    if state.phase is not Phase.FINISHED:
        raise CommandRefused(N_("Results are still live: sign off once the last scoring window has closed."))
    left = protest_remaining(state, release.settings, now)
    if left:
        minutes = math.ceil(left / 60)
        raise CommandRefused(
            f"The protest window is open for {minutes} more minute{'s' if minutes != 1 else ''}; "
            "sign off once it has closed."
        )


def check_writable(release: Release, what: str) -> None:
    """After sign-off the round's scores, settings and roster stay as they were signed off."""
    if release.official:
        raise CommandRefused(N_("The results are official, so the {what} can no longer change."), what=what)


def freeze_judges(judges: Sequence[Account]) -> tuple[tuple[str, str, str, bool], ...]:
    """The judges as they are at sign-off (weights and who is active rank the round), to keep with it."""
    return tuple((j.email, j.name, str(j.weight), j.active) for j in judges)


def judges_as_signed(release: Release, judges: Sequence[Account]) -> list[Account]:
    """The judges to rank the round with: once official, as they were at sign-off, whatever changed in
    the accounts since (a weight, a judge disabled or added for a later round)."""
    if not release.official or release.judges is None:
        return list(judges)
    return [Account(e, n, Role.JUDGE, Decimal(w), a) for e, n, w, a in release.judges]


def results_hash(document: dict) -> str:
    """SHA-256 of the results document in a canonical form (sorted keys, no spaces)."""
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


Groups = Mapping[str, Sequence[PerformerResult]]


def reveal_places(results: Sequence[PerformerResult], groups: Groups | None = None) -> list[list[str]]:
    """Ranked performers grouped by place, last place first: the order of the reveal (podium last).

    With categories ranked apart (`groups`: category -> its results, ranked among themselves, in the
    categories' order) a place is one category's: the last places first, each rank in the categories'
    order, so every category's winner comes last."""
    ranked = groups.values() if groups is not None else [results]
    places: dict[tuple[int, int], list[str]] = {}
    for index, members in enumerate(ranked):
        for r in members:
            if r.rank is not None:
                places.setdefault((r.rank, index), []).append(r.performer_id)
    return [sorted(places[key]) for key in sorted(places, key=lambda k: (-k[0], k[1]))]


def revealed_count(release: Release, places: int, now: float) -> int:
    """How many places are revealed at `now`: the clicks, plus one per interval on a timer."""
    shown = release.revealed
    every = release.settings.reveal_every_seconds
    if every > 0 and shown > 0 and release.revealed_at is not None:
        shown += int(max(0.0, now - release.revealed_at) // every)
    return min(shown, places)


def next_reveal(release: Release, places: int, now: float) -> int:
    """The revealed count after one more "Reveal next"; refused before sign-off and when all are shown."""
    if not release.official:
        raise CommandRefused(N_("Sign off the results before revealing them."))
    shown = revealed_count(release, places, now)
    if shown >= places:
        raise CommandRefused(N_("Every place has already been revealed."))
    return shown + 1


@dataclass(frozen=True)
class ResultsView:
    """What every results screen may show at `now` (the board's document and the /results page alike)."""

    status: ResultsStatus
    label: str  # "", "Results (provisional)" or "Official results"
    message: str | None  # "Results coming soon" while hidden results have nothing revealed
    shown: frozenset[str]  # the performers whose rows may be shown
    revealed: list[list[str]]  # the places revealed so far, last place first
    complete: bool  # every place revealed
    podium: bool  # the round has finished: a podium may be drawn (of the shown rows)

    def keep(self, results: Sequence[PerformerResult]) -> list[PerformerResult]:
        return [r for r in results if r.performer_id in self.shown]


def results_view(
    state: EventState,
    release: Release,
    results: Sequence[PerformerResult],
    now: float,
    groups: Groups | None = None,
) -> ResultsView:
    """With "hide results until revealed" only the revealed performers are shown, live or not. `groups`:
    the categories' own rankings when they are ranked apart (see reveal_places)."""
    places = reveal_places(results, groups)
    count = revealed_count(release, len(places), now) if release.official else 0
    revealed = places[:count]
    shown = {r.performer_id for r in results}
    if release.settings.hide_until_revealed:
        shown = {pid for group in revealed for pid in group}
    current = status(state, release)
    hidden = release.settings.hide_until_revealed and not shown
    return ResultsView(
        status=current,
        label=LABEL[current],
        message=COMING_SOON if hidden else None,
        shown=frozenset(shown),
        revealed=revealed,
        complete=bool(places) and count >= len(places),
        podium=state.phase is Phase.FINISHED,
    )


def board_fields(
    state: EventState,
    release: Release,
    results: Sequence[PerformerResult],
    rows: list[dict],
    now: float,
    groups: Groups | None = None,
) -> dict:
    """The public board's results fields; `rows` are its ranking rows in result order (same order as
    `results`). With "hide results until revealed" only revealed rows stay in the ranking."""
    view = results_view(state, release, results, now, groups)
    by_id = {r.performer_id: row for r, row in zip(results, rows, strict=True)}
    return {
        "results_status": view.status.value,
        "results_label": view.label,
        "protest_deadline": protest_deadline(state, release.settings) if not release.official else None,
        "revealed": [by_id[pid] for group in view.revealed for pid in group],
        "reveal_complete": view.complete,
        "results_message": view.message,
        "ranking": [row for r, row in zip(results, rows, strict=True) if r.performer_id in view.shown],
    }
