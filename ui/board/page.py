"""GET /leaderboard as a phone opens it: one small page, its style and script inline (the live board's
own files, ui/components/board.js), compressed once per language; then the board's stream. No Streamlit
session: a Streamlit page cost a phone 73 files, a websocket and a script run (README, Doors open), and a
hall's phones arrive together. The room's screen (?kiosk=1) stays the app's page, with its QR codes.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ui import i18n, icon, plain_page
from ui.components import BOARD_SCRIPTS, document_words
from ui.components import HERE as COMPONENTS

HERE = Path(__file__).resolve().parent
CSP = (
    "default-src 'none'; connect-src 'self'; img-src data:; style-src 'unsafe-inline'; "
    "script-src 'unsafe-inline'"
)


@cache
def _page(language: str) -> dict[str, bytes]:
    """The page in one language, whole (the board's t("…") words and its documents' sentences in it),
    compressed once."""
    links = plain_page.language_links(language, "/leaderboard")
    return plain_page.packed(
        plain_page.filled(
            HERE / "page.html",
            language,
            [COMPONENTS / name for name in BOARD_SCRIPTS] + [HERE / "page.js"],
            [HERE / "page.css", COMPONENTS / "board.css"],
            more_words=document_words(),
            blanks={"LANGUAGES": links, "ICON": icon.DATA_URL},
        )
    )


async def page(request: Request) -> Response:
    headers = {"Cache-Control": "no-cache", "Content-Security-Policy": CSP}
    return plain_page.answer(request, _page(i18n.for_request(request)), headers)


def routes() -> list[Route]:
    return [Route("/leaderboard", page)]
