"""The live public board: a browser component that follows /live/public (server-sent events), ticks the
countdown locally and renders with textContent. A viewer costs the server one idle stream, not a rerun."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from ui.components import BOARD_SCRIPTS, app_path, asset, words

_component = st.components.v2.component(
    "stagescore_live_board",
    html="<div class='board'></div>",
    css=asset("board.css"),
    js=asset(*BOARD_SCRIPTS) + "\nexport default liveBoard;\n",
)


def live_board(kiosk: bool, stage: str | None = None, theme: str = "light") -> None:
    """The board of one stage (its stream: /live/public?stage=ID; None: the only stage). A kiosk fits its
    screen, turning pages; `theme` "projector" draws it white on black, large."""
    url = app_path("live/public") + ("?" + urlencode({"stage": stage}) if stage else "")
    _component(
        data={"url": url, "kiosk": kiosk, "theme": theme} | words(*BOARD_SCRIPTS),
        key=f"live-board-{stage}" if stage else "live-board",
    )
