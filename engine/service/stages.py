"""The festival's stages as use cases (`service.stages`): listing and adding stages, assigning judges, and
binding the service to one stage (`service.on(stage)`). Every write checks the admin's session."""

from __future__ import annotations

import dataclasses
import threading
import time
from typing import TYPE_CHECKING

from engine.domain import accounts, clashes, festival, publicity, release, schedule, stages
from engine.domain.clashes import Clash, StageLineup
from engine.domain.festival import FestivalPlace, StageResults
from engine.domain.messages import N_
from engine.domain.model import Account, InvalidInput, Role, Settings, StagescoreError
from engine.domain.release import Release, ResultsStatus
from engine.domain.stages import MAIN, MAIN_NAME, Stage
from engine.service.logins import Logins
from engine.store import Store
from engine.views.festival import StageView

if TYPE_CHECKING:
    from engine.service.core import Service

FRESH_SECONDS = 1.0  # how long this process trusts its list of stages (they change between shows)


class StageUseCases:
    def __init__(self, store: Store, logins: Logins):
        self.store = store
        self.logins = logins
        self._listed: tuple[float, list[Stage]] | None = None
        self._bound: dict[tuple[int, str], Service] = {}
        self._lock = threading.Lock()

    # ---- reading ----------------------------------------------------------------------------------
    def list(self) -> list[Stage]:
        """Every stage in its order (the implicit main stage when none was named); read at most once a
        second per process."""
        with self._lock:
            if self._listed and time.monotonic() - self._listed[0] < FRESH_SECONDS:
                return list(self._listed[1])
        found = self.store.stages.list()
        with self._lock:
            self._listed = (time.monotonic(), found)
        return list(found)

    def get(self, stage_id: str | None) -> Stage:
        """The stage named (or the only one); InvalidInput names the stages there are."""
        return stages.choose(self.list(), stage_id)

    def only(self) -> str:
        return self.get(None).stage_id

    def of_judge(self, email: str) -> str:
        """The stage a judge is assigned to (main for an account from before stages)."""
        stored = self.store.accounts.get(accounts.normalise_email(email))
        return stages.of_judge(stored.account.stage if stored else None)

    def judges(self, token: str | None) -> list[tuple[Account, str]]:
        """Every judge account with the stage it belongs to, for the admin's assignment table."""
        self.logins.actor(token, Role.ADMIN)
        found = self.store.accounts.list(Role.JUDGE)
        return [(a, stages.of_judge(a.stage)) for a in sorted(found, key=lambda a: a.email)]

    def clashes(self, svc: Service) -> list[Clash]:
        """The clashes between the stages' current events (engine/domain/clashes.py); none with one stage.
        Reads each stage's snapshot: for the desk and `status`, not for every viewer."""
        listed = self.list()
        if len(listed) < 2:
            return []
        lineups = []
        for stage in listed:
            bound = self.bound(svc, stage.stage_id)
            if self.store.events.current_id(stage.stage_id) is None:
                continue
            snap = bound.snapshot()
            slots = schedule.expected_starts(snap.state, snap.settings, snap.performers, snap.at)
            lineups.append(
                StageLineup(stage.stage_id, stage.name, snap.state.phase, tuple(slots), tuple(snap.judges))
            )
        return clashes.find(lineups)

    def festival_results(self, svc: Service, public: bool = False) -> dict[str, list[FestivalPlace]]:
        """Each category judged on several stages, ranked across them (engine/domain/festival.py).
        `public`: only what the public may see: stages whose round has finished, and of those only the
        places their results page shows (engine/domain/release.py)."""
        found = []
        for stage in self.list():
            if self.store.events.current_id(stage.stage_id) is None:
                continue
            snap = self.bound(svc, stage.stage_id).snapshot()
            results = tuple(snap.results)
            if public:
                snap = publicity.public_view(snap)
                rel = snap.release or Release(snap.event_id)
                view = release.results_view(snap.state, rel, snap.results, snap.at, snap.reveal_groups)
                if view.status is ResultsStatus.LIVE or view.message:
                    continue
                results = tuple(view.keep(snap.results))
            found.append(
                StageResults(stage.stage_id, stage.name, snap.settings, tuple(snap.performers), results)
            )
        return festival.across_stages(found)

    def overview(self, svc: Service) -> list[StageView]:
        """Every stage's current event and engine health, for the festival desk (a snapshot per stage)."""
        found = []
        for stage in self.list():
            if self.store.events.current_id(stage.stage_id) is None:
                found.append(StageView(stage, None))
                continue
            bound = self.bound(svc, stage.stage_id)
            found.append(StageView(stage, bound.snapshot(), bound.health.engine_health()))
        return found

    def bound(self, svc: Service, stage_id: str | None) -> Service:
        """`svc` acting on one stage: the same store, logins, scorer and stage list; its own event."""
        stage = self.get(stage_id).stage_id
        key = (id(svc), stage)
        with self._lock:
            found = self._bound.get(key)
        if found is None:
            found = dataclasses.replace(svc, stage=stage)
            found.logins, found.scorer, found.stages = svc.logins, svc.scorer, self
            with self._lock:
                self._bound[key] = found
        return found

    # ---- writing ----------------------------------------------------------------------------------
    def add(self, token: str | None, name: str, stage_id: str | None = None) -> Stage:
        """A new stage. The first stage added to a deployment whose main stage already has an event
        registers main too, so that event stays a stage of its own."""
        actor = self.logins.actor(token, Role.ADMIN)
        name = (name or "").strip()
        if not name or len(name) > 60:
            raise InvalidInput(N_("A stage's name is 1 to 60 characters."))
        stage_id = stages.check_id(stage_id or stages.slug(name))
        stored = self.store.stages.stored()
        if not stored and self.store.events.current_id(MAIN) and stage_id != MAIN:
            self.store.stages.add(Stage(MAIN, MAIN_NAME, 0))
            stored = [Stage(MAIN, MAIN_NAME, 0)]
        stage = Stage(stage_id, name, max((s.order for s in stored), default=0) + 1)
        self.store.stages.add(stage)
        self._forget()
        self.logins.log_admin(actor, "stage_added", {"stage": stage_id, "name": name})
        return stage

    def has_event(self, stage_id: str) -> bool:
        return self.store.events.current_id(stage_id) is not None

    def create_event(self, svc: Service, token: str | None, stage_id: str) -> str:
        """A stage's first event (in Setup, no performers yet), named after the stage; its event id."""
        actor = self.logins.actor(token, Role.ADMIN)
        stage = self.get(stage_id)
        if self.has_event(stage.stage_id):
            raise StagescoreError(
                N_("{name} has an event already; start a new one from Control."), name=stage.name
            )
        settings = Settings(event_name=stage.name if stage.stage_id != MAIN else Settings().event_name)
        state = self.bound(svc, stage.stage_id).create_event(settings, [], actor=actor)
        return state.event_id

    def assign(self, token: str | None, email: str, stage_id: str) -> str:
        """Put a judge on a stage: their screen follows it, and a score for another stage's window is
        refused at commit from now on. Returns the stage's id."""
        actor = self.logins.actor(token, Role.ADMIN)
        email = accounts.normalise_email(email)
        stage = self.get(stages.check_id(stage_id))
        stored = self.store.accounts.get(email)
        if not stored or stored.account.role is not Role.JUDGE:
            raise StagescoreError(N_("There is no judge {email}."), email=email)
        self.store.accounts.update(email, stage=stage.stage_id)
        eid = self.store.events.current_id(stage.stage_id)
        if eid:
            data = {"email": email, "stage": stage.stage_id}
            self.store.log.append(eid, f"admin:{actor}", self.logins.clock(), actor, "judge_assigned", data)
        return stage.stage_id

    def _forget(self) -> None:
        with self._lock:
            self._listed = None
