"""The one module that talks to boto3: the client, the call wrapper that maps every error, the
(de)serialisation helpers and the one retry policy every retrying loop follows.

How a botocore error reaches the rest of Stagescore:
  throttling, timeouts, 5xx, connection errors   -> DatabaseUnavailable (try again later)
  ConditionalCheckFailedException                -> ConditionFailed (a Conflict), old item attached
  TransactionCanceledException                   -> TransactionCancelled (a Conflict), reasons attached
  ResourceNotFoundException                      -> StagescoreError: run `python -m engine init`
  anything else                                  -> StoreError, logged with its AWS error code
"""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Collection, Iterator
from dataclasses import dataclass

import boto3
import botocore.session
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from engine import metrics
from engine.config import Config
from engine.domain.messages import N_
from engine.domain.model import UNREACHABLE, Conflict, DatabaseUnavailable, StagescoreError

log = logging.getLogger("stagescore.store")

TRANSIENT_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
    }
)
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


class StoreError(StagescoreError):
    """DynamoDB refused a request for a reason that waiting will not fix (a bug or a misconfiguration)."""

    def __init__(self, message: str, code: str = ""):
        super().__init__(message)
        self.code = code


class ConditionFailed(Conflict):
    """A conditional write's condition did not hold; `old_item` is the item as it was, when asked for."""

    def __init__(self, message: str, old_item: dict | None = None):
        super().__init__(message)
        self.old_item = old_item


class TransactionCancelled(Conflict):
    """A transaction was cancelled; `codes` and `items` come in the order of its operations."""

    def __init__(self, codes: list[str], items: list[dict | None]):
        super().__init__("The transaction was cancelled: " + ", ".join(codes))
        self.codes = codes
        self.items = items


def to_item(values: dict) -> dict:
    """Plain values to DynamoDB attribute values; None means "no attribute"."""
    return {k: _serializer.serialize(v) for k, v in values.items() if v is not None}


def from_item(item: dict) -> dict:
    return {k: _deserializer.deserialize(v) for k, v in item.items()}


def to_key(**values) -> dict:
    """Attribute values for a key or an ExpressionAttributeValues map."""
    return {k: _serializer.serialize(v) for k, v in values.items()}


# One retry policy for every loop that tries again after losing a race or being throttled.
RETRY_ATTEMPTS = 10
RETRY_FIRST_DELAY = 0.005  # seconds; doubles each attempt, with full jitter
RETRY_MAX_DELAY = 0.2


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = RETRY_ATTEMPTS
    first_delay: float = RETRY_FIRST_DELAY
    max_delay: float = RETRY_MAX_DELAY

    def tries(self) -> Iterator[int]:
        """Attempt numbers 0, 1, …; sleeps (jittered backoff) before every attempt but the first.
        Break or return out of the loop on success; falling off its end means every attempt failed."""
        for attempt in range(self.attempts):
            if attempt:
                time.sleep(random.uniform(0, min(self.max_delay, self.first_delay * 2**attempt)))
            yield attempt


RETRY = RetryPolicy()


@functools.cache
def _model_loader():
    """botocore's loader of the service model files, shared by every client this process makes: reading
    and parsing them was most of making a client (138 ms each, 18 ms with it shared), and the tests and
    the benchmarks make many (a Store per test, per service a test asks a stack for). Credentials and
    everything else stay each session's own."""
    return botocore.session.get_session().get_component("data_loader")


def make_boto_client(config: Config):
    """One client per process; botocore clients are thread-safe."""
    session = botocore.session.get_session()
    session.register_component("data_loader", _model_loader())
    boto_cfg = BotoConfig(
        retries={"mode": "standard", "max_attempts": config.max_attempts},
        connect_timeout=config.connect_timeout,
        read_timeout=config.read_timeout,
        max_pool_connections=64,
    )
    return boto3.session.Session(botocore_session=session).client(
        "dynamodb", region_name=config.region, endpoint_url=config.endpoint_url, config=boto_cfg
    )


def _code(err: ClientError) -> str:
    return err.response.get("Error", {}).get("Code", "")


