"""Every page is always registered, so every URL works (a protected page runs its own gate);
the menu shows only the role's pages.

The st.Page objects are built once per session, at its first script run (st.Page resolves its file
against the running script, so it cannot be built at import time), and pages refer to them by name:
`st.switch_page(nav.LOGIN_PAGE)`, never by a "pages/…" string.
"""

from __future__ import annotations

import streamlit as st
from streamlit.navigation.page import StreamlitPage
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from engine.domain.messages import N_
from engine.domain.model import Role, Session
from ui import i18n, language, stages
from ui.i18n import _
from ui.icon import DATA_URL as APP_ICON
from ui.login_form import logout_button

# Each page, under who sees it in the menu: name: (file, title, icon, url path). The first public page
# is the default, served at "/".
# No emoji anywhere (a machine without an emoji font draws empty boxes: Debian's Chromium, a projector's
# PC). The pages the crowd and the judges see have no icon at all: a ":material/…" icon would fetch
# Streamlit's icon font (375 KB) on a phone's first load (README, Doors open; tests/e2e/test_first_load.py).
# The admin's pages have Material icons, which ship with Streamlit.
PUBLIC_PAGES = {
    "WELCOME_PAGE": ("pages/welcome.py", "Stagescore", None, "welcome"),
    "LEADERBOARD_PAGE": ("pages/leaderboard.py", N_("Live board"), None, "leaderboard"),
    "RESULTS_PAGE": ("pages/results.py", N_("Results"), None, "results"),
    "SCHEDULE_PAGE": ("pages/schedule.py", N_("Schedule"), None, "schedule"),
}
FESTIVAL_PAGES = {  # public, once the deployment has several stages
    "NOW_PAGE": ("pages/now.py", N_("Now on every stage"), None, "now"),
}
JUDGE_PAGES = {"JUDGE_PAGE": ("pages/judge.py", N_("Score"), None, "judge")}
ADMIN_PAGES = {
    "CONTROL_PAGE": ("pages/admin_control.py", N_("Control"), ":material/tune:", "admin"),
    "FESTIVAL_PAGE": ("pages/admin_festival.py", N_("Festival"), ":material/festival:", "admin-festival"),
    "SETUP_PAGE": ("pages/admin_setup.py", N_("Setup"), ":material/settings:", "admin-setup"),
    "SCORES_PAGE": (
        "pages/admin_scores.py",
        N_("Scores & analytics"),
        ":material/monitoring:",
        "admin-scores",
    ),
    "LOG_PAGE": ("pages/admin_log.py", N_("Log & exports"), ":material/receipt_long:", "admin-log"),
    "RESULTS_DESK_PAGE": (
        "pages/admin_results.py",
        N_("Results desk"),
        ":material/verified:",
        "admin-results",
    ),
}
# The streaming operator's one page (the admin's menu has it too): what goes on air, nothing else.
STREAMING_PAGES = {"ON_AIR_PAGE": ("pages/on_air.py", N_("On air"), ":material/videocam:", "on-air")}
LOGIN_PAGES = {"LOGIN_PAGE": ("pages/login.py", N_("Log in"), None, "login")}  # for whoever is not logged in
PAGES = PUBLIC_PAGES | FESTIVAL_PAGES | JUDGE_PAGES | ADMIN_PAGES | STREAMING_PAGES | LOGIN_PAGES
PUBLIC, FESTIVAL = tuple(PUBLIC_PAGES), tuple(FESTIVAL_PAGES)
JUDGE, ADMIN, STREAMING = tuple(JUDGE_PAGES), tuple(ADMIN_PAGES), tuple(STREAMING_PAGES)
HOME = {Role.JUDGE: "JUDGE_PAGE", Role.ADMIN: "CONTROL_PAGE", Role.STREAMING: "ON_AIR_PAGE"}
LOGIN = next(iter(LOGIN_PAGES))
ROLE_NAMES = {Role.ADMIN: N_("admin"), Role.JUDGE: N_("judge"), Role.STREAMING: N_("streaming operator")}
PAGES_KEY = "_stagescore_pages"  # this session's page objects
TITLES_KEY = "_stagescore_page_titles"  # the language of their titles
FAVICON = APP_ICON  # the tab's icon (ui/icon.py)


def _built() -> dict[str, StreamlitPage]:
    """This session's page objects, built at its first script run. Not shared between sessions:
    st.navigation marks the page it returns as callable once and page.run() clears the mark, so two
    sessions running one shared object at once would refuse each other's run ("This page cannot be
    called directly"), an error id instead of the board for a phone arriving with a crowd."""
    # Outside a script run st.Page returns an inert object: fail loudly rather than keep one.
    if get_script_run_ctx(suppress_warning=True) is None:
        raise RuntimeError("page objects exist only inside a Streamlit script run")
    code = i18n.current()
    pages = st.session_state.get(PAGES_KEY)
    if pages is None or st.session_state.get(TITLES_KEY) != code:  # first run, or another language
        default = next(iter(PAGES))
        pages = st.session_state[PAGES_KEY] = {
            name: st.Page(path, title=_(title), icon=icon, url_path=url, default=name == default)
            for name, (path, title, icon, url) in PAGES.items()
        }
        st.session_state[TITLES_KEY] = code
    return pages


def __getattr__(name: str) -> StreamlitPage:
    """nav.JUDGE_PAGE and the like: the page object, built on first use."""
    if name in PAGES:
        return _built()[name]
    raise AttributeError(name)


def path_of(name: str) -> str:
    """The page's file, as AppTest's switch_page and the login's return address take it."""
    return PAGES[name][0]


def home_of(role: Role) -> StreamlitPage:
    """Where a logged-in user starts."""
    return _built()[HOME[role]]


def build():
    # Our own menu (below) rather than Streamlit's: it lists exactly the role's pages, and
    # client.showSidebarNavigation = false keeps the pages/ folder's auto-discovered list away.
    return st.navigation(list(_built().values()), position="hidden")


def menu(session: Session | None) -> None:
    role = session.role if session else None
    names = list(PUBLIC) + (list(FESTIVAL) if stages.several() else [])
    if role is Role.JUDGE:
        names += JUDGE
    elif role is Role.ADMIN:
        names += ADMIN + STREAMING
    elif role is Role.STREAMING:
        names += STREAMING
    else:
        names.append(LOGIN)
    with st.sidebar:
        language.menu()
        for name in names:
            st.page_link(_built()[name])
        if role in (Role.ADMIN, Role.STREAMING):
            stages.picker(in_sidebar=True)  # which stage's desk, setup, scores and results
        if session:
            role_name = _(ROLE_NAMES.get(session.role, session.role.value))
            st.caption(_("Logged in as {name} ({role})").format(name=session.name, role=role_name))
            logout_button()  # a form POST to /auth/logout: ends the token and clears the cookie
