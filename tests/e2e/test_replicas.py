"""Replicas for real: two web servers and two engines on one DynamoDB Local, the shipped nginx site in
front (adapted only in ports and paths, TLS with a self-signed certificate), a judge in Chromium and the
kiosk board through nginx.

kill -9 of the server holding the judge's websocket: the page reconnects through nginx to the other one,
still logged in (the login cookie), and the judge submits in the same window. kill -9 of the engine
holding the lease: the standby takes over within the lease and the admin desk shows the switch. Then the
event runs to its end and the fault tests' invariants hold (no acknowledged score lost, no phase skipped
or doubled)."""

from __future__ import annotations

import json
import os
import re
import signal
import ssl
import time
import urllib.request
from collections.abc import Iterator
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from engine import localdb
from engine.domain.model import Phase
from tests.e2e.browsing import APP, JUDGE_SCREEN
from tests.e2e.stack import ARTIFACTS, PASSWORD
from tests.invariants import check_event
from tests.support import nginx, processes
from tests.support.browser import VIEWPORT
from tests.support.stack import Stack, fresh_prefix, healthy
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.faults]
SCORE_SECONDS = 16
LEASE_SECONDS = 3.0
JUDGE = "judge1@demo.local"
ADMIN = "admin@demo.local"
OWNER = re.compile(r"engine (engine-[0-9a-f]+) starting")
_INSECURE = ssl.create_default_context()
_INSECURE.check_hostname = False
_INSECURE.verify_mode = ssl.CERT_NONE


class Replicas:
    def __init__(self, stack: Stack, webs: list, urls: list[str], engines: list, front: str):
        self.stack, self.webs, self.urls, self.engines, self.front = stack, webs, urls, engines, front

    def viewers(self, i: int) -> float:
        """Streamlit sessions open on web server i, from its own /metrics."""
        with urllib.request.urlopen(self.urls[i] + "/metrics", timeout=5) as r:
            text = r.read().decode()
        return float(re.search(r"^stagescore_viewers_connected (\S+)$", text, re.M).group(1))

    def owner_of(self, proc) -> str:
        return wait_for(lambda: (m := OWNER.search(processes.read_log(proc))) and m.group(1), 20, "engine id")


@pytest.fixture(scope="module")
def replicas(dynamodb_endpoint, tmp_path_factory) -> Iterator[Replicas]:
    tmp = tmp_path_factory.mktemp("replicas")
    if problem := nginx.missing():
        pytest.fail(problem, pytrace=False)
    with Stack(fresh_prefix("rep"), ARTIFACTS / "logs", password=PASSWORD) as stack:
        stack.env["STAGESCORE_LEASE_SECONDS"] = str(LEASE_SECONDS)
        stack.cli("init", "--wait", "30")
        timers = ["--perform-seconds", "2", "--score-seconds", str(SCORE_SECONDS)]
        stack.cli("demo", "--password", PASSWORD, *timers, "--performers", "2", "--judges", "3")
        engines = [stack.start_engine(), stack.spawn("engine2", processes.engine_command("run"))]
        webs, urls = [], []
        for _ in range(2):
            webs.append(stack.start_web())
            urls.append(stack.url)
        cert, key = nginx.self_signed(tmp)
        https, http = localdb.free_port(), localdb.free_port()
        upstreams = [u.removeprefix("http://") for u in urls]
        conf = nginx.main_conf(tmp, nginx.adapted_site(upstreams, https, http, cert, key, tmp))
        stack.procs.append(nginx.start(conf, stack.env))
        front = f"https://127.0.0.1:{https}"

        def through_nginx() -> bool:
            stack.check_alive()
            with urllib.request.urlopen(front + "/healthz", timeout=5, context=_INSECURE) as r:
                return r.status == 200 and json.loads(r.read())["database"] == "ok"

        wait_for(through_nginx, 20, "nginx to answer /healthz")
        yield Replicas(stack, webs, urls, engines, front)


def logged_in_page(browser, replicas: Replicas, email: str):
    """A browser context holding the login cookie, as after a login (service.logins.login + add_cookies)."""
    from ui import cookies

    session = replicas.stack.service().logins.login(email, PASSWORD)
    ctx = browser.new_context(viewport=VIEWPORT, ignore_https_errors=True)
    ctx.set_default_timeout(20_000)
    prefix = replicas.stack.prefix
    name = "".join(ch for ch in prefix if ch.isalnum() or ch in "-_") + cookies.SESSION
    ctx.add_cookies([{"name": name, "value": session.token, "url": replicas.front, "httpOnly": True,
                      "secure": True, "sameSite": "Strict"}])  # fmt: skip
    return ctx, ctx.new_page()


