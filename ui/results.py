"""The admin's Results page in parts (Streamlit only): status and protest countdown, outlier flags with
"Ask to check", Sign off and Reveal next, the results settings, the performers' links with QR codes, the PDF
downloads. (The judge's "Please check your score" prompt is on the judge screen, ui/components/judge.js.)
Decisions are engine/'s."""

from __future__ import annotations

import functools
import io
import time
from collections.abc import Callable
from decimal import Decimal
from typing import TypeVar
from urllib.parse import urlsplit

import segno
import streamlit as st

from engine.domain import release
from engine.domain.messages import N_
from engine.domain.model import DatabaseUnavailable, Session, StagescoreError
from engine.domain.release import Release, ResultsSettings
from engine.domain.snapshot import Snapshot
from engine.views import results, sheets
from engine.views.votes import Audience
from ui import cookies, data, i18n, widgets
from ui.i18n import _, error_text, ngettext

# The results' state on the desk (release.ResultsStatus values)
RESULTS_STATUS = {"live": N_("Live"), "provisional": N_("Provisional"), "official": N_("Official")}

T = TypeVar("T")
LINKS = "sheet_links"  # this tab's freshly created links: only their hashes are stored


def act(fn: Callable[[], T], ok: str | Callable[[T], str]) -> T | None:
    """Run an action; its one sentence (or the refusal's) is shown after the rerun. None when refused."""
    try:
        result = fn()
    except StagescoreError as e:  # an outage says so: nothing was written
        outage = isinstance(e, DatabaseUnavailable)
        refusal = _(data.UNREACHABLE) + " " + _("Nothing was changed.") if outage else error_text(e)
        st.session_state["admin_message"] = ("error", refusal)
        return None
    data.refresh()
    st.session_state["admin_message"] = ("ok", ok(result) if callable(ok) else ok.format(result=result))
    return result


def status_panel(snap: Snapshot, rel: Release) -> None:
    now = data.service().clock()
    current = release.status(snap.state, rel)
    c1, c2, c3 = st.columns(3)
    c1.metric(_("Results"), _(RESULTS_STATUS.get(current.value, current.value)))
    left = release.protest_remaining(snap.state, rel.settings, now)
    c2.metric(_("Protest window"), "—" if left is None else time.strftime("%M:%S", time.gmtime(left)))
    places = release.reveal_places(snap.results, snap.reveal_groups)
    shown = release.revealed_count(rel, len(places), now)
    c3.metric(_("Revealed"), _("{shown} / {places} places").format(shown=shown, places=len(places)))
    if rel.official:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(rel.signed_off_at))
        signed = _("Signed off by {who} at {when} · results hash {hash}")
        st.caption(widgets.text(signed.format(who=rel.signed_off_by, when=when, hash=rel.results_hash)))
        same = release.results_hash(results.results_document(snap)) == rel.results_hash
        (st.success if same else st.error)(
            _("The results match what was signed off.")
            if same
            else _("The results no longer match the signed-off hash: check the log.")
        )


def flags_panel(session: Session, snap: Snapshot, rel: Release) -> None:
    flags = results.flags_outliers(snap, rel)
    st.subheader(_("Outlier checks"))
    if not flags:
        st.caption(
            _("No score is further than {points} points (0–10 scale) from the panel.").format(
                points=i18n.number(rel.settings.outlier_distance)
            )
        )
        return
    for i, f in enumerate(flags):
        c1, c2 = st.columns([4, 1])
        c1.warning(widgets.text(f"{f['performer']}: {f['sentence']}"))
        if c2.button(
            _("Ask to check"), key=f"check-{i}-{f['email']}-{f['performer_id']}", disabled=rel.official
        ):
            ask = functools.partial(
                data.on_stage().results.request_check, session.token, f["email"], f["performer_id"]
            )
            act(ask, _("Asked: {result}"))
            st.rerun()


def _confirm_sign_off(session: Session, name: str) -> None:
    @st.dialog(_("Sign off the results?"))  # built here, not at import: its title in the reader's language
    def confirm() -> None:
        st.write(widgets.text(_("The results of {name} become official.").format(name=name)))
        st.write(_("From then on the scores, settings and roster of this round cannot change."))
        if st.button(_("Yes, sign off"), type="primary"):
            act(lambda: data.on_stage().results.sign_off(session.token), _("The results are official."))
            st.rerun()

    confirm()


