"""The judge's first load alone, as bench/doors.py measures it at its end, in about a minute:

    .venv/bin/python -m bench.diag.judge_load [--runs 3] [--timeline]

The same stack (DynamoDB Local in memory, the engine, `--processes` web processes behind the shipped nginx
site with TLS and HTTP/2), the same judging event (a scoring window open for ten minutes), and
bench/doors_browser.judge_first_load over the venue link, `--runs` times. In bench/doors.py the web
processes have served a surge of board pages first; here each serves a few board sessions before (a
fresh process's first page run imports and builds what later ones share: about 0.4 s).

`--timeline` first loads the page once more, cold then warm, and prints what arrived when (seconds from
navigation): each request (from the cache or not, its bytes), each websocket message (its kind), and by
the page's own clock when the stream opened, its first document, and the score field on screen.
"""

from __future__ import annotations

import argparse
import base64
import json
import time

from playwright.sync_api import sync_playwright

from bench import doors_browser, events, report
from bench.doors import ONE_ADDRESS, _judging_event, _wait_front
from bench.stack import BenchStack
from engine import localdb
from tests.support import browser as chromium
from tests.support import nginx
from tests.support.live import session_cookie
from tests.support.page_view import page_bytes


def _message(payload: str) -> str:
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    msg = ForwardMsg()
    msg.ParseFromString(base64.b64decode(payload))
    kind = msg.WhichOneof("type")
    if kind == "delta":
        kind += "." + (msg.delta.new_element.WhichOneof("type") or msg.delta.WhichOneof("type"))
    return kind


def timeline(pw, url: str, cookie: tuple[str, str]) -> None:
    browser = chromium.launch(pw)
    try:
        ctx = chromium.new_context(browser, 120_000, viewport=chromium.PHONE, ignore_https_errors=True)
        ctx.add_cookies([{"name": cookie[0], "value": cookie[1], "url": url}])
        page = ctx.new_page()
        page.add_init_script(doors_browser.WATCH)
        cdp = ctx.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", doors_browser.VENUE)
        rows: dict[str, dict] = {}
        lines: list[tuple[float, str]] = []
        cdp.on("Network.requestWillBeSent", lambda e: rows.setdefault(e["requestId"], {"e": e}))
        cdp.on("Network.responseReceived", lambda e: rows.get(e["requestId"], {}).update(r=e["response"]))
        cdp.on("Network.loadingFinished", lambda e: rows.get(e["requestId"], {}).update(end=e))
        cdp.on("Network.webSocketFrameReceived", lambda e: lines.append((e["timestamp"], _frame(e))))
        cdp.on("Network.webSocketWillSendHandshakeRequest", lambda e: lines.append((e["timestamp"], "ws")))
        for name in ("cold", "warm"):
            rows.clear()
            lines.clear()
            page.goto(url + "/judge", wait_until="commit")
            page.locator(doors_browser.SCORE_FIELD).first.wait_for(state="visible")
            page.wait_for_timeout(1000)
            _print(name, url, rows, lines, page.evaluate("window.__seen"))
    finally:
        browser.close()


def _frame(e: dict) -> str:
    data = e["response"].get("payloadData", "")
    try:
        return f"ws {len(data) * 3 // 4:>7} B  {_message(data)}"
    except Exception:  # not a ForwardMsg
        return f"ws {len(data):>7} B"


def _print(name: str, url: str, rows: dict, lines: list, seen: dict) -> None:
    t0 = min(r["e"]["timestamp"] for r in rows.values())
    out = list(lines)
    for r in rows.values():
        resp, end = r.get("r", {}), r.get("end", {})
        cached = resp.get("fromDiskCache") or resp.get("fromPrefetchCache")
        took = end.get("timestamp", r["e"]["timestamp"]) - r["e"]["timestamp"]
        what = f"{r['e']['request']['url'].replace(url, '')[:70]:<70} {resp.get('status', '-')}"
        out.append((r["e"]["timestamp"], f"{what} {'cache' if cached else end.get('encodedDataLength', '-')}"
                                         f" +{took:.3f}"))  # fmt: skip
    print(f"== {name}: by the page's clock {json.dumps(seen)} (ms)")
    for ts, line in sorted(out):
        print(f"{ts - t0:7.3f}  {line}")


def main(a: argparse.Namespace) -> None:
    with BenchStack("jload") as stack, sync_playwright() as pw:
        svc = stack.service()
        tokens = events.login_all(svc, events.add_judges(svc, 3))
        stack.start_engine()
        ports = [localdb.free_port() for _ in range(a.processes)]
        for port in ports:
            stack.start_web(env=ONE_ADDRESS, port=port)
            for _ in range(3):  # the surge's stand-in: the process has run pages before
                page_bytes(f"http://127.0.0.1:{port}", "leaderboard")
        where = stack.log_dir / f"{stack.prefix}nginx"
        front, url = nginx.serve([f"127.0.0.1:{p}" for p in ports], where, stack.env)
        stack.procs.append(front)
        _wait_front(url)
        cookie = (session_cookie(stack.prefix), next(iter(tokens.values())))
        svc.create_event(*_judging_event(svc))
        events.start_event(svc)
        time.sleep(2.5)
        if a.timeline:
            timeline(pw, url, cookie)
        runs = [doors_browser.judge_first_load(pw, url, cookie) for _ in range(a.runs)]
    keys = ("seconds_to_score_field", "kb_over_the_wire", "requests", "websocket_kb_received")
    rows = [[i, k, *(v[key] for key in keys)] for i, r in enumerate(runs, 1) for k, v in r.items()]
    head = ["run", "", "s", "KB", "requests", "ws KB"]
    report.print_table("The judge's first load over the venue link", head, rows)
    for r in runs:  # as bench/doors.py records them (figures.judge_venue_link)
        print(json.dumps(r))


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--processes", type=int, default=2, help="web processes behind nginx (bench/doors.py: 2)")
    ap.add_argument("--timeline", action="store_true")
    main(ap.parse_args())
