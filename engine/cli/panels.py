"""`python -m engine panel …`: who judges what (sub-panels, shadow judges, the head judge), the deduction
catalogue, a deduction or penalty, and a judge's calibration card (the operator acts as an admin)."""

from __future__ import annotations

import json

from engine.cli.context import service
from engine.domain import deductions, overtime
from engine.domain.scoring import display


def _criteria_line(svc) -> list[str]:
    s = svc.bundle().settings
    lines = [f"{c.name}: {', '.join(c.judges) if c.judges else 'every judge'}" for c in s.criteria]
    lines.append(f"shadow judges: {', '.join(s.shadows) or 'none'}; head judge: {s.head_judge or 'none'}")
    lines += [
        f"deduction {k.name}: {k.points}" + (f", at most {k.cap}" if k.cap else "") for k in s.deductions
    ]
    if s.time_rule.limit:
        lines.append(f"time penalty: {overtime.describe(s.time_rule)}")
    snap = svc.snapshot()
    for e in sorted(snap.deductions, key=lambda e: (e.at, e.entry_id)):
        lines.append(f"entry {e.entry_id}: {deductions.label(e, snap.performer_name(e.performer_id))}")
    return lines


def _performer_id(svc, name: str | None) -> str | None:
    if not name:
        return None
    for p in svc.store.performers.list(svc.event_id()):
        if p.name == name:
            return p.performer_id
    raise ValueError(f"there is no performer {name!r} in this event")


def cmd_panel(a) -> int:
    svc = service()
    if a.action == "assign":
        names = [n.strip() for n in (a.criteria or "").split(",") if n.strip()]
        svc.panels.assign(None, a.email, None if a.criteria == "all" else names)
    elif a.action == "shadow":
        svc.panels.shadow(None, a.email, not a.off)
    elif a.action == "head":
        svc.panels.head(None, None if a.email == "none" else a.email)
    elif a.action == "catalogue":
        rows = [
            dict(zip(("name", "points", "cap"), (*item.split(":"), None, None)[:3], strict=True))
            for item in a.items
        ]
        svc.panels.catalogue(None, rows)
    elif a.action == "timing":
        svc.panels.timing(None, overtime.parse(a.limit, a.points, a.step_points, a.step_seconds, a.cap))
    elif a.action == "deduct":
        pid = _performer_id(svc, a.performer)
        d = svc.panels.deduct(None, pid, a.kind, a.count, a.points, a.reason or "", timed=a.time)
        if d is None:
            print("No time penalty entered: within the limit, or entered already.")
            return 0
        print(f"Deducted {d.points} from {svc.snapshot().performer_name(d.performer_id)} ({d.reason}).")
        return 0
    elif a.action == "withdraw":
        d = svc.panels.withdraw(None, a.entry)
        print(f"Withdrawn: {d.points} from {svc.snapshot().performer_name(d.performer_id)} ({d.reason}).")
        return 0
    elif a.action == "card":
        return _card(svc, a)
    for line in _criteria_line(svc):
        print(line)
    return 0


def _card(svc, a) -> int:
    card = svc.panels.card(None, a.judge)
    if a.json:
        rows = [
            {"performer": r.performer, "criterion": r.criterion, "mark": str(r.mark), "median": str(r.median),
             "deviation": str(r.deviation)}
            for r in card.rows
        ]  # fmt: skip
        print(json.dumps({"judge": card.judge, "rows": rows, "rho": card.rho}))
        return 0
    print(f"Calibration card of {card.judge}")
    for r in card.rows:
        numbers = " ".join(f"{display(x):>7}" for x in (r.mark, r.median, r.deviation))
        print(f"{r.performer:<28} {r.criterion:<12} {numbers}")
    for criterion, rho in card.rho.items():
        print(f"{criterion}: rank correlation with the panel {'—' if rho is None else f'{rho:.2f}'}")
    return 0


def register(sub) -> None:
    p = sub.add_parser(
        "panel", help="sub-panels, shadow judges, the head judge, deductions, calibration cards"
    )
    ps = p.add_subparsers(dest="action", required=True)
    assign = ps.add_parser("assign", help="put a judge on exactly these criteria's sub-panels")
    assign.add_argument("email")
    assign.add_argument("--criteria", required=True, help='"Difficulty,Execution", or "all": on no sub-panel')
    shadow = ps.add_parser("shadow", help="a judge who scores but is never counted")
    shadow.add_argument("email")
    shadow.add_argument("--off", action="store_true", help="counted again")
    head = ps.add_parser("head", help="the head judge (enters deductions, sees every calibration card)")
    head.add_argument("email", help='an email, or "none"')
    cat = ps.add_parser("catalogue", help='the deductions: "Fall:0.25:1.75" (name:points[:cap]) …')
    cat.add_argument("items", nargs="*")
    ded = ps.add_parser("deduct", help="a deduction (--kind) or a penalty (--points, --reason)")
    ded.add_argument("--performer", help="the performer's name (default: the one on stage)")
    ded.add_argument("--kind")
    ded.add_argument("--count", default="1")
    ded.add_argument("--points")
    ded.add_argument("--reason")
    ded.add_argument("--time", action="store_true", help="the time penalty, from the time measured at Done")
    wd = ps.add_parser("withdraw", help="withdraw a deduction entered by mistake (its id: panel show)")
    wd.add_argument("entry")
    timing = ps.add_parser("timing", help="the time limit and its penalty (limit 0: none)")
    timing.add_argument("limit", help="seconds")
    timing.add_argument("--points", default="0", help="over the limit by any amount")
    timing.add_argument("--step-points", default="0", help="plus this much per full step beyond the limit")
    timing.add_argument("--step-seconds", default="0", help="the step, in seconds")
    timing.add_argument("--cap", help="at most this much in all")
    card = ps.add_parser("card", help="a judge's calibration card, once the results are official")
    card.add_argument("--judge", required=True)
    card.add_argument("--json", action="store_true")
    ps.add_parser("show", help="who judges what")
    p.set_defaults(fn=cmd_panel)
