"""A login link as a URL and as a QR code (segno): PNG bytes for the Setup page, text for the terminal."""

from __future__ import annotations

import io
import os

import segno

DEFAULT_BASE_URL = "http://localhost:8501"


def base_url(given: str | None = None) -> str:
    """Where judges reach the app: --base-url, else STAGESCORE_BASE_URL, else the local default."""
    return (given or os.environ.get("STAGESCORE_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")


def link_url(base: str, code: str) -> str:
    return f"{base.rstrip('/')}/auth/link?code={code}"


def png(url: str, scale: int = 8) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=scale, border=3)
    return out.getvalue()


def terminal(url: str) -> str:
    out = io.StringIO()
    segno.make(url, error="m").terminal(out=out, compact=True, border=2)
    return out.getvalue()
