"""The read API (registered in ui/server.py): GET /api/v1/stages, /event, /schedule, /results and the
OpenAPI schema at /api/v1/openapi.json. Read only: every route is a GET and takes no body.

Two scopes. Without a key: exactly what the public pages show (engine/views/api.py builds it with their
functions). With a key the admin made (`Authorization: Bearer KEY`, never in the address): every score
and comment too. A key is checked against its stored hash on every request, so a revoked key stops at
once. Rate-limited per address and per key (ui/api/limits.py): 429 with one sentence and Retry-After.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from engine import bootstrap
from engine.domain import apikeys, throttle
from engine.domain.apikeys import ApiKey
from engine.domain.model import UNREACHABLE, DatabaseUnavailable, InvalidInput, NotAllowed, StagescoreError
from engine.service.apikeys import ApiUseCases
from ui.api import limits, openapi
from ui.routes_auth import client_of

BASE = "/api/v1"
CACHE_SECONDS = 1.0  # a document is built at most once a second per process, whoever asks
MAX_CACHED = 256
KEY_PARAMS = ("key", "api_key", "apikey", "token", "access_token")
NO_BODY = "The read API takes no request body."
TOO_LONG = "The parameter {name} is too long."
PARAM_LIMITS = {"stage": 32, "event": 80}
_PUBLIC = {"Cache-Control": "no-cache", "Access-Control-Allow-Origin": "*"}
_PRIVATE = {"Cache-Control": "no-store", "Vary": "Authorization"}
# The API's reads get threads of their own: a busy integration never queues the live feed's reads.
_POOL = ThreadPoolExecutor(4, thread_name_prefix="api-db")
_buckets = limits.Buckets()
_cache: dict[tuple, tuple[float, dict]] = {}


def _api() -> ApiUseCases:
    return ApiUseCases(bootstrap.service())


def _refused(status: int, sentence: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": sentence}, status_code=status, headers={**_PRIVATE, **(headers or {})})


def _too_many(wait: float, keyed: bool) -> JSONResponse:
    return _refused(429, apikeys.too_many(wait, keyed), {"Retry-After": str(max(1, round(wait + 0.5)))})


async def _blocking(fn, *args):
    return await asyncio.get_running_loop().run_in_executor(_POOL, fn, *args)


def _params(request: Request) -> dict[str, str | None]:
    """The query's stage and event (bounded); InvalidInput for a key in the address or a long value."""
    query = request.query_params
    if any(name in query for name in KEY_PARAMS):
        raise InvalidInput(apikeys.IN_ADDRESS)
    out = {}
    for name, longest in PARAM_LIMITS.items():
        value = query.get(name) or None
        if value is not None and len(value) > longest:
            raise InvalidInput(TOO_LONG.format(name=name))
        out[name] = value
    return out


async def _scope(request: Request) -> ApiKey | None | JSONResponse:
    """The request's key (None: the public scope), or the refusal: a bad header or key (401), too many
    requests (429). A wrong key counts against its address before the next one reaches the database."""
    address = throttle.client_key(client_of(request).address, None)
    try:
        key = apikeys.bearer(request.headers.get("authorization"))
    except NotAllowed as e:
        return _refused(401, str(e), {"WWW-Authenticate": "Bearer"})
    if key is None:
        wait = _buckets.take(address, limits.PUBLIC)
        return _too_many(wait, False) if wait else None
    if wait := _buckets.wait("failed:" + address, limits.FAILED_KEYS):
        return _too_many(wait, False)
    try:
        found = await _blocking(_api().check_key, key)
    except NotAllowed as e:
        _buckets.take("failed:" + address, limits.FAILED_KEYS)
        return _refused(401, str(e), {"WWW-Authenticate": "Bearer"})
    except StagescoreError:
        return _refused(503, UNREACHABLE)
    wait = _buckets.take("key:" + found.key_id, limits.KEYED)
    return _too_many(wait, True) if wait else found


def _cached(what: tuple, build: Callable[[], dict]) -> dict:
    now = time.monotonic()
    hit = _cache.get(what)
    if hit and hit[0] > now:
        return hit[1]
    doc = build()
    if len(_cache) >= MAX_CACHED:
        _cache.clear()
    _cache[what] = (now + CACHE_SECONDS, doc)
    return doc


def _endpoint(name: str, build: Callable[[ApiUseCases, dict, bool], dict]):
    async def handle(request: Request) -> JSONResponse:
        if (
            request.headers.get("content-length", "0") not in ("", "0")
            or "transfer-encoding" in request.headers
        ):
            return _refused(413, NO_BODY)
        try:
            params = _params(request)
        except InvalidInput as e:
            return _refused(400, str(e))
        scope = await _scope(request)
        if isinstance(scope, JSONResponse):
            return scope
        private = scope is not None
        what = (name, params["stage"], params["event"], private)
        try:
            doc = await _blocking(_cached, what, lambda: build(_api(), params, private))
        except DatabaseUnavailable:
            return _refused(503, UNREACHABLE)
        except StagescoreError as e:  # an unknown stage, no event yet, a round that is not this stage's
            return _refused(404, str(e))
        scope_name = "private" if private else "public"
        return JSONResponse({"scope": scope_name, **doc}, headers=_PRIVATE if private else _PUBLIC)

    return handle


async def schema(request: Request) -> JSONResponse:
    return JSONResponse(openapi.schema(), headers=_PUBLIC)


def routes() -> list[Route]:
    return [
        Route(f"{BASE}/openapi.json", schema),
        Route(f"{BASE}/stages", _endpoint("stages", lambda api, p, private: api.stages())),
        Route(f"{BASE}/event", _endpoint("event", lambda api, p, private: api.event(p["stage"]))),
        Route(f"{BASE}/schedule", _endpoint("schedule", lambda api, p, private: api.schedule(p["stage"]))),
        Route(
            f"{BASE}/results",
            _endpoint("results", lambda api, p, private: api.results(p["stage"], p["event"], private)),
        ),
    ]
