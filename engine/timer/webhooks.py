"""The webhooks' delivery, beside the engine (`python -m engine run`): one thread per webhook URL, never
the timer's, so a slow or failing receiver delays no transition and no score.

Each thread follows the hash-chained event log of every stage this engine holds the lease of (only the
lease holder delivers, so two engines do not both send), in the log's order: it reads the entries written
since where it stopped (kept per hook and stage in the store, so a restart or a standby taking over goes
on from there), turns them into webhooks (engine/domain/webhooks.occurrences) and delivers each before the
next. A refused delivery (not a 2xx answer, or no answer within 5 s) is tried again after 1, 2, 4 … s (at
most 5 min apart) until an hour has passed, then dropped; the later ones wait meanwhile, so the order
holds. The desk shows a failing or dropped delivery (engine/service/webhooks.py). At least once: a
delivery sent just before a crash may come again, with the same delivery id.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable

from engine.domain import webhooks as rules
from engine.domain.model import Conflict, InvalidInput
from engine.domain.webhooks import Hook, HookState, Occurrence, OnStage, Reading
from engine.service.core import Service
from engine.store import Store
from engine.views import webhooks as views

log = logging.getLogger("stagescore.webhooks")
POLL_SECONDS = 0.5
TIMEOUT_SECONDS = 5.0
WAIT = "wait"  # a delivery failed and is not due again yet: stop reading this stage for now


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a redirect is not an acceptance: try again later
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def post(url: str, body: bytes, headers: dict[str, str]) -> str | None:
    """POST `body`; None when the receiver accepted it (2xx), else what went wrong, in a few words."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as answer:
            return None if 200 <= answer.status < 300 else f"HTTP {answer.status}"
    except urllib.error.HTTPError as e:
        return f"HTTP {e.code}"
    except (urllib.error.URLError, OSError) as e:
        return str(getattr(e, "reason", e))[:120]


