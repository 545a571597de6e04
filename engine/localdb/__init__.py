"""AWS's DynamoDB Local, the embedded default database: fetched by `install`, served by `server`.
Imports engine.domain.model (its errors) and the standard library; no boto3."""

from engine.domain.model import StagescoreError
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
