"""Pure rules of login links and devices: one use, 15 minutes, and a browser named in a few words."""

from __future__ import annotations

import pytest

from engine.domain import devices

NOW = 1_800_000_000.0


def test_a_fresh_link_is_accepted():
    assert devices.link_refusal({"expires_at": NOW + 60}, NOW) is None


def test_a_link_lasts_fifteen_minutes():
    issued = devices.link_expiry(NOW)
    assert issued == NOW + 15 * 60
    assert devices.link_refusal({"expires_at": issued}, issued - 1) is None
    assert devices.link_refusal({"expires_at": issued}, issued) == devices.LINK_EXPIRED


def test_a_used_link_is_refused_even_before_it_expires():
    assert devices.link_refusal({"expires_at": NOW + 60, "used_at": NOW - 1}, NOW) == devices.LINK_USED


def test_an_unknown_link_is_refused():
    assert devices.link_refusal(None, NOW) == devices.LINK_INVALID


@pytest.mark.parametrize("code", ["", "x" * 10, "a" * 300, "abc def" + "x" * 40, "<script>" + "a" * 40, None])
def test_a_malformed_code_is_not_a_code(code):
    assert not devices.well_formed_code(code)


def test_a_new_code_is_well_formed_and_unguessable():
    codes = {devices.new_code() for _ in range(50)}
    assert len(codes) == 50
    assert all(devices.well_formed_code(c) and len(c) >= 32 for c in codes)


def test_the_sentences_are_different_and_say_what_to_do():
    sentences = {devices.LINK_EXPIRED, devices.LINK_USED, devices.LINK_INVALID}
    assert len(sentences) == 3
    assert all("organiser" in s for s in sentences)


@pytest.mark.parametrize(
    ("agent", "words"),
    [
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/17.5 Mobile/15E148 Safari/604.1",
            "Safari on iPhone",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0",
            "Firefox on Windows",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0 Safari/537.36 Edg/126.0",
            "Edge on Mac",
        ),
        ("", "Unknown browser"),
        ("curl/8.5", "Unknown browser"),
    ],
)
def test_a_browser_is_named_in_a_few_words(agent, words):
    assert devices.describe_agent(agent) == words


def test_a_device_seen_in_the_last_two_minutes_is_present():
    assert devices.present(NOW - 30, NOW)
    assert not devices.present(NOW - devices.PRESENT_SECONDS - 1, NOW)
