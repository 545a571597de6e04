"""Judges' scores: the current score per (performer, judge), its revision history and the request ids
already applied. A score is written iff DynamoDB says, at commit, that its window is open."""

from __future__ import annotations

from decimal import Decimal

from engine.codec import to_decimal
from engine.model import Conflict, Score, ScoreRefused
from engine.store import conflicts, tx
from engine.store.client import Client, to_key
from engine.store.log import EventLog
from engine.store.results import NOT_SIGNED_OFF, RESULTS
from engine.store.schema import STATUS, TableNames

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

    def submit(
        self,
        event_id: str,
        performer_id: str,
        judge: str,
        values: dict[str, Decimal],
        total: Decimal,
        window_id: int,
        request_id: str,
        now: float,
        comment: str = "",
    ) -> tuple[Score, bool]:
        """One attempt to store a judge's score, iff DynamoDB says at commit that the window is open at
        `now`. Returns (score, replayed): replayed when this request id was already applied.

        Raises ScoreRefused when the window is closed, Conflict when another write of this score (or of
        this judge's log stream) got there first: the caller tries again with a fresh `now`."""
        done = self._get(event_id, f"R#{request_id}")
        if done:
            return _score_from(done), True
        sk = f"S#{performer_id}#{judge}"
        current = self._get(event_id, sk)
        new = {
            "event_id": event_id,
            "performer_id": performer_id,
            "judge": judge,
            "values": dict(values),
            "total": total,
            "revision": int(current["revision"]) + 1 if current else 1,
            "submitted_at": to_decimal(now),
            "first_submitted_at": to_decimal(float(current["first_submitted_at"]) if current else now),
            "window_id": window_id,
            "request_id": request_id,
            "sk": sk,
            "comment": comment or None,
        }
        try:
            tx.Transaction(self.client, self._ops(new, current, now)).commit()
        except tx.Cancelled as c:
            if c.failed("window"):
                raise ScoreRefused("Scoring for this performer is closed.") from c
            if c.failed("conflict"):
                raise ScoreRefused("You have stepped aside for this performer.") from c
            if c.failed("frozen"):
                raise ScoreRefused("The results are official, so the scores can no longer change.") from c
            raise Conflict("Another submission of this score got there first.") from c
        return _score_from(new), False

    def _ops(self, new: dict, current: dict | None, now: float) -> list[tx.Op]:
        """The window check, the score, its history entry, the request id and the log entry."""
        event_id, performer_id, judge, rev = (
            new["event_id"],
            new["performer_id"],
            new["judge"],
            new["revision"],
        )
        old_values = {k: str(v) for k, v in (current or {}).get("values", {}).items()} or None
        new_values = {k: str(v) for k, v in new["values"].items()}
        history = _history_item(new, old_values, new_values, now)
        window = {
            ":scoring": "SCORING",
            ":p": performer_id,
            ":w": new["window_id"],
            ":t": True,
            ":now": to_decimal(now),
        }
        logged = {
            "performer_id": performer_id,
            "window_id": new["window_id"],
            "old": old_values,
            "new": new_values,
            "total": str(new["total"]),
            "revision": rev,
            "request_id": new["request_id"],
        }
        status_key = {"pk": event_id, "sk": STATUS}
        return [
            tx.condition_check(
                "window", self.status_table, status_key, WINDOW_OPEN, window, {"#ph": "phase"}
            ),
            conflicts.absent_op(self.table, event_id, performer_id, judge),  # not stepped aside
            tx.condition_check("frozen", self.status_table, {"pk": event_id, "sk": RESULTS}, NOT_SIGNED_OFF),
            tx.put(
                "score",
                self.table,
                new,
                condition="revision = :r" if current else "attribute_not_exists(sk)",
                values={":r": rev - 1} if current else None,
            ),
            tx.put("history", self.table, history, condition="attribute_not_exists(sk)"),
            tx.put(
                "request",
                self.table,
                {**new, "sk": f"R#{new['request_id']}"},
                condition="attribute_not_exists(sk)",
            ),
            *self.log.append_ops(
                event_id,
                f"judge:{judge}",
                now,
                judge,
                "score_revised" if current else "score_submitted",
                logged,
            ),
        ]
