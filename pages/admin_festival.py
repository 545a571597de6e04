import streamlit as st

from engine.domain.model import Role
from ui import data, festival, nav
from ui.auth import require
from ui.i18n import _

session = require(Role.ADMIN, nav.FESTIVAL_PAGE)
st.title(_("Festival"))
st.caption(
    _("Every stage at a glance, refreshed each second; each stage's own control desk is one click away.")
)
data.live(run_every=1.0)(festival.overview)()
st.divider()
festival.judges(session)
st.divider()
festival.add_stage(session)
