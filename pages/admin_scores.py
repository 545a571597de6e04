import pandas as pd
import streamlit as st

from engine.analytics import analysis, standings, timing
from engine.domain.model import PerformerStatus, Role, StagescoreError
from engine.domain.snapshot import Snapshot
from ui import charts, data, i18n, nav, widgets, words
from ui.auth import require
from ui.i18n import _

session = require(Role.ADMIN, nav.SCORES_PAGE)
st.title(_("Scores & analytics"))

snap = data.snapshot()
if snap is None:
    st.stop()


# Keyed on fingerprints, not on the snapshot (a fresh copy every tick): recomputed only when the scores,
# the state or the panel changed. The leading underscore keeps the snapshot out of the cache key.
@st.cache_data(ttl=120, max_entries=4, show_spinner=False)
def _analysis(key: tuple, _snap: Snapshot) -> analysis.Analysis:
    return analysis.analyse(_snap)


@st.cache_data(ttl=600, max_entries=4, show_spinner=False)
def _agreement(key: tuple, _snap: Snapshot) -> float | None:
    return analysis.agreement(_snap)


@st.cache_data(ttl=600, max_entries=4, show_spinner=False)
def _what_if(key: tuple, _snap: Snapshot) -> pd.DataFrame:
    return standings.what_if(_snap)


@st.cache_data(ttl=600, max_entries=8, show_spinner=False)
def _logged_openings(key: tuple) -> dict[str, float]:
    """The whole log is read again only when another scoring window may have opened (see
    timing.openings_key); a window's `scoring_opened` entry is written with its state change."""
    entries = data.service().log.entries(key[0])
    return timing.openings_from_log(entries)


def openings(snap: Snapshot) -> tuple[dict[str, float], bool]:
    """Window openings from the log where it has them, estimated otherwise; and whether any were estimated."""
    try:
        logged = _logged_openings(timing.openings_key(snap))
    except StagescoreError:  # the log is a nicety here: estimate rather than fail the page
        logged = {}
    estimated = timing.openings_estimated(snap)
    return {**estimated, **logged}, bool(estimated.keys() - logged.keys())


def _number_columns(frame: pd.DataFrame, names: list[str]) -> dict:
    """Each column under its heading in the reader's language (words.column); `names` with 2 decimals."""
    return {
        c: st.column_config.NumberColumn(words.column(c), format="%.2f")
        if c in names
        else st.column_config.Column(words.column(c))
        for c in frame.columns
    }


def _said(frame: pd.DataFrame) -> pd.DataFrame:
    """A performer's status in the reader's language (the analytics keep the engine's words)."""
    if "Status" not in frame.columns:
        return frame
    return frame.assign(Status=frame["Status"].map(words.status))


@data.live(2)
def live() -> None:
    snap = data.snapshot()
    if snap is None:
        return
    frames = _analysis(analysis.fingerprint(snap), snap)
    done = int((frames.performers["status"] == PerformerStatus.DONE.value).sum())
    st.caption(
        widgets.text(snap.settings.event_name)
        + " · "
        + _("{done} of {performers} performers done · {scores} scores from {judges} judges").format(
            done=done, performers=len(frames.performers), scores=len(frames.scores), judges=len(frames.judges)
        )
    )
    if frames.scores.empty:
        st.info(_("No scores yet: the tables and charts fill in as the judges score."))
        return

    score_table(frames, snap)
    judge_charts(frames)
    submission_times(frames, snap)
    ranking_over_time(frames)


def score_table(frames: analysis.Analysis, snap: Snapshot) -> None:
    st.subheader(_("Score table"))
    judge_columns = list(frames.judges["judge_name"])
    st.dataframe(
        _said(frames.table),
        hide_index=True,
        column_config=_number_columns(frames.table, [*judge_columns, "Total"]),
        height=420,
    )

    c1, c2 = st.columns([1, 2])
    agreement = _agreement(frames.agreement_key, snap)
    c1.metric(_("Panel agreement (Kendall's W)"), "—" if agreement is None else f"{agreement:.2f}")
    c2.caption(
        (
            _(
                "Kendall's W runs from 0 (the judges order the performers unrelatedly) to 1 (every judge "
                "orders them the same), over the {n} performers every judge has scored — it needs at "
                "least two."
            )
            if agreement is None
            else _(
                "Kendall's W runs from 0 (the judges order the performers unrelatedly) to 1 (every judge "
                "orders them the same), over the {n} performers every judge has scored."
            )
        ).format(n=frames.complete)
    )


