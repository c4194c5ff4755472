"""The live product catalog path against a real PostgreSQL server.

The test starts the machine's PostgreSQL 15 cluster if it is down, creates a throwaway role and database,
loads the catalog with `warehouse catalog load`, then builds the warehouse with WAREHOUSE_CATALOG_DSN set so
DuckDB attaches the database through the postgres extension and bronze reads the catalog live. The result
must equal the latest catalog version of every product, computed here straight from the export files.
"""

from __future__ import annotations

import csv
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tiny_warehouse import build, run_warehouse
from warehouse.generate.generator import generate_lake
from warehouse.generate.scales import SCALES

pytestmark = pytest.mark.slow

CLUSTER = ("15", "main")


def _run(*command: str) -> str:
    result = subprocess.run(command, check=True, capture_output=True, text=True)
    return result.stdout


def _psql(sql: str) -> None:
    _run("runuser", "-u", "postgres", "--", "psql", "-v", "ON_ERROR_STOP=1", "-q", "-c", sql)


@pytest.fixture(scope="module")
def postgres() -> Iterator[dict[str, str]]:
    if shutil.which("pg_ctlcluster") is None:
        pytest.fail("PostgreSQL 15 is required for this test: apt-get install postgresql-15")
    status = _run("pg_lsclusters", "--no-header")
    if " online " not in status:
        _run("pg_ctlcluster", *CLUSTER, "start")
    port = status.split()[2]
    suffix = secrets.token_hex(4)
    role, database, password = f"wh_test_{suffix}", f"catalog_{suffix}", secrets.token_hex(16)
    _psql(f"create role {role} login password '{password}'")
    _psql(f"create database {database} owner {role}")
    try:
        yield {
            "dsn": f"host=127.0.0.1 port={port} dbname={database} user={role}",
            "password": password,
        }
    finally:
        _psql(f"drop database if exists {database} with (force)")
        _psql(f"drop role if exists {role}")


def _latest_catalog(lake_root: Path) -> dict[int, tuple[str, Decimal, bool]]:
    latest: dict[int, tuple[str, str, Decimal, bool]] = {}
    for path in sorted((lake_root / "raw" / "products").glob("dt=*/part-*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                product_id = int(row["product_id"])
                version = (row["updated_at"], row["category"], Decimal(row["list_price"]), row["is_active"] == "true")
                if product_id not in latest or version[0] >= latest[product_id][0]:
                    latest[product_id] = version
    return {key: value[1:] for key, value in latest.items()}


def test_bronze_reads_the_catalog_live_from_postgres(postgres: dict[str, str], tmp_path: Path) -> None:
    lake_root = tmp_path / "lake"
    generate_lake(lake_root, SCALES["tiny"], seed=42)
    live = {"WAREHOUSE_CATALOG_DSN": postgres["dsn"], "PGPASSWORD": postgres["password"]}
    assert run_warehouse(tmp_path, "catalog", "load", **live) == 0
    assert run_warehouse(tmp_path, "catalog", "load", **live) == 0, "loading the same exports twice must be harmless"
    assert build(tmp_path, **live) == 0

    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True)
    try:
        sources = con.execute("select distinct _source_file from bronze.stg_catalog__products").fetchall()
        products = con.execute(
            "select product_id, category, list_price, is_active from gold.dim_product where product_id > 0"
        ).fetchall()
    finally:
        con.close()
    assert sources == [("postgres:catalog_db.products",)]
    expected = _latest_catalog(lake_root)
    assert {row[0]: (row[1], row[2], row[3]) for row in products} == expected
