"""What goes on air on each stage (engine/domain/on_air.py): one item per stage under (ON_AIR, stage_id) in
the status table, with a show_<element> flag per overlay element and the projector's view.

A change writes only the attributes it names (UpdateItem), so two operators switching two elements at
once both keep their switch."""

from __future__ import annotations

from engine.domain import on_air
from engine.domain.on_air import OnAir
from engine.store.client import Client, to_key
from engine.store.codec import to_decimal
from engine.store.schema import ON_AIR, TableNames


class OnAirSettings:
    def __init__(self, client: Client, tables: TableNames):
        self.client = client
        self.table = tables.status

    def get(self, stage: str) -> OnAir:
        return on_air.from_item(self.client.get(self.table, {"pk": ON_AIR, "sk": stage}))

    def set(self, stage: str, shown: dict[str, bool], projector: str | None, actor: str, now: float) -> None:
        """Write the switches named (checked by domain.on_air.check_change) and who set them, when."""
        names, values, sets = {}, {":by": actor, ":at": to_decimal(now)}, ["set_by = :by", "set_at = :at"]
        for i, (element, value) in enumerate(sorted(shown.items())):
            names[f"#e{i}"] = f"show_{element}"
            values[f":e{i}"] = value
            sets.append(f"#e{i} = :e{i}")
        if projector is not None:
            values[":p"] = projector
            sets.append("projector = :p")
        self.client.call(
            "update_item",
            TableName=self.table,
            Key=to_key(pk=ON_AIR, sk=stage),
            UpdateExpression="SET " + ", ".join(sets),
            ExpressionAttributeValues=to_key(**values),
            **({"ExpressionAttributeNames": names} if names else {}),
        )
