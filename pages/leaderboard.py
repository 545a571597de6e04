import streamlit as st

from ui import stages
from ui.components.board import live_board

kiosk = st.query_params.get("kiosk") == "1"
if not kiosk:
    st.title("📺 Live board")
    stages.picker()
live_board(kiosk, stages.in_address())
