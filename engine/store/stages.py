"""The deployment's stages: one item each under (STAGES, stage_id) in the status table. None stored means
the one implicit main stage (engine/domain/stages.py)."""

from __future__ import annotations

from engine.domain import stages
from engine.domain.model import Conflict
from engine.domain.stages import Stage
from engine.store.client import Client, ConditionFailed, to_item, to_key
from engine.store.schema import STAGES, TableNames


class Stages:
    def __init__(self, client: Client, tables: TableNames):
        self.client = client
        self.table = tables.status

    def stored(self) -> list[Stage]:
        items = self.client.query_all(
            TableName=self.table,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues=to_key(**{":p": STAGES}),
            ConsistentRead=True,
        )
        return [Stage(i["sk"], i.get("name", i["sk"]), int(i.get("order", 0))) for i in items]

    def list(self) -> list[Stage]:
        """Every stage in its order; the implicit main stage when none was ever named."""
        return stages.listed(self.stored())

    def add(self, stage: Stage) -> None:
        """Register a stage; Conflict if its id is taken."""
        item = {"pk": STAGES, "sk": stage.stage_id, "name": stage.name, "order": stage.order}
        try:
            self.client.call(
                "put_item",
                TableName=self.table,
                Item=to_item(item),
                ConditionExpression="attribute_not_exists(sk)",
            )
        except ConditionFailed:
            raise Conflict(f"There is already a stage {stage.stage_id!r}.") from None
