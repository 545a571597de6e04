"""Unexpected exceptions in a page: logged with an error id, shown as one sentence, never a traceback."""

from __future__ import annotations

import logging
import uuid

import streamlit as st

log = logging.getLogger("stagescore.web")


def show_unexpected(exc: BaseException) -> str:
    error_id = uuid.uuid4().hex[:8]
    log.error("unexpected error %s", error_id, exc_info=exc)
    st.error(
        f"Something went wrong (error id {error_id}). Please reload; if it happens again, tell the organiser."
    )
    return error_id
