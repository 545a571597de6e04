"""The first visitor after the server starts.

Streamlit 1.67 treats an entry script with a sibling `pages/` folder as an old-style multipage app until a
script run calls st.navigation: the very first run of a fresh server would be routed by the pages/ file
names (/admin_control, /admin_setup, …), not by Home.py's st.navigation, and a first visit to a url that is
no file name, such as /admin, answered "Page not found" (an inert dialog) before any of our code runs.
`ui/server.py` (the st.App that `python -m ui.serve` runs) switches that off before the server starts.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.browsing import APP, NOT_FOUND, fill_login

pytestmark = pytest.mark.e2e


def test_first_visit_after_start_to_admin_asks_for_login(stack, new_page):
    page = new_page()
    page.goto(f"{stack.url}/admin")
    page.wait_for_selector(f'{APP}[data-test-connection-state="CONNECTED"]')
    login_form = page.get_by_role("button", name="Log in")
    # A fresh process's first run imports the app's modules: on a loaded machine, more than expect's 5 s.
    expect(login_form.or_(page.get_by_text(NOT_FOUND)).first).to_be_visible(timeout=30_000)
    # Streamlit sends "Page not found" before the script runs: by now it would be on the page.
    assert page.get_by_text(NOT_FOUND).count() == 0, f"Page not found (at {page.url})"
    assert page.url.endswith("/login"), page.url
    fill_login(page, "admin@demo.local", stack.password)
    page.wait_for_url("**/admin")
    expect(page.get_by_role("button", name="Pause", exact=True)).to_be_visible()
