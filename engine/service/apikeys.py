"""The read API's keys and reads: `ApiUseCases(service)`, for the API's routes and the CLI alike
(engine/domain/apikeys.py has the rules).

The admin creates and revokes keys (Log & exports, or `python -m engine api-key …`); a key is shown once
and stored only hashed; every creation and revocation goes in the current event's log. A request's key
is checked against its stored hash on every call, so a revoked key is refused from the next request on.
The reads build the documents of engine/views/api.py from the stage's snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.domain import apikeys
from engine.domain.apikeys import ApiKey
from engine.domain.messages import N_
from engine.domain.model import InvalidInput, NotAllowed, Role
from engine.domain.stages import Stage
from engine.service.competition import Competition
from engine.service.core import Service
from engine.views import api as docs

NO_ROUND = N_("There is no round {event_id!r} in this stage's competition.")


@dataclass
class ApiUseCases:
    svc: Service

    # ---- keys
    def create_key(self, token: str | None, name: object) -> tuple[ApiKey, str]:
        """A new key: (what is stored and listed, the key itself, to be shown once)."""
        actor = self.svc.logins.actor(token, Role.ADMIN)
        name = apikeys.clean_name(name)
        key, key_id, key_hash = apikeys.new_key()
        made = ApiKey(key_id, name, self.svc.clock(), actor, key_hash)
        self.svc.store.api_keys.add(made)
        self.svc.logins.log_admin(actor, "api_key_created", {"key_id": key_id, "name": name})
        return made, key

    def keys(self, token: str | None) -> list[ApiKey]:
        self.svc.logins.actor(token, Role.ADMIN)
        return self.svc.store.api_keys.list()

    def revoke_key(self, token: str | None, key_id: object) -> str:
        actor = self.svc.logins.actor(token, Role.ADMIN)
        key_id = apikeys.clean_id(key_id)
        if not self.svc.store.api_keys.revoke(key_id, actor, self.svc.clock()):
            found = self.svc.store.api_keys.get(key_id)
            if found is None:
                raise InvalidInput(N_("There is no API key {key_id!r}."), key_id=key_id)
            raise InvalidInput(
                N_("The API key {key_id!r} ({name}) is revoked already."), key_id=key_id, name=found.name
            )
        self.svc.logins.log_admin(actor, "api_key_revoked", {"key_id": key_id})
        return key_id

    def check_key(self, key: str) -> ApiKey:
        """The active key `key` is; NotAllowed (one sentence) for a revoked, unknown or malformed one."""
        return apikeys.check(self.svc.store.api_keys.get(apikeys.parse(key)), key)

    # ---- reads
    def stage(self, stage_id: str | None) -> Stage:
        """The stage named, else the first (as the public pages choose); InvalidInput names the stages."""
        return self.svc.stages.get(stage_id) if stage_id else self.svc.stages.list()[0]

    def stages(self) -> dict:
        listed = self.svc.stages.list()
        return docs.stages_doc(
            listed, {s.stage_id: self.svc.store.events.current_id(s.stage_id) for s in listed}
        )

    def event(self, stage_id: str | None) -> dict:
        stage = self.stage(stage_id)
        return docs.event_doc(self.svc.on(stage.stage_id).snapshot(), stage, self.svc.clock())

    def schedule(self, stage_id: str | None) -> dict:
        stage = self.stage(stage_id)
        return docs.schedule_doc(self.svc.on(stage.stage_id).snapshot(), stage, self.svc.clock())

    def results(self, stage_id: str | None, event_id: str | None, private: bool) -> dict:
        """A round's results (the stage's current one unless `event_id` names another round of its
        competition; a key may name any event). Only a key's reads carry every score and comment."""
        stage = self.stage(stage_id)
        bound = self.svc.on(stage.stage_id)
        rounds = Competition(bound).rounds()
        if event_id and not private and event_id not in {r["event_id"] for r in rounds}:
            raise NotAllowed(NO_ROUND.format(event_id=event_id[:80]))
        snap = bound.snapshot(event_id or None)
        audience = bound.votes.audience(snap.event_id)
        return docs.results_doc(snap, stage, self.svc.clock(), audience, rounds, private)
