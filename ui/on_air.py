"""The streaming operator's page (pages/on_air.py): switches for the stage's overlay elements and the
projector's view, each sent through engine/service/on_air.switch (which checks the session and role),
and the overlays' addresses for the stream's browser sources. Nothing here reads or shows a score."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from engine.domain.model import Session, StagescoreError
from engine.domain.on_air import ELEMENT_LABELS, ELEMENTS, PROJECTOR_LABELS, PROJECTOR_VIEWS
from engine.service import on_air
from ui import data, stages
from ui.admin import report
from ui.i18n import _

OVERLAYS = {
    "lower_third": "lower-third",
    "score_card": "score-card",
    "podium": "podium",
    "next_up": "next-up",
}


def _switch(token: str, stage: str, key: str, element: str | None = None) -> None:
    """A toggle's or the projector's change, as the widget `key` now holds it."""
    value = st.session_state[key]
    shown, projector = ({element: bool(value)}, None) if element else (None, value)
    if element:
        said = (_("{element} on air.") if value else _("{element} off air.")).format(
            element=_(ELEMENT_LABELS[element])
        )
    else:
        said = _("Projector: {view}.").format(view=_(PROJECTOR_LABELS.get(value, str(value))))
    report(lambda: on_air.switch(data.on_stage(stage), token, shown, projector), said, toast=True)
    _heard(stage)


def _heard(stage: str) -> None:
    """This process's live feed of the stage reads the switches at its next tick, not in up to 2 s (other
    processes' feeds read them within 2 s)."""
    from ui.live import routes as live

    try:
        hubs = live.current().all()
    except StagescoreError:  # no live feed in this process (a page test)
        return
    for hub in hubs:
        if hub.stage == stage:
            hub.feed.refresh_on_air()


def switches(session: Session) -> None:
    """The stage's switches as they stand (read afresh each run: another operator may have moved them)."""
    stage = data.stage()
    current = on_air.current(data.on_stage(stage))
    st.subheader(_("Overlays"))
    for element in ELEMENTS:
        key = f"on-air-{stage}-{element}"
        st.session_state[key] = current.shows(element)
        st.toggle(
            _(ELEMENT_LABELS[element]), key=key, on_change=_switch, args=(session.token, stage, key, element)
        )
    st.caption(_("A shown element appears when there is something for it: the score card once a performer's "
               "total is public, the podium once the round has finished."))  # fmt: skip
    st.subheader(_("Projector"))
    key = f"on-air-{stage}-projector"
    st.session_state[key] = current.projector
    st.radio(_("The kiosk board shows"), PROJECTOR_VIEWS, format_func=lambda v: _(PROJECTOR_LABELS[v]),
             key=key, on_change=_switch, args=(session.token, stage, key))  # fmt: skip


def addresses(base_url: str) -> None:
    """The overlays' addresses for OBS or vMix browser sources (1920 x 1080), and the state feed's."""
    stage = stages.in_address()
    query = "?" + urlencode({"stage": stage}) if stage else ""
    st.subheader(_("Browser sources (1920 × 1080)"))
    for element in ELEMENTS:
        st.markdown(f"**{_(ELEMENT_LABELS[element])}**")
        st.code(f"{base_url}/overlay/{OVERLAYS[element]}{query}", language=None)
    st.markdown(_("**Everything at once**"))
    st.code(f"{base_url}/overlay/all{query}", language=None)
    st.caption(_("Add `key=green` or `key=blue` for a chroma-key background instead of a transparent one; "
               "`font`, `color`, `accent`, `panel` and `scale` theme them (README: On air)."))  # fmt: skip
    st.markdown(_("**The state feed** (for Advanced Scene Switcher or Companion)"))
    st.code(f"{base_url}/api/v1/state{query}", language=None)
