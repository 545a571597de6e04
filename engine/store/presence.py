"""Who is here and who needs help: one item per judge beside the event's state, read with it by
Events.load and written without touching the state's version."""

from __future__ import annotations

from engine.store import codec
from engine.store.client import Client, to_item, to_key
from engine.store.schema import TableNames


class Presence:
    def __init__(self, client: Client, tables: TableNames):
        self.client = client
        self.table = tables.status

    def heartbeat(self, event_id: str, email: str, now: float) -> None:
        item = {
            "pk": event_id,
            "sk": f"PRESENCE#{email}",
            "event_id": event_id,
            "last_seen": codec.to_decimal(now),
        }
        self.client.call("put_item", TableName=self.table, Item=to_item(item))

    def heartbeat_many(self, event_id: str, emails: list[str], now: float) -> None:
        """Presence for every judge connected to this server, in one BatchWriteItem per 25."""
        seen = codec.to_decimal(now)
        items = [
            {"pk": event_id, "sk": f"PRESENCE#{e}", "event_id": event_id, "last_seen": seen}
            for e in sorted(emails)
        ]
        self.client.batch_write(self.table, [{"PutRequest": {"Item": to_item(i)}} for i in items])

    def set_flag(self, event_id: str, email: str, now: float, raised: bool) -> None:
        key = {"pk": event_id, "sk": f"FLAG#{email}"}
        if raised:
            item = {**key, "event_id": event_id, "raised_at": codec.to_decimal(now)}
            self.client.call("put_item", TableName=self.table, Item=to_item(item))
        else:
            self.client.call("delete_item", TableName=self.table, Key=to_key(**key))
