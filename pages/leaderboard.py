import streamlit as st

from ui import auth, kiosk, stages
from ui.components.board import live_board
from ui.i18n import _
from ui.logins_admin import app_url

if st.query_params.get("kiosk") != "1":
    st.title(_("Live board"))
    stages.picker()
    live_board(False, stages.in_address())
else:  # the room's screen: no menu (Home.py), its QR codes beside the board; ?theme=projector
    kiosk.screen(auth.current(), app_url(), stages.in_address(), kiosk.theme_of(st.query_params.get("theme")))
