"""What pages show of the audience vote: its Setup form, the desk's live tally and acts, the kiosk's code
and QR code (for a screen an admin opened), and the people's choice on the results pages."""

from __future__ import annotations

import time
from urllib.parse import quote

import pandas as pd
import streamlit as st

from engine.domain.model import Role, Session, Settings, VoteMode, VoteSettings
from engine.domain.votes import FINAL
from engine.views import qr
from engine.views.votes import Audience
from ui import data, widgets
from ui.admin import report

MODES = {
    VoteMode.OFF.value: "No audience vote",
    VoteMode.PER_ACT.value: "Per act: 1 to 5 stars for each act, while it is on and a while after",
    VoteMode.FINAL.value: "Final: one vote for a favourite act, after the last one",
}
COMBINED_HELP = (
    "Each side's places become points (12, 10, 8, 7 … 1, as in Eurovision), weighted by these shares; "
    "equal points go to the better jury place. Published with the results."
)


def setup(svc, session: Session, settings: Settings, started: bool) -> None:
    """Setup's section: the vote's mode, its timings and the combined ranking (locked once started)."""
    st.header("Audience vote")
    v = settings.votes
    with st.form("audience_vote"):
        mode = st.radio("Audience vote", list(MODES), list(MODES).index(v.mode.value), format_func=MODES.get)
        c1, c2 = st.columns(2)
        grace = c1.number_input(
            "Per act: stays open after the act's scoring closes (s)", 0.0, 3600.0, float(v.grace_seconds), 5.0
        )
        minutes = c2.number_input(
            "Final: open for (minutes; 0: until you close it)", 0.0, 240.0, float(v.final_minutes), 1.0
        )
        combine = st.checkbox("Publish a combined ranking: jury and audience", v.jury_percent is not None)
        jury = st.slider("The jury's share (%)", 0, 100, 50 if v.jury_percent is None else v.jury_percent, 5)
        st.caption(COMBINED_HELP)
        saved = st.form_submit_button("Save the audience vote", disabled=started)
    if started:
        st.caption("The audience vote is fixed once the event has started, as the rule is.")
    if saved:
        chosen = VoteSettings(VoteMode(mode), float(grace), float(minutes), int(jury) if combine else None)
        report(lambda: svc.update_settings(session.token, settings.with_changes(votes=chosen)), "Saved.")


def _window_rows(audience: Audience) -> list[dict]:
    now = time.time()
    rows = []
    for w in audience.windows:
        left = "" if w.closes_at is None else f"{max(0, round(w.closes_at - now))} s"
        mean = f"{w.tally.stars / w.tally.votes:.2f}" if w.tally.votes and w.key != FINAL else ""
        state = ("open, closes in " + left if left else "open") if w.open else "closed"
        rows.append({"Vote": w.name, "State": state, "Votes": w.tally.votes, "Mean stars": mean})
    return rows


def desk(session: Session) -> None:
    """The control desk's panel: every window's tally live (every 2 s), the final vote's open and close,
    the reveal, and each flagged address with a void of its new devices' votes."""

    @data.live(run_every=2.0)
    def panel() -> None:
        svc = data.on_stage()
        audience = svc.votes.status()
        if audience.mode is VoteMode.OFF:
            return
        st.subheader("Audience vote")
        rows = _window_rows(audience)
        if rows:
            st.table(pd.DataFrame(rows).map(widgets.text), hide_index=True)
        else:
            st.caption("No voting window has opened yet.")
        c1, c2 = st.columns(2)
        final = next((w for w in audience.windows if w.key == FINAL), None)
        if audience.mode is VoteMode.FINAL and final is None:
            if c1.button("Open the final vote", icon=":material/how_to_vote:"):
                report(lambda: svc.votes.open_final(session.token), "The final vote is open.", toast=True)
        elif final is not None and final.open:
            if c1.button("Close the final vote", icon=":material/stop_circle:"):
                report(lambda: svc.votes.close_final(session.token), "The final vote is closing.", toast=True)
        shown = audience.revealed
        label = "Hide the audience's results" if shown else "Reveal the audience's results"
        if c2.button(label, icon=":material/visibility:"):
            report(lambda: svc.votes.reveal(session.token, not shown), "Done.", toast=True)
        _flags(svc, session, audience)

    panel()


def _flags(svc, session: Session, audience: Audience) -> None:
    for w in audience.windows:
        for f in w.flags:
            address = f["address"]
            st.warning(
                f"{w.name}: address {address} sent {f['votes']} votes, {f['new_devices']} from phones "
                f"new in this window, up to {f['peak_per_second']} a second.",
                icon=":material/flag:",
            )
            label = f"Void its new phones' votes ({w.name}, {address})"
            if st.button(label, key=f"void-{w.key}-{address}"):
                report(lambda w=w, a=address: svc.votes.void(session.token, w.key, a), "Voided.", toast=True)


def kiosk(session: Session | None, base_url: str) -> None:
    """On the room's screen, for a screen an admin opened: each open window's code, large, and a QR code
    that carries it to the vote page. Nothing for anyone else (the code proves presence in the room)."""
    if session is None or session.role is not Role.ADMIN:
        return

    @data.live(run_every=2.0)
    def codes() -> None:
        for opened in data.on_stage().votes.codes():
            url = f"{base_url}/vote?code={quote(opened.code)}"
            c1, c2 = st.columns([3, 1])
            c1.markdown(f"### Vote for {widgets.text(opened.title)}")
            c1.markdown(f"# `{opened.code}`")
            c1.caption(widgets.text(f"at {base_url}/vote"))
            c2.image(qr.png(url, scale=6), caption="Scan to vote", width=180)

    codes()


def results(audience: Audience | None, public: bool) -> None:
    """The people's choice (and the combined ranking) on a results page; for the public once revealed."""
    if audience is None or audience.mode is VoteMode.OFF:
        return
    st.header("People's choice")
    if public and not audience.revealed:
        st.caption("The audience's results are shown once the organisers reveal them.")
        return
    names = audience.names
    final = audience.mode is VoteMode.FINAL
    rows = [
        {
            "Place": p.rank if p.rank is not None else "—",
            "Performer": names.get(p.performer_id, p.performer_id),
            "Votes": p.votes,
            **({} if final else {"Mean stars": "" if p.mean is None else str(p.mean)}),
        }
        for p in audience.places
    ]
    st.table(pd.DataFrame(rows).map(widgets.text), hide_index=True)
    if audience.combined:
        st.subheader(
            f"Combined ranking: jury {audience.jury_percent} %, audience {100 - audience.jury_percent} %"
        )
        st.caption(COMBINED_HELP)
        rows = [
            {"Place": c.rank, "Performer": names.get(c.performer_id, c.performer_id), "Points": str(c.points)}
            for c in audience.combined
        ]
        st.table(pd.DataFrame(rows).map(widgets.text), hide_index=True)
