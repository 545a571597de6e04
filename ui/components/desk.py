"""The admin desk's live part as one browser component fed by /live/admin (server-sent events): the
status, the countdown, the panel's presence, scores and help calls, the timer engine's health and
details. The commands stay Streamlit buttons on the page; the component tells the page what it shows
("seen")."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from ui.components import app_path, asset, words

_SCRIPTS = ("live_core.js", "live_stream.js", "desk.js")
_component = st.components.v2.component(
    "stagescore_admin_desk",
    html="<div class='desk'></div>",
    css=asset("desk.css"),
    js=asset(*_SCRIPTS),
)


def _moved() -> None:
    """The desk shows a new window or version: the page re-runs (once), see ui.admin.show_message."""


def admin_desk(stage: str | None = None, show_engine: bool = True) -> dict | None:
    """Mount the desk; returns what it shows, {event_id, window_id, version, phase}, or None before its
    first document. `stage`: the stage whose desk it is (its stream: /live/admin?stage=ID; None: the only
    stage). `show_engine`: the desk's line about the timer engine (its red sentence, when there is one,
    shows either way)."""
    result = _component(
        data={
            "url": app_path("live/admin") + ("?" + urlencode({"stage": stage}) if stage else ""),
            "engine": show_engine,
        }
        | words(*_SCRIPTS),
        key=f"admin-desk-{stage}" if stage else "admin-desk",
        default={"seen": None},
        on_seen_change=_moved,
    )
    seen = getattr(result, "seen", None)
    return seen if isinstance(seen, dict) else None
