"""Who is at a hub's streams: every PRESENCE_SECONDS (and at once when a judge connects) one BatchWriteItem
marks every judge with an open, authenticated stream present; every SESSIONS_SECONDS one BatchGetItem
re-checks the session of every open stream, and an ended one gets its sentence and stops being marked."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

from engine.domain import accounts, devices
from engine.domain.devices import ended_sentence
from engine.domain.model import Role
from ui.live.channel import Connection

if TYPE_CHECKING:
    from ui.live.hub import Hub

log = logging.getLogger("stagescore.live")
PRESENCE_SECONDS = 2.0
SESSIONS_SECONDS = 1.0  # an ended session's stream hears it within 2 s


async def presence_loop(hub: Hub) -> None:
    while True:
        emails = sorted({c.email for c in hub.connections if c.role == Role.JUDGE.value and not c.ended})
        event_id = hub.feed.event_id
        if emails and event_id:
            try:
                await hub.blocking(hub.svc.store.presence.heartbeat_many, event_id, emails, time.time())
            except Exception as e:  # the next round tries again; the banner comes from the tick
                log.warning("presence: %s", e)
        hub.presence_now.clear()
        try:
            await asyncio.wait_for(hub.presence_now.wait(), PRESENCE_SECONDS)
        except TimeoutError:
            pass


async def sessions_loop(hub: Hub) -> None:
    while True:
        await asyncio.sleep(SESSIONS_SECONDS)
        conns = [c for c in hub.connections if not c.ended]
        if not conns:
            continue
        try:
            found = await hub.blocking(
                hub.svc.store.sessions.get_many, sorted({accounts.token_hash(c.token) for c in conns})
            )
        except Exception as e:
            log.warning("session check: %s", e)
            continue
        _end_sessions(hub, conns, found)


def _end_sessions(hub: Hub, conns: list[Connection], found: dict[str, dict]) -> None:
    known = hub.built.reading.accounts if hub.built else {}
    now = hub.svc.clock()
    for conn in conns:
        item = found.get(accounts.token_hash(conn.token))
        account = known.get(conn.email)
        if not item or float(item["expires_at"]) <= now or item.get("email") != conn.email:
            conn.ended = devices.SESSION_OVER
        elif item.get("ended"):
            conn.ended = ended_sentence(item)
        elif account is not None and not account.active:
            conn.ended = devices.ENDED[devices.DISABLED]
        if conn.ended:
            hub.scorer.forget(conn.token)
            (hub.judge_channel(conn.email) if conn.role == Role.JUDGE.value else hub.admin).poke()
