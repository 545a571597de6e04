"""The login cookie: an HttpOnly, SameSite=Strict cookie holding the session token (never a URL, a page or
a log). Its name carries the table prefix, so two Stagescore installations on one host stay apart, and
its path is the app's base path. Read by our routes (a Starlette request) and by pages (st.context)."""

from __future__ import annotations

import functools
import os

from starlette.requests import Request
from starlette.responses import Response

from engine.config import PREFIX_SETTING

SESSION = "stagescore_session"
DEVICE = "stagescore_device"
LANGUAGE = "stagescore_language"  # the language a person chose (ui/language.py); not a secret
VOTER = "stagescore_voter"  # an audience phone's place in the vote (engine/service/votes.py)
DEVICE_DAYS = 400  # browsers cap a cookie's life at about 400 days


def _prefix() -> str:
    """The table prefix (Config.table_prefix) as a cookie name may hold it. Read on every request (several
    cookie names each): only its one setting is read, and its cleaning is remembered per value."""
    return _cleaned(os.environ.get(PREFIX_SETTING, ""))


@functools.cache
def _cleaned(prefix: str) -> str:
    return "".join(ch for ch in prefix if ch.isalnum() or ch in "-_")


def session_name() -> str:
    return _prefix() + SESSION


def device_name() -> str:
    return _prefix() + DEVICE


def language_name() -> str:
    return _prefix() + LANGUAGE


def base_path() -> str:
    from streamlit import config

    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return "/" + base if base else "/"


def _secure(request: Request) -> bool:
    proto = request.headers.get("x-forwarded-proto", request.url.scheme)
    return proto.split(",")[0].strip().lower() == "https"


def _valid(value: object) -> str | None:
    """A cookie value we could have set: short, URL-safe; anything else is treated as absent."""
    if not isinstance(value, str) or not value or len(value) > 200:
        return None
    return value if all(ch.isalnum() or ch in "-_" for ch in value) else None


def token_from_request(request: Request) -> str | None:
    return _valid(request.cookies.get(session_name()))


def device_from_request(request: Request) -> str | None:
    return _valid(request.cookies.get(device_name()))


def token_from_page() -> str | None:
    """The session token of the browser this script run serves (st.context reads the cookie header)."""
    import streamlit as st

    return _valid(st.context.cookies.get(session_name()))


def set_session(response: Response, request: Request, token: str, max_age: int) -> None:
    response.set_cookie(
        session_name(),
        token,
        max_age=max_age,
        path=base_path(),
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )


def _set_lasting(response: Response, request: Request, name: str, value: str, samesite: str) -> None:
    """An HttpOnly cookie kept as long as browsers allow, on the app's path."""
    response.set_cookie(
        name,
        value,
        max_age=DEVICE_DAYS * 86400,
        path=base_path(),
        httponly=True,
        samesite=samesite,
        secure=_secure(request),
    )


def set_language(response: Response, request: Request, code: str) -> None:
    """Lax, as the vote's cookie: a phone arriving from its camera app keeps its language. Not HttpOnly:
    the pages' language menu writes it from the browser too (ui/language.py), and it holds no secret."""
    response.set_cookie(
        language_name(),
        code,
        max_age=DEVICE_DAYS * 86400,
        path=base_path(),
        samesite="lax",
        secure=_secure(request),
    )


def set_device(response: Response, request: Request, device_id: str) -> None:
    _set_lasting(response, request, device_name(), device_id, "strict")


def clear_session(response: Response, request: Request) -> None:
    response.delete_cookie(
        session_name(), path=base_path(), httponly=True, samesite="strict", secure=_secure(request)
    )


def voter_from_request(request: Request) -> str | None:
    return _valid(request.cookies.get(_prefix() + VOTER))


def set_voter(response: Response, request: Request, token: str) -> None:
    """SameSite=Lax, not Strict: a phone that scans the kiosk's QR code arrives from its camera app (a
    cross-site navigation), and must still bring its place in the vote."""
    _set_lasting(response, request, _prefix() + VOTER, token, "lax")
