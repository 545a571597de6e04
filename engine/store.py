"""The DynamoDB adapter: the only module that imports boto3.

Tables (each name prefixed with STAGESCORE_TABLE_PREFIX):
  TimerStatus         pk, sk: (event_id, STATUS) the state; (event_id, SETTINGS); (event_id, PRESENCE#email);
                      (event_id, FLAG#email); (CURRENT, CURRENT) -> current event; (EVENTS, event_id);
                      (LEASE, LEASE)
  performance_status  event_id, performer_id
  PerformersScores    event_id, sk: S#performer#judge (current) | H#performer#judge#rev (history)
                      | R#request_id (idempotency)
  judge_credentials   email; GSI by_role (role, email)
  event_log           event_id, sk: stream#seq | HEAD#stream; LSI by_time (event_id, ts_key)
  sessions            token_hash
Every hot path is a GetItem or a Query.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from engine import codec, eventlog
from engine.config import Config
from engine.eventlog import GENESIS, LogEntry
from engine.model import (
    Account,
    Conflict,
    DatabaseUnavailable,
    EventState,
    Performer,
    PerformerStatus,
    Role,
    Score,
    ScoreRefused,
    Settings,
    StagescoreError,
    Step,
)

_TRANSIENT = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
}
_ser = TypeSerializer()
_de = TypeDeserializer()

STATUS, SETTINGS, CURRENT, EVENTS, LEASE = "STATUS", "SETTINGS", "CURRENT", "EVENTS", "LEASE"
TABLES = (
    "TimerStatus",
    "performance_status",
    "PerformersScores",
    "judge_credentials",
    "event_log",
    "sessions",
)


def _item(d: dict) -> dict:
    return {k: _ser.serialize(v) for k, v in d.items() if v is not None}


def _plain(item: dict) -> dict:
    return {k: _de.deserialize(v) for k, v in item.items()}


def _index(name: str, hash_key: str, range_key: str) -> dict:
    return {
        "IndexName": name,
        "KeySchema": [
            {"AttributeName": hash_key, "KeyType": "HASH"},
            {"AttributeName": range_key, "KeyType": "RANGE"},
        ],
        "Projection": {"ProjectionType": "ALL"},
    }


def _key(**kw) -> dict:
    return {k: _ser.serialize(v) for k, v in kw.items()}


@dataclass
class EventBundle:
    """Everything the engine needs about one event, read in a single Query."""

    state: EventState
    settings: Settings
    presence: dict[str, float] = field(default_factory=dict)
    flags: dict[str, float] = field(default_factory=dict)

    def present(self, now: float, window: float) -> list[str]:
        return sorted(j for j, seen in self.presence.items() if now - seen <= window)


@dataclass(frozen=True)
class StoredAccount:
    account: Account
    password_hash: str
    failed: int
    lock_count: int
    locked_until: float


def make_client(config: Config):
    """One client per process; botocore clients are thread-safe."""
    boto_cfg = BotoConfig(
        retries={"mode": "standard", "max_attempts": config.max_attempts},
        connect_timeout=config.connect_timeout,
        read_timeout=config.read_timeout,
        max_pool_connections=64,
    )
    return boto3.session.Session().client(
        "dynamodb", region_name=config.region, endpoint_url=config.endpoint_url, config=boto_cfg
    )


def _code(err: ClientError) -> str:
    return err.response.get("Error", {}).get("Code", "")


def _reasons(err: ClientError) -> list[str]:
    return [r.get("Code", "None") for r in err.response.get("CancellationReasons", [])]


class Store:
    def __init__(self, config: Config | None = None, client=None):
        self.config = config or Config.from_env()
        self.client = client or make_client(self.config)
        p = self.config.table_prefix
        self.t = {name: f"{p}{name}" for name in TABLES}
        self._heads: dict[tuple[str, str], tuple[int, str]] = {}

    # ---- plumbing -------------------------------------------------------------------------
    def _call(self, op: str, **kw):
        try:
            return getattr(self.client, op)(**kw)
        except ClientError as e:
            if _code(e) in ("ResourceNotFoundException",):
                raise StagescoreError(
                    "The Stagescore tables do not exist yet: run `python -m engine init`."
                ) from e
            if (
                _code(e) in _TRANSIENT
                or e.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) >= 500
            ):
                raise DatabaseUnavailable("Scoring database unreachable, retrying…") from e
            raise
        except NoCredentialsError as e:
            raise StagescoreError(
                "No AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (any value for "
                "DynamoDB Local), or configure the AWS credential chain."
            ) from e
        except BotoCoreError as e:
            raise DatabaseUnavailable("Scoring database unreachable, retrying…") from e

    def _query_all(self, **kw) -> list[dict]:
        items, start = [], None
        while True:
            if start:
                kw["ExclusiveStartKey"] = start
            out = self._call("query", **kw)
            items.extend(_plain(i) for i in out.get("Items", []))
            start = out.get("LastEvaluatedKey")
            if not start:
                return items

    def _get(self, table: str, consistent: bool = True, **key) -> dict | None:
        out = self._call("get_item", TableName=self.t[table], Key=_key(**key), ConsistentRead=consistent)
        return _plain(out["Item"]) if "Item" in out else None

    def _transact(self, ops: list[dict]) -> None:
        try:
            self._call("transact_write_items", TransactItems=ops)
        except ClientError as e:
            if _code(e) == "TransactionCanceledException":
                raise _Cancelled(_reasons(e)) from e
            raise

    def ping(self) -> None:
        self._call("describe_table", TableName=self.t["TimerStatus"])

    # ---- tables -------------------------------------------------------------------------------
    def create_tables(self, wait: bool = True) -> list[str]:
        """Create any missing table; idempotent. Returns the names created."""
        s = "S"
        specs = {
            "TimerStatus": ([("pk", s, "HASH"), ("sk", s, "RANGE")], {}),
            "performance_status": ([("event_id", s, "HASH"), ("performer_id", s, "RANGE")], {}),
            "PerformersScores": ([("event_id", s, "HASH"), ("sk", s, "RANGE")], {}),
            "judge_credentials": (
                [("email", s, "HASH")],
                {
                    "GlobalSecondaryIndexes": [_index("by_role", "role", "email")],
                    "extra_attrs": [("role", s)],
                },
            ),
            "event_log": (
                [("event_id", s, "HASH"), ("sk", s, "RANGE")],
                {
                    "LocalSecondaryIndexes": [_index("by_time", "event_id", "ts_key")],
                    "extra_attrs": [("ts_key", s)],
                },
            ),
            "sessions": ([("token_hash", s, "HASH")], {}),
        }
        existing, start = set(), {}
        while True:
            out = self._call("list_tables", **start)
            existing.update(out["TableNames"])
            if "LastEvaluatedTableName" not in out:
                break
            start = {"ExclusiveStartTableName": out["LastEvaluatedTableName"]}
        created = []
        for name, (keys, extra) in specs.items():
            table = self.t[name]
            if table in existing:
                continue
            extra = dict(extra)
            attrs = [(k, t) for k, t, _ in keys] + extra.pop("extra_attrs", [])
            try:
                self._call(
                    "create_table",
                    TableName=table,
                    BillingMode="PAY_PER_REQUEST",
                    KeySchema=[{"AttributeName": k, "KeyType": kt} for k, _, kt in keys],
                    AttributeDefinitions=[{"AttributeName": k, "AttributeType": t} for k, t in attrs],
                    **extra,
                )
                created.append(table)
            except ClientError as e:
                if _code(e) != "ResourceInUseException":
                    raise
        if wait:
            waiter = self.client.get_waiter("table_exists")
            for table in created:
                waiter.wait(TableName=table, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
        if "sessions" in [c.removeprefix(self.config.table_prefix) for c in created]:
            try:
                self._call(
                    "update_time_to_live",
                    TableName=self.t["sessions"],
                    TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"},
                )
            except ClientError:
                pass  # TTL only tidies expired sessions; expiry itself is checked on read.
        return created

    # ---- events ---------------------------------------------------------------------------------
    def current_event_id(self) -> str | None:
        item = self._get("TimerStatus", pk=CURRENT, sk=CURRENT)
        return item["event_id"] if item else None

    def list_events(self) -> list[dict]:
        items = self._query_all(
            TableName=self.t["TimerStatus"],
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues=_key(**{":p": EVENTS}),
        )
        return sorted(
            (
                {"event_id": i["sk"], "name": i.get("name", ""), "created_at": float(i["created_at"])}
                for i in items
            ),
            key=lambda d: d["created_at"],
        )

    def create_event(
        self,
        state: EventState,
        settings: Settings,
        performers: Iterable[Performer],
        now: float,
        actor: str,
        previous: EventState | None = None,
    ) -> None:
        """Write a new event and make it current. The previous event is kept, marked superseded."""
        self.put_performers(state.event_id, performers)
        ops = [
            {
                "Put": {
                    "TableName": self.t["TimerStatus"],
                    "Item": _item({"pk": state.event_id, "sk": STATUS, **codec.state_to_item(state)}),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {
                "Put": {
                    "TableName": self.t["TimerStatus"],
                    "Item": _item(
                        {
                            "pk": state.event_id,
                            "sk": SETTINGS,
                            "event_id": state.event_id,
                            "settings": codec.settings_to_json(settings),
                        }
                    ),
                }
            },
            {
                "Put": {
                    "TableName": self.t["TimerStatus"],
                    "Item": _item(
                        {
                            "pk": EVENTS,
                            "sk": state.event_id,
                            "event_id": state.event_id,
                            "name": settings.event_name,
                            "created_at": codec.dec(now),
                        }
                    ),
                }
            },
        ]
        pointer = {
            "Put": {
                "TableName": self.t["TimerStatus"],
                "Item": _item({"pk": CURRENT, "sk": CURRENT, "event_id": state.event_id}),
            }
        }
        if previous is None:
            pointer["Put"]["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            pointer["Put"]["ConditionExpression"] = "event_id = :old"
            pointer["Put"]["ExpressionAttributeValues"] = _key(**{":old": previous.event_id})
            ops.append(
                {
                    "Update": {
                        "TableName": self.t["TimerStatus"],
                        "Key": _key(pk=previous.event_id, sk=STATUS),
                        "UpdateExpression": "SET superseded_by = :new, version = version + :one",
                        "ConditionExpression": "version = :v",
                        "ExpressionAttributeValues": _key(
                            **{":new": state.event_id, ":one": 1, ":v": previous.version}
                        ),
                    }
                }
            )
        ops.append(pointer)
        ops += self._log_ops(
            state.event_id,
            f"admin:{actor}" if actor != "engine" else "engine",
            now,
            actor,
            "event_created",
            {"previous": previous.event_id if previous else None},
        )
        try:
            self._transact(ops)
        except _Cancelled as c:
            raise Conflict(
                "Another event was created or changed at the same time; reload and try again."
            ) from c

    def load_event(self, event_id: str, consistent: bool = True) -> EventBundle | None:
        items = self._query_all(
            TableName=self.t["TimerStatus"],
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues=_key(**{":p": event_id}),
            ConsistentRead=consistent,
        )
        state, settings, presence, flags = None, Settings(), {}, {}
        for i in items:
            sk = i["sk"]
            if sk == STATUS:
                state = codec.state_from_item(i)
            elif sk == SETTINGS:
                settings = codec.settings_from_json(i.get("settings"))
            elif sk.startswith("PRESENCE#"):
                presence[sk[9:]] = float(i["last_seen"])
            elif sk.startswith("FLAG#"):
                flags[sk[5:]] = float(i["raised_at"])
        return EventBundle(state, settings, presence, flags) if state else None

    def load_state(self, event_id: str) -> EventState | None:
        item = self._get("TimerStatus", pk=event_id, sk=STATUS)
        return codec.state_from_item(item) if item else None

    def save_settings(self, event_id: str, settings: Settings, actor: str, now: float) -> None:
        ops = [
            {
                "Put": {
                    "TableName": self.t["TimerStatus"],
                    "Item": _item(
                        {
                            "pk": event_id,
                            "sk": SETTINGS,
                            "event_id": event_id,
                            "settings": codec.settings_to_json(settings),
                        }
                    ),
                }
            },
            {
                "Update": {
                    "TableName": self.t["TimerStatus"],
                    "Key": _key(pk=EVENTS, sk=event_id),
                    "UpdateExpression": "SET #n = :n",
                    "ExpressionAttributeNames": {"#n": "name"},
                    "ExpressionAttributeValues": _key(**{":n": settings.event_name}),
                }
            },
        ]
        ops += self._log_ops(
            event_id,
            f"admin:{actor}",
            now,
            actor,
            "settings_changed",
            {"settings": codec.settings_to_json(settings)},
        )
        self._transact_retrying(ops_builder=lambda: ops, what="settings")

    def write_step(
        self,
        old_version: int,
        step: Step,
        actor: str,
        lease_owner: str | None = None,
        now: float | None = None,
    ) -> None:
        """Write one state change, conditional on the version read (and on holding the lease).

        Raises Conflict when the state moved on, or the lease is no longer ours."""
        state = step.state
        stream = "engine" if lease_owner else f"admin:{actor}"
        ops = []
        if lease_owner:
            ops.append(
                {
                    "ConditionCheck": {
                        "TableName": self.t["TimerStatus"],
                        "Key": _key(pk=LEASE, sk=LEASE),
                        "ConditionExpression": "#o = :me AND expires > :now",
                        "ExpressionAttributeNames": {"#o": "owner"},
                        "ExpressionAttributeValues": _key(
                            **{":me": lease_owner, ":now": codec.dec(now or time.time())}
                        ),
                    }
                }
            )
        ops.append(
            {
                "Put": {
                    "TableName": self.t["TimerStatus"],
                    "Item": _item({"pk": state.event_id, "sk": STATUS, **codec.state_to_item(state)}),
                    "ConditionExpression": "version = :v AND attribute_not_exists(superseded_by)",
                    "ExpressionAttributeValues": _key(**{":v": old_version}),
                }
            }
        )
        for pid, status in step.performer_updates.items():
            times = ""
            values = {":s": status.value}
            if status is PerformerStatus.PERFORMING:
                times = ", started_at = :t"
                values[":t"] = codec.dec(step.at)
            elif status in (PerformerStatus.DONE, PerformerStatus.SKIPPED):
                times = ", ended_at = :t"
                values[":t"] = codec.dec(step.at)
            ops.append(
                {
                    "Update": {
                        "TableName": self.t["performance_status"],
                        "Key": _key(event_id=state.event_id, performer_id=pid),
                        "UpdateExpression": "SET #s = :s" + times,
                        "ExpressionAttributeNames": {"#s": "status"},
                        "ExpressionAttributeValues": _key(**values),
                    }
                }
            )
        data = {
            **step.detail,
            "phase": state.phase.value,
            "performer_id": state.performer_id,
            "window_id": state.window_id,
            "deadline": state.deadline,
            "paused": state.paused,
            "version": state.version,
            "written_at": round(time.time(), 6),
        }
        if lease_owner:
            data["lease_owner"] = lease_owner  # which engine wrote it: audits a takeover
        log_ops = self._log_ops(
            state.event_id, stream, step.at, actor, step.kind, data, cached=bool(lease_owner)
        )
        try:
            self._transact(ops + log_ops)
        except _Cancelled as c:
            self._heads.pop((state.event_id, stream), None)
            raise Conflict("The event changed meanwhile; the command was not applied, try again.") from c
        if lease_owner:
            new = log_ops[-1]["Put"]["Item"]
            self._heads[(state.event_id, stream)] = (int(new["seq"]["N"]), new["hash"]["S"])

    # ---- log ------------------------------------------------------------------------------------
    def _head(self, event_id: str, stream: str) -> tuple[int, str]:
        item = self._get("event_log", event_id=event_id, sk=f"HEAD#{stream}")
        return (int(item["seq"]), item["hash"]) if item else (0, GENESIS)

    def _log_ops(
        self, event_id: str, stream: str, ts: float, actor: str, kind: str, data: dict, cached: bool = False
    ) -> list[dict]:
        """The entry and the head update. `cached`: this process is the stream's only writer (the lease
        holder), so the head it last wrote is the head; a refused write drops the cached head."""
        head = self._heads.get((event_id, stream)) if cached else None
        seq, prev = head or self._head(event_id, stream)
        e = eventlog.make_entry(event_id, stream, seq, prev, ts, actor, kind, data)
        head_cond = "attribute_not_exists(sk)" if seq == 0 else "seq = :seq"
        head_update = {
            "Put": {
                "TableName": self.t["event_log"],
                "Item": _item({"event_id": event_id, "sk": f"HEAD#{stream}", "seq": e.seq, "hash": e.hash}),
                "ConditionExpression": head_cond,
            }
        }
        if seq:
            head_update["Put"]["ExpressionAttributeValues"] = _key(**{":seq": seq})
        return [
            {
                "Put": {
                    "TableName": self.t["event_log"],
                    "Item": _item(
                        {
                            "event_id": event_id,
                            "sk": f"{stream}#{e.seq:09d}",
                            "ts_key": f"{ts:017.6f}#{stream}#{e.seq:09d}",
                            "stream": stream,
                            "seq": e.seq,
                            "ts": codec.dec(ts),
                            "actor": actor,
                            "kind": kind,
                            "data": e.data,
                            "prev": e.prev,
                            "hash": e.hash,
                        }
                    ),
                    "ConditionExpression": "attribute_not_exists(sk)",
                }
            },
            head_update,
        ]

    def _transact_retrying(self, ops_builder, what: str, attempts: int = 8) -> None:
        for attempt in range(attempts):
            try:
                self._transact(ops_builder())
                return
            except _Cancelled:
                time.sleep(random.uniform(0, 0.01 * (2**attempt)))
        raise Conflict(f"Too many simultaneous changes to the {what}; please try again.")

    def append_log(self, event_id: str, stream: str, ts: float, actor: str, kind: str, data: dict) -> None:
        self._transact_retrying(lambda: self._log_ops(event_id, stream, ts, actor, kind, data), "event log")

    def log_entries(self, event_id: str) -> tuple[list[LogEntry], dict[str, tuple[int, str]]]:
        items = self._query_all(
            TableName=self.t["event_log"],
            KeyConditionExpression="event_id = :e",
            ExpressionAttributeValues=_key(**{":e": event_id}),
            ConsistentRead=True,
        )
        entries, heads = [], {}
        for i in items:
            if i["sk"].startswith("HEAD#"):
                heads[i["sk"][5:]] = (int(i["seq"]), i["hash"])
            else:
                entries.append(
                    LogEntry(
                        i["event_id"],
                        i["stream"],
                        int(i["seq"]),
                        float(i["ts"]),
                        i["actor"],
                        i["kind"],
                        i["data"],
                        i["prev"],
                        i["hash"],
                    )
                )
        entries.sort(key=lambda e: (e.ts, e.stream, e.seq))
        return entries, heads

    def recent_log(self, event_id: str, limit: int = 100) -> list[LogEntry]:
        out = self._call(
            "query",
            TableName=self.t["event_log"],
            IndexName="by_time",
            KeyConditionExpression="event_id = :e",
            ExpressionAttributeValues=_key(**{":e": event_id}),
            ScanIndexForward=False,
            Limit=limit,
        )
        return [
            LogEntry(
                i["event_id"],
                i["stream"],
                int(i["seq"]),
                float(i["ts"]),
                i["actor"],
                i["kind"],
                i["data"],
                i["prev"],
                i["hash"],
            )
            for i in (_plain(x) for x in out.get("Items", []))
        ]

    # ---- performers -----------------------------------------------------------------------------
    def put_performers(self, event_id: str, performers: Iterable[Performer]) -> None:
        requests = [{"PutRequest": {"Item": _item(codec.performer_to_item(event_id, p))}} for p in performers]
        self._batch_write("performance_status", requests)

    def delete_performers(self, event_id: str, performer_ids: Iterable[str]) -> None:
        requests = [
            {"DeleteRequest": {"Key": _key(event_id=event_id, performer_id=pid)}} for pid in performer_ids
        ]
        self._batch_write("performance_status", requests)

    def _batch_write(self, table: str, requests: list[dict]) -> None:
        for i in range(0, len(requests), 25):
            pending = {self.t[table]: requests[i : i + 25]}
            for attempt in range(10):
                out = self._call("batch_write_item", RequestItems=pending)
                pending = out.get("UnprocessedItems") or {}
                if not pending:
                    break
                time.sleep(0.05 * (attempt + 1))
            if pending:
                raise DatabaseUnavailable("The database did not accept every performer; try again.")

    def list_performers(self, event_id: str) -> list[Performer]:
        items = self._query_all(
            TableName=self.t["performance_status"],
            KeyConditionExpression="event_id = :e",
            ExpressionAttributeValues=_key(**{":e": event_id}),
        )
        return sorted((codec.performer_from_item(i) for i in items), key=lambda p: (p.order, p.performer_id))

    # ---- presence and help flags -------------------------------------------------------------------
    def heartbeat(self, event_id: str, email: str, now: float) -> None:
        self._call(
            "put_item",
            TableName=self.t["TimerStatus"],
            Item=_item(
                {"pk": event_id, "sk": f"PRESENCE#{email}", "event_id": event_id, "last_seen": codec.dec(now)}
            ),
        )

    def set_flag(self, event_id: str, email: str, now: float, raised: bool) -> None:
        key = {"pk": event_id, "sk": f"FLAG#{email}"}
        if raised:
            self._call(
                "put_item",
                TableName=self.t["TimerStatus"],
                Item=_item({**key, "event_id": event_id, "raised_at": codec.dec(now)}),
            )
        else:
            self._call("delete_item", TableName=self.t["TimerStatus"], Key=_key(**key))

    # ---- scores ---------------------------------------------------------------------------------
    def list_scores(
        self, event_id: str, performer_id: str | None = None, consistent: bool = False
    ) -> list[Score]:
        prefix = f"S#{performer_id}#" if performer_id else "S#"
        items = self._query_all(
            TableName=self.t["PerformersScores"],
            KeyConditionExpression="event_id = :e AND begins_with(sk, :p)",
            ExpressionAttributeValues=_key(**{":e": event_id, ":p": prefix}),
            ConsistentRead=consistent,
        )
        return [_score_from(i) for i in items]

    def score_history(self, event_id: str) -> list[dict]:
        items = self._query_all(
            TableName=self.t["PerformersScores"],
            KeyConditionExpression="event_id = :e AND begins_with(sk, :p)",
            ExpressionAttributeValues=_key(**{":e": event_id, ":p": "H#"}),
        )
        return sorted(items, key=lambda i: float(i["at"]))

    def submit_score(
        self,
        event_id: str,
        performer_id: str,
        judge: str,
        values: dict[str, Decimal],
        total: Decimal,
        window_id: int,
        request_id: str,
        now_fn=time.time,
    ) -> tuple[Score, bool]:
        """Store a judge's score iff DynamoDB says, at commit, that the window is open.

        Returns (score, replayed): replayed is True when this request id was already applied."""
        sk = f"S#{performer_id}#{judge}"
        for attempt in range(12):
            done = self._get("PerformersScores", event_id=event_id, sk=f"R#{request_id}")
            if done:
                return _score_from(done), True
            current = self._get("PerformersScores", event_id=event_id, sk=sk)
            rev = int(current["revision"]) if current else 0
            now = now_fn()
            first = float(current["first_submitted_at"]) if current else now
            new = {
                "event_id": event_id,
                "performer_id": performer_id,
                "judge": judge,
                "values": dict(values),
                "total": total,
                "revision": rev + 1,
                "submitted_at": codec.dec(now),
                "first_submitted_at": codec.dec(first),
                "window_id": window_id,
                "request_id": request_id,
            }
            old_values = {k: str(v) for k, v in (current or {}).get("values", {}).items()} or None
            ops = [
                {
                    "ConditionCheck": {
                        "TableName": self.t["TimerStatus"],
                        "Key": _key(pk=event_id, sk=STATUS),
                        "ConditionExpression": "#ph = :scoring AND performer_id = :p AND window_id = :w "
                        "AND (paused = :t OR deadline > :now) AND attribute_not_exists(superseded_by)",
                        "ExpressionAttributeNames": {"#ph": "phase"},
                        "ExpressionAttributeValues": _key(
                            **{
                                ":scoring": "SCORING",
                                ":p": performer_id,
                                ":w": window_id,
                                ":t": True,
                                ":now": codec.dec(now),
                            }
                        ),
                    }
                },
                {
                    "Put": {
                        "TableName": self.t["PerformersScores"],
                        "Item": _item({**new, "sk": sk}),
                        "ConditionExpression": "revision = :r" if rev else "attribute_not_exists(sk)",
                        **({"ExpressionAttributeValues": _key(**{":r": rev})} if rev else {}),
                    }
                },
                {
                    "Put": {
                        "TableName": self.t["PerformersScores"],
                        "Item": _item(
                            {
                                "event_id": event_id,
                                "sk": f"H#{performer_id}#{judge}#{rev + 1:05d}",
                                "performer_id": performer_id,
                                "judge": judge,
                                "revision": rev + 1,
                                "old": old_values,
                                "new": {k: str(v) for k, v in values.items()},
                                "at": codec.dec(now),
                                "request_id": request_id,
                            }
                        ),
                        "ConditionExpression": "attribute_not_exists(sk)",
                    }
                },
                {
                    "Put": {
                        "TableName": self.t["PerformersScores"],
                        "Item": _item({**new, "sk": f"R#{request_id}"}),
                        "ConditionExpression": "attribute_not_exists(sk)",
                    }
                },
            ]
            ops += self._log_ops(
                event_id,
                f"judge:{judge}",
                now,
                judge,
                "score_revised" if rev else "score_submitted",
                {
                    "performer_id": performer_id,
                    "window_id": window_id,
                    "old": old_values,
                    "new": {k: str(v) for k, v in values.items()},
                    "total": str(total),
                    "revision": rev + 1,
                    "request_id": request_id,
                },
            )
            try:
                self._transact(ops)
                return _score_from({**new, "sk": sk}), False
            except _Cancelled as c:
                if c.reasons and c.reasons[0] == "ConditionalCheckFailed":
                    raise ScoreRefused("Scoring for this performer is closed.") from c
                time.sleep(random.uniform(0, min(0.2, 0.005 * (2**attempt))))
        raise Conflict("Too many submissions at once for this score; please submit again.")

    # ---- accounts -------------------------------------------------------------------------------
    def put_account(self, account: Account, password_hash: str, create_only: bool = False) -> None:
        kw = {"ConditionExpression": "attribute_not_exists(email)"} if create_only else {}
        try:
            self._call(
                "put_item",
                TableName=self.t["judge_credentials"],
                Item=_item(
                    {
                        "email": account.email,
                        "name": account.name,
                        "role": account.role.value,
                        "weight": account.weight,
                        "active": account.active,
                        "password_hash": password_hash,
                        "failed": 0,
                        "lock_count": 0,
                        "locked_until": Decimal(0),
                    }
                ),
                **kw,
            )
        except ClientError as e:
            if _code(e) == "ConditionalCheckFailedException":
                raise Conflict(f"An account for {account.email} already exists.") from e
            raise

    def get_account(self, email: str) -> StoredAccount | None:
        i = self._get("judge_credentials", email=email)
        return _account_from(i) if i else None

    def list_accounts(self, role: Role | None = None) -> list[Account]:
        roles = [role] if role else list(Role)
        out = []
        for r in roles:
            items = self._query_all(
                TableName=self.t["judge_credentials"],
                IndexName="by_role",
                KeyConditionExpression="#r = :r",
                ExpressionAttributeNames={"#r": "role"},
                ExpressionAttributeValues=_key(**{":r": r.value}),
            )
            out += [_account_from(i).account for i in items]
        return out

    def update_account(self, email: str, **fields) -> None:
        names = {f"#{k}": k for k in fields}
        values = {f":{k}": v for k, v in fields.items()}
        try:
            self._call(
                "update_item",
                TableName=self.t["judge_credentials"],
                Key=_key(email=email),
                UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in fields),
                ConditionExpression="attribute_exists(email)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=_key(**values),
            )
        except ClientError as e:
            if _code(e) == "ConditionalCheckFailedException":
                raise StagescoreError(f"There is no account for {email}.") from e
            raise

    # ---- sessions -------------------------------------------------------------------------------
    def put_session(self, token_hash: str, email: str, role: Role, expires_at: float) -> None:
        self._call(
            "put_item",
            TableName=self.t["sessions"],
            Item=_item(
                {"token_hash": token_hash, "email": email, "role": role.value, "expires_at": int(expires_at)}
            ),
        )

    def get_session(self, token_hash: str) -> dict | None:
        return self._get("sessions", consistent=False, token_hash=token_hash)

    def delete_session(self, token_hash: str) -> None:
        self._call("delete_item", TableName=self.t["sessions"], Key=_key(token_hash=token_hash))

    # ---- lease ----------------------------------------------------------------------------------
    def _lease_update(self, update: str, condition: str, values: dict) -> bool:
        """A conditional update of the lease item; False when the condition does not hold."""
        try:
            self._call(
                "update_item",
                TableName=self.t["TimerStatus"],
                Key=_key(pk=LEASE, sk=LEASE),
                UpdateExpression=update,
                ConditionExpression=condition,
                ExpressionAttributeNames={"#o": "owner"},
                ExpressionAttributeValues=_key(**values),
            )
            return True
        except ClientError as e:
            if _code(e) == "ConditionalCheckFailedException":
                return False
            raise

    def acquire_lease(self, owner: str, now: float, seconds: float) -> bool:
        """Take the lease if it is free, expired or already ours."""
        return self._lease_update(
            "SET #o = :me, expires = :exp, event_id = :e ADD fencing :one",
            "attribute_not_exists(pk) OR expires < :now OR #o = :me",
            {":me": owner, ":exp": codec.dec(now + seconds), ":now": codec.dec(now), ":one": 1, ":e": "*"},
        )

    def renew_lease(self, owner: str, now: float, seconds: float) -> bool:
        return self._lease_update(
            "SET expires = :exp",
            "#o = :me AND expires > :now",
            {":me": owner, ":exp": codec.dec(now + seconds), ":now": codec.dec(now)},
        )

    def release_lease(self, owner: str) -> None:
        self._lease_update("SET expires = :zero", "#o = :me", {":me": owner, ":zero": Decimal(0)})

    def lease(self) -> dict | None:
        return self._get("TimerStatus", pk=LEASE, sk=LEASE)


class _Cancelled(Exception):
    def __init__(self, reasons: list[str]):
        super().__init__(", ".join(reasons))
        self.reasons = reasons


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
    )


def _account_from(i: dict) -> StoredAccount:
    return StoredAccount(
        account=Account(
            email=i["email"],
            name=i.get("name", ""),
            role=Role(i["role"]),
            weight=Decimal(i.get("weight", 1)),
            active=bool(i.get("active", True)),
        ),
        password_hash=i["password_hash"],
        failed=int(i.get("failed", 0)),
        lock_count=int(i.get("lock_count", 0)),
        locked_until=float(i.get("locked_until", 0)),
    )
