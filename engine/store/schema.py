"""The tables, their keys and indexes, and `create_tables`.

Tables (each name prefixed with STAGESCORE_TABLE_PREFIX):
  TimerStatus         pk, sk: (event_id, STATUS) the state; (event_id, SETTINGS); (event_id, PRESENCE#email);
                      (event_id, FLAG#email); (CURRENT, CURRENT) -> the main stage's current event,
                      (CURRENT, STAGE#id) another stage's; (EVENTS, event_id); (STAGES, stage_id);
                      (LEASE, LEASE) the main stage's lease, (LEASE, STAGE#id) another stage's;
                      (LEASE, ENGINE#owner) each engine's last_seen; (event_id, VOTE#key) an audience
                      vote's window, (event_id, VOTES) its reveal, (VOTER, SECRET) (engine/store/votes.py);
                      (ON_AIR, stage_id) the stage's overlays and projector (engine/store/on_air.py);
                      (WEBHOOKS, hook#stage) a webhook's progress on a stage (engine/store/webhooks.py)
  performance_status  event_id, performer_id
  PerformersScores    event_id, sk: S#performer#judge (current) | H#performer#judge#rev (history)
                      | R#request_id (idempotency)
  judge_credentials   email; GSI by_role (role, email)
  event_log           event_id, sk: stream#seq | HEAD#stream; LSI by_time (event_id, ts_key)
  sessions            token_hash (with the device, first and last seen, and why it ended)
  logins              pk, sk: throttling, failed logins, login links, devices, sessions by account
                      (engine/store/logins.py); (APIKEYS, key id) the read API's keys (store/apikeys.py)
  audience_votes      pk event_id#window, sk: D#device (a vote) | S#n (a counter shard) (store/votes.py)
Every hot path is a GetItem or a Query.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from engine.domain.stages import MAIN
from engine.store.client import Client, StoreError

# Sort keys of the TimerStatus items that are not per judge.
STATUS, SETTINGS, CURRENT, EVENTS, LEASE = "STATUS", "SETTINGS", "CURRENT", "EVENTS", "LEASE"
STAGES = "STAGES"
ON_AIR = "ON_AIR"  # (ON_AIR, stage_id): what goes on air on that stage (store/on_air.py)


def per_stage(pk: str, stage: str) -> dict:
    """The key of a stage's current-event pointer (pk CURRENT) or lease (pk LEASE): the main stage keeps
    the keys a deployment without stages always used, so its data needs no migration."""
    return {"pk": pk, "sk": pk if stage == MAIN else f"STAGE#{stage}"}


@dataclass(frozen=True)
class TableNames:
    """The full (prefixed) name of each table, by what it holds."""

    status: str = "TimerStatus"
    performers: str = "performance_status"
    scores: str = "PerformersScores"
    accounts: str = "judge_credentials"
    log: str = "event_log"
    sessions: str = "sessions"
    logins: str = "logins"
    votes: str = "audience_votes"

    @classmethod
    def with_prefix(cls, prefix: str) -> TableNames:
        return cls(**{f.name: f"{prefix}{f.default}" for f in fields(cls)})


def _index(name: str, hash_key: str, range_key: str) -> dict:
    return {
        "IndexName": name,
        "KeySchema": [
            {"AttributeName": hash_key, "KeyType": "HASH"},
            {"AttributeName": range_key, "KeyType": "RANGE"},
        ],
        "Projection": {"ProjectionType": "ALL"},
    }


def _spec(keys: list[tuple[str, str]], extra_attrs: tuple[str, ...] = (), **indexes) -> dict:
    """A create_table request: keys as (name, HASH|RANGE); every key and index attribute is a string."""
    attrs = [k for k, _ in keys] + list(extra_attrs)
    return {
        "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [{"AttributeName": k, "KeyType": kind} for k, kind in keys],
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in attrs],
        **indexes,
    }


def table_specs(tables: TableNames) -> dict[str, dict]:
    pk_sk = [("pk", "HASH"), ("sk", "RANGE")]
    event_sk = [("event_id", "HASH"), ("sk", "RANGE")]
    return {
        tables.status: _spec(pk_sk),
        tables.performers: _spec([("event_id", "HASH"), ("performer_id", "RANGE")]),
        tables.scores: _spec(event_sk),
        tables.accounts: _spec(
            [("email", "HASH")], ("role",), GlobalSecondaryIndexes=[_index("by_role", "role", "email")]
        ),
        tables.log: _spec(
            event_sk, ("ts_key",), LocalSecondaryIndexes=[_index("by_time", "event_id", "ts_key")]
        ),
        tables.sessions: _spec([("token_hash", "HASH")]),
        tables.logins: _spec(pk_sk),
        tables.votes: _spec(pk_sk),
    }


def _existing(client: Client, wanted: set[str]) -> set[str]:
    """Which of `wanted` exist. The listing starts just before the first of them and stops once past the
    last (ListTables names tables in order): a test session's database holds thousands of tables, a fresh
    set per test, and listing them all cost a request per hundred, so each set took longer than the last.
    A name missed would only be created again, which "already exists" answers harmlessly."""
    first, last = min(wanted), max(wanted)
    start = {"ExclusiveStartTableName": first[:-1]} if len(first) > 3 else {}
    found: set[str] = set()
    while True:
        out = client.call("list_tables", **start)
        names = out["TableNames"]
        found.update(n for n in names if n in wanted)
        if "LastEvaluatedTableName" not in out or (names and names[-1] >= last):
            return found
        start = {"ExclusiveStartTableName": out["LastEvaluatedTableName"]}


def create_tables(client: Client, tables: TableNames, wait: bool = True) -> list[str]:
    """Create any missing table; idempotent. Returns the names created."""
    specs = table_specs(tables)
    existing = _existing(client, set(specs))
    created = []
    for table, spec in specs.items():
        if table in existing:
            continue
        # Another process creating the same table at the same moment is fine: it exists either way.
        if client.call("create_table", tolerate={"ResourceInUseException"}, TableName=table, **spec):
            created.append(table)
    if wait:
        waiter = client.boto.get_waiter("table_exists")
        for table in created:
            waiter.wait(TableName=table, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    for table, attribute in ((tables.sessions, "expires_at"), (tables.logins, "ttl")):
        if table not in created:
            continue
        try:
            client.call(
                "update_time_to_live",
                TableName=table,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": attribute},
            )
        except StoreError:
            pass  # TTL only tidies expired items; every expiry is also checked on read.
    return created
