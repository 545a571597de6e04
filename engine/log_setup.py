"""One logging setup for every Stagescore process (engine, web, CLI). No streamlit here.

STAGESCORE_LOG_FORMAT=json makes each record one JSON line on stderr:
  {"time": "2026-05-01T20:15:03.120Z", "level": "INFO", "process": "engine", "event_id": "ev-…",
   "logger": "stagescore.engine", "message": "…", "fields": {…}}
`fields` carries what a caller passed as `extra={"fields": {...}}`. A metrics record (engine/metrics.py)
also carries CloudWatch Embedded Metric Format keys (`_aws` and the values) at the top level of its line,
so the CloudWatch agent or a log driver turns the same lines into metrics. Anything else (unset, "text")
keeps the plain text lines operators read in a terminal.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from typing import IO

FORMAT_ENV = "STAGESCORE_LOG_FORMAT"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(message)s"
# Loggers that libraries give handlers of their own: in JSON mode their records go through ours instead.
LIBRARY_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi", "websockets", "botocore")

_state = {"process": os.path.basename(sys.argv[0] or "python"), "event_id": None}


def json_wanted(env: dict[str, str] | None = None) -> bool:
    return (os.environ if env is None else env).get(FORMAT_ENV, "").strip().lower() == "json"


def process_name() -> str:
    return str(_state["process"])


def set_event_id(event_id: str | None) -> None:
    """The event this process works on, stamped on every line that does not name its own."""
    _state["event_id"] = event_id


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = dict(getattr(record, "fields", None) or {})
        if record.exc_info:
            fields["exception"] = self.formatException(record.exc_info)
        doc = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "process": process_name(),
            "event_id": getattr(record, "event_id", None) or _state["event_id"],
            "logger": record.name,
            "message": record.getMessage(),
            "fields": fields,
        }
        emf = getattr(record, "emf", None)
        if emf:
            doc.update(emf)  # EMF wants `_aws` and the metric values at the top level of the object
        return json.dumps(doc, default=str, separators=(",", ":"))


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = getattr(record, "fields", None)
        return f"{line} {json.dumps(fields, default=str)}" if fields else line


def handler(stream: IO[str] | None = None) -> logging.Handler:
    """A handler writing this process's format (JSON or text) to `stream` (stderr)."""
    h = logging.StreamHandler(stream or sys.stderr)
    h.setFormatter(JsonFormatter() if json_wanted() else TextFormatter())
    h._stagescore = True  # type: ignore[attr-defined]  # so a second setup replaces, not adds
    return h


def setup(process: str, level: int = logging.INFO) -> None:
    """Configure the root logger for `process` ("engine", "web", "cli"); idempotent."""
    _state["process"] = process
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, "_stagescore", False):
            root.removeHandler(h)
    root.addHandler(handler())
    root.setLevel(level)
    if json_wanted():
        for name in LIBRARY_LOGGERS:
            lib = logging.getLogger(name)
            for h in list(lib.handlers):
                lib.removeHandler(h)
            lib.propagate = True
    logging.getLogger("botocore").setLevel(logging.WARNING)
