"""What a score makes the live feed push (ui/live/builder.py's change keys): the board's document only when
the public may see something new, a judge's only when their own view moved. A board document is tens of
kilobytes and a hall holds a thousand phones: while a window is open nothing of its scores is public
(engine.domain.publicity), so a score in it must not push the same board again."""

from __future__ import annotations

import asyncio

from engine.domain.model import Command, CommandKind, Role
from engine.service.feed import Feed
from tests.support.events import seed_event
from tests.support.live import run_apart
from tests.support.rounds import close_window, judge, open_scoring
from ui.live.builder import Builder, Built
from ui.live.channel import Connection, Turns
from ui.live.hub import Hub

JUDGES = [judge(1), judge(2), judge(3)]


def _keys(builder: Builder) -> dict[str, str]:
    built = builder.build(JUDGES, admins=True)
    return {"public": built.public[1], "admin": built.admin[1]} | {e: k for e, (_, k) in built.judges.items()}


def test_a_score_in_an_open_window_pushes_the_desk_and_its_judge_but_not_the_board(svc, clock):
    tokens = seed_event(svc)
    builder = Builder(Feed(svc.store, clock))
    state = open_scoring(svc, clock)
    before = _keys(builder)

    svc.submit_score(tokens[judge(1)], state.performer_id, {"Score": "8"})
    after = _keys(builder)

    assert after["public"] == before["public"], "the board was pushed again for a score it may not show"
    assert after["admin"] != before["admin"]  # the desk sees the running total
    assert after[judge(1)] != before[judge(1)]  # the judge's own score
    # The others have not scored this performer: nothing they may see moved.
    assert after[judge(2)] == before[judge(2)] and after[judge(3)] == before[judge(3)]

    svc.submit_score(tokens[judge(2)], state.performer_id, {"Score": "6"})
    again = _keys(builder)
    assert again["public"] == after["public"]
    assert again[judge(1)] != after[judge(1)]  # judge 1 has scored this performer: sees judge 2's score
    assert again[judge(3)] == after[judge(3)]

    close_window(svc, clock)  # the window closes: the board shows the scores now
    closed = _keys(builder)
    assert closed["public"] != again["public"]
    [row] = [r for r in builder.build([]).public[0]["ranking"] if r["scores_in"]]
    assert row["total"] and row["scores_in"] == 2


def test_the_board_is_pushed_when_a_window_closes_and_not_before(svc, clock):
    """Two performers scored in turn: the board moves at each phase step and at each window's close, never
    at a score inside a window; once the second window closes it ranks the second performer first."""
    tokens = seed_event(svc)
    builder = Builder(Feed(svc.store, clock))
    first = open_scoring(svc, clock)
    svc.submit_score(tokens[judge(1)], first.performer_id, {"Score": "5"})
    close_window(svc, clock)
    board = _keys(builder)["public"]

    second = open_scoring(svc, clock)
    opened = _keys(builder)["public"]
    assert opened != board  # the phase moved
    svc.submit_score(tokens[judge(1)], second.performer_id, {"Score": "9"})
    assert _keys(builder)["public"] == opened
    close_window(svc, clock)
    assert _keys(builder)["public"] != opened
    ranking = builder.build([]).public[0]["ranking"]
    names = {p.performer_id: p.name for p in svc.snapshot().performers}
    assert [(r["performer"], r["scores_in"]) for r in ranking][:2] == [
        (names[second.performer_id], 1),
        (names[first.performer_id], 1),
    ]


def test_a_judge_hears_a_new_document_before_the_board_s_phones(svc):
    """The judges' subscribers are woken first: a judge's window flip must not queue behind a board
    written to every phone in the hall. The board's subscriber here subscribed first and hears last."""
    hub = Hub(svc)
    built = Built(
        reading=None,
        public=({"ranking": []}, "p1"),
        admin=({"desk": 1}, "a1"),
        state=({"on_air": 1}, "s1"),
        judges={judge(1): ({"phase": "SCORING"}, "j1")},
    )
    heard: list[str] = []

    async def follow(name: str, channel) -> None:
        async for chunk in hub.stream(channel):
            if chunk.startswith(b"event: doc"):
                heard.append(name)
                return

    async def scenario() -> None:
        board = asyncio.create_task(follow("board", hub.public))
        await asyncio.sleep(0.01)  # the board's phone waits first
        desk = asyncio.create_task(follow("desk", hub.admin))
        judges = asyncio.create_task(follow("judge", hub.judge_channel(judge(1))))
        await asyncio.sleep(0.01)
        hub._publish(built)
        await asyncio.wait_for(asyncio.gather(board, desk, judges), 5)

    run_apart(scenario)
    assert heard == ["judge", "desk", "board"]


