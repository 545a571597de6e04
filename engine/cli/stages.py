"""`python -m engine stage add | list` and `judge assign`: a festival's stages and who judges where."""

from __future__ import annotations

import json

from engine.cli.context import service


def cmd_stage(a) -> int:
    svc = service()
    if a.action == "add":
        stage = svc.stages.add(None, a.name, a.id)
        print(f"Added stage {stage.stage_id} ({stage.name}).")
        return 0
    rows = [
        {"stage": s.stage_id, "stage_name": s.name, "event_id": svc.store.events.current_id(s.stage_id)}
        for s in svc.stages.list()
    ]
    if a.json:
        print(json.dumps(rows))
    else:
        for r in rows:
            print(f"{r['stage']:<16} {r['stage_name']:<24} {r['event_id'] or 'no event yet'}")
    return 0


def cmd_assign(a) -> int:
    stage = service().stages.assign(None, a.email, a.stage)
    print(f"{a.email} now judges on stage {stage}.")
    return 0


def register(sub, judge_actions) -> None:
    st = sub.add_parser("stage", help="a festival's stages")
    ssub = st.add_subparsers(dest="action", required=True)
    add = ssub.add_parser("add", help="add a stage")
    add.add_argument("name")
    add.add_argument("--id", help="its id in URLs and commands (default: made from the name)")
    ls = ssub.add_parser("list", help="every stage and its current event")
    ls.add_argument("--json", action="store_true")
    st.set_defaults(fn=cmd_stage)

    assign = judge_actions.add_parser("assign", help="put a judge on a stage")
    assign.add_argument("email")
    assign.add_argument("--stage", required=True, help="the stage's id")
    assign.set_defaults(fn=cmd_assign)
