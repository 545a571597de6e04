"""Browser components (st.components.v2): each is a few small JS/CSS files beside its Python wrapper.

The JS files of one component are joined into one module: the shared helpers first (plain functions),
the component's `export default function` last. Text reaches the page through textContent only.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Components whose script is also a file of the compressed folder (ui/assets.py writes it there, its name
# hashed, cached for good): the page's websocket then carries a few lines instead of the script (40 KB
# for the judge's, a fifth of a second over a venue link) on every load. name -> its files, joined.
SERVED = {
    "judge": ("live_core.js", "live_stream.js", "judge_core.js", "judge_view.js", "judge_net.js", "judge.js"),
}
SERVED_DIR = "stagescore"  # under the folder's static/: /static/stagescore/judge.AbCd1234.js
# The live board's files: its component (board.py) and the crowd's plain page (ui/board/) join the same.
BOARD_SCRIPTS = ("live_core.js", "live_stream.js", "projector.js", "board_pages.js", "board.js")


def asset(*names: str) -> str:
    """The files' text, joined in the order given."""
    return "\n".join((HERE / name).read_text(encoding="utf-8") for name in names)


@functools.cache
def served_file(name: str) -> tuple[str, bytes]:
    """(file name, text) of the served script `name`: its name carries a hash of its text."""
    text = asset(*SERVED[name]).encode()
    digest = base64.urlsafe_b64encode(hashlib.sha256(text).digest()).decode()[:8]
    return f"{name}.{digest}.js", text


def loader(name: str) -> str:
    """A component's script that imports the served file and hands it the component: Streamlit runs it
    from a blob: URL, which resolves no path, hence the absolute URL."""
    path = app_path(f"static/{SERVED_DIR}/{served_file(name)[0]}")
    return (
        "export default async function (component) {\n"
        f"  const served = await import(new URL({path!r}, window.location.href).href);\n"
        "  return served.default(component);\n"
        "}\n"
    )


def words(*names: str) -> dict[str, dict[str, str]]:
    """What a component's scripts say, in the reader's language: {"words": translations} of their t("…")
    messages and of the sentences their documents carry; nothing in English (its data stays as it was)."""
    from ui import i18n_browser

    scripts = i18n_browser.script_messages(*(HERE / n for n in names))
    found = i18n_browser.messages((*scripts, *document_words()))
    return {"words": found} if found else {}


def document_words() -> tuple[str, ...]:
    """The engine's sentences a live document carries as they are (phase labels, results labels, statuses,
    the outage and the ended-session sentences); the scripts look them up with t(doc.…)."""
    from engine.domain import devices, health, release, snapshot
    from engine.domain.model import UNREACHABLE
    from engine.service.feed import NO_EVENT
    from engine.service.health import ENGINE_WORDS
    from engine.views import documents
    from ui import words as enum_words

    return (
        *snapshot.PHASE_LABEL.values(),
        *(label for label in release.LABEL.values() if label),
        release.COMING_SOON,
        UNREACHABLE,
        NO_EVENT,
        documents.TECHNICAL_PROBLEM,
        documents.RECUSED,
        devices.SESSION_OVER,
        *devices.ENDED.values(),
        health.STALE,
        health.STARTING,
        health.NOT_RUNNING,
        health.OVERDUE,
        *enum_words.STATUS.values(),
        *ENGINE_WORDS,
    )


def app_path(path: str) -> str:
    """`path` under the app's base path, as the browser asks for it: "/live/judge", "/base/live/judge"."""
    from ui.cookies import base_path

    return base_path().rstrip("/") + "/" + path.lstrip("/")