class Client:
    """The botocore client (`boto`, injectable) behind one call wrapper."""

    def __init__(self, config: Config, boto=None):
        self.boto = boto or make_boto_client(config)

    def call(self, operation: str, /, tolerate: Collection[str] = (), **kwargs) -> dict:
        """Call a DynamoDB operation, mapping every error (see the module docstring). An error whose
        code is in `tolerate` is expected by the caller: it returns {} instead. Each call's latency and
        failure go to engine/metrics.py (a lost race, ConditionFailed, is an answer, not a failure)."""
        t0 = time.perf_counter()
        try:
            out = getattr(self.boto, operation)(**kwargs)
            metrics.record_db(operation, time.perf_counter() - t0)
            return out
        except ClientError as e:
            code = _code(e)
            if code in tolerate:
                metrics.record_db(operation, time.perf_counter() - t0)
                return {}
            mapped = _mapped(operation, code, e)
            failed = None if isinstance(mapped, Conflict) else mapped
            metrics.record_db(operation, time.perf_counter() - t0, failed)
            raise mapped from e
        except NoCredentialsError as e:
            raise StagescoreError(
                N_(
                    "No AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (any "
                    "value for "
                    "DynamoDB Local), or configure the AWS credential chain."
                )
            ) from e
        except BotoCoreError as e:
            metrics.record_db(operation, time.perf_counter() - t0, DatabaseUnavailable(UNREACHABLE))
            raise DatabaseUnavailable(UNREACHABLE) from e

    def watch(self, seen) -> None:
        """Measurement (bench/event_cost.py): ask DynamoDB for the capacity each request consumes and call
        seen(operation, [ConsumedCapacity, ...]) after every request this client makes (botocore events)."""

        def ask(params, model, **_):
            if "ReturnConsumedCapacity" in model.input_shape.members:
                params.setdefault("ReturnConsumedCapacity", "TOTAL")

        def answered(parsed, model, **_):
            cc = parsed.get("ConsumedCapacity")
            seen(model.name, cc if isinstance(cc, list) else [cc] if cc else [])

        self.boto.meta.events.register("provide-client-params.dynamodb", ask)
        self.boto.meta.events.register("after-call.dynamodb", answered)

    def get(self, table: str, key: dict, consistent: bool = True) -> dict | None:
        out = self.call("get_item", TableName=table, Key=to_key(**key), ConsistentRead=consistent)
        return from_item(out["Item"]) if "Item" in out else None

    def query_all(self, **kwargs) -> list[dict]:
        """Every item of a Query, following LastEvaluatedKey."""
        items, start = [], None
        while True:
            if start:
                kwargs["ExclusiveStartKey"] = start
            out = self.call("query", **kwargs)
            items.extend(from_item(i) for i in out.get("Items", []))
            start = out.get("LastEvaluatedKey")
            if not start:
                return items

    def batch_write(self, table: str, requests: list[dict]) -> None:
        """Put/delete requests in chunks of 25, retrying what DynamoDB left unprocessed."""
        for i in range(0, len(requests), 25):
            pending = {table: requests[i : i + 25]}
            for _ in RETRY.tries():
                pending = self.call("batch_write_item", RequestItems=pending).get("UnprocessedItems") or {}
                if not pending:
                    break
            if pending:
                raise DatabaseUnavailable(N_("The database did not accept every item; try again."))

    def batch_get(self, table: str, keys: list[dict], consistent: bool = False) -> list[dict]:
        """Items for keys, 100 per BatchGetItem, retrying what DynamoDB left unprocessed; missing keys
        are simply absent from the answer."""
        found: list[dict] = []
        for i in range(0, len(keys), 100):
            pending = {
                table: {"Keys": [to_key(**k) for k in keys[i : i + 100]], "ConsistentRead": consistent}
            }
            for _ in RETRY.tries():
                out = self.call("batch_get_item", RequestItems=pending)
                found.extend(from_item(x) for x in out.get("Responses", {}).get(table, []))
                pending = out.get("UnprocessedKeys") or {}
                if not pending:
                    break
            if pending:
                raise DatabaseUnavailable(UNREACHABLE)
        return found


def _mapped(operation: str, code: str, e: ClientError) -> StagescoreError:
    if code == "ResourceNotFoundException":
        return StagescoreError(N_("The Stagescore tables do not exist yet: run `python -m engine init`."))
    if code == "ConditionalCheckFailedException":
        old = e.response.get("Item")
        return ConditionFailed("The item changed meanwhile.", from_item(old) if old else None)
    if code == "TransactionCanceledException":
        reasons = e.response.get("CancellationReasons", [])
        return TransactionCancelled(
            [r.get("Code", "None") for r in reasons],
            [from_item(r["Item"]) if r.get("Item") else None for r in reasons],
        )
    if code in TRANSIENT_CODES or e.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) >= 500:
        return DatabaseUnavailable(UNREACHABLE)
    message = e.response.get("Error", {}).get("Message", "")
    log.error("DynamoDB refused %s: %s (%s)", operation, code or "no error code", message)
    return StoreError(f"The database refused the request ({code or 'unknown error'}); see the log.", code)
