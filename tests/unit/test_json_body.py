"""The one JSON body reader of every route (ui/body.py): size, depth and numbers read exactly."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from ui import body


def test_a_plain_object_is_read():
    assert body.parse_json(b'{"a": "x", "b": [1, 2], "c": true}') == {"a": "x", "b": [1, 2], "c": True}


def test_a_fraction_is_kept_as_written_never_as_a_binary_float():
    parsed = body.parse_json(b'{"v": 7.0000000000000000000001, "w": 7.50}')
    assert parsed["v"] == Decimal("7.0000000000000000000001")
    assert str(parsed["w"]) == "7.50"


@pytest.mark.parametrize("raw", [b'{"v": 1e-400}', b'{"v": 1e400}', b'{"v": 1E+31}'])
def test_a_number_beyond_a_sane_exponent_is_refused(raw):
    with pytest.raises(body.BodyRefused) as e:
        body.parse_json(raw)
    assert e.value.status == 400 and e.value.sentence == body.BAD_NUMBER


def test_an_integer_longer_than_a_score_could_be_is_refused():
    with pytest.raises(body.BodyRefused) as e:
        body.parse_json(b'{"window_id": ' + str(10**40).encode() + b"}")
    assert e.value.status == 400 and e.value.sentence == body.BAD_NUMBER
    assert body.parse_json(b'{"window_id": 123456789012}') == {"window_id": 123456789012}


@pytest.mark.parametrize("raw", [b'{"v": NaN}', b'{"v": Infinity}', b'{"v": -Infinity}'])
def test_not_a_number_is_refused(raw):
    with pytest.raises(body.BodyRefused) as e:
        body.parse_json(raw)
    assert e.value.status == 400


def test_deep_nesting_is_refused_before_parsing():
    deep = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(body.BodyRefused) as e:
        body.parse_json(deep)
    assert e.value.status == 400 and e.value.sentence == body.TOO_DEEP


def test_brackets_inside_strings_do_not_count_as_depth():
    raw = b'{"comment": "' + b'[[[[[[[[[[[[{{{{{{{{{\\"' + b'"}'
    assert body.parse_json(raw) == {"comment": '[[[[[[[[[[[[{{{{{{{{{"'}


def test_the_deepest_allowed_nesting_is_read():
    ok = b"[" * body.MAX_DEPTH + b"]" * body.MAX_DEPTH
    assert body.parse_json(ok) is not None
    too = b"[" * (body.MAX_DEPTH + 1) + b"]" * (body.MAX_DEPTH + 1)
    with pytest.raises(body.BodyRefused):
        body.parse_json(too)


@pytest.mark.parametrize("raw", [b"", b"{", b"\xff\xfe", b'{"a": 1} x'])
def test_unreadable_json_is_refused_with_the_routes_own_sentence(raw):
    with pytest.raises(body.BodyRefused) as e:
        body.parse_json(raw, unreadable="Say it again.")
    assert e.value.status == 400 and e.value.sentence == "Say it again."


class _Request:
    """What read_body uses of a Starlette request: its headers and its body's chunks."""

    def __init__(self, chunks: list[bytes], length: str | None = None):
        self.headers = {} if length is None else {"content-length": length}
        self._chunks = chunks
        self.read = 0

    async def stream(self):
        for chunk in self._chunks:
            self.read += 1
            yield chunk


def test_a_declared_length_over_the_limit_is_refused_unread():
    req = _Request([b"x" * 10], length=str(body.MAX_JSON_BYTES + 1))
    with pytest.raises(body.BodyRefused) as e:
        asyncio.run(body.read_body(req))
    assert e.value.status == 413 and req.read == 0


def test_an_undeclared_body_stops_being_read_past_the_limit():
    req = _Request([b"x" * 4096] * 1000)
    with pytest.raises(body.BodyRefused) as e:
        asyncio.run(body.read_body(req))
    assert e.value.status == 413 and req.read <= body.MAX_JSON_BYTES // 4096 + 1


def test_a_body_within_the_limit_is_read_whole():
    assert asyncio.run(body.read_body(_Request([b'{"a":', b" 1}"]))) == b'{"a": 1}'
