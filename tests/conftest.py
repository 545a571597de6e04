"""Shared fixtures: one in-memory DynamoDB Local per test session, and a table prefix per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from engine import localdb
from engine.model import StagescoreError


@pytest.fixture(scope="session")
def dynamodb_endpoint() -> Iterator[str]:
    """URL of a DynamoDB Local started for this session; the AWS_* variables point at it meanwhile.

    Missing Java or npm fails the tests that need it, loudly: CI must never skip them silently.
    """
    problem = None
    try:
        localdb.ensure_installed(quiet=True)
        port = localdb.free_port()
        proc = localdb.start(port, in_memory=True)
    except StagescoreError as e:
        problem = str(e)
    if problem:
        pytest.fail(problem, pytrace=False)
    url = localdb.endpoint_url(port)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AWS_ENDPOINT_URL_DYNAMODB", url)
        mp.setenv("AWS_ACCESS_KEY_ID", "local")
        mp.setenv("AWS_SECRET_ACCESS_KEY", "local")
        mp.setenv("AWS_REGION", "us-east-1")
        mp.setenv("AWS_DEFAULT_REGION", "us-east-1")
        # A developer's own profile or session token must not leak into requests to the local server.
        mp.delenv("AWS_PROFILE", raising=False)
        mp.delenv("AWS_SESSION_TOKEN", raising=False)
        try:
            yield url
        finally:
            localdb.stop(proc)


@pytest.fixture
def table_prefix() -> str:
    """A prefix no other test uses, so tests can share one DynamoDB Local without seeing each other."""
    return f"t{uuid.uuid4().hex[:8]}_"
