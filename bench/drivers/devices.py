"""The simulated clients stand for phones, browsers and projectors that run on devices of their own at a
venue; on a bench machine they share the server's cores. They run at a lower CPU priority (nice
CLIENT_NICE; Chromium SCHED_IDLE) so that work that would not be on the server's machine does not slow
its processes (web, engine, DynamoDB Local, nginx) — the Chromium pages alone took 1.0-1.7 of the two
cores for a second while one loaded (bench/votes.py, 2026-12-07). A starved client still times what it
sees, so a figure it reports can only be worse for it, never better."""

from __future__ import annotations

import os
import shutil
import tempfile
from functools import cache
from pathlib import Path

from tests.support.browser import CHROMIUM

CLIENT_NICE = 10


def as_a_device() -> None:
    """This process (a worker of simulated clients) yields the CPU to the server's processes."""
    try:
        os.nice(CLIENT_NICE)
    except OSError:  # not permitted here: the figures are taken at the same priority, as before
        pass


@cache
def chromium() -> str:
    """An executable that starts Debian's Chromium at a priority below the server's, for Playwright's
    `executable_path`: SCHED_IDLE (chrt), which its every process inherits — a nice value does not hold, as
    Chromium sets its own threads' nice values (to -8 and 0, as root). Chromium as it is without chrt."""
    chrt = shutil.which("chrt")
    if chrt is None:
        return CHROMIUM
    path = Path(tempfile.mkdtemp(prefix="stagescore-chromium-")) / "chromium"
    path.write_text(f'#!/bin/sh\nexec {chrt} --idle 0 {CHROMIUM} "$@"\n')
    path.chmod(0o755)
    return str(path)
