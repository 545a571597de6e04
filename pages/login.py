import streamlit as st

from engine.model import DatabaseUnavailable, StagescoreError
from ui import nav
from ui.auth import current, login
from ui.data import UNREACHABLE

st.title("Log in")
if message := st.session_state.pop("login_message", None):
    st.warning(message)
if session := current():
    st.success(f"You are logged in as {session.name}.")
    st.page_link(nav.home_of(session.role), label="Continue")
    st.stop()

with st.form("login"):
    email = st.text_input("Email", max_chars=254, autocomplete="username")
    password = st.text_input("Password", type="password", max_chars=256, autocomplete="current-password")
    submitted = st.form_submit_button("Log in", type="primary")

if submitted:
    try:
        session = login(email, password)
    except DatabaseUnavailable:
        st.error(UNREACHABLE)
    except StagescoreError as e:
        st.error(str(e))
    else:
        st.switch_page(st.session_state.pop("next_page", None) or nav.home_of(session.role))
