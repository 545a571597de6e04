"""A login link or the vote page with its code, as a URL and as a QR code (segno): PNG bytes for the pages,
text for the terminal."""

from __future__ import annotations

import io
import os
from urllib.parse import quote

import segno

DEFAULT_BASE_URL = "http://localhost:8501"


def base_url(given: str | None = None) -> str:
    """Where judges reach the app: --base-url, else STAGESCORE_BASE_URL, else the local default."""
    return (given or os.environ.get("STAGESCORE_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")


def link_url(base: str, code: str) -> str:
    return f"{base.rstrip('/')}/auth/link?code={code}"


def vote_url(base: str, code: str) -> str:
    """The vote page with an open window's code filled in (what the kiosk's QR code carries)."""
    return f"{base.rstrip('/')}/vote?code={quote(code)}"


def png(url: str, scale: int = 8) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=scale, border=3)
    return out.getvalue()


def terminal(url: str) -> str:
    out = io.StringIO()
    segno.make(url, error="m").terminal(out=out, compact=True, border=2)
    return out.getvalue()
