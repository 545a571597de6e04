"""The live public board: a browser component that follows /live/public (server-sent events), ticks the
countdown locally and renders with textContent. A viewer costs the server one idle stream, not a rerun."""

from __future__ import annotations

import streamlit as st

from ui.components import app_path, asset

_component = st.components.v2.component(
    "stagescore_live_board",
    html="<div class='board'></div>",
    css=asset("board.css"),
    js=asset("live_core.js", "live_stream.js", "board.js"),
)


def live_board(kiosk: bool) -> None:
    _component(data={"url": app_path("live/public"), "kiosk": kiosk}, key="live-board")
