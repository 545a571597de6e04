import streamlit as st

from engine.model import Phase
from ui import data, widgets

snap = data.snapshot()
if snap is None:
    st.stop()
st.title("Results")
st.caption(widgets.text(snap.settings.event_name))
if snap.state.phase is not Phase.FINISHED:
    st.info("The results are final once the event has finished; this is the ranking so far.")
else:
    widgets.podium(snap)
widgets.ranking_table(snap, snap.settings.public_judge_scores)
