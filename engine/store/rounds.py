"""Rounds of a competition: per event (event_id, ROUND) says which competition and round it is and what
its performers carry over; (COMP#competition, ROUND#nnn) lists the rounds in order. Both live in the
TimerStatus table and are written in the same transaction as the round's event (Events.create)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from engine.domain.competition import RoundInfo
from engine.store import tx
from engine.store.client import Client, to_key
from engine.store.codec import to_decimal
from engine.store.schema import TableNames

ROUND = "ROUND"


def _comp(competition_id: str) -> str:
    return f"COMP#{competition_id}"


def _info(i: dict) -> RoundInfo:
    return RoundInfo(
        competition_id=i["competition_id"],
        number=int(i["number"]),
        name=i["name"],
        event_id=i["event_id"],
        carry_weight=Decimal(i.get("carry_weight", 0)),
        carried={k: Decimal(v) for k, v in (i.get("carried") or {}).items()},
    )


class Rounds:
    def __init__(self, client: Client, tables: TableNames):
        self.client = client
        self.table = tables.status

    def stored(self, event_id: str) -> RoundInfo | None:
        item = self.client.get(self.table, {"pk": event_id, "sk": ROUND})
        return _info(item) if item else None

    def get(self, event_id: str) -> RoundInfo:
        """The event's round; an event never advanced from or to is round 1 of its own competition."""
        return self.stored(event_id) or RoundInfo.first(event_id)

    def list(self, competition_id: str) -> list[RoundInfo]:
        items = self.client.query_all(
            TableName=self.table,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues=to_key(**{":p": _comp(competition_id)}),
        )
        found = sorted((_info(i) for i in items), key=lambda r: r.number)
        return found or [RoundInfo.first(competition_id)]

    def save(self, info: RoundInfo, now: float) -> None:
        """Write (or overwrite: a rename) the round's two items."""
        ops = [tx.Op(op.name, op.kind, {k: v for k, v in op.body.items() if "Condition" not in k})
               for op in self.ops(info, now)]  # fmt: skip
        tx.Transaction(self.client, ops).commit()

    def restart_ops(self, info: RoundInfo, event_id: str, now: float) -> list[tx.Op]:
        """A reset of the round: the new event is the same round (number, name, carry-over) of the same
        competition, and the competition's listing points at it from now on."""
        event_item, listing = self.ops(dataclasses.replace(info, event_id=event_id), now)
        body = {k: v for k, v in listing.body.items() if "Condition" not in k}
        return [event_item, tx.Op(listing.name, listing.kind, body)]

    def ops(self, info: RoundInfo, now: float, suffix: str = "") -> list[tx.Op]:
        """The round's two items, each written only if absent (a round is created once)."""
        body = {
            "competition_id": info.competition_id,
            "number": info.number,
            "name": info.name,
            "event_id": info.event_id,
            "carry_weight": info.carry_weight,
            "carried": {k: str(v) for k, v in (info.carried or {}).items()},
            "created_at": to_decimal(now),
        }
        new = "attribute_not_exists(pk)"
        return [
            tx.put(f"round{suffix}", self.table, {"pk": info.event_id, "sk": ROUND, **body}, condition=new),
            tx.put(
                f"round_listing{suffix}",
                self.table,
                {"pk": _comp(info.competition_id), "sk": f"ROUND#{info.number:03d}", **body},
                condition=new,
            ),
        ]
