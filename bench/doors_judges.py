"""The panel while the crowd arrives (bench/doors.py): judges' screens at protocol level on one web process
(bench/drivers/live.py's ScoringJudge: its /live/judge stream, and a POST /live/score in every window it
shows open), and what they and the board's phones saw during a surge: score acknowledged, the window's
flip on the judges' screens, a closed window's scores on the board (festival_live's measures)."""

from __future__ import annotations

import asyncio
import threading

from bench import events, report
from bench.drivers.live import ScoringJudge
from bench.festival_live import _flips, _on_board, cookie_name, release_times


class Panel:
    """`tokens`' judges scoring on the web process at `port`, on an event loop of their own (a thread)."""

    def __init__(self, stack, tokens: dict[str, str], port: int):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True, name="panel")
        self.thread.start()
        name, n = cookie_name(stack), len(tokens)
        self.judges = [
            ScoringJudge("127.0.0.1", port, email, f"{name}={token}", 0.2 + 0.6 * (i + 0.5) / n, seed=i)
            for i, (email, token) in enumerate(tokens.items())
        ]

        async def start() -> None:
            await asyncio.gather(*(j.start() for j in self.judges))

        asyncio.run_coroutine_threadsafe(start(), self.loop).result(120)

    def stop(self) -> None:
        async def close() -> None:
            for j in self.judges:
                j.stop()
            rest = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            await asyncio.gather(*rest, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(close(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


def figures(svc, event_id: str, panel: Panel, phones: list[dict], t0: float, t1: float) -> dict:
    """The live figures between t0 and t1: acknowledgements of the scores sent, flips of the windows that
    started, and for each window closed (its scores releasable from the closing step) the seconds until each
    phone's board showed them."""
    acks = [a for j in panel.judges for a in j.acks if t0 <= a["sent"] <= t1]
    ok = [a for a in acks if a["status"] == 200]
    flips = [f for j in panel.judges for f in _flips(j.stream.docs, t0, t1)[0]]
    entries = [e for e in events.transitions(svc, event_id, ("scoring_closed",)) if e["written_at"] >= t0]
    scores = svc.store.scores.list(event_id, consistent=True)
    releases = [r[:3] for r in release_times(entries, scores, ok, t1)]
    board, missed = [], 0
    for p in phones:
        if p["error"] is None:
            seen, never = _on_board(p["seen"], releases)
            board += seen
            missed += never
    return {
        "judges": len(panel.judges),
        "ack": report.ms_summary([a["seconds"] for a in ok]),
        "refused_or_failed": len(acks) - len(ok) + sum(len(j.errors) for j in panel.judges),
        "flip": report.ms_summary(flips),
        "board": report.ms_summary(board),
        "board_never_shown": missed,
        "windows_released": len(releases),
    }
