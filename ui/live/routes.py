"""The live routes (notes/live-contract.md): three event streams, the score submission and the judge's
answer to a check request.

The session token comes only from the HttpOnly cookie (ui/cookies.py), never a URL or a body.
"""

from __future__ import annotations

import re
from contextlib import asynccontextmanager
from decimal import Decimal

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from engine.domain.devices import SessionEnded
from engine.domain.messages import N_
from engine.domain.model import (
    UNREACHABLE,
    Conflict,
    DatabaseUnavailable,
    InvalidInput,
    NotAllowed,
    Role,
    ScoreRefused,
    StagescoreError,
)
from engine.domain.scoring import display
from engine.service.core import Service
from engine.service.scoring import Identity
from ui import body as bodies
from ui import cookies, i18n
from ui.live import outliers
from ui.live.channel import Connection
from ui.live.hub import Hub
from ui.live.hubs import Hubs

STREAM_HEADERS = {"Cache-Control": "no-cache, no-transform", "X-Accel-Buffering": "no"}
UNREADABLE = N_("The score could not be read; reload the page and submit it again.")
NOT_FROM_PAGE = N_("This request did not come from the Stagescore page.")
UNANSWERED = N_("The answer could not be read; reload the page and answer again.")
MAX_WINDOW = 10**15  # window ids count the event's windows; far below DynamoDB's 38 digits
REQUEST_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_hubs: Hubs | None = None


@asynccontextmanager
async def running(svc: Service, tick: float | None = None):
    """The process's hubs (one per stage), for the lifespan of the app."""
    global _hubs
    hubs = Hubs(svc) if tick is None else Hubs(svc, tick)
    hubs.start()
    _hubs = hubs
    try:
        yield hubs
    finally:
        _hubs = None
        await hubs.stop()


def current() -> Hubs:
    if _hubs is None:
        raise DatabaseUnavailable(UNREACHABLE)  # before the lifespan started or after it stopped
    return _hubs


async def stage_hub(request: Request) -> Hub | JSONResponse:
    """The hub of the stage the request names (`?stage=ID`; none: the first stage)."""
    try:
        return await current().of(request.query_params.get("stage"))
    except InvalidInput as e:
        return JSONResponse({"error": i18n.refusal(request, e)}, status_code=404)
    except StagescoreError:
        return JSONResponse({"error": i18n.said(request, UNREACHABLE)}, status_code=503)


def _sse(body) -> StreamingResponse:
    return StreamingResponse(body, media_type="text/event-stream", headers=STREAM_HEADERS)


async def public_stream(request: Request) -> StreamingResponse | JSONResponse:
    hub = await stage_hub(request)
    return hub if isinstance(hub, JSONResponse) else _sse(hub.stream(hub.public))


async def _authorised(request: Request, role: Role) -> Connection | JSONResponse:
    hubs = current()
    token = cookies.token_from_request(request)
    try:
        session = await hubs.blocking(hubs.svc.logins.whoami, token, role)
    except NotAllowed as e:
        return JSONResponse({"error": i18n.refusal(request, e)}, status_code=401)
    except DatabaseUnavailable:
        return JSONResponse({"error": i18n.said(request, UNREACHABLE)}, status_code=503)
    hubs.svc.scorer.remember(session.token, Identity(session.email, session.role, session.name))
    return Connection(session.token, session.email, session.role.value)


async def judge_stream(request: Request):
    """A judge's stream comes from the stage their account is assigned to."""
    conn = await _authorised(request, Role.JUDGE)
    if isinstance(conn, JSONResponse):
        return conn
    try:
        hub = await current().of_judge(conn.email)
    except InvalidInput as e:
        return JSONResponse({"error": i18n.refusal(request, e)}, status_code=409)
    except StagescoreError:
        return JSONResponse({"error": i18n.said(request, UNREACHABLE)}, status_code=503)
    return _sse(hub.stream(hub.connect(conn), conn))


async def admin_stream(request: Request):
    """The control desk of the stage named (`?stage=ID`)."""
    conn = await _authorised(request, Role.ADMIN)
    if isinstance(conn, JSONResponse):
        return conn
    hub = await stage_hub(request)
    return hub if isinstance(hub, JSONResponse) else _sse(hub.stream(hub.connect(conn), conn))


def _refused(status: int, sentence: str) -> JSONResponse:
    return JSONResponse({"ok": False, "error": sentence}, status_code=status)


