"""The rolling window behind "database latency over the last minute" and the CloudWatch EMF documents."""

from __future__ import annotations

import json

import pytest

from engine.domain.model import Conflict, DatabaseUnavailable, InvalidInput, NotAllowed, ScoreRefused
from engine.metrics import Window, emf_document, outcome_of


def test_an_empty_window_has_no_figures():
    s = Window(60).summary(now=100.0)
    assert s.count == 0 and s.p50 is None and s.p95 is None and s.max is None


def test_the_window_forgets_values_older_than_its_length():
    w = Window(60)
    w.add(5.0, now=0.0)
    w.add(1.0, now=30.0)
    w.add(3.0, now=61.0)
    s = w.summary(now=61.0)
    assert s.count == 2 and s.max == 3.0


def test_percentiles_are_nearest_rank():
    w = Window(60)
    for i, v in enumerate([10.0, 1.0, 9.0, 2.0, 8.0, 3.0, 7.0, 4.0, 6.0, 5.0]):
        w.add(v, now=float(i))
    s = w.summary(now=10.0)
    assert s.p50 == 5.0 and s.p95 == 10.0 and s.max == 10.0 and s.count == 10


def test_a_full_window_keeps_the_newest_values_only():
    w = Window(60, limit=3)
    for v in (1.0, 2.0, 3.0, 4.0):
        w.add(v, now=1.0)
    assert w.summary(now=1.0).count == 3 and w.summary(now=1.0).max == 4.0


def test_an_emf_document_declares_each_metric_with_its_unit_and_dimensions():
    doc = emf_document(
        "Stagescore", {"process": "engine"}, {"TransitionLateness": (12.5, "Milliseconds")}, 1_700_000_000_123
    )
    json.dumps(doc)  # it must be a plain JSON object
    aws = doc["_aws"]
    assert aws["Timestamp"] == 1_700_000_000_123
    (directive,) = aws["CloudWatchMetrics"]
    assert directive["Namespace"] == "Stagescore"
    assert directive["Dimensions"] == [["process"]]
    assert directive["Metrics"] == [{"Name": "TransitionLateness", "Unit": "Milliseconds"}]
    assert doc["process"] == "engine" and doc["TransitionLateness"] == 12.5


def test_an_emf_document_leaves_out_metrics_without_a_value():
    doc = emf_document("Stagescore", {"process": "web"}, {"A": (None, "Count"), "B": (2, "Count")}, 1)
    assert [m["Name"] for m in doc["_aws"]["CloudWatchMetrics"][0]["Metrics"]] == ["B"]
    assert "A" not in doc


def test_an_emf_document_refuses_a_unit_cloudwatch_does_not_know():
    with pytest.raises(ValueError, match="unit"):
        emf_document("Stagescore", {}, {"A": (1, "Furlongs")}, 1)


@pytest.mark.parametrize(
    "exc, outcome",
    [
        (None, "accepted"),
        (ScoreRefused("closed"), "refused"),
        (InvalidInput("bad"), "invalid"),
        (NotAllowed("who"), "not_allowed"),
        (Conflict("race"), "error"),
        (DatabaseUnavailable("down"), "error"),
    ],
)
def test_a_submission_outcome_is_named_from_what_it_raised(exc, outcome):
    assert outcome_of(exc) == outcome
