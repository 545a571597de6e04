"""The read API's keys on Log & exports (Streamlit only): create one (shown once), list them, revoke one.
The rules are engine/service/apikeys.py's, the same the command line uses."""

from __future__ import annotations

import time

import pandas as pd
import streamlit as st

from engine.domain.model import DatabaseUnavailable, Session, StagescoreError
from engine.service.apikeys import ApiUseCases
from ui import data, widgets
from ui.i18n import _, error_text

MADE = "api_key_made"  # this tab's new key, shown until the page is left: only its hash is stored
NOTE = "api_key_note"  # what the last revocation did, shown after the rerun that lists it revoked


def _when(ts: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts)) if ts else ""


def _tried(fn):
    try:
        return fn(), None
    except DatabaseUnavailable:
        return None, data.UNREACHABLE + " Nothing was changed."
    except StagescoreError as e:
        return None, error_text(e)


def section(session: Session) -> None:
    api = ApiUseCases(data.service())
    st.subheader(_("API keys"))
    st.caption(
        _(
            "The read API (/api/v1/…, schema at /api/v1/openapi.json) shows without a key what the public "
            "pages show. A key adds every score and comment: give one only to software you trust. It is sent "
            "as Authorization: Bearer KEY, shown once here, and stored only as a hash."
        )
    )
    with st.form("api-key-new", clear_on_submit=True):
        name = st.text_input(_("Who or what will use the key"), max_chars=60)
        if st.form_submit_button(_("Create API key")):
            made, error = _tried(lambda: api.create_key(session.token, name))
            if error:
                st.error(widgets.text(error))
            else:
                st.session_state[MADE] = made
    if made := st.session_state.get(MADE):
        key, secret = made
        said = _("API key {key} ({name}): copy it now, it is not shown again.").format(
            key=key.key_id, name=key.name
        )
        st.success(widgets.text(said))
        st.code(secret, language=None)
    keys, error = _tried(lambda: api.keys(session.token))
    if error:
        st.error(widgets.text(error))
        return
    if not keys:
        st.caption(_("No API keys yet."))
        return
    rows = [
        {
            _("Id"): k.key_id,
            _("Name"): k.name,
            _("Created"): _when(k.created_at),
            _("By"): k.created_by,
            _("Revoked"): _when(k.revoked_at),
        }  # fmt: skip
        for k in keys
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True)  # a grid shows text as text
    active = {k.key_id: f"{k.key_id} · {k.name}" for k in keys if k.active}
    if active:
        c1, c2 = st.columns([3, 1])
        chosen = c1.selectbox(_("Key to revoke"), list(active), format_func=active.get)
        if c2.button(_("Revoke API key")):
            done, error = _tried(lambda: api.revoke_key(session.token, chosen))
            st.session_state[NOTE] = error or _("Revoked API key {key}: it is refused from now on.").format(
                key=done
            )
            st.rerun()
    if note := st.session_state.pop(NOTE, None):
        st.info(widgets.text(note))
