"""What pages show of the audience vote: its Setup form, the desk's live tally and acts, the kiosk's code
and QR code (for a screen an admin opened), and the people's choice on the results pages."""

from __future__ import annotations

import time
from urllib.parse import quote, urlsplit

import pandas as pd
import streamlit as st

from engine.domain.messages import N_
from engine.domain.model import Role, Session, Settings, StagescoreError, VoteMode, VoteSettings
from engine.domain.votes import FINAL
from engine.views import qr
from engine.views.votes import Audience
from ui import data, i18n, widgets
from ui.admin import report
from ui.i18n import _

MODES = {
    VoteMode.OFF.value: N_("No audience vote"),
    VoteMode.PER_ACT.value: N_("Per act: 1 to 5 stars for each act, while it is on and a while after"),
    VoteMode.FINAL.value: N_("Final: one vote for a favourite act, after the last one"),
}
COMBINED_HELP = N_(
    "Each side's places become points (12, 10, 8, 7 … 1, as in Eurovision), weighted by these shares; "
    "equal points go to the better jury place. Published with the results."
)


def setup(svc, session: Session, settings: Settings, started: bool) -> None:
    """Setup's section: the vote's mode, its timings and the combined ranking (locked once started)."""
    st.header(_("Audience vote"))
    v = settings.votes
    with st.form("audience_vote"):
        mode = st.radio(
            _("Audience vote"),
            list(MODES),
            list(MODES).index(v.mode.value),
            format_func=lambda m: _(MODES[m]),
        )
        c1, c2 = st.columns(2)
        grace = c1.number_input(
            _("Per act: stays open after the act's scoring closes (s)"),
            0.0,
            3600.0,
            float(v.grace_seconds),
            5.0,
        )
        minutes = c2.number_input(
            _("Final: open for (minutes; 0: until you close it)"), 0.0, 240.0, float(v.final_minutes), 1.0
        )
        combine = st.checkbox(_("Publish a combined ranking: jury and audience"), v.jury_percent is not None)
        jury = st.slider(
            _("The jury's share (%)"), 0, 100, 50 if v.jury_percent is None else v.jury_percent, 5
        )
        st.caption(_(COMBINED_HELP))
        saved = st.form_submit_button(_("Save the audience vote"), disabled=started)
    if started:
        st.caption(_("The audience vote is fixed once the event has started, as the rule is."))
    if saved:
        chosen = VoteSettings(VoteMode(mode), float(grace), float(minutes), int(jury) if combine else None)
        report(lambda: svc.update_settings(session.token, settings.with_changes(votes=chosen)), _("Saved."))


def _window_rows(audience: Audience) -> list[dict]:
    now = time.time()
    rows = []
    for w in audience.windows:
        left = None if w.closes_at is None else max(0, round(w.closes_at - now))
        mean = i18n.number(w.tally.stars / w.tally.votes, 2) if w.tally.votes and w.key != FINAL else ""
        state = _("closed")
        if w.open:
            state = _("open") if left is None else _("open, closes in {seconds} s").format(seconds=left)
        rows.append({_("Vote"): w.name, _("State"): state, _("Votes"): w.tally.votes, _("Mean stars"): mean})
    return rows


