"""AWS's DynamoDB Local, the embedded default database: fetched by `install`, served by `server`."""

from engine.localdb.install import INSTALL_DIR, ensure_installed, is_installed
from engine.localdb.server import (
    command,
    endpoint_url,
    free_port,
    port_in_use,
    run_foreground,
    start,
    stop,
    wait_until_up,
)
from engine.model import StagescoreError

__all__ = [
    "INSTALL_DIR",
    "StagescoreError",
    "command",
    "endpoint_url",
    "ensure_installed",
    "free_port",
    "is_installed",
    "port_in_use",
    "run_foreground",
    "start",
    "stop",
    "wait_until_up",
]
