"""Cheap probes against a running server: /healthz and /metrics read no DynamoDB per call (they answer
from the live feed's last tick), and /metrics wants its bearer token when STAGESCORE_METRICS_TOKEN is set.
Requests are counted by the server's own figures (stagescore_db_request_seconds_count, every DynamoDB
call of the process), read with the token."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.security.conftest import serve

TOKEN = "probe-token-0123456789abcdef"
CALLS = 100
FEED_PER_SECOND = 25  # the feed's own reads: about 4 ticks a second of a few requests each, with margin


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def requests_so_far(url: str) -> float:
    status, text = get(url + "/metrics", {"Authorization": f"Bearer {TOKEN}"})
    assert status == 200, text
    families = {f.name: f for f in text_string_to_metric_families(text)}
    samples = families["stagescore_db_request_seconds"].samples
    return sum(s.value for s in samples if s.name.endswith("_count"))


@pytest.fixture(scope="module")
def server(dynamodb_endpoint):
    yield from serve("secprobe", {"STAGESCORE_METRICS_TOKEN": TOKEN})


def _cost(url: str, path: str, headers: dict[str, str] | None = None) -> tuple[float, float]:
    """(DynamoDB requests the server made while CALLS probes were answered, seconds they took)."""
    assert get(url + path, headers)[0] == 200  # the feed has read once: nothing is waiting to start
    before, t0 = requests_so_far(url), time.monotonic()
    for _ in range(CALLS):
        assert get(url + path, headers)[0] == 200
    elapsed = time.monotonic() - t0
    return requests_so_far(url) - before, elapsed


@pytest.mark.parametrize("path", ["/healthz", "/metrics"])
def test_a_probe_reads_no_dynamodb(server, path):
    made, elapsed = _cost(server.url, path, {"Authorization": f"Bearer {TOKEN}"})
    print(f"\n{CALLS} calls of {path} in {elapsed:.2f} s: the server made {made:.0f} DynamoDB requests")
    # Before: about 3 (healthz) and 6 (metrics) requests a call, 300 and 600 here.
    assert made <= FEED_PER_SECOND * elapsed + 5 and made < CALLS / 4


def test_healthz_answers_from_a_fresh_reading(server):
    status, body = get(server.url + "/healthz")
    h = json.loads(body)
    assert status == 200 and h["database"] == "ok"
    assert 0 <= h["reading_age_seconds"] <= 1.0


def test_healthz_has_a_resting_feed_read_afresh(server):
    """Nobody watches this server's stage, so its feed reads every 5 s (ui/live/hub.py); a probe finding
    the reading over half a second old has it read once, and answers from that."""
    ages = []
    for _ in range(3):
        time.sleep(1.2)
        status, body = get(server.url + "/healthz")
        assert status == 200, body
        ages.append(json.loads(body)["reading_age_seconds"])
    assert max(ages) <= 0.5, ages


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer "],
    ids=["none", "wrong", "basic", "longer", "empty"],
)
def test_metrics_without_the_right_bearer_token_is_refused(server, authorization):
    status, body = get(server.url + "/metrics", {"Authorization": authorization} if authorization else {})
    assert status == 401 and "stagescore_" not in body
    assert body.strip() == "This server's metrics need `Authorization: Bearer <STAGESCORE_METRICS_TOKEN>`."


def test_metrics_with_the_token_answers(server):
    status, body = get(server.url + "/metrics", {"Authorization": f"Bearer {TOKEN}"})
    assert status == 200 and "stagescore_feed_reading_age_seconds" in body
