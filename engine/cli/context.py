"""The service a command acts through, bound to the stage named by `--stage` (or the only stage)."""

from __future__ import annotations

import argparse

# The commands that act on a stage's current event take --stage ID (default: the only stage).
STAGED = (
    "control",
    "status",
    "performers",
    "round",
    "conflict",
    "results",
    "export",
    "demo",
    "verify-log",
    "vote",
    "on-air",
    "panel",
)

_chosen: dict[str, str | None] = {"stage": None}


def choose(stage: str | None) -> None:
    _chosen["stage"] = stage


def service():
    """This process's service (engine/bootstrap.py), acting on the chosen stage."""
    from engine import bootstrap

    svc = bootstrap.service()
    return svc.on(_chosen["stage"]) if _chosen["stage"] else svc


def add_stage_options(sub) -> None:
    """`--stage ID` on every staged command and each of its subcommands, wherever it is written."""
    for name in STAGED:
        for parser in _leaves(sub.choices[name]):
            parser.add_argument(
                "--stage", default=argparse.SUPPRESS, help="the stage's id (default: the only stage)"
            )


def _leaves(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    found = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                found += _leaves(child)
    return found
