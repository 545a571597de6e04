import streamlit as st

from engine.domain.model import CommandKind, Phase, Role
from ui import data, errors, nav, stages, votes, webhooks
from ui.admin import run_command, show_message
from ui.auth import require
from ui.components.desk import admin_desk
from ui.i18n import _
from ui.logins_admin import failed_logins

session = require(Role.ADMIN, nav.CONTROL_PAGE)
st.title(_("Control"))
# The live part is drawn in the browser from /live/admin; this page re-runs only for a click or when the
# desk shows a new window or version (what `seen` holds). Window commands carry the window the admin
# was looking at, so a late click cannot hit the next one. The desk also says how the timer engine is
# (pushed too: no fragment re-runs on this page). A bug in the desk must not take the commands away.
seen = errors.shown(admin_desk, data.unreachable, stages.in_address())
window = seen.get("window_id") if seen else None
show_message(seen)
failed_logins(session)
webhooks.desk(session)  # a webhook delivery failing or dropped (engine/timer/webhooks.py)


@st.dialog(_("Please confirm"))
def confirm(kind: CommandKind, question: str, yes: str, window_id: int | None = None) -> None:
    st.write(question)
    if st.button(yes, type="primary"):
        run_command(session.token, kind, window_id=window_id, seen=seen)
        st.rerun()


st.subheader(_("Commands"))
row1 = st.columns(4)
force = row1[1].checkbox(
    _("Start without the full panel"), help=_("Start even if fewer judges than required are present.")
)
if row1[0].button(_("Start"), icon=":material/play_arrow:", type="primary", width="stretch"):
    run_command(session.token, CommandKind.START, force=force, seen=seen)
    st.rerun()
if row1[2].button(_("Pause"), icon=":material/pause:", width="stretch"):
    run_command(session.token, CommandKind.PAUSE, window_id=window, seen=seen)
    st.rerun()
if row1[3].button(_("Resume"), icon=":material/play_circle:", width="stretch"):
    run_command(session.token, CommandKind.RESUME, window_id=window, seen=seen)
    st.rerun()
row2 = st.columns(5)
if row2[0].button(_("Extend +10 s"), icon=":material/more_time:", width="stretch"):
    run_command(session.token, CommandKind.EXTEND, seconds=10, window_id=window, seen=seen)
    st.rerun()
# The engine times the performance from its window's start to this click (its own clock, pauses left out).
done_help = _(
    "The performance is over: scoring opens now, and the performance is timed (a time limit's penalty)."
)
if row2[1].button(_("Performance done"), icon=":material/timer_off:", width="stretch", help=done_help):
    run_command(session.token, CommandKind.DONE, window_id=window, seen=seen)
    st.rerun()
if row2[2].button(_("Skip"), icon=":material/skip_next:", width="stretch"):
    confirm(
        CommandKind.SKIP, _("Skip the performer on stage? They will not be ranked."), _("Yes, skip"), window
    )
if row2[3].button(_("Close scoring"), icon=":material/stop:", width="stretch"):
    run_command(session.token, CommandKind.CLOSE, window_id=window, seen=seen)
    st.rerun()
if row2[4].button(_("Finish"), icon=":material/sports_score:", width="stretch"):
    confirm(
        CommandKind.FINISH,
        _("Finish the event now? Performers not yet on stage will not perform."),
        _("Yes, finish"),
    )
st.divider()
if st.button(_("Reset (start a new event)"), icon=":material/restart_alt:"):
    confirm(
        CommandKind.RESET,
        _(
            "Start a new event with the same roster and settings? "
            "This event stays readable in the log and exports."
        ),
        _("Yes, reset"),
    )
votes.desk(session)  # the audience vote's tally, live; nothing while the event has none
if seen and seen.get("phase") == Phase.FINISHED.value:
    st.page_link(nav.RESULTS_PAGE, label=_("See the results"), icon=":material/emoji_events:")
