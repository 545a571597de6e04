"""`python -m ui.serve [streamlit run arguments]`: `streamlit run Home.py`, routed by st.navigation from
the first visitor on.

Streamlit 1.67 learns an app's st.navigation pages from the first script run. On a fresh server the very
first visitor of a deep link such as /admin would therefore get an inert "Page not found" dialog. So:
importing `ui` switches the old pages/-folder routing off (see ui/__init__.py) before the server starts,
and a warm-up thread runs Home.py once, as a browser would, as soon as the server answers.
"""

import asyncio
import sys
import threading
import time
import urllib.request

from streamlit.web import cli

import ui  # noqa: F401  (sets the routing flag)


def _option(args: list[str], name: str, default: str) -> str:
    for i, a in enumerate(args):
        if a == name and i + 1 < len(args):
            return args[i + 1]
        if a.startswith(name + "="):
            return a.split("=", 1)[1]
    return default


async def _run_once(url: str) -> None:
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    async with websockets.connect(url, subprotocols=["streamlit"], max_size=None) as ws:
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_name = ""
        await ws.send(msg.SerializeToString())
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(await asyncio.wait_for(ws.recv(), 30))
            if fwd.WhichOneof("type") == "script_finished":
                return


def _warm_up(port: str, base: str) -> None:
    root = f"127.0.0.1:{port}" + (f"/{base.strip('/')}" if base.strip("/") else "")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://{root}/_stcore/health", timeout=2):
                break
        except OSError:
            time.sleep(0.2)
    try:
        asyncio.run(_run_once(f"ws://{root}/_stcore/stream"))
    except Exception as e:  # the app still works; only a very first deep link may show "Page not found"
        print(f"Stagescore: warm-up run failed ({e})", file=sys.stderr)


if __name__ == "__main__":
    args = sys.argv[1:] or ["run", "Home.py"]
    port = _option(args, "--server.port", "8501")
    base = _option(args, "--server.baseUrlPath", "")
    threading.Thread(target=_warm_up, args=(port, base), daemon=True, name="warm-up").start()
    sys.argv = ["streamlit", *args]
    sys.exit(cli.main())
