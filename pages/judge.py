import time
import uuid

import pandas as pd
import streamlit as st

from engine.model import Phase, Role, StagescoreError
from engine.scoring import display
from ui import data, widgets
from ui.auth import require

session = require(Role.JUDGE, "pages/judge.py")
svc = data.service()
st.title("📝 Score")
st.caption(f"Judging as {widgets.text(session.name)}")


@st.fragment(run_every=2)
def heartbeat() -> None:
    try:
        svc.heartbeat(session.token)
    except Exception:  # presence is best effort; the live panel shows the outage
        pass


def submit(snap, values: dict) -> None:
    performer = snap.current
    try:
        score, replayed = svc.submit_score(session.token, performer.performer_id, values, uuid.uuid4().hex)
    except StagescoreError as e:
        st.error(str(e))
        return
    except Exception:
        st.error(data.UNREACHABLE + " Your score was not saved; submit it again.")
        return
    data.refresh()
    st.toast(f"Accepted: {display(score.total)} for {performer.name}", icon="✅")
    st.session_state["last_accepted"] = (performer.performer_id, score.revision, display(score.total))


def score_form(snap) -> None:
    s = snap.state
    with st.form(key=f"score-{s.event_id}-{s.window_id}"):
        values = {}
        for c in snap.settings.criteria:
            decimals = max(0, -c.step.normalize().as_tuple().exponent)
            values[c.name] = st.number_input(
                f"{c.name} ({display(c.min, decimals)} to {display(c.max, decimals)}, "
                f"step {c.step.normalize()})",
                value=None,
                step=float(c.step),
                format=f"%.{decimals}f",
                key=f"v-{s.event_id}-{s.window_id}-{c.name}",
            )
        clicked = st.form_submit_button("Submit score", type="primary", width="stretch")
    if clicked:
        if any(v is None for v in values.values()):
            st.error("Enter a value for every criterion before submitting.")
        else:
            submit(snap, values)
    current = snap.scores_for(s.performer_id).get(session.email)
    last = st.session_state.get("last_accepted")
    if last and last[0] == s.performer_id:
        st.success(
            f"Your score for this performer: {last[2]} (revision {last[1]}). "
            "You can revise it until scoring closes."
        )
    elif current:
        st.success(f"Your score for this performer: {display(current.total)} (revision {current.revision}).")


def others(snap) -> None:
    scored = [p for p in snap.performers if session.email in snap.scores_for(p.performer_id)]
    if not scored:
        return
    judges = {j.email: j.name for j in snap.judges}
    rows = []
    for p in scored:
        row = {"Performer": p.name}
        for email, sc in sorted(snap.scores_for(p.performer_id).items()):
            label = "You" if email == session.email else judges.get(email, email.split("@")[0])
            row[label] = display(sc.total)
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
    s = snap.state
    if s.phase is Phase.SCORING and snap.current and s.scoring_open(time.time()):
        score_form(snap)
    elif s.phase is Phase.SCORING:
        st.warning("Scoring for this performer has closed.")
    elif s.phase is Phase.PERFORMING:
        st.info("Watch the performance: scoring opens when it ends.")
    elif s.phase in (Phase.SETUP, Phase.LOBBY):
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
