import pandas as pd
import streamlit as st
from streamlit_autorefresh import st_autorefresh

from engine.domain import publicity, release
from engine.domain.release import Release, ResultsStatus
from ui import data, i18n, stages, votes, widgets
from ui.i18n import _

# A page without inputs: a whole-page refresh every few seconds is cheap enough for final results.
st_autorefresh(interval=5000, key="results-tick")
st.title(_("Results"))
stages.picker()
# Nothing of the performer being scored until their window closes (engine.domain.publicity), as on the board.
snap = data.public_snapshot()
if snap is None:
    st.stop()
rounds = data.rounds(data.stage(), snap.event_id)  # shared by every viewer of the process
if len(rounds) > 1:  # every round stays readable
    labels = {f"{r['number']}. {r['name']}": r["event_id"] for r in rounds}
    current = next(label for label, eid in labels.items() if eid == snap.event_id)
    chosen = st.selectbox(_("Round"), list(labels), index=list(labels).index(current))
    if labels[chosen] != snap.event_id:
        snap = data.public_snapshot(labels[chosen])
        if snap is None:
            st.stop()
held = publicity.held_back(snap.state)
title = snap.settings.event_name + (f" — {snap.round.name}" if snap.round and len(rounds) > 1 else "")
st.caption(widgets.text(title))
# The board's own rule (engine.domain.release.results_view): provisional, official, hidden until revealed.
rel = snap.release or Release(snap.event_id)
view = release.results_view(snap.state, rel, snap.results, data.service().clock(), snap.reveal_groups)
if view.status is ResultsStatus.LIVE:
    st.info(
        _(
            "The ranking so far: the results become provisional once the round has finished, and official "
            "once the head judge signs them off."
        )
    )
elif view.status is ResultsStatus.PROVISIONAL:
    st.warning(
        _("{label}: they become official once the head judge signs them off.").format(label=_(view.label)),
    )
else:
    st.success(_(view.label))
if view.message:
    st.header(_(view.message))
    st.stop()
if held:
    name = snap.performer_name(held)
    st.caption(widgets.text(_("{name}: scores after the scoring window closes.").format(name=name)))
groups = {c: view.keep(results) for c, results in snap.by_category.items()}
per_judge = snap.settings.public_judge_scores
if snap.shows_overall:  # the headline, when the event ranks everyone together too
    if len(groups) > 1:
        st.header(_("Overall"))
    if view.podium:
        widgets.podium(snap, view.keep(snap.results))
    widgets.ranking_table(snap, per_judge, view.keep(snap.results))
if len(groups) > 1:
    for category, results in groups.items():
        st.header(widgets.text(category or _("No category")))
        if view.podium:
            widgets.podium(snap, results)
        widgets.ranking_table(snap, per_judge, results)

if stages.several() and (across := data.festival_results()):
    st.header(_("Across stages"))
    st.caption(
        _("Categories judged on several stages, ranked together once each stage's round has finished.")
    )
    for category, places in across.items():
        st.subheader(widgets.text(category or _("No category")))
        rows = [
            {
                _("Place"): p.rank,
                _("Performer"): p.name,
                _("Stage"): p.stage_name,
                _("Total"): i18n.number(p.total),
            }
            for p in places
        ]
        st.table(pd.DataFrame(rows).map(widgets.text), hide_index=True)

votes.results(data.audience(data.stage(), snap.event_id), public=True)
