"""Connection guards for the web server: uvicorn's own HTTP/1.1 protocol (h11) with a header timeout, a
body idle timeout and a cap on open connections per client address and per process.

uvicorn 0.55 has neither a header timeout nor a per-address cap (its `limit_concurrency` counts every
client together, so one client filling it starves the rest, and it answers only once the headers came),
and an ASGI middleware runs too late for either: it sees a request only once its headers are complete.
So the guard sits where uvicorn creates one protocol object per accepted socket; ui/serve.py hands the
class to uvicorn's `http` setting. Every stream (Streamlit's websocket, our server-sent events) holds one
connection, so the cap on connections is the cap on streams too.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import resource
from collections import Counter
from dataclasses import dataclass

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

TOO_MANY = "Too many connections from your address; close other Stagescore tabs and try again."
BUSY = "This Stagescore server is at its connection limit; try again in a moment."
TOO_SLOW = "The request took too long to arrive; send it again."
# Files the process needs besides its clients' sockets: DynamoDB's connection pool, logs, the app's files.
RESERVED_FILES = 128


@dataclass(frozen=True)
class Limits:
    per_address: int = 1000  # ~300 phones behind one venue NAT: a websocket, a live stream, a request
    header_seconds: float = 10.0
    process: int = 0  # 0: the open-file limit less RESERVED_FILES
    exempt: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Limits:
        env = dict(os.environ if env is None else env)
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        return cls(
            per_address=int(env.get("STAGESCORE_MAX_CONNECTIONS_PER_ADDRESS", "1000")),
            header_seconds=float(env.get("STAGESCORE_HEADER_TIMEOUT", "10")),
            process=max(soft - RESERVED_FILES, 16) if soft != resource.RLIM_INFINITY else 1_000_000,
            # A reverse proxy carries every client on its own address; nginx caps them per client.
            exempt=tuple(_networks(env.get("STAGESCORE_TRUSTED_PROXIES", ""))),
        )

    def exempts(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in net for net in self.exempt if net.version == ip.version)


def _networks(setting: str):
    for part in setting.split(","):
        try:
            yield ipaddress.ip_network(part.strip(), strict=False)
        except ValueError:
            continue


_limits = Limits.from_env()
_open: Counter[str] = Counter()  # open connections by client address, websockets included


def configure(limits: Limits) -> None:
    """Set the limits of this process (ui/serve.py, once, before the server starts)."""
    global _limits
    _limits = limits


def open_connections(address: str | None = None) -> int:
    return _open[address] if address is not None else sum(_open.values())


def _answer(status: int, sentence: str) -> bytes:
    text = sentence.encode()
    reason = {408: b"Request Timeout", 503: b"Service Unavailable"}[status]
    return (
        b"HTTP/1.1 %d %s\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: %d\r\n"
        b"connection: close\r\n\r\n%s" % (status, reason, len(text), text)
    )


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, closing a connection that is over its address's or the process's cap at
    once (with a 503 and a sentence), and one whose headers have not all arrived within
    `header_seconds` of its start (408) or whose body pauses that long."""

    _address: str | None = None
    _timer: asyncio.TimerHandle | None = None
    _partial = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        address = self.client[0] if self.client else "unknown"
        # One address may hold at most half of what the process can: the other half stays for the rest.
        cap = min(_limits.per_address, _limits.process // 2)
        if not _limits.exempts(address) and _open[address] >= cap:
            return self._refuse(503, TOO_MANY)
        if open_connections() >= _limits.process:  # before the process runs out of files to accept with
            return self._refuse(503, BUSY)
        self._address = address
        _open[address] += 1
        self._arm()

    def _refuse(self, status: int, sentence: str) -> None:
        self.transport.write(_answer(status, sentence))
        self.transport.close()

    def _release(self) -> None:
        if self._address is not None:
            _release_address(self._address)
            self._address = None

    def _arm(self) -> None:
        self._disarm()
        self._timer = self.loop.call_later(_limits.header_seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _too_slow(self) -> None:
        self._timer = None
        if self.transport.is_closing() or self.transport.get_protocol() is not self:
            return
        state = self.conn.their_state
        if state is h11.SEND_BODY and self.flow.read_paused:
            return self._arm()  # the app has not read what came: the wait is ours, not the client's
        if state not in (h11.IDLE, h11.SEND_BODY):
            return
        if (state is h11.IDLE and not self._partial) or (self.cycle and self.cycle.response_started):
            self.transport.close()  # an idle preconnect, or an answer already under way: nothing to say
        else:
            self._refuse(408, TOO_SLOW)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.transport.get_protocol() is not self:
            return  # upgraded to a websocket, which has its own pings and timeouts
        state = self.conn.their_state
        if state is h11.IDLE:  # headers still coming: the clock runs from the first byte, drip or not
            if not self._partial:
                self._partial = True
                if self._timer is None:  # the next request on a kept-alive connection
                    self._arm()
        elif state is h11.SEND_BODY:
            self._partial = True
            self._arm()  # each piece of the body restarts the idle clock
        else:
            self._partial = False
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._partial = False  # uvicorn's keep-alive timer now closes the idle connection

    def handle_websocket_upgrade(self, event: h11.Request) -> None:
        self._disarm()
        super().handle_websocket_upgrade(event)
        ws = self.transport.get_protocol()
        if ws is self or self._address is None:
            return
        address, lost = self._address, ws.connection_lost
        self._address = None  # the websocket's protocol releases the address's count when it closes

        def connection_lost(exc: Exception | None) -> None:
            _release_address(address)
            lost(exc)

        ws.connection_lost = connection_lost  # type: ignore[method-assign]

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        self._release()
        super().connection_lost(exc)


def _release_address(address: str) -> None:
    _open[address] -= 1
    if _open[address] <= 0:
        del _open[address]
