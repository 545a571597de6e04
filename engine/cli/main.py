"""The operator's command line: the parser and the commands that fit in a few lines; the rest by feature."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path

from engine.cli import apikeys, competition, context, on_air, panels, results, setup, stages, tabulate, votes
from engine.cli.context import service as _service
from engine.domain.model import Command, CommandKind, Role, StagescoreError, VoteMode
from engine.domain.stages import of_judge as stages_of_judge


def cmd_judge(a) -> int:
    svc = _service()
    if a.action == "add":
        import getpass

        pw = a.password or getpass.getpass(f"Password for {a.email}: ")
        acc = svc.add_account(None, a.email, a.name or "", pw, Role(a.role), a.weight, a.stage)
        print(f"Added {acc.role.value} {acc.email} (weight {acc.weight}).")
    elif a.action == "list":
        for acc in svc.store.accounts.list():
            print(
                f"{acc.email:<30} {acc.role.value:<6} weight={acc.weight} "
                f"{'active' if acc.active else 'disabled'}"
                + (f" stage={stages_of_judge(acc.stage)}" if acc.role is Role.JUDGE else "")
            )
    elif a.action == "disable":
        svc.set_account(None, a.email, active=False)
        print(f"Disabled {a.email}.")
    elif a.action == "link":
        from engine.views import qr

        url = qr.link_url(qr.base_url(a.base_url), svc.logins.issue_link(None, a.email))
        print(f"Login link for {a.email}: one use, valid 15 minutes; using it ends the judge's other logins.")
        print(url)
        print(qr.terminal(url))
    return 0


def cmd_performers(a) -> int:
    if a.action != "import":
        return competition.cmd_performer_action(a)
    svc = _service()
    performers = svc.import_roster_csv(None, Path(a.file).read_bytes())
    print(f"Imported {len(performers)} performer(s).")
    return 0


def cmd_control(a) -> int:
    svc = _service()
    kind = CommandKind(a.command)
    state = svc.command(None, Command(kind, seconds=float(a.seconds or 0), force=bool(a.force)))
    print(
        f"{kind.value}: event {state.event_id} is now {state.phase.value}"
        + (" (paused)" if state.paused else "")
    )
    return 0


def cmd_run(a) -> int:
    from engine import log_setup
    from engine.timer.runner import Engine

    log_setup.setup("engine")
    if port := os.environ.get("STAGESCORE_METRICS_PORT"):  # the engine has no web server: Prometheus' own
        from prometheus_client import start_http_server

        from engine.metrics import REGISTRY

        start_http_server(int(port), registry=REGISTRY)
    from engine import bootstrap

    store = bootstrap.store()
    store.create_tables()
    engine = Engine(store)
    from engine.timer import webhooks

    webhooks.beside(engine)  # the webhooks' deliveries, for the stages this engine holds
    engine.run_forever()
    return 0


def status_dict(svc, clashes: list | None = None) -> dict:
    """`status --json`: the stage's event, its engine and results, and the clashes that involve it."""
    snap = svc.snapshot()
    clashes = svc.stages.clashes(svc) if clashes is None else clashes
    s = snap.state
    now = time.time()
    remaining = s.remaining(now)
    return {
        "event_id": s.event_id,
        "event_name": snap.settings.event_name,
        "phase": s.phase.value,
        "paused": s.paused,
        "performer_id": s.performer_id,
        "performer_name": snap.performer_name(s.performer_id) or None,
        "performer_index": s.index,
        "performers": len(snap.performers),
        "deadline": s.deadline,
        "remaining_seconds": None if remaining is None else round(remaining, 3),
        "window_id": s.window_id,
        "version": s.version,
        "judges_present": len(snap.present),
        "judges_required": snap.settings.required_judges,
        "scores": len(snap.scores),
        **competition.status_fields(snap, now),
        **svc.health.engine_health().as_json(),
        "clashes": [c.as_json() for c in clashes if s.stage in c.stages],
        **_audience(svc, snap),
    } | svc.results.results_status(s.event_id)


def _audience(svc, snap) -> dict:
    """`audience`: the admin's view of the vote (the tally, revealed or not); absent when voting is off."""
    if snap.settings.votes.mode is VoteMode.OFF:
        return {}
    return {"audience": svc.votes.status(snap.event_id).as_json()}


def cmd_status(a) -> int:
    if a.all:
        svc = _service()
        found = svc.stages.clashes(svc)
        every = [
            {"stage": s.stage_id, "stage_name": s.name, **status_dict(svc.on(s.stage_id), found)}
            for s in svc.stages.list()
        ]
        print(json.dumps(every) if a.json else "\n\n".join(_lines(d) for d in every))
        return 0
    d = status_dict(_service())
    if a.json:
        print(json.dumps(d))
    else:
        print(_lines(d))
    return 0


