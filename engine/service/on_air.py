"""The streaming operator's one act: what goes on air on a stage, i.e. which overlay elements show and
what the projector shows (engine/domain/on_air.py). `switch` is the one way in: the operator's page, the
command line and the tests call it, and it checks the session and the role. It touches nothing else: no
score, no setting, no clock.

The switches reach the overlays and the projector through the public document (the live feed reads them
once a second, engine/service/feed.py), so every server's screens obey the same switches.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from engine.domain import on_air
from engine.domain.messages import N_
from engine.domain.model import NotAllowed, Role
from engine.domain.on_air import OnAir
from engine.service.logins import OPERATOR

if TYPE_CHECKING:
    from engine.service.core import Service

ALLOWED = (Role.STREAMING, Role.ADMIN)
ONLY = N_("Only the streaming operator or an admin can switch what goes on air.")


def switch(
    svc: Service, token: str | None, shown: Mapping[str, bool] | None = None, projector: str | None = None
) -> OnAir:
    """Show or hide overlay elements ({element: shown}) and/or pick the projector's view, on the stage
    `svc` acts on; returns the stage's switches as they now stand. `token` None: the operator at the
    shell. A refusal (no session, another role, an unknown element or view) changes nothing."""
    actor, stream = _actor(svc, token)
    checked, view = on_air.check_change(shown, projector)
    stage, now = svc.stage_id(), svc.clock()
    svc.store.on_air.set(stage, checked, view, actor, now)
    eid = svc.store.events.current_id(stage)
    if eid:  # in the stage's event log, on the actor's own chain
        data = {"shown": checked, **({"projector": view} if view else {})}
        svc.store.log.append(eid, stream, now, actor, "on_air_switched", data)
    return svc.store.on_air.get(stage)


def current(svc: Service) -> OnAir:
    """The stage's switches (public: the overlays and the projector obey them)."""
    return svc.store.on_air.get(svc.stage_id())


def _actor(svc: Service, token: str | None) -> tuple[str, str]:
    """Who switches, and the log chain their entry goes on."""
    if token is None:
        return OPERATOR, f"admin:{OPERATOR}"
    session = svc.logins.whoami(token)
    if session.role not in ALLOWED:
        raise NotAllowed(ONLY)
    return session.email, f"{session.role.value}:{session.email}"
