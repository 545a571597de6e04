"""The operator's routes on every web server: GET /healthz (load balancers, systemd) and GET /metrics
(Prometheus text format), and the periodic metrics line of the web process. Both routes answer from a
thread, since a DynamoDB call blocks, and neither needs a login: they show no user data."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import threading

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from engine import metrics
from engine.config import Config
from engine.model import DatabaseUnavailable, StagescoreError
from engine.service import Service
from engine.store import Store

log = logging.getLogger("stagescore.web")
UNREACHABLE = "The scoring database does not answer: check the network and the AWS settings of this host."
_lock = threading.Lock()
_services: list[Service] = []


def _service() -> Service:
    """One Service for these routes, asking the database once (no retries): a probe wants a quick answer."""
    with _lock:
        if not _services:
            _services.append(Service(Store(dataclasses.replace(Config.from_env(), max_attempts=1))))
        return _services[0]


def viewers() -> int:
    """Streamlit sessions open on this server, plus push streams (engine.metrics.streams_open)."""
    try:
        from streamlit.runtime import Runtime

        sessions = Runtime.instance()._session_mgr.num_active_sessions() if Runtime.exists() else 0
    except (AttributeError, RuntimeError):  # an internal API: without it the push streams still count
        sessions = 0
    return sessions + metrics.streams_open()


def _health() -> tuple[int, dict]:
    try:
        h = _service().engine_health()
    except DatabaseUnavailable:
        return 503, {"database": "unreachable", "message": UNREACHABLE}
    except StagescoreError as e:  # no tables yet, refused credentials: a sentence saying which
        return 503, {"database": "error", "message": str(e)}
    metrics.ENGINE_HEALTHY.set(1 if h.healthy else 0)
    return 200, {"database": "ok", **h.as_json()}


async def healthz(request: Request) -> JSONResponse:
    status, body = await run_in_threadpool(_health)
    return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


def _refresh_gauges() -> None:
    metrics.VIEWERS.set(viewers())
    svc = _service()
    try:
        desk = svc.engine_desk()
        metrics.ENGINE_HEALTHY.set(1 if desk.health.healthy else 0)
        if desk.lateness_ms is not None:
            metrics.LAST_LATENESS.set(desk.lateness_ms / 1000)
        eid = svc.store.events.current_id()
        if eid and (bundle := svc.store.events.load(eid)) is not None:
            metrics.JUDGES_PRESENT.set(len(bundle.present(svc.clock(), svc.store.config.presence_seconds)))
    except StagescoreError:
        pass  # the database's own figures (errors) say why; the other gauges keep their last value


async def metrics_route(request: Request) -> Response:
    await run_in_threadpool(_refresh_gauges)
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
