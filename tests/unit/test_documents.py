"""The live documents (engine/views/documents.py) and their change detection, and a channel's publishing
(ui/live/channel.py): pure, no database."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
from dataclasses import replace

from engine.domain import publicity
from engine.domain.health import assess
from engine.domain.model import Criterion, PerformerStatus, Phase
from engine.views import documents
from tests.unit.snapshots import T0, make_snapshot
from ui.live.channel import STAMP_SECONDS, Channel, beat_the_quiet, keep_alive

A, B, C = "ann@x.test", "bob@x.test", "cy@x.test"
HEALTHY = assess({"owner": "e1", "expires": T0 + 10_000}, None, T0)


def _snap(**state):
    snap = make_snapshot({"p1": {A: 7, B: 8}, "p2": {B: 6}}, {A: "Ann", B: "Bob", C: "Cy"})
    return replace(snap, state=replace(snap.state, **state)) if state else snap


def test_public_document_has_only_public_fields():
    snap = _snap()
    doc = documents.public_doc(snap, T0, documents.ranking(snap))
    text = json.dumps(doc)
    assert "@" not in text and "token" not in text and "comment" not in text
    assert doc["judge_names"] == ["Ann", "Bob", "Cy"]
    assert [r["performer"] for r in doc["podium"]] == ["P1", "P2"]  # finished: the podium is filled
    assert doc["ranking"][0]["judges"] == ["7.00", "8.00", ""]


def test_board_without_per_judge_cells_unless_asked():
    snap = _snap()
    ranked = documents.ranking(snap, per_judge=False)
    assert ranked["judge_names"] == [] and all("judges" not in r for r in ranked["ranking"])


def test_change_key_ignores_the_clock_but_not_the_event():
    snap = publicity.public_view(_snap(phase=Phase.SCORING, index=0, deadline=T0 + 30, window_id=4))
    ranked = documents.ranking(snap)
    first = documents.public_doc(snap, T0, ranked)
    later = documents.public_doc(snap, T0 + 5, ranked)
    assert first["remaining_seconds"] != later["remaining_seconds"]
    assert documents.change_key(first) == documents.change_key(later)
    moved = documents.public_doc(replace(snap, state=replace(snap.state, version=9)), T0, ranked)
    assert documents.change_key(moved) != documents.change_key(first)
    paused = replace(snap, state=replace(snap.state, paused=True, paused_remaining=12.0))
    a = documents.public_doc(paused, T0, ranked)
    b = documents.public_doc(replace(paused, state=replace(paused.state, paused_remaining=11.0)), T0, ranked)
    assert documents.change_key(a) != documents.change_key(b)  # paused, the remaining time is the news


def test_judge_document_scoring_open_flips_at_the_deadline_and_shows_my_score():
    snap = _snap(phase=Phase.SCORING, index=0, deadline=T0 + 30, window_id=4)
    before = documents.judge_doc(snap, T0 + 29.9, A, HEALTHY, [])
    after = documents.judge_doc(snap, T0 + 30.1, A, HEALTHY, [])
    assert before["scoring_open"] and not after["scoring_open"]
    assert before["my_score"] == {"total": "7.00", "values": {"Score": "7"}, "revision": 1, "comment": ""}
    assert documents.change_key(before) != documents.change_key(after)
    assert documents.judge_doc(snap, T0, C, HEALTHY, [])["my_score"] is None
    sick = documents.judge_doc(snap, T0, A, assess(None, snap.state, T0), [])
    assert sick["technical_problem"] == documents.TECHNICAL_PROBLEM


def test_admin_document_lists_the_panel_with_who_submitted_and_help_flags():
    snap = replace(_snap(phase=Phase.SCORING, index=0, deadline=T0 + 30), present=[A], flags={C: T0 - 3})
    doc = documents.admin_doc(snap, T0, HEALTHY, documents.ranking(snap))
    rows = {j["email"]: j for j in doc["judges"]}
    assert rows[A] == {
        "name": "Ann", "email": A, "present": True, "submitted": True, "stepped_aside": False,
        "help_since": None,
    }  # fmt: skip
    assert rows[C]["help_since"] == T0 - 3 and not rows[C]["submitted"]
    assert (doc["scores_in"], doc["panel"], doc["present"], doc["flags"]) == (2, 3, 1, ["Cy"])
    assert doc["engine"]["engine_healthy"] is True


def test_the_desk_says_which_judge_is_missing_which_criterion_for_which_performer():
    """Sub-panels: Ann and Bob score Technique, Cy scores Style. P1's window has closed, P2 is being
    scored: Cy is missing Style for P1; for P2 Bob stepped aside (not missing) and Ann has not scored."""
    crits = (Criterion("Technique", judges=(A, B)), Criterion("Style", judges=(C,)))
    snap = make_snapshot({"p1": {A: 7, B: 8}, "p2": {}}, {A: "Ann", B: "Bob", C: "Cy"})
    snap = replace(
        snap,
        settings=replace(snap.settings, criteria=crits),
        state=replace(snap.state, phase=Phase.SCORING, index=1, deadline=T0 + 30),
        performers=[snap.performers[0], replace(snap.performers[1], status=PerformerStatus.SCORING)],
        conflicts={"p2": (B,)},
    )
    doc = documents.admin_doc(snap, T0, HEALTHY, documents.ranking(snap))
    assert doc["missing"] == {
        "lines": [
            {"performer": "P2", "criterion": "Technique", "missing": ["Ann"], "stepped_aside": ["Bob"]},
            {"performer": "P2", "criterion": "Style", "missing": ["Cy"], "stepped_aside": []},
            {"performer": "P1", "criterion": "Style", "missing": ["Cy"], "stepped_aside": []},
        ],
        "count": 3,
    }
    assert {j["email"]: j["stepped_aside"] for j in doc["judges"]} == {A: False, B: True, C: False}


def test_lobby_counts_only_the_judges_who_may_score_the_first_performer():
    settings = replace(_snap().settings, required_judges=2)
    lobby = replace(_snap(phase=Phase.LOBBY), settings=settings, present=[A, B], conflicts={"p1": (A,)})
    desk = documents.admin_doc(lobby, T0, HEALTHY, documents.ranking(lobby))
    phone = documents.judge_doc(lobby, T0, B, HEALTHY, [])
    assert (desk["present"], desk["required"]) == (1, 2) == (phone["present"], phone["required"])
    # Ann stepped aside for the second performer only: she counts for the first.
    moved = replace(lobby, conflicts={"p2": (A,)})
    assert documents.admin_doc(moved, T0, HEALTHY, documents.ranking(moved))["present"] == 2


def test_channel_publishes_only_changes_and_wakes_its_subscribers():
    async def scenario():
        channel = Channel()
        waiting = asyncio.create_task(channel.wait(0, 5))
        await asyncio.sleep(0)
        assert channel.publish({"a": 1, "server_time": 1.0}, "k1")
        assert await waiting
        assert not channel.publish({"a": 1, "server_time": 2.0}, "k1")
        assert channel.version == 1
        assert not await channel.wait(1, 0.05)  # nothing new: times out (a keep-alive is due)
        data = channel.frame(123.0).decode()
        assert data.startswith("event: doc\ndata: ") and data.endswith("\n\n")
        assert json.loads(data.split("data: ", 1)[1]) == {"server_time": 123.0, "a": 1}

    # A loop of its own in a thread of its own: earlier browser tests may leave this thread's loop running.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, scenario()).result()


def test_subscribers_woken_by_one_publish_share_its_frame_and_a_later_one_gets_its_own_stamp():
    channel = Channel()
    channel.publish({"a": "é", "server_time": 1.0}, "k1")
    first = channel.frame(100.0)
    assert channel.frame(100.0 + STAMP_SECONDS / 2) is first
    assert json.loads(first.decode().split("data: ", 1)[1]) == {"server_time": 100.0, "a": "é"}
    later = channel.frame(100.0 + 2 * STAMP_SECONDS)
    assert json.loads(later.decode().split("data: ", 1)[1])["server_time"] == 100.1
    channel.publish({"a": 2}, "k2")
    assert json.loads(channel.frame(100.11).decode().split("data: ", 1)[1]) == {"server_time": 100.11, "a": 2}


def test_a_field_published_already_encoded_is_sent_as_if_encoded_with_the_document():
    """A judge's list of the others is encoded once per change, in the builder's thread: the event carries
    the same document as one whose every field the channel encoded."""
    others = [{"performer": "Zoë", "scores": [{"judge": "You", "total": "7.00"}]}]
    for doc in ({"a": 1, "others": others, "server_time": 1.0}, {"others": others}):
        plain, spliced = Channel(), Channel()
        plain.publish(doc, "k")
        spliced.publish(doc, "k", {"others": documents.encode(others)})
        assert json.loads(spliced.frame(5.0).decode().split("data: ", 1)[1]) == json.loads(
            plain.frame(5.0).decode().split("data: ", 1)[1]
        )


def test_a_quiet_channel_beats_for_keep_alives_and_a_busy_one_never_does():
    quiet, busy = Channel(), Channel()
    busy.publish({"n": 1}, "1")
    quiet.published_at = busy.published_at - 10
    beat_the_quiet((quiet, busy), busy.published_at + 0.05, 0.1)
    assert (quiet.beats, busy.beats) == (1, 0)
    beat_the_quiet((quiet, busy), busy.published_at + 0.2, 0.1)  # the busy one went quiet too
    assert (quiet.beats, busy.beats) == (2, 1)


def test_the_keep_alive_timer_wakes_a_quiet_channels_subscribers():
    async def scenario():
        quiet = Channel()
        beating = asyncio.create_task(keep_alive(lambda: (quiet,), 0.2))
        woken = await quiet.wait(0, 5)  # no publish: only a beat wakes it
        beating.cancel()
        assert woken and quiet.beats >= 1

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, scenario()).result()
