import uuid

import pandas as pd
import streamlit as st

from engine.model import DatabaseUnavailable, Phase, Role, StagescoreError
from engine.scoring import display
from engine.snapshot import Snapshot, visible_to_judge
from ui import data, nav, results_desk, widgets
from ui.auth import require

session = require(Role.JUDGE, nav.JUDGE_PAGE)
svc = data.service()
st.title("📝 Score")
st.caption(f"Judging as {widgets.text(session.name)}")


@st.fragment(run_every=2)
def heartbeat() -> None:
    try:
        svc.heartbeat(session.token)
    except StagescoreError:  # presence is best effort; the live panel shows the outage
        pass


def submit(snapshot: Snapshot, values: dict, comment: str = "") -> None:
    performer = snapshot.current
    try:
        score, replayed = svc.submit_score(
            session.token, performer.performer_id, values, uuid.uuid4().hex, comment=comment
        )
    except DatabaseUnavailable:
        st.error(data.UNREACHABLE + " Your score was not saved; submit it again.")
        return
    except StagescoreError as e:
        st.error(str(e))
        return
    data.refresh()
    st.toast(f"Accepted: {display(score.total)} for {performer.name}", icon="✅")
    st.session_state["last_accepted"] = (performer.performer_id, score.revision, display(score.total))


def score_form(snap: Snapshot) -> None:
    state = snap.state
    with st.form(key=f"score-{state.event_id}-{state.window_id}"):
        values = {}
        for c in snap.settings.criteria:
            decimals = max(0, -c.step.normalize().as_tuple().exponent)
            values[c.name] = st.number_input(
                f"{c.name} ({display(c.min, decimals)} to {display(c.max, decimals)}, "
                f"step {c.step.normalize()})",
                value=None,
                step=float(c.step),
                format=f"%.{decimals}f",
                key=f"v-{state.event_id}-{state.window_id}-{c.name}",
            )
        comment = st.text_area(
            "Comment (optional)", max_chars=500, key=f"c-{state.event_id}-{state.window_id}"
        )
        clicked = st.form_submit_button("Submit score", type="primary", width="stretch")
    if clicked:
        if any(v is None for v in values.values()):
            st.error("Enter a value for every criterion before submitting.")
        else:
            submit(snap, values, comment)
    current = snap.scores_for(state.performer_id).get(session.email)
    last = st.session_state.get("last_accepted")
    if last and last[0] == state.performer_id:
        st.success(
            f"Your score for this performer: {last[2]} (revision {last[1]}). "
            "You can revise it until scoring closes."
        )
    elif current:
        st.success(f"Your score for this performer: {display(current.total)} (revision {current.revision}).")


def others(snapshot: Snapshot) -> None:
    """The scores this judge may see (engine.snapshot.visible_to_judge decides which)."""
    visible = visible_to_judge(snapshot, session.email)
    if not visible:
        return
    judges = {j.email: j.name for j in snapshot.judges}
    rows = []
    for performer, scores in visible:
        row = {"Performer": performer.name}
        for email, score in scores.items():
            label = "You" if email == session.email else judges.get(email, email.split("@")[0])
            row[label] = display(score.total)
        rows.append(row)
    st.subheader("Scores so far")
    st.caption("Other judges' scores appear for a performer once you have scored them.")
    st.table(pd.DataFrame(rows).fillna("").map(widgets.text), hide_index=True)


@data.live(0.5)
def live() -> None:
    snap = data.snapshot()
    if snap is None:
        return
    widgets.status_header(snap)
    results_desk.judge_check(session)
    state = snap.state
    if state.phase is Phase.SCORING and snap.current and state.scoring_open(svc.clock()):
        score_form(snap)
    elif state.phase is Phase.SCORING:
        st.warning("Scoring for this performer has closed.")
    elif state.phase is Phase.PERFORMING:
        st.info("Watch the performance: scoring opens when it ends.")
    elif state.phase in (Phase.SETUP, Phase.LOBBY):
        st.info(
            f"Waiting for the event to start ({len(snap.present)} of "
            f"{snap.settings.required_judges} judges here)."
        )
    else:
        st.info("The event has finished. Thank you!")
    others(data.snapshot() or snap)  # re-read: a submit just above refreshed the cache


heartbeat()
live()

st.divider()
col1, col2 = st.columns(2)
if col1.button("🙋 Call the admin", width="stretch"):
    try:
        svc.raise_flag(session.token, True)
        st.toast("The admin has been called.", icon="🙋")
    except StagescoreError as e:
        st.error(str(e))
if col2.button("Cancel the call", width="stretch"):
    try:
        svc.raise_flag(session.token, False)
        st.toast("Call cancelled.")
    except StagescoreError as e:
        st.error(str(e))
