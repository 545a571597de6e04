import pandas as pd
import streamlit as st
from streamlit_autorefresh import st_autorefresh

from engine.domain import schedule
from engine.domain.messages import N_
from engine.domain.model import PerformerStatus
from ui import data, i18n, stages, widgets
from ui.i18n import _

# For performers backstage: text only, refreshed every 10 s (the times move by seconds, not faster).
# With several stages, every stage's running order in one table with a Stage column, by expected start.
st_autorefresh(interval=10000, key="schedule-tick")
st.title(_("Schedule"))
festival = stages.several()
shown = data.stages() if festival else [None]
WORD = {PerformerStatus.NO_SHOW: N_("no-show"), PerformerStatus.NOT_PERFORMED: N_("did not perform")}
now = data.service().clock()
rows = []
for stage in shown:
    snap = data.snapshot(stage_id=stage.stage_id if stage else None)
    if snap is None and not festival:
        st.stop()
    if snap is None:
        continue
    lineup = schedule.lineup(snap.state, snap.settings, snap.performers, now)
    where = f"{stage.name}: " if stage else ""
    if not festival:
        round_name = f" — {snap.round.name}" if snap.round and snap.round.number > 1 else ""
        st.caption(widgets.text(snap.settings.event_name + round_name))
    if lineup["on_stage"]:
        st.subheader(widgets.text(where + _("on stage: {name}").format(name=lineup["on_stage"]["performer"])))
    if lineup["next_up"]:
        st.subheader(widgets.text(where + _("next up: {name}").format(name=lineup["next_up"]["performer"])))
    for s in schedule.expected_starts(snap.state, snap.settings, snap.performers, now):
        rows.append(
            ({_("Stage"): stage.name} if stage else {})
            | {
                _("Performer"): s.name,
                _("Category"): s.category,
                _("Status"): _(WORD.get(s.status, s.status.value)),
                _("Expected start"): (
                    _("about {time}").format(time=i18n.clock(s.expected_start))
                    if s.expected_start and s.status is PerformerStatus.WAITING
                    else i18n.clock(s.expected_start)
                ),
                "_at": s.expected_start or float("inf"),
            }
        )
if rows:
    frame = pd.DataFrame(sorted(rows, key=lambda r: r["_at"]) if festival else rows).drop(columns="_at")
    st.table(frame.map(widgets.text), hide_index=True)
else:
    st.info(_("No performers yet."))
