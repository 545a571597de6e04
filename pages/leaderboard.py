import streamlit as st

from ui import auth, stages, votes
from ui.components.board import live_board
from ui.i18n import _
from ui.logins_admin import app_url

kiosk = st.query_params.get("kiosk") == "1"
if not kiosk:
    st.title("📺 " + _("Live board"))
    stages.picker()
else:  # the room's screen: the audience vote's code and QR code, when an admin opened it
    votes.kiosk(auth.current(), app_url())
live_board(kiosk, stages.in_address())
