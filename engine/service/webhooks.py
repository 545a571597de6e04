"""What the desk says of the webhooks (engine/timer/webhooks.py delivers them): a delivery failing now or
dropped, one sentence each, for an admin."""

from __future__ import annotations

from engine.domain import webhooks
from engine.domain.model import Role
from engine.service.core import Service


def desk_lines(svc: Service, token: str | None) -> list[str]:
    svc.logins.actor(token, Role.ADMIN)
    return webhooks.desk_lines(svc.store.webhooks.list(), svc.clock())
