"""The stage a page shows, chosen on the page (public pages) or in the admin's menu, once a deployment
has several stages. The choice lives in the page's address (`?stage=ID`, ui/data.stage) so a link or a
projector's bookmark keeps it."""

from __future__ import annotations

import streamlit as st

from engine.domain.model import StagescoreError
from ui import data
from ui.i18n import _

PICKED = "stage-picker"


def _picked() -> None:
    chosen = st.session_state.get(PICKED)
    if chosen:
        st.session_state["stage"] = st.query_params["stage"] = chosen


def picker(in_sidebar: bool = False) -> None:
    """A choice of stage (nothing while the deployment has one stage, or while the database cannot say:
    the admin's menu runs outside the page's guard, and the page itself shows the outage banner)."""
    try:
        listed = data.stages()
    except StagescoreError:
        return
    if len(listed) < 2:
        return
    names = {s.stage_id: s.name for s in listed}
    st.session_state[PICKED] = data.stage()
    if in_sidebar:
        st.sidebar.selectbox(_("Stage"), list(names), format_func=names.get, key=PICKED, on_change=_picked)
    else:
        st.segmented_control(
            _("Stage"), list(names), format_func=names.get, key=PICKED, on_change=_picked, required=True
        )


def name(stage_id: str) -> str:
    """A stage's name as its pages say it."""
    return next((s.name for s in data.stages() if s.stage_id == stage_id), stage_id)


def in_address() -> str | None:
    """The stage a live part follows, as its stream's address names it: none while there is one stage."""
    return data.stage() if len(data.stages()) > 1 else None


def several() -> bool:
    """Whether the deployment has several stages (False while the database cannot say)."""
    try:
        return len(data.stages()) > 1
    except StagescoreError:
        return False