class Deliveries:
    def __init__(
        self,
        store: Store,
        hooks: list[Hook],
        secret: str,
        held: Callable[[], list[str]],
        stop: threading.Event | None = None,
        clock: Callable[[], float] = time.time,
        send=post,
    ):
        self.store, self.hooks, self.secret, self.held = store, hooks, secret, held
        self.stop_event = stop or threading.Event()
        self.clock, self.send = clock, send
        self.svc = Service(store, clock=clock)
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for hook in self.hooks:
            t = threading.Thread(target=self._loop, args=(hook,), name=f"webhook-{hook.hook_id}", daemon=True)
            t.start()
            self._threads.append(t)

    def stop(self) -> None:
        self.stop_event.set()
        for t in self._threads:
            t.join(TIMEOUT_SECONDS + 1)

    def _loop(self, hook: Hook) -> None:
        while not self.stop_event.is_set():
            for stage in self.held():
                try:
                    self.run_once(hook, stage)
                except Conflict:  # another engine holds the stage now
                    pass
                except Exception as e:  # the deliveries must outlive any failure
                    log.warning("webhook %s on stage %s: %s; retrying", hook.host, stage, e)
            self.stop_event.wait(POLL_SECONDS)

    # ---- one pass over one stage ----------------------------------------------------------------
    def run_once(self, hook: Hook, stage: str) -> None:
        """Deliver what the stage's log holds past where this hook stopped (until a delivery fails)."""
        eid = self.store.events.current_id(stage)
        if eid is None:
            return
        state = self.store.webhooks.get(hook.hook_id, stage) or HookState(
            hook.hook_id, stage, hook.host, hook.private
        )
        if state.reading is None:  # a new hook starts now: what happened before it was set up is not sent
            state.reading = self._from_now(eid)
            self.store.webhooks.save(state)
        elif state.reading.event_id != eid:  # a new event (a reset, the next round): from its beginning
            state.reading = Reading(eid)
        reading = state.reading
        snaps: dict[str, object] = {}
        for entry in self.store.log.since(eid, reading.ts - rules.LATE_SECONDS):
            if not reading.is_new(entry.stream, entry.seq):
                continue
            data = entry.payload()
            hidden = "phase" in data or entry.kind == "place_revealed"
            hidden = hidden and self.store.results.get(eid).settings.hide_until_revealed
            found, after = rules.occurrences(entry.kind, data, reading.on_stage, hidden)
            for part, occurrence in enumerate(found):
                if (
                    state.failing
                    and state.failing["entry"] == [entry.stream, entry.seq]
                    and part < state.failing["part"]
                ):
                    continue  # delivered before the one that failed
                if self._deliver(hook, state, entry, data, occurrence, part, snaps) == WAIT:
                    return
            reading.handled(entry.stream, entry.seq, entry.ts)
            reading.on_stage = after
            self.store.webhooks.save(state)

    def _from_now(self, eid: str) -> Reading:
        now = self.clock()
        reading = Reading(eid, now)
        for entry in self.store.log.since(eid, now - rules.LATE_SECONDS):
            reading.handled(entry.stream, entry.seq, min(entry.ts, now))
        state = self.store.events.state(eid)
        reading.on_stage = OnStage(state.phase.value, state.performer_id) if state else OnStage()
        return reading

    def _deliver(self, hook: Hook, state: HookState, entry, data: dict, occurrence: Occurrence, part: int,
                 snaps: dict) -> str | None:  # fmt: skip
        now = self.clock()
        did = rules.delivery_id(hook, entry.event_id, entry.stream, entry.seq, occurrence.kind,
                                occurrence.performer_id or "")  # fmt: skip
        failing = state.failing if state.failing and state.failing["delivery_id"] == did else None
        if failing and now < failing["next_at"]:
            return WAIT
        if entry.event_id not in snaps:
            snaps[entry.event_id] = self.svc.on(state.stage).snapshot(entry.event_id)
        snap = snaps[entry.event_id]
        payload = views.data(occurrence, data, snap, now, hook.private)
        if payload is None:  # the board does not show it: nothing to send
            return None
        body = views.body(did, occurrence.kind, entry.ts, snap, self._stage_name(state.stage), payload, now)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Stagescore-Webhooks/1",
            "X-Stagescore-Signature": rules.signature(self.secret, body),
            "X-Stagescore-Delivery": did,
            "X-Stagescore-Timestamp": f"{now:.3f}",
            "X-Stagescore-Event": occurrence.kind,
        }
        error = self.send(hook.url, body, headers)
        if error is None:
            state.delivered, state.last_delivered_at, state.failing = state.delivered + 1, now, None
            return None
        attempts = (failing or {}).get("attempts", 0) + 1
        first = (failing or {}).get("first_failed_at", now)
        log.warning("webhook %s: %s refused (%s), attempt %d", hook.host, occurrence.kind, error, attempts)
        if now - first >= rules.GIVE_UP_SECONDS:
            state.dropped += 1
            state.last_dropped = {"delivery_id": did, "kind": occurrence.kind, "attempts": attempts,
                                  "error": error, "at": now}  # fmt: skip
            state.failing = None
            return None
        state.failing = {"delivery_id": did, "kind": occurrence.kind, "entry": [entry.stream, entry.seq],
                         "part": part, "attempts": attempts, "first_failed_at": first,
                         "next_at": now + rules.retry_after(attempts), "error": error}  # fmt: skip
        self.store.webhooks.save(state)
        return WAIT

    def _stage_name(self, stage: str) -> str:
        return next((s.name for s in self.store.stages.list() if s.stage_id == stage), stage)


def beside(engine) -> Deliveries | None:
    """Start the deliveries beside an engine (engine/timer/runner.py), for the stages it holds; None when
    STAGESCORE_WEBHOOKS is not set, or (logged) when it cannot be used."""
    try:
        hooks = rules.parse_hooks(os.environ.get("STAGESCORE_WEBHOOKS"))
    except InvalidInput as e:
        log.error("%s No webhook is sent.", e)
        return None
    if not hooks:
        return None
    secret = os.environ.get("STAGESCORE_WEBHOOK_SECRET", "")
    if len(secret) < 16:
        log.error("STAGESCORE_WEBHOOKS is set but STAGESCORE_WEBHOOK_SECRET is missing or shorter than 16 "
                  "characters: no webhook is sent.")  # fmt: skip
        return None
    held = lambda: [sc.stage for sc in list(engine.stages.values()) if sc.leader]  # noqa: E731
    deliveries = Deliveries(engine.store, hooks, secret, held, engine.stop_event, engine.clock)
    deliveries.start()
    log.info("webhooks: %d URL(s), delivered by this engine for the stages it holds", len(hooks))
    return deliveries
