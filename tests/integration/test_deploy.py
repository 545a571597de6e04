"""deploy/ checked with the real tools: Debian's nginx (`nginx -t`) on the shipped site, systemd's own
`systemd-analyze verify` on the units, and the IAM policy against every table and call the app makes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from engine.store.schema import TableNames, table_specs
from tests.support import nginx
from tests.support.processes import ROOT

DEPLOY = ROOT / "deploy"
UNITS = ("stagescore-web@.service", "stagescore-engine.service")
# DynamoDB calls of the running app and engine (engine/store/*), as IAM actions. A transaction's parts
# are authorised by their own actions (Put/Update/Delete/ConditionCheck).
RUNTIME = {
    "get_item": "GetItem",
    "put_item": "PutItem",
    "update_item": "UpdateItem",
    "delete_item": "DeleteItem",
    "query": "Query",
    "batch_write_item": "BatchWriteItem",
    "batch_get_item": "BatchGetItem",
    "list_tables": "ListTables",
}
TRANSACTION_PARTS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}
INIT = {
    "create_table": "CreateTable",
    "update_time_to_live": "UpdateTimeToLive",
    "table_exists": "DescribeTable",
}


def test_the_nginx_site_passes_nginx_t(tmp_path):
    if problem := nginx.missing():
        pytest.fail(problem, pytrace=False)
    cert, key = nginx.self_signed(tmp_path)
    site = nginx.adapted_site(["127.0.0.1:18501", "127.0.0.1:18502"], 18443, 18080, cert, key, tmp_path)
    res = nginx.check(nginx.main_conf(tmp_path, site))
    assert res.returncode == 0, res.stderr
    assert "test is successful" in res.stderr


def test_nginx_t_catches_a_broken_site(tmp_path):
    if problem := nginx.missing():
        pytest.fail(problem, pytrace=False)
    cert, key = nginx.self_signed(tmp_path)
    site = nginx.adapted_site(["127.0.0.1:18501"], 18443, 18080, cert, key, tmp_path)
    res = nginx.check(
        nginx.main_conf(tmp_path, site.replace("proxy_buffering off;", "proxy_buffering nope;"))
    )
    assert res.returncode != 0  # the check above can fail


def test_the_site_has_what_websockets_and_the_push_feed_need():
    text = nginx.SITE.read_text()
    stream = re.search(r"location /_stcore/stream \{(.*?)\}", text, re.S).group(1)
    assert "proxy_set_header Upgrade $http_upgrade" in stream and "proxy_read_timeout 3600s" in stream
    live = re.search(r"location /live/ \{(.*?)\}", text, re.S).group(1)
    assert "proxy_buffering off" in live and "proxy_read_timeout 3600s" in live
    assert re.search(r"hash \$stagescore_route consistent;", text)
    assert re.search(r"listen 443 ssl", text) and "ssl_certificate " in text


def test_the_site_serves_streamlits_files_precompressed_over_http2_and_never_compresses_streams():
    text = nginx.SITE.read_text()
    static = re.search(r"location /static/ \{(.*?)\}", text, re.S).group(1)
    for line in (
        "brotli_static on;",
        "gzip_static on;",
        "gzip_vary on;",
        "immutable",
        "try_files $uri @web;",
    ):
        assert line in static, line
    assert "root /opt/stagescore/.assets/current;" in static  # where `python -m ui.assets` writes
    live = re.search(r"location /live/ \{(.*?)\}", text, re.S).group(1)
    assert "gzip" not in live and "brotli" not in live
    assert re.search(r"^\s*gzip on;", text, re.M) is None  # no per-request compression anywhere
    assert re.search(r"listen 443 ssl http2;", text)
    servers = re.findall(r"^    server (\S+) ", text, re.M)
    assert len(servers) >= 2  # one web process per core


def test_make_run_with_two_web_processes_puts_nginx_in_front_of_both(tmp_path):
    """`make run WEB_PROCESSES=2`: honcho's web.1 and web.2 on PORT+1 and PORT+2 (the Procfile's
    arithmetic, run by sh as honcho runs it), nginx on PORT listing both (`nginx -t` on the result)."""
    if problem := nginx.missing():
        pytest.fail(problem, pytrace=False)
    res = subprocess.run(
        ["make", "-s", "front-conf", "WEB_PROCESSES=2", "PORT=18600", f"RUN_DIR={tmp_path}"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    conf = (tmp_path / "nginx.conf").read_text()
    assert re.findall(r"server (127\.0\.0\.1:\d+) ", conf) == ["127.0.0.1:18601", "127.0.0.1:18602"]
    assert "listen 18600;" in conf and "brotli_static on;" in conf
    checked = subprocess.run(
        [nginx.NGINX, "-t", "-p", str(tmp_path), "-c", "nginx.conf"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert checked.returncode == 0, checked.stderr
    web = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))
    port = re.search(r"--server\.port (\$\(\(.*?\)\)) ", web).group(1)
    for name, expected in (("web.1", "18601"), ("web.2", "18602")):
        out = subprocess.run(
            ["sh", "-c", f"echo {port}"], env={"WEB_PORT": "18601", "HONCHO_PROCESS_NAME": name},
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        assert out.stdout.strip() == expected


def _units(tmp_path: Path) -> list[Path]:
    """The shipped units with the install path and environment file pointed at this checkout (paths only)."""
    env = tmp_path / "stagescore.env"
    env.write_text((DEPLOY / "stagescore.env.example").read_text())
    out = []
    for name in UNITS:
        text = (DEPLOY / "systemd" / name).read_text()
        text = text.replace("/etc/stagescore/stagescore.env", str(env)).replace("/opt/stagescore", str(ROOT))
        path = tmp_path / name.replace("@.", "@8501.")
        path.write_text(text)
        out.append(path)
    return out


def test_the_systemd_units_pass_systemd_analyze_verify(tmp_path):
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip("systemd-analyze is not installed here (Debian's systemd package provides it)")
    units = _units(tmp_path)
    res = subprocess.run([tool, "verify", *map(str, units)], capture_output=True, text=True, timeout=60)
    if res.returncode != 0 and "Failed to initialize manager" in res.stderr:
        pytest.skip(f"systemd-analyze cannot start its manager in this container: {res.stderr.strip()}")
    ours = [line for line in res.stderr.splitlines() if "stagescore" in line]
    assert res.returncode == 0 and not ours, res.stderr


def test_the_units_restart_on_failure_as_a_non_root_user_after_the_network():
    for name in UNITS:
        text = (DEPLOY / "systemd" / name).read_text()
        for line in UNIT_MUSTS:
            assert line in text.splitlines(), f"{name}: {line}"


UNIT_MUSTS = (
    "Restart=on-failure",
    "User=stagescore",
    "EnvironmentFile=/etc/stagescore/stagescore.env",
    "After=network-online.target",
    "Wants=network-online.target",
)


def _store_calls() -> tuple[set[str], set[str]]:
    """(operations called through Client.call, transaction part kinds) found in engine/store/."""
    calls, parts = set(), set()
    for path in (ROOT / "engine" / "store").glob("*.py"):
        text = path.read_text()
        calls |= set(re.findall(r'\.call\(\s*"([a-z_]+)"', text))
        parts |= set(re.findall(r'Op\(name, "([A-Za-z]+)"', text))
    return calls, parts


def test_the_iam_policy_allows_every_call_and_table_the_app_uses_and_nothing_broader():
    policy = json.loads((DEPLOY / "iam-policy.json").read_text())
    allowed: dict[str, set[str]] = {}
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        resources = (
            statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        )
        for action in statement["Action"]:
            assert "*" not in action, f"a wildcard action: {action}"
            allowed.setdefault(action.removeprefix("dynamodb:"), set()).update(resources)
    calls, parts = _store_calls()
    unknown = calls - set(RUNTIME) - set(INIT) - {"transact_write_items"}
    assert not unknown, f"engine/store calls {unknown}: add them to this test and to deploy/iam-policy.json"
    needed = {RUNTIME.get(c) or INIT[c] for c in calls if c != "transact_write_items"}
    needed |= {TRANSACTION_PARTS[p] for p in parts} | {"DescribeTable"}
    assert needed <= set(allowed), f"missing actions: {needed - set(allowed)}"
    assert set(allowed) <= needed, f"actions the app never uses: {set(allowed) - needed}"
    arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/"
    specs = table_specs(TableNames.with_prefix("prod_"))
    wanted = {arn + t for t in specs}
    for table, spec in specs.items():
        for index in spec.get("GlobalSecondaryIndexes", []) + spec.get("LocalSecondaryIndexes", []):
            wanted.add(f"{arn}{table}/index/{index['IndexName']}")
    assert allowed["Query"] == wanted, "Query must reach every table and index, and only those"
    for action, resources in allowed.items():
        if action != "ListTables":  # ListTables takes no resource: "*" is the only form IAM accepts
            assert "*" not in resources and resources <= wanted, action


def test_the_readme_shows_the_shipped_policy():
    policy = json.loads((DEPLOY / "iam-policy.json").read_text())
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"least-privilege IAM policy.*?```json\n(.*?)```", readme, re.S).group(1)
    assert json.loads(block) == policy
