"""The room's screen (`/leaderboard?kiosk=1`): the live board beside a column of QR codes, the phone
board's always and the audience vote's when an admin opened the screen and a vote is open.

`&theme=projector` draws it for a projector or an LED wall: black, white, large type (board.css); either
theme fits its screen without scrolling, the board turning pages by itself when it has more (board.js).
The page is marked by its container's key, which the head's style (ui/kiosk.css) reads to drop
Streamlit's header and margins."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import streamlit as st

from engine.domain.model import Session
from engine.views import qr
from ui import votes, widgets
from ui.components.board import live_board
from ui.i18n import _

THEMES = ("light", "projector")


def theme_of(asked: str | None) -> str:
    """The theme a query parameter asks for; anything else is the light one."""
    return asked if asked in THEMES else THEMES[0]


@st.cache_data(max_entries=32, show_spinner=False)
def _qr(url: str) -> bytes:
    return qr.png(url, scale=6)


def screen(session: Session | None, base_url: str, stage: str | None, theme: str) -> None:
    board_url = f"{base_url}/leaderboard" + ("?" + urlencode({"stage": stage}) if stage else "")
    with st.container(key=f"kiosk-{theme}"):
        left, side = st.columns([5, 1], gap="medium")
        with left:
            live_board(True, stage, theme)
        with side:
            votes.kiosk(session, base_url)  # first: the vote's QR code is the one a phone looks for
            st.image(
                _qr(board_url),
                width=170,
                caption=_("The board on your phone"),
                alt=board_url,
            )
            st.markdown(widgets.ltr(widgets.text(urlsplit(board_url).netloc + "/leaderboard")))
