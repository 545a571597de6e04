"""Running-order changes while the event runs: move, send to the end ("not ready"), no-show, bring back.

Pure: each returns the new order and the statuses it changes, or raises CommandRefused with one
sentence. None touches the performer on stage or those already done.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from engine.domain.messages import N_
from engine.domain.model import CommandRefused, EventState, Performer, PerformerStatus, Phase

MOVABLE = (PerformerStatus.WAITING,)
BRING_BACK = (PerformerStatus.SKIPPED, PerformerStatus.NO_SHOW)


@dataclass(frozen=True)
class OrderChange:
    order: tuple[str, ...]
    detail: dict
    updates: dict[str, PerformerStatus] = field(default_factory=dict)


def find(performers: Sequence[Performer], name: str) -> Performer:
    """The performer called `name` (case and surrounding spaces ignored), or a refusal naming it."""
    wanted = str(name).strip().casefold()
    for p in performers:
        if p.name.casefold() == wanted or p.performer_id == name:
            return p
    shown = str(name) if len(str(name)) <= 60 else str(name)[:59] + "…"
    raise CommandRefused(N_("There is no performer called {shown!r}."), shown=shown)


def _first_open(state: EventState) -> int:
    """The first position (0-based) a waiting performer may take: after whoever is on stage or done."""
    if state.phase in (Phase.SETUP, Phase.LOBBY):
        return 0
    return state.index + 1


def _check_waiting(state: EventState, performer: Performer) -> None:
    if state.phase is Phase.FINISHED:
        raise CommandRefused(N_("The event has finished; the running order can no longer change."))
    if state.superseded_by:
        raise CommandRefused(N_("This event has been reset; reload to change the new one."))
    if performer.performer_id == state.performer_id or performer.status in (
        PerformerStatus.PERFORMING,
        PerformerStatus.SCORING,
    ):
        raise CommandRefused(
            N_("{name} is on stage; only performers still waiting can be changed."), name=performer.name
        )
    if performer.status is PerformerStatus.DONE:
        raise CommandRefused(N_("{name} has already performed."), name=performer.name)
    if performer.status not in MOVABLE:
        raise CommandRefused(
            N_("{name} is {value}; bring them back first."), name=performer.name, value=performer.status.value
        )


def _detail(kind: str, pid: str, old: Sequence[str], new: Sequence[str]) -> dict:
    return {"change": kind, "performer_id": pid, "old_order": list(old), "new_order": list(new)}


def move(
    state: EventState,
    performers: Sequence[Performer],
    performer_id: str,
    position: int | None = None,
    last: bool = False,
) -> OrderChange:
    """Move a waiting performer to `position` (1-based, in the whole running order) or to the end."""
    performer = next((p for p in performers if p.performer_id == performer_id), None)
    if performer is None:
        raise CommandRefused(N_("That performer is not in this round."))
    _check_waiting(state, performer)
    if performer_id not in state.order[_first_open(state) :]:
        raise CommandRefused(N_("{name} is not waiting in this round's running order."), name=performer.name)
    first = _first_open(state)
    waiting = [pid for pid in state.order[first:] if pid != performer_id]
    if last:
        slot = len(waiting)
    else:
        low, high = first + 1, len(state.order)
        if isinstance(position, bool) or not isinstance(position, int) or not low <= position <= high:
            raise CommandRefused(N_("Choose a position from {low} to {high}."), low=low, high=high)
        slot = position - 1 - first
    order = (*state.order[:first], *waiting[:slot], performer_id, *waiting[slot:])
    return OrderChange(order, _detail("moved", performer_id, state.order, order))


def no_show(state: EventState, performers: Sequence[Performer], performer_id: str) -> OrderChange:
    """The performer did not turn up: out of the waiting order and not ranked, until brought back."""
    performer = next((p for p in performers if p.performer_id == performer_id), None)
    if performer is None:
        raise CommandRefused(N_("That performer is not in this round."))
    _check_waiting(state, performer)
    first = _first_open(state)
    order = (*state.order[:first], *(pid for pid in state.order[first:] if pid != performer_id))
    return OrderChange(
        order, _detail("no_show", performer_id, state.order, order), {performer_id: PerformerStatus.NO_SHOW}
    )


def bring_back(state: EventState, performers: Sequence[Performer], performer_id: str) -> OrderChange:
    """A skipped or no-show performer performs later in the round: after everyone now waiting."""
    performer = next((p for p in performers if p.performer_id == performer_id), None)
    if performer is None:
        raise CommandRefused(N_("That performer is not in this round."))
    if state.phase is Phase.FINISHED:
        raise CommandRefused(N_("The event has finished; the running order can no longer change."))
    if performer.status not in BRING_BACK:
        raise CommandRefused(
            N_("{name} is neither skipped nor a no-show, so there is nobody to bring back."),
            name=performer.name,
        )
    order = (*state.order, performer_id)
    return OrderChange(
        order,
        _detail("brought_back", performer_id, state.order, order),
        {performer_id: PerformerStatus.WAITING},
    )
