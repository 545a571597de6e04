import pandas as pd
import streamlit as st

from engine.domain.model import (
    MissingPolicy,
    Phase,
    Role,
    Rule,
    StagescoreError,
    TieBreak,
)
from engine.domain.settings import parse_criteria, parse_rank_points
from engine.service.competition import Competition
from ui import competition, data, nav, panels, votes, widgets, words
from ui.admin import report
from ui.auth import require
from ui.i18n import _, error_text
from ui.logins_admin import judge_logins

session = require(Role.ADMIN, nav.SETUP_PAGE)
svc = data.on_stage()
st.title(_("Setup"))
if not data.has_event():  # a new stage (or a new deployment): its event starts here
    st.info(_("This stage has no event yet."))
    if st.button(_("Create its event"), type="primary", icon=":material/add:"):
        try:
            data.service().stages.create_event(data.service(), session.token, data.stage())
        except StagescoreError as e:
            st.error(error_text(e))
        else:
            data.refresh()
            st.rerun()
    st.stop()
snap = data.snapshot()
if snap is None:
    st.stop()
started = snap.state.phase not in (Phase.SETUP, Phase.LOBBY)
settings = snap.settings
if started:
    st.info(
        _(
            "The event has started: the rule, criteria, missing-score policy, tie-breaks, required "
            "judges and "
            "roster are locked, because changing them now would change results. Timings and display options "
            "can still change."
        )
    )


st.header(_("Event settings"))
with st.form("settings"):
    name = st.text_input(_("Event name"), settings.event_name, max_chars=120)
    c1, c2, c3 = st.columns(3)
    perform = c1.number_input(_("Performance window (s)"), value=float(settings.perform_seconds), step=1.0)
    score = c2.number_input(_("Scoring window (s)"), value=float(settings.score_seconds), step=1.0)
    required = c3.number_input(
        _("Judges required to start"), value=settings.required_judges, step=1, disabled=started
    )
    c1, c2, c3 = st.columns(3)
    auto_start = c1.checkbox(_("Start automatically on quorum"), settings.auto_start)
    auto_close = c2.checkbox(_("Close scoring once every present judge has scored"), settings.auto_close)
    public = c3.checkbox(_("Show each judge's scores on the public board"), settings.public_judge_scores)
    c1, c2, c3, c4 = st.columns(4)
    rules_ = [r.value for r in Rule]
    rule = c1.selectbox(
        _("Rule"),
        rules_,
        rules_.index(settings.rule.value),
        format_func=lambda r: words.of(words.RULE, r),
        disabled=started,
    )
    missing = c2.selectbox(
        _("Missing scores"),
        [m.value for m in MissingPolicy],
        [m.value for m in MissingPolicy].index(settings.missing.value),
        format_func=lambda m: words.of(words.MISSING, m),
        disabled=started,
        help=_("omit: left out of the total; zero: counted as 0 (the original behaviour)"),
    )
    min_scores = c3.number_input(
        _("Minimum scores to be ranked"), value=settings.min_scores, step=1, disabled=started
    )
    trim_min = c4.number_input(
        _("Trim highest/lowest from this many scores"), value=settings.trim_min, step=1, disabled=started
    )
    c1, c2 = st.columns(2)
    trim_count = c1.number_input(
        _("Trimmed rules drop this many at each end"), value=settings.trim_count, step=1, disabled=started
    )
    rank_overall = c2.checkbox(
        _("Rank overall as well"),
        settings.rank_overall,
        help=_("Each category is ranked on its own; tick to show one ranking across categories too."),
    )
    c1, c2 = st.columns([3, 1])
    rank_points = c1.text_input(
        _("Rank points for a judge's 1st, 2nd, … place"),
        ", ".join(f"{p:f}" for p in settings.rank_points),
        disabled=started,
        help=_("The rank points rule: each judge's place earns these points (past the list: 0)."),
    )
    normalise_min = c2.number_input(
        _("Normalised: marks per judge at least"),
        value=settings.normalise_min,
        step=1,
        disabled=started,
        help=_("The normalised rule ranks nobody until every judge has given this many marks."),
    )
    st.caption(
        _(
            "The skating system, rank points and Borda place performers by each judge's order of them; with "
            "the skating system, two or more criteria are the dances of a multi-dance final."
        )
    )
    ties = st.multiselect(
        _("Tie-breaks, in order"),
        [t.value for t in TieBreak],
        [t.value for t in settings.tie_breaks],
        format_func=lambda t: words.of(words.TIE_BREAK, t),
        disabled=started,
    )
    st.caption(_(panels.SUB_PANELS))
    crit_df = pd.DataFrame(
        [
            {
                "name": c.name,
                "min": float(c.min),
                "max": float(c.max),
                "step": float(c.step),
                "weight": float(c.weight),
                "judges": ", ".join(c.judges),
            }
            for c in settings.criteria
        ]
    )
    crit_edit = st.data_editor(
        crit_df,
        num_rows="dynamic",
        disabled=started,
        key="criteria",
        hide_index=True,
        column_config={  # the fields keep their names (parse_criteria reads them); the headers are translated
            "name": st.column_config.TextColumn(_("Name")),
            "min": st.column_config.NumberColumn(_("Minimum")),
            "max": st.column_config.NumberColumn(_("Maximum")),
            "step": st.column_config.NumberColumn(_("Step")),
            "weight": st.column_config.NumberColumn(_("Weight")),
            "judges": st.column_config.TextColumn(_("Judges (a sub-panel)")),
        },
    )
    save = st.form_submit_button(_("Save settings"), type="primary")