def desk(session: Session) -> None:
    """The control desk's panel: every window's tally live (every 2 s), the final vote's open and close,
    the reveal, and each flagged address with a void of its new devices' votes. An event without an
    audience vote gets no panel and no 2-s re-runs (Setup turns it on; the desk re-runs for each act)."""
    try:
        if data.on_stage().bundle().settings.votes.mode is VoteMode.OFF:
            return
    except StagescoreError:
        pass  # the panel's fragment says what is wrong (the database away, no event yet)

    @data.live(run_every=2.0)
    def panel() -> None:
        svc = data.on_stage()
        audience = svc.votes.status()
        if audience.mode is VoteMode.OFF:
            return
        st.subheader(_("Audience vote"))
        rows = _window_rows(audience)
        if rows:
            st.table(pd.DataFrame(rows).map(widgets.text), hide_index=True)
        else:
            st.caption(_("No voting window has opened yet."))
        c1, c2 = st.columns(2)
        final = next((w for w in audience.windows if w.key == FINAL), None)
        if audience.mode is VoteMode.FINAL and final is None:
            if c1.button(_("Open the final vote"), icon=":material/how_to_vote:"):
                report(lambda: svc.votes.open_final(session.token), _("The final vote is open."), toast=True)
        elif final is not None and final.open:
            if c1.button(_("Close the final vote"), icon=":material/stop_circle:"):
                report(
                    lambda: svc.votes.close_final(session.token), _("The final vote is closing."), toast=True
                )
        shown = audience.revealed
        label = _("Hide the audience's results") if shown else _("Reveal the audience's results")
        if c2.button(label, icon=":material/visibility:"):
            report(lambda: svc.votes.reveal(session.token, not shown), _("Done."), toast=True)
        _flags(svc, session, audience)

    panel()


def _flags(svc, session: Session, audience: Audience) -> None:
    for w in audience.windows:
        for f in w.flags:
            address = f["address"]
            st.warning(
                _(
                    "{vote}: address {address} sent {votes} votes, {new} from phones new in this window, "
                    "up to {peak} a second."
                ).format(
                    vote=w.name,
                    address=address,
                    votes=f["votes"],
                    new=f["new_devices"],
                    peak=f["peak_per_second"],
                ),
                icon=":material/flag:",
            )
            label = _("Void its new phones' votes ({vote}, {address})").format(vote=w.name, address=address)
            if st.button(label, key=f"void-{w.key}-{address}"):
                report(
                    lambda w=w, a=address: svc.votes.void(session.token, w.key, a), _("Voided."), toast=True
                )


def kiosk(session: Session | None, base_url: str) -> None:
    """On the room's screen, for a screen an admin opened: each open window's code, large, and a QR code
    that carries it to the vote page. Nothing for anyone else (the code proves presence in the room)."""
    if session is None or session.role is not Role.ADMIN:
        return

    @data.live(run_every=2.0)
    def codes() -> None:
        for opened in data.on_stage().votes.codes():  # one below the other: the kiosk's side column
            url = f"{base_url}/vote?code={quote(opened.code)}"
            with st.container(key=f"kiosk-vote-{opened.key}"):
                st.markdown("### " + _("Vote for {title}").format(title=widgets.text(opened.title)))
                st.image(qr.png(url, scale=6), caption=_("Scan to vote"), width=170, alt=url)
                st.markdown(f"# `{opened.code}`")
                address = widgets.ltr(f"{urlsplit(base_url).netloc}/vote")
                st.markdown(widgets.text(_("at {address}").format(address=address)))

    codes()


def results(audience: Audience | None, public: bool) -> None:
    """The people's choice (and the combined ranking) on a results page; for the public once revealed."""
    if audience is None or audience.mode is VoteMode.OFF:
        return
    st.header(_("People's choice"))
    if public and not audience.revealed:
        st.caption(_("The audience's results are shown once the organisers reveal them."))
        return
    names = audience.names
    final = audience.mode is VoteMode.FINAL
    rows = [
        {
            _("Place"): p.rank if p.rank is not None else "—",
            _("Performer"): names.get(p.performer_id, p.performer_id),
            _("Votes"): p.votes,
            **({} if final else {_("Mean stars"): "" if p.mean is None else i18n.number(p.mean, 2)}),
        }
        for p in audience.places
    ]
    st.table(pd.DataFrame(rows).map(widgets.text), hide_index=True)
    if audience.combined:
        st.subheader(
            _("Combined ranking: jury {jury} %, audience {audience} %").format(
                jury=audience.jury_percent, audience=100 - audience.jury_percent
            )
        )
        st.caption(_(COMBINED_HELP))
        rows = [
            {
                _("Place"): c.rank,
                _("Performer"): names.get(c.performer_id, c.performer_id),
                _("Points"): i18n.number(c.points),
            }
            for c in audience.combined
        ]
        st.table(pd.DataFrame(rows).map(widgets.text), hide_index=True)
