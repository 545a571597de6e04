"""The store against DynamoDB Local: writes that belong together land together or not at all."""

from __future__ import annotations

from dataclasses import replace

import pytest

from engine.domain.model import Conflict, Settings, Step
from engine.domain.roster import build_roster
from engine.store import tx
from tests.support.events import seed_event

# 5 rows fit in the state change's own transaction; 150 do not (DynamoDB: 100 operations at most).
SIZES = [5, 150]


def _move_state_on(svc, clock) -> None:
    """Another writer changes the event after the caller read it."""
    state = svc.bundle().state
    step = Step(replace(state, version=state.version + 1), clock.now, "someone_else")
    svc.store.events.write_step(state.version, step, "other", clock.now)


def _rows(svc) -> list[tuple]:
    table = svc.store.tables.performers
    items = svc.store.client.boto.scan(TableName=table, ConsistentRead=True)["Items"]
    return sorted(
        (i["event_id"]["S"], i["performer_id"]["S"], i["name"]["S"], i["category"]["S"]) for i in items
    )


@pytest.mark.parametrize("size", SIZES)
def test_a_roster_refused_by_a_conflict_leaves_no_orphan_or_altered_row(svc, clock, monkeypatch, size):
    tokens = seed_event(svc, performers=3)
    before = _rows(svc)
    stale = svc.bundle()
    _move_state_on(svc, clock)
    monkeypatch.setattr(svc, "bundle", lambda event_id=None: stale)
    rows = [{"name": "Performer 1", "order": 1, "category": "Changed"}]
    rows += [{"name": f"New {i}", "order": i + 2} for i in range(size)]
    with pytest.raises(Conflict):
        svc.set_roster(tokens["admin@test.local"], rows)
    assert _rows(svc) == before


@pytest.mark.parametrize("size", SIZES)
def test_a_roster_change_replaces_the_rows_in_one_go(svc, clock, size):
    tokens = seed_event(svc, performers=3)
    rows = [{"name": "Performer 2", "order": 1}] + [{"name": f"New {i}", "order": i + 2} for i in range(size)]
    saved = svc.set_roster(tokens["admin@test.local"], rows)
    eid = svc.event_id()
    assert [p.name for p in svc.store.performers.list(eid)] == [p.name for p in saved]
    assert svc.bundle().state.order == tuple(p.performer_id for p in saved)


@pytest.mark.parametrize("size", SIZES)
def test_an_event_refused_by_a_conflict_leaves_no_performer_rows(svc, clock, monkeypatch, size):
    seed_event(svc, performers=3)
    before = _rows(svc)
    stale = svc.bundle().state
    _move_state_on(svc, clock)
    monkeypatch.setattr(svc.store.events, "state", lambda event_id: stale)
    roster = build_roster([{"name": f"Act {i}", "order": i + 1} for i in range(size)])
    with pytest.raises(Conflict):
        svc.create_event(Settings(), roster)
    assert _rows(svc) == before
    assert len(svc.store.events.all()) == 1


def test_a_cancelled_transaction_names_the_operation_that_failed(svc, clock):
    seed_event(svc)
    table = svc.store.tables.status
    eid = svc.event_id()
    transaction = tx.Transaction(
        svc.store.client,
        [
            tx.put("scratch", table, {"pk": "scratch", "sk": "x"}),
            tx.condition_check("state", table, {"pk": eid, "sk": "STATUS"}, "version = :v", {":v": -1}),
        ],
    )
    with pytest.raises(tx.Cancelled) as info:
        transaction.commit()
    assert info.value.failed("state") and not info.value.failed("scratch")
    assert svc.store.client.get(table, {"pk": "scratch", "sk": "x"}) is None


def test_creating_the_tables_lists_only_around_them_however_many_others_there_are(
    dynamodb_endpoint, table_prefix, monkeypatch
):
    """A test session's database holds thousands of tables (a fresh set per test): making a set, or
    finding it made, lists one page around its names, not every table there is."""
    from engine.config import Config
    from engine.store import Store
    from engine.store.client import Client

    monkeypatch.setenv("STAGESCORE_TABLE_PREFIX", table_prefix)
    store = Store(Config.from_env())
    boto = store.client.boto
    key = {"AttributeName": "pk", "AttributeType": "S"}
    for name in [f"{table_prefix}A{i:03d}" for i in range(110)] + [
        f"{table_prefix}z{i:03d}" for i in range(110)
    ]:
        boto.create_table(  # others sorting before and after this set's names, more than a page of each
            TableName=name,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[key],
            BillingMode="PAY_PER_REQUEST",
        )
    calls: list[str] = []
    real = Client.call
    monkeypatch.setattr(Client, "call", lambda self, op, /, **kw: calls.append(op) or real(self, op, **kw))

    created = store.create_tables()
    assert len(created) == 8 and calls.count("list_tables") == 1, calls
    calls.clear()
    assert store.create_tables() == []
    assert calls == ["list_tables"]  # every table found by the listing: none created again
