"""A small blocking client for the live routes: read a server-sent event stream, post a score."""

from __future__ import annotations

import asyncio
import http.client
import json
import socket
import ssl
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

from ui import cookies

# The tests' nginx serves a self-signed certificate of their own (tests/support/nginx.py).
_UNVERIFIED = ssl.create_default_context()
_UNVERIFIED.check_hostname = False
_UNVERIFIED.verify_mode = ssl.CERT_NONE


def connection(base_url: str, timeout: float) -> http.client.HTTPConnection:
    """A connection to an http:// server or an https:// one (the certificate is not verified)."""
    u = urlparse(base_url)
    if u.scheme == "https":
        return http.client.HTTPSConnection(u.hostname, u.port, timeout=timeout, context=_UNVERIFIED)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)


def session_cookie(prefix: str) -> str:
    """The session cookie's name for the tables under `prefix` (ui/cookies.py: the prefix, then the name)."""
    return "".join(ch for ch in prefix if ch.isalnum() or ch in "-_") + cookies.SESSION


def cookie_header(token: str | None, name: str | None = None) -> dict[str, str]:
    """The session cookie; its name carries the table prefix (`name`, default this process's)."""
    return {"Cookie": f"{name or cookies.session_name()}={token}"} if token else {}


class EventStream:
    """One GET of an event stream; `next_event` returns (event, data) or raises TimeoutError."""

    def __init__(
        self,
        base_url: str,
        path: str,
        token: str | None = None,
        timeout: float = 10.0,
        cookie: str | None = None,
    ):
        self.conn = connection(base_url, timeout)
        self.conn.request(
            "GET", path, headers={"Accept": "text/event-stream", **cookie_header(token, cookie)}
        )
        self.response = self.conn.getresponse()
        self.status = self.response.status
        self.content_type = self.response.getheader("Content-Type", "")
        self.comments: list[str] = []

    def body_json(self) -> dict:
        return json.loads(self.response.read())

    def next_event(self, timeout: float = 10.0) -> tuple[str, str]:
        deadline = time.monotonic() + timeout
        event, data = "message", []
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no event in time")
            self.conn.sock.settimeout(left)
            try:
                raw = self.response.readline()
            except TimeoutError:
                raise TimeoutError("no event in time") from None
            if not raw:
                raise ConnectionError("the stream ended")
            line = raw.decode().rstrip("\r\n")
            if line == "":
                if data:
                    return event, "\n".join(data)
                event = "message"
            elif line.startswith(":"):
                self.comments.append(line)
            elif line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip(" "))

    def next_doc(self, timeout: float = 10.0, event: str = "doc") -> dict:
        while True:
            kind, data = self.next_event(timeout)
            if kind == event:
                return json.loads(data)

    def interrupt(self) -> None:
        """Wake a `next_event` blocked in another thread (it then raises ConnectionError or OSError)."""
        sock = self.conn.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self) -> None:
        self.conn.close()


def post_score(base_url: str, token: str | None, body: dict | bytes, marked: bool = True) -> tuple[int, dict]:
    return post_json(base_url, "/live/score", token, body, marked)


def post_json(
    base_url: str, path: str, token: str | None, body: dict | bytes, marked: bool = True
) -> tuple[int, dict]:
    """POST a JSON body as the page does (the session cookie, the X-Stagescore mark); (status, answer)."""
    u = urlparse(base_url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=15)
    headers = {"Content-Type": "application/json", **cookie_header(token)}
    if marked:
        headers["X-Stagescore"] = "1"
    try:
        conn.request("POST", path, body if isinstance(body, bytes) else json.dumps(body), headers)
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read() or b"{}")
    finally:
        conn.close()


def wait_until_live(base_url: str, timeout: float = 20.0, event_id: str | None = None) -> None:
    """Return once the server's live feed has its first reading (a score before it is answered 503), and
    with `event_id`, once it reads that event (it reads the current-event pointer every 2 s: before, a
    score would name the previous event). TimeoutError past `timeout`."""
    stream = EventStream(base_url, "/live/public", timeout=timeout)
    deadline = time.monotonic() + timeout
    try:
        doc = stream.next_doc(timeout)
        while event_id is not None and doc.get("event_id") != event_id:
            doc = stream.next_doc(max(0.1, deadline - time.monotonic()))
    finally:
        stream.close()


def run_apart(scenario) -> None:
    """asyncio.run on a thread of its own: a worker that ran the browser tests before holds a running loop
    in this thread (Playwright's sync API)."""
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, scenario()).result(timeout=30)
