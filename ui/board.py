"""The board's JSON file: one snapshot per tick per server process, published as a static file (the
benchmarks' baseline). The board page itself follows /live/public: ui/components/board.py.

Why not a rerun per viewer per second: a Streamlit rerun costs tens of milliseconds of server CPU, so
hundreds of projector and phone viewers would saturate two cores. Serving a file costs next to nothing.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from pathlib import Path

import streamlit as st

from engine.exports import public_board
from ui.data import UNREACHABLE, service

log = logging.getLogger("stagescore.board")
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
PUBLISH_SECONDS = 0.25
POLL_MS = 400


def _file_name() -> str:
    prefix = "".join(ch for ch in os.environ.get("STAGESCORE_TABLE_PREFIX", "") if ch.isalnum() or ch in "-_")
    return f"{prefix}board.json"


def _publish_forever(svc, path: Path, stop: threading.Event) -> None:
    last: dict = {}
    while not stop.is_set():
        started = time.time()
        try:
            doc = public_board(svc.snapshot(), time.time())
            last = doc
        except Exception as e:  # keep the last good board and say the database is unreachable
            log.warning("board: %s", e)
            doc = {**last, "error": UNREACHABLE, "written_at": round(time.time(), 3)}
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")))
        os.replace(tmp, path)
        stop.wait(max(0.05, PUBLISH_SECONDS - (time.time() - started)))


class Publisher:
    """A running publisher thread and the event that ends it."""

    def __init__(self, svc, path: Path):
        self.path = path
        self.stopping = threading.Event()
        self.thread = threading.Thread(
            target=_publish_forever, args=(svc, path, self.stopping), name="board-publisher", daemon=True
        )
        self.thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self.stopping.set()
        self.thread.join(timeout)


# Clearing the resource cache (tests do, after each test) stops the thread it started.
@st.cache_resource(on_release=Publisher.stop)
def _running_publisher() -> Publisher:
    STATIC_DIR.mkdir(exist_ok=True)
    return Publisher(service(), STATIC_DIR / _file_name())


def publisher() -> str:
    """Start this process's publisher once; returns the URL path of the board JSON."""
    name = _running_publisher().path.name
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return ("/" + base if base else "") + "/app/static/" + name
