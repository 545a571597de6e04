"""Judges' scores, read side: the current score per (performer, judge), its revision history and the
request ids already applied. A score is written only by engine/store/score_commit.py, the one commit."""

from __future__ import annotations

from decimal import Decimal

from engine.domain.model import Score
from engine.store.client import Client, to_key
from engine.store.codec import to_decimal
from engine.store.eventlog import EventLog
from engine.store.schema import TableNames

# The status item's condition for "this window is open at :now".
WINDOW_OPEN = (
    "#ph = :scoring AND performer_id = :p AND window_id = :w AND (paused = :t OR deadline > :now) "
    "AND attribute_not_exists(superseded_by)"
)


def _score_from(i: dict) -> Score:
    return Score(
        event_id=i["event_id"],
        performer_id=i["performer_id"],
        judge=i["judge"],
        values={k: Decimal(v) for k, v in i["values"].items()},
        total=Decimal(i["total"]),
        revision=int(i["revision"]),
        submitted_at=float(i["submitted_at"]),
        first_submitted_at=float(i["first_submitted_at"]),
        window_id=int(i["window_id"]),
        comment=i.get("comment") or "",
    )


def _history_item(new: dict, old_values: dict | None, new_values: dict, now: float) -> dict:
    """One revision of a score: what it was, what it became, when."""
    performer_id, judge, rev = new["performer_id"], new["judge"], new["revision"]
    return {
        "event_id": new["event_id"],
        "sk": f"H#{performer_id}#{judge}#{rev:05d}",
        "performer_id": performer_id,
        "judge": judge,
        "revision": rev,
        "old": old_values,
        "new": new_values,
        "at": to_decimal(now),
        "request_id": new["request_id"],
    }


class Scores:
    def __init__(self, client: Client, tables: TableNames, log: EventLog):
        self.client = client
        self.table = tables.scores
        self.status_table = tables.status
        self.log = log

    def list(self, event_id: str, performer_id: str | None = None, consistent: bool = False) -> list[Score]:
        """Current scores of an event (of one performer, if given)."""
        return [
            _score_from(i)
            for i in self._query(event_id, f"S#{performer_id}#" if performer_id else "S#", consistent)
        ]

    def history(self, event_id: str) -> list[dict]:
        """Every revision of every score (old and new values), oldest first."""
        return sorted(self._query(event_id, "H#"), key=lambda i: float(i["at"]))

    def _query(self, event_id: str, prefix: str, consistent: bool = False) -> list[dict]:
        return self.client.query_all(
            TableName=self.table,
            KeyConditionExpression="event_id = :e AND begins_with(sk, :p)",
            ExpressionAttributeValues=to_key(**{":e": event_id, ":p": prefix}),
            ConsistentRead=consistent,
        )

    def _get(self, event_id: str, sk: str) -> dict | None:
        return self.client.get(self.table, {"event_id": event_id, "sk": sk})
