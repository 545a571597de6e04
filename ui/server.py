"""The web server: Streamlit's own `st.App` (Starlette under uvicorn) serving Home.py with our routes.

One object is built per process. Its lifespan starts and stops what the process shares between its
viewers, and `on_script_error` turns an unexpected exception in a page into a logged error id.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware
from starlette.routing import Route

from ui import assets, language, ops, page_head, routes_auth, sheet_route
from ui.front import CrowdFront

ROOT = Path(__file__).resolve().parent.parent
HOME = ROOT / "Home.py"
log = logging.getLogger("stagescore.web")


def _route_by_navigation() -> None:
    """Home.py routes every page with st.navigation, but Streamlit treats an entry script with a sibling
    `pages/` folder as an old-style multipage app until a script has called st.navigation: a fresh
    server's first deep link (/admin) would be answered "Page not found". Say so before serving."""
    try:  # an internal flag: if an upgrade drops it, st.navigation still routes from the first run on
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # pragma: no cover
        return
    PagesManager.uses_pages_directory = False


@asynccontextmanager
async def lifespan(app: st.App) -> AsyncIterator[None]:
    from engine import bootstrap
    from ui.live import routes as live

    routes_auth.trusted_proxies()  # a malformed STAGESCORE_TRUSTED_PROXIES stops the start, with its sentence
    log.info("web server starting")
    await asyncio.to_thread(assets.ensure)  # Streamlit's files compressed once, before the first request
    lines = asyncio.create_task(ops.minute_lines())
    try:
        async with live.running(bootstrap.service()):  # the process's one live feed (ui/live/)
            yield
    finally:
        lines.cancel()
    log.info("web server stopping")


def on_script_error(exc: Exception) -> bool:
    from ui import errors

    errors.something_went_wrong(exc)
    return True  # our sentence replaces Streamlit's traceback


def live_routes() -> list[Route]:
    from ui.live.routes import routes

    return routes()


def on_air_routes() -> list[Route]:
    from ui.onair import overlays, state

    return state.routes() + overlays.routes()


def api_routes() -> list[Route]:
    from ui.api.routes import routes

    return routes()


def _no_proxy_rewrites() -> None:
    """uvicorn rewrites a request's client from X-Forwarded-For when the peer is in FORWARDED_ALLOW_IPS,
    which defaults to loopback: any local process could then pose as any address. Our routes apply
    STAGESCORE_TRUSTED_PROXIES themselves (ui/routes_auth.client_of), so uvicorn must trust nobody.
    Read when the server's uvicorn.Config is made, after build()."""
    os.environ["FORWARDED_ALLOW_IPS"] = ""


def build() -> st.App:
    _route_by_navigation()
    _no_proxy_rewrites()
    return st.App(
        str(HOME),
        routes=[
            Route("/healthz", ops.healthz),
            Route("/metrics", ops.metrics_route),
            *sheet_route.ROUTES,
            *live_routes(),
            *routes_auth.routes(),
            *on_air_routes(),
            *api_routes(),
            *language.ROUTES,
        ],
        # Outermost: the crowd's plain pages (/vote, /vote/window, the board) straight to their routes
        # (ui/front.py);
        # /static/ answered from the compressed files before Streamlit's middleware runs.
        # The page's head: preloads of its lazy chunks, the menu's arrows without the icon font.
        middleware=[
            Middleware(CrowdFront),
            Middleware(assets.CompressedStatic),
            Middleware(page_head.PageHead),
        ],
        lifespan=lifespan,
        on_script_error=on_script_error,
    )
