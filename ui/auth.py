"""The auth gate. Every protected page calls `require` first; every write re-checks the token in engine."""

from __future__ import annotations

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from engine.model import DatabaseUnavailable, NotAllowed, Role, Session, StagescoreError
from ui import cookies, nav
from ui.data import service, unreachable

KEY = "session"


def current() -> Session | None:
    """This tab's session: the one it logged in with, else the browser's login cookie (which survives a
    reload, a deep link and a server restart). The cookie's token is checked against the database."""
    session = st.session_state.get(KEY)
    if session is not None:
        return session
    token = cookies.token_from_page()
    if not token:
        return None
    try:
        session = service().whoami(token)
    except NotAllowed:
        return None
    except DatabaseUnavailable:
        return None  # the page's own gate shows the outage banner and retries
    st.session_state[KEY] = session
    return session


def require(role: Role, page: StreamlitPage) -> Session:
    """The logged-in session with `role`, or: the login (then back to `page`), or a plain refusal."""
    session = current()
    if session is None and cookies.token_from_page():
        try:  # a cookie that could not be checked: an outage is not a logout
            service().whoami(cookies.token_from_page())
        except DatabaseUnavailable:
            unreachable()
            st.stop()
        except StagescoreError:
            pass
    if session is None:
        st.session_state["next_page"] = page
        st.switch_page(nav.LOGIN_PAGE)
    try:
        session = service().whoami(session.token)
    except NotAllowed as e:
        st.session_state.pop(KEY, None)
        st.session_state["next_page"] = page
        st.session_state["login_message"] = str(e)
        st.switch_page(nav.LOGIN_PAGE)
    except DatabaseUnavailable:
        unreachable()
        st.stop()
    except StagescoreError as e:
        st.info(str(e))
        st.stop()
    if session.role is not role:
        st.error("Not allowed: this page is for " + ("the admin." if role is Role.ADMIN else "judges."))
        st.stop()
    return session


def login(email: str, password: str) -> Session:
    session = service().login(email, password)
    st.session_state[KEY] = session
    return session


def logout() -> None:
    session = st.session_state.pop(KEY, None)
    if session:
        try:
            service().logout(session.token)
        except StagescoreError:  # the token expires anyway; logging out locally must always work
            pass