if save:

    def apply():
        criteria = parse_criteria(crit_edit.to_dict("records"))
        svc.update_settings(
            session.token,
            settings.with_changes(
                event_name=name.strip(),
                perform_seconds=float(perform),
                score_seconds=float(score),
                required_judges=int(required),
                auto_start=auto_start,
                auto_close=auto_close,
                public_judge_scores=public,
                rule=Rule(rule),
                missing=MissingPolicy(missing),
                min_scores=int(min_scores),
                trim_min=int(trim_min),
                trim_count=int(trim_count),
                rank_overall=rank_overall,
                tie_breaks=tuple(TieBreak(t) for t in ties),
                criteria=criteria,
                rank_points=parse_rank_points(rank_points),
                normalise_min=int(normalise_min),
            ),
        )

    report(apply, _("Settings saved."))

votes.setup(svc, session, settings, started)
panels.setup(svc, session, settings, [j.email for j in snap.judges if j.active], started)

st.header(_("Performers"))
roster = pd.DataFrame(
    [
        {"name": p.name, "order": p.order, "category": p.category, "difficulty": float(p.difficulty)}
        for p in snap.performers
    ]
    or [{"name": "", "order": 1, "category": "", "difficulty": 1.0}]
)
with st.form("roster"):
    edited = st.data_editor(
        roster,
        num_rows="dynamic",
        disabled=started,
        key="roster_editor",
        hide_index=True,
        column_config={  # the CSV's field names stay; the headers are translated
            "name": st.column_config.TextColumn(_("Name")),
            "order": st.column_config.NumberColumn(_("Order"), min_value=1, step=1),
            "category": st.column_config.TextColumn(_("Category")),
            "difficulty": st.column_config.NumberColumn(_("Difficulty")),
        },
    )
    save_roster = st.form_submit_button(_("Save roster"), disabled=started)
if save_roster:
    report(lambda: svc.set_roster(session.token, edited.to_dict("records")), _("Roster saved."))
upload = st.file_uploader(
    _("…or upload a CSV (columns: name, order, optional category and difficulty)"),
    type=["csv"],
    disabled=started,
    max_upload_size=1,
)
if upload is not None and st.button(_("Import this CSV"), disabled=started):
    report(lambda: svc.import_roster_csv(session.token, upload.getvalue()), _("Roster imported."))

cases = Competition(svc)
competition.running_order(snap, cases, session, report)
competition.conflicts(snap, cases, session, report)
competition.rounds(snap, cases, session, report)

st.header(_("Judges"))
judges = snap.judges
st.table(
    pd.DataFrame(
        [
            {
                _("Name"): j.name,
                _("Email"): j.email,
                _("Weight"): str(j.weight),
                _("Active"): _("yes") if j.active else _("no"),
            }
            for j in judges
        ]
    ).map(widgets.text),
    hide_index=True,
)
with st.expander(_("Add a judge")):
    with st.form("add_judge", clear_on_submit=True):
        email = st.text_input(_("Email"), max_chars=254)
        jname = st.text_input(_("Name"), max_chars=80)
        pw = st.text_input(_("Password (8 characters or more)"), type="password", max_chars=256)
        weight = st.text_input(_("Weight"), "1", max_chars=10)
        add = st.form_submit_button(_("Add judge"))
    if add:
        report(
            lambda: svc.add_account(session.token, email, jname, pw, Role.JUDGE, weight), _("Judge added.")
        )
with st.expander(_("Change a judge")):
    emails = [j.email for j in judges]
    if emails:
        with st.form("change_judge"):
            who = st.selectbox(_("Judge"), emails)
            new_weight = st.text_input(_("New weight (blank: unchanged)"), max_chars=10)
            states = {"unchanged": _("unchanged"), "active": _("active"), "disabled": _("disabled")}
            active = st.selectbox(_("Active"), list(states), format_func=states.get)
            new_pw = st.text_input(_("New password (blank: unchanged)"), type="password", max_chars=256)
            change = st.form_submit_button(_("Apply"))
        if change:
            report(
                lambda: svc.set_account(
                    session.token,
                    who,
                    active=None if active == "unchanged" else active == "active",
                    weight=new_weight or None,
                    password=new_pw or None,
                ),
                _("Judge updated."),
            )

judge_logins(session)
