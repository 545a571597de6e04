"""Stagescore: page config and routing by role. Everything else lives in pages/, ui/ and engine/."""

import streamlit as st

from engine.model import DatabaseUnavailable, StagescoreError
from ui import data, nav

st.set_page_config(page_title="Stagescore", page_icon="🎤", layout="wide")
kiosk = st.query_params.get("kiosk") == "1"
page = nav.build()
if not kiosk:
    nav.menu()
try:
    page.run()
except DatabaseUnavailable:
    data.unreachable()
except StagescoreError as e:  # a refused action that a page did not catch: one sentence, no traceback
    st.error(str(e))
