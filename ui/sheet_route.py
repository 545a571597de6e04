"""GET /sheet/{token}: a performer's own score sheet (PDF) from their private link, without an account.

The token is random and stored only as its hash; it opens exactly one performer's sheet, and only once
the results are official. Any other link gets one sentence and a 404 (no hint whether it ever existed).
The sheet and the sentences are in the reader's language (their cookie's, else their browser's).
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from engine import bootstrap
from engine.domain.model import DatabaseUnavailable, NotAllowed
from engine.service.core import Service
from engine.service.results import NOT_YET
from ui import i18n

PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}


def _service() -> Service:
    return bootstrap.service()


async def sheet(request: Request) -> Response:
    token = request.path_params["token"]
    wording = i18n.sheet_wording(i18n.for_request(request))
    try:
        name, pdf = await run_in_threadpool(_service().results.sheet_for_link, token, wording)
    except NotAllowed as e:
        status = 403 if str(e) == NOT_YET else 404
        return PlainTextResponse(i18n.refusal(request, e), status_code=status, headers=PRIVATE)
    except DatabaseUnavailable as e:
        return PlainTextResponse(i18n.refusal(request, e), status_code=503, headers=PRIVATE)
    headers = {**PRIVATE, "Content-Disposition": f'inline; filename="{name}"'}
    return Response(pdf, media_type="application/pdf", headers=headers)


ROUTES = [Route("/sheet/{token:path}", sheet)]  # :path, so a link with a slash gets the sentence too
