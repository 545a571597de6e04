"""GET /leaderboard as a phone opens it: one small page, its style and script inline (the live board's
own files, ui/components/board.js), compressed once per language; then the board's stream. No Streamlit
session: a Streamlit page cost a phone 73 files, a websocket and a script run (README, Doors open), and a
hall's phones arrive together. The room's screen (?kiosk=1) stays the app's page, with its QR codes.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ui import i18n, i18n_browser, icon, plain_page
from ui.components import BOARD_SCRIPTS, document_words
from ui.components import HERE as COMPONENTS

HERE = Path(__file__).resolve().parent
CSP = (
    "default-src 'none'; connect-src 'self'; img-src data:; style-src 'unsafe-inline'; "
    "script-src 'unsafe-inline'"
)


@cache
def _page(language: str) -> dict[str, bytes]:
    """The page in one language, whole: its [[…]] marks and the board's t("…") words filled in (ui/i18n.py),
    then brotli and gzip once."""
    scripts = [COMPONENTS / name for name in BOARD_SCRIPTS] + [HERE / "page.js"]
    with i18n.using(language):
        page = i18n_browser.fill_marks((HERE / "page.html").read_text())
        words = i18n_browser.messages((*i18n_browser.script_messages(*scripts), *document_words()))
    script = "\n".join(path.read_text() for path in scripts)
    script = script.replace("/*WORDS*/{}", json.dumps(words, ensure_ascii=False).replace("</", "<\\/"))
    style = (HERE / "page.css").read_text() + (COMPONENTS / "board.css").read_text()
    page = page.replace("{{LANG}}", language).replace("{{DIR}}", i18n.direction(language))
    links = plain_page.language_links(language, "/leaderboard")
    page = page.replace("{{LANGUAGES}}", links).replace("{{ICON}}", icon.DATA_URL)
    page = page.replace("/*CSS*/", style).replace("/*JS*/", "(function () {\n" + script + "\n})();")
    return plain_page.packed(page)


async def page(request: Request) -> Response:
    headers = {"Cache-Control": "no-cache", "Content-Security-Policy": CSP}
    return plain_page.answer(request, _page(i18n.for_request(request)), headers)


def routes() -> list[Route]:
    return [Route("/leaderboard", page)]
