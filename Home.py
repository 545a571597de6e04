"""Stagescore: page config and routing by role. Everything else lives in pages/, ui/ and engine/."""

import streamlit as st

from ui import auth, data, errors, language, nav

st.set_page_config(page_title="Stagescore", page_icon=nav.FAVICON, layout="wide")
language.settle()  # this person's language, before anything is drawn (ui/i18n.py)
kiosk = st.query_params.get("kiosk") == "1"
page = nav.build()
if not kiosk:
    nav.menu(auth.current())
# What a page did not catch: the outage banner, a refusal's one sentence, or a bug's error id.
errors.shown(page.run, data.unreachable)
