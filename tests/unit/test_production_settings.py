"""The web server starts with production settings: no file or module watchers, no rerun on save, no
developer menu or tracebacks. `make dev` (STAGESCORE_DEV=1) is the only way back to them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib

from tests.support.processes import ROOT
from ui.serve import DEV_OPTIONS, parse, with_dev_options

# Each of these is a development feature that costs a crowd (the watchers: most of a new session's
# first run) or shows it what only a developer should see.
PRODUCTION = {
    "server.fileWatcherType": "none",
    "server.runOnSave": False,
    "server.allowRunOnSave": False,
    "server.scriptHealthCheckEnabled": False,
    "server.enableExpensiveMemoryStats": False,
    "server.enableAgentApi": False,
    "server.headless": True,
    "client.toolbarMode": "viewer",
    "client.showErrorDetails": "none",
    "client.showErrorLinks": False,
    "global.showWarningOnDirectExecution": False,
    "logger.enableRich": False,
    "browser.gatherUsageStats": False,
    "runner.postScriptGC": False,
}


def test_config_toml_holds_every_production_setting():
    doc = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    found = {}
    for name in PRODUCTION:
        section, option = name.split(".")
        found[name] = doc.get(section, {}).get(option, "(missing)")
    assert found == PRODUCTION


def test_streamlit_reads_them_as_its_options():
    """Streamlit itself, started as the server is (from the repository, no STREAMLIT_* variables), sees
    the production values: a misspelt section or option would be ignored by Streamlit, not refused."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STREAMLIT_", "STAGESCORE_DEV"))}
    code = (
        "import json, sys; from streamlit import config; config.get_config_options(force_reparse=True); "
        "print(json.dumps({n: config.get_option(n) for n in json.loads(sys.argv[1])}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, json.dumps(list(PRODUCTION))],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert json.loads(out.stdout.strip().splitlines()[-1]) == PRODUCTION


def test_the_developer_features_come_back_only_with_stagescore_dev():
    options = parse(["run", "Home.py", "--server.port", "8502"])
    assert with_dev_options(options, {}) == {"server.port": 8502}
    assert with_dev_options(options, {"STAGESCORE_DEV": "0"}) == {"server.port": 8502}
    dev = with_dev_options(options, {"STAGESCORE_DEV": "1"})
    assert dev["server.fileWatcherType"] == "auto" and dev["server.runOnSave"] is True
    assert dev["server.port"] == 8502
    assert set(DEV_OPTIONS) <= set(PRODUCTION)  # each one undoes a production setting


def test_a_command_line_option_wins_over_dev():
    options = parse(["run", "Home.py", "--server.fileWatcherType", "none"])
    assert with_dev_options(options, {"STAGESCORE_DEV": "1"})["server.fileWatcherType"] == "none"


def test_the_procfile_and_the_units_do_not_turn_development_on():
    shipped = [ROOT / "Procfile", *(ROOT / "deploy" / "systemd").glob("*.service")]
    for path in shipped:
        text = path.read_text()
        assert "STAGESCORE_DEV" not in text and "fileWatcherType auto" not in text, path
