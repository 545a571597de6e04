"""What the page's HTML says before any script runs: fewer round trips and bytes on a phone's first load.

Streamlit's index.html preloads its main bundle's static imports; the chunks its elements load lazily
(a component, st.html, a page link …) are asked for only once the bundle has run and the first
messages have arrived: a round trip each over a venue link. This middleware adds, to that page only,
`<link rel="modulepreload">` for the lazy chunks every crowd page uses (board, judge, login), and the
style that draws the sidebar's two buttons without Streamlit's icon font (ui/menu_arrows.css): in the
head, so that the font is never asked for, which a style sent later by the script cannot promise; and
the few rules Streamlit's own elements need for WCAG AA (ui/access.css). And where Streamlit's server
is (`window.__streamlit`, which its bundle reads as it starts): without it, the bundle probes for its
server before opening the websocket: `<page>/_stcore/health` (a 404 on every page but the home), then
`/_stcore/health` and `/_stcore/host-config`, two round trips in a row before the websocket's; told the
base URL and the host config, it opens the websocket at once and pings in the background.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
from pathlib import Path

from starlette.requests import Request

from ui import assets, i18n

# Lazy chunks of every crowd page, recorded from Chromium (bench/doors.py lists a first load's files);
# found by name in this Streamlit's files, so a renamed one is skipped rather than preloaded wrongly.
LAZY_CHUNKS = ("BidiComponent", "Html", "PageLink", "Button", "_arrayReduce", "purify.es", "recordbatch",
               "serialization")  # fmt: skip
# access.css: what axe asked of Streamlit's elements; rtl.css: its sidebar right to left (Arabic).
STYLES = ("menu_arrows.css", "access.css", "kiosk.css", "rtl.css")
_MARK = b'<script type="module" crossorigin src="./static/js/index.'  # Streamlit's page, no other HTML


@functools.cache
def head_snippet() -> bytes:
    """The links and the style inserted before </head>, built once per process."""
    names = {p.name for p in (assets.source() / "js").glob("*.js")}
    links = []
    for stem in LAZY_CHUNKS:
        pattern = re.compile(rf"^{re.escape(stem)}\.[A-Za-z0-9_-]{{8}}\.js$")
        links += [f'<link rel="modulepreload" crossorigin href="./static/js/{n}">' for n in sorted(names)
                  if pattern.match(n)]  # fmt: skip
    css = "".join(Path(__file__).with_name(name).read_text(encoding="utf-8") for name in STYLES)
    script = Path(__file__).with_name("access.js").read_text(encoding="utf-8")
    return ("\n".join(links) + f"\n<style>{css}</style>\n<script>{server_hint()}{script}</script>\n").encode()


def host_config() -> dict[str, object]:
    """What Streamlit's /_stcore/host-config answers (streamlit/web/server/starlette/starlette_routes.py),
    from the same options."""
    from streamlit import config

    allowed = list(config.get_option("client.allowedOrigins"))
    if config.get_option("global.developmentMode") and "http://localhost" not in allowed:
        allowed.append("http://localhost")
    return {
        "allowedOrigins": allowed,
        "useExternalAuthToken": False,
        "enableCustomParentMessages": False,
        "enforceDownloadInNewTab": False,
        "metricsUrl": "",
        "blockErrorDialogs": False,
        "resourceCrossOriginMode": None,
    }


def server_hint() -> str:
    """`window.__streamlit`: the server's base URL (this origin, the app's base path) and its host config.
    Streamlit connects straight to its websocket only when both are given and the allowed origins are not
    empty; otherwise it probes as before."""
    from ui.cookies import base_path

    config = json.dumps(host_config()).replace("<", "\\u003c")  # nothing in it may close the script
    base = json.dumps(base_path())
    return (
        f"window.__streamlit = Object.assign({{}}, window.__streamlit, "
        f"{{BACKEND_BASE_URL: location.origin + {base}, HOST_CONFIG: {config}}});\n"
    )


# Streamlit preloads its text font (170 KB) with the page: over a venue link it shares the first
# seconds' bandwidth with the scripts that must run before anything shows. Asked for when text is
# first drawn instead, it arrives while the page waits on its websocket's round trips.
_FONT_PRELOAD = re.compile(rb'<link\s+rel="preload"\s+href="[^"]+\.woff2"\s+as="font"[^>]*>\s*')


_HTML_TAG = re.compile(rb"<html[^>]*>")

# What a page's component needs (by the page's url path), asked for by its HTML: its stream, opened at once
# (ui/early_stream.js), so that its first document arrives while Streamlit's bundle loads and runs rather
# than a round trip after the component starts; and its script as the compressed folder serves it
# (ui/components, SERVED), preloaded with Streamlit's own files.
PAGE_NEEDS = {"judge": ("live/judge", "judge")}


def page_needs(path: str) -> bytes:
    """The preload and the script that opens the stream of the page at `path` (the request's), or nothing."""
    from ui.components import SERVED_DIR, app_path
    from ui.cookies import base_path

    page = path.removeprefix(base_path().rstrip("/")).strip("/")
    if page not in PAGE_NEEDS:
        return b""
    stream, component = PAGE_NEEDS[page]
    served = assets.served(component)
    link = f'<link rel="modulepreload" crossorigin href="./static/{SERVED_DIR}/{served}">\n' if served else ""
    script = Path(__file__).with_name("early_stream.js").read_text(encoding="utf-8")
    url = json.dumps(app_path(stream)).replace("<", "\\u003c")
    return f"{link}<script>{script}earlyStream({url});</script>\n".encode()


def with_head(body: bytes, language: str = i18n.DEFAULT, path: str = "/") -> bytes:
    if _MARK not in body or b"</head>" not in body:
        return body
    body = _FONT_PRELOAD.sub(b"", body, count=1)
    tag = f'<html lang="{language}" dir="{i18n.direction(language)}">'.encode()  # a known code only
    body = _HTML_TAG.sub(tag, body, count=1)
    return body.replace(b"</head>", head_snippet() + page_needs(path) + b"</head>", 1)


class PageHead:
    """ASGI middleware: Streamlit's HTML page (a few KB, served from its static folder) gets the head
    snippet; any other response passes untouched and unbuffered (the streams above all)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        held: dict | None = None
        parts: list[bytes] = []

        async def rewrite(message) -> None:
            nonlocal held
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                html = headers.get(b"content-type", b"").startswith(b"text/html")
                if html and message["status"] == 200 and headers.get(b"content-encoding", b"gzip") == b"gzip":
                    held = message  # Streamlit's page, perhaps: read it whole (it is small)
                    return
            elif held is not None and message["type"] == "http.response.body":
                parts.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                body = b"".join(parts)
                # Streamlit gzips a page's HTML when the browser accepts it (8 KB: a fraction of a ms).
                packed = (b"content-encoding", b"gzip") in held["headers"]
                language = i18n.for_request(Request(scope))
                body = with_head(gzip.decompress(body) if packed else body, language, scope["path"])
                body = gzip.compress(body, 6) if packed else body
                # A changed body gets its own length, and no validators of the file it came from.
                drop = (b"content-length", b"etag", b"last-modified")
                headers = [(k, v) for k, v in held["headers"] if k.lower() not in drop]
                headers.append((b"content-length", str(len(body)).encode()))
                await send({**held, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
            await send(message)

        await self.app(scope, receive, rewrite)
