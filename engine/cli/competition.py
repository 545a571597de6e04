"""The competition's commands for `python -m engine`: round, conflict, and the live order changes
under performers (move, no-show, bring-back); and what `status --json` adds about them."""

from __future__ import annotations

import argparse
import time

from engine.domain import schedule


def _competition():
    from engine.cli.context import service
    from engine.service.competition import Competition

    return Competition(service())


def cmd_round(a) -> int:
    competition = _competition()
    if a.action == "list":
        for r in competition.rounds():
            mark = "*" if r["current"] else " "
            print(f"{mark} {r['number']:>2}  {r['name']:<30} {r['phase']:<10} {r['event_id']}")
        return 0
    if a.action == "name":
        info = competition.name_round(None, a.name)
        print(f"Round {info.number} is now called {info.name}.")
        return 0
    chosen = [n.strip() for n in a.performers.split(",") if n.strip()] if a.performers else None
    info, adv = competition.next_round(
        None,
        top=a.top,
        per_category=not a.overall,
        chosen=chosen,
        name=a.name,
        carry_weight=a.carry_weight,
    )
    names = {p.performer_id: p.name for p in competition.svc.snapshot().performers}
    print(f"Round {info.number} ({info.name}) is ready in setup: event {info.event_id}.")
    print("Running order: " + ", ".join(names.get(pid, pid) for pid in adv.order))
    for note in adv.notes:
        print(note)
    return 0


def cmd_performer_action(a) -> int:
    competition = _competition()
    if a.action == "move":
        competition.move(None, a.name, position=a.position, last=a.last)
    elif a.action == "no-show":
        competition.no_show(None, a.name)
    else:
        competition.bring_back(None, a.name)
    snap = competition.svc.snapshot()
    print(
        f"{a.action}: {a.name}. Running order: " + ", ".join(snap.performer_name(p) for p in snap.state.order)
    )
    return 0


def cmd_conflict(a) -> int:
    competition = _competition()
    if a.action == "list":
        rows = competition.conflicts()
        for c in rows:
            print(f"{c['judge']:<30} {c['performer']:<30} declared by {c['declared_by']}")
        if not rows:
            print("No conflicts declared.")
        return 0
    if a.action == "add":
        competition.add_conflict(None, a.email, a.performer)
        print(f"{a.email} has stepped aside for {a.performer}.")
    else:
        competition.remove_conflict(None, a.email, a.performer)
        print(f"{a.email} may score {a.performer} again.")
    return 0


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("must be a whole number") from None


def add_performer_actions(psub) -> None:
    mv = psub.add_parser("move", help="move a waiting performer (up/down, or to the end: not ready)")
    mv.add_argument("name")
    where = mv.add_mutually_exclusive_group(required=True)
    where.add_argument("--position", type=_whole, help="1-based place in the running order")
    where.add_argument("--last", action="store_true", help="send to the end of the order (not ready)")
    psub.add_parser("no-show", help="mark a waiting performer as no-show (not ranked)").add_argument("name")
    psub.add_parser("bring-back", help="a skipped or no-show performer performs later").add_argument("name")


def add_parsers(sub) -> None:
    rnd = sub.add_parser("round", help="rounds of the competition")
    rsub = rnd.add_subparsers(dest="action", required=True)
    nxt = rsub.add_parser("next", help="advance performers from the finished round into a new one")
    pick = nxt.add_mutually_exclusive_group(required=True)
    pick.add_argument("--top", type=_whole, help="how many advance (of each category by default)")
    pick.add_argument("--performers", help="or a chosen list: names separated by commas, in running order")
    scope = nxt.add_mutually_exclusive_group()
    scope.add_argument("--per-category", action="store_true", help="the top N of each category (default)")
    scope.add_argument("--overall", action="store_true", help="the top N of the overall ranking")
    nxt.add_argument("--name", help="the new round's name (default: Round N)")
    nxt.add_argument("--carry-weight", default="0", help="carry this weight × this round's total (default 0)")
    rsub.add_parser("list", help="every round of the competition")
    rsub.add_parser("name", help="rename the current round (e.g. Heats)").add_argument("name")
    rnd.set_defaults(fn=cmd_round)

    con = sub.add_parser("conflict", help="conflicts of interest: a judge steps aside for a performer")
    csub = con.add_subparsers(dest="action", required=True)
    for action in ("add", "remove"):
        c = csub.add_parser(action)
        c.add_argument("email")
        c.add_argument("performer", metavar="PERFORMER_NAME")
    csub.add_parser("list")
    con.set_defaults(fn=cmd_conflict)


def status_fields(snap, now: float | None = None) -> dict:
    """What `status --json` says about the competition, the category on stage, recusals, the schedule."""
    now = time.time() if now is None else now
    rnd = snap.round
    current = snap.current
    slots = schedule.expected_starts(snap.state, snap.settings, snap.performers, now)
    return {
        "competition_id": rnd.competition_id if rnd else snap.event_id,
        "round": {"number": rnd.number, "name": rnd.name} if rnd else {"number": 1, "name": "Round 1"},
        "category": current.category if current else None,
        "recused": list(snap.recused_for(snap.state.performer_id)),
        "behind_plan_seconds": schedule.behind_plan(snap.state, snap.settings, snap.performers, now),
        "schedule": [
            {
                "id": s.performer_id,
                "name": s.name,
                "category": s.category,
                "status": s.status.value,
                "expected_start": None if s.expected_start is None else round(s.expected_start, 3),
            }
            for s in slots
        ],
    }
