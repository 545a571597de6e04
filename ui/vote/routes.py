"""/vote for phones in a crowd: the page (one request, its style and script inline, compressed once),
the window a code is for, and the vote itself through the one way in (engine/service/votes.py).

No login: a phone's place in the vote is the HttpOnly cookie the page sets on its first visit. The
client's address counts only towards a high per-address ceiling (a venue shares one), never as identity.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from engine.domain.messages import N_
from engine.domain.model import (
    UNREACHABLE,
    Conflict,
    DatabaseUnavailable,
    InvalidInput,
    NotAllowed,
    ScoreRefused,
    StagescoreError,
)
from ui import body as bodies
from ui import cookies, i18n, icon, plain_page
from ui.routes_auth import client_of

HERE = Path(__file__).resolve().parent
NOT_FROM_PAGE = N_("Votes are sent from the vote page.")
UNREADABLE = N_("The vote could not be read; reload the page and vote again.")
_PRIVATE = {"Cache-Control": "no-store"}
VOTE_THREADS = 64
CSP = "default-src 'self'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'"


@cache
def _page(language: str) -> dict[str, bytes]:
    """The page in one language, whole, and compressed once: brotli and gzip (a few KB over the slowest
    link). Its words are filled in here ([[…]] in the HTML, t("…") in the script: ui/i18n.py)."""
    # The app's icon inline: without one a browser asks for /favicon.ico, which Streamlit answers with its
    # whole page (100-140 ms a request for the bench's Chromium pages)
    blanks = {"LANGUAGES": plain_page.language_links(language, "/vote"), "ICON": icon.DATA_URL}
    page = plain_page.filled(
        HERE / "page.html", language, [HERE / "vote.js"], [HERE / "vote.css"], blanks=blanks
    )
    return plain_page.packed(page)


# The crowd's votes get threads of their own: on the live feed's pool, 2,000 phones voting at once
# queued the feed's reads behind them and the judges' window flips came late (bench/votes.py). A vote's
# thread mostly waits for its group's transaction (engine/store/vote_commit.py): enough threads that a
# transaction can carry as many votes as it may (25) while the next one gathers.
_VOTERS = ThreadPoolExecutor(VOTE_THREADS, thread_name_prefix="votes-db")


def _hubs():
    from ui.live import routes as live

    return live.current()


async def _blocking(fn, *args):
    return await asyncio.get_running_loop().run_in_executor(_VOTERS, fn, *args)


def _refused(status: int, sentence: str) -> JSONResponse:
    return JSONResponse({"ok": False, "error": sentence}, status_code=status, headers=_PRIVATE)


async def page(request: Request) -> Response:
    headers = {**_PRIVATE, "Content-Security-Policy": CSP}
    response = plain_page.answer(request, _page(i18n.for_request(request)), headers)
    votes = _hubs().svc.votes
    cookie = cookies.voter_from_request(request)
    try:  # on the loop once the signing key is in memory (microseconds); its one read, in a thread
        ready = votes.signing_ready()
        token = _new_token(votes, cookie) if ready else await _blocking(_new_token, votes, cookie)
    except StagescoreError:
        return _refused(503, i18n.said(request, UNREACHABLE))
    if token is not None:
        cookies.set_voter(response, request, token)
    return response


def _new_token(votes, cookie: str | None) -> str | None:
    """A new device token, unless the cookie already holds one this deployment issued."""
    return votes.new_device() if votes.device(cookie) is None else None


def _answer(request: Request, e: StagescoreError) -> JSONResponse:
    if isinstance(e, NotAllowed):
        return _refused(403 if "network" not in str(e) else 429, i18n.refusal(request, e))
    if isinstance(e, InvalidInput):
        return _refused(400, i18n.refusal(request, e))
    if isinstance(e, ScoreRefused):
        return _refused(409, i18n.refusal(request, e))
    if isinstance(e, (DatabaseUnavailable, Conflict)):  # the page retries with the same request id
        return _refused(
            503, i18n.refusal(request, e) if isinstance(e, Conflict) else i18n.said(request, UNREACHABLE)
        )
    return _refused(500, i18n.refusal(request, e))


async def window(request: Request) -> JSONResponse:
    votes = _hubs().svc.votes
    try:
        code, address = request.query_params.get("code"), client_of(request).address
        # From what this process knows when it is fresh (no thread needed); else read, in a thread.
        found = votes.known_window(code, address) or await _blocking(votes.window, code, address)
    except StagescoreError as e:
        return _answer(request, e)
    return JSONResponse({**found.public(), "server_time": round(time.time(), 3)}, headers=_PRIVATE)


async def vote(request: Request) -> JSONResponse:
    if request.headers.get("x-stagescore") != "1":
        return _refused(403, i18n.said(request, NOT_FROM_PAGE))
    try:
        raw = await bodies.read_json(request, UNREADABLE, limit=bodies.MAX_FORM_BYTES)
    except bodies.BodyRefused as e:
        return _refused(e.status, e.sentence)
    if not isinstance(raw, dict):
        return _refused(400, i18n.said(request, UNREADABLE))
    hubs = _hubs()
    device = cookies.voter_from_request(request)
    address = client_of(request).address
    try:
        answer = await _blocking(
            hubs.svc.votes.cast, device, address, raw.get("code"), raw.get("value"), raw.get("request_id")
        )
    except StagescoreError as e:
        return _answer(request, e)
    return JSONResponse(answer, headers=_PRIVATE)


def routes() -> list[Route]:
    return [
        Route("/vote", page),
        Route("/vote/window", window),
        Route("/vote", vote, methods=["POST"]),
    ]
