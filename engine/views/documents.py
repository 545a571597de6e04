"""The live documents pushed to screens (see notes/live-contract.md): the public board, a judge's, the
admin's. Pure: built from a Snapshot, the engine's health and `now`; no I/O.

Each is split into a part that moves with the clock or the state (the header, cheap, built every tick)
and a part that moves only with the scores (the ranking, a judge's view of the others), built once per
change of the scores and reused: a large event's ranking costs tens of milliseconds, a tick 250.
"""

from __future__ import annotations

import json
from functools import lru_cache

from engine.domain import categories, panels, publicity, schedule
from engine.domain.health import EngineHealth
from engine.domain.messages import N_
from engine.domain.model import Phase
from engine.domain.release import Release, board_fields
from engine.domain.scoring import display
from engine.domain.snapshot import PHASE_LABEL, Snapshot, ranking_rows
from engine.domain.votes import FINAL
from engine.views import missing

TECHNICAL_PROBLEM = N_("The clock is paused by a technical problem")
RECUSED = N_("recused")  # what a board or an export shows in the cell of a judge who stepped aside
UNCOMPARED = ("server_time", "written_at")  # what moves with the clock, not with the event

shown = lru_cache(maxsize=8192)(display)  # a large event repeats few distinct totals


def header(snap: Snapshot, now: float) -> dict:
    """The fields every document shares: the event, the phase, the performer, the clock."""
    s = snap.state
    current = snap.current
    remaining = s.remaining(now)
    names = {j.email: j.name for j in snap.judges}
    return {
        "event_id": s.event_id,
        "event_name": snap.settings.event_name,
        "phase": s.phase.value,
        "phase_label": PHASE_LABEL[s.phase],
        "paused": s.paused,
        "version": s.version,
        "window_id": s.window_id,
        "performer": current.name if current else None,
        "category": current.category if current else None,
        "deadline": s.deadline,
        "window_started_at": s.window_started_at,
        "remaining_seconds": None if remaining is None else round(remaining, 3),
        "error": None,
        "round": round_doc(snap),
        "categories": categories.names(snap.performers),
        "rank_overall": snap.shows_overall,
        "recused": [names.get(j, "Judge") for j in snap.recused_for(s.performer_id)],
        "lineup": schedule.lineup(s, snap.settings, snap.performers, now),
        "vote": vote_doc(snap, now),
    }


def vote_doc(snap: Snapshot, now: float) -> list[dict]:
    """The audience vote's open windows: what each is for and when it closes (never its code: the code
    proves a phone saw the room's screen, and this document goes to every phone)."""
    return [
        {"for": "Final vote" if w.key == FINAL else snap.performer_name(w.key), "closes_at": w.closes_at}
        for w in sorted(snap.votes.values(), key=lambda w: w.opened_at)
        if w.open_at(now)
    ]


def round_doc(snap: Snapshot) -> dict:
    return (
        {"number": snap.round.number, "name": snap.round.name}
        if snap.round
        else {"number": 1, "name": "Round 1"}
    )


def ranking(snap: Snapshot, per_judge: bool | None = None) -> dict:
    """The part of the board that moves only with the scores: rows, podiums, judge names. Per-judge cells
    only when asked (`per_judge`, or by default the event's setting `public_judge_scores`). Rows stay in
    overall result order (release.board_fields pairs them with the results by position); a board groups
    them by "category" and orders each group by "category_rank"."""
    cells = snap.settings.public_judge_scores if per_judge is None else per_judge
    panel = snap.panel
    names = {j.email: j.name for j in snap.judges}
    in_category = categories.category_ranks(snap.by_category)
    overall = snap.shows_overall
    held = publicity.held_back(snap.state)
    rows = []
    for line in ranking_rows(snap, cells):
        result, performer = line.result, line.performer
        category_rank = in_category.get(result.performer_id)
        row = {
            "rank": result.rank if overall else category_rank,
            "overall_rank": result.rank if overall else None,
            "category_rank": category_rank,
            "performer": performer.name if performer else "",
            "category": performer.category if performer else "",
            "total": shown(result.total),
            "scores_in": result.scores_in,
            "panel": len(panel) - len(result.recused),
            "status": performer.status.value if performer else "",
            "recused": [names.get(j, "Judge") for j in result.recused],
            "held": result.performer_id == held,  # being scored: a board shows none of it (publicity)
            # the head judge's deductions (none of the held-back performer's: publicity.public_view)
            "deducted": shown(snap.deducted[result.performer_id])
            if result.performer_id in snap.deducted
            else "",
        }
        if cells:
            row["judges"] = [_cell(line, result, j) for j in panel]
        rows.append(row)
    return {
        "judge_names": [names.get(j, "Judge") for j in panel] if cells else [],
        "ranking": rows,
        "podiums": _podiums(snap),
    }


def _cell(line, result, judge: str) -> str:
    if judge in result.recused:
        return RECUSED
    return shown(line.by_judge[judge].total) if judge in line.by_judge else ""


def _podiums(snap: Snapshot) -> list[dict]:
    """One podium per category, once the round has finished."""
    if snap.state.phase is not Phase.FINISHED:
        return []
    names = {p.performer_id: p.name for p in snap.performers}
    return [
        {
            "category": category,
            "places": [
                {"rank": r.rank, "performer": names.get(r.performer_id, ""), "total": shown(r.total)}
                for r in top
            ],
        }
        for category, top in categories.podiums(snap.by_category).items()
    ]


