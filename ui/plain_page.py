"""What the plain pages beside the app share (the crowd's board, /vote, the stream's overlays): one HTML
file whole, compressed once per language, answered in the encoding the browser accepts, and the language
links at their foot. No Streamlit here: these pages cost a phone one request, not a session."""

from __future__ import annotations

import gzip
import html

from starlette.requests import Request
from starlette.responses import Response

from ui import i18n


def packed(page: str) -> dict[str, bytes]:
    """The page's bytes by encoding: brotli (quality 11) and gzip, made once, and the plain bytes ("")."""
    import brotli

    raw = page.encode()
    return {"br": brotli.compress(raw, quality=11), "gzip": gzip.compress(raw, 9, mtime=0), "": raw}


def answer(request: Request, page: dict[str, bytes], headers: dict[str, str]) -> Response:
    """`page` (from packed) in the best encoding the request accepts, with `headers` and the Vary that
    says what chose it (the language comes from Accept-Language and the language cookie)."""
    accepted = request.headers.get("accept-encoding", "")
    encoding = next((e for e in ("br", "gzip") if e in accepted), "")
    headers = {**headers, "Vary": "Accept-Encoding, Accept-Language, Cookie"}
    if encoding:
        headers["Content-Encoding"] = encoding
    return Response(page[encoding], media_type="text/html; charset=utf-8", headers=headers)


def language_links(current: str, back_to: str) -> str:
    """The page's language menu: a link each to GET /language (ui/language.py), which remembers the choice
    and returns to `back_to` (a path it accepts)."""
    links = []
    for code, name in i18n.LANGUAGES.items():
        here = ' aria-current="true"' if code == current else ""
        href = f"language?to={code}&amp;next={html.escape(back_to)}"
        links.append(f'<a href="{href}" lang="{code}"{here}>{html.escape(name)}</a>')
    return " · ".join(links)
