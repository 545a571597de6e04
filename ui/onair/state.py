"""GET /api/v1/state: the show's state on a stage as one public JSON document, and GET
/api/v1/state/stream: the same document pushed over server-sent events whenever it changes (what the
overlays follow). Both come from the board's public document (engine/views/on_air.py), so they show
nothing the board would not. `?stage=ID` names the stage (none: the first), as /live/public does.

No login and no cookie: the document is public. Any origin may read it (a producer's own graphics page
on another host), since it carries nothing a credential could add.
"""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from engine.domain.model import UNREACHABLE
from engine.views.on_air import state_doc
from ui.live import routes as live

OPEN = {"Access-Control-Allow-Origin": "*", "Cache-Control": "no-store"}


async def state(request: Request) -> JSONResponse:
    hub = await live.stage_hub(request)
    if isinstance(hub, JSONResponse):
        return _open(hub)
    await hub.current()  # its first read, if this very request opened the stage's feed, or it rested
    if hub.built is None:
        return JSONResponse({"error": UNREACHABLE}, status_code=503, headers=OPEN)
    doc = state_doc(hub.built.public[0], time.time())
    failed = hub.last_tick[1] if hub.last_tick else None
    if failed:  # the last read failed: the last document, saying what is wrong (as the board does)
        doc["error"] = failed[1]
    return JSONResponse(doc, headers=OPEN)


async def stream(request: Request) -> StreamingResponse | JSONResponse:
    hub = await live.stage_hub(request)
    if isinstance(hub, JSONResponse):
        return _open(hub)
    return StreamingResponse(
        hub.stream(hub.state), media_type="text/event-stream", headers={**OPEN, **live.STREAM_HEADERS}
    )


def _open(response: JSONResponse) -> JSONResponse:
    response.headers.update(OPEN)
    return response


def routes() -> list[Route]:
    return [Route("/api/v1/state", state), Route("/api/v1/state/stream", stream)]
