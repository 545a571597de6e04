"""Running it for real: /healthz, /metrics, `status --json` and the JSON log lines with their EMF metrics,
from real processes (engine, web server, CLI) on DynamoDB Local. No AWS."""

from __future__ import annotations

import json
import logging
import signal
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from engine import metrics
from engine.domain.model import Command, CommandKind, ScoreRefused
from tests.support.events import seed_event
from tests.support.stack import Stack, fresh_prefix
from tests.support.waiting import wait_for
from ui import ops

pytestmark = [pytest.mark.integration, pytest.mark.slow]
PASSWORD = "ops-Password-42"
JSON_ENV = {
    "STAGESCORE_LOG_FORMAT": "json",
    "STAGESCORE_METRICS_SECONDS": "1",
    "STAGESCORE_LEASE_SECONDS": "3",
}
LINE_KEYS = {"time", "level", "process", "event_id", "message", "fields"}


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def json_lines(path: Path) -> list[dict]:
    """Every line of a log, parsed; a line that is not a JSON object fails the test."""
    out = []
    for line in path.read_text().splitlines():
        if line.strip():
            doc = json.loads(line)
            assert isinstance(doc, dict) and LINE_KEYS <= doc.keys(), line
            out.append(doc)
    return out


def emf(lines: list[dict], metric: str) -> list[dict]:
    found = []
    for d in lines:
        for directive in d.get("_aws", {}).get("CloudWatchMetrics", []):
            if metric in [m["Name"] for m in directive["Metrics"]]:
                found.append(d)
    return found


@pytest.fixture(scope="module")
def stack(dynamodb_endpoint, tmp_path_factory):
    log_dir = tmp_path_factory.mktemp("ops-logs")
    with Stack(fresh_prefix("ops"), log_dir, env=None, password=PASSWORD) as s:
        s.env.update(JSON_ENV)
        s.cli("init", "--wait", "30")
        s.cli(
            "demo",
            "--password",
            PASSWORD,
            "--perform-seconds",
            "1",
            "--score-seconds",
            "1",
            "--performers",
            "2",
        )
        s.start_engine()
        s.start_web()
        yield s


def test_healthz_says_the_database_answers_and_who_holds_the_lease(stack):
    asked = time.time()
    status, body = get(stack.url + "/healthz")
    h = json.loads(body)
    lease = stack.store().lease.current()
    assert status == 200 and h["database"] == "ok"
    assert h["engine_owner"] == lease["owner"] and h["engine_healthy"] is True
    assert h["engine_lease_expires"] > asked  # the lease it read was live when we asked


def test_status_json_has_the_engine_fields(stack):
    asked = time.time()  # the lease read by the command was live then (a loaded machine's CLI takes a second)
    d = stack.status()
    assert d["engine_owner"] == stack.store().lease.current()["owner"]
    assert d["engine_healthy"] is True and d["engine_lease_expires"] > asked


def test_the_metrics_route_speaks_prometheus_with_the_figures(stack):
    status, text = get(stack.url + "/metrics")
    assert status == 200
    families = {f.name: f for f in text_string_to_metric_families(text)}
    for name in (
        "stagescore_db_request_seconds",
        "stagescore_db_errors",
        "stagescore_score_submit_seconds",
        "stagescore_score_submissions",
        "stagescore_transition_lateness_seconds",
        "stagescore_judges_present",
        "stagescore_viewers_connected",
        "stagescore_engine_healthy",
    ):
        assert name in families, name
    requests = sum(
        s.value for s in families["stagescore_db_request_seconds"].samples if s.name.endswith("_count")
    )
    assert requests > 0  # the live feed read the event: this server's calls are counted
    assert [s.value for s in families["stagescore_engine_healthy"].samples] == [1.0]


def test_the_engine_logs_json_lines_with_transition_lateness_as_emf(stack):
    stack.cli("control", "start", "--force")
    engine_log = Path(stack.procs[0].log_path)

    def lateness():
        return emf(json_lines(engine_log), "TransitionLateness")

    found = wait_for(lateness, 20, "a TransitionLateness EMF line in the engine's log")
    line = found[0]
    assert line["process"] == "engine" and line["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "Stagescore"
    assert line["event_id"] == stack.status()["event_id"]
    assert isinstance(line["TransitionLateness"], float | int) and line["TransitionLateness"] >= 0
    minute = wait_for(lambda: emf(json_lines(engine_log), "JudgesPresent"), 10, "the engine's minute line")
    assert "DatabaseLatencyP95" in minute[0] and minute[0]["DatabaseRequests"] > 0


def test_the_web_server_logs_only_json_lines_and_its_viewer_metric(stack):
    web_log = Path(stack.web.log_path)
    found = wait_for(lambda: emf(json_lines(web_log), "ViewersConnected"), 10, "the web server's minute line")
    assert found[0]["process"] == "web"
    assert any(d["logger"] == "stagescore.web" and "starting" in d["message"] for d in json_lines(web_log))


def test_the_cli_says_its_refusal_as_a_json_line(stack):
    res = stack.cli("control", "resume", check=False)
    assert res.returncode == 2
    (line,) = [json.loads(x) for x in res.stderr.splitlines() if x.strip()]
    assert line["process"] == "cli" and line["level"] == "ERROR" and line["message"]


def test_healthz_and_the_desk_see_a_killed_engine_within_two_seconds(stack):
    engine = stack.procs[0]
    engine.send_signal(signal.SIGKILL)
    killed = time.monotonic()
    wait_for(
        lambda: json.loads(get(stack.url + "/healthz")[1])["engine_healthy"] is False,
        5,
        "the engine seen gone",
    )
    assert time.monotonic() - killed < 2.0
    h = json.loads(get(stack.url + "/healthz")[1])
    assert h["engine_problem"] == "The timer engine is not running: start `python -m engine run`."


def test_healthz_is_503_with_a_sentence_when_the_database_does_not_answer(stack, tmp_path):
    with Stack(stack.prefix, tmp_path) as other:
        other.env.update(stack.env)
        other.env["AWS_ENDPOINT_URL_DYNAMODB"] = "http://127.0.0.1:9"  # nothing listens on the discard port
        other.start_web()
        status, body = get(other.url + "/healthz")
    assert status == 503
    assert json.loads(body) == {"database": "unreachable", "message": ops.UNREACHABLE}


def test_a_submission_is_timed_and_counted_with_its_outcome(svc, caplog):
    tokens = seed_event(svc)
    before = metrics.SUBMISSIONS.labels("refused")._value.get()
    caplog.set_level(logging.INFO, logger="stagescore.metrics")
    values = {c.name: str(c.max) for c in svc.bundle().settings.criteria}
    with pytest.raises(ScoreRefused):  # the event is in the lobby: no window is open
        svc.submit_score(tokens["judge1@test.local"], svc.bundle().state.order[0], values)
    assert metrics.SUBMISSIONS.labels("refused")._value.get() == before + 1
    (record,) = [r for r in caplog.records if r.getMessage().startswith("score submission")]
    assert record.emf["ScoreRefused"] == 1 and record.emf["ScoreSubmitLatency"] >= 0
    svc.command(tokens["admin@test.local"], Command(CommandKind.START, force=True))
