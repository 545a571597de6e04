"""When judges submitted: each scoring window's opening (from the log, else estimated) and the seconds
from it to each judge's first and latest submission. Pure: pandas, no Streamlit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from engine.analytics.analysis import Analysis
from engine.domain.eventlog import LogEntry
from engine.domain.model import PerformerStatus, Phase
from engine.domain.snapshot import Snapshot


def openings_key(snap: Snapshot) -> tuple:
    """Changes whenever a scoring window may have opened: when to read the log again."""
    statuses = [p.status for p in snap.performers]
    opened = sum(s in (PerformerStatus.SCORING, PerformerStatus.DONE) for s in statuses)
    return (snap.event_id, opened, statuses.count(PerformerStatus.SKIPPED))


def openings_from_log(entries: Iterable[LogEntry]) -> dict[str, float]:
    """performer_id -> when its scoring window opened (its first `scoring_opened` entry, or the admin's
    `performance_done`, which opens it early)."""
    out: dict[str, float] = {}
    for e in entries:
        if e.kind in ("scoring_opened", "performance_done"):
            pid = e.payload().get("performer_id")
            if isinstance(pid, str) and e.ts < out.get(pid, float("inf")):
                out[pid] = e.ts
    return out


def openings_estimated(snap: Snapshot) -> dict[str, float]:
    """Without the log: the window on stage opened at window_started_at; the others about at
    performance start + performance time (late by any pause during the performance)."""
    out = {
        p.performer_id: p.started_at + snap.settings.perform_seconds
        for p in snap.performers
        if p.started_at is not None
    }
    pid = snap.state.performer_id
    if pid and snap.state.phase is Phase.SCORING and snap.state.window_started_at is not None:
        out[pid] = snap.state.window_started_at
    return out


def timing_frame(analysis: Analysis, openings: Mapping[str, float]) -> pd.DataFrame:
    """Seconds from each score's window opening to its first and to its latest submission."""
    s, p = analysis.scores, analysis.performers
    # Looked up once a performer, then spread over their scores (the rows hold each one's position).
    per_performer = np.array([openings.get(pid, np.nan) for pid in p["performer_id"]], dtype=float)
    opened = per_performer[np.searchsorted(p["position"].to_numpy(), s["position"].to_numpy())]
    out = s[["position", "performer", "judge_name", "revision"]].assign(
        first=s["first_submitted_at"].to_numpy() - opened, last=s["submitted_at"].to_numpy() - opened
    )
    return out[~np.isnan(opened)].reset_index(drop=True)


def timing_summary(timing: pd.DataFrame) -> pd.DataFrame:
    """Per judge, over every score with a known window opening."""
    g = timing.groupby("judge_name")
    out = pd.DataFrame(
        {
            "Scores": g.size(),
            "Median s to first": g["first"].median(),
            "Median s to last": g["last"].median(),
            "Latest s": g["last"].max(),
            "Revised": (timing["revision"] > 1).groupby(timing["judge_name"]).sum(),
        }
    )
    return out.rename_axis("Judge").reset_index()
