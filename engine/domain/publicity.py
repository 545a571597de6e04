"""What the public may see of the performer on stage. Pure: a state or a Snapshot in, no I/O.

The rule: nothing of a performer's scores is public while their scoring window is open: neither the
running total nor a judge's cell, nor the ranks (a rank gives the total away by where it puts them and
by the places it moves the others to). A judge who has not scored yet could otherwise read the others on
the board on the same phone, which the judge's own stream already forbids (snapshot.visible_to_judge).
Once the window has closed, the results' own rules (engine.domain.release) say what the board shows.

Every public view goes through here: the board and kiosk stream (/live/public), the board export
(exports.public_board) and /results. The admin desk and a judge's own document are not public and keep
the full snapshot.
"""

from __future__ import annotations

from dataclasses import replace

from engine.domain.model import EventState, Phase
from engine.domain.snapshot import Snapshot, compute_results


def held_back(state: EventState) -> str | None:
    """The performer whose scores nothing public may show yet: the one on stage in phase SCORING, paused
    or not, and past the deadline until the engine writes the step that closes the window (a score may
    still be committed until then, so the total is not final). In PERFORMING nobody can score the
    performer on stage, and the previous one's window has closed: nothing is held back, nor in FINISHED."""
    return state.performer_id if state.phase is Phase.SCORING else None


def public_view(snap: Snapshot) -> Snapshot:
    """The snapshot as the public may see it: the held-back performer's scores left out and the results
    ranked without them, so their row reads as it did before their window opened. The snapshot itself
    when nothing is held back. Costs one ranking while a window is open: compute it once per change of
    the scores, not per viewer."""
    held = held_back(snap.state)
    if held is None or held not in snap.by_performer:
        return snap
    scores = [s for s in snap.scores if s.performer_id != held]
    deducted = [d for d in snap.deductions if d.performer_id != held]  # nor their deductions, yet
    carried = snap.round.carried if snap.round else None
    results = compute_results(
        snap.settings, snap.performers, scores, snap.judges, None, snap.conflicts, carried, deducted
    )
    return replace(snap, scores=scores, results=results, deductions=deducted)


def withholds(snap: Snapshot) -> bool:
    """True if `snap` still holds scores the public may not see yet (it is not a public_view)."""
    held = held_back(snap.state)
    return held is not None and any(s.performer_id == held for s in snap.scores)
