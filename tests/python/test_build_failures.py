"""A failed data test names the lake records that fail it: file, record and key (build/failures.py)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
from rich.console import Console

from warehouse import cli
from warehouse.build import failures
from warehouse.build.failures import FailureLookup, Key, Lineage, LookupPlan, look_up_failures, plan_lookup
from warehouse.build.render import render
from warehouse.build.summary import summarize, summary_to_json, with_lookups
from warehouse.verify.redshift.compat import check_sql
from warehouse.verify.redshift.fluff import parse_findings

# dbt-adapters' unique test, as dbt compiles it for a model.
UNIQUE_SQL = """
select
    campaign_id as unique_field,
    count(*) as n_records

from "mem"."gold"."dim_campaign"
where campaign_id is not null
group by campaign_id
having count(*) > 1
"""


def model(name: str, layer: str, columns: list[str], parents: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "unique_id": f"model.gr.{name}",
        "name": name,
        "resource_type": "model",
        "fqn": ["gr", layer, name],
        "relation_name": f'"mem"."{layer}"."{name}"',
        "columns": {column: {"name": column} for column in columns},
        "depends_on": {"nodes": [f"model.gr.{parent}" for parent in parents]},
    }


def data_test(name: str, test: str, model_name: str, column: str | None, sql: str, **kwargs: Any) -> dict[str, Any]:
    return {
        "unique_id": f"test.gr.{name}",
        "name": name,
        "resource_type": "test",
        "fqn": ["gr", name],
        "attached_node": f"model.gr.{model_name}",
        "column_name": column,
        "test_metadata": {"name": test, "kwargs": kwargs},
        "compiled_code": sql,
        "depends_on": {"nodes": [f"model.gr.{model_name}"]},
    }


@pytest.fixture()
def manifest() -> dict[str, Any]:
    nodes = [
        model("stg_mk__campaigns_typed", "bronze", ["campaign_id", "_source_file", "_record_number"]),
        model(
            "stg_mk__campaigns",
            "bronze",
            ["campaign_id", "_source_file", "_record_number"],
            ("stg_mk__campaigns_typed",),
        ),
        model("int_campaigns_deduplicated", "silver", ["campaign_id", "_source_file"], ("stg_mk__campaigns",)),
        model("dim_campaign", "gold", ["campaign_id", "campaign_name"], ("int_campaigns_deduplicated",)),
        data_test("unique_dim_campaign_campaign_id", "unique", "dim_campaign", "campaign_id", UNIQUE_SQL),
        data_test(
            "not_null_stg_mk__campaigns_campaign_id",
            "not_null",
            "stg_mk__campaigns",
            "campaign_id",
            'select campaign_id from "mem"."bronze"."stg_mk__campaigns" where campaign_id is null',
        ),
        data_test(
            "assert_something",
            "",
            "dim_campaign",
            None,
            'select count(*) as campaigns from "mem"."gold"."dim_campaign" having count(*) > 1',
        ),
    ]
    return {"nodes": {node["unique_id"]: node for node in nodes}}


@pytest.fixture()
def warehouse() -> duckdb.DuckDBPyConnection:
    """The tables the manifest names, in an in-memory DuckDB catalog called mem."""
    con = duckdb.connect(":memory:")
    con.execute("attach ':memory:' as mem")
    con.execute("create schema mem.bronze; create schema mem.gold")
    con.execute(
        "create table mem.bronze.stg_mk__campaigns as select * from (values "
        "(1, 'lake/campaigns/dt=2025-10-01/part-0000.csv', 1), (2, 'lake/campaigns/dt=2025-10-01/part-0000.csv', 2), "
        "(0, 'lake/campaigns/dt=2025-12-20/part-0000.csv', 1), (null, 'lake/campaigns/dt=2025-12-21/part-0000.csv', 4)"
        ") as t(campaign_id, _source_file, _record_number)"
    )
    con.execute(
        "create table mem.gold.dim_campaign as select * from (values (1, 'a'), (2, 'b'), (0, 'No campaign'), "
        "(0, 'planted'), (-1, 'Unknown')) as t(campaign_id, campaign_name)"
    )
    return con


def run_on(con: duckdb.DuckDBPyConnection) -> failures.RunQuery:
    def run(sql: str, limit: int) -> tuple[list[str], list[tuple[Any, ...]]]:
        cursor = con.execute(f"{sql}\nlimit {limit}")  # as dbt show appends it (get_limit_sql)
        return [column[0] for column in cursor.description], cursor.fetchall()

    return run


def test_a_gold_test_is_traced_to_the_nearest_model_that_names_the_lake_file(manifest: dict[str, Any]) -> None:
    plan = plan_lookup(manifest, "test.gr.unique_dim_campaign_campaign_id")
    assert plan is not None
    assert plan.keys == (Key("campaign_id", "unique_field"),)
    # Silver names the file but no record; bronze names both, and its _typed parent is not searched.
    assert plan.lineage == (Lineage("stg_mk__campaigns", '"mem"."bronze"."stg_mk__campaigns"', ("_record_number",)),)
    not_null = plan_lookup(manifest, "test.gr.not_null_stg_mk__campaigns_campaign_id")
    assert not_null is not None and not_null.keys == (Key("campaign_id", None),)
    assert not_null.lineage[0].name == "stg_mk__campaigns"  # the tested model itself carries the lineage


def test_the_lookup_names_file_record_and_key_on_duckdb(
    manifest: dict[str, Any], warehouse: duckdb.DuckDBPyConnection
) -> None:
    lookups = look_up_failures(
        manifest,
        [
            ("test.gr.unique_dim_campaign_campaign_id", "dim_campaign"),
            ("test.gr.not_null_stg_mk__campaigns_campaign_id", "stg_mk__campaigns"),
            ("test.gr.assert_something", "dim_campaign"),
        ],
        run_on(warehouse),
    )
    unique = lookups["test.gr.unique_dim_campaign_campaign_id"]
    assert unique.error is None and unique.note is None
    assert [(r.source_file, dict(r.record), dict(r.key), r.model) for r in unique.records] == [
        ("lake/campaigns/dt=2025-12-20/part-0000.csv", {"_record_number": 1}, {"campaign_id": 0}, "stg_mk__campaigns")
    ]
    not_null = lookups["test.gr.not_null_stg_mk__campaigns_campaign_id"]
    assert [(r.source_file, dict(r.record)) for r in not_null.records] == [
        ("lake/campaigns/dt=2025-12-21/part-0000.csv", {"_record_number": 4})
    ]
    # A test whose rows name no key: its rows are shown as they are, and the report says why no file.
    singular = lookups["test.gr.assert_something"]
    assert [dict(r.key) for r in singular.records] == [{"campaigns": 5}]
    assert singular.note is not None and "no key column" in singular.note


def test_a_failing_lookup_is_reported_and_the_summary_keeps_dbts_message(manifest: dict[str, Any]) -> None:
    def broken(sql: str, limit: int) -> Any:
        raise RuntimeError("Catalog Error: Table with name dim_campaign does not exist!")

    uid = "test.gr.unique_dim_campaign_campaign_id"
    lookups = look_up_failures(manifest, [(uid, "dim_campaign")], broken)
    assert lookups[uid].error is not None and "does not exist" in lookups[uid].error
    run_results = {"results": [{"unique_id": uid, "status": "fail", "failures": 1, "message": "Got 1 result"}]}
    summary = with_lookups(summarize(manifest, run_results, target="local", success=False, total_seconds=1), lookups)
    out = io.StringIO()
    render(summary, Console(file=out, width=200, color_system=None))
    assert "Got 1 result" in out.getvalue()
    assert "could not be looked up: Catalog Error" in out.getvalue()
    failing = summary_to_json(summary)["tests"]["failing"][0]
    assert failing["failures"] == 1 and failing["failing_records"] == []
    assert "does not exist" in failing["lookup_error"]
    assert failing["show_all"] == "dbt show --select unique_dim_campaign_campaign_id --limit 100"


def test_the_lookup_sql_is_redshift_sql(manifest: dict[str, Any]) -> None:
    """The same text runs on Redshift: no function or construct Redshift lacks, and its dialect parses it."""
    for uid in ("test.gr.unique_dim_campaign_campaign_id", "test.gr.not_null_stg_mk__campaigns_campaign_id"):
        plan = plan_lookup(manifest, uid)
        assert plan is not None
        for sql in (failures.records_sql(plan, plan.lineage[0]), failures.rows_sql(plan)):
            sql += "\nlimit 6"
            assert check_sql(sql, uid) == []
            assert parse_findings(sql, uid) == []
    combination = LookupPlan(
        "t",
        "select a, b, count(*) as occurrences from x group by a, b having count(*) > 1",
        (Key("a", "a"), Key("b", "b")),
        (),
    )
    sql = failures.records_sql(combination, Lineage("s", '"d"."bronze"."s"', ("shard_id", "sequence_number")))
    assert check_sql(sql, "t") == [] and parse_findings(sql, "t") == []
    assert 'records."a" = failing."a"\n        and records."b" = failing."b"' in sql


# --- end to end: a real lake file that breaks a real test ------------------------------------------------


def plant_reused_change_sequence(lake: Path) -> dict[str, Any]:
    """A new CDC batch whose one event reuses the (warehouse, sku, change sequence) of an existing event
    under a new event id, as a producer that restarted its sequence would write it. Passes every bronze
    rule; fails silver's unique (warehouse_id, sku, change_sequence) test."""
    stream = lake / "stream" / "inventory_cdc"
    existing = sorted(stream.glob("dt=*/*.ndjson"))[-1]
    record = json.loads(existing.read_text(encoding="utf-8").splitlines()[0])
    event = json.loads(record["data"])
    event.update(event_id="IC999999999999", quantity_on_hand=int(event["quantity_on_hand"]) + 5)
    record.update(
        data=json.dumps(event, separators=(",", ":")),
        sequence_number=record["sequence_number"][:-3] + "999",
        approximate_arrival_timestamp="2026-02-10T09:00:00.000Z",
    )
    planted = stream / "dt=2026-02-10" / "batch-1770714000000-000900.ndjson"
    planted.parent.mkdir(parents=True)
    planted.write_text(json.dumps(record, separators=(",", ":")) + "\n", encoding="utf-8")
    return {
        "file": str(planted),
        "record": {"shard_id": record["shard_id"], "sequence_number": record["sequence_number"]},
        "key": {"warehouse_id": event["warehouse_id"], "sku": event["sku"], "change_sequence": event["seq"]},
    }