def connected(page) -> None:
    page.wait_for_selector(f'{APP}[data-test-connection-state="CONNECTED"]', timeout=30_000)


def test_failover_of_a_web_server_and_of_the_engine_behind_nginx(browser, replicas: Replicas):
    stack = replicas.stack
    contexts = []
    try:
        jctx, judge = logged_in_page(browser, replicas, JUDGE)
        contexts.append(jctx)
        judge.goto(replicas.front + "/judge")
        connected(judge)
        holder = wait_for(
            lambda: [i for i in (0, 1) if replicas.viewers(i) >= 1], 15, "the judge's session on a server"
        )[0]
        other = 1 - holder
        kctx = browser.new_context(viewport=VIEWPORT, ignore_https_errors=True)
        contexts.append(kctx)
        kiosk = kctx.new_page()
        kiosk.goto(replicas.front + "/leaderboard?kiosk=1")
        connected(kiosk)
        actx, admin = logged_in_page(browser, replicas, ADMIN)
        contexts.append(actx)
        admin.goto(replicas.front + "/admin")
        connected(admin)
        first_engine = replicas.owner_of(replicas.engines[0])
        expect(admin.get_by_text(f"Timer engine: {first_engine}")).to_be_visible()

        stack.cli("control", "start", "--force")
        wait_for(lambda: stack.snapshot().state.phase is Phase.SCORING, 15, "scoring to open")
        window = stack.snapshot().state.window_id
        performer = stack.snapshot().state.performer_id
        box = judge.locator(f'{JUDGE_SCREEN} input.value[aria-label^="Score"]')
        expect(box).to_be_enabled()

        # kill -9 of the server holding the judge's websocket
        os.killpg(replicas.webs[holder].pid, signal.SIGKILL)
        replicas.webs[holder].wait(5)
        stack.procs.remove(replicas.webs[holder])
        killed = time.monotonic()
        wait_for(
            lambda: replicas.viewers(other) >= 1 and not healthy(replicas.urls[holder]), 30, "a reconnect"
        )
        connected(judge)
        # The scoring form again: still logged in, no login page; the screen's stream came back through nginx.
        expect(box).to_be_enabled(timeout=30_000)
        expect(judge.locator(JUDGE_SCREEN).locator(".banner.offline")).to_be_hidden(timeout=30_000)
        assert "/login" not in judge.url
        box.fill("7.5")
        judge.locator(JUDGE_SCREEN).get_by_role("button", name="Submit score").click()
        expect(
            judge.locator(JUDGE_SCREEN).get_by_text("Your score for this performer: 7.50 (revision 1)")
        ).to_be_visible()
        assert stack.snapshot().state.window_id == window, "the score went in the same window"
        reconnect_s = time.monotonic() - killed

        # kill -9 of the engine holding the lease
        lease = stack.store().lease.current()
        assert lease["owner"] == first_engine
        replicas.engines[0].send_signal(signal.SIGKILL)
        replicas.engines[0].wait(5)
        stack.procs.remove(replicas.engines[0])
        killed = time.monotonic()
        second_engine = replicas.owner_of(replicas.engines[1])
        took_over = lambda: (stack.store().lease.current() or {}).get("owner") == second_engine  # noqa: E731
        wait_for(took_over, LEASE_SECONDS + 1, "the standby to take the lease within the lease")
        takeover_s = time.monotonic() - killed
        expect(admin.get_by_text(f"Timer engine: {second_engine}")).to_be_visible(timeout=10_000)

        wait_for(lambda: stack.snapshot().state.phase is Phase.FINISHED, 2 * SCORE_SECONDS + 20, "the end")
        # At the end the kiosk's pages take turns, 8 s each (the podiums, then the ranking): within two turns.
        expect(kiosk.locator("table.ranking")).to_be_visible(timeout=20_000)
        event_id = stack.snapshot().state.event_id
        problems = check_event(stack.store(), event_id, {(performer, JUDGE): (Decimal("7.5"), 1)})
        assert not problems, problems
        print(f"web failover: reconnect and submit {reconnect_s:.1f} s; engine takeover {takeover_s:.1f} s")
    finally:
        for ctx in contexts:
            ctx.close()
