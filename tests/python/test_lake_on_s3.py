"""The lake on S3 for real: moto_server on 127.0.0.1 as the endpoint, the dbt DuckDB build over s3:// paths,
the export written back to S3 and registered in Glue, and read back equal to the gold table."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import duckdb
import pytest
import yaml

from warehouse import cli
from warehouse.aws.duckdb_s3 import DuckDBS3Settings, configure_s3, s3_wanted
from warehouse.config import PROJECT_DIR
from warehouse.generate.generator import generate_lake
from warehouse.generate.scales import SCALES

BUCKET = "globalretail-lake"


def test_duckdb_s3_is_off_without_an_s3_lake_and_never_prints_keys() -> None:
    con = duckdb.connect()
    assert not s3_wanted({"WAREHOUSE_LAKE_ROOT": "/data/lake"})
    assert configure_s3(con, {"WAREHOUSE_LAKE_ROOT": "/data/lake"}) is False
    env = {
        "WAREHOUSE_LAKE_ROOT": "s3://b/lake",
        "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "secret-value",
        "AWS_REGION": "eu-west-1",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:5000",
    }
    assert s3_wanted(env)
    settings = DuckDBS3Settings.from_env(env)
    assert (settings.endpoint, settings.use_ssl, settings.url_style) == ("127.0.0.1:5000", False, "path")
    assert "secret-value" not in repr(settings)
    assert settings.secret_sql() == (
        "create or replace secret warehouse_s3 (type s3, key_id 'AKIDEXAMPLE', secret 'secret-value', "
        "region 'eu-west-1', endpoint '127.0.0.1:5000', url_style 'path', use_ssl false)"
    )


def test_profile_loads_the_s3_plugin_under_a_unique_name() -> None:
    """dbt-duckdb keys plugins by alias (default: the module's last name part): a clash silently drops one."""
    local = yaml.safe_load((PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8"))["globalretail"]["outputs"]
    plugins = local["local"]["plugins"]
    names = [plugin.get("alias") or plugin["module"].split(".")[-1] for plugin in plugins]
    assert len(names) == len(set(names)), names
    assert {"module": "warehouse.aws.s3_lake_plugin", "alias": "s3_lake"} in plugins


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def moto_server(tmp_path: Path) -> Iterator[str]:
    executable = shutil.which("moto_server", path=str(Path(sys.executable).parent)) or shutil.which("moto_server")
    if executable is None:
        pytest.fail("moto_server is not installed: pip install -e '.[dev]' (moto[server])")
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    log = (tmp_path / "moto.log").open("w")
    process = subprocess.Popen([executable, "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail(f"moto_server did not start: {(tmp_path / 'moto.log').read_text()}")
                time.sleep(0.2)
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def _upload(s3: Any, lake: Path) -> int:
    files = [path for path in lake.rglob("*") if path.is_file()]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda p: s3.upload_file(str(p), BUCKET, f"lake/{p.relative_to(lake).as_posix()}"), files))
    return len(files)


@pytest.mark.slow
def test_build_on_an_s3_lake_then_export_back_to_s3(
    moto_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": moto_server,
        "WAREHOUSE_LAKE_ROOT": f"s3://{BUCKET}/lake",
        "WAREHOUSE_DATA_DIR": str(tmp_path / "data"),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
        "WAREHOUSE_TARGET": "local",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3", "WAREHOUSE_EXPORT_ROOT"):
        monkeypatch.delenv(name, raising=False)
    # cli.main points the process at the project (DBT_PROFILES_DIR, ...); restore the environment afterwards.
    monkeypatch.setattr(os, "environ", os.environ.copy())
    s3 = boto3.client("s3", endpoint_url=moto_server, region_name="us-east-1")
    s3.create_bucket(Bucket=BUCKET)
    generate_lake(tmp_path / "lake", SCALES["tiny"], 42)
    assert _upload(s3, tmp_path / "lake") > 100

    assert "warehouse.commands.unload" in cli.COMMAND_MODULES
    assert cli.main(["build", "--no-progress"]) == 0
    assert cli.main(["unload", "--target", "local", "--glue"]) == 0
    assert "daily_revenue" in capsys.readouterr().out

    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="lake/exports/daily_revenue/")["Contents"]]
    assert {key.split("/")[3] for key in keys} <= {"revenue_flag=high", "revenue_flag=normal", "revenue_flag=low"}

    con = duckdb.connect(str(tmp_path / "data" / "warehouse.duckdb"), read_only=True)
    try:
        configure_s3(con)
        columns = [row[0] for row in con.execute("describe gold.agg_daily_revenue").fetchall()]
        select = ", ".join(f'"{c}"' for c in columns)
        exported = (
            f"select {select} from read_parquet('s3://{BUCKET}/lake/exports/daily_revenue/*/*.parquet', "
            "hive_partitioning = true)"
        )
        gold = f"select {select} from gold.agg_daily_revenue"
        assert con.execute(f"select count(*) from ({gold})").fetchone()[0] > 0
        for left, right in ((gold, exported), (exported, gold)):
            missing = con.execute(f"select count(*) from ({left} except all {right})").fetchone()[0]
            assert missing == 0
    finally:
        con.close()

    glue = boto3.client("glue", endpoint_url=moto_server, region_name="us-east-1")
    partitions = glue.get_partitions(DatabaseName="globalretail_exports", TableName="daily_revenue")["Partitions"]
    assert {p["Values"][0] for p in partitions} == {key.split("/")[3].split("=")[1] for key in keys}
