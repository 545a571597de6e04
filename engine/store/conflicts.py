"""Conflicts of interest: one item per (performer, judge) who stepped aside, in the scores table beside
the scores (sk C#performer#judge), so a score's transaction can check that none exists.

Declaring one is a transaction too: the conflict item, a check that this judge has no score for the
performer, and a check on the performer's status (not yet on stage; for a judge, not yet scoring).
Both transactions name each other's item, so DynamoDB lets only one of them win a race."""

from __future__ import annotations

from collections.abc import Collection

from engine.codec import to_decimal
from engine.model import CommandRefused
from engine.store import tx
from engine.store.client import Client, to_key
from engine.store.log import EventLog
from engine.store.schema import TableNames


def conflict_key(event_id: str, performer_id: str, judge: str) -> dict:
    return {"event_id": event_id, "sk": f"C#{performer_id}#{judge}"}


class Conflicts:
    def __init__(self, client: Client, tables: TableNames, log: EventLog):
        self.client = client
        self.table = tables.scores
        self.performers_table = tables.performers
        self.log = log

    def list(self, event_id: str) -> dict[str, tuple[str, ...]]:
        """performer_id -> the judges who stepped aside for them."""
        out: dict[str, list[str]] = {}
        for i in self.items(event_id):
            out.setdefault(i["performer_id"], []).append(i["judge"])
        return {pid: tuple(sorted(js)) for pid, js in out.items()}

    def items(self, event_id: str) -> list[dict]:
        """Every conflict with who declared it and when (for exports and the log page)."""
        return self.client.query_all(
            TableName=self.table,
            KeyConditionExpression="event_id = :e AND begins_with(sk, :p)",
            ExpressionAttributeValues=to_key(**{":e": event_id, ":p": "C#"}),
        )

    def _status_check(self, event_id: str, performer_id: str, allowed: Collection[str]) -> tx.Op:
        names = {f":s{i}": s for i, s in enumerate(allowed)}
        return tx.condition_check(
            "performer",
            self.performers_table,
            {"event_id": event_id, "performer_id": performer_id},
            f"#s IN ({', '.join(names)})",
            values=names,
            names={"#s": "status"},
        )

    def add(
        self,
        event_id: str,
        performer_id: str,
        judge: str,
        by: str,
        stream: str,
        allowed: Collection[str],
        now: float,
    ) -> None:
        """Record that `judge` stepped aside for `performer_id`, iff they have not scored them and the
        performer's status is one of `allowed`. Raises CommandRefused (one sentence) otherwise."""
        item = {
            **conflict_key(event_id, performer_id, judge),
            "performer_id": performer_id,
            "judge": judge,
            "declared_by": by,
            "declared_at": to_decimal(now),
        }
        data = {"performer_id": performer_id, "judge": judge}
        ops = [
            tx.put("conflict", self.table, item, condition="attribute_not_exists(sk)"),
            tx.condition_check(
                "score",
                self.table,
                {"event_id": event_id, "sk": f"S#{performer_id}#{judge}"},
                "attribute_not_exists(sk)",
            ),
            self._status_check(event_id, performer_id, allowed),
            *self.log.append_ops(event_id, stream, now, by, "conflict_declared", data),
        ]
        try:
            tx.Transaction(self.client, ops).commit()
        except tx.Cancelled as c:
            if c.failed("conflict"):
                raise CommandRefused("That conflict is already declared.") from c
            if c.failed("score"):
                raise CommandRefused(
                    "This judge has already scored this performer, so the conflict cannot be declared now."
                ) from c
            if c.failed("performer"):
                raise CommandRefused(
                    "This performer is already on stage or done; declare a conflict before they go on."
                ) from c
            raise

    def remove(
        self,
        event_id: str,
        performer_id: str,
        judge: str,
        by: str,
        stream: str,
        allowed: Collection[str],
        now: float,
    ) -> None:
        data = {"performer_id": performer_id, "judge": judge}
        ops = [
            tx.delete(
                "conflict",
                self.table,
                conflict_key(event_id, performer_id, judge),
                condition="attribute_exists(sk)",
            ),
            self._status_check(event_id, performer_id, allowed),
            *self.log.append_ops(event_id, stream, now, by, "conflict_removed", data),
        ]
        try:
            tx.Transaction(self.client, ops).commit()
        except tx.Cancelled as c:
            if c.failed("conflict"):
                raise CommandRefused("There is no such conflict to remove.") from c
            if c.failed("performer"):
                raise CommandRefused("This performer is already on stage or done; the conflict stays.") from c
            raise
