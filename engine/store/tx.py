"""A transaction as a list of named operations, committed once (after PynamoDB's transactions.py).

DynamoDB returns a cancelled transaction's CancellationReasons in the order of its TransactItems, one
per operation ("None" for those that were fine). `commit` relies on that order to pair each reason
with the name its operation was given, so callers ask `cancelled.failed("window")` rather than
indexing the reasons.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from engine.domain.model import Conflict
from engine.store.client import Client, TransactionCancelled, to_item, to_key

MAX_ITEMS = 100  # DynamoDB's limit of operations in one TransactWriteItems


@dataclass(frozen=True)
class Op:
    """One named TransactItem: `kind` is Put, Update, ConditionCheck or Delete."""

    name: str
    kind: str
    body: dict


def _body(table: str, condition: str | None, values: dict | None, names: dict | None, **rest) -> dict:
    body = {"TableName": table, **rest}
    if condition:
        body["ConditionExpression"] = condition
    if values:
        body["ExpressionAttributeValues"] = to_key(**values)
    if names:
        body["ExpressionAttributeNames"] = names
    return body


def put(name: str, table: str, item: dict, condition=None, values=None, names=None) -> Op:
    return Op(name, "Put", _body(table, condition, values, names, Item=to_item(item)))


def update(name: str, table: str, key: dict, expression: str, condition=None, values=None, names=None) -> Op:
    body = _body(table, condition, values, names, Key=to_key(**key), UpdateExpression=expression)
    return Op(name, "Update", body)


def condition_check(name: str, table: str, key: dict, condition: str, values=None, names=None) -> Op:
    return Op(name, "ConditionCheck", _body(table, condition, values, names, Key=to_key(**key)))


def delete(name: str, table: str, key: dict, condition=None, values=None, names=None) -> Op:
    return Op(name, "Delete", _body(table, condition, values, names, Key=to_key(**key)))


class Cancelled(Conflict):
    """A transaction was cancelled; the reason of each operation is read by the operation's name."""

    def __init__(self, reasons: dict[str, str], items: dict[str, dict | None]):
        failing = [f"{name}: {code}" for name, code in reasons.items() if code != "None"]
        super().__init__("The transaction was cancelled (" + ", ".join(failing) + ").")
        self.reasons = reasons
        self.items = items

    def failed(self, name: str) -> bool:
        """True when the operation called `name` had its condition fail."""
        return self.reasons.get(name) == "ConditionalCheckFailed"


class Transaction:
    def __init__(self, client: Client, ops: Iterable[Op] = ()):
        self.client = client
        self.ops: list[Op] = []
        self.add(*ops)

    def add(self, *ops: Op) -> Transaction:
        taken = {op.name for op in self.ops}
        for op in ops:
            if op.name in taken:
                raise ValueError(f"two operations named {op.name!r} in one transaction")
            taken.add(op.name)
            self.ops.append(op)
        return self

    def __len__(self) -> int:
        return len(self.ops)

    def commit(self) -> None:
        """Write every operation or none; raises Cancelled (a Conflict) naming what failed."""
        if len(self.ops) > MAX_ITEMS:
            raise ValueError(f"{len(self.ops)} operations exceed DynamoDB's {MAX_ITEMS} per transaction")
        try:
            self.client.call("transact_write_items", TransactItems=[{op.kind: op.body} for op in self.ops])
        except TransactionCancelled as e:
            # Reasons come back in the operations' order (see the module docstring).
            names = [op.name for op in self.ops]
            raise Cancelled(
                dict(zip(names, e.codes, strict=False)), dict(zip(names, e.items, strict=False))
            ) from e


def returning_old(op: Op) -> Op:
    """The same operation, asking DynamoDB to return the item as it was when its condition fails, so a
    caller learns the current item from the refusal instead of reading it before writing."""
    return Op(op.name, op.kind, {**op.body, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"})
