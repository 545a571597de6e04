import streamlit as st
from streamlit_autorefresh import st_autorefresh

from engine.model import Phase
from ui import data, widgets

kiosk = st.query_params.get("kiosk") == "1"
st_autorefresh(interval=1000, key="board-tick")
snap = data.snapshot()
if snap is None:
    st.stop()

st.caption(widgets.text(snap.settings.event_name))
widgets.status_header(snap, large=kiosk)
if snap.state.phase is Phase.FINISHED:
    st.header("Final results")
    widgets.podium(snap)
st.subheader("Ranking")
widgets.ranking_table(snap, snap.settings.public_judge_scores)
