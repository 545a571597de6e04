"""`python -m engine ...` run inside the test's process: engine.cli.main.main with its parser, its service
(engine/bootstrap.py, on the tables the environment names) and its exit code, output captured as text.

The tests of what a command does and the stacks' set-up commands (Stack.cli) use this: starting an
interpreter and importing boto3 for each of them cost about half a second of CPU a command. That the entry
point runs as a process, as an operator types it, is tested with processes.engine_cli
(tests/integration/test_engine_process.py, the fault runs' verify-log)."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import subprocess
from collections.abc import Mapping

from engine.cli.main import main


def shell(*args: str, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the command to its end (`env`: variables set for it alone); returns what processes.engine_cli
    returns. The root logger is put back afterwards (the command configures it for a process of its own)."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    saved = {name: os.environ.get(name) for name in env or {}}
    out, err = io.StringIO(), io.StringIO()
    try:
        os.environ.update(env or {})
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as e:  # argparse's refusals, as the process would exit
                code = e.code if isinstance(e.code, int) else 2
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        root.handlers[:] = handlers
        root.setLevel(level)
    return subprocess.CompletedProcess(
        ["python", "-m", "engine", *args], code, out.getvalue(), err.getvalue()
    )
