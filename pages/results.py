import streamlit as st
from streamlit_autorefresh import st_autorefresh

from engine.model import Phase
from ui import data, widgets

# A page without inputs: a whole-page refresh every few seconds is cheap enough for final results.
st_autorefresh(interval=5000, key="results-tick")
st.title("🏆 Results")
snap = data.snapshot()
if snap is None:
    st.stop()
st.caption(widgets.text(snap.settings.event_name))
if snap.state.phase is not Phase.FINISHED:
    st.info("The results are final once the event has finished; this is the ranking so far.")
else:
    widgets.podium(snap)
widgets.ranking_table(snap, snap.settings.public_judge_scores)
