"""/overlay/<element>: the overlays for a live stream's browser sources (OBS, vMix), beside st.App and
without Streamlit: one small page (its style and script inline, compressed once) that follows the state
feed's stream (ui/onair/state.py) and shows one element, or `all` of them, on a 1920 x 1080 frame with a
transparent background (or ?key=green|blue). The page is the same for every element and stage: the
script reads the element from its path and the stage and theme from its query.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from ui import i18n, plain_page
from ui.components import document_words

HERE = Path(__file__).resolve().parent
COMPONENTS = HERE.parent / "components"
PAGES = ("lower-third", "score-card", "podium", "next-up", "all")
CSP = "default-src 'none'; connect-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"
UNKNOWN = "There is no such overlay; the overlays are: " + ", ".join(f"/overlay/{p}" for p in PAGES) + "."


@cache
def _page(language: str) -> dict[str, bytes]:
    """The page in one language, compressed once: its [[…]] marks and its script's t("…") words filled in
    (ui/i18n.py), lang and dir on <html>."""
    scripts = [COMPONENTS / "live_core.js", COMPONENTS / "live_stream.js", HERE / "overlay.js"]
    page = plain_page.filled(
        HERE / "page.html",
        language,
        scripts,
        [HERE / "overlay.css"],
        words_of=[HERE / "overlay.js"],
        more_words=document_words(),
    )
    return plain_page.packed(page)


def language(request: Request) -> str:
    """?lang= (a browser source has no menu), else the cookie's, the browser's, the deployment's."""
    return i18n.normalize(request.query_params.get("lang")) or i18n.for_request(request)


async def overlay(request: Request) -> Response:
    if request.path_params["element"] not in PAGES:
        return PlainTextResponse(UNKNOWN, status_code=404)
    headers = {"Cache-Control": "no-cache", "Content-Security-Policy": CSP}
    return plain_page.answer(request, _page(language(request)), headers)


def routes() -> list[Route]:
    return [Route("/overlay/{element}", overlay)]
