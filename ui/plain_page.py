"""What the plain pages beside the app share (the crowd's board, /vote, the stream's overlays): one HTML
file whole, its words, style and script filled in, compressed once per language, answered in the encoding
the browser accepts, and the language links at their foot. No Streamlit here: these pages cost a phone one
request, not a session."""

from __future__ import annotations

import gzip
import html
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

from ui import i18n, i18n_browser


def filled(
    page: Path,
    language: str,
    scripts: Sequence[Path],
    styles: Sequence[Path],
    words_of: Sequence[Path] | None = None,
    more_words: Iterable[str] = (),
    blanks: dict[str, str] | None = None,
) -> str:
    """`page` in `language`, whole: its [[…]] marks translated, lang and dir on <html>, `styles` at /*CSS*/,
    `scripts` joined at /*JS*/ with the translations their t("…") ask for (those of `words_of`, default
    `scripts`, and `more_words`) at /*WORDS*/{} (ui/i18n.py), and each {{NAME}} of `blanks` filled."""
    with i18n.using(language):
        text = i18n_browser.fill_marks(page.read_text())
        asked = i18n_browser.script_messages(*(scripts if words_of is None else words_of))
        words = i18n_browser.messages((*asked, *more_words))
    script = "\n".join(path.read_text() for path in scripts)
    # In a <script> element: a "</" in a translation must not end it.
    script = script.replace("/*WORDS*/{}", json.dumps(words, ensure_ascii=False).replace("</", "<\\/"))
    fills = {"LANG": language, "DIR": i18n.direction(language), **(blanks or {})}
    for name, value in fills.items():
        text = text.replace("{{" + name + "}}", value)
    style = "".join(path.read_text() for path in styles)
    return text.replace("/*CSS*/", style).replace("/*JS*/", script)


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
