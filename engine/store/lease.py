"""The engine lease: one item saying which engine process may write timer transitions, until when."""

from __future__ import annotations

from decimal import Decimal

from engine.codec import to_decimal
from engine.store.client import Client, ConditionFailed, to_key
from engine.store.schema import LEASE, TableNames


class Lease:
    def __init__(self, client: Client, tables: TableNames):
        self.client = client
        self.table = tables.status

    def _update(self, update: str, condition: str, values: dict) -> bool:
        """A conditional update of the lease item; False when the condition does not hold."""
        try:
            self.client.call(
                "update_item",
                TableName=self.table,
                Key=to_key(pk=LEASE, sk=LEASE),
                UpdateExpression=update,
                ConditionExpression=condition,
                ExpressionAttributeNames={"#o": "owner"},
                ExpressionAttributeValues=to_key(**values),
            )
            return True
        except ConditionFailed:
            return False

    def acquire(self, owner: str, now: float, seconds: float) -> bool:
        """Take the lease if it is free, expired or already ours."""
        return self._update(
            "SET #o = :me, expires = :exp, event_id = :e ADD fencing :one",
            "attribute_not_exists(pk) OR expires < :now OR #o = :me",
            {":me": owner, ":exp": to_decimal(now + seconds), ":now": to_decimal(now), ":one": 1, ":e": "*"},
        )

    def renew(self, owner: str, now: float, seconds: float) -> bool:
        return self._update(
            "SET expires = :exp",
            "#o = :me AND expires > :now",
            {":me": owner, ":exp": to_decimal(now + seconds), ":now": to_decimal(now)},
        )

    def release(self, owner: str) -> None:
        self._update("SET expires = :zero", "#o = :me", {":me": owner, ":zero": Decimal(0)})

    def current(self) -> dict | None:
        """The lease item (owner, expires, fencing), or None before any engine ran."""
        return self.client.get(self.table, {"pk": LEASE, "sk": LEASE})
