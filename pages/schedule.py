import pandas as pd
import streamlit as st
from streamlit_autorefresh import st_autorefresh

from engine.domain import schedule
from engine.domain.model import PerformerStatus
from ui import data, widgets

# For performers backstage: text only, refreshed every 10 s (the times move by seconds, not faster).
st_autorefresh(interval=10000, key="schedule-tick")
st.title("🕒 Schedule")
snap = data.snapshot()
if snap is None:
    st.stop()
round_name = f" — {snap.round.name}" if snap.round and snap.round.number > 1 else ""
st.caption(widgets.text(snap.settings.event_name + round_name))
now = data.service().clock()
lineup = schedule.lineup(snap.state, snap.settings, snap.performers, now)
if lineup["on_stage"]:
    st.subheader("On stage: " + widgets.text(lineup["on_stage"]["performer"]))
if lineup["next_up"]:
    st.subheader("Next up: " + widgets.text(lineup["next_up"]["performer"]))
WORD = {PerformerStatus.NO_SHOW: "no-show", PerformerStatus.NOT_PERFORMED: "did not perform"}
rows = [
    {
        "Performer": s.name,
        "Category": s.category,
        "Status": WORD.get(s.status, s.status.value),
        "Expected start": (
            f"about {schedule.clock_time(s.expected_start)}"
            if s.expected_start and s.status is PerformerStatus.WAITING
            else schedule.clock_time(s.expected_start)
            if s.expected_start
            else "—"
        ),
    }
    for s in schedule.expected_starts(snap.state, snap.settings, snap.performers, now)
]
if rows:
    st.table(pd.DataFrame(rows).map(widgets.text), hide_index=True)
else:
    st.info("No performers yet.")
