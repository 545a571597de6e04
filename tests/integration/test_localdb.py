"""DynamoDB Local: the command line we build, port probing, and a real server answering over HTTP."""

from __future__ import annotations

import socket
from pathlib import Path

import botocore.session
import pytest

from engine import localdb
from tests.support.stack import fresh_prefix


def test_command_with_data_dir_persists_there_and_shares_one_db(tmp_path: Path) -> None:
    data = tmp_path / "nested" / "data"
    cmd = localdb.command(8123, data, in_memory=False)

    assert Path(cmd[0]).name == "java"
    assert "-jar" in cmd and cmd[cmd.index("-jar") + 1] == str(localdb.INSTALL_DIR / "DynamoDBLocal.jar")
    assert f"-Djava.library.path={localdb.INSTALL_DIR / 'DynamoDBLocal_lib'}" in cmd
    assert any(flag.startswith("-Xmx") for flag in cmd[: cmd.index("-jar")])
    assert cmd[cmd.index("-port") + 1] == "8123"
    assert cmd[cmd.index("-dbPath") + 1] == str(data.resolve())
    assert "-inMemory" not in cmd
    assert "-sharedDb" in cmd
    assert "-disableTelemetry" in cmd
    assert data.is_dir()


def test_command_in_memory_has_no_db_path() -> None:
    cmd = localdb.command(9000, None, in_memory=True)

    assert "-inMemory" in cmd
    assert "-dbPath" not in cmd
    assert "-sharedDb" in cmd


def test_a_short_run_uses_the_quick_compiler_and_serial_collector_and_a_show_the_defaults() -> None:
    short = localdb.command(9000, None, in_memory=True, short_run=True)
    show = localdb.command(9000, None, in_memory=True)

    jvm = short[: short.index("-jar")]
    assert "-XX:TieredStopAtLevel=1" in jvm and "-XX:+UseSerialGC" in jvm
    assert not any(flag.startswith("-XX:") for flag in show[: show.index("-jar")])
    assert short[short.index("-jar") :] == show[show.index("-jar") :]


def test_command_refuses_both_data_dir_and_in_memory(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        localdb.command(9000, tmp_path, in_memory=True)


def test_port_in_use_sees_a_listener_and_its_absence() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert localdb.port_in_use(port)
    assert not localdb.port_in_use(port)


def test_free_port_is_free() -> None:
    assert not localdb.port_in_use(localdb.free_port())


@pytest.mark.integration
def test_dynamodb_local_answers_list_tables_over_http(
    dynamodb_endpoint: str, store, table_prefix: str
) -> None:
    """A signed ListTables from a botocore client of the test's own (not the Store's) names the tables
    the Store has just created there."""
    client = botocore.session.get_session().create_client(
        "dynamodb",
        endpoint_url=dynamodb_endpoint,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    answer = client.list_tables(Limit=100, ExclusiveStartTableName=table_prefix)
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    mine = [n for n in answer["TableNames"] if n.startswith(table_prefix)]
    assert mine, f"no table named {table_prefix}* in {answer['TableNames']}"


@pytest.mark.integration
def test_start_refuses_a_port_already_in_use(dynamodb_endpoint: str) -> None:
    port = int(dynamodb_endpoint.rsplit(":", 1)[1])
    with pytest.raises(localdb.StagescoreError, match="already in use"):
        localdb.start(port, in_memory=True)


def test_table_prefix_is_unique_per_test(table_prefix: str) -> None:
    made = {fresh_prefix("t") for _ in range(2000)} | {table_prefix}
    assert len(made) == 2001
    assert all(p.startswith("t") and p.endswith("_") and len(p) == 10 for p in made)
