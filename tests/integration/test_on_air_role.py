"""The streaming operator on DynamoDB Local: the one way in for what goes on air (service/on_air.switch)
takes their switch and logs it on their own chain, refuses everyone else (a judge, a bad or ended
session, a disabled account) and anything unknown without changing a thing; the operator themself is
refused every other act (a command, a setting, an account, a login link, a score, the desk's stream); and
`python -m engine on-air` from the shell goes through the same function."""

from __future__ import annotations

import json

import pytest

from engine.domain.model import Command, CommandKind, InvalidInput, NotAllowed, Role
from engine.domain.on_air import OnAir
from engine.service import on_air
from tests.support.commands import shell
from tests.support.events import PASSWORD, open_scoring, seed_event

ADMIN, J1, STREAMER = "admin@test.local", "judge1@test.local", "stream@test.local"


@pytest.fixture
def show(svc) -> dict[str, str]:
    """The seeded event with its first window open, and a streaming operator logged in."""
    tokens = seed_event(svc)
    svc.add_account(tokens[ADMIN], STREAMER, "Stream desk", PASSWORD, Role.STREAMING)
    tokens[STREAMER] = svc.logins.login(STREAMER, PASSWORD).token
    open_scoring(svc, tokens[ADMIN])
    return tokens


def _data(entry) -> dict:
    return json.loads(entry.data) if isinstance(entry.data, str) else entry.data


def test_the_operator_switches_and_the_switch_is_logged_on_their_own_chain(svc, show, clock):
    switched = on_air.switch(svc, show[STREAMER], {"lower_third": False}, "podium")
    clock.advance(1)
    assert switched == OnAir(frozenset({"lower_third"}), "podium") == on_air.current(svc)
    assert on_air.switch(svc, show[ADMIN], {"lower_third": True}) == OnAir(projector="podium")  # an admin may
    eid = svc.event_id()
    entries, _ = svc.store.log.entries(eid)
    mine = sorted((e for e in entries if e.kind == "on_air_switched"), key=lambda e: e.ts)
    assert [(e.stream, _data(e)) for e in mine] == [
        (f"streaming:{STREAMER}", {"shown": {"lower_third": False}, "projector": "podium"}),
        (f"admin:{ADMIN}", {"shown": {"lower_third": True}}),
    ]
    assert svc.log.verify(eid) == []


def test_anyone_else_and_anything_unknown_is_refused_and_nothing_changes(svc, show):
    ended = svc.logins.login(STREAMER, PASSWORD).token
    svc.logins.logout(ended)
    for token in (show[J1], "not-a-token", ended):
        with pytest.raises(NotAllowed) as refused:
            on_air.switch(svc, token, {"podium": False}, "title")
        assert str(refused.value).endswith(".")
    with pytest.raises(
        NotAllowed, match="^Only the streaming operator or an admin can switch what goes on air.$"
    ):
        on_air.switch(svc, show[J1], {"podium": False})
    for shown, view in [
        ({"scores": False}, None),
        ({"podium": "off"}, None),
        (None, "settings"),
        (None, None),
    ]:
        with pytest.raises(InvalidInput) as refused:
            on_air.switch(svc, show[STREAMER], shown, view)
        assert str(refused.value).endswith(".")
    svc.set_account(show[ADMIN], STREAMER, active=False)  # a disabled operator: refused at once
    with pytest.raises(NotAllowed):
        on_air.switch(svc, show[STREAMER], {"podium": False})
    assert on_air.current(svc) == OnAir()
    assert not [e for e in svc.store.log.entries(svc.event_id())[0] if e.kind == "on_air_switched"]


ELSE = {
    "command": lambda svc, t: svc.command(t, Command(CommandKind.PAUSE)),
    "settings": lambda svc, t: svc.update_settings(t, svc.bundle().settings),
    "add an account": lambda svc, t: svc.add_account(t, "new@test.local", "New", PASSWORD, Role.JUDGE),
    "disable a judge": lambda svc, t: svc.set_account(t, J1, active=False),
    "a login link": lambda svc, t: svc.logins.issue_link(t, J1),
    "a judge's devices": lambda svc, t: svc.logins.devices(t, J1),
    "a score": lambda svc, t: svc.submit_score(t, svc.bundle().state.performer_id, {"Score": "7"}),
}


def test_the_operator_can_do_nothing_else(svc, show):
    before = (svc.bundle().state, svc.bundle().settings, svc.store.scores.list(svc.event_id()))
    for what, act in ELSE.items():
        with pytest.raises(NotAllowed):
            act(svc, show[STREAMER])
            pytest.fail(f"the streaming operator was allowed {what}")
    assert (svc.bundle().state, svc.bundle().settings, svc.store.scores.list(svc.event_id())) == before
    assert svc.store.accounts.get(J1).account.active and svc.store.accounts.get("new@test.local") is None


def test_the_shell_switches_through_the_same_function(svc, show):
    assert shell("on-air", "hide", "podium", "next_up").returncode == 0
    done = shell("on-air", "projector", "on_stage")
    assert done.returncode == 0 and "The performer on stage (on_stage)" in done.stdout
    status = shell("on-air", "status", "--json")
    assert (
        json.loads(status.stdout)
        == on_air.current(svc).as_json()
        == {
            "elements": {"lower_third": True, "score_card": True, "podium": False, "next_up": False},
            "projector": "on_stage",
        }
    )
    refused = shell("on-air", "show", "scores")
    assert refused.returncode == 2 and "There is no overlay element 'scores'" in refused.stderr
    assert [e.stream for e in svc.store.log.entries(svc.event_id())[0] if e.kind == "on_air_switched"] == [
        "admin:operator",
        "admin:operator",
    ]
