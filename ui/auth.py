"""The auth gate. Every protected page calls `require` first; every write re-checks the token in engine.

Logging in and out happen in the browser against /auth (ui/routes_auth.py, ui/login_form.py): a page
only reads the HttpOnly login cookie, so a reload, a deep link, a server restart or another replica
starts logged in.
"""

from __future__ import annotations

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from engine.domain.messages import N_
from engine.domain.model import DatabaseUnavailable, NotAllowed, Role, Session, StagescoreError
from ui import cookies, nav
from ui.data import service, unreachable
from ui.i18n import _

KEY = "session"
REFUSED = "refused_cookie"  # a cookie's token the database refused: not asked again on every rerun


def current() -> Session | None:
    """This tab's session: the one it holds, else the browser's login cookie, checked against the
    database. A refused cookie leaves its sentence (e.g. another device logged in) for the login page."""
    session = st.session_state.get(KEY)
    if session is not None:
        return session
    token = cookies.token_from_page()
    if not token or st.session_state.get(REFUSED) == token:
        return None
    try:
        session = service().logins.whoami(token)
    except NotAllowed as e:
        st.session_state[REFUSED] = token
        st.session_state["login_message"] = str(e)
        return None
    except DatabaseUnavailable:
        return None  # the page's own gate shows the outage banner and retries
    st.session_state[KEY] = session
    return session


FOR = {
    Role.ADMIN: N_("Not allowed: this page is for the admin."),
    Role.JUDGE: N_("Not allowed: this page is for judges."),
    Role.STREAMING: N_("Not allowed: this page is for the streaming operator."),
}


def require(role: Role | tuple[Role, ...], page: StreamlitPage) -> Session:
    """The logged-in session with `role` (or one of several), or: the login (then back to `page`), or a
    plain refusal."""
    roles = (role,) if isinstance(role, Role) else role
    session = current()
    token = cookies.token_from_page()
    if session is None and token and st.session_state.get(REFUSED) != token:
        try:  # a cookie that could not be checked: an outage is not a logout
            service().logins.whoami(token)
        except DatabaseUnavailable:
            unreachable()
            st.stop()
        except StagescoreError:
            pass
    if session is None:
        st.session_state["next_page"] = page
        st.switch_page(nav.LOGIN_PAGE)
    try:
        session = service().logins.whoami(session.token)
    except NotAllowed as e:
        st.session_state.pop(KEY, None)
        st.session_state[REFUSED] = session.token
        st.session_state["next_page"] = page
        st.session_state["login_message"] = str(e)
        st.switch_page(nav.LOGIN_PAGE)
    except DatabaseUnavailable:
        unreachable()
        st.stop()
    except StagescoreError as e:
        st.info(str(e))
        st.stop()
    if session.role not in roles:
        st.error(_(FOR[roles[0]]))
        st.stop()
    return session
