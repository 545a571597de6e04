"""Helpers for the admin pages: run a command and say what happened in one sentence.

A refusal stays on screen while the event is in the state it was about (same event, same version), and
goes as soon as the state moves on: the desk reports each new version (ui/components/desk.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import streamlit as st

from engine.domain.model import Command, CommandKind, DatabaseUnavailable, StagescoreError
from ui import data, words
from ui.i18n import _, error_text

KEY = "admin_message"


def about(seen: Mapping | None) -> tuple[str, int] | None:
    """What a message is about: the event and the version the desk showed when the command was given."""
    if not seen or seen.get("event_id") is None or seen.get("version") is None:
        return None
    return (str(seen["event_id"]), int(seen["version"]))


def still_current(message: Mapping, seen: Mapping | None) -> bool:
    """Whether a message shown before still belongs on screen: only while the desk shows the very state it
    was about. One about an unknown state is shown once."""
    was = message.get("about")
    return was is not None and tuple(was) == about(seen)


def run_command(
    token: str,
    kind: CommandKind,
    seconds: float = 0.0,
    force: bool = False,
    window_id: int | None = None,
    seen: Mapping | None = None,
) -> bool:
    def refused(text: str) -> bool:
        st.session_state[KEY] = {"kind": "error", "text": text, "about": about(seen), "fresh": True}
        return False

    try:
        state = data.on_stage().command(
            token, Command(kind, seconds=seconds, force=force, window_id=window_id)
        )
    except DatabaseUnavailable:
        return refused(_(data.UNREACHABLE) + " " + _("The command was not applied."))
    except StagescoreError as e:
        return refused(error_text(e))
    data.refresh()
    st.session_state[KEY] = {
        "kind": "ok",
        "text": (
            _("{command}: the event is now {phase} (paused).")
            if state.paused
            else _("{command}: the event is now {phase}.")
        ).format(command=_(words.COMMAND[kind]), phase=_(words.PHASE_WORD[state.phase])),
        "about": (state.event_id, state.version),
        "fresh": True,
    }
    return True


def show_message(seen: Mapping | None = None) -> None:
    msg = st.session_state.get(KEY)
    if not msg:
        return
    if isinstance(msg, tuple):  # (kind, text) from pages that do not follow a state (ui/results.py)
        msg = st.session_state[KEY] = {"kind": msg[0], "text": msg[1], "about": None, "fresh": True}
    if not msg["fresh"] and not still_current(msg, seen):
        st.session_state.pop(KEY, None)
        return
    msg["fresh"] = False
    if msg["kind"] == "error":
        st.error(msg["text"])
    else:  # a toast goes by itself: once is enough
        st.toast(msg["text"])
        st.session_state.pop(KEY, None)


def report(action: Callable[[], object], ok: str, toast: bool = False) -> None:
    """Run an admin's change; say what happened in one sentence (a toast for a small change), or why
    nothing was changed."""
    try:
        action()
    except DatabaseUnavailable:
        st.error(_(data.UNREACHABLE) + " " + _("Nothing was changed."))
    except StagescoreError as e:
        st.error(error_text(e))
    else:
        data.refresh()
        if toast:
            st.toast(ok)
        else:
            st.success(ok)
