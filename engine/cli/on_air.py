"""`python -m engine on-air …`: what goes on air on a stage, from the shell (the operator, who holds the
database's credentials): show or hide overlay elements, pick the projector's view, or see the switches.
Every change goes through engine/service/on_air.switch, as the operator's page does."""

from __future__ import annotations

import json

from engine.domain.on_air import ELEMENT_LABELS, ELEMENTS, PROJECTOR_LABELS, PROJECTOR_VIEWS, OnAir
from engine.service import on_air


def _print(switches: OnAir, as_json: bool = False) -> None:
    if as_json:
        print(json.dumps(switches.as_json()))
        return
    for element in ELEMENTS:
        print(f"{ELEMENT_LABELS[element]:<12} {'shown' if switches.shows(element) else 'hidden'}")
    print(f"{'Projector':<12} {PROJECTOR_LABELS[switches.projector]} ({switches.projector})")


def cmd_on_air(a) -> int:
    svc = _service()
    if a.action == "status":
        _print(on_air.current(svc), a.json)
    elif a.action in ("show", "hide"):
        _print(on_air.switch(svc, None, {e: a.action == "show" for e in a.elements}))
    else:
        _print(on_air.switch(svc, None, projector=a.view))
    return 0


def register(sub) -> None:
    """Add the `on-air` command (status, show, hide, projector) to the parser's subcommands."""
    parser = sub.add_parser("on-air", help="the overlays' elements and the projector's view, per stage")
    osub = parser.add_subparsers(dest="action", required=True)
    st = osub.add_parser("status", help="which elements show and what the projector shows")
    st.add_argument("--json", action="store_true", help="the `on_air` field of GET /api/v1/state")
    for action in ("show", "hide"):
        p = osub.add_parser(action, help=f"{action} overlay elements")
        p.add_argument("elements", nargs="+", metavar="ELEMENT", help=", ".join(ELEMENTS))
    proj = osub.add_parser("projector", help="what the projector (the kiosk board) shows")
    proj.add_argument("view", metavar="VIEW", help=", ".join(PROJECTOR_VIEWS))
    parser.set_defaults(fn=cmd_on_air)


def _service():
    from engine.cli.context import service

    return service()
