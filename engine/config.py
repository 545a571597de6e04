"""Configuration, read from the environment in one place, with local defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass

PREFIX_SETTING = "STAGESCORE_TABLE_PREFIX"


@dataclass(frozen=True)
class Config:
    table_prefix: str = ""
    endpoint_url: str | None = None
    region: str = "us-east-1"
    connect_timeout: float = 1.0
    read_timeout: float = 2.0
    max_attempts: int = 3
    lease_seconds: float = 3.0
    lease_renew_seconds: float = 0.5
    presence_seconds: float = 5.0
    poll_seconds: float = 0.2
    session_hours: float = 12.0

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Config:
        env = dict(os.environ if env is None else env)
        return cls(
            table_prefix=env.get(PREFIX_SETTING, ""),
            endpoint_url=env.get("AWS_ENDPOINT_URL_DYNAMODB") or env.get("AWS_ENDPOINT_URL") or None,
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
            connect_timeout=float(env.get("STAGESCORE_DB_CONNECT_TIMEOUT", "1.0")),
            read_timeout=float(env.get("STAGESCORE_DB_READ_TIMEOUT", "2.0")),
            max_attempts=int(env.get("STAGESCORE_DB_MAX_ATTEMPTS", "3")),
            lease_seconds=float(env.get("STAGESCORE_LEASE_SECONDS", "3.0")),
            lease_renew_seconds=float(env.get("STAGESCORE_LEASE_RENEW_SECONDS", "0.5")),
            presence_seconds=float(env.get("STAGESCORE_PRESENCE_SECONDS", "5.0")),
            poll_seconds=float(env.get("STAGESCORE_POLL_SECONDS", "0.2")),
            session_hours=float(env.get("STAGESCORE_SESSION_HOURS", "12")),
        )
