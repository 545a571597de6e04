"""A command's message on the control desk belongs to the state it was about (ui/admin.py)."""

from __future__ import annotations

from ui.admin import about, still_current

SEEN = {"event_id": "ev-1", "window_id": 0, "version": 4, "phase": "LOBBY"}


def test_a_refusal_stays_while_the_desk_shows_the_state_it_was_about():
    message = {"about": about(SEEN)}
    assert still_current(message, dict(SEEN))
    assert still_current(message, {**SEEN, "phase": "LOBBY"})


def test_a_refusal_goes_when_the_state_moves_on():
    message = {"about": about(SEEN)}
    assert not still_current(message, {**SEEN, "version": 5})  # e.g. the quorum started the event
    assert not still_current(message, {**SEEN, "event_id": "ev-2"})  # a reset


def test_a_message_about_an_unknown_state_is_not_kept():
    assert about(None) is None
    assert about({"event_id": "ev-1"}) is None
    assert not still_current({"about": None}, SEEN)
    assert not still_current({"about": about(SEEN)}, None)


def test_the_version_the_desk_reports_may_come_as_text():
    assert about({"event_id": "ev-1", "version": "4"}) == ("ev-1", 4)