def judge_charts(frames: analysis.Analysis) -> None:
    st.subheader(_("Scores by judge"))
    st.caption(
        (
            _("The latest {n} performers with scores at most; the black tick is the total.")
            if frames.total_is_score
            else _("The latest {n} performers with scores at most.")
        ).format(n=charts.RECENT)
    )
    st.altair_chart(charts.scores_by_judge_chart(frames), width="stretch")

    left, right = st.columns(2)
    with left:
        st.subheader(_("Each judge's scores"))
        st.altair_chart(charts.distribution_chart(frames), width="stretch")
    with right:
        st.subheader(_("Deviation from the panel"))
        threshold = st.number_input(
            _("Warn above (points)"),
            min_value=0.0,
            max_value=100.0,
            value=1.5,
            step=0.1,
            key="deviation_threshold",
        )
        for row in analysis.flagged(frames, threshold).itertuples():
            st.warning(
                (
                    _(
                        "{judge} scores {points} points above the rest of the panel on average (over {n} "
                        "performers)."
                    )
                    if row.deviation > 0
                    else _(
                        "{judge} scores {points} points below the rest of the panel on average (over {n} "
                        "performers)."
                    )
                ).format(
                    judge=widgets.text(row.judge_name),
                    points=i18n.number(abs(row.deviation), 2),
                    n=row.performers,
                ),
                icon=":material/warning:",
            )
        if frames.deviation.empty:
            st.info(_("Deviation needs performers scored by at least two judges."))
        else:
            st.altair_chart(charts.deviation_chart(frames, threshold), width="stretch")


def submission_times(frames: analysis.Analysis, snap: Snapshot) -> None:
    st.subheader(_("When judges submitted"))
    opened, estimated = openings(snap)
    times = timing.timing_frame(frames, opened)
    if times.empty:
        st.info(_("No scoring window has opened yet."))
    else:
        note = (
            " " + _("Some opening times are estimated (performance start + performance time).")
            if estimated
            else ""
        )
        st.caption(
            _(
                "The latest {n} performers at most: a dot at each judge's first submission, a line on to a "
                "revision; the dashed line is the planned window length."
            ).format(n=charts.RECENT)
            + note
        )
        st.altair_chart(
            charts.timing_chart(times, len(frames.judges), snap.settings.score_seconds), width="stretch"
        )
        summary = timing.timing_summary(times)
        st.dataframe(
            summary,
            hide_index=True,
            column_config=_number_columns(summary, ["Median s to first", "Median s to last", "Latest s"]),
        )


def ranking_over_time(frames: analysis.Analysis) -> None:
    st.subheader(_("Ranking over time"))
    if frames.ranking.empty:
        st.info(_("The ranking over time starts once a performer is done and ranked."))
    else:
        st.caption(
            _("The current top {n}: their rank after each performer done.").format(n=standings.TOP_RANKS)
        )
        st.altair_chart(charts.ranking_chart(frames), width="stretch")


live()


@st.fragment
def what_if() -> None:
    st.subheader(_("What if: every rule"))
    st.caption(
        _(
            "For before results are published: the ranking under each rule side by side, the event's own "
            "rule "
            "first. Only the event's rule counts; the others are a check of how much the choice matters."
        )
    )
    snap = data.snapshot()
    if snap is None:
        return
    if not snap.scores:
        st.info(_("No scores yet."))
        return
    # A click reruns this fragment with fresh scores.
    st.button(_("Recompute"), key="what_if_refresh", icon=":material/refresh:")
    table = _what_if(analysis.fingerprint(snap), snap)
    totals = [c for c in table.columns if c.endswith(" total")]
    st.dataframe(table, hide_index=True, column_config=_number_columns(table, totals))
    for label, refusal in standings.refusals(snap):
        sentence = _(label) + ": " + (refusal if isinstance(refusal, str) else i18n.error_text(refusal))
        st.text(sentence)  # names a judge: text, never markdown


what_if()
