"""The bad-input catalogue: every case gets a clear one-sentence message and changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.config import Config
from engine.domain import rules
from engine.domain.model import (
    Command,
    CommandKind,
    CommandRefused,
    Criterion,
    InvalidInput,
    NotAllowed,
    Settings,
    StagescoreError,
)
from engine.service.core import Service
from engine.store import Store, codec
from tests.support.events import PASSWORD, FakeClock, seed_event

SCORES = [
    "nan",
    "NaN",
    "inf",
    "-inf",
    "Infinity",
    "-1",
    "11",
    "10.01",
    "1e309",
    "-1e309",
    "abc",
    "",
    "   ",
    "10.05",
    "7.55",
    "x" * 10000,
    "1,5",
    "0x10",
    "--1",
    "5 5",
    None,
    True,
    [],
    {"v": 1},
]

CSVS = [
    ("order\n1\n", "missing the column"),
    ("name\nA\n", "missing the column"),
    ("", "empty"),
    ("name,order\n", "empty"),
    ("name,order\nA,1\nA,2\n", "twice"),
    ("name,order\nA,1\n a ,2\n", "twice"),
    ("name,order\n,1\n", "needs a name"),
    ("name,order\nA,one\n", "whole number"),
    ("name,order\nA,0\n", "whole number"),
    ("name,order\nA,2.5\n", "whole number"),
    ("name,order\n" + "N" * 101 + ",1\n", "at most 100"),
    ("name,order,category\nA,1," + "c" * 61 + "\n", "at most 60"),
    ("name,order\n" + "".join(f"P{i},{i}\n" for i in range(1, 10001)), "at most"),
]


def _settings_cases():
    s = Settings()
    c = Criterion()
    return [
        s.with_changes(perform_seconds=0),
        s.with_changes(perform_seconds=-5),
        s.with_changes(score_seconds=0),
        s.with_changes(score_seconds=float("nan")),
        s.with_changes(score_seconds=float("inf")),
        s.with_changes(perform_seconds=100000),
        s.with_changes(required_judges=0),
        s.with_changes(required_judges=4),  # above the panel of 3
        s.with_changes(min_scores=0),
        s.with_changes(trim_min=1),
        s.with_changes(event_name="   "),
        s.with_changes(event_name="E" * 121),
        s.with_changes(criteria=()),
        s.with_changes(criteria=(Criterion(min=Decimal(10), max=Decimal(0)),)),
        s.with_changes(criteria=(Criterion(step=Decimal(0)),)),
        s.with_changes(criteria=(Criterion(step=Decimal(-1)),)),
        s.with_changes(criteria=(Criterion(weight=Decimal(-1)),)),
        s.with_changes(criteria=(Criterion(weight=Decimal(0)),)),
        s.with_changes(criteria=(c, c)),
        s.with_changes(criteria=(Criterion(name=""),)),
        s.with_changes(criteria=(Criterion(max=Decimal("Infinity")),)),
    ]


LOGINS = [
    ("", "x", InvalidInput),
    ("   ", "x", InvalidInput),
    ("judge1@test.local", "", InvalidInput),
    ("not-an-email", PASSWORD, InvalidInput),
    ("x" * 5000 + "@test.local", PASSWORD, InvalidInput),
    ("judge1@test.local", "p" * 100000, InvalidInput),
    ("nobody@test.local", PASSWORD, NotAllowed),
    ("judge1@test.local", "wrong-password", NotAllowed),
    ("judge1@test.local", PASSWORD.upper(), NotAllowed),
]


def _db_state(svc) -> tuple:
    """Everything a bad input could have changed."""
    eid = svc.event_id()
    b = svc.bundle()
    entries, heads = svc.store.log.entries(eid)
    return (
        codec.state_to_item(b.state),
        codec.settings_to_json(b.settings),
        [(p.performer_id, p.name, p.order, p.category) for p in svc.store.performers.list(eid)],
        [(s.performer_id, s.judge, s.total, s.revision) for s in svc.store.scores.list(eid, consistent=True)],
        len(entries),
        heads,
    )


def _one_sentence(message: str) -> None:
    assert message and message[0].isupper() and message.rstrip().endswith("."), message
    assert "Traceback" not in message and "\n" not in message


def _fresh(prefix: str) -> tuple[Service, FakeClock]:
    import dataclasses
    import uuid

    store = Store(dataclasses.replace(Config.from_env(), table_prefix=f"{prefix}{uuid.uuid4().hex[:6]}_"))
    store.create_tables()
    clock = FakeClock()
    return Service(store, clock=clock), clock


# Tables are shared by the cases of a group (each case checks that it changed nothing), which keeps
# seventy-odd cases from creating seventy-odd sets of tables.
@pytest.fixture(scope="module")
def lobby(dynamodb_endpoint):
    svc, clock = _fresh("bad_lobby")
    return svc, seed_event(svc)


@pytest.fixture(scope="module")
def scoring(dynamodb_endpoint):
    svc, clock = _fresh("bad_scoring")
    tokens = seed_event(svc)
    svc.command(tokens["admin@test.local"], Command(CommandKind.START, force=True))
    b = svc.bundle()
    clock.now = b.state.deadline
    (step,) = rules.due_steps(b.state, b.settings, clock.now, 0)
    svc.store.events.write_step(b.state.version, step, "test", step.at)
    return svc, tokens, step.state


@pytest.mark.parametrize("raw", SCORES, ids=[repr(x)[:20] for x in SCORES])
def test_bad_score(scoring, raw):
    svc, tokens, state = scoring
    before = _db_state(svc)
    with pytest.raises(InvalidInput) as err:
        svc.submit_score(tokens["judge1@test.local"], state.performer_id, {"Score": raw})
    _one_sentence(str(err.value))
    assert _db_state(svc) == before


@pytest.mark.parametrize("values", [{}, {"Style": "5"}, {"Score": "5", "Extra": "1"}, "5", None])
def test_bad_score_shape(scoring, values):
    svc, tokens, state = scoring
    before = _db_state(svc)
    with pytest.raises(InvalidInput) as err:
        svc.submit_score(tokens["judge1@test.local"], state.performer_id, values)
    _one_sentence(str(err.value))
    assert _db_state(svc) == before


@pytest.mark.parametrize("text,match", CSVS, ids=[f"csv{i}" for i in range(len(CSVS))])
def test_bad_roster_csv(lobby, text, match):
    svc, tokens = lobby
    before = _db_state(svc)
    with pytest.raises(InvalidInput, match=match) as err:
        svc.import_roster_csv(tokens["admin@test.local"], text.encode())
    _one_sentence(str(err.value))
    assert _db_state(svc) == before


@pytest.mark.parametrize(
    "settings", _settings_cases(), ids=[f"settings{i}" for i in range(len(_settings_cases()))]
)
def test_bad_settings(lobby, settings):
    svc, tokens = lobby
    before = _db_state(svc)
    with pytest.raises(InvalidInput) as err:
        svc.update_settings(tokens["admin@test.local"], settings)
    _one_sentence(str(err.value))
    assert _db_state(svc) == before


@pytest.mark.parametrize("email,password,error", LOGINS, ids=[f"login{i}" for i in range(len(LOGINS))])
def test_bad_login(lobby, email, password, error):
    svc, _ = lobby
    if "wrong" in password or password == PASSWORD.upper():
        svc.logins.unlock(None, "judge1@test.local")  # wrong tries here must not throttle the next tests
    before = _db_state(svc)
    with pytest.raises(error) as err:
        svc.logins.login(email, password)
    _one_sentence(str(err.value))
    assert _db_state(svc) == before


@pytest.mark.parametrize(
    "kind", [CommandKind.PAUSE, CommandKind.SKIP, CommandKind.CLOSE, CommandKind.EXTEND, CommandKind.RESUME]
)
def test_command_in_the_wrong_phase(lobby, kind):
    svc, tokens = lobby
    before = _db_state(svc)
    with pytest.raises(CommandRefused) as err:
        svc.command(tokens["admin@test.local"], Command(kind, seconds=10))
    _one_sentence(str(err.value))
    assert _db_state(svc) == before


def test_locked_settings_refused_once_started(scoring):
    svc, tokens, _ = scoring
    before = _db_state(svc)
    with pytest.raises(CommandRefused, match="cannot change"):
        svc.update_settings(tokens["admin@test.local"], svc.bundle().settings.with_changes(rule="median"))
    with pytest.raises(StagescoreError, match="locked"):
        svc.set_roster(tokens["admin@test.local"], [{"name": "Late", "order": 1}])
    assert _db_state(svc) == before


def test_unlocked_setting_still_changes_once_started(svc, clock):
    tokens = seed_event(svc)
    svc.command(tokens["admin@test.local"], Command(CommandKind.START, force=True))
    s = svc.bundle().settings
    svc.update_settings(
        tokens["admin@test.local"], s.with_changes(score_seconds=45, public_judge_scores=False)
    )
    assert svc.bundle().settings.score_seconds == 45
