import streamlit as st

from ui import nav
from ui.auth import current
from ui.i18n import _
from ui.login_form import login_form, next_path
from ui.routes_auth import LINK_ERRORS

st.title(_("Log in"))
session = current()  # first: a refused login cookie leaves the sentence that says why
# A refused login link arrives here as one known word (never text from the address bar).
if sentence := LINK_ERRORS.get(st.query_params.get("error", "")):
    st.warning(_(sentence))
if message := st.session_state.pop("login_message", None):
    st.warning(message)
if session:
    st.success(_("You are logged in as {name}.").format(name=session.name))
    st.page_link(nav.home_of(session.role), label=_("Continue"))
    st.stop()

login_form(next_path(st.session_state.get("next_page")))
st.caption(_("Judges can also log in with the login link or QR code the organiser shows them."))
