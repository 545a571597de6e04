"""What the state feed (GET /api/v1/state and its stream) and the overlays (/overlay/…) show. Pure.

The state document is built from the public board's document alone (engine/views/documents.public_doc,
as the live feed pushes it on /live/public): it copies or leaves out, never adds a fact the board does not
carry, so it obeys the board's publicity rules by construction (nothing of the performer being scored
until their window closes; with "hide results until revealed" only what has been revealed).

The public document gains two small fields for it (`public_fields`): the stage's on-air switches and
the name of the performer whose scoring window closed last (whose row the board already shows).
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.domain.model import Performer, PerformerStatus, Phase
from engine.domain.on_air import ELEMENTS, OnAir

NO_TOTAL = ("", "—")
TIMED = (Phase.PERFORMING.value, Phase.SCORING.value)
CARD_PHASES = (Phase.PERFORMING.value, Phase.FINISHED.value)  # not while the next one is being scored


def scored_last(performers: Sequence[Performer]) -> str | None:
    """The performer whose scoring window closed last, by name (None before the first). A pass over the
    roster: the live feed computes it again only when it reads the roster again."""
    done = [p for p in performers if p.status is PerformerStatus.DONE]
    last = max(done, key=lambda p: (p.ended_at or 0.0, p.order), default=None)
    return last.name if last else None


def public_fields(switches: OnAir, last: str | None) -> dict:
    """The fields the public document carries for the overlays: `on_air` (the operator's switches) and
    `scored_last` (`scored_last(performers)`)."""
    return {"on_air": switches.as_json(), "scored_last": last}


def state_doc(public: dict, now: float) -> dict:
    """The show's state for automation and the overlays, from the public document `public` at `now`."""
    phase = public.get("phase")
    performer = (
        {"name": public["performer"], "category": public.get("category") or ""}
        if public.get("performer") and phase in TIMED
        else None
    )
    lineup = public.get("lineup") or {}
    next_up = lineup.get("next_up") if phase != Phase.FINISHED.value else None
    switches = public.get("on_air") or OnAir().as_json()
    card = score_card(public)
    podiums = podium_places(public)
    present = {"lower_third": performer, "score_card": card, "podium": podiums, "next_up": next_up}
    return {
        "stage": public.get("stage"),
        "event": {"id": public.get("event_id"), "name": public.get("event_name")},
        "round": public.get("round"),
        "phase": phase,
        "phase_label": public.get("phase_label"),
        "paused": public.get("paused"),
        "version": public.get("version"),
        "performer": performer,
        "next_up": next_up,
        "window_id": public.get("window_id"),
        "window_started_at": public.get("window_started_at"),
        "deadline": public.get("deadline"),
        "remaining_seconds": _remaining(public, now),
        "votes": public.get("vote") or [],
        "score_card": card,
        "podiums": podiums,
        "results": {
            "status": public.get("results_status"),
            "label": public.get("results_label"),
            "message": public.get("results_message"),
        },
        "on_air": switches,
        "showing": {e: bool(switches["elements"].get(e, True) and present[e]) for e in ELEMENTS},
        "error": public.get("error"),
        "server_time": round(now, 3),
    }


def _remaining(public: dict, now: float) -> float | None:
    if public.get("paused"):
        return public.get("remaining_seconds")
    deadline = public.get("deadline")
    return None if deadline is None else round(max(0.0, deadline - now), 3)


def score_card(public: dict) -> dict | None:
    """The last scored performer's row as the board shows it, once it shows a total; None while the next
    performer is being scored (their window is what the show waits for) or before any total is public."""
    name = public.get("scored_last")
    if not name or public.get("phase") not in CARD_PHASES:
        return None
    row = next((r for r in public.get("ranking") or [] if r.get("performer") == name), None)
    if row is None or row.get("held") or row.get("total") in NO_TOTAL:
        return None
    cells = row.get("judges") or []
    return {
        "performer": row["performer"],
        "category": row.get("category") or "",
        "total": row["total"],
        "rank": row.get("rank"),
        "scores_in": row.get("scores_in"),
        "panel": row.get("panel"),
        "judges": [
            {"judge": j, "score": c} for j, c in zip(public.get("judge_names") or [], cells, strict=False)
        ],
    }


def podium_places(public: dict) -> list[dict]:
    """The podiums the board shows once the round has finished: the overall one (one category, or ranked
    overall) and one per category when there are several; each place {rank, performer, category, total}."""
    if public.get("phase") != Phase.FINISHED.value:
        return []
    several = len(public.get("categories") or []) > 1
    out = []
    top = public.get("podium") or []
    if top and (not several or public.get("rank_overall")):
        places = [_place(r["rank"], r["performer"], r.get("category") or "", r["total"]) for r in top]
        out.append({"category": None, "places": places})
    for p in public.get("podiums") or [] if several else []:
        category = p.get("category") or ""
        places = [_place(r["rank"], r["performer"], category, r["total"]) for r in p.get("places") or []]
        if places:
            out.append({"category": category, "places": places})
    return out


def _place(rank: int, performer: str, category: str, total: str) -> dict:
    return {"rank": rank, "performer": performer, "category": category, "total": total}
