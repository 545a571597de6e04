"""Helpers for the admin pages: run a command and say what happened in one sentence."""

from __future__ import annotations

import streamlit as st

from engine.model import Command, CommandKind, DatabaseUnavailable, StagescoreError
from ui import data


def run_command(
    token: str, kind: CommandKind, seconds: float = 0.0, force: bool = False, window_id: int | None = None
) -> bool:
    try:
        state = data.service().command(
            token, Command(kind, seconds=seconds, force=force, window_id=window_id)
        )
    except DatabaseUnavailable:
        st.session_state["admin_message"] = ("error", data.UNREACHABLE + " The command was not applied.")
        return False
    except StagescoreError as e:
        st.session_state["admin_message"] = ("error", str(e))
        return False
    data.refresh()
    st.session_state["admin_message"] = (
        "ok",
        f"{kind.value.capitalize()}: the event is now {state.phase.value.lower()}"
        + (" (paused)." if state.paused else "."),
    )
    return True


def show_message() -> None:
    msg = st.session_state.pop("admin_message", None)
    if msg:
        kind, textual = msg
        (st.error if kind == "error" else st.toast)(textual)
