"""Who the lobby waits for: the judges present who may score the first performer (see rules.start_quorum),
and who has nothing left to give in a scoring window (auto-close).

The engine's auto-start and the admin's Start read the same facts here, so they agree on the quorum.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.domain import rules, stages
from engine.domain.model import EventState, Phase, Role, Settings
from engine.store import EventBundle, Store


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


def tallies(store: Store, bundle: EventBundle | None, now: float) -> tuple[int, LobbyFacts | None]:
    """What the engine's timer needs besides a stage's read: for auto-close, how many present judges have
    nothing left to give for the performer on stage; in the lobby, who may not score the first performer."""
    if bundle is None:
        return 0, None
    state, settings = bundle.state, bundle.settings
    if settings.auto_close and state.phase is Phase.SCORING and state.performer_id:
        present = set(bundle.present(now, store.config.presence_seconds))
        scores = store.scores.list(state.event_id, state.performer_id, consistent=True)
        # A judge who stepped aside for this performer has nothing left to give.
        recused = store.conflicts.list(state.event_id).get(state.performer_id, ())
        return rules.judges_done({s.judge for s in scores}, recused, present), None
    if settings.auto_start and state.phase is Phase.LOBBY:
        return 0, lobby_facts(store, state)
    return 0, None
