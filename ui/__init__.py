"""Streamlit-only helpers for the pages.

Every page imports this package, so this is also the earliest moment our code runs in a fresh server.
Streamlit treats an entry script with a sibling `pages/` folder as an old-style multipage app until some
script run calls st.navigation: until then it serves a deep link such as /results by running
pages/results.py alone, without Home.py (no menu, no error handling). Home.py always uses st.navigation,
so say so from the first script that runs, and rerun that first request through Home.py.
"""

try:  # an internal flag: if a Streamlit upgrade drops it, st.navigation still routes once Home.py ran
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
except ImportError:  # pragma: no cover
    PagesManager = None

if PagesManager is not None and PagesManager.uses_pages_directory:
    PagesManager.uses_pages_directory = False
    if get_script_run_ctx(suppress_warning=True) is not None:
        import streamlit as st

        st.rerun()
