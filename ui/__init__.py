"""Streamlit-only helpers for the pages.

Every page imports this package, so this is also the earliest moment our code runs in a fresh server.
Streamlit treats an entry script with a sibling `pages/` folder as an old-style multipage app until some
script run calls st.navigation: until then it serves each pages/*.py file by its file name (/admin_control)
without running Home.py. Home.py always uses st.navigation, so say so from the first page that runs.
"""

try:  # an internal flag: if a Streamlit upgrade drops it, st.navigation still routes once Home.py ran
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False
except ImportError:  # pragma: no cover
    pass