@pytest.mark.slow
def test_warehouse_build_names_the_lake_record_that_fails_a_test(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from warehouse.generate.generator import generate_lake
    from warehouse.generate.scales import SCALES

    data_dir = tmp_path / "data"
    generate_lake(data_dir / "lake", SCALES["tiny"], seed=42)
    planted = plant_reused_change_sequence(data_dir / "lake")
    for name in ("WAREHOUSE_TARGET", "DBT_PROFILES_DIR", "DBT_PROJECT_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WAREHOUSE_DATA_DIR", str(data_dir))
    monkeypatch.setenv("WAREHOUSE_LAKE_ROOT", str(data_dir / "lake"))
    monkeypatch.setenv("DBT_TARGET_PATH", str(data_dir / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(data_dir / "logs"))
    monkeypatch.setenv("COLUMNS", "400")  # one record per line in the captured output

    assert cli.main(["build", "--no-progress"]) == 1

    test_name = "unique_combination_of_columns_int_inventory_movements_deduplicated_warehouse_id__sku__change_sequence"
    out = capsys.readouterr().out
    assert "Got 1 result, configured to fail if != 0" in out  # dbt's message is still there
    block = out[out.index("Failing records") :]
    assert f"{test_name} on int_inventory_movements_deduplicated (warehouse_id, sku, change_sequence)" in block
    assert planted["file"] in block
    seq = planted["record"]["sequence_number"]
    key = planted["key"]
    assert f"record shard_id={planted['record']['shard_id']}, sequence_number={seq}" in block
    assert (
        f"key warehouse_id={key['warehouse_id']}, sku={key['sku']}, change_sequence={key['change_sequence']}" in block
    )
    assert f"all failing rows: dbt show --select {test_name} --limit 100" in block

    summary = json.loads((data_dir / "target" / "build_summary.json").read_text(encoding="utf-8"))
    failing = next(test for test in summary["tests"]["failing"] if test["name"] == test_name)
    assert failing["failures"] == 1 and failing["column"] == "warehouse_id, sku, change_sequence"
    records = failing["failing_records"]
    assert {
        "source_file": planted["file"],
        "record": planted["record"],
        "key": key,
        "model": "stg_inventory__cdc_events",
    } in records
    # The event it collides with is named too: both records of the duplicated key, from their files.
    assert len(records) == 2 and all(record["key"] == key for record in records)

    # A silver row that appears twice: the unique test on order_id is traced to bronze's lake records of
    # that order, each with its file and record number. Only that test runs (--select).
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"))
    try:
        order_id = con.execute("select min(order_id) from silver.int_orders_deduplicated").fetchone()[0]
        silver, bronze = "silver.int_orders_deduplicated", "bronze.stg_orders__orders"
        con.execute(f"insert into {silver} select * from {silver} where order_id = {order_id}")
        expected = con.execute(
            f"select _source_file, _record_number from {bronze} where order_id = {order_id} order by 1, 2"
        ).fetchall()
    finally:
        con.close()
    assert cli.main(["build", "--no-progress", "--select", "unique_int_orders_deduplicated_order_id"]) == 1
    out = capsys.readouterr().out
    for source_file, record_number in expected:
        record = f"record _record_number={record_number}; key order_id={order_id}; in stg_orders__orders"
        assert f"{source_file}\n      {record}" in out
    summary = json.loads((data_dir / "target" / "build_summary.json").read_text(encoding="utf-8"))
    (failing,) = summary["tests"]["failing"]
    assert [(r["source_file"], r["record"]["_record_number"], r["key"]) for r in failing["failing_records"]] == [
        (source_file, record_number, {"order_id": order_id}) for source_file, record_number in expected
    ]

    # The lookup itself failing never hides dbt's failure.
    def broken(*args: Any) -> Any:
        raise RuntimeError("connection reset")

    monkeypatch.setattr("warehouse.commands.build.show_query", broken)
    assert cli.main(["build", "--no-progress", "--select", "unique_int_orders_deduplicated_order_id"]) == 1
    out = capsys.readouterr().out
    assert "Got 1 result, configured to fail if != 0" in out
    assert "the failing records could not be looked up: connection reset" in out
    summary = json.loads((data_dir / "target" / "build_summary.json").read_text(encoding="utf-8"))
    assert summary["tests"]["failing"][0]["lookup_error"] == "connection reset"


def test_a_test_not_compiled_in_this_build_is_said_so(manifest: dict[str, Any]) -> None:
    lookups = look_up_failures(manifest, [("test.gr.gone", None)], lambda sql, limit: ([], []))
    assert lookups["test.gr.gone"] == FailureLookup(error="this build's manifest has no compiled SQL for the test")


def test_the_search_walks_through_snapshots_and_skips_models_without_the_key(manifest: dict[str, Any]) -> None:
    nodes = manifest["nodes"]
    snapshot = model("snp_campaigns", "snapshots", ["campaign_id", "dbt_scd_id"], ("int_campaigns_deduplicated",))
    snapshot.update(unique_id="snapshot.gr.snp_campaigns", resource_type="snapshot")
    history = model("dim_campaign_history", "gold", ["campaign_id", "campaign_version_id"])
    history["depends_on"] = {"nodes": ["snapshot.gr.snp_campaigns"]}
    nodes[snapshot["unique_id"]] = snapshot
    nodes[history["unique_id"]] = history
    sql = 'select campaign_id from "mem"."gold"."dim_campaign_history" where campaign_id is null'
    version = 'select campaign_version_id from "mem"."gold"."dim_campaign_history" where campaign_version_id is null'
    for name, column, text in (("nn_id", "campaign_id", sql), ("nn_version", "campaign_version_id", version)):
        node = data_test(name, "not_null", "dim_campaign_history", column, text)
        nodes[node["unique_id"]] = node
    traced = plan_lookup(manifest, "test.gr.nn_id")
    assert traced is not None and [lineage.name for lineage in traced.lineage] == ["stg_mk__campaigns"]
    untraced = plan_lookup(manifest, "test.gr.nn_version")  # bronze has no campaign_version_id
    assert untraced is not None and untraced.lineage == ()