def sign_off_and_reveal(session: Session, snap: Snapshot, rel: Release) -> None:
    c1, c2 = st.columns(2)
    if c1.button(_("Sign off"), type="primary", width="stretch", disabled=rel.official):
        _confirm_sign_off(session, snap.settings.event_name)
    if c2.button(_("Reveal next"), width="stretch", disabled=not rel.official):
        act(
            lambda: data.on_stage().results.reveal_next(session.token),
            _("Revealed {result} place(s) on the board."),
        )
        st.rerun()


def settings_form(session: Session, rel: Release) -> None:
    s = rel.settings
    with st.form("results-settings"):
        distance_label = _("Outlier distance (points on a 0–10 scale; 0 = off)")
        distance = st.number_input(distance_label, 0.0, 10.0, float(s.outlier_distance), 0.5)
        protest = st.number_input(
            _("Protest window (minutes)"), 0, release.MAX_PROTEST_MINUTES, s.protest_minutes
        )
        reveal_label = _("Reveal timer (seconds per place; 0 = by click)")
        reveal = st.number_input(reveal_label, 0, release.MAX_REVEAL_SECONDS, s.reveal_every_seconds)
        hide = st.checkbox(_("Hide results until revealed"), s.hide_until_revealed)
        named = st.checkbox(_("Name the judges on sheets (else Judge A, B, C)"), s.judge_names_on_sheets)
        saved = st.form_submit_button(_("Save results settings"), disabled=rel.official)
    if saved:
        new = ResultsSettings(Decimal(str(distance)), int(protest), hide, int(reveal), named)
        act(
            lambda: data.on_stage().results.save_results_settings(session.token, new),
            _("Results settings saved."),
        )
        st.rerun()


def _origin() -> str:
    parts = urlsplit(st.context.url or "http://localhost:8501/")
    base = cookies.base_path().rstrip("/")
    return f"{parts.scheme}://{parts.netloc}{base}"


def qr_png(url: str) -> bytes:
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="png", scale=5, border=2)
    return buf.getvalue()


def links_panel(session: Session, snap: Snapshot) -> None:
    st.subheader(_("Performers' sheet links"))
    st.caption(
        _(
            "Each performer gets a private link to their own score sheet, which opens once the results are "
            "official. Links are shown here once (only a hash is stored); creating them again replaces them."
        )
    )
    if st.button(_("Create performer links")):
        made = act(
            lambda: data.on_stage().results.create_sheet_links(session.token),
            lambda r: ngettext("{n} link created.", "{n} links created.", len(r)).format(n=len(r)),
        )
        if made is not None:
            st.session_state[LINKS] = (snap.event_id, made)
        st.rerun()
    created = st.session_state.get(LINKS)
    if not created or created[0] != snap.event_id or not created[1]:
        return
    origin = _origin()
    cols = st.columns(3)
    for i, (pid, token) in enumerate(created[1].items()):
        url = f"{origin}/sheet/{token}"
        with cols[i % 3]:
            st.write(widgets.text(snap.performer_name(pid)))
            st.image(qr_png(url), width=180)
            st.code(url, language=None)


def downloads(snap: Snapshot, rel: Release, audience: Audience | None = None) -> None:
    """The PDF downloads (the Log & exports page's section); the results with the audience's, if any."""
    st.subheader(_("Take-home sheets (PDF)"))
    c1, c2, c3 = st.columns(3)
    whole = sheets.results_pdf(snap, rel, audience)
    c1.download_button(_("Results (PDF)"), whole, sheets.file_name(snap), "application/pdf")
    wording = i18n.sheet_wording(i18n.current())  # the score sheets in the admin's language
    everyone = sheets.all_sheets_pdf(snap, rel, wording)
    c2.download_button(
        _("All score sheets (PDF)"), everyone, f"{snap.event_id}-sheets.pdf", "application/pdf"
    )
    names = {p.performer_id: p.name for p in snap.performers}
    if names:
        pid = c3.selectbox(_("Performer"), list(names), format_func=names.get, key="sheet-performer")
        one = sheets.performer_pdf(snap, rel, pid, wording)
        c3.download_button(_("Score sheet (PDF)"), one, sheets.file_name(snap, pid), "application/pdf")
