"""Shared, cached reads: one service per process, one snapshot per tick for every viewer."""

from __future__ import annotations

import functools

import streamlit as st
from streamlit_autorefresh import st_autorefresh

from engine import bootstrap
from engine.domain import publicity
from engine.domain.festival import FestivalPlace
from engine.domain.model import UNREACHABLE, DatabaseUnavailable, StagescoreError
from engine.domain.snapshot import Snapshot
from engine.domain.stages import Stage
from engine.service.core import Service
from engine.views import festival
from engine.views.votes import Audience
from ui.errors import something_went_wrong
from ui.i18n import _, error_text

TICK_SECONDS = 0.5


@st.cache_resource
def service() -> Service:
    """The process's one Service (engine/bootstrap.py), shared by every session's reruns."""
    return bootstrap.service()


def stages() -> list[Stage]:
    """The deployment's stages in their order (the service reads them at most once a second)."""
    return service().stages.list()


def stage() -> str:
    """The stage this page shows: `?stage=ID` in its address, else the one this tab chose last, else the
    first stage. The address keeps the choice, so a link or a projector's bookmark opens that stage."""
    ids = [s.stage_id for s in stages()]
    for wanted in (st.query_params.get("stage"), st.session_state.get("stage")):
        if wanted in ids:
            break
    else:
        wanted = ids[0]
    st.session_state["stage"] = wanted
    if len(ids) > 1 and st.query_params.get("stage") != wanted:
        st.query_params["stage"] = wanted
    return wanted


def has_event() -> bool:
    """Whether this page's stage has an event (a new stage has none until Setup creates it)."""
    return service().stages.has_event(stage())


def on_stage(stage_id: str | None = None) -> Service:
    """The service acting on this page's stage (or the one named)."""
    return service().on(stage_id or stage())


def of_judge(email: str) -> Service:
    """The service acting on the stage a judge is assigned to."""
    return service().on(service().stages.of_judge(email))


@st.cache_data(ttl=TICK_SECONDS, show_spinner=False, max_entries=32)
def _snapshot(stage_id: str, event_id: str | None) -> Snapshot:
    return service().on(stage_id).snapshot(event_id)


@st.cache_data(ttl=TICK_SECONDS, show_spinner=False, max_entries=32)
def _public_snapshot(stage_id: str, event_id: str | None) -> Snapshot:
    # One ranking without the held-back performer per tick, shared by every public viewer.
    return publicity.public_view(_snapshot(stage_id, event_id))


@st.cache_data(ttl=30, show_spinner=False)
def events() -> list[dict]:
    return service().store.events.all()


@st.cache_data(ttl=2, show_spinner=False, max_entries=16)
def rounds(stage_id: str, event_id: str) -> list[dict]:
    """The current competition's rounds for /results, keyed by the current event (`event_id`, from the
    viewer's snapshot: a new round reads afresh): one read per process every 2 s rather than 2 + one a
    round for every viewer's run (a results page refreshes every 5 s)."""
    from engine.service.competition import Competition

    return Competition(service().on(stage_id)).rounds()


def now_on_every_stage() -> list[dict]:
    """What is on every stage and what comes next, as the public may see it (the cached public views)."""
    now = service().clock()
    lines = []
    for s in stages():
        try:
            snap = _public_snapshot(s.stage_id, None)
        except DatabaseUnavailable:
            raise
        except StagescoreError:  # a stage without an event yet
            snap = None
        lines.append(festival.now_on(festival.StageView(s, snap), now))
    return lines


@st.cache_data(ttl=2, show_spinner=False)
def festival_results() -> dict[str, list[FestivalPlace]]:
    """Categories judged on several stages ranked across them, as the public may see them: one read a
    process every 2 s for every viewer of /results."""
    return service().stages.festival_results(service(), public=True)


@st.cache_data(ttl=2, show_spinner=False)
def audience(stage_id: str, event_id: str) -> Audience:
    """The audience vote of an event, for its results pages: one read a process every 2 s (the page
    itself decides what the public may see of it: ui/votes.results)."""
    return service().on(stage_id).votes.status(event_id)


def unreachable() -> None:
    """The banner, and a rerun every 2 s so the page recovers by itself once the database is back."""
    st.error(_(UNREACHABLE))
    st_autorefresh(interval=2000, key="db-retry")


def snapshot(event_id: str | None = None, stage_id: str | None = None) -> Snapshot | None:
    """The current event of this page's stage (or the one named) as every viewer sees it; None (with a
    banner) when it cannot be read."""
    return _shown(_snapshot, event_id, stage_id)


def public_snapshot(event_id: str | None = None, stage_id: str | None = None) -> Snapshot | None:
    """snapshot() as the public may see it: nothing of the performer being scored (domain/publicity.py)."""
    return _shown(_public_snapshot, event_id, stage_id)


def _shown(read, event_id: str | None, stage_id: str | None) -> Snapshot | None:
    """A cached read, or None with the banner (database away) or the sentence (no event yet) shown."""
    try:
        return read(stage_id or stage(), event_id)
    except DatabaseUnavailable:
        unreachable()
    except StagescoreError as e:
        st.info(str(e))
    return None


def live(run_every: float):
    """st.fragment(run_every=...) that shows the banner instead of failing while the database is away;
    the fragment keeps its schedule, so it recovers on its own."""

    def decorate(fn):
        @functools.wraps(fn)
        def guarded(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except DatabaseUnavailable:
                st.error(_(UNREACHABLE))
            except StagescoreError as e:
                st.info(error_text(e))
            except Exception as e:  # a bug: its error id, and the fragment keeps its schedule
                something_went_wrong(e)

        return st.fragment(guarded, run_every=run_every)

    return decorate


def refresh() -> None:
    """After a write by this user, show its effect at once rather than at the next tick."""
    _snapshot.clear()
