"""`python -m ui.serve run Home.py [--server.port 8501 ...]`: the Stagescore web server (ui/server.py).

Takes `streamlit run`'s form so scripts, the Procfile and the tests keep one command line: the script
argument must be Home.py, and each `--section.option value` (or `=value`) is a Streamlit config option.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

# What `make dev` (STAGESCORE_DEV=1) turns back on for a developer: an edit reruns the page, an error
# shows its traceback and the developer's menu. Production keeps .streamlit/config.toml's settings.
DEV_OPTIONS: dict[str, object] = {
    "server.fileWatcherType": "auto",
    "server.runOnSave": True,
    "server.allowRunOnSave": True,
    "client.toolbarMode": "developer",
    "client.showErrorDetails": "full",
    "client.showErrorLinks": "auto",
    "global.showWarningOnDirectExecution": True,
}


def dev_wanted(env: Mapping[str, str] = os.environ) -> bool:
    return env.get("STAGESCORE_DEV", "").strip().lower() in ("1", "true", "yes")


def with_dev_options(options: dict[str, object], env: Mapping[str, str] = os.environ) -> dict[str, object]:
    """`options` plus DEV_OPTIONS when STAGESCORE_DEV is set; an option given on the command line wins."""
    return {**DEV_OPTIONS, **options} if dev_wanted(env) else options


def parse(args: list[str]) -> dict[str, object]:
    """The config options of a `run Home.py --a.b value ...` command line."""
    if args[:2] not in (["run", "Home.py"], ["run"]) and args:
        raise SystemExit("usage: python -m ui.serve run Home.py [--section.option value ...]")
    rest = args[2:] if args[1:2] == ["Home.py"] else args[1:]
    options: dict[str, str] = {}
    i = 0
    while i < len(rest):
        arg = rest[i]
        if not arg.startswith("--") or "." not in arg:
            raise SystemExit(f"ui.serve: {arg!r} is not a --section.option setting.")
        if "=" in arg:
            name, value = arg[2:].split("=", 1)
            i += 1
        elif i + 1 < len(rest):
            name, value = arg[2:], rest[i + 1]
            i += 2
        else:
            raise SystemExit(f"ui.serve: {arg} needs a value.")
        options[name] = _typed(name, value)
    return options


def _typed(name: str, value: str) -> object:
    """A command-line value as the type Streamlit's option expects (App.run takes typed values)."""
    from streamlit import config

    option = config._config_options_template.get(name)
    if option is None:
        raise SystemExit(f"ui.serve: {name} is not a Streamlit config option.")
    kind = option.type
    if kind is bool:
        if value.lower() not in ("true", "false"):
            raise SystemExit(f"ui.serve: {name} takes true or false.")
        return value.lower() == "true"
    try:
        return kind(value) if kind in (int, float) else value
    except ValueError:
        raise SystemExit(f"ui.serve: {name} takes a {kind.__name__}.") from None


def _streamlit_logs_through_ours() -> None:
    """STAGESCORE_LOG_FORMAT=json: Streamlit gives each of its loggers a console handler of its own; make
    that handler ours (engine/log_setup.py), now and for loggers it creates later."""
    from engine import log_setup

    if not log_setup.json_wanted():
        return
    import streamlit.logger as st_logger

    def setup_formatter(logger) -> None:
        if hasattr(logger, "streamlit_console_handler"):
            logger.removeHandler(logger.streamlit_console_handler)
        logger.streamlit_console_handler = log_setup.handler()
        logger.addHandler(logger.streamlit_console_handler)

    st_logger.setup_formatter = setup_formatter  # get_logger and update_formatter look it up by name
    st_logger.update_formatter()


def _guard_connections() -> None:
    """uvicorn as st.App starts it, with the connection guards of ui/connections.py as its protocol.

    App.run builds uvicorn's settings in one function of Streamlit's (no public way in): wrap it. If an
    upgrade renames it, this fails at start rather than serving unguarded."""
    from streamlit.web.server.starlette import starlette_server

    from ui import connections

    connections.configure(connections.Limits.from_env())
    settings = starlette_server._get_uvicorn_config_kwargs

    def guarded() -> dict[str, object]:
        # h11 (uvicorn's pure-Python HTTP/1.1) is what runs here anyway: httptools is not installed.
        return {**settings(), "http": connections.GuardedH11Protocol, "timeout_keep_alive": 5}

    starlette_server._get_uvicorn_config_kwargs = guarded


def main(args: list[str]) -> None:
    from engine import log_setup
    from ui.server import build

    log_setup.setup("web")
    _streamlit_logs_through_ours()
    options = with_dev_options(parse(args or ["run", "Home.py"]))
    if log_setup.json_wanted():  # Streamlit prints its welcome lines with print, not through logging
        options.setdefault("logger.hideWelcomeMessage", True)
    _guard_connections()
    sys.argv = [sys.argv[0]]  # App.run passes the remaining argv to the script: there is none
    build().run(config=options)


if __name__ == "__main__":
    main(sys.argv[1:])
