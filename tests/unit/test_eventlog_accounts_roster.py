"""Pure pieces: the log's hash chain, password and lockout rules, roster validation and statuses."""

from dataclasses import replace

import pytest

from engine.domain import accounts, eventlog, roster, rules
from engine.domain.model import (
    Command,
    CommandKind,
    EventState,
    InvalidInput,
    Performer,
    PerformerStatus,
    Phase,
    Settings,
)
from engine.store.codec import settings_from_json, settings_to_json, state_from_item, state_to_item


def chain(n: int, stream: str = "engine") -> list[eventlog.LogEntry]:
    out, seq, prev = [], 0, eventlog.GENESIS
    for i in range(n):
        e = eventlog.make_entry("e1", stream, seq, prev, 100.0 + i, "engine", "tick", {"i": i})
        out.append(e)
        seq, prev = e.seq, e.hash
    return out


def heads(entries):
    return {entries[-1].stream: (entries[-1].seq, entries[-1].hash)}


def test_intact_chain_verifies():
    entries = chain(5) + chain(3, "judge:a")
    h = {**heads(entries[:5]), **heads(entries[5:])}
    assert eventlog.verify(entries, h) == []


def test_edited_entry_is_detected():
    entries = chain(5)
    entries[2] = replace(entries[2], data='{"i":99}')
    assert any("altered" in p for p in eventlog.verify(entries, heads(entries)))


def test_deleted_entry_is_detected():
    entries = chain(5)
    del entries[1]
    assert any("missing" in p for p in eventlog.verify(entries, heads(entries)))


def test_deleted_tail_is_detected_by_the_head():
    entries = chain(5)
    h = heads(entries)
    assert any("head" in p for p in eventlog.verify(entries[:-1], h))


def test_password_hash_is_argon2id_and_verifies():
    h = accounts.hash_password("correct horse")
    assert h.startswith("$argon2id$")
    assert "m=19456,t=2,p=1" in h
    assert accounts.verify_password(h, "correct horse")
    assert not accounts.verify_password(h, "wrong horse!")
    assert not accounts.verify_password(None, "correct horse")


def test_token_is_stored_hashed():
    token, digest = accounts.new_token()
    assert token != digest and accounts.token_hash(token) == digest and len(token) >= 40


@pytest.mark.parametrize(
    "email", ["", "   ", "no-at-sign", "a@b", "x" * 300 + "@demo.local", "a b@demo.local"]
)
def test_bad_email_is_refused(email):
    with pytest.raises(InvalidInput):
        accounts.normalise_email(email)


def test_roster_from_rows_sorted_by_order_with_stable_ids():
    rows = [{"name": "B", "order": "2"}, {"name": "A", "order": "1", "category": "Dance"}]
    r = roster.build_roster(rows)
    assert [(p.name, p.order, p.category) for p in r] == [("A", 1, "Dance"), ("B", 2, "")]
    again = roster.build_roster(rows + [{"name": "C", "order": 3}], {p.name: p.performer_id for p in r})
    assert {p.name: p.performer_id for p in again}["A"] == r[0].performer_id
    assert len({p.performer_id for p in again}) == 3


@pytest.mark.parametrize(
    "text,match",
    [
        ("order\n1\n", "missing the column"),
        ("name\nA\n", "missing the column"),
        ("", "empty"),
        ("name,order\nA,1\na,2\n", "appears twice"),
        ("name,order\n,1\n", "needs a name"),
        ("name,order\n   ,1\n", "needs a name"),
        ("name,order\nA,first\n", "whole number"),
        ("name,order\nA,1.5\n", "whole number"),
        ("name,order\nA,-3\n", "whole number"),
        ("name,order\n" + "x" * 101 + ",1\n", "at most 100"),
        ("name,order\n", "empty"),
    ],
)
def test_bad_roster_csv_is_refused_with_a_reason(text, match):
    with pytest.raises(InvalidInput, match=match):
        roster.build_roster(roster.parse_csv(text))


def test_roster_of_ten_thousand_rows_is_refused():
    text = "name,order\n" + "".join(f"P{i},{i}\n" for i in range(1, 10001))
    with pytest.raises(InvalidInput, match="at most"):
        roster.build_roster(roster.parse_csv(text))


def test_roster_keeps_html_and_rtl_names_as_given():
    r = roster.build_roster(roster.parse_csv("name,order\n<script>alert(1)</script>,1\nשלום עולם,2\n"))
    assert [p.name for p in r] == ["<script>alert(1)</script>", "שלום עולם"]


def test_csv_bytes_must_be_utf8():
    with pytest.raises(InvalidInput, match="UTF-8"):
        roster.parse_csv(b"name,order\n\xff\xfe,1\n")


@pytest.mark.parametrize("value", ['=HYPERLINK("http://x","y")', "+1", "-1", "@SUM(A1)"])
def test_export_cells_never_start_a_formula(value):
    assert roster.safe_cell(value).startswith("'")


def test_state_and_settings_round_trip():
    s = EventState("e1", Phase.SCORING, ("a", "b"), 1, 4, 10.5, 40.25, False, None, 7, 1.0)
    assert state_from_item(state_to_item(s)) == s
    st = Settings(perform_seconds=2, score_seconds=3, auto_close=True)
    assert settings_from_json(settings_to_json(st)) == st


def _rows(order):
    return [Performer(pid, pid.upper(), i) for i, pid in enumerate(order, 1)]


def _written(performers, step):
    """The roster as a step's transaction leaves it (the statuses it writes)."""
    return [replace(p, status=step.performer_updates.get(p.performer_id, p.status)) for p in performers]


def test_the_on_stage_status_is_the_one_every_same_performer_step_writes():
    """The live feed shows a window's flip before it reads the roster again (engine/service/feed.py): the
    status it gives the performer on stage must be the one the step wrote, for every step that keeps them."""
    settings = Settings(perform_seconds=10, score_seconds=30)
    state = EventState("e1", Phase.LOBBY, order=("a", "b"))
    start = rules.apply_command(state, settings, Command(CommandKind.START, force=True), 0.0, 0)
    performers = _written(_rows(state.order), start)
    state, kept = start.state, 0
    commands = [
        CommandKind.PAUSE,
        CommandKind.RESUME,
        CommandKind.EXTEND,
        CommandKind.DONE,
        CommandKind.PAUSE,
    ]
    for now, kind in enumerate(commands, 1):
        step = rules.apply_command(state, settings, Command(kind, seconds=5), float(now), 0)
        assert step.state.performer_id == state.performer_id
        performers = _written(performers, step)
        assert roster.on_stage_as_of(performers, step.state) == performers, (kind, step.performer_updates)
        state, kept = step.state, kept + 1
    assert state.phase is Phase.SCORING and kept == len(commands)
    (opened,) = rules.due_steps(start.state, settings, start.state.deadline, 0)
    written = _written(_written(_rows(state.order), start), opened)
    assert roster.on_stage_as_of(_written(_rows(state.order), start), opened.state) == written
    assert [p.status for p in written] == [PerformerStatus.SCORING, PerformerStatus.WAITING]
