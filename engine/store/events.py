"""The event aggregate: its state (the versioned status item), settings, the list of events and the
current-event pointer; `load` also reads presence and help flags (written by presence.py). Every state
change is one conditional transaction with its log entry (and its performers' rows)."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from engine.domain.deductions import Deduction
from engine.domain.messages import N_
from engine.domain.model import Conflict, EventState, Performer, Settings, Step
from engine.domain.stages import MAIN
from engine.domain.votes import VoteWindow
from engine.store import codec, tx
from engine.store import deductions as deduction_store
from engine.store import votes as vote_store
from engine.store.client import RETRY, Client, to_key
from engine.store.eventlog import EventLog
from engine.store.performers import Performers, RosterChange
from engine.store.schema import CURRENT, EVENTS, LEASE, SETTINGS, STATUS, TableNames, per_stage


@dataclass
class EventBundle:
    """Everything the engine needs about one event, read in a single Query."""

    state: EventState
    settings: Settings
    presence: dict[str, float] = field(default_factory=dict)
    flags: dict[str, float] = field(default_factory=dict)
    votes: dict[str, VoteWindow] = field(default_factory=dict)  # the audience vote's windows, by key
    deductions: list[Deduction] = field(default_factory=list)  # the head judge's (store/deductions.py)

    def present(self, now: float, window: float) -> list[str]:
        """The judges seen within `window`: the quorum and auto-close count them, so never a shadow."""
        shadows = self.settings.shadows
        return sorted(j for j, seen in self.presence.items() if now - seen <= window and j not in shadows)


def _stream(actor: str) -> str:
    return "engine" if actor == "engine" else f"admin:{actor}"


class Events:
    def __init__(self, client: Client, tables: TableNames, log: EventLog, performers: Performers):
        self.client = client
        self.table = tables.status
        self.log = log
        self.performers = performers

    # ---- reading ----------------------------------------------------------------------------------
    def current_id(self, stage: str = MAIN) -> str | None:
        """The id of the stage's current event, or None before its first."""
        item = self.client.get(self.table, per_stage(CURRENT, stage))
        return item["event_id"] if item else None

    def all(self) -> list[dict]:
        """Every event ever created: event_id, name, created_at, stage; oldest first."""
        items = self.client.query_all(
            TableName=self.table,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues=to_key(**{":p": EVENTS}),
        )
        listing = [
            {
                "event_id": i["sk"],
                "name": i.get("name", ""),
                "created_at": float(i["created_at"]),
                "stage": i.get("stage") or MAIN,
            }
            for i in items
        ]
        return sorted(listing, key=lambda d: d["created_at"])

    def load(self, event_id: str, consistent: bool = True) -> EventBundle | None:
        items = self.client.query_all(
            TableName=self.table,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues=to_key(**{":p": event_id}),
            ConsistentRead=consistent,
        )
        state, settings, presence, flags, windows, deducted = None, Settings(), {}, {}, {}, []
        for i in items:
            sk = i["sk"]
            if sk == STATUS:
                state = codec.state_from_item(i)
            elif sk == SETTINGS:
                settings = codec.settings_from_json(i.get("settings"))
            elif sk.startswith("PRESENCE#"):
                presence[sk.removeprefix("PRESENCE#")] = float(i["last_seen"])
            elif sk.startswith("FLAG#"):
                flags[sk.removeprefix("FLAG#")] = float(i["raised_at"])
            elif sk.startswith(vote_store.WINDOW):  # the audience vote's windows (engine/store/votes.py)
                windows[sk.removeprefix(vote_store.WINDOW)] = vote_store.window_from_item(i)
            elif sk.startswith(deduction_store.PREFIX) and not deduction_store.withdrawn(i):
                deducted.append(deduction_store.from_item(i))
        return EventBundle(state, settings, presence, flags, windows, deducted) if state else None

    def state(self, event_id: str) -> EventState | None:
        item = self.client.get(self.table, {"pk": event_id, "sk": STATUS})
        return codec.state_from_item(item) if item else None

    # ---- writing ----------------------------------------------------------------------------------
    def _settings_op(self, event_id: str, settings: Settings) -> tx.Op:
        item = {"pk": event_id, "sk": SETTINGS, "event_id": event_id, **codec.settings_attributes(settings)}
        return tx.put("settings", self.table, item)

    def create(
        self,
        state: EventState,
        settings: Settings,
        performers: Iterable[Performer],
        now: float,
        actor: str,
        previous: EventState | None = None,
        extra: Iterable[tx.Op] = (),
        details: Mapping[str, object] | None = None,
    ) -> None:
        """Write a new event with its performers (and `extra` operations: a round's items) and make it
        current; the previous one is kept, marked superseded. Conflict: another event became current.
        `details` go into the event_created log entry."""
        eid = state.event_id
        item = {"pk": eid, "sk": STATUS, **codec.state_to_item(state)}
        listing = {
            "pk": EVENTS,
            "sk": eid,
            "event_id": eid,
            "name": settings.event_name,
            "stage": state.stage,
        }
        listing["created_at"] = codec.to_decimal(now)
        pointer = {**per_stage(CURRENT, state.stage), "event_id": eid}
        transaction = tx.Transaction(
            self.client,
            [
                tx.put("state", self.table, item, condition="attribute_not_exists(pk)"),
                self._settings_op(eid, settings),
                tx.put("listing", self.table, listing),
            ],
        )
        transaction.add(*self._make_current(pointer, previous))
        transaction.add(*extra)
        data = {"previous": previous.event_id if previous else None, **(details or {})}
        transaction.add(*self.log.append_ops(eid, _stream(actor), now, actor, "event_created", data))
        try:
            self.performers.commit_with(transaction, RosterChange(eid, (), tuple(performers)))
        except Conflict as c:
            raise Conflict(
                N_("Another event was created or changed at the same time; reload and try again.")
            ) from c

    def _make_current(self, pointer: dict, previous: EventState | None) -> list[tx.Op]:
        """The stage's pointer to the new event: new, or moved from `previous` (marked superseded), each
        conditional on nobody else having moved it meanwhile."""
        if previous is None:
            return [tx.put("pointer", self.table, pointer, condition="attribute_not_exists(pk)")]
        return [
            tx.update(
                "previous",
                self.table,
                {"pk": previous.event_id, "sk": STATUS},
                "SET superseded_by = :new, version = version + :one",
                condition="version = :v",
                values={":new": pointer["event_id"], ":one": 1, ":v": previous.version},
            ),
            tx.put(
                "pointer",
                self.table,
                pointer,
                condition="event_id = :old",
                values={":old": previous.event_id},
            ),
        ]

    def save_settings(self, event_id: str, settings: Settings, actor: str, now: float) -> None:
        for _ in RETRY.tries():
            transaction = tx.Transaction(
                self.client,
                [
                    self._settings_op(event_id, settings),
                    tx.update(
                        "listing",
                        self.table,
                        {"pk": EVENTS, "sk": event_id},
                        "SET #n = :n",
                        values={":n": settings.event_name},
                        names={"#n": "name"},
                    ),
                    *self.log.append_ops(
                        event_id,
                        f"admin:{actor}",
                        now,
                        actor,
                        "settings_changed",
                        {"settings": codec.settings_to_json(settings)},
                    ),
                ],
            )
            try:
                transaction.commit()
                return
            except tx.Cancelled:
                continue  # another admin's log entry took the head first
        raise Conflict(N_("Too many simultaneous changes to the settings; please try again."))

    def _step(
        self, old_version: int, step: Step, actor: str, now: float, lease_owner: str | None
    ) -> tuple[tx.Transaction, list[tx.Op]]:
        """The transaction of one state change, and its log operations."""
        state = step.state
        transaction = tx.Transaction(self.client)
        if lease_owner:
            transaction.add(
                tx.condition_check(
                    "lease",
                    self.table,
                    per_stage(LEASE, state.stage),
                    "#o = :me AND expires > :now",
                    values={":me": lease_owner, ":now": codec.to_decimal(now)},
                    names={"#o": "owner"},
                )
            )
        transaction.add(
            tx.put(
                "state",
                self.table,
                {"pk": state.event_id, "sk": STATUS, **codec.state_to_item(state)},
                condition="version = :v AND attribute_not_exists(superseded_by)",
                values={":v": old_version},
            ),
            *(
                self.performers.status_op(state.event_id, pid, status, step.at, _timed(step, pid))
                for pid, status in step.performer_updates.items()
            ),
        )
        data = {
            **step.detail,
            "phase": state.phase.value,
            "performer_id": state.performer_id,
            "window_id": state.window_id,
            "deadline": state.deadline,
            "paused": state.paused,
            "version": state.version,
            # Wall-clock time the write left this process (not the caller's clock): what the
            # benchmarks and fault checks measure commit lateness by.
            "written_at": round(time.time(), 6),
        }
        if lease_owner:
            data["lease_owner"] = lease_owner  # which engine wrote it: audits a takeover
        stream = "engine" if lease_owner else f"admin:{actor}"
        log_ops = self.log.append_ops(
            state.event_id, stream, step.at, actor, step.kind, data, cached=bool(lease_owner)
        )
        transaction.add(*log_ops)
        return transaction, log_ops

    def write_step(
        self, old_version: int, step: Step, actor: str, now: float, lease_owner: str | None = None
    ) -> None:
        """Write one state change, conditional on the version read (and on holding the lease at `now`).

        Raises Conflict when the state moved on, or the lease is no longer ours."""
        transaction, log_ops = self._step(old_version, step, actor, now, lease_owner)
        stream = "engine" if lease_owner else f"admin:{actor}"
        try:
            transaction.commit()
        except tx.Cancelled as c:
            self.log.refused(step.state.event_id, stream)
            raise Conflict(N_("The event changed meanwhile; the command was not applied, try again.")) from c
        if lease_owner:
            self.log.committed(log_ops)

    def write_roster(
        self,
        old_version: int,
        step: Step,
        actor: str,
        now: float,
        before: list[Performer],
        after: list[Performer],
    ) -> None:
        """Write a state change that replaces the roster (`before`: the rows stored) with `after`; on a
        Conflict no performer row has changed (see Performers.commit_with)."""
        transaction, _ = self._step(old_version, step, actor, now, None)
        try:
            self.performers.commit_with(
                transaction, RosterChange(step.state.event_id, tuple(before), tuple(after))
            )
        except Conflict as c:
            raise Conflict(N_("The event changed meanwhile; the command was not applied, try again.")) from c


def _timed(step: Step, performer_id: str) -> float | None:
    """The performance time a step records for `performer_id` (the admin's "done"), if any."""
    return step.detail.get("performed_seconds") if step.detail.get("performer_id") == performer_id else None
