"""The performers of an event (one item each) and how a roster change is written together with the
state change it belongs to."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from engine.domain.model import Conflict, Performer, PerformerStatus, StagescoreError
from engine.store import codec, tx
from engine.store.client import Client, to_item, to_key
from engine.store.schema import TableNames

log = logging.getLogger("stagescore.store")


@dataclass(frozen=True)
class RosterChange:
    """From the rows stored (`before`) to the roster wanted (`after`): only what differs is written."""

    event_id: str
    before: tuple[Performer, ...]
    after: tuple[Performer, ...]

    @property
    def puts(self) -> list[Performer]:
        old = {p.performer_id: p for p in self.before}
        return [p for p in self.after if old.get(p.performer_id) != p]

    @property
    def deletes(self) -> list[str]:
        kept = {p.performer_id for p in self.after}
        return [p.performer_id for p in self.before if p.performer_id not in kept]

    def __len__(self) -> int:
        return len(self.puts) + len(self.deletes)


class Performers:
    def __init__(self, client: Client, tables: TableNames):
        self.client = client
        self.table = tables.performers

    def list(self, event_id: str, consistent: bool = False) -> list[Performer]:
        """`consistent`: read after a write of this process (a time just recorded by the admin's Done)."""
        items = self.client.query_all(
            TableName=self.table,
            KeyConditionExpression="event_id = :e",
            ExpressionAttributeValues=to_key(**{":e": event_id}),
            ConsistentRead=consistent,
        )
        return sorted((codec.performer_from_item(i) for i in items), key=lambda p: (p.order, p.performer_id))

    def status_op(
        self,
        event_id: str,
        performer_id: str,
        status: PerformerStatus,
        at: float,
        performed: float | None = None,
    ) -> tx.Op:
        """`performed`: the performance's time, when the admin's "done" ended it (engine/domain/rules.py)."""
        times, values = "", {":s": status.value}
        if performed is not None:
            times, values[":p"] = ", performed_seconds = :p", codec.to_decimal(performed)
        elif status is PerformerStatus.PERFORMING:
            times, values[":t"] = ", started_at = :t", codec.to_decimal(at)
        elif status in (PerformerStatus.DONE, PerformerStatus.SKIPPED):
            times, values[":t"] = ", ended_at = :t", codec.to_decimal(at)
        return tx.update(
            f"performer:{performer_id}",
            self.table,
            {"event_id": event_id, "performer_id": performer_id},
            "SET #s = :s" + times,
            values=values,
            names={"#s": "status"},
        )

    def _ops(self, change: RosterChange) -> list[tx.Op]:
        puts = [
            tx.put(f"performer:{p.performer_id}", self.table, codec.performer_to_item(change.event_id, p))
            for p in change.puts
        ]
        deletes = [
            tx.delete(f"performer:{pid}", self.table, {"event_id": change.event_id, "performer_id": pid})
            for pid in change.deletes
        ]
        return puts + deletes

    def commit_with(self, transaction: tx.Transaction, change: RosterChange) -> None:
        """Commit `transaction` together with a roster change.

        When everything fits in one transaction it is one. A larger roster (up to 2,000 rows) cannot:
        its rows are written first and, if the transaction is refused, put back as they were, so a
        Conflict leaves no orphan or altered row; rows it removes are deleted only after the commit."""
        if len(transaction) + len(change) <= tx.MAX_ITEMS:
            transaction.add(*self._ops(change)).commit()
            return
        self.put_many(change.event_id, change.puts)
        try:
            transaction.commit()
        except Conflict:
            self._undo(change)
            raise
        self.delete_many(change.event_id, change.deletes)

    def _undo(self, change: RosterChange) -> None:
        old = {p.performer_id: p for p in change.before}
        try:
            self.delete_many(
                change.event_id, [p.performer_id for p in change.puts if p.performer_id not in old]
            )
            self.put_many(
                change.event_id, [old[p.performer_id] for p in change.puts if p.performer_id in old]
            )
        except StagescoreError as e:  # the refusal is the news; the leftover rows are not in the order
            log.warning("could not undo a refused roster change of %s: %s", change.event_id, e)

    def put_many(self, event_id: str, performers: Iterable[Performer]) -> None:
        requests = [
            {"PutRequest": {"Item": to_item(codec.performer_to_item(event_id, p))}} for p in performers
        ]
        self.client.batch_write(self.table, requests)

    def delete_many(self, event_id: str, performer_ids: Iterable[str]) -> None:
        requests = [
            {"DeleteRequest": {"Key": to_key(event_id=event_id, performer_id=pid)}} for pid in performer_ids
        ]
        self.client.batch_write(self.table, requests)
