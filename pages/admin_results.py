import streamlit as st

from engine.domain.model import Role
from ui import calculation, data, nav, panels, results, votes
from ui.admin import show_message
from ui.auth import require
from ui.i18n import _

session = require(Role.ADMIN, nav.RESULTS_DESK_PAGE)
st.title(_("Results desk"))
show_message()
svc = data.on_stage()


@data.live(1)
def live() -> None:
    snap = data.snapshot()
    if snap is None:
        return
    rel = svc.results.release(snap.event_id)
    results.status_panel(snap, rel)
    results.flags_panel(session, snap, rel)


live()
snap = data.snapshot()
if snap is None:
    st.stop()
rel = svc.results.release(snap.event_id)
st.subheader(_("Sign-off and reveal"))
st.caption(
    _(
        "Results are provisional once the last scoring window closes. Sign off when any protest window has "
        "closed; then reveal the ranking on the board from last place up, the podium last."
    )
)
results.sign_off_and_reveal(session, snap, rel)
calculation.panel(snap)
st.subheader(_("Results settings"))
results.settings_form(session, rel)
results.links_panel(session, snap)
panels.deduction_form(svc, session, snap)
panels.card_picker(svc, session, snap)

votes.results(data.audience(data.stage(), snap.event_id), public=False)
