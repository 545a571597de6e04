"""The operator's routes on every web server: GET /healthz (load balancers, systemd) and GET /metrics
(Prometheus text format), and the periodic metrics line of the web process. Neither reads DynamoDB: both
answer from the live feed's last tick (ui/live/hub.py), which reads the event about every 0.25 s anyway
while somebody watches the stage, so a probe then costs nothing however often it comes; while the feed
rests (every 5 s) a probe or a scrape has it read once more when its reading is over half a second
old. /healthz shows no user data and needs no login; /metrics needs `Authorization: Bearer
<STAGESCORE_METRICS_TOKEN>` when that is set."""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import time

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from engine import metrics
from engine.domain import health
from engine.domain.model import StagescoreError

log = logging.getLogger("stagescore.web")
UNREACHABLE = "The scoring database does not answer: check the network and the AWS settings of this host."
NEEDS_TOKEN = "This server's metrics need `Authorization: Bearer <STAGESCORE_METRICS_TOKEN>`."
FIRST_TICK_WAIT = 3.0  # a probe right after the start waits this long for the feed's first tick


def viewers() -> int:
    """Streamlit sessions open on this server, plus push streams (engine.metrics.streams_open)."""
    try:
        from streamlit.runtime import Runtime

        sessions = Runtime.instance()._session_mgr.num_active_sessions() if Runtime.exists() else 0
    except (AttributeError, RuntimeError):  # an internal API: without it the push streams still count
        sessions = 0
    return sessions + metrics.streams_open()


def _hub():
    from ui.live import routes as live

    try:
        return live.current().first()
    except StagescoreError:  # before the lifespan started it, or after it stopped
        return None


def _last_tick() -> tuple:
    """(the last good reading or None, seconds since the last tick ended or None, its failure or None)."""
    hub = _hub()
    if hub is None or hub.last_tick is None:
        return None, None, None
    ended, failure = hub.last_tick
    if failure and failure[0] == "unreachable":
        failure = ("unreachable", UNREACHABLE)
    return (hub.built.reading if hub.built else None), time.monotonic() - ended, failure


async def _fresh_tick() -> None:
    """Wait for the feed's first tick (a probe right after the start), and for a read begun now when the
    last is older than half of what a probe vouches for (the feed rests while nobody watches its stage; a
    probe or a scrape does not count as watching, so a load balancer's probes leave it resting and each
    costs one read)."""
    deadline = time.monotonic() + FIRST_TICK_WAIT
    while time.monotonic() < deadline and ((hub := _hub()) is None or hub.last_tick is None):
        await asyncio.sleep(0.05)
    hub = _hub()
    last = hub.last_tick if hub is not None else None
    if last is None or (last[1] and last[1][0] != "no_event"):
        return  # nothing read yet, or a failure, which the probe says whatever its age (at once)
    if time.monotonic() - last[0] > health.FRESH_SECONDS / 2:
        hub.wake()
        while hub.last_tick is last and time.monotonic() < deadline:  # the next tick's end, good or not
            await asyncio.sleep(0.01)


async def healthz(request: Request) -> JSONResponse:
    await _fresh_tick()
    reading, age, failure = _last_tick()
    status, body = health.probe(reading.health if reading else None, age, failure)
    if status == 200 and reading is not None:
        metrics.ENGINE_HEALTHY.set(1 if reading.health.healthy else 0)
    return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


def _refresh_gauges() -> None:
    """The gauges from the feed's last reading; FEED_AGE says how old that is (the stale flag)."""
    metrics.VIEWERS.set(viewers())
    reading, age, _ = _last_tick()
    metrics.FEED_AGE.set(age if age is not None else float("nan"))
    if reading is None:
        return  # the other gauges keep their last value; the database's error figures say why
    metrics.ENGINE_HEALTHY.set(1 if reading.health.healthy else 0)
    metrics.JUDGES_PRESENT.set(len(reading.snapshot.present))
    desk = reading.engine_desk  # read while an admin desk is open
    if desk is not None and desk.lateness_ms is not None:
        metrics.LAST_LATENESS.set(desk.lateness_ms / 1000)


def allowed(header: str | None, token: str) -> bool:
    """Whether an Authorization header carries `token` as a bearer token (compared in constant time);
    no token configured allows everybody."""
    if not token:
        return True
    scheme, _, given = (header or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


async def metrics_route(request: Request) -> Response:
    if not allowed(request.headers.get("authorization"), os.environ.get("STAGESCORE_METRICS_TOKEN", "")):
        return Response(
            NEEDS_TOKEN + "\n", 401, headers={"WWW-Authenticate": "Bearer", "Cache-Control": "no-store"}
        )
    await _fresh_tick()
    _refresh_gauges()
    return Response(generate_latest(metrics.REGISTRY), media_type=CONTENT_TYPE_LATEST)


async def minute_lines() -> None:
    """The web process's metrics line every STAGESCORE_METRICS_SECONDS (60): database latency, viewers."""
    every = float(os.environ.get("STAGESCORE_METRICS_SECONDS", "60"))
    while True:
        await asyncio.sleep(every)
        try:
            metrics.emit("web minute", metrics.minute_figures(viewers=viewers()))
        except Exception as e:  # a metrics line must never take the server down
            log.warning("metrics line failed: %s", e)
