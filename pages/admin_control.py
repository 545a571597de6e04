import pandas as pd
import streamlit as st

from engine.model import CommandKind, Phase, Role
from ui import data, nav, widgets
from ui.admin import run_command, show_message
from ui.auth import require
from ui.health import engine_banner

session = require(Role.ADMIN, nav.CONTROL_PAGE)
st.title("🎛️ Control")
show_message()
engine_banner()


@data.live(1)
def live() -> None:
    snap = data.snapshot()
    if snap is None:
        return
    # What the admin is looking at: window commands carry it, so a late click cannot hit the next window.
    st.session_state["seen_window"] = snap.state.window_id
    st.caption(
        f"{widgets.text(snap.settings.event_name)} · event {snap.event_id} · version {snap.state.version}"
    )
    widgets.status_header(snap)
    now = data.service().clock()
    flags = {j: t for j, t in snap.flags.items()}
    names = {j.email: j.name for j in snap.judges}
    pid = snap.state.performer_id
    submitted = snap.scores_for(pid) if pid else {}
    rows = []
    for email in snap.panel:
        rows.append(
            {
                "Judge": names.get(email, email),
                "Email": email,
                "Present": "yes" if email in snap.present else "no",
                "Submitted (on stage)": ("yes" if email in submitted else "no") if pid else "",
                "Help": f"🙋 {int(now - flags[email])} s ago" if email in flags else "",
            }
        )
    c1, c2 = st.columns(2)
    c1.metric("Judges present", f"{len(snap.present)} / {snap.settings.required_judges} required")
    if pid:
        c2.metric("Scores in for this performer", f"{len(submitted)} / {len(snap.panel)}")
    if flags:
        st.error("A judge is asking for help: " + ", ".join(widgets.text(names.get(j, j)) for j in flags))
    st.table(pd.DataFrame(rows).map(widgets.text) if rows else pd.DataFrame(), hide_index=True)


live()


@st.dialog("Please confirm")
def confirm(kind: CommandKind, question: str, window_id: int | None = None) -> None:
    st.write(question)
    if st.button(f"Yes, {kind.value}", type="primary"):
        run_command(session.token, kind, window_id=window_id)
        st.rerun()


snap = data.snapshot()
phase = snap.state.phase if snap else None
seen = st.session_state.get("seen_window")
st.subheader("Commands")
row1 = st.columns(4)
force = row1[1].checkbox(
    "Start without the full panel", help="Start even if fewer judges than required are present."
)
if row1[0].button("▶️ Start", type="primary", width="stretch"):
    run_command(session.token, CommandKind.START, force=force)
    st.rerun()
if row1[2].button("⏸️ Pause", width="stretch"):
    run_command(session.token, CommandKind.PAUSE, window_id=seen)
    st.rerun()
if row1[3].button("⏯️ Resume", width="stretch"):
    run_command(session.token, CommandKind.RESUME, window_id=seen)
    st.rerun()
row2 = st.columns(4)
if row2[0].button("➕ Extend +10 s", width="stretch"):
    run_command(session.token, CommandKind.EXTEND, seconds=10, window_id=seen)
    st.rerun()
if row2[1].button("⏭️ Skip", width="stretch"):
    confirm(CommandKind.SKIP, "Skip the performer on stage? They will not be ranked.", seen)
if row2[2].button("⏹️ Close scoring", width="stretch"):
    run_command(session.token, CommandKind.CLOSE, window_id=seen)
    st.rerun()
if row2[3].button("🏁 Finish", width="stretch"):
    confirm(CommandKind.FINISH, "Finish the event now? Performers not yet on stage will not perform.")
st.divider()
if st.button("🔄 Reset (start a new event)"):
    confirm(
        CommandKind.RESET,
        "Start a new event with the same roster and settings? "
        "This event stays readable in the log and exports.",
    )
if phase is Phase.FINISHED:
    st.page_link(nav.RESULTS_PAGE, label="See the results", icon="🏆")
