"""How the store's one client maps DynamoDB's errors, and how a cancelled transaction is read by name
(botocore's Stubber answers instead of a server)."""

from __future__ import annotations

import logging

import pytest
from botocore.stub import Stubber

from engine.config import Config
from engine.domain.model import Conflict, DatabaseUnavailable, StagescoreError
from engine.store import tx
from engine.store.client import Client, ConditionFailed, RetryPolicy, StoreError


@pytest.fixture
def stubbed(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "unit")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "unit")
    client = Client(Config(endpoint_url="http://127.0.0.1:9"))
    with Stubber(client.boto) as stub:
        yield client, stub


def _get(client: Client):
    return client.get("T", {"pk": "x"})


def test_an_unknown_client_error_becomes_a_store_error_logged_with_its_code(stubbed, caplog):
    client, stub = stubbed
    stub.add_client_error("get_item", "ValidationException", "The provided key element does not match", 400)
    with caplog.at_level(logging.ERROR, logger="stagescore.store"), pytest.raises(StoreError) as info:
        _get(client)
    assert info.value.code == "ValidationException"
    assert "ValidationException" in caplog.text and "get_item" in caplog.text
    assert "unreachable" not in str(info.value).lower()
    assert not isinstance(info.value, DatabaseUnavailable)


@pytest.mark.parametrize(
    "code, status",
    [("ThrottlingException", 400), ("ProvisionedThroughputExceededException", 400), ("X", 503)],
)
def test_throttling_and_server_errors_become_database_unavailable(stubbed, code, status):
    client, stub = stubbed
    stub.add_client_error("get_item", code, "slow down", status)
    with pytest.raises(DatabaseUnavailable, match="unreachable"):
        _get(client)


def test_a_failed_condition_becomes_a_conflict_carrying_the_old_item(stubbed):
    client, stub = stubbed
    stub.add_client_error(
        "put_item",
        "ConditionalCheckFailedException",
        "The conditional request failed",
        400,
        modeled_fields={"Item": {"pk": {"S": "x"}, "version": {"N": "7"}}},
    )
    with pytest.raises(ConditionFailed) as info:
        client.call(
            "put_item", TableName="T", Item={"pk": {"S": "x"}}, ConditionExpression="attribute_not_exists(pk)"
        )
    assert isinstance(info.value, Conflict)
    assert info.value.old_item == {"pk": "x", "version": 7}


def test_a_missing_table_says_to_run_init(stubbed):
    client, stub = stubbed
    stub.add_client_error("get_item", "ResourceNotFoundException", "no table", 400)
    with pytest.raises(StagescoreError, match="python -m engine init"):
        _get(client)


def test_cancellation_reasons_are_read_by_the_operation_name(stubbed):
    client, stub = stubbed
    stub.add_client_error(
        "transact_write_items",
        "TransactionCanceledException",
        "Transaction cancelled",
        400,
        modeled_fields={
            "CancellationReasons": [{"Code": "None"}, {"Code": "ConditionalCheckFailed"}, {"Code": "None"}]
        },
    )
    transaction = tx.Transaction(
        client,
        [
            tx.condition_check("window", "T", {"pk": "e"}, "attribute_exists(pk)"),
            tx.put("score", "T", {"pk": "s"}, condition="attribute_not_exists(pk)"),
            tx.put("history", "T", {"pk": "h"}),
        ],
    )
    with pytest.raises(tx.Cancelled) as info:
        transaction.commit()
    assert info.value.failed("score")
    assert not info.value.failed("window") and not info.value.failed("history")
    assert isinstance(info.value, Conflict) and "score" in str(info.value)


def test_two_operations_of_one_transaction_cannot_share_a_name(stubbed):
    client, _ = stubbed
    with pytest.raises(ValueError, match="score"):
        tx.Transaction(client, [tx.put("score", "T", {"pk": "a"}), tx.put("score", "T", {"pk": "b"})])


def test_the_retry_policy_tries_the_given_number_of_times():
    assert list(RetryPolicy(attempts=3, first_delay=0.0).tries()) == [0, 1, 2]
