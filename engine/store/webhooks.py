"""The webhooks' progress, in the status table: (WEBHOOKS, <hook id>#<stage>) per hook and stage, with
where the hook has read the stage's log to and how its deliveries go. Written by the lease holder of the
stage only, conditional on the item's version, so an engine that lost the stage cannot move it back."""

from __future__ import annotations

import json

from engine.domain.model import Conflict
from engine.domain.webhooks import HookState, OnStage, Reading
from engine.store import codec
from engine.store.client import Client, ConditionFailed, to_item, to_key
from engine.store.schema import TableNames

PK = "WEBHOOKS"


def _reading(text: str | None) -> Reading | None:
    if not text:
        return None
    d = json.loads(text)
    on = d.get("on_stage") or {}
    return Reading(d["event_id"], float(d["ts"]), {k: int(v) for k, v in d["seqs"].items()},
                   OnStage(on.get("phase"), on.get("performer_id")))  # fmt: skip


def _reading_json(r: Reading | None) -> str | None:
    if r is None:
        return None
    on = {"phase": r.on_stage.phase, "performer_id": r.on_stage.performer_id}
    return json.dumps({"event_id": r.event_id, "ts": r.ts, "seqs": r.seqs, "on_stage": on}, sort_keys=True)


def _from(item: dict) -> HookState:
    hook_id, _, stage = item["sk"].partition("#")
    return HookState(
        hook_id,
        stage,
        item.get("host", ""),
        bool(item.get("private")),
        _reading(item.get("reading")),
        int(item.get("version", 0)),
        int(item.get("delivered", 0)),
        codec.to_float(item.get("last_delivered_at")),
        json.loads(item["failing"]) if item.get("failing") else None,
        int(item.get("dropped", 0)),
        json.loads(item["last_dropped"]) if item.get("last_dropped") else None,
    )


class Webhooks:
    def __init__(self, client: Client, tables: TableNames):
        self.client = client
        self.table = tables.status

    def get(self, hook_id: str, stage: str) -> HookState | None:
        item = self.client.get(self.table, {"pk": PK, "sk": f"{hook_id}#{stage}"})
        return _from(item) if item else None

    def list(self) -> list[HookState]:
        items = self.client.query_all(
            TableName=self.table,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues=to_key(**{":p": PK}),
            ConsistentRead=True,
        )
        return [_from(i) for i in items]

    def save(self, state: HookState) -> None:
        """Store `state` as the next version of what was read (state.version); Conflict if it moved."""
        item = {
            "pk": PK,
            "sk": f"{state.hook_id}#{state.stage}",
            "host": state.host,
            "private": state.private,
            "reading": _reading_json(state.reading),
            "version": state.version + 1,
            "delivered": state.delivered,
            "last_delivered_at": codec.to_decimal(state.last_delivered_at),
            "failing": json.dumps(state.failing) if state.failing else None,
            "dropped": state.dropped,
            "last_dropped": json.dumps(state.last_dropped) if state.last_dropped else None,
        }
        same = (
            {
                "ConditionExpression": "version = :v",
                "ExpressionAttributeValues": to_key(**{":v": state.version}),
            }
            if state.version
            else {"ConditionExpression": "attribute_not_exists(sk)"}
        )
        try:
            self.client.call("put_item", TableName=self.table, Item=to_item(item), **same)
        except ConditionFailed:
            raise Conflict("Another engine moved this webhook on.") from None
        state.version += 1
