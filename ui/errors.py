"""What a page shows when something fails: the outage banner for the database, one sentence for a refused
action, and for anything else (a bug) an error id, with the traceback in the server log under that id.

A bug must never look like an outage: the banner tells people to wait, and waiting will not fix a bug.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import streamlit as st

from engine.domain.model import DatabaseUnavailable, StagescoreError
from ui.i18n import _, error_text

log = logging.getLogger("stagescore.ui")
P = ParamSpec("P")
R = TypeVar("R")


def something_went_wrong(error: BaseException) -> str:
    """Log `error` with a fresh id and show that id; returns the id."""
    error_id = uuid.uuid4().hex[:12]
    log.error("error id %s: %s", error_id, error, exc_info=error)
    st.error(
        _(
            "Something went wrong (error id {error_id}). Please tell the organiser; reloading may help."
        ).format(error_id=error_id)
    )
    return error_id


def shown(fn: Callable[P, R], on_outage: Callable[[], None], *args: P.args, **kwargs: P.kwargs) -> R | None:
    """Run `fn`; a database outage calls `on_outage`, a refusal shows its sentence, a bug its error id.
    Streamlit's own stop, rerun and page switch are BaseExceptions and pass straight through."""
    try:
        return fn(*args, **kwargs)
    except DatabaseUnavailable:
        on_outage()
    except StagescoreError as e:
        st.error(error_text(e))
    except Exception as e:
        something_went_wrong(e)
    return None