def released(snap: Snapshot, now: float, ranked: dict) -> dict:
    """The ranking as the results' release allows it now (results_status, revealed, …): with "hide
    results until revealed" the unrevealed rows go, and no podium names anyone still hidden."""
    s = snap.state
    release = snap.release or Release(s.event_id)
    doc = {**ranked, **board_fields(s, release, snap.results, ranked["ranking"], now, snap.reveal_groups)}
    visible = {row["performer"] for row in doc["ranking"]}
    doc["podiums"] = [
        {**podium, "places": [p for p in podium["places"] if p["performer"] in visible]}
        for podium in ranked["podiums"]
    ]
    finished = s.phase is Phase.FINISHED
    top = [r for r in doc["ranking"] if r["rank"] is not None and r["rank"] <= 3]
    doc["podium"] = top if finished else []
    return doc


def public_doc(snap: Snapshot, now: float, ranked: dict) -> dict:
    """What the audience may see: no email, no credential, no comment; judges by display name only; and
    nothing of the performer being scored (`snap` must be publicity.public_view's, `ranked` built from
    it). `held_back`: that performer's name, so a board can say their scores come after the window."""
    if publicity.withholds(snap):
        raise ValueError("a public document is built from publicity.public_view(snapshot)")
    held = publicity.held_back(snap.state)
    return {
        **header(snap, now),
        **released(snap, now, ranked),
        "held_back": snap.performer_name(held) if held else None,
        "server_time": round(now, 3),
    }


def change_key(doc: dict) -> str:
    """What decides whether a document changed: everything but the clock's own fields. The remaining
    seconds count only while paused (otherwise the browser derives them from the deadline)."""
    kept = {k: v for k, v in doc.items() if k not in UNCOMPARED}
    if not doc.get("paused"):
        kept.pop("remaining_seconds", None)
    return json.dumps(kept, sort_keys=True, ensure_ascii=False, default=str)


def encode(doc: dict) -> str:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), default=str)


def _criteria(snap: Snapshot, judge: str) -> list[dict]:
    """The criteria this judge scores (a sub-panel's criterion only for its judges)."""
    return [
        {"name": c.name, "min": str(c.min), "max": str(c.max), "step": str(c.step)}
        for c in panels.criteria_for(snap.settings.criteria, judge)
    ]


def judge_doc(
    snap: Snapshot,
    now: float,
    judge: str,
    health: EngineHealth,
    others: list[dict],
    check: dict | None = None,
    head: dict | None = None,
) -> dict:
    """A judge's document: the header, their own score for the performer on stage, what they may see,
    and the admin's request to check a score (`check`: {performer, sentence}) until they answer it.
    `head`: header(snap, now), when the caller builds it once for every judge."""
    s = snap.state
    names = {j.email: j.name for j in snap.judges}
    mine = snap.by_performer.get(s.performer_id or "", {}).get(judge)
    if mine is None and judge in snap.settings.shadows:  # a shadow judge's own score, theirs alone
        on_stage = s.performer_id or ""
        mine = next((x for x in snap.shadow_scores if (x.performer_id, x.judge) == (on_stage, judge)), None)
    return {
        **(header(snap, now) if head is None else head),
        "judge": {"name": names.get(judge, judge.split("@")[0])},
        "performer_id": s.performer_id,
        "criteria": _criteria(snap, judge),
        "scoring_open": s.scoring_open(now),
        # A judge with a conflict of interest sees no form: the commit would refuse their score anyway.
        "stepped_aside": judge in snap.recused_for(s.performer_id),
        "my_score": None
        if mine is None
        else {
            "total": shown(mine.total),
            "values": {k: str(v) for k, v in mine.values.items()},
            "revision": mine.revision,
            "comment": mine.comment,  # this judge's own; never in the public or admin documents
        },
        "others": others,
        "check_request": None if check is None else {"sentence": check["sentence"], "at": check["at"]},
        "present": snap.quorum[0],
        "required": snap.quorum[1],
        "technical_problem": None if health.healthy else TECHNICAL_PROBLEM,
        "server_time": round(now, 3),
    }


def admin_doc(
    snap: Snapshot,
    now: float,
    health: EngineHealth,
    ranked: dict,
    engine_line: str | None = None,
    engine_parts: list | None = None,
) -> dict:
    """The admin desk's document: the public one's fields (the scores in full, the performer being scored
    included) plus the panel, presence, help flags and the engine (its health, and `engine_line`: which
    engine holds the lease, standbys, lateness, database latency)."""
    on_stage = snap.by_performer.get(snap.state.performer_id or "", {})
    present = set(snap.present)
    names = {j.email: j.name for j in snap.judges}
    panel = snap.panel
    judges = [
        {
            "name": names.get(email, email.split("@")[0]),
            "email": email,
            "present": email in present,
            "submitted": email in on_stage,
            "stepped_aside": email in snap.recused_for(snap.state.performer_id),
            "help_since": snap.flags.get(email),
        }
        for email in panel
    ]
    return {
        # The public document's fields, but from the full snapshot: the desk sees the running total.
        **header(snap, now),
        **released(snap, now, ranked),
        "server_time": round(now, 3),
        "judges": judges,
        "scores_in": len(on_stage),
        "panel": len(panel),
        "present": snap.quorum[0],
        "required": snap.quorum[1],
        "flags": [names.get(e, e.split("@")[0]) for e in sorted(snap.flags)],
        "engine": health.as_json(),
        "engine_line": engine_line,  # in English; engine_parts to say it in the reader's language
        "engine_parts": engine_parts,
        "missing": missing.report(snap, names),  # which judge, which criterion, which performer
    }
