"""`python -m engine db | preflight | init | demo`: the database and a first event, before the show."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from engine.domain.model import Settings


def service():
    from engine.cli.context import service

    return service()


def cmd_db(a) -> int:
    from engine import localdb

    if a.fetch_only:
        localdb.ensure_installed()
        return 0
    return localdb.run_foreground(a.port, None if a.in_memory else Path(a.data_dir), a.in_memory)


def cmd_preflight(a) -> int:
    from engine.localdb import port_in_use

    busy = [
        f"{name} port {port} is already in use: stop what uses it, or choose another with {var}=..."
        for name, port, var in (("Streamlit", a.port, "PORT"), ("DynamoDB", a.db_port, "DYNAMODB_PORT"))
        if port_in_use(port)
    ]
    for line in busy:
        print(line, file=sys.stderr)
    return 2 if busy else 0


def cmd_init(a) -> int:
    from engine.domain.model import DatabaseUnavailable

    svc = service()
    deadline = time.monotonic() + a.wait
    while True:
        try:
            created = svc.store.create_tables()
            break
        except DatabaseUnavailable:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    print(
        f"Created {len(created)} table(s): {', '.join(created)}" if created else "All tables already exist."
    )
    return 0


def cmd_demo(a) -> int:
    from engine.cli import demo

    svc = service()
    svc.store.create_tables()
    if a.if_missing and svc.store.events.current_id():
        print("An event already exists; keeping it (demo not seeded again).")
        return 0
    options = dict(
        performers=a.performers,
        perform_seconds=a.perform_seconds,
        score_seconds=a.score_seconds,
        password=a.password,
    )
    if a.stages:
        passwords = demo.festival(svc, a.stages, a.judges, **options)
    else:
        passwords = demo.seed(svc, judges=a.judges, **options)
    print("Demo event ready. Logins (shown once):")
    for email, pw in passwords.items():
        print(f"  {email:<24} {pw}")
    return 0


def register(sub) -> None:
    db = sub.add_parser("db", help="fetch (if missing) and run DynamoDB Local in the foreground")
    db.add_argument("--port", type=int, default=8000)
    db.add_argument("--data-dir", default="data")
    db.add_argument("--in-memory", action="store_true")
    db.add_argument("--fetch-only", action="store_true", help="fetch DynamoDB Local if missing, then exit")
    db.set_defaults(fn=cmd_db)

    pre = sub.add_parser("preflight", help="check that the ports `make run` needs are free")
    pre.add_argument("--port", type=int, default=8501)
    pre.add_argument("--db-port", type=int, default=8000)
    pre.set_defaults(fn=cmd_preflight)

    init = sub.add_parser("init", help="create the tables (idempotent)")
    init.add_argument("--wait", type=float, default=0, help="seconds to wait for the database to answer")
    init.set_defaults(fn=cmd_init)

    demo = sub.add_parser("demo", help="create a demo event with judges, an admin and performers")
    d = Settings()
    demo.add_argument("--password", help="set every demo password (otherwise random ones are printed once)")
    demo.add_argument("--perform-seconds", type=float, default=d.perform_seconds)
    demo.add_argument("--score-seconds", type=float, default=d.score_seconds)
    demo.add_argument("--judges", type=int, default=3)
    demo.add_argument("--performers", type=int, default=5)
    demo.add_argument("--if-missing", action="store_true", help="do nothing if an event already exists")
    demo.add_argument(
        "--stages", type=int, help="a festival: stages s1 … sN, each with its own event and judges"
    )
    demo.set_defaults(fn=cmd_demo)
