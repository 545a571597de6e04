"""The one place that builds a Store and a Service for a process, from Config.

The CLI, the timer, the web server's routes and the pages (through ui/data.py's one st.cache_resource) all
take `service()`; nothing else writes `Service(Store(...))`. One Service per process and configuration:
the configuration is read from the environment on each call (a few microseconds), so a test that moves
STAGESCORE_TABLE_PREFIX gets a Service on its own tables, while a server, whose environment never
changes, keeps the one it built first."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable

from engine.config import Config
from engine.service.core import Service
from engine.store import Store


def build(config: Config | None = None, clock: Callable[[], float] = time.time) -> Service:
    """A new Store (one botocore client, thread-safe) and a Service over it."""
    return Service(Store(config or Config.from_env()), clock)


@functools.lru_cache(maxsize=4)
def _service_for(config: Config) -> Service:
    return build(config)


def service() -> Service:
    """This process's Service for the configuration in the environment, built on first use."""
    return _service_for(Config.from_env())


def store() -> Store:
    """This process's Store (the timer engine needs the store alone)."""
    return service().store