def _lines(d: dict) -> str:
    return "\n".join(f"{k:<18} {v}" for k, v in d.items())


def cmd_export(a) -> int:
    from engine.views import exports

    svc = _service()
    if a.format == "pdf":
        return results.export_pdf(a, svc)
    if a.format == "xlsx":
        return results.export_xlsx(a, svc)
    audience = svc.votes.audience(a.event)  # the operator's export: the tally, revealed or not
    sys.stdout.write(exports.export(svc.snapshot(a.event), a.format, audience=audience))
    return 0


def cmd_verify_log(a) -> int:
    svc = _service()
    eid = a.event or svc.event_id()
    problems = svc.log.verify(eid)
    if problems:
        for p in problems:
            print(p)
        print(f"The event log of {eid} has been tampered with ({len(problems)} problem(s)).")
        return 1
    entries, _ = svc.store.log.entries(eid)
    print(f"The event log of {eid} is intact ({len(entries)} entries).")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m engine", description="Stagescore's back end.")
    sub = p.add_subparsers(dest="cmd", required=True)
    judge = sub.add_parser("judge", help="manage accounts")
    jsub = judge.add_subparsers(dest="action", required=True)
    add = jsub.add_parser("add")
    add.add_argument("email")
    add.add_argument("--name")
    add.add_argument("--password")
    add.add_argument("--role", choices=[r.value for r in Role], default="judge")
    add.add_argument("--weight", default="1")
    add.add_argument("--stage", help="a judge's stage (default: the only stage)")
    jsub.add_parser("list")
    link = jsub.add_parser("link", help="a one-time login link (and its QR code) for a judge's phone")
    link.add_argument("email")
    link.add_argument(
        "--base-url", help="where judges reach the app (default: $STAGESCORE_BASE_URL or localhost)"
    )
    dis = jsub.add_parser("disable")
    dis.add_argument("email")
    judge.set_defaults(fn=cmd_judge)
    stages.register(sub, jsub)

    perf = sub.add_parser("performers", help="the roster")
    psub = perf.add_subparsers(dest="action", required=True)
    imp = psub.add_parser("import", help="import a CSV with columns name, order, optional category")
    imp.add_argument("file")
    competition.add_performer_actions(psub)
    perf.set_defaults(fn=cmd_performers)
    competition.add_parsers(sub)

    ctl = sub.add_parser("control", help="an admin's command from the shell")
    ctl.add_argument("command", choices=[k.value for k in CommandKind])
    ctl.add_argument("seconds", nargs="?", help="for extend: how many seconds")
    ctl.add_argument("--force", action="store_true", help="for start: start without the quorum")
    ctl.set_defaults(fn=cmd_control)

    sub.add_parser("run", help="run the engine (timer loop, lease, presence)").set_defaults(fn=cmd_run)

    st = sub.add_parser("status", help="the current event's state")
    st.add_argument("--json", action="store_true")
    st.add_argument("--all", action="store_true", help="every stage's status (with --json: a JSON array)")
    st.set_defaults(fn=cmd_status)

    ex = sub.add_parser("export", help="scores and results")
    ex.add_argument("--format", choices=["csv", "json", "pdf", "xlsx"], default="csv")
    ex.add_argument("--event")
    ex.add_argument("--performer", help="pdf: that performer's score sheet (default: the round's results)")
    ex.add_argument("--out", help="pdf, xlsx: the file to write")
    ex.set_defaults(fn=cmd_export)

    # The features whose commands live in their own module.
    for feature in (setup, results, votes, on_air, tabulate, apikeys, panels):
        feature.register(sub)
    vl = sub.add_parser("verify-log", help="check the event log's hash chains")
    vl.add_argument("--event")
    vl.set_defaults(fn=cmd_verify_log)
    context.add_stage_options(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    from engine import log_setup

    args = build_parser().parse_args(argv)
    context.choose(getattr(args, "stage", None) if args.cmd in context.STAGED else None)
    if args.cmd != "run":
        log_setup.setup("cli", logging.WARNING)
    if args.cmd == "control" and args.command == "extend" and not args.seconds:
        print("extend needs a number of seconds, for example: control extend 10", file=sys.stderr)
        return 2
    try:
        return args.fn(args)
    except StagescoreError as e:
        return _refused(str(e))
    except ValueError as e:
        return _refused(f"Invalid input: {e}")


def _refused(sentence: str) -> int:
    """The one sentence on stderr: a plain line, or a JSON log line under STAGESCORE_LOG_FORMAT=json."""
    from engine import log_setup

    if log_setup.json_wanted():
        logging.getLogger("stagescore.cli").error(sentence)
    else:
        print(sentence, file=sys.stderr)
    return 2