def test_another_stage_s_judge_goes_between_two_phones_writes_of_a_board(svc):
    """Boards are written one pass of the event loop at a time (ui/live/channel.Turns, shared by a
    process's hubs): a judge's document published while twenty phones' boards are being written reaches
    the judge after one or two of them, not after all twenty."""
    turns = Turns()
    board_hub, other_hub = Hub(svc, turns=turns), Hub(svc, turns=turns)
    heard: list[str] = []

    async def follow(name: str, hub: Hub, channel) -> None:
        async for chunk in hub.stream(channel):
            if chunk.startswith(b"event: doc"):
                heard.append(name)
                return

    async def scenario() -> None:
        phones = [asyncio.create_task(follow(f"phone{i}", board_hub, board_hub.public)) for i in range(20)]
        channel = other_hub.judge_channel(judge(4))
        stage_judge = asyncio.create_task(follow("judge", other_hub, channel))
        await asyncio.sleep(0.01)
        board_hub.public.publish({"ranking": []}, "p1")
        await asyncio.sleep(0)  # the phones' writes have begun
        channel.publish({"phase": "SCORING"}, "j1")
        await asyncio.wait_for(asyncio.gather(*phones, stage_judge), 5)

    run_apart(scenario)
    assert len(heard) == 21 and heard.index("judge") <= 2, heard


def test_a_flip_read_from_the_status_partition_is_pushed_and_the_whole_read_follows_at_once(svc, clock):
    """The judges hear the window open from the tick that read the status partition alone; that tick asks
    for the whole read at once and does not count as a read for whoever waits for one (an outlier check
    after a score needs the performer's scores read after its commit)."""
    seed_event(svc)
    svc.command(None, Command(CommandKind.START, force=True))
    hub = Hub(svc)
    phases: list[str] = []

    async def scenario() -> None:
        await hub._tick_once()
        phases.append(hub.built.reading.snapshot.state.phase.value)
        pushed = hub.public.version
        open_scoring(svc, clock)
        waiting = asyncio.create_task(hub.read_after(5))
        await asyncio.sleep(0)  # the waiter asks for the next read begun
        hub._wake.clear()
        await hub._tick_once()
        phases.append(hub.built.reading.snapshot.state.phase.value)
        assert not hub.built.reading.complete and hub.public.version == pushed + 1
        assert hub._wake.is_set(), "the whole read waits for the next tick"
        await asyncio.sleep(0.05)
        assert not waiting.done(), "a waiter was answered by a read that left the scores unread"
        await hub._tick_once()
        assert await asyncio.wait_for(waiting, 1) and hub.built.reading.complete
        assert hub.public.version == pushed + 1, "the board was pushed again by the whole read"

    run_apart(scenario)
    assert phases == ["PERFORMING", "SCORING"]


def test_the_next_performer_reaches_the_judges_first_and_the_board_only_with_the_last_scores(svc, clock):
    """A window closes and the next performer goes on: the tick that read the status partition alone
    pushes the judges' documents only; the board and the desk wait for the whole read that follows at once,
    which carries the score committed just before the close."""
    tokens = seed_event(svc)
    first = open_scoring(svc, clock)
    hub = Hub(svc)
    hub.connections.update(Connection("t", email, Role.JUDGE.value) for email in JUDGES)

    async def scenario() -> None:
        await hub._tick_once()
        board, desk = hub.public.version, hub.admin.version
        judged = {e: hub.judge_channel(e).version for e in JUDGES}
        last_board = hub.built.public
        svc.submit_score(tokens[judge(1)], first.performer_id, {"Score": "7"})
        nxt = close_window(svc, clock)
        hub._wake.clear()
        await hub._tick_once()
        assert hub.built.reading.judges_only and hub._wake.is_set()
        assert all(hub.judge_channel(e).version == judged[e] + 1 for e in JUDGES), "the judges were not told"
        assert hub.built.reading.snapshot.state.performer_id == nxt.performer_id
        assert (hub.public.version, hub.admin.version) == (board, desk), "pushed before the whole read"
        assert hub.built.public == last_board  # what /api/v1 and a new phone get meanwhile
        await hub._tick_once()
        assert hub.built.reading.complete and hub.public.version == board + 1 and hub.admin.version > desk
        name = next(
            p.name for p in hub.built.reading.snapshot.performers if p.performer_id == first.performer_id
        )
        row = next(r for r in hub.built.public[0]["ranking"] if r["performer"] == name)
        assert row["scores_in"] == 1, row

    run_apart(scenario)
