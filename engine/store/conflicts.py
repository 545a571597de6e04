"""Conflicts of interest: one item per (performer, judge) who stepped aside, in the scores table beside
the scores (sk C#performer#judge), so a score's transaction can check that none exists.

Declaring one is a transaction too: the conflict item, a check that this judge has no score for the
performer, and a check on the performer's status (not yet on stage; for a judge, not yet scoring).
Both transactions name each other's item, so DynamoDB lets only one of them win a race."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from engine.domain.model import CommandRefused
from engine.store import tx
from engine.store.client import Client, to_item, to_key
from engine.store.codec import to_decimal
from engine.store.eventlog import EventLog
from engine.store.schema import TableNames


def conflict_key(event_id: str, performer_id: str, judge: str) -> dict:
    return {"event_id": event_id, "sk": f"C#{performer_id}#{judge}"}


def absent_op(table: str, event_id: str, performer_id: str, judge: str) -> tx.Op:
    """The score transaction's check that this judge has not stepped aside for this performer."""
    return tx.condition_check(
        "conflict", table, conflict_key(event_id, performer_id, judge), "attribute_not_exists(sk)"
    )


DECLARE_REFUSED = {
    "conflict": "That conflict is already declared.",
    "score": "This judge has already scored this performer, so the conflict cannot be declared now.",
    "performer": "This performer is already on stage or done; declare a conflict before they go on.",
}
REMOVE_REFUSED = {
    "conflict": "There is no such conflict to remove.",
    "performer": "This performer is already on stage or done; the conflict stays.",
}


@dataclass(frozen=True)
class Declaration:
    """Who declares (or withdraws) a conflict, in which log stream, while the performer's status is one
    of `allowed`."""

    event_id: str
    performer_id: str
    judge: str
    by: str
    stream: str
    allowed: Collection[str]
    now: float


class Conflicts:
    def __init__(self, client: Client, tables: TableNames, log: EventLog):
        self.client, self.log = client, log
        self.table = tables.scores  # beside the scores, so that a score's transaction can check it
        self.performers_table = tables.performers

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

    def carry_over(self, from_event: str, to_event: str, performer_ids: Collection[str]) -> list[dict]:
        """Copy `from_event`'s conflicts for these performers into `to_event`, an event about to be
        created with the same roster (nothing can be scored in it yet); returns the items written.
        Who declared each one and when stay as they were."""
        keep = set(performer_ids)
        items = [
            {**i, **conflict_key(to_event, i["performer_id"], i["judge"]), "carried_from": from_event}
            for i in self.items(from_event)
            if i["performer_id"] in keep
        ]
        self.client.batch_write(self.table, [{"PutRequest": {"Item": to_item(i)}} for i in items])
        return items

    def forget(self, items: Collection[dict]) -> None:
        """Delete copied items again (the event they were copied for was refused)."""
        keys = [{"event_id": i["event_id"], "sk": i["sk"]} for i in items]
        self.client.batch_write(self.table, [{"DeleteRequest": {"Key": to_key(**k)}} for k in keys])

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

    def add(self, d: Declaration) -> None:
        """Record that `d.judge` stepped aside for `d.performer_id`, iff they have not scored them and
        the performer's status is one of `d.allowed`. Raises CommandRefused (one sentence) otherwise."""
        event_id, performer_id, judge, now = d.event_id, d.performer_id, d.judge, d.now
        item = {
            **conflict_key(event_id, performer_id, judge),
            "performer_id": performer_id,
            "judge": judge,
            "declared_by": d.by,
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
            self._status_check(event_id, performer_id, d.allowed),
            *self.log.append_ops(event_id, d.stream, now, d.by, "conflict_declared", data),
        ]
        self._commit(ops, DECLARE_REFUSED)

    def remove(self, d: Declaration) -> None:
        event_id, performer_id, judge = d.event_id, d.performer_id, d.judge
        data = {"performer_id": performer_id, "judge": judge}
        ops = [
            tx.delete(
                "conflict",
                self.table,
                conflict_key(event_id, performer_id, judge),
                condition="attribute_exists(sk)",
            ),
            self._status_check(event_id, performer_id, d.allowed),
            *self.log.append_ops(event_id, d.stream, d.now, d.by, "conflict_removed", data),
        ]
        self._commit(ops, REMOVE_REFUSED)

    def _commit(self, ops: list[tx.Op], refusals: dict[str, str]) -> None:
        """Commit; a failed condition becomes its sentence (tried in the order listed), a lost race on
        the log head stays a Conflict for the caller to retry."""
        try:
            tx.Transaction(self.client, ops).commit()
        except tx.Cancelled as c:
            for name, sentence in refusals.items():
                if c.failed(name):
                    raise CommandRefused(sentence) from c
            raise