def _parse(body: object) -> tuple[str, int, dict[str, str], str, object, str | None]:
    """(performer_id, window_id, values, request_id, comment, event_id) or InvalidInput, from the body as
    ui/body.py read it (fractions as the Decimal their text spells). The comment (optional) is checked by
    engine.domain.comments.clean_comment, which says in one sentence what is wrong with it; the event id
    (optional: the event the screen showed) by the one score path."""
    if not isinstance(body, dict):
        raise InvalidInput(UNREADABLE)
    pid, window, values, rid = (body.get(k) for k in ("performer_id", "window_id", "values", "request_id"))
    event = body.get("event_id")
    ok = (
        (event is None or (isinstance(event, str) and 0 < len(event) <= 64))
        and isinstance(pid, str)
        and 0 < len(pid) <= 64
        and isinstance(window, int)
        and not isinstance(window, bool)
        and 0 <= window < MAX_WINDOW
        and isinstance(values, dict)
        and len(values) <= 50
        and all(isinstance(k, str) and isinstance(v, str | int | Decimal) for k, v in values.items())
        and isinstance(rid, str)
        and REQUEST_ID.fullmatch(rid)
    )
    if not ok:
        raise InvalidInput(UNREADABLE)
    # str() of the Decimal is the request's own digits: engine/domain/scoring.py checks them against the grid.
    return pid, window, {k: str(v) for k, v in values.items()}, rid, body.get("comment"), event


async def _from_page(request: Request, unreadable: str) -> object:
    """The JSON body of a request the page made (its X-Stagescore mark), or the answer refusing it."""
    if request.headers.get("x-stagescore") != "1":
        return _refused(403, i18n.said(request, NOT_FROM_PAGE))
    try:
        return await bodies.read_json(request, unreadable)
    except bodies.BodyRefused as e:
        return _refused(e.status, i18n.said(request, e.sentence))


async def submit_score(request: Request) -> JSONResponse:
    raw = await _from_page(request, UNREADABLE)
    if isinstance(raw, JSONResponse):
        return raw
    try:
        performer_id, window_id, values, request_id, comment, event_id = _parse(raw)
        token = cookies.token_from_request(request)
        hub = await current().of_token(token)
        await hub.current()  # its first read, if this very score opened the stage's feed, or it rested
        context = hub.score_context()
        if context is None:
            raise DatabaseUnavailable(UNREACHABLE)
        score, replayed = await hub.blocking(
            hub.scorer.submit, token, context, performer_id, window_id, values, request_id, comment, event_id
        )
    except SessionEnded as e:
        return _refused(401, i18n.refusal(request, e))
    except NotAllowed as e:
        return _refused(403, i18n.refusal(request, e))
    except InvalidInput as e:
        return _refused(400, i18n.refusal(request, e))
    except ScoreRefused as e:
        return _refused(409, i18n.refusal(request, e))
    except (DatabaseUnavailable, Conflict) as e:  # the screen retries these with the same request id
        return _refused(
            503, i18n.refusal(request, e) if isinstance(e, Conflict) else i18n.said(request, UNREACHABLE)
        )
    except StagescoreError as e:
        return _refused(500, i18n.refusal(request, e))
    hub.wake()
    name = hub.built.reading.snapshot.performer_name(performer_id) if hub.built else ""
    # The outlier check and its log entries come after the answer: the judge never waits for them.
    check = None if replayed else BackgroundTask(outliers.check, hub, score)
    return JSONResponse(
        {
            "ok": True,
            "total": display(score.total),
            "revision": score.revision,
            "replayed": replayed,
            "performer": name,
        },
        background=check,
    )


async def answer_check(request: Request) -> JSONResponse:
    """The judge's answer to "Please check your score for …": {"confirm": true} (the score stands) or
    false (they will revise it); the answer goes into the log and the request off their screen."""
    body = await _from_page(request, UNANSWERED)
    if isinstance(body, JSONResponse):
        return body
    if not isinstance(body, dict) or not isinstance(body.get("confirm"), bool):
        return _refused(400, i18n.said(request, UNANSWERED))
    try:
        token = cookies.token_from_request(request)
        hub = await current().of_token(token)
        sentence = await hub.blocking(hub.svc.results.answer_check, token, body["confirm"])
    except NotAllowed as e:
        return _refused(403, i18n.refusal(request, e))
    except DatabaseUnavailable:
        return _refused(503, i18n.said(request, UNREACHABLE))
    except StagescoreError as e:
        return _refused(409, i18n.refusal(request, e))
    hub.feed.refresh_besides()
    hub.wake()
    return JSONResponse({"ok": True, "message": i18n.said(request, sentence)})


def routes() -> list[Route]:
    return [
        Route("/live/public", public_stream),
        Route("/live/judge", judge_stream),
        Route("/live/admin", admin_stream),
        Route("/live/score", submit_score, methods=["POST"]),
        Route("/live/check", answer_check, methods=["POST"]),
    ]
