import streamlit as st
from streamlit_autorefresh import st_autorefresh

from engine.desk import Desk
from engine.model import Phase
from ui import data, widgets

# A page without inputs: a whole-page refresh every few seconds is cheap enough for final results.
st_autorefresh(interval=5000, key="results-tick")
st.title("🏆 Results")
snap = data.snapshot()
if snap is None:
    st.stop()
rounds = Desk(data.service()).rounds()
if len(rounds) > 1:  # every round stays readable
    labels = {f"{r['number']}. {r['name']}": r["event_id"] for r in rounds}
    current = next(label for label, eid in labels.items() if eid == snap.event_id)
    chosen = st.selectbox("Round", list(labels), index=list(labels).index(current))
    if labels[chosen] != snap.event_id:
        snap = data.snapshot(labels[chosen])
        if snap is None:
            st.stop()
title = snap.settings.event_name + (f" — {snap.round.name}" if snap.round and len(rounds) > 1 else "")
st.caption(widgets.text(title))
finished = snap.state.phase is Phase.FINISHED
if not finished:
    st.info("The results are final once the round has finished; this is the ranking so far.")
groups = snap.by_category
per_judge = snap.settings.public_judge_scores
if snap.shows_overall:  # the headline, when the event ranks everyone together too
    if len(groups) > 1:
        st.header("Overall")
    if finished:
        widgets.podium(snap)
    widgets.ranking_table(snap, per_judge)
if len(groups) > 1:
    for category, results in groups.items():
        st.header(widgets.text(category or "No category"))
        if finished:
            widgets.podium(snap, results)
        widgets.ranking_table(snap, per_judge, results)
