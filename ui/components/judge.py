"""The judge screen as one browser component: it follows /live/judge (server-sent events) and sends
scores to POST /live/score itself, so the Streamlit page runs once and never re-runs while the judge
watches. What it does is said in judge.js; its rules are in judge_core.js."""

from __future__ import annotations

import hashlib

import streamlit as st

from engine.domain.model import Session
from ui import assets
from ui.components import SERVED, app_path, asset, loader, words

# The answer to a score that never came: after this long the screen retries with the same request id.
SUBMIT_TIMEOUT_MS = 8000

_SCRIPTS = SERVED["judge"]
# Its script from the compressed folder (a phone's cache keeps it; the judge's page preloads it), or,
# with no folder to serve it from, in the component's message as before.
_component = st.components.v2.component(
    "stagescore_judge_screen",
    html="<div class='judge'></div>",
    css=asset("judge.css"),
    js=loader("judge") if assets.served("judge") else asset(*_SCRIPTS),
)


def device_key(session: Session) -> str:
    """Names this judge's drafts in the browser's storage, so two judges sharing a device never see each
    other's typed values; a hash, so the email is not written there."""
    return hashlib.sha256(session.email.encode()).hexdigest()[:16]


def judge_screen(session: Session) -> None:
    # Only what never changes goes in `data`: a rerun (a click on "Call the admin") leaves the screen as is.
    _component(
        data={
            "stream": app_path("live/judge"),
            "score": app_path("live/score"),
            "check": app_path("live/check"),
            "login": app_path("login"),
            "who": device_key(session),
            "timeout_ms": SUBMIT_TIMEOUT_MS,
        }
        | words(*_SCRIPTS),
        key="judge-screen",
    )
