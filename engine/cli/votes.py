"""The audience vote from the shell, for an operator without a projector:

  vote status [--json]   per performer: votes and stars (or points, for a final vote) and the people's
                         choice rank; each window open or closed, with its close; the combined ranking
  vote code [--base-url] each open window of the stage: what it is for, its code, the vote page's URL with
                         the code and a QR code of it (exit status 1 when there is no code to show)

The operator sees the tally whether or not it is revealed: this is the admin's view, not the public's."""

from __future__ import annotations

import json
from collections.abc import Mapping

from engine.cli.results import when
from engine.domain.model import VoteMode
from engine.domain.votes import FINAL
from engine.views.votes import Audience, WindowLine

OFF = "Audience voting is off for this event (Setup → Audience vote)."
NONE_OPEN = "No voting window is open on this stage now."
MODES = {VoteMode.PER_ACT: "per act, 1 to 5 stars", VoteMode.FINAL: "one final vote for a favourite act"}


def _cell(value) -> str:
    return "-" if value is None else str(value)


def _places(aud: Audience) -> list[str]:
    final = aud.mode is VoteMode.FINAL
    head = f"  {'Performer':<28} {'Points' if final else 'Votes':>6}"
    head += f" {'Rank':>5}" if final else f" {'Stars':>6} {'Mean':>6} {'Rank':>5}"
    lines = [head]
    for p in aud.places:
        name = aud.names.get(p.performer_id, p.performer_id)
        row = f"  {name:<28} {p.votes:>6}"
        row += f" {_cell(p.rank):>5}" if final else f" {p.stars:>6} {_cell(p.mean):>6} {_cell(p.rank):>5}"
        lines.append(row)
    return lines


def _state(w: WindowLine) -> str:
    if not w.open:
        return f"closed    at {when(w.closes_at)}"
    if w.closes_at is not None:
        return f"open      closes at {when(w.closes_at)}"
    if w.key == FINAL:
        return "open      until the admin closes it"
    return "open      while on stage, then for the grace period after their scoring closes"


def _windows(aud: Audience) -> list[str]:
    lines = []
    for w in aud.windows:
        lines.append(f"  {w.name:<28} {_state(w)}")
        for f in w.flags:
            lines.append(
                f"    flagged: address {f['address']} sent {f['votes']} votes, {f['new_devices']} from "
                f"phones new in this window, up to {f['peak_per_second']} a second (void on the desk)"
            )
    return lines or ["  none opened yet"]


def _combined(aud: Audience, jury: Mapping[str, int | None]) -> list[str]:
    """Rank points of the jury's and the audience's ranks, weighted; equal points go to the better jury."""
    share = aud.jury_percent or 0
    audience = {p.performer_id: p.rank for p in aud.places}
    lines = [
        f"Combined ranking (jury {share} %, audience {100 - share} %)",
        f"  {'Rank':>4}  {'Performer':<28} {'Points':>6} {'Jury rank':>10} {'Audience rank':>14}",
    ]
    for c in aud.combined:
        pid = c.performer_id
        ranks = f"{_cell(jury.get(pid)):>10} {_cell(audience.get(pid)):>14}"
        lines.append(f"  {c.rank:>4}  {aud.names.get(pid, pid):<28} {c.points!s:>6} {ranks}")
    return lines


def status_text(aud: Audience, jury: Mapping[str, int | None]) -> str:
    """`vote status`: the admin's whole view of the vote, as text."""
    if aud.mode is VoteMode.OFF:
        return OFF
    shown = "revealed to the public" if aud.revealed else "hidden from the public until the admin reveals it"
    lines = [f"Audience vote: {MODES[aud.mode]}; the tally is {shown}.", "", "People's choice"]
    lines += [*_places(aud), "", "Windows", *_windows(aud)]
    if aud.combined:
        lines += ["", *_combined(aud, jury)]
    elif aud.jury_percent is not None:
        lines += ["", "Combined ranking: once the audience has voted."]
    return "\n".join(lines)


def cmd_status(a, svc) -> int:
    aud = svc.votes.status()
    if a.json:
        print(json.dumps(aud.as_json()))
        return 0
    jury = {r.performer_id: r.rank for r in svc.snapshot().results} if aud.combined else {}
    print(status_text(aud, jury))
    return 0


def cmd_code(a, svc) -> int:
    from engine.views import qr

    if svc.bundle().settings.votes.mode is VoteMode.OFF:
        print(OFF)
        return 1
    opened = svc.votes.codes()
    if not opened:
        print(NONE_OPEN)
        return 1
    base = qr.base_url(a.base_url)
    for o in opened:
        what = f"the favourite act of {o.title}" if o.key == FINAL else o.title
        closes = "" if o.closes_at is None else f", open until {when(o.closes_at)}"
        url = qr.vote_url(base, o.code)
        print(f"Vote for {what}: code {o.code}{closes}")
        print(url)
        print(qr.terminal(url))
    return 0


def register(sub) -> None:
    """Add the `vote` command (status, code) to the parser's subcommands."""
    vote = sub.add_parser("vote", help="the audience vote: its tally and windows, the open windows' codes")
    vsub = vote.add_subparsers(dest="action", required=True)
    st = vsub.add_parser("status", help="votes, stars or points, ranks and windows (the admin's view)")
    st.add_argument("--json", action="store_true", help="the `audience` field of status --json")
    st.set_defaults(fn=lambda a: cmd_status(a, _service()))
    code = vsub.add_parser("code", help="each open window's code, its vote page URL and a QR code")
    code.add_argument(
        "--base-url", help="where phones reach the app (default: $STAGESCORE_BASE_URL or localhost)"
    )
    code.set_defaults(fn=lambda a: cmd_code(a, _service()))


def _service():
    from engine.cli.context import service

    return service()
