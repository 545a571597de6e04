"""The login routes of the web server (registered in ui/server.py):

  POST /auth/login         email, password, next (JSON or a form) -> {ok, next} or {ok: false, error}
  GET  /auth/link?code=…   a tiny page that POSTs the code (link previews and prefetchers only GET)
  POST /auth/link          exchanges the one-time code for a session, then 303 to the judge page
  POST|GET /auth/logout    ends the token, clears the cookie, 303 to /

A success sets the HttpOnly, SameSite=Strict session cookie and a device cookie (ui/cookies.py); the token
goes only there, never into a URL, a page or a log, and neither does a link's code. Every POST must come
from our own pages (Origin = Host). Password checks (argon2, ~50 ms of CPU) run off the event loop.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import os
import re
from collections.abc import Callable
from urllib.parse import parse_qsl, urlsplit

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from engine import bootstrap
from engine.domain import devices, throttle
from engine.domain.messages import N_
from engine.domain.model import UNREACHABLE, DatabaseUnavailable, Role, StagescoreError
from engine.service.core import Service
from engine.service.logins import LoginClient
from ui import body as bodies
from ui import cookies, i18n
from ui.i18n import _

CROSS_SITE = N_("This request did not come from a Stagescore page.")
_NEXT = re.compile(r"/[A-Za-z0-9_\-/]{0,120}")
# A refused link's sentence travels to the login page as one of these words, never as text from the URL.
LINK_ERRORS = {
    "link-expired": devices.LINK_EXPIRED,
    "link-used": devices.LINK_USED,
    "link-invalid": devices.LINK_INVALID,
    "disabled": devices.ENDED[devices.DISABLED],
}
_LINK_SCRIPT = "history.replaceState(null, '', location.pathname); document.getElementById('go').submit();"
_LINK_CSP = (
    "default-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'; "
    f"script-src 'sha256-{base64.b64encode(hashlib.sha256(_LINK_SCRIPT.encode()).digest()).decode()}'"
)
_PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}


def _default_service() -> Service:
    return bootstrap.service()


def _path(tail: str) -> str:
    return cookies.base_path().rstrip("/") + "/" + tail


def home_path(role: Role) -> str:
    return _path({Role.JUDGE: "judge", Role.STREAMING: "on-air"}.get(role, "admin"))


def safe_next(value: object, role: Role) -> str:
    """Where to go after logging in: a path of this app (never another site), else the role's home."""
    if isinstance(value, str) and _NEXT.fullmatch(value) and not value.startswith("//"):
        return value
    return home_path(role)


def same_origin(request: Request) -> bool:
    """A POST from our own page: its Origin names this host (browsers always send Origin on a POST)."""
    origin = request.headers.get("origin")
    if origin is None:
        return request.headers.get("sec-fetch-site") == "same-origin"
    return urlsplit(origin).netloc.lower() == request.headers.get("host", "").lower() != ""


@functools.cache
def _proxies(setting: str) -> throttle.Networks:
    return throttle.trusted_proxies(setting)


def trusted_proxies() -> throttle.Networks:
    """STAGESCORE_TRUSTED_PROXIES, parsed once (the lifespan calls it first, so a malformed setting stops
    the server at start with its sentence rather than at the first login)."""
    return _proxies(os.environ.get(throttle.SETTING, ""))


def client_of(request: Request) -> LoginClient:
    """Who is logging in: X-Forwarded-For counts only when the peer is a configured proxy."""
    trusted = trusted_proxies()
    peer = request.client.host if request.client else None
    address = throttle.remote_address(peer, request.headers.get("x-forwarded-for"), trusted)
    return LoginClient(
        address, cookies.device_from_request(request), request.headers.get("user-agent", "")[:300]
    )


def _logged_in(response: Response, request: Request, svc: Service, token: str, device: str) -> Response:
    cookies.set_session(response, request, token, int(svc.store.config.session_hours * 3600))
    if device != cookies.device_from_request(request):
        cookies.set_device(response, request, device)
    response.headers.update(_PRIVATE)
    return response


def _with_device(client: LoginClient) -> LoginClient:
    """A browser without a device cookie gets one now; it becomes a known device once it logs in."""
    if client.device:
        return client
    return LoginClient(client.address, devices.new_device_id(), client.agent)


async def _fields(request: Request) -> dict[str, object]:
    """The fields of a JSON or url-encoded body (ui/body.py bounds both); BodyRefused when too large or
    not readable within the bounds. Unreadable JSON or another content type gives no fields."""
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            data = await bodies.read_json(request)
        except bodies.BodyRefused as e:
            if e.sentence == bodies.UNREADABLE:
                return {}
            raise
        return data if isinstance(data, dict) else {}
    raw = await bodies.read_body(request, bodies.MAX_FORM_BYTES)
    try:  # our login and link forms post a few short fields, never a file
        pairs = parse_qsl(raw.decode(), max_num_fields=10, strict_parsing=False)
    except (UnicodeDecodeError, ValueError):
        return {}
    return dict(pairs)


