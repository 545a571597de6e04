import streamlit as st

from engine.model import Role
from ui import data, nav, results_desk
from ui.admin import show_message
from ui.auth import require

session = require(Role.ADMIN, nav.RESULTS_DESK_PAGE)
st.title("🏅 Results desk")
show_message()
svc = data.service()


@data.live(1)
def live() -> None:
    snap = data.snapshot()
    if snap is None:
        return
    rel = svc.release(snap.event_id)
    results_desk.status_panel(snap, rel)
    results_desk.flags_panel(session, snap, rel)


live()
snap = data.snapshot()
if snap is None:
    st.stop()
rel = svc.release(snap.event_id)
st.subheader("Sign-off and reveal")
st.caption(
    "Results are provisional once the last scoring window closes. Sign off when any protest window has "
    "closed; then reveal the ranking on the board from last place up, the podium last."
)
results_desk.sign_off_and_reveal(session, snap, rel)
st.subheader("Results settings")
results_desk.settings_form(session, rel)
results_desk.links_panel(session, snap)
