"""The app's icon, a microphone drawn in SVG (an emoji needs a font some machines lack), as a data URL
read once: the tab's icon of every Streamlit page (ui/nav.py) and of the vote page (ui/vote/), so a new
session costs no file read and a browser asks for no /favicon.ico."""

from __future__ import annotations

import base64
from pathlib import Path

DATA_URL = (
    "data:image/svg+xml;base64,"
    + base64.b64encode(Path(__file__).with_name("favicon.svg").read_bytes()).decode()
)
