"""The crowd's plain pages at the front of the web server, before Streamlit's middleware, which does nothing
for them: /vote and /vote/window (ui/vote/routes.py) and the crowd's board, GET /leaderboard but for the
room's screen (ui/board/page.py).

A crowd's phones send these (2,000 pages, lookups and votes in 20 s: bench/votes.py; 1,000 boards opened
within a minute: bench/doors.py). Through the whole
stack each request also crossed Streamlit's path check (for its own file routes), its session middleware
(no session is kept here), its gzip layer, our page-head and static-file layers and the router's match of
every route: about a tenth of the web process's CPU in a vote. Here the same handlers answer, each vote
still through the one way in (engine/service/votes.py). /vote/window keeps the gzip layer, with
Streamlit's settings: a final vote's list of acts can pass its threshold; a vote's and a page's answers
never do (the page comes compressed already).
"""

from __future__ import annotations

from urllib.parse import parse_qs

from starlette.middleware.errors import ServerErrorMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import Router
from starlette.types import ASGIApp, Receive, Scope, Send

WINDOW = "/vote/window"
BOARD = "/leaderboard"


def board_wanted(query_string: bytes) -> bool:
    """Whether a GET of /leaderboard is the crowd's page: every one but the room's screen's (?kiosk=1)."""
    return parse_qs(query_string.decode("latin-1")).get("kiosk") != ["1"]


class CrowdFront:
    """ASGI middleware, outermost: an HTTP request for /vote or /vote/window goes to the vote's routes, a
    GET of the crowd's board to its page; anything else goes on to the app, untouched."""

    def __init__(self, app: ASGIApp) -> None:
        from streamlit.web.server.starlette.starlette_server_config import (
            GZIP_COMPRESSLEVEL,
            GZIP_MINIMUM_SIZE,
        )

        from ui.board import page as board
        from ui.vote.routes import routes

        self.app = app
        # An unexpected exception answers 500 and is logged, as the app's own outermost layer does.
        self.votes = ServerErrorMiddleware(Router(routes()))
        gzipped = GZipMiddleware(Router(routes()), GZIP_MINIMUM_SIZE, GZIP_COMPRESSLEVEL)
        self.window = ServerErrorMiddleware(gzipped)
        self.board = ServerErrorMiddleware(Router(board.routes()))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope.get("root_path"):
            path = scope["path"]
            if path == "/vote":
                await self.votes(scope, receive, send)
                return
            if path == WINDOW:
                await self.window(scope, receive, send)
                return
            if path == BOARD and scope["method"] in ("GET", "HEAD") and board_wanted(scope["query_string"]):
                await self.board(scope, receive, send)
                return
        await self.app(scope, receive, send)
