"""The simulated clients stand for phones, browsers and projectors that run on devices of their own at a
venue; on a bench machine they share the server's cores. They run at a lower CPU priority (nice
CLIENT_NICE; Chromium SCHED_IDLE) so that work that would not be on the server's machine does not slow
its processes (web, engine, DynamoDB Local, nginx) — the Chromium pages alone took 1.0-1.7 of the two
cores for a second while one loaded (bench/votes.py, 2026-12-07). A starved client still times what it
sees, so a figure it reports can only be worse for it, never better.

Linux groups processes by session for the scheduler (autogroup, on by default): the CPU is shared fairly
between the groups first, and a nice value or SCHED_IDLE only orders processes within their group. The
server's processes each start a session of their own (tests/support/processes.py) and Playwright starts
Chromium in one of its own, so a client's group competed with the web server's as an equal: Chromium
took a whole core for a second after a page opened, SCHED_IDLE notwithstanding, and the web process's
event loop ran 50-216 ms late meanwhile (measured 2026-12-07 with /proc sampled every 0.1 s). So each
client process also starts a session of its own and sets its group's nice value (`/proc/self/autogroup`)."""

from __future__ import annotations

import os
import shutil
import tempfile
from functools import cache
from pathlib import Path

from tests.support.browser import CHROMIUM

CLIENT_NICE = 10


def as_a_device() -> None:
    """This process (a worker of simulated clients) yields the CPU to the server's processes: in a session
    (scheduler group) of its own, niced, and niced itself where there are no such groups."""
    try:
        os.setsid()
    except OSError:  # already a session's leader
        pass
    nice_group(CLIENT_NICE)
    try:
        os.nice(CLIENT_NICE)
    except OSError:  # not permitted here: the figures are taken at the same priority, as before
        pass


def nice_group(value: int) -> None:
    """The nice value of this process's scheduler group (its session's autogroup), where Linux has them."""
    try:
        Path("/proc/self/autogroup").write_text(str(value))
    except OSError:  # no autogroups (or not permitted): the process's own nice value still applies
        pass


@cache
def chromium() -> str:
    """An executable that starts Debian's Chromium at a priority below the server's, for Playwright's
    `executable_path`: SCHED_IDLE (chrt), which its every process inherits — a nice value does not hold, as
    Chromium sets its own threads' nice values (to -8 and 0, as root) - in a scheduler group niced to 19.
    Chromium as it is without chrt."""
    chrt = shutil.which("chrt")
    if chrt is None:
        return CHROMIUM
    path = Path(tempfile.mkdtemp(prefix="stagescore-chromium-")) / "chromium"
    # Playwright starts the browser as a session's leader: that session's scheduler group niced to the
    # lowest priority (only if it is the browser's own: never the caller's).
    leader = '[ "$(cut -d" " -f6 /proc/$$/stat)" = "$$" ]'  # the session's id (stat's 6th field) is ours
    group = f"if {leader}; then echo 19 > /proc/self/autogroup; fi 2>/dev/null"
    path.write_text(f'#!/bin/sh\n{group}\nexec {chrt} --idle 0 {CHROMIUM} "$@"\n')
    path.chmod(0o755)
    return str(path)
