"""The engine leases: one item per stage saying which engine process may write that stage's timer
transitions, until when (engine/store/schema.py's `per_stage` keys; the main stage's is (LEASE, LEASE))."""

from __future__ import annotations

from decimal import Decimal

from engine.domain.stages import MAIN
from engine.store.client import Client, ConditionFailed, to_item, to_key
from engine.store.codec import to_decimal
from engine.store.schema import LEASE, TableNames, per_stage

ENGINE = "ENGINE#"


class Lease:
    def __init__(self, client: Client, tables: TableNames):
        self.client = client
        self.table = tables.status

    def _update(self, update: str, condition: str, values: dict, stage: str) -> bool:
        """A conditional update of the lease item; False when the condition does not hold."""
        try:
            self.client.call(
                "update_item",
                TableName=self.table,
                Key=to_key(**per_stage(LEASE, stage)),
                UpdateExpression=update,
                ConditionExpression=condition,
                ExpressionAttributeNames={"#o": "owner"},
                ExpressionAttributeValues=to_key(**values),
            )
            return True
        except ConditionFailed:
            return False

    def acquire(self, owner: str, now: float, seconds: float, stage: str = MAIN) -> bool:
        """Take the lease if it is free, expired or already ours."""
        return self._update(
            "SET #o = :me, expires = :exp, event_id = :e, renewed_at = :now ADD fencing :one",
            "attribute_not_exists(pk) OR expires < :now OR #o = :me",
            {":me": owner, ":exp": to_decimal(now + seconds), ":now": to_decimal(now), ":one": 1, ":e": "*"},
            stage,
        )

    def renew(self, owner: str, now: float, seconds: float, stage: str = MAIN) -> bool:
        return self._update(
            "SET expires = :exp, renewed_at = :now",
            "#o = :me AND expires > :now",
            {":me": owner, ":exp": to_decimal(now + seconds), ":now": to_decimal(now)},
            stage,
        )

    def release(self, owner: str, stage: str = MAIN) -> None:
        self._update("SET expires = :zero", "#o = :me", {":me": owner, ":zero": Decimal(0)}, stage)

    def current(self, stage: str = MAIN) -> dict | None:
        """The lease item (owner, expires, renewed_at, fencing), or None before any engine ran."""
        return self.client.get(self.table, per_stage(LEASE, stage))

    # Each engine, holder or standby, says it is alive in an item of its own beside the lease, so the admin
    # desk can show the standbys it has seen. Not conditional: nothing decides anything from these.
    def seen(
        self, owner: str, now: float, holder: bool, lateness_ms: float | None, host: str, held: int = 0
    ) -> None:
        item = {"pk": LEASE, "sk": ENGINE + owner, "owner": owner, "last_seen": to_decimal(now), "held": held}
        item.update(
            holder=holder, host=host, lateness_ms=None if lateness_ms is None else to_decimal(lateness_ms)
        )
        self.client.call("put_item", TableName=self.table, Item=to_item(item))

    def forget(self, owner: str) -> None:
        self.client.call("delete_item", TableName=self.table, Key=to_key(pk=LEASE, sk=ENGINE + owner))

    def engines(self) -> list[dict]:
        """Every engine's item (owner, last_seen, holder, host, lateness_ms); one Query."""
        return self.client.query_all(
            TableName=self.table,
            KeyConditionExpression="pk = :p AND begins_with(sk, :e)",
            ExpressionAttributeValues=to_key(**{":p": LEASE, ":e": ENGINE}),
            ConsistentRead=True,
        )
