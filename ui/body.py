"""Reading a request's body within bounds: the one reader of every JSON route (/live/score, /live/check,
/auth/login, /auth/link).

A body is read only up to a limit (413 past it, the rest never read), its nesting depth is counted before
json.loads recurses into it, and its numbers are taken from the request's own text: a fraction becomes
the Decimal it spells, never a binary float, so `7.0000000000000000000001` stays off a 0.5 grid instead
of becoming 7.0. Numbers longer or larger than any score, id or window could be are refused (400).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Protocol

from starlette.requests import ClientDisconnect

from engine.domain.messages import N_

MAX_JSON_BYTES = 8 * 1024  # a score with 50 criteria and a 500-character comment is under 4 KB
MAX_FORM_BYTES = 4 * 1024
MAX_DEPTH = 8
MAX_NUMBER_CHARS = 32  # engine/domain/scoring.py reads at most 32 characters of a value too
MAX_EXPONENT = 20  # 1e-400 and 1e400 mean nothing as a score, a window or an order

TOO_LARGE = "The request is too large for Stagescore to read ({limit} bytes at most)."
TOO_DEEP = f"The request is nested too deeply to be read (at most {MAX_DEPTH} levels)."
BAD_NUMBER = N_("A number in the request is too long or too large to be read exactly.")
CUT_SHORT = N_("The request ended before all of it arrived; send it again.")
UNREADABLE = N_("The request could not be read; reload the page and try again.")

# A JSON string (escapes included): what lies inside one never counts as nesting.
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


class BodyRefused(Exception):
    """A body refused before anything was done with it: the HTTP status and one sentence."""

    def __init__(self, status: int, sentence: str):
        super().__init__(sentence)
        self.status = status
        self.sentence = sentence


class _Streamed(Protocol):
    headers: object

    def stream(self): ...


def _number(text: str) -> Decimal:
    value = Decimal(text)
    if len(text) > MAX_NUMBER_CHARS or (value and abs(value.adjusted()) > MAX_EXPONENT):
        raise BodyRefused(400, BAD_NUMBER)
    return value


def _integer(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:  # before int(): a 4,300-digit int is refused by Python, slowly
        raise BodyRefused(400, BAD_NUMBER)
    return int(text)


def _constant(text: str) -> object:
    raise BodyRefused(400, BAD_NUMBER)  # NaN, Infinity, -Infinity: json.loads takes them by default


def depth(raw: bytes) -> int:
    """How deeply the arrays and objects of `raw` nest (brackets inside strings do not count)."""
    deepest = level = 0
    for m in _BRACKET.finditer(_STRING.sub(b'""', raw)):
        level += 1 if m.group() in (b"[", b"{") else -1
        deepest = max(deepest, level)
    return deepest


def parse_json(raw: bytes, unreadable: str = UNREADABLE) -> object:
    """The JSON value of `raw`, fractions as Decimal; BodyRefused(400, sentence) when it cannot be."""
    if depth(raw) > MAX_DEPTH:
        raise BodyRefused(400, TOO_DEEP)
    try:
        return json.loads(raw, parse_float=_number, parse_int=_integer, parse_constant=_constant)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise BodyRefused(400, unreadable) from None


async def read_body(request: _Streamed, limit: int = MAX_JSON_BYTES) -> bytes:
    """The body, read up to `limit` bytes: a larger one is refused (413) as soon as it is seen to be,
    by its Content-Length before any of it is read, or once the bytes read pass the limit."""
    declared = request.headers.get("content-length")  # type: ignore[attr-defined]
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise BodyRefused(413, TOO_LARGE.format(limit=limit))
    chunks, size = [], 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise BodyRefused(413, TOO_LARGE.format(limit=limit))
            chunks.append(chunk)
    except ClientDisconnect:  # closed mid-body (ui/connections.py closes a body that stalls)
        raise BodyRefused(400, CUT_SHORT) from None
    return b"".join(chunks)


async def read_json(request: _Streamed, unreadable: str = UNREADABLE, limit: int = MAX_JSON_BYTES) -> object:
    """A JSON route's body: at most `limit` bytes, `MAX_DEPTH` levels, numbers read exactly."""
    return parse_json(await read_body(request, limit), unreadable)
