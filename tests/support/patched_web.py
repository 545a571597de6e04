"""A real web server whose one score commit has a named ConditionCheck taken out, for the fault checks'
proof that their invariants catch the violation on the path judges use:

    python -m tests.support.patched_web CONDITION run Home.py [--section.option value ...]

Tests only: the patch is applied in this process before the server starts, nothing in the product reads
it."""

from __future__ import annotations

import sys

from engine.store.score_commit import ScoreCommits


def without(condition: str):
    """ScoreCommits._ops with the operation named `condition` ("window", "session" …) left out."""
    ops = ScoreCommits._ops

    def patched(self, *args, **kwargs):
        built, head = ops(self, *args, **kwargs)
        if not any(op.name == condition for op in built):
            raise SystemExit(f"the commit has no {condition!r} operation")
        return [op for op in built if op.name != condition], head

    return patched


if __name__ == "__main__":
    ScoreCommits._ops = without(sys.argv[1])
    from ui.serve import main

    main(sys.argv[2:])
