"""A small blocking client for the live routes: read a server-sent event stream, post a score."""

from __future__ import annotations

import http.client
import json
import time
from urllib.parse import urlparse

from ui import cookies


def cookie_header(token: str | None) -> dict[str, str]:
    return {"Cookie": f"{cookies.session_name()}={token}"} if token else {}


class EventStream:
    """One GET of an event stream; `next_event` returns (event, data) or raises TimeoutError."""

    def __init__(self, base_url: str, path: str, token: str | None = None, timeout: float = 10.0):
        u = urlparse(base_url)
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
        self.conn.request("GET", path, headers={"Accept": "text/event-stream", **cookie_header(token)})
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


def wait_until_live(base_url: str, timeout: float = 20.0) -> None:
    """Return once the server's live feed has its first reading (a score before it is answered 503)."""
    stream = EventStream(base_url, "/live/public", timeout=timeout)
    try:
        stream.next_doc(timeout)
    finally:
        stream.close()
