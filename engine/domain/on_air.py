"""What goes on air: which of a stage's overlay elements show and what its projector (the kiosk) shows,
as the streaming operator sets them. Pure: no I/O.

One setting per stage (engine/store/on_air.py); none stored means every element shows and the projector
shows the live board. An element shown here still appears only when the public document has something
for it (engine/views/on_air.py): the score card once a performer's results are public, the podium once
the round has finished.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from engine.domain.messages import N_
from engine.domain.model import InvalidInput

# The overlays' elements (/overlay/<element>), in the order the operator's page lists them.
ELEMENTS = ("lower_third", "score_card", "podium", "next_up")
ELEMENT_LABELS = {
    "lower_third": N_("Lower third"),
    "score_card": N_("Score card"),
    "podium": N_("Podium"),
    "next_up": N_("Next up"),
}
# What the projector may show: the live board (its usual screen), the performer on stage, who is next,
# the podium, or only the event's name (a holding screen).
BOARD = "board"
PROJECTOR_VIEWS = (BOARD, "on_stage", "next_up", "podium", "title")
PROJECTOR_LABELS = {
    BOARD: N_("The live board"),
    "on_stage": N_("The performer on stage"),
    "next_up": N_("Next up"),
    "podium": N_("The podium"),
    "title": N_("The event's name only"),
}


@dataclass(frozen=True)
class OnAir:
    hidden: frozenset[str] = field(default_factory=frozenset)
    projector: str = BOARD

    def shows(self, element: str) -> bool:
        return element not in self.hidden

    def as_json(self) -> dict:
        """What the public document carries: nothing but these switches."""
        return {"elements": {e: self.shows(e) for e in ELEMENTS}, "projector": self.projector}


def check_element(name: object) -> str:
    if name not in ELEMENTS:
        raise InvalidInput(
            N_("There is no overlay element {name!r}; the elements are: {elements}."),
            name=name,
            elements=", ".join(ELEMENTS),
        )
    return str(name)


def check_projector(view: object) -> str:
    if view not in PROJECTOR_VIEWS:
        raise InvalidInput(
            f"The projector cannot show {view!r}; it shows one of: {', '.join(PROJECTOR_VIEWS)}."
        )
    return str(view)


def check_change(
    shown: Mapping[object, object] | None, projector: object | None
) -> tuple[dict[str, bool], str | None]:
    """A change the operator asks for: {element: shown} and the projector's view (None: unchanged).
    InvalidInput says in one sentence what is wrong; nothing is changed then."""
    shown = dict(shown or {})
    if not shown and projector is None:
        raise InvalidInput(N_("Say which element to show or hide, or what the projector shows."))
    checked = {}
    for name, value in shown.items():
        if not isinstance(value, bool):
            raise InvalidInput(N_("Say whether {name!r} shows with true or false."), name=name)
        checked[check_element(name)] = value
    return checked, None if projector is None else check_projector(projector)


def changed(current: OnAir, shown: Mapping[str, bool], projector: str | None) -> OnAir:
    """`current` with a checked change applied."""
    hidden = {e for e in ELEMENTS if not shown.get(e, current.shows(e))}
    return OnAir(frozenset(hidden), projector or current.projector)


def from_item(item: Mapping[str, object] | None) -> OnAir:
    """The stored setting (show_<element> flags and the projector's view); unknown values read as the
    defaults, so an older or a damaged item never takes an element off air by accident."""
    if not item:
        return OnAir()
    hidden = frozenset(e for e in ELEMENTS if item.get(f"show_{e}") is False)
    projector = item.get("projector")
    return OnAir(hidden, projector if projector in PROJECTOR_VIEWS else BOARD)
