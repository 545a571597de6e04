"""Browser components (st.components.v2): each is a few small JS/CSS files beside its Python wrapper.

The JS files of one component are joined into one module: the shared helpers first (plain functions),
the component's `export default function` last. Text reaches the page through textContent only.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent


def asset(*names: str) -> str:
    """The files' text, joined in the order given."""
    return "\n".join((HERE / name).read_text(encoding="utf-8") for name in names)


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
