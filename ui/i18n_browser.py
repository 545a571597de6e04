"""Words for what the browser runs beside Streamlit's scripts: the [[marks]] of our plain HTML pages (the
vote page, the overlays), the t("…") of our scripts (components, login form, vote, overlays) and the
dictionary of their translations each is sent. The language is ui.i18n's current one."""

from __future__ import annotations

import functools
import html
from collections.abc import Iterable
from pathlib import Path

from ui.i18n import DEFAULT, catalogue, current, gettext
from ui.i18n_extract import MARK


def messages(msgids: Iterable[str], code: str | None = None) -> dict[str, str]:
    """The translations of `msgids` for a browser component ({} in English: it says its msgids)."""
    code = code or current()
    if code == DEFAULT:
        return {}
    found = catalogue(code)
    return {m: t for m in msgids if m and (t := found.gettext(m)) != m}


def fill_marks(page: str) -> str:
    """A plain page's [[message]] marks (ui/i18n_extract.py), each translated and HTML-escaped."""
    return MARK.sub(lambda m: html.escape(gettext(m.group(1))), page)


@functools.cache
def script_messages(*paths: Path) -> tuple[str, ...]:
    """The msgids a browser script asks for with t("…") (found as `make messages` finds them)."""
    from babel.messages.extract import extract_javascript

    found: list[str] = []
    for path in paths:
        with path.open("rb") as f:
            for _line, _funcname, message, _comments in extract_javascript(f, ["t"], [], {}):
                found.extend([message] if isinstance(message, str) else [m for m in message if m])
    return tuple(dict.fromkeys(found))
