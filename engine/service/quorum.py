"""Who the lobby waits for: the judges present who may score the first performer (see rules.start_quorum).

The engine's auto-start and the admin's Start read the same facts here, so they agree on the quorum.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.domain import rules, stages
from engine.domain.model import EventState, Role, Settings
from engine.store import Store


@dataclass(frozen=True)
class LobbyFacts:
    first: str | None  # the first performer of the running order the facts are about
    recused: frozenset[str] = frozenset()  # judges who stepped aside for that performer
    panel: frozenset[str] = frozenset()  # active judges (read only when someone stepped aside)

    def quorum(self, present: list[str], settings: Settings) -> tuple[int, int]:
        """(judges counted, judges needed) with these judges present."""
        return rules.start_quorum(present, self.recused, self.panel, settings.required_judges)


def lobby_facts(store: Store, state: EventState) -> LobbyFacts:
    """Two Queries at most, and the second only when a judge stepped aside for the first performer."""
    first = state.order[0] if state.order else None
    recused = frozenset(store.conflicts.list(state.event_id).get(first or "", ()))
    if not recused:
        return LobbyFacts(first)
    panel = frozenset(j.email for j in stages.panel(store.accounts.list(Role.JUDGE), state.stage) if j.active)
    return LobbyFacts(first, recused, panel)
