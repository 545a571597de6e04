"""What a Streamlit page sends a viewer, read as a browser would, without a browser: a websocket on
/_stcore/stream (subprotocol `streamlit`), one BackMsg rerun_script for the page, the ForwardMsgs until
the script has finished. The raw messages carry every element's text (tables as Arrow bytes), which is
enough to prove what a public page does not show."""

from __future__ import annotations

from urllib.parse import urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import connect


def page_bytes(
    base_url: str,
    page: str,
    timeout: float = 60.0,
    query: str = "",
    cookies: dict[str, str] | None = None,
) -> bytes:
    """Every ForwardMsg of one fresh session's run of `page` (its url path, e.g. "results", with its
    `query` string and `cookies`), concatenated; raises AssertionError if the script did not finish
    successfully. The benchmarks time the same session (bench/doors.py's first runs)."""
    u = urlsplit(base_url)
    rerun = BackMsg()
    rerun.rerun_script.page_name = page
    rerun.rerun_script.query_string = query
    rerun.rerun_script.widget_states.SetInParent()
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else None
    seen: list[bytes] = []
    with connect(
        f"ws://{u.hostname}:{u.port}/_stcore/stream",
        subprotocols=["streamlit"],
        origin=base_url,
        max_size=None,
        open_timeout=timeout,
        proxy=None,
        additional_headers=headers,
    ) as ws:
        ws.send(rerun.SerializeToString())
        while True:
            raw = ws.recv(timeout=timeout)
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            seen.append(raw)
            if msg.WhichOneof("type") != "script_finished":
                continue
            if msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                continue  # the rerun's messages follow
            assert msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY, f"{page}: {msg.script_finished}"
            return b"".join(seen)
