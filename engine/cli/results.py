"""The results commands of `python -m engine`: `results signoff | reveal | status | links` and the file
exports: `export --format pdf [--performer NAME] [--event ID] --out FILE` and `export --format xlsx
[--event ID] --out FILE`."""

from __future__ import annotations

import json
import time
from pathlib import Path

from engine.domain.model import InvalidInput


def when(ts: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts)) if ts else "-"


def cmd_results(a, svc) -> int:
    if a.action == "signoff":
        rel = svc.results.sign_off(None)
        print(f"Results of {rel.event_id} are official: signed off by {rel.signed_off_by} at "
              f"{when(rel.signed_off_at)}, results hash {rel.results_hash}.")  # fmt: skip
    elif a.action == "reveal":
        count = svc.results.reveal_next(None)
        print(f"Revealed {count} place(s).")
    elif a.action == "links":
        # A performer's sheet link is what the operator hands out (no login behind it, only that sheet,
        # only once official); it is not a session token, which never leaves its HttpOnly cookie.
        links = svc.results.create_sheet_links(None)
        snap = svc.snapshot()
        base = a.base_url.rstrip("/")
        print("Each performer's private sheet link (shown once; a new run replaces them):")
        for pid, sheet_code in links.items():
            print(f"  {snap.performer_name(pid):<30} {base}/sheet/{sheet_code}")
    else:
        print(json.dumps(svc.results.results_status()))
    return 0


def export_pdf(a, svc) -> int:
    from engine.views import sheets

    if not a.out:
        raise InvalidInput("--format pdf writes a file: add --out FILE.")
    snap = svc.snapshot(a.event)
    rel = svc.results.release(snap.event_id)
    if a.performer:
        wanted = a.performer.strip().casefold()
        match = [p for p in snap.performers if p.name.casefold() == wanted]
        if not match:
            raise InvalidInput(f"There is no performer called {a.performer!r} in event {snap.event_id}.")
        pdf = sheets.performer_pdf(snap, rel, match[0].performer_id)
    else:
        pdf = sheets.results_pdf(snap, rel, svc.votes.audience(snap.event_id))
    Path(a.out).write_bytes(pdf)
    print(f"Wrote {a.out} ({len(pdf)} bytes).")
    return 0


def export_xlsx(a, svc) -> int:
    from engine.views import workbook

    if not a.out:
        raise InvalidInput("--format xlsx writes a file: add --out FILE.")
    snap = svc.snapshot(a.event)
    data = workbook.to_xlsx(snap, svc.votes.audience(snap.event_id))  # the operator's: every score
    Path(a.out).write_bytes(data)
    print(f"Wrote {a.out} ({len(data)} bytes).")
    return 0


def register(sub) -> None:
    """Add the `results` command to the parser's subcommands."""
    res = sub.add_parser("results", help="sign off, reveal, the performers' sheet links, the status")
    res.add_argument("action", choices=["signoff", "reveal", "links", "status"])
    res.add_argument("--base-url", default="http://localhost:8501", help="for links: the app's address")
    res.set_defaults(fn=lambda a: cmd_results(a, _service()))


def _service():
    from engine.cli.context import service

    return service()
