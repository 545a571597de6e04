"""The read API's keys, in the logins table: (APIKEYS, <key id>) with the key's name, who made it and
when, the SHA-256 hash of the key (never the key) and, once revoked, when and by whom. One Query lists
them; a request's key is one GetItem by its id."""

from __future__ import annotations

from engine.domain.apikeys import ApiKey
from engine.domain.messages import N_
from engine.domain.model import InvalidInput
from engine.store import codec
from engine.store.client import Client, ConditionFailed, to_item, to_key
from engine.store.schema import TableNames

PK = "APIKEYS"


def _from(item: dict) -> ApiKey:
    return ApiKey(
        item["sk"],
        item.get("name", ""),
        float(item["created_at"]),
        item.get("created_by", ""),
        item.get("key_hash", ""),
        codec.to_float(item.get("revoked_at")),
        item.get("revoked_by"),
    )


class ApiKeys:
    def __init__(self, client: Client, tables: TableNames):
        self.client = client
        self.table = tables.logins

    def add(self, key: ApiKey) -> None:
        item = {"pk": PK, "sk": key.key_id, "name": key.name, "created_at": codec.to_decimal(key.created_at),
                "created_by": key.created_by, "key_hash": key.key_hash}  # fmt: skip
        try:
            self.client.call(
                "put_item",
                TableName=self.table,
                Item=to_item(item),
                ConditionExpression="attribute_not_exists(sk)",
            )
        except ConditionFailed:
            raise InvalidInput(N_("That key id is taken; create the key again.")) from None

    def get(self, key_id: str) -> ApiKey | None:
        item = self.client.get(self.table, {"pk": PK, "sk": key_id})
        return _from(item) if item else None

    def list(self) -> list[ApiKey]:
        items = self.client.query_all(
            TableName=self.table,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues=to_key(**{":p": PK}),
            ConsistentRead=True,
        )
        return sorted((_from(i) for i in items), key=lambda k: k.created_at)

    def revoke(self, key_id: str, by: str, now: float) -> bool:
        """Revoke a key; False if there is no such key or it was revoked already."""
        try:
            self.client.call(
                "update_item",
                TableName=self.table,
                Key=to_key(pk=PK, sk=key_id),
                UpdateExpression="SET revoked_at = :t, revoked_by = :b",
                ConditionExpression="attribute_exists(sk) AND attribute_not_exists(revoked_at)",
                ExpressionAttributeValues=to_key(**{":t": codec.to_decimal(now), ":b": by}),
            )
        except ConditionFailed:
            return False
        return True
