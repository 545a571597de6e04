import streamlit as st

from engine.domain.model import Role
from ui import nav
from ui.auth import current
from ui.i18n import _

st.title(_("Stagescore"))
st.write(_("Live scoring for talent shows, dance and music competitions and pitch contests."))
session = current()
c1, c2, c3 = st.columns(3)
c1.page_link(nav.LEADERBOARD_PAGE, label=_("Live board"))
c2.page_link(nav.RESULTS_PAGE, label=_("Results"))
if session is None:
    c3.page_link(nav.LOGIN_PAGE, label=_("Judges and admin: log in"))
elif session.role is Role.JUDGE:
    c3.page_link(nav.JUDGE_PAGE, label=_("Score"))
else:
    c3.page_link(nav.CONTROL_PAGE, label=_("Control desk"))