class _Auth:
    """The handlers, on one Service getter (tests hand in their own)."""

    def __init__(self, service: Callable[[], Service]):
        self.service = service

    async def login(self, request: Request) -> Response:
        if not same_origin(request):
            error = i18n.said(request, CROSS_SITE)
            return JSONResponse({"ok": False, "error": error}, status_code=403, headers=_PRIVATE)
        try:
            data = await _fields(request)
        except bodies.BodyRefused as e:
            return JSONResponse({"ok": False, "error": e.sentence}, status_code=e.status, headers=_PRIVATE)
        email, password = data.get("email"), data.get("password")
        if not isinstance(email, str) or not isinstance(password, str):
            error = i18n.said(request, N_("Enter your email and password."))
            return JSONResponse({"ok": False, "error": error}, headers=_PRIVATE)
        svc, client = self.service(), _with_device(client_of(request))
        try:
            session = await anyio.to_thread.run_sync(svc.logins.login, email, password, client)
        except DatabaseUnavailable:
            error = i18n.said(request, UNREACHABLE)
            return JSONResponse({"ok": False, "error": error}, status_code=503, headers=_PRIVATE)
        except StagescoreError as e:
            return JSONResponse({"ok": False, "error": i18n.refusal(request, e)}, headers=_PRIVATE)
        body = {"ok": True, "next": safe_next(data.get("next"), session.role)}
        return _logged_in(JSONResponse(body), request, svc, session.token, client.device or "")

    async def link_page(self, request: Request) -> Response:
        code = request.query_params.get("code")
        if not devices.well_formed_code(code):
            return RedirectResponse(_path("login") + "?error=link-invalid", 303, headers=_PRIVATE)
        # The code goes into a form POSTed at once: a prefetcher's GET never uses it up, and the
        # address bar and the history (history.replaceState) keep only /auth/link.
        language = i18n.for_request(request)
        with i18n.using(language):
            title, waiting, button = _("Stagescore: logging in"), _("Logging you in…"), _("Log in")
        page = (
            f"<!doctype html><html lang='{language}' dir='{i18n.direction(language)}'><meta charset=utf-8>"
            "<meta name=viewport content='width=device-width'>"
            f"<title>{html.escape(title)}</title>"
            f"<form id=go method=post action='{html.escape(_path('auth/link'))}'>"
            f"<input type=hidden name=code value='{html.escape(code)}'>"
            f"<p>{html.escape(waiting)} <button type=submit>{html.escape(button)}</button></p></form>"
            f"<script>{_LINK_SCRIPT}</script>"
        )
        # "same-origin", not "no-referrer": with no referrer Chromium sends `Origin: null` on the POST.
        headers = {**_PRIVATE, "Referrer-Policy": "same-origin", "Content-Security-Policy": _LINK_CSP}
        return HTMLResponse(page, headers=headers)

    async def link_exchange(self, request: Request) -> Response:
        if not same_origin(request):
            return RedirectResponse(_path("login") + "?error=link-invalid", 303, headers=_PRIVATE)
        try:
            code = (await _fields(request)).get("code")
        except bodies.BodyRefused:
            return RedirectResponse(_path("login") + "?error=link-invalid", 303, headers=_PRIVATE)
        svc, client = self.service(), _with_device(client_of(request))
        try:
            session = await anyio.to_thread.run_sync(svc.logins.login_with_link, code, client)
        except DatabaseUnavailable:
            return HTMLResponse(
                html.escape(i18n.said(request, UNREACHABLE)), status_code=503, headers=_PRIVATE
            )
        except StagescoreError as e:
            word = next((k for k, v in LINK_ERRORS.items() if v == str(e)), "link-invalid")
            return RedirectResponse(_path("login") + "?error=" + word, 303, headers=_PRIVATE)
        response = RedirectResponse(home_path(session.role), 303)
        return _logged_in(response, request, svc, session.token, client.device or "")

    async def logout(self, request: Request) -> Response:
        response = RedirectResponse(cookies.base_path(), 303, headers=_PRIVATE)
        allowed = same_origin(request) if request.method == "POST" else _navigated_here(request)
        if not allowed:
            return response
        if token := cookies.token_from_request(request):
            try:
                await anyio.to_thread.run_sync(self.service().logins.logout, token)
            except StagescoreError:
                pass  # the token expires anyway; the cookie goes now
        cookies.clear_session(response, request)
        return response


def routes(service: Callable[[], Service] = _default_service) -> list[Route]:
    """The /auth routes, on `service` (tests hand in their own)."""
    auth = _Auth(service)
    return [
        Route("/auth/login", auth.login, methods=["POST"]),
        Route("/auth/link", auth.link_page, methods=["GET"]),
        Route("/auth/link", auth.link_exchange, methods=["POST"]),
        Route("/auth/logout", auth.logout, methods=["GET", "POST"]),
    ]


def _navigated_here(request: Request) -> bool:
    """A GET logout typed or clicked on our own pages; another site cannot log a judge out."""
    return request.headers.get("sec-fetch-site", "none") in ("none", "same-origin")
