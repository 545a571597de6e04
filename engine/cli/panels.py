"""`python -m engine panel …`: who judges what (sub-panels, shadow judges, the head judge), the deduction
catalogue, a deduction or penalty, and a judge's calibration card (the operator acts as an admin)."""

from __future__ import annotations

import json

from engine.cli.context import service
from engine.domain.scoring import display


def _criteria_line(svc) -> list[str]:
    s = svc.bundle().settings
    lines = [f"{c.name}: {', '.join(c.judges) if c.judges else 'every judge'}" for c in s.criteria]
    lines.append(f"shadow judges: {', '.join(s.shadows) or 'none'}; head judge: {s.head_judge or 'none'}")
    lines += [
        f"deduction {k.name}: {k.points}" + (f", at most {k.cap}" if k.cap else "") for k in s.deductions
    ]
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
    elif a.action == "deduct":
        d = svc.panels.deduct(
            None, _performer_id(svc, a.performer), a.kind, a.count, a.points, a.reason or ""
        )
        print(f"Deducted {d.points} from {svc.snapshot().performer_name(d.performer_id)} ({d.reason}).")
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
    card = ps.add_parser("card", help="a judge's calibration card, once the results are official")
    card.add_argument("--judge", required=True)
    card.add_argument("--json", action="store_true")
    ps.add_parser("show", help="who judges what")
    p.set_defaults(fn=cmd_panel)
