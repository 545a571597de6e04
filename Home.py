"""Stagescore: page config and routing by role. Everything else lives in pages/, ui/ and engine/."""

import streamlit as st

from ui import nav

st.set_page_config(page_title="Stagescore", page_icon="🎤", layout="wide")
kiosk = st.query_params.get("kiosk") == "1"
page = nav.build()
if not kiosk:
    nav.menu()
page.run()
